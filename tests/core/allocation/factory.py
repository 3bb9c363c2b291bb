"""Small halls and tickets built directly from the dataclasses, for allocation tests."""
from __future__ import annotations

from core.allocation.interface import HallContext, WaitingTicket, WindowView
from core.settings.schema import PoolKind, Priority

SERVICE = {"open_company": 25.0, "invoice": 4.0, "register_tax": 15.0, "transfer": 20.0,
           "pickup": 2.0, "birth": 20.0}
CATEGORY = {"open_company": "business", "invoice": "tax", "register_tax": "tax",
            "transfer": "realty", "pickup": "pickup", "birth": "theme"}
POOL = {"open_company": "acceptance_a", "invoice": "acceptance_a",
        "register_tax": "acceptance_a", "transfer": "acceptance_a",
        "pickup": "pickup", "birth": "coordination"}


KINDS = {"green": PoolKind.GREEN, "pickup": PoolKind.PICKUP,
         "coordination": PoolKind.COORDINATION}


def window(number=1, pool="acceptance_a", skills=None, also=(), dedicated=None,
           kind=None) -> WindowView:
    """A window at home in `pool`; its pool's kind follows the pool's name unless given."""
    skills = skills if skills is not None else {"business": 1.0, "tax": 0.8, "realty": 0.6}
    kind = kind or KINDS.get(pool, PoolKind.ACCEPTANCE)
    return WindowView(number, pool, skills, tuple(also), dedicated, kind)


def ticket(ticket_id, matter="invoice", since=0.0, priority=Priority.NORMAL, slot=None,
           pinned=None, pool=None) -> WaitingTicket:
    return WaitingTicket(ticket_id, matter, CATEGORY[matter], pool or POOL[matter], priority,
                         since, slot, pinned)


def context(windows=(), params=None) -> HallContext:
    return HallContext(tuple(windows) or (window(),), lambda m: SERVICE.get(m, 8.0), 600.0,
                       dict(params or {}))
