"""Tickets: a citizen's place in line, and everything that happened to it."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum

from core.settings.schema import Priority


class TicketState(str, Enum):
    WAITING = "waiting"
    CALLED = "called"        # announced, the citizen is walking to the window
    SERVING = "serving"
    PARKED = "parked"        # set aside at a window (e.g. fetching a copy), resumed there
    FINISHED = "finished"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (TicketState.FINISHED, TicketState.NO_SHOW, TicketState.CANCELLED)


class Origin(str, Enum):
    KIOSK = "kiosk"
    APPOINTMENT = "appointment"
    STAFF = "staff"


@dataclass(frozen=True)
class HistoryEntry:
    """One state change of a ticket: what happened, when, where, and why."""

    action: str              # issued, called, recalled, started, finished, no_show, ...
    at: datetime
    window: int | None = None
    note: str = ""

    def to_dict(self) -> dict:
        return {"action": self.action, "at": self.at.isoformat(), "window": self.window,
                "note": self.note}

    @classmethod
    def from_dict(cls, d: dict) -> HistoryEntry:
        return cls(d["action"], datetime.fromisoformat(d["at"]), d.get("window"), d.get("note", ""))


@dataclass(frozen=True)
class TicketInfo:
    """A ticket as a display, a caller or the phone page may see it: no ID card, no
    token. The server sends it as JSON; `server.client` reads it back."""

    number: str
    service_day: str
    subject: str
    is_theme: bool
    category: str
    pool: str
    priority: str
    origin: str
    state: str
    window: int | None
    pinned_window: int | None
    recalls: int
    issued_at: str
    case_number: str
    holder_name: str = ""        # masked (张*三), only when the card was read at the kiosk
    last_called_at: str = ""     # ISO time of its latest call or recall, "" if never called

    @classmethod
    def from_dict(cls, data: dict) -> TicketInfo:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class Ticket:
    number: str                     # "A001": unique within its service day
    service_day: str                # "2026-11-22", the hall's local date
    subject: str                    # a Matter.code or a Theme.code
    is_theme: bool
    category: str
    pool: str
    priority: Priority
    origin: Origin
    issued_at: datetime
    queue_since: datetime           # its place in line; a transfer keeps it
    phone_token: str                # unguessable: opens the phone page
    id_card_hash: str = ""          # 防黄牛: tickets per person per day; never published
    appointment_slot: datetime | None = None
    case_number: str = ""           # a pickup ticket's case
    holder_name: str = ""           # masked (张*三): the hall's screens may show it
    state: TicketState = TicketState.WAITING
    window: int | None = None       # the window calling or serving it now (or last)
    clerk: str = ""                 # the clerk at that window (好差评 is bound to them)
    pinned_window: int | None = None
    recalls: int = 0
    last_called_at: datetime | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    # what it was told at issue: the estimated wait and the people ahead (the hall records
    # the estimate's error when it is first called: core.forecast.ranges)
    eta_minutes: float | None = None
    eta_people_ahead: int | None = None

    @property
    def ticket_id(self) -> str:
        return f"{self.service_day}/{self.number}"

    def record(self, action: str, at: datetime, window: int | None = None, note: str = "") -> None:
        self.history.append(HistoryEntry(action, at, window, note))

    def first(self, action: str) -> datetime | None:
        return next((h.at for h in self.history if h.action == action), None)

    def last(self, action: str) -> datetime | None:
        return next((h.at for h in reversed(self.history) if h.action == action), None)

    def waited_seconds(self) -> float | None:
        """Issue to first call: the waiting time the hall reports."""
        called = self.first("called")
        return None if called is None else (called - self.issued_at).total_seconds()

    def info(self) -> TicketInfo:
        return TicketInfo(
            number=self.number, service_day=self.service_day, subject=self.subject,
            is_theme=self.is_theme, category=self.category, pool=self.pool,
            priority=self.priority.value, origin=self.origin.value, state=self.state.value,
            window=self.window, pinned_window=self.pinned_window, recalls=self.recalls,
            issued_at=self.issued_at.isoformat(), case_number=self.case_number,
            holder_name=self.holder_name,
            last_called_at=self.last_called_at.isoformat() if self.last_called_at else "")

    def public(self) -> dict:
        """What a display, a caller or the phone page may see, as JSON: `TicketInfo`."""
        return dict(self.info().__dict__)   # flat: a shallow copy is the JSON (asdict is slow)


def handover_seconds(history: list[HistoryEntry]) -> float | None:
    """From the call that brought the citizen to the window to the service's last start
    (the walk up, and any recalls while they came): time the window spends on the
    ticket besides its service. None if the service did not start right after a call,
    or if its start was only recorded by its finish (a clerk who pressed 完成 without
    开始办理: the walk and the service cannot be told apart)."""
    started = next((i for i in range(len(history) - 1, -1, -1)
                    if history[i].action == "started"), None)
    if started is None:
        return None
    after = history[started + 1] if started + 1 < len(history) else None
    if after is not None and after.action == "finished" and after.at == history[started].at:
        return None
    first = started
    while first > 0 and history[first - 1].action in ("called", "recalled"):
        first -= 1
    if first == started:
        return None
    return max((history[started].at - history[first].at).total_seconds(), 0.0)
