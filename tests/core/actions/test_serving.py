"""What a clerk does with the citizen at a window, on the hall itself: call, recall,
start, finish, no-show (handing on is in test_handing_on.py)."""
from __future__ import annotations

import pytest

from core.actions.cases import CaseRequest
from core.actions.serving import (
    TransferRequest,
    call_next,
    call_ticket,
    finish_service,
    mark_no_show,
    park,
    recall,
    start_service,
    transfer,
)
from core.actions.staffing import log_in, open_window, pause_window
from core.actions.tickets import issue_pickup_ticket
from core.cases import CaseStatus
from core.errors import Conflict, NotFound
from core.events import (
    CaseOpened,
    CasePickedUp,
    ServiceFinished,
    ServiceStarted,
    TicketCalled,
    TicketMarkedNoShow,
    TicketRecalled,
)
from core.tickets import TicketState
from tests.core.actions.helpers import (
    NOTHING,
    NOW,
    at,
    called,
    history,
    ready_case,
    serving,
    staffed,
    take,
    touched,
    types,
)

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


def test_call_next_with_nobody_waiting_calls_nobody_and_the_window_waits(hall):
    staffed(hall, 1)
    assert call_next(hall, 1, NOW) == []
    assert touched(hall) == (set(), {1}, set()) and hall.windows[1].current == ""
    assert hall.windows[1].ready_since == 9 * 3600     # 待叫 (test_ready_windows.py)


def test_call_next_skips_tickets_the_window_cannot_serve(hall):
    staffed(hall, 13)                                        # a pickup window
    number = take(hall, "SS-0101")
    assert call_next(hall, 13, NOW) == []
    assert touched(hall) == (set(), {13}, set())             # only its 待叫 is noted
    assert hall.tickets[number].state is TicketState.WAITING


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
    first = serving(hall, 1, "SS-0102")                # 即办件: no case opens
    second = take(hall)
    events = call_next(hall, 1, at(minutes=8))
    assert types(events) == ["ServiceFinished", "TicketCalled"]
    assert events[0] == ServiceFinished(number=first, window=1, service_seconds=480.0)
    assert hall.tickets[first].state is TicketState.FINISHED
    assert hall.windows[1].current == second and hall.windows[1].served_today == 1
    assert touched(hall) == ({first, second}, {1}, set())


def test_call_next_while_serving_with_nobody_waiting_just_finishes(hall):
    staffed(hall, 1)
    first = serving(hall, 1, "SS-0102")
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
    number = take(hall, "SS-0102")                     # 即办件: no case opens
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
    assert hall.service_times.count("SS-0102") == 1


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
