"""The baseline and reference allocation policies.

Every policy scans the waiting list once (O(n), no sorting) and keeps the
best key; ties always fall to the earlier `queue_since`, then the ticket id,
so the choice is deterministic and identical in the server and simulator.
Parameters come from `HallContext.params` (seconds unless named otherwise).
"""
from __future__ import annotations

from typing import Sequence

from core.allocation.eligibility import can_serve, effective_rank
from core.allocation.interface import HallContext, WaitingTicket, WindowView
from core.allocation.policy import Policy

# Waiting credit per effective priority rank (green, elderly, appointment, normal).
DEFAULT_CREDITS = (1800.0, 900.0, 1200.0, 0.0)


def credits(hall: HallContext) -> tuple[float, float, float, float]:
    """The waiting credit (seconds) per effective rank, overridable by params."""
    p = hall.params
    if not p:
        return DEFAULT_CREDITS
    return (
        p.get("credit_green", DEFAULT_CREDITS[0]),
        p.get("credit_elderly", DEFAULT_CREDITS[1]),
        p.get("credit_appointment", DEFAULT_CREDITS[2]),
        p.get("credit_normal", DEFAULT_CREDITS[3]),
    )


def _fcfs_pick(window: WindowView, waiting: Sequence[WaitingTicket], now: float,
               hall: HallContext, category: str | None = None) -> WaitingTicket | None:
    early = hall.call_early_seconds
    best, best_key = None, None
    for t in waiting:
        if category is not None and t.category != category and t.pinned_window is None:
            continue
        if not can_serve(window, t):
            continue
        key = (effective_rank(t, now, early), t.queue_since, t.ticket_id)
        if best_key is None or key < best_key:
            best, best_key = t, key
    return best


class Fcfs(Policy):
    """Global first-come-first-served among servable tickets, strict classes first."""

    name = "fcfs"

    def choose(self, window, waiting, now, hall):
        return _fcfs_pick(window, waiting, now, hall)


class Dedicated(Policy):
    """The pre-reform hall: a window calls only its own department's line.

    The line is the window's `dedicated_category` (derived from a WindowSpec
    by `dedicated_category_of`); pinned tickets still reach their window.
    A window without a dedicated category falls back to plain FCFS.
    """

    name = "dedicated"

    def choose(self, window, waiting, now, hall):
        return _fcfs_pick(window, waiting, now, hall, window.dedicated_category)

    def may_serve(self, window, ticket):
        if not can_serve(window, ticket):
            return False
        if window.dedicated_category is None or ticket.pinned_window is not None:
            return True
        return ticket.category == window.dedicated_category


class Aging(Policy):
    """Longest weighted wait first: wait plus a credit for the priority class.

    `offset(ticket)`, None here, lets a subclass add seconds to a ticket's weighted wait
    (the benchmark's noise floor: aging with offsets of a few seconds)."""

    name = "aging"
    offset = None

    def choose(self, window, waiting, now, hall):
        early = hall.call_early_seconds
        credit = credits(hall)
        offset = self.offset
        best, best_key = None, None
        for t in waiting:
            if not can_serve(window, t):
                continue
            score = now - t.queue_since + credit[effective_rank(t, now, early)]
            if offset is not None:
                score += offset(t)
            key = (-score, t.queue_since, t.ticket_id)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best


class Gcmu(Policy):
    """Generalised c-mu: (wait + class credit) divided by expected service time."""

    name = "gcmu"

    def choose(self, window, waiting, now, hall):
        early = hall.call_early_seconds
        credit = credits(hall)
        service = hall.service_minutes
        head = hall.params.get("gcmu_head_seconds", 60.0) if hall.params else 60.0
        cache: dict[str, float] = {}
        best, best_key = None, None
        for t in waiting:
            if not can_serve(window, t):
                continue
            s = cache.get(t.matter)
            if s is None:
                s = cache[t.matter] = max(service(t.matter), 0.25)
            # `head` keeps fresh tickets ordered by service time instead of all tying at 0.
            score = (now - t.queue_since + head + credit[effective_rank(t, now, early)]) / s
            key = (-score, t.queue_since, t.ticket_id)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best
