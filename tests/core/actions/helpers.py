"""Small helpers for the pure action tests: set the hall up, then see what an action touched.

Setup helpers (`staffed`, `take`, `called`, `serving`, `served`, `ready_case`) leave
`hall.changes` empty, so that `touched(hall)` right after the action under test names
exactly the entities that action touched (what the server would write).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.actions.cases import CaseRequest, approve_case
from core.actions.serving import call_next, finish_service, start_service
from core.actions.staffing import log_in, open_window
from core.actions.tickets import TicketRequest, issue_ticket
from core.hall import Hall

TODAY = "2026-11-23"                                            # a Monday
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_tokens = iter(range(10**9))


def at(**delta) -> datetime:
    """NOW moved on by a timedelta's keywords: at(minutes=5)."""
    return NOW + timedelta(**delta)


def clerk_of(window: int) -> str:
    return f"clerk-{window:02d}"


def touched(hall: Hall) -> tuple[set[str], set[int], set[str]]:
    """(tickets, windows, cases) the last actions touched; clears `hall.changes`."""
    changes = hall.take_changes()
    return set(changes.tickets), set(changes.windows), set(changes.cases)


def request(subject: str = "SS-0101", **fields) -> TicketRequest:
    return TicketRequest(subject=subject, phone_token=f"token-{next(_tokens)}", **fields)


def staffed(hall: Hall, *windows: int) -> None:
    """Log each window's own clerk in and open the window."""
    for number in windows:
        log_in(hall, number, clerk_of(number), f"Clerk {number}")
        open_window(hall, number)
    hall.take_changes()


def take(hall: Hall, subject: str = "SS-0101", now: datetime = NOW, **fields) -> str:
    """Issue a ticket; its number."""
    number = issue_ticket(hall, request(subject, **fields), now)[0].number
    hall.take_changes()
    return number


def called(hall: Hall, window: int, now: datetime = NOW) -> str:
    """Press "call next" at a window that has nothing current; the called ticket's number."""
    events = call_next(hall, window, now)
    assert events and events[-1].type == "TicketCalled", events
    hall.take_changes()
    return events[-1].number


def serving(hall: Hall, window: int, subject: str = "SS-0101", now: datetime = NOW) -> str:
    """A new ticket called and being served at the window."""
    take(hall, subject, now)
    number = called(hall, window, now)
    start_service(hall, window, now)
    hall.take_changes()
    return number


def served(hall: Hall, window: int, subject: str = "SS-0101", now: datetime = NOW,
           case: CaseRequest | None = None) -> tuple[str, list]:
    """A new ticket served to the end at the window: (number, the finish's events)."""
    number = serving(hall, window, subject, now)
    events = finish_service(hall, window, now + timedelta(minutes=10), case)
    hall.take_changes()
    return number, events


def opened_case(hall: Hall, window: int = 1, subject: str = "SS-0101",
                now: datetime = NOW, case: CaseRequest | None = None) -> str:
    """A case opened at an acceptance window (staffed here if it is not yet); its number."""
    if hall.windows[window].clerk == "":
        staffed(hall, window)
    _, events = served(hall, window, subject, now, case or CaseRequest())
    return next(e.case_number for e in events if e.type == "CaseOpened")


def ready_case(hall: Hall, window: int = 1, subject: str = "SS-0101",
               now: datetime = NOW) -> str:
    """A case opened and approved: ready for pickup."""
    number = opened_case(hall, window, subject, now)
    approve_case(hall, number, now)
    hall.take_changes()
    return number


NOTHING = (set(), set(), set())     # touched(hall) after a refused action


def types(events) -> list[str]:
    return [e.type for e in events]


def history(hall: Hall, number: str) -> list[tuple[str, int | None, str]]:
    return [(h.action, h.window, h.note) for h in hall.tickets[number].history]


def move_advice(at_seconds: float, until: float) -> dict:
    """An advice (as `core.advisor` gives it) moving window 3 from area A to area B,
    relieving its social line, until `until` (seconds after midnight)."""
    return {"id": "m1", "kind": "move", "window": 3, "from_pool": "acceptance_a",
            "to_pool": "acceptance_b", "category": "social", "mean_before": 20.0,
            "mean_after": 12.0, "worst_before": 30.0, "worst_after": 15.0,
            "worst_category": "social", "gain": 10.0, "at": at_seconds, "until": until,
            "returns_home": False}
