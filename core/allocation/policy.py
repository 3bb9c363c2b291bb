"""The one interface every allocation policy implements."""
from __future__ import annotations

from typing import Sequence

from core.allocation.eligibility import can_serve
from core.allocation.interface import HallContext, WaitingTicket, WindowView


class Policy:
    """A rule for which waiting ticket a window calls. Register it in
    `core.allocation.POLICIES`; the settings loader and the benchmark read that registry.

    The contract every policy keeps, which `core.forecast.eta` relies on to run the
    policy forward over group heads only: the score a policy gives a ticket depends
    on the ticket only through its wait (`now - queue_since`) and its group (matter,
    pool, category, priority, appointment slot, pinned window), and it grows with
    the wait. Ties go to the earlier `queue_since`, then the ticket id, so a choice
    is deterministic and the same in the server and the simulator.
    """

    name: str = ""

    def choose(self, window: WindowView, waiting: Sequence[WaitingTicket],
               now: float, hall: HallContext) -> WaitingTicket | None:
        """The waiting ticket this window calls now, or None if it may serve none."""
        raise NotImplementedError

    def may_serve(self, window: WindowView, ticket: WaitingTicket) -> bool:
        """Whether this window would ever call this ticket under the policy (the
        idle-window rule: an idle window that may serve a waiting ticket calls it)."""
        return can_serve(window, ticket)

    def ready_order(self, ready: Sequence[tuple[WindowView, float]],
                    hall: HallContext) -> list[WindowView]:
        """The order in which windows waiting for a citizen (待叫: the clerk pressed
        "call next" and nobody waited) are offered a ticket that has just come, each
        given with the moment it began to wait. All of them may serve that ticket.
        The plain rule, the one a hall without an allocator follows: the window that
        has waited longest first."""
        return [view for view, _ in sorted(ready, key=lambda r: (r[1], r[0].number))]
