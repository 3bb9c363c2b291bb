"""The typed client against the real server: every answer is a core record or event."""
from __future__ import annotations

from core.cases import CaseInfo
from core.events import (
    CaseOpened,
    LoggedEvent,
    ServiceFinished,
    Snapshot,
    TicketCalled,
    TicketIssued,
)
from core.tickets import HistoryEntry, TicketInfo
from core.windows import WindowInfo
from server.client import HallClient, Identity, PhoneTicket, TicketStatus
from tests.conftest import TOKENS, clerk_token


def test_answers_are_typed(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    assert clerk.whoami() == Identity("clerk-01", "clerk", clerk.whoami().display_name, None)
    clerk.log_in(1)
    opened = clerk.open_window(1)
    assert isinstance(opened.window, WindowInfo) and opened.window.status == "open"

    issued = kiosk.issue_ticket("SS-0101")
    assert isinstance(issued.ticket, TicketInfo) and issued.ticket.subject == "SS-0101"
    [logged] = issued.events
    assert isinstance(logged, LoggedEvent) and isinstance(logged.event, TicketIssued)
    assert logged.event.number == issued.number and logged.at.startswith("20")

    called = clerk.call_next(1)
    assert called.ticket == clerk.ticket(issued.number).ticket
    assert [type(e.event) for e in called.events] == [TicketCalled]
    clerk.start_service(1)
    finished = clerk.finish_service(1, open_case=True)
    assert [type(e.event) for e in finished.events] == [ServiceFinished, CaseOpened]
    case = clerk.case(finished.events[1].event.case_number)
    assert isinstance(case, CaseInfo) and case.status == "in_review"

    status = clerk.ticket(issued.number)
    assert isinstance(status, TicketStatus) and status.ticket.state == "finished"
    assert [h.action for h in status.history] == ["issued", "called", "started", "finished"]
    assert all(isinstance(h, HistoryEntry) for h in status.history)
    assert all(isinstance(w, WindowInfo) for w in clerk.windows())
    phone = kiosk.public_ticket(issued.phone_token)
    assert isinstance(phone, PhoneTicket) and phone.ticket.number == issued.number


def test_the_stream_yields_a_snapshot_then_logged_events(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    stream = HallClient(live_server.url, TOKENS["display"]).events()
    items = iter(stream)
    first = next(items)
    assert isinstance(first, Snapshot) and first.type == "snapshot"
    issued = kiosk.issue_ticket("SS-0102")
    second = next(items)
    stream.close()
    assert isinstance(second, LoggedEvent) and second.event == issued.events[0].event
    assert second.id == first.id + 1
