"""Handing a citizen on, on the hall itself: transfer (窗口无否决权), park and resume,
and call a case at the pickup window."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.actions.serving import (
    TransferRequest,
    call_case,
    call_next,
    call_ticket,
    finish_service,
    park,
    recall,
    resume_ticket,
    transfer,
)
from core.actions.staffing import close_window, pause_window
from core.actions.tickets import issue_pickup_ticket
from core.cases import CaseStatus
from core.errors import Conflict, Invalid, NotFound
from core.events import (
    TicketCalled,
    TicketIssued,
    TicketParked,
    TicketResumed,
    TicketTransferred,
)
from core.tickets import Origin, TicketState
from core.windows import WindowStatus
from tests.core.actions.helpers import (
    NOTHING,
    NOW,
    at,
    called,
    history,
    opened_case,
    ready_case,
    serving,
    staffed,
    take,
    touched,
    types,
)

# --- transfer --------------------------------------------------------------------------

def test_transfer_to_a_pool_keeps_the_place_in_line(hall):
    staffed(hall, 1, 6)
    moved = take(hall, "SS-0101")
    later = take(hall, "BDC-0401", at(minutes=5))
    assert called(hall, 1, at(minutes=6)) == moved
    events = transfer(hall, 1, TransferRequest(" 实为不动产转移登记 ", to_pool="acceptance_b",
                                               subject="BDC-0402"), at(minutes=7))
    assert events == [TicketTransferred(number=moved, from_window=1, to_pool="acceptance_b",
                                        to_window=None, note="实为不动产转移登记")]
    ticket = hall.tickets[moved]
    assert (ticket.state, ticket.pool, ticket.subject, ticket.category, ticket.is_theme) == (
        TicketState.WAITING, "acceptance_b", "BDC-0402", "realty", False)
    assert ticket.queue_since == NOW and ticket.issued_at == NOW
    assert ticket.number == moved == "A001"                 # the number stays
    assert hall.waiting_view(moved).queue_since == 9 * 3600
    assert history(hall, moved)[-1] == ("transferred", 1, "实为不动产转移登记")
    assert hall.windows[1].current == ""
    assert touched(hall) == ({moved}, {1}, set())
    assert call_next(hall, 6, at(minutes=8))[-1].number == moved
    finish_service(hall, 6, at(minutes=9))
    assert call_next(hall, 6, at(minutes=10))[-1].number == later


def test_transfer_resets_the_recalls(hall):
    staffed(hall, 1, 6)
    number = take(hall)
    called(hall, 1)
    recall(hall, 1, at(seconds=15))
    transfer(hall, 1, TransferRequest("x", to_pool="acceptance_b"), at(seconds=20))
    assert hall.tickets[number].recalls == 0


def test_transfer_to_a_window_only_that_window_may_call_it(hall):
    staffed(hall, 1, 2, 3)
    number = serving(hall, 1)                               # also while being served
    events = transfer(hall, 1, TransferRequest("请税务窗口协助", to_window=3), NOW)
    assert events == [TicketTransferred(number=number, from_window=1, to_pool="acceptance_a",
                                        to_window=3, note="请税务窗口协助")]
    assert hall.tickets[number].pinned_window == 3
    assert touched(hall) == ({number}, {1}, set())         # not the target window
    assert call_next(hall, 2, NOW) == []
    with pytest.raises(Conflict):
        call_ticket(hall, 2, number, NOW)
    assert call_next(hall, 1, NOW) == []                    # nor the window it came from
    assert call_next(hall, 3, NOW)[-1].number == number


def test_transfer_to_a_window_of_another_pool_waits_in_that_pool(hall):
    staffed(hall, 1, 13)
    number = take(hall)
    called(hall, 1)
    transfer(hall, 1, TransferRequest("结果在出件窗口", to_window=13), NOW)
    assert hall.tickets[number].pool == "pickup"
    assert call_next(hall, 13, NOW)[-1].number == number    # pinned beats skills


def test_transfer_to_a_paused_window_is_allowed(hall):
    staffed(hall, 1, 3)
    pause_window(hall, 3, "午休")
    number = take(hall)
    called(hall, 1)
    transfer(hall, 1, TransferRequest("等3号", to_window=3), NOW)
    assert hall.tickets[number].pinned_window == 3


def test_transfer_to_a_theme_makes_it_a_theme_ticket(hall):
    staffed(hall, 1)
    number = take(hall, "SS-0101")
    called(hall, 1)
    transfer(hall, 1, TransferRequest("其实是开办企业一件事", to_pool="acceptance_a",
                                      subject="YJS-01"), NOW)
    ticket = hall.tickets[number]
    assert (ticket.subject, ticket.is_theme, ticket.category, ticket.number) == (
        "YJS-01", True, "theme", "A001")
    assert ticket.info().is_theme and hall.waiting_view(number).category == "theme"


def test_transfer_to_a_pool_drops_an_earlier_pin(hall):
    staffed(hall, 1, 3, 6)
    number = take(hall)
    called(hall, 1)
    transfer(hall, 1, TransferRequest("x", to_window=3), NOW)
    called(hall, 3)
    transfer(hall, 3, TransferRequest("y", to_pool="acceptance_b"), NOW)
    assert hall.tickets[number].pinned_window is None


@pytest.mark.parametrize("request_, error, words", [
    (TransferRequest("", to_pool="acceptance_b"), Invalid, "needs a note"),
    (TransferRequest("  ", to_pool="acceptance_b"), Invalid, "needs a note"),
    (TransferRequest("去哪里"), Invalid, "names a pool (to_pool) or a window"),
    (TransferRequest("x", to_pool="nowhere"), NotFound, "unknown pool 'nowhere'"),
    (TransferRequest("x", to_window=1), Invalid, "the window it is at"),
    (TransferRequest("x", to_window=99), NotFound, "no window 99"),
    (TransferRequest("x", to_window=9), Conflict, "window 9 is closed"),
    (TransferRequest("x", to_pool="pickup"), Conflict, "no window of pool pickup is skilled"),
    (TransferRequest("x", to_pool="acceptance_b", subject="XX-1"), NotFound,
     "unknown matter or theme 'XX-1'"),
])
def test_a_bad_transfer_changes_nothing(hall, request_, error, words):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    with pytest.raises(error) as refused:
        transfer(hall, 1, request_, NOW)
    assert type(refused.value) is error and words in refused.value.message
    assert touched(hall) == NOTHING
    ticket = hall.tickets[number]
    assert (ticket.state, ticket.pool, ticket.subject, ticket.pinned_window) == (
        TicketState.CALLED, "acceptance_a", "SS-0101", None)
    assert hall.windows[1].current == number


# --- park and resume -------------------------------------------------------------------

def test_park_sets_the_citizen_aside_at_the_window(hall):
    staffed(hall, 1)
    first = serving(hall, 1)
    second = take(hall)
    assert park(hall, 1, "去复印身份证", at(minutes=2)) == [
        TicketParked(number=first, window=1, note="去复印身份证")]
    assert hall.tickets[first].state is TicketState.PARKED
    assert history(hall, first)[-1] == ("parked", 1, "去复印身份证")
    assert (hall.windows[1].current, hall.windows[1].parked) == ("", [first])
    assert touched(hall) == ({first}, {1}, set())
    assert first not in hall.waiting_numbers()
    assert call_next(hall, 1, at(minutes=3))[-1].number == second


def test_resume_a_parked_ticket(hall):
    staffed(hall, 1)
    first = serving(hall, 1)
    park(hall, 1, "去复印", NOW)
    second = take(hall)
    called(hall, 1)
    with pytest.raises(Conflict) as busy:
        resume_ticket(hall, 1, first, at(minutes=5))
    assert f"busy with {second}" in busy.value.message
    finish_service(hall, 1, at(minutes=6))
    hall.take_changes()
    assert resume_ticket(hall, 1, first.lower(), at(minutes=7)) == [
        TicketResumed(number=first, window=1)]
    assert hall.tickets[first].state is TicketState.SERVING
    assert (hall.windows[1].current, hall.windows[1].parked) == (first, [])
    assert history(hall, first)[-1] == ("resumed", 1, "")
    assert touched(hall) == ({first}, {1}, set())


def test_a_ticket_resumes_only_where_it_was_parked(hall):
    staffed(hall, 1, 2)
    first = serving(hall, 1)
    park(hall, 1, "去复印", NOW)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        resume_ticket(hall, 2, first, NOW)
    assert f"{first} is not parked at window 2" in refused.value.message
    waiting = take(hall)
    with pytest.raises(Conflict):
        resume_ticket(hall, 1, waiting, NOW)
    assert touched(hall) == NOTHING


def test_a_parked_ticket_keeps_its_window_from_closing(hall):
    staffed(hall, 1)
    serving(hall, 1)
    park(hall, 1, "去复印", NOW)
    hall.take_changes()
    with pytest.raises(Conflict):
        close_window(hall, 1)
    assert hall.windows[1].status is WindowStatus.OPEN


# --- call a case at the pickup window --------------------------------------------------

def test_call_case_issues_a_pickup_ticket_when_the_citizen_has_none(hall):
    case = ready_case(hall)
    staffed(hall, 13)
    events = call_case(hall, 13, case.lower(), "phone-9", at(hours=2))
    assert types(events) == ["TicketIssued", "TicketCalled"]
    issued, call = events
    assert isinstance(issued, TicketIssued)
    assert (issued.number, issued.subject, issued.origin, issued.case_number) == (
        "Q001", "CJ-9001", "staff", case)
    assert call == TicketCalled(number="Q001", window=13, window_name="13号窗口（出件）",
                                subject="CJ-9001", case_number=case)
    ticket = hall.tickets["Q001"]
    assert ticket.origin is Origin.STAFF and ticket.state is TicketState.CALLED
    assert hall.by_phone_token["phone-9"] is ticket
    assert touched(hall) == ({"Q001"}, {13}, set())


def test_call_case_calls_the_citizens_own_pickup_ticket(hall):
    case = ready_case(hall)
    staffed(hall, 13)
    take(hall, "CJ-9001")                                   # Q001, someone else's
    mine = issue_pickup_ticket(hall, case, "phone-1", NOW)[0].number
    hall.take_changes()
    events = call_case(hall, 13, case, "unused", at(minutes=1))
    assert types(events) == ["TicketCalled"] and events[0].number == mine == "Q002"
    assert touched(hall) == ({mine}, {13}, set())
    assert "unused" not in hall.by_phone_token


def test_call_case_only_at_a_pickup_window(hall):
    case = ready_case(hall)
    with pytest.raises(Invalid) as refused:
        call_case(hall, 1, case, "phone-1", NOW)
    assert "window 1 is not a pickup (出件) window" in refused.value.message
    assert touched(hall) == NOTHING and hall.tickets.keys() == {"A001"}


def test_call_case_of_an_unknown_or_unready_case(hall):
    staffed(hall, 13)
    with pytest.raises(NotFound):
        call_case(hall, 13, "WH20261123-0042", "phone-1", NOW)
    case = opened_case(hall)
    with pytest.raises(Conflict) as refused:
        call_case(hall, 13, case, "phone-1", NOW)
    assert "is in_review, not ready for pickup" in refused.value.message
    assert touched(hall) == NOTHING
    assert not any(t.case_number for t in hall.tickets.values())


def test_a_picked_up_case_cannot_be_called_again(hall):
    case = ready_case(hall)
    staffed(hall, 13)
    call_case(hall, 13, case, "phone-1", NOW)
    finish_service(hall, 13, at(minutes=2))
    with pytest.raises(NotFound):
        call_case(hall, 13, case, "phone-2", at(minutes=3))
    assert hall.changes.cases[case].status is CaseStatus.PICKED_UP


def test_the_wait_before_a_call_is_kept(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1, NOW + timedelta(minutes=12))
    assert hall.tickets[number].waited_seconds() == 12 * 60
