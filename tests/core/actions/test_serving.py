"""What a clerk does with the citizen at a window, on the hall itself: call, recall,
start, finish, no-show, transfer, park, resume, and call a case at the pickup window."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.actions.cases import CaseRequest
from core.actions.serving import (
    TransferRequest,
    call_case,
    call_next,
    call_ticket,
    finish_service,
    mark_no_show,
    park,
    recall,
    resume_ticket,
    start_service,
    transfer,
)
from core.actions.staffing import close_window, log_in, open_window, pause_window
from core.actions.tickets import issue_pickup_ticket
from core.cases import CaseStatus
from core.errors import Conflict, Invalid, NotFound
from core.events import (
    CaseOpened,
    CasePickedUp,
    ServiceFinished,
    ServiceStarted,
    TicketCalled,
    TicketIssued,
    TicketMarkedNoShow,
    TicketParked,
    TicketRecalled,
    TicketResumed,
    TicketTransferred,
)
from core.tickets import Origin, TicketState
from core.windows import WindowStatus
from tests.core.actions.helpers import (
    NOW,
    at,
    called,
    opened_case,
    ready_case,
    serving,
    staffed,
    take,
    touched,
)

NOTHING = (set(), set(), set())


def types(events) -> list[str]:
    return [e.type for e in events]


def history(hall, number) -> list[tuple[str, int | None, str]]:
    return [(h.action, h.window, h.note) for h in hall.tickets[number].history]


# --- only a working window acts ----------------------------------------------------

def _closed(hall):
    log_in(hall, 1, "clerk-01", "")


def _paused(hall):
    staffed(hall, 1)
    pause_window(hall, 1, "午休")


def _no_clerk(hall):
    open_window(hall, 1)


WINDOW_ACTIONS = {
    "call_next": lambda hall: call_next(hall, 1, NOW),
    "call_ticket": lambda hall: call_ticket(hall, 1, "A001", NOW),
    "recall": lambda hall: recall(hall, 1, at(minutes=1)),
    "start_service": lambda hall: start_service(hall, 1, NOW),
    "finish_service": lambda hall: finish_service(hall, 1, NOW),
    "mark_no_show": lambda hall: mark_no_show(hall, 1, NOW),
    "park": lambda hall: park(hall, 1, "x", NOW),
    "transfer": lambda hall: transfer(hall, 1, TransferRequest("x", to_pool="acceptance_b"), NOW),
}


@pytest.mark.parametrize("action", WINDOW_ACTIONS)
@pytest.mark.parametrize("make, words", [
    (_closed, "window 1 is closed; open it first"),
    (_paused, "window 1 is paused (午休); resume it first"),
    (_no_clerk, "window 1 has no clerk logged in")])
def test_a_closed_paused_or_unstaffed_window_cannot_act(hall, action, make, words):
    take(hall)
    make(hall)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        WINDOW_ACTIONS[action](hall)
    assert words in refused.value.message and refused.value.details == {"window": 1}
    assert touched(hall) == NOTHING
    assert hall.tickets["A001"].state is TicketState.WAITING


@pytest.mark.parametrize("action", ["recall", "start_service", "finish_service",
                                    "mark_no_show", "park", "transfer"])
def test_an_idle_window_has_nobody_to_act_on(hall, action):
    staffed(hall, 1)
    with pytest.raises(Conflict) as refused:
        WINDOW_ACTIONS[action](hall)
    assert "window 1 has no current ticket" in refused.value.message
    assert touched(hall) == NOTHING


# --- call next ------------------------------------------------------------------------

def test_call_next_calls_the_first_in_line(hall):
    staffed(hall, 1)
    first = take(hall)
    take(hall, now=at(minutes=1))
    events = call_next(hall, 1, at(minutes=2))
    assert events == [TicketCalled(number=first, window=1, window_name="1号窗口",
                                   subject="SS-0101", case_number="")]
    ticket, window = hall.tickets[first], hall.windows[1]
    assert (ticket.state, ticket.window, ticket.clerk) == (TicketState.CALLED, 1, "clerk-01")
    assert ticket.last_called_at == at(minutes=2) and ticket.waited_seconds() == 120
    assert window.current == first and first not in hall.waiting_numbers()
    assert history(hall, first)[-1] == ("called", 1, "")
    assert touched(hall) == ({first}, {1}, set())


def test_call_next_with_nobody_waiting_calls_nobody(hall):
    staffed(hall, 1)
    assert call_next(hall, 1, NOW) == []
    assert touched(hall) == NOTHING and hall.windows[1].current == ""


def test_call_next_skips_tickets_the_window_cannot_serve(hall):
    staffed(hall, 13)                                        # a pickup window
    take(hall, "SS-0101")
    assert call_next(hall, 13, NOW) == []
    assert touched(hall) == NOTHING


def test_call_next_while_called_passes_the_citizen_over(hall):
    staffed(hall, 1)
    first, second = take(hall), take(hall)
    called(hall, 1)
    events = call_next(hall, 1, at(minutes=1))
    assert events == [TicketMarkedNoShow(number=first, window=1, reason="passed"),
                      TicketCalled(number=second, window=1, window_name="1号窗口",
                                   subject="SS-0101")]
    assert hall.tickets[first].state is TicketState.NO_SHOW
    assert history(hall, first)[-1] == ("no_show", 1, "passed")
    assert hall.windows[1].current == second and hall.windows[1].served_today == 0
    assert touched(hall) == ({first, second}, {1}, set())


def test_call_next_while_serving_finishes_the_service(hall):
    staffed(hall, 1)
    first = serving(hall, 1)
    second = take(hall)
    events = call_next(hall, 1, at(minutes=8))
    assert types(events) == ["ServiceFinished", "TicketCalled"]
    assert events[0] == ServiceFinished(number=first, window=1, service_seconds=480.0)
    assert hall.tickets[first].state is TicketState.FINISHED
    assert hall.windows[1].current == second and hall.windows[1].served_today == 1
    assert touched(hall) == ({first, second}, {1}, set())


def test_call_next_while_serving_with_nobody_waiting_just_finishes(hall):
    staffed(hall, 1)
    first = serving(hall, 1)
    assert types(call_next(hall, 1, at(minutes=5))) == ["ServiceFinished"]
    assert hall.windows[1].current == "" and hall.tickets[first].state is TicketState.FINISHED
    assert touched(hall) == ({first}, {1}, set())


# --- call a chosen ticket -------------------------------------------------------------

def test_call_a_chosen_ticket_out_of_turn(hall):
    staffed(hall, 1)
    take(hall)
    second = take(hall)
    events = call_ticket(hall, 1, second.lower(), NOW)
    assert [e.number for e in events] == [second]
    assert hall.tickets[second].state is TicketState.CALLED
    assert touched(hall) == ({second}, {1}, set())


def test_calling_a_ticket_while_another_is_called_passes_that_one(hall):
    staffed(hall, 1)
    first, second = take(hall), take(hall)
    called(hall, 1)
    assert types(call_ticket(hall, 1, second, NOW)) == ["TicketMarkedNoShow", "TicketCalled"]
    assert hall.tickets[first].state is TicketState.NO_SHOW


def test_only_a_waiting_ticket_can_be_called(hall):
    staffed(hall, 1, 2)
    number = take(hall)
    called(hall, 1)
    with pytest.raises(Conflict) as refused:
        call_ticket(hall, 2, number, NOW)
    assert "is called, not waiting" in refused.value.message
    assert refused.value.details == {"number": number}
    assert touched(hall) == NOTHING and hall.tickets[number].window == 1


def test_a_window_cannot_call_a_ticket_it_is_not_skilled_for(hall):
    staffed(hall, 13)
    number = take(hall, "SS-0101")
    with pytest.raises(Conflict) as refused:
        call_ticket(hall, 13, number, NOW)
    assert "window 13 does not serve ticket A001 (SS-0101, pool acceptance_a)" in (
        refused.value.message)
    assert touched(hall) == NOTHING and hall.tickets[number].state is TicketState.WAITING


def test_a_refused_call_leaves_the_current_ticket_alone(hall):
    staffed(hall, 14)                       # pickup window, also serves acceptance_b realty
    mine = take(hall, "CJ-9002")
    called(hall, 14)
    other = take(hall, "SS-0101")
    with pytest.raises(Conflict):
        call_ticket(hall, 14, other, NOW)
    assert hall.tickets[mine].state is TicketState.CALLED and hall.windows[14].current == mine


def test_call_an_unknown_ticket(hall):
    staffed(hall, 1)
    with pytest.raises(NotFound) as refused:
        call_ticket(hall, 1, "A009", NOW)
    assert refused.value.details == {"number": "A009"}


# --- recall ----------------------------------------------------------------------------

def test_recall_waits_for_the_cooldown(hall, settings):
    assert settings.rules.recall_cooldown_seconds == 15
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    with pytest.raises(Conflict) as refused:
        recall(hall, 1, at(seconds=5))
    assert refused.value.details == {"retry_after": 10}
    assert "recall again in 10 s" in refused.value.message
    with pytest.raises(Conflict) as almost:
        recall(hall, 1, at(seconds=14))
    assert almost.value.details == {"retry_after": 1}
    assert touched(hall) == NOTHING and hall.tickets[number].recalls == 0


def test_recall_announces_again_and_restarts_the_cooldown(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    events = recall(hall, 1, at(seconds=15))
    assert events == [TicketRecalled(number=number, window=1, window_name="1号窗口", recalls=1)]
    ticket = hall.tickets[number]
    assert ticket.last_called_at == at(seconds=15) and ticket.state is TicketState.CALLED
    assert history(hall, number)[-1] == ("recalled", 1, "")
    assert touched(hall) == ({number}, set(), set())
    with pytest.raises(Conflict) as refused:
        recall(hall, 1, at(seconds=20))
    assert refused.value.details == {"retry_after": 10}


def test_after_the_last_recall_the_next_is_a_no_show(hall, settings):
    max_recalls, cooldown = settings.rules.max_recalls, settings.rules.recall_cooldown_seconds
    assert max_recalls == 3
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    for count in range(1, max_recalls + 1):
        assert recall(hall, 1, at(seconds=cooldown * count))[0].recalls == count
    hall.take_changes()
    events = recall(hall, 1, at(seconds=cooldown * (max_recalls + 1)))
    assert events == [TicketMarkedNoShow(number=number, window=1, reason="max_recalls")]
    assert hall.tickets[number].state is TicketState.NO_SHOW
    assert hall.tickets[number].recalls == max_recalls and hall.windows[1].current == ""
    assert touched(hall) == ({number}, {1}, set())


def test_a_ticket_being_served_is_not_recalled(hall):
    staffed(hall, 1)
    serving(hall, 1)
    with pytest.raises(Conflict) as refused:
        recall(hall, 1, at(minutes=1))
    assert "is serving, not called" in refused.value.message


# --- start and finish ------------------------------------------------------------------

def test_start_service(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    assert start_service(hall, 1, at(minutes=1)) == [ServiceStarted(number=number, window=1)]
    assert hall.tickets[number].state is TicketState.SERVING
    assert history(hall, number)[-1] == ("started", 1, "")
    assert touched(hall) == ({number}, set(), set())
    with pytest.raises(Conflict) as refused:
        start_service(hall, 1, at(minutes=2))
    assert refused.value.details == {"number": number}
    assert touched(hall) == NOTHING


def test_finish_service_counts_from_the_start(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    start_service(hall, 1, at(minutes=1))
    hall.take_changes()
    events = finish_service(hall, 1, at(minutes=11, seconds=30))
    assert events == [ServiceFinished(number=number, window=1, service_seconds=630.0,
                                      case_number="")]
    assert hall.tickets[number].state is TicketState.FINISHED
    assert (hall.windows[1].current, hall.windows[1].served_today) == ("", 1)
    assert [a for a, _, _ in history(hall, number)] == ["issued", "called", "started",
                                                        "finished"]
    assert touched(hall) == ({number}, {1}, set())
    assert hall.service_times.count("SS-0101") == 1


def test_finishing_a_called_ticket_starts_and_finishes_it_at_once(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    assert finish_service(hall, 1, at(minutes=3))[0].service_seconds == 0.0
    assert [a for a, _, _ in history(hall, number)] == ["issued", "called", "started",
                                                        "finished"]


def test_finishing_with_a_case_request_opens_the_case(hall):
    staffed(hall, 1)
    number = serving(hall, 1)
    events = finish_service(hall, 1, at(minutes=20), CaseRequest())
    assert types(events) == ["ServiceFinished", "CaseOpened"]
    assert events[0].case_number == events[1].case_number == "WH20261123-0001"
    assert isinstance(events[1], CaseOpened) and events[1].ticket_number == number
    assert touched(hall) == ({number}, {1}, {"WH20261123-0001"})
    assert hall.cases["WH20261123-0001"].status is CaseStatus.IN_REVIEW


def test_finishing_a_pickup_ticket_closes_its_case(hall):
    case = ready_case(hall)
    staffed(hall, 13)
    issue_pickup_ticket(hall, case, "phone-1", NOW)
    number = called(hall, 13, at(minutes=30))
    events = finish_service(hall, 13, at(minutes=32))
    assert events == [ServiceFinished(number=number, window=13, service_seconds=0.0,
                                      case_number=case),
                      CasePickedUp(case_number=case, window=13)]
    assert touched(hall) == ({number}, {13}, {case})
    assert case not in hall.cases


def test_a_pickup_ticket_finished_by_call_next_also_closes_its_case(hall):
    case = ready_case(hall)
    staffed(hall, 13)
    issue_pickup_ticket(hall, case, "phone-1", NOW)
    called(hall, 13)
    start_service(hall, 13, NOW)
    hall.take_changes()
    assert types(call_next(hall, 13, at(minutes=2))) == ["ServiceFinished", "CasePickedUp"]
    assert touched(hall)[2] == {case}


# --- no-show ---------------------------------------------------------------------------

def test_mark_no_show(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    assert mark_no_show(hall, 1, at(minutes=2)) == [
        TicketMarkedNoShow(number=number, window=1, reason="not_present")]
    assert hall.tickets[number].state is TicketState.NO_SHOW
    assert history(hall, number)[-1] == ("no_show", 1, "not_present")
    assert hall.windows[1].current == "" and hall.windows[1].served_today == 0
    assert touched(hall) == ({number}, {1}, set())


def test_a_citizen_at_the_window_is_no_no_show(hall):
    staffed(hall, 1)
    number = serving(hall, 1)
    with pytest.raises(Conflict):
        mark_no_show(hall, 1, NOW)
    assert touched(hall) == NOTHING and hall.tickets[number].state is TicketState.SERVING


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
