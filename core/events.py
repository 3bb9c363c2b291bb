"""Events: past-tense facts about the hall, each with a typed payload.

Every state change produces one or more events; the server stores them in the
same transaction as the change and streams them to every subscriber. Payloads
carry only what a display may show: never an ID card hash or a phone token.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

from core.windows import PAUSE_REASONS


@dataclass(frozen=True)
class Event:
    @property
    def type(self) -> str:
        return type(self).__name__

    def payload(self) -> dict:
        return {name: getattr(self, name) for name in _field_names(type(self))}


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
class WindowReleased(Event):
    """A manager freed a window its clerk left with tickets: they wait again, in place."""

    window: int
    clerk: str
    tickets: tuple        # numbers put back in line
    by: str


@dataclass(frozen=True)
class WindowMovedToPool(Event):
    window: int
    pool: str
    previous_pool: str


@dataclass(frozen=True)
class WindowHelpsPool(Event):
    """协同: the window keeps its home pool and also serves `pool` until `until`."""

    window: int
    pool: str
    until: str | None           # "HH:MM", or None: for the rest of the day
    by: str = ""                # the manager, or "advisor"


@dataclass(frozen=True)
class WindowStopsHelping(Event):
    window: int
    pool: str
    reason: str = "stopped"     # "stopped" (a manager), "expired" (its time came), "day_ended"
    by: str = ""


# The pool advisor (core.advisor; managers only) ---------------------------------

@dataclass(frozen=True)
class AdviceIssued(Event):
    """The advisor proposes a move or a help; waits in minutes (projected)."""

    id: str
    kind: str                   # "move" (home pool changes) or "help" (also serves)
    window: int
    from_pool: str
    to_pool: str
    category: str               # the category it relieves
    mean_before: float
    mean_after: float
    worst_before: float
    worst_after: float
    worst_category: str | None
    gain: float
    until: str | None           # "HH:MM" the move or help is meant to last until
    # (when it was computed is the payload's own `at`, as for every event)
    returns_home: bool
    text: str                   # the advice in Chinese ("5号窗口 同时办理 公安户政 至11:30")
    text_en: str


@dataclass(frozen=True)
class AdviceAccepted(Event):
    id: str
    kind: str
    window: int
    to_pool: str
    by: str                     # the manager, or "advisor" (auto-apply)


@dataclass(frozen=True)
class AdviceDismissed(Event):
    id: str
    by: str


@dataclass(frozen=True)
class AdviceWithdrawn(Event):
    id: str
    reason: str                 # "replaced" (newer advice), "no_longer_needed", "not_applicable"


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
    form: str = ""        # a self-service form's code (自助办理: no ticket, window 0)


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


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


# Appointments (预约) --------------------------------------------------------------------
# A booking's code opens it (cancel, change), so no event carries it; nor the ID card.

@dataclass(frozen=True)
class BookingMade(Event):
    subject: str
    day: str              # 2026-11-24
    start: str            # 09:30
    end: str


@dataclass(frozen=True)
class BookingCancelled(Event):
    subject: str
    day: str
    start: str
    by: str               # "citizen" (the booking page) or a member of staff


@dataclass(frozen=True)
class BookingChanged(Event):
    subject: str
    day: str
    start: str
    previous_day: str
    previous_start: str


@dataclass(frozen=True)
class BookingCheckedIn(Event):
    subject: str
    day: str
    start: str
    number: str           # the appointment ticket issued


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


# 审批 in the back office (core/actions/back_office.py) ---------------------------------

@dataclass(frozen=True)
class CasePartApproved(Event):
    case_number: str
    matter: str
    department: str
    by: str


@dataclass(frozen=True)
class CasePartReturned(Event):
    """补正: a part sent back to the citizen; the promised-date clock stops."""

    case_number: str
    matter: str
    department: str
    reason: str
    by: str


@dataclass(frozen=True)
class CasePartResubmitted(Event):
    """The correction brought; the part is in review again, the date moved."""

    case_number: str
    matter: str
    days_in_correction: int     # working days added to the promised date by this return
    due_date: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls for cls in Event.__subclasses__()
}


def event_from_dict(type_name: str, payload: dict) -> Event:
    """The typed event from its type name and JSON payload (unknown keys ignored,
    JSON arrays back to tuples); KeyError for an unknown type."""
    cls = EVENT_TYPES[type_name]
    values = {}
    for f in fields(cls):
        if f.name in payload:
            value = payload[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


# What the public (hall displays and kiosks: screens anyone in the hall can read) may
# see: calls, counts and waits. These events are not sent to it at all ...
NOT_PUBLIC = frozenset({"RatingSubmitted", "CaseOpened", "CaseMaterialsSupplied",
                        "CasePartApproved", "CasePartReturned", "CasePartResubmitted",
                        "AlarmRaised", "DeviceHealthChanged",
                        # bookings are the citizen's business, not the hall screens'
                        "BookingMade", "BookingCancelled", "BookingChanged",
                        "BookingCheckedIn",
                        # the pool advisor speaks to managers only (MANAGERS_ONLY)
                        "AdviceIssued", "AdviceAccepted", "AdviceDismissed",
                        "AdviceWithdrawn"})
# What only managers are sent (not clerks, helpers, kiosks or boards): the advisor's advice.
MANAGERS_ONLY = frozenset({"AdviceIssued", "AdviceAccepted", "AdviceDismissed",
                           "AdviceWithdrawn"})
# ... and these are sent with free text and people's log-in names blanked.
PUBLIC_BLANKS = {
    "TicketTransferred": ("note",), "TicketParked": ("note",),
    "TicketCancelled": ("reason", "by"), "ClerkLoggedIn": ("clerk",),
    "ClerkLoggedOut": ("clerk",), "WindowReleased": ("clerk", "by"),
    # a kiosk learns its call for help was taken, not who took it nor what was said
    "HelpRequested": ("note",), "HelpTaken": ("taken_by",), "HelpFinished": ("by",),
    "TicketRequeued": ("by",),
}


def for_staff(event: Event) -> Event | None:
    """The event as clerks and floor helpers see it: everything but the managers' own."""
    return None if event.type in MANAGERS_ONLY else event


