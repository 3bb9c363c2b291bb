"""A ticket's life: issued, called, recalled, served, no-show, transferred, parked,
resumed, cancelled, put back in line (过号)."""
from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True)
class TicketIssued(Event):
    number: str
    subject: str
    is_theme: bool
    category: str
    pool: str
    priority: str
    origin: str
    people_ahead: int
    eta_minutes: float | None   # None: no open window serves it now
    case_number: str = ""
    holder_name: str = ""       # masked (张*三), or ""
    eta_low: float | None = None    # the estimate's 80% range (core.forecast.ranges);
    eta_high: float | None = None   # None without an estimate (and in older events)


@dataclass(frozen=True)
class TicketCalled(Event):
    number: str
    window: int
    window_name: str
    subject: str
    case_number: str = ""
    holder_name: str = ""       # masked (张*三), or ""


@dataclass(frozen=True)
class TicketRecalled(Event):
    number: str
    window: int
    window_name: str
    recalls: int


@dataclass(frozen=True)
class ServiceStarted(Event):
    number: str
    window: int


@dataclass(frozen=True)
class ServiceFinished(Event):
    number: str
    window: int
    service_seconds: float
    case_number: str = ""


@dataclass(frozen=True)
class TicketMarkedNoShow(Event):
    number: str
    window: int
    reason: str


@dataclass(frozen=True)
class TicketTransferred(Event):
    number: str
    from_window: int
    to_pool: str
    to_window: int | None
    note: str


@dataclass(frozen=True)
class TicketParked(Event):
    number: str
    window: int
    note: str


@dataclass(frozen=True)
class TicketResumed(Event):
    number: str
    window: int


@dataclass(frozen=True)
class TicketCancelled(Event):
    number: str
    reason: str
    by: str = ""          # "citizen" (their phone), a member of staff's name, or the day's end


# 过号 (core/actions/requeue.py) -----------------------------------------------------

@dataclass(frozen=True)
class TicketRequeued(Event):
    """A no-show ticket put back in line once, behind `after` people of its pool."""

    number: str
    pool: str
    category: str
    after: int            # waiting people of its pool it goes behind (the penalty)
    queue_since: str      # its new place in line (ISO): what its wait counts from
    by: str = ""          # "kiosk" (the citizen scanned their ticket) or a staff name
