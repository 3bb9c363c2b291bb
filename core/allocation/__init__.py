"""Allocation: which waiting ticket a window calls when it presses "call next".

`POLICIES` is the one registry: the settings loader offers its names as
`rules.policy`, and `bench/allocation` runs every one (a test checks both).
The server and the simulator both call `choose`; see docs/allocation.md.
"""
from __future__ import annotations

from typing import Sequence

from core.allocation.balanced import Balanced
from core.allocation.eligibility import can_serve, effective_rank
from core.allocation.interface import HallContext, WaitingTicket, WindowView
from core.allocation.policies import Aging, Dedicated, Fcfs, Gcmu
from core.allocation.policy import Policy
from core.allocation.views import dedicated_category_of, window_view_of

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


def policy_params(rules) -> dict[str, float]:
    """The policy parameters a hall's `[rules]` set (today: `balanced`'s overdue guard)."""
    return {"guard_seconds": 60.0 * rules.max_wait_guard_minutes}


def choose(policy_name: str, window: WindowView, waiting: Sequence[WaitingTicket],
           now: float, hall: HallContext) -> WaitingTicket | None:
    """The ticket `window` calls at `now` under `policy_name`, or None."""
    return get_policy(policy_name).choose(window, waiting, now, hall)


__all__ = [
    "POLICIES", "DEFAULT_POLICY", "choose", "get_policy", "policy_params", "can_serve",
    "effective_rank",
    "dedicated_category_of", "window_view_of",
    "HallContext", "Policy", "WaitingTicket", "WindowView",
]