def for_public(event: Event) -> Event | None:
    """The event as the public may see it, or None if it is not for the public."""
    if event.type in NOT_PUBLIC:
        return None
    blanks = PUBLIC_BLANKS.get(event.type)
    return replace(event, **{name: "" for name in blanks}) if blanks else event


# What a hall board (the big screen, the LED window screens, the web board at /board,
# open to anyone) is sent: only what it draws. Calls and the tickets' comings and goings
# (for waiting counts and the longest wait), the windows' states; no log-ins, no calls
# for help, no notes or reasons, no names but the masked holder name.
FOR_BOARD = frozenset({
    "TicketIssued", "TicketCalled", "TicketRecalled", "ServiceStarted", "ServiceFinished",
    "TicketMarkedNoShow", "TicketTransferred", "TicketParked", "TicketResumed",
    "TicketCancelled", "TicketRequeued", "WindowOpened", "WindowClosed", "WindowPaused",
    "WindowResumed", "WindowReleased", "WindowMovedToPool", "DayStarted"})


def for_board(event: Event) -> Event | None:
    """The event as a hall board may see it, or None if a board has no use for it.
    A pause's reason is kept only when it is one of the standard ones
    (`core.windows.PAUSE_REASONS`): what a clerk types is not for the hall."""
    if event.type not in FOR_BOARD:
        return None
    if isinstance(event, WindowPaused):
        return event if event.reason in PAUSE_REASONS else replace(event, reason="")
    return for_public(event)


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the hall's log holds it: its id on the stream, when it happened.

    `json` is its stored encoding (`{"at": ..., **payload}`), made once when it is
    written and reused for every stream frame.
    """

    id: int
    at: str                    # ISO 8601, the hall's local time
    event: Event
    json: str = field(default="", compare=False, repr=False)

    @property
    def type(self) -> str:
        return self.event.type

    def data(self) -> dict:
        return {"at": self.at} | self.event.payload()

    @classmethod
    def encode(cls, event_id: int, at: str, event: Event) -> LoggedEvent:
        text = json.dumps({"at": at} | event.payload(), ensure_ascii=False,
                          separators=(",", ":"))
        return cls(event_id, at, event, text)

    @classmethod
    def decode(cls, event_id: int, type_name: str, text: str) -> LoggedEvent:
        data = json.loads(text)
        return cls(event_id, data.get("at", ""), event_from_dict(type_name, data), text)


@dataclass(frozen=True)
class Snapshot:
    """The whole hall at one moment (the stream's first message): `picture` as
    `core.hall.Hall.snapshot` draws it, up to and including event `id`."""

    id: int
    picture: dict

    @property
    def type(self) -> str:
        return "snapshot"
