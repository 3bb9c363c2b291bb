"""Allocation: which waiting ticket a window calls when it presses "call next".

The server and the simulator both call `choose`; see docs/allocation.md.
"""
from __future__ import annotations

from typing import Sequence

from core.allocation.balanced import Balanced
from core.allocation.eligibility import (
    can_serve,
    dedicated_category_of,
    effective_rank,
    is_green_pool,
    window_view_of,
)
from core.allocation.interface import HallContext, Policy, WaitingTicket, WindowView
from core.allocation.policies import Aging, Dedicated, Fcfs, Gcmu

POLICIES: dict[str, Policy] = {
    p.name: p for p in (Dedicated(), Fcfs(), Aging(), Gcmu(), Balanced())
}
DEFAULT_POLICY = "balanced"


def get_policy(name: str) -> Policy:
    """The policy registered under `name`; ValueError names the known ones."""
    try:
        return POLICIES[name]
    except KeyError:
        known = ", ".join(POLICIES)
        raise ValueError(f"unknown allocation policy {name!r} (known: {known})") from None


def may_serve(policy_name: str, window: WindowView, ticket: WaitingTicket) -> bool:
    """True if `window` may call `ticket` under `policy_name` (the idle-window rule).

    Every policy serves what `can_serve` allows, except `dedicated`, which
    keeps each window to its own department's line.
    """
    if not can_serve(window, ticket):
        return False
    if policy_name != "dedicated" or window.dedicated_category is None:
        return True
    return ticket.pinned_window is not None or ticket.category == window.dedicated_category


def choose(policy_name: str, window: WindowView, waiting: Sequence[WaitingTicket],
           now: float, hall: HallContext) -> WaitingTicket | None:
    """The ticket `window` calls at `now` under `policy_name`, or None."""
    return get_policy(policy_name).choose(window, waiting, now, hall)


__all__ = [
    "POLICIES", "DEFAULT_POLICY", "choose", "may_serve", "get_policy", "can_serve",
    "effective_rank",
    "dedicated_category_of", "is_green_pool", "window_view_of",
    "HallContext", "Policy", "WaitingTicket", "WindowView",
]
