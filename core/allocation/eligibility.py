"""Which window may call which ticket, and how a ticket ranks at a moment.

The green-channel pool is identified by its code: a pool whose code is
``green`` or starts with ``green`` (``green_channel``, ``green2`` ...). The
window view carries only pool codes, so the code is the one thing both the
server and the simulator can see; `core.settings.PoolKind.GREEN` pools in the
demo config use the code ``green``. (A `pool_kind` field on `WindowView` would
make this explicit; see docs/allocation.md.)
"""
from __future__ import annotations

from core.allocation.interface import WaitingTicket, WindowView
from core.settings import Priority, WindowSpec

GREEN_POOL_PREFIX = "green"
# Ranks as in Priority.rank; an appointment before its call window ranks as normal.
NORMAL_RANK = Priority.NORMAL.rank
_GREEN_PRIORITIES = frozenset({Priority.GREEN, Priority.ELDERLY})


def is_green_pool(pool_code: str) -> bool:
    return pool_code.startswith(GREEN_POOL_PREFIX)


def can_serve(window: WindowView, ticket: WaitingTicket) -> bool:
    """True if `window` may call `ticket` now.

    A ticket transferred to one window (pinned) may be called by that window
    only, whatever its skills: the clerk who transferred it chose the window.
    Otherwise the window needs a skill weight above zero for the ticket's
    category, and the ticket must wait in the window's home pool, in a pool it
    helps (``also_serves``), or be a green/elderly ticket at a green window.
    """
    if ticket.pinned_window is not None:
        return ticket.pinned_window == window.number
    if window.skills.get(ticket.category, 0.0) <= 0.0:
        return False
    pool = ticket.pool
    if pool == window.pool or pool in window.also_serves:
        return True
    return ticket.priority in _GREEN_PRIORITIES and is_green_pool(window.pool)


def is_primary(window: WindowView, ticket: WaitingTicket) -> bool:
    """True if the ticket belongs to the window's primary duties (its home pool)."""
    if ticket.pool == window.pool:
        return True
    return ticket.priority in _GREEN_PRIORITIES and is_green_pool(window.pool)


def appointment_active(ticket: WaitingTicket, now: float, early_seconds: float) -> bool:
    """An appointment ranks as one from `early_seconds` before its slot on."""
    slot = ticket.appointment_slot
    return slot is None or now >= slot - early_seconds


def effective_rank(ticket: WaitingTicket, now: float, early_seconds: float) -> int:
    """The ticket's priority rank now (0 = green first, 3 = normal)."""
    priority = ticket.priority
    if priority is Priority.APPOINTMENT and not appointment_active(ticket, now, early_seconds):
        return NORMAL_RANK
    return priority.rank


def dedicated_category_of(spec: WindowSpec) -> str | None:
    """The pre-reform department of a window: its highest-weight skill.

    Ties go to the category listed first in the config.
    """
    best, best_weight = None, 0.0
    for code, weight in spec.skills.items():
        if weight > best_weight:
            best, best_weight = code, weight
    return best


def window_view_of(spec: WindowSpec) -> WindowView:
    """The policy's view of a configured window (the server builds the same)."""
    return WindowView(
        number=spec.number,
        pool=spec.pool,
        skills=dict(spec.skills),
        also_serves=tuple(spec.also_serves),
        dedicated_category=dedicated_category_of(spec),
    )
