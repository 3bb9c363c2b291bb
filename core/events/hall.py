"""The hall itself: ratings, alarms, the day's start, calls for help and device health."""
from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True)
class RatingSubmitted(Event):
    number: str
    window: int
    clerk: str
    level: int
    level_name: str


@dataclass(frozen=True)
class AlarmRaised(Event):
    """Something the managers must look at (a kiosk issuing far above its rate ...)."""

    source: str           # the device or part of the hall
    kind: str             # issue_rate, ...
    message: str


@dataclass(frozen=True)
class DayStarted(Event):
    service_day: str
    expired: int      # tickets of the previous day that were still open


# Floor helpers (呼叫帮办) and device health ------------------------------------------

@dataclass(frozen=True)
class HelpRequested(Event):
    """A kiosk called a floor helper (core.help_requests)."""

    id: str
    where: str
    reason: str           # cannot_find_matter, needs_assistance, device_problem, other
    note: str


@dataclass(frozen=True)
class HelpTaken(Event):
    id: str
    where: str
    taken_by: str         # the helper's log-in name
    waited_minutes: float


@dataclass(frozen=True)
class HelpFinished(Event):
    id: str
    by: str


@dataclass(frozen=True)
class DeviceHealthChanged(Event):
    """A device's reported state changed (ok <-> fault, or another fault code)."""

    device: str
    state: str            # ok, fault
    code: str             # paper_out, paper_low, cover_open, offline, unreadable ...
    detail: str
    previous_state: str   # ok, fault, unknown (never reported before)
