"""The plain values a policy sees: a waiting ticket, a window, the rest of the hall.

The server and the simulator both describe the hall to a policy with these
values and call `choose` (the `Policy` interface is in `core.allocation.policy`);
neither has its own copy of the choice.
Times are seconds after midnight of the service day, in the hall's time zone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from core.settings.schema import PoolKind, Priority


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    """A ticket waiting in line, as a policy sees it."""

    ticket_id: str            # the ticket's number for the day, e.g. "A001"
    matter: str               # Matter.code (for a theme: the theme code)
    category: str             # Category.code: decides skills and prefix
    pool: str                 # the pool it waits in now (a transfer may change it)
    priority: Priority
    queue_since: float        # its place in line: issue time, kept across transfers
    appointment_slot: float | None = None
    pinned_window: int | None = None   # transferred to one window: only it may call
    recalled_from: int | None = None   # not used by policies; carried for the server


@dataclass(frozen=True, slots=True)
class WindowView:
    """A window pressing "call next", as a policy sees it."""

    number: int
    pool: str                          # home pool: its primary duties
    skills: Mapping[str, float]        # Category.code -> weight in (0, 1]
    also_serves: tuple[str, ...] = ()  # pools it may help
    dedicated_category: str | None = None  # the pre-reform one-department line
    pool_kind: PoolKind = PoolKind.ACCEPTANCE  # the kind of its home pool


@dataclass(frozen=True, slots=True)
class HallContext:
    """What a policy may know about the rest of the hall at the moment of choice."""

    open_windows: Sequence[WindowView]     # windows open now (including the caller)
    service_minutes: Callable[[str], float]  # expected service time of a matter code
    call_early_seconds: float = 600.0      # an appointment ranks as one this early
    params: Mapping[str, float] = field(default_factory=dict)
    # (pool, category) -> whole seconds of expected service waiting in that line
    # (`line_work`); None: the policy sums it over the waiting list it is given. The
    # forecast, which shows a policy only each group's oldest ticket, keeps it for them.
    line_work: Mapping[tuple[str, str], int] | None = None
