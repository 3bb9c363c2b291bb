"""Events: past-tense facts about the hall, each with a typed payload.

Every state change produces one or more events; the server stores them in the
same transaction as the change and streams them to every subscriber. Payloads
carry only what a display may show: never an ID card hash or a phone token.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Event:
    @property
    def type(self) -> str:
        return type(self).__name__

    def payload(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# Tickets ---------------------------------------------------------------------

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


@dataclass(frozen=True)
class TicketCalled(Event):
    number: str
    window: int
    window_name: str
    subject: str
    case_number: str = ""


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


# Windows ---------------------------------------------------------------------

@dataclass(frozen=True)
class ClerkLoggedIn(Event):
    window: int
    clerk: str
    clerk_name: str


@dataclass(frozen=True)
class ClerkLoggedOut(Event):
    window: int
    clerk: str


@dataclass(frozen=True)
class WindowOpened(Event):
    window: int


@dataclass(frozen=True)
class WindowClosed(Event):
    window: int


@dataclass(frozen=True)
class WindowPaused(Event):
    window: int
    reason: str


@dataclass(frozen=True)
class WindowResumed(Event):
    window: int


@dataclass(frozen=True)
class WindowMovedToPool(Event):
    window: int
    pool: str
    previous_pool: str


# Cases (受审分离, 容缺受理) -------------------------------------------------------

@dataclass(frozen=True)
class CaseOpened(Event):
    case_number: str
    ticket_number: str
    subject: str
    window: int
    missing_materials: tuple
    supply_by: str | None
    due_date: str


@dataclass(frozen=True)
class CaseMaterialsSupplied(Event):
    case_number: str
    materials: tuple
    still_missing: tuple


@dataclass(frozen=True)
class CaseApproved(Event):
    case_number: str


@dataclass(frozen=True)
class CasePickedUp(Event):
    case_number: str
    window: int


# The hall ---------------------------------------------------------------------

@dataclass(frozen=True)
class RatingSubmitted(Event):
    number: str
    window: int
    clerk: str
    level: int
    level_name: str


@dataclass(frozen=True)
class DayStarted(Event):
    service_day: str
    expired: int      # tickets of the previous day that were still open


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls for cls in Event.__subclasses__()
}


def event_from_dict(type_name: str, payload: dict) -> Event:
    cls = EVENT_TYPES[type_name]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in payload.items() if k in names})
