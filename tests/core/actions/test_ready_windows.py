"""待叫: a clerk who pressed "call next" when nobody waited gets the next citizen the
window may serve, called at once (`call_ready_windows`, run by the server after every
action), for `[rules] ready_minutes`."""
from __future__ import annotations

import dataclasses

import pytest

from core.actions.serving import TransferRequest, call_next, call_ready_windows, transfer
from core.actions.staffing import close_window, log_out, pause_window
from core.actions.tickets import start_day
from core.errors import Conflict
from core.hall import Hall
from core.tickets import TicketState
from tests.core.actions.helpers import NOW, TODAY, at, staffed, take, touched


def _waiting_at(hall, window, now=NOW):
    """The window pressed "call next" with nobody waiting for it: it is ready."""
    assert call_next(hall, window, now) == []
    assert hall.windows[window].ready_since is not None
    hall.take_changes()


def _calls(events):
    return [(e.number, e.window) for e in events if e.type == "TicketCalled"]


def test_a_ticket_taken_for_a_ready_window_is_called_there_at_once(hall):
    staffed(hall, 1)
    _waiting_at(hall, 1)
    assert hall.windows[1].info().ready == "09:00"
    number = take(hall, "SS-0101", at(minutes=3))
    events = call_ready_windows(hall, at(minutes=3))
    assert _calls(events) == [(number, 1)]
    ticket, window = hall.tickets[number], hall.windows[1]
    assert (ticket.state, ticket.window, window.current) == (TicketState.CALLED, 1, number)
    assert ticket.waited_seconds() == 0 and window.ready_since is None
    assert window.info().ready is None
    assert touched(hall) == ({number}, {1}, set())
    assert call_ready_windows(hall, at(minutes=4)) == []     # it waits no more


def test_a_ticket_the_window_cannot_serve_waits_and_the_window_stays_ready(hall):
    staffed(hall, 1)                                     # business, theme, permit, tax
    _waiting_at(hall, 1)
    number = take(hall, "SB-0501", at(minutes=1))        # social, area B
    assert call_ready_windows(hall, at(minutes=1)) == []
    assert hall.tickets[number].state is TicketState.WAITING
    assert hall.windows[1].ready_since == 9 * 3600
    later = take(hall, "SS-0101", at(minutes=2))
    assert _calls(call_ready_windows(hall, at(minutes=2))) == [(later, 1)]


def test_a_transferred_ticket_is_called_at_a_ready_window(hall):
    staffed(hall, 1, 9)
    first = take(hall, "SB-0501")
    call_next(hall, 9, NOW)
    _waiting_at(hall, 1)
    hall.take_changes()
    request = TransferRequest(note="营业执照变更，转综合受理A区", to_pool="acceptance_a",
                              subject="SS-0101")
    transfer(hall, 9, request, at(minutes=5))
    events = call_ready_windows(hall, at(minutes=5))
    assert _calls(events) == [(first, 1)]


def test_readiness_ends_after_ready_minutes(hall):
    staffed(hall, 1)
    _waiting_at(hall, 1)
    number = take(hall, "SS-0101", at(minutes=15))       # ready_minutes: 15
    assert call_ready_windows(hall, at(minutes=15)) == []
    assert hall.tickets[number].state is TicketState.WAITING
    assert hall.windows[1].ready_since is None and 1 in touched(hall)[1]


def test_a_pause_a_close_or_a_log_out_ends_readiness(hall):
    staffed(hall, 1, 2, 3)
    for window in (1, 2, 3):
        _waiting_at(hall, window)
    pause_window(hall, 1, "break")
    log_out(hall, 2)
    close_window(hall, 3)
    hall.take_changes()
    number = take(hall, "SS-0101", at(minutes=2))
    assert call_ready_windows(hall, at(minutes=2)) == []
    assert hall.tickets[number].state is TicketState.WAITING
    assert all(hall.windows[w].ready_since is None for w in (1, 2, 3))


def test_a_hall_may_turn_readiness_off(settings):
    rules = dataclasses.replace(settings.rules, ready_minutes=0)
    hall = Hall(dataclasses.replace(settings, rules=rules), TODAY)
    staffed(hall, 1)
    assert call_next(hall, 1, NOW) == []
    assert hall.windows[1].ready_since is None
    take(hall, "SS-0101", at(minutes=1))
    assert call_ready_windows(hall, at(minutes=1)) == []


def test_several_tickets_and_several_ready_windows(hall):
    staffed(hall, 1, 2, 3)
    for window in (1, 2, 3):
        _waiting_at(hall, window)
    first = take(hall, "SS-0101", at(minutes=1))
    second = take(hall, "SW-0301", at(minutes=1, seconds=1))
    events = call_ready_windows(hall, at(minutes=1, seconds=1))
    calls = dict(_calls(events))
    assert set(calls) == {first, second} and len(set(calls.values())) == 2
    assert sum(hall.windows[w].ready_since is not None for w in (1, 2, 3)) == 1


def test_balanced_offers_a_ticket_to_the_window_the_hall_would_miss_least(hall):
    """Windows 1 and 2 both serve business; 2 also knows social, which no other open
    window does. Window 2 has waited longer, yet `balanced` calls the business ticket
    to window 1 and keeps window 2 free for the social work only it can do."""
    staffed(hall, 1, 2)
    _waiting_at(hall, 2)
    _waiting_at(hall, 1, at(minutes=2))
    number = take(hall, "SS-0101", at(minutes=5))
    assert _calls(call_ready_windows(hall, at(minutes=5))) == [(number, 1)]
    assert hall.windows[2].ready_since is not None


def test_fcfs_offers_it_to_the_window_that_waited_longest(settings):
    rules = dataclasses.replace(settings.rules, policy="fcfs")
    hall = Hall(dataclasses.replace(settings, rules=rules), TODAY)
    staffed(hall, 1, 2)
    _waiting_at(hall, 2)
    _waiting_at(hall, 1, at(minutes=2))
    number = take(hall, "SS-0101", at(minutes=5))
    assert _calls(call_ready_windows(hall, at(minutes=5))) == [(number, 2)]


def test_a_new_day_forgets_who_was_waiting(hall):
    staffed(hall, 1)
    _waiting_at(hall, 1)
    start_day(hall, "2026-11-24", at(days=1))
    assert hall.windows[1].ready_since is None


def test_call_next_moments_after_a_call_by_itself_does_not_pass_the_citizen_over(hall):
    """The keypad's screen and the caller's refresh are a moment behind: a press of "call
    next" within the recall cooldown (15 s) of a call made by itself is refused with the
    number; after it, the press passes the citizen over as any press does."""
    staffed(hall, 1)
    _waiting_at(hall, 1)
    number = take(hall, "SS-0101", at(minutes=1))
    call_ready_windows(hall, at(minutes=1))
    assert hall.tickets[number].history[-1].note == "ready"
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        call_next(hall, 1, at(minutes=1, seconds=10))
    assert refused.value.code == "called_while_waiting"
    assert refused.value.details["number"] == number
    assert refused.value.details["retry_after"] == 5
    assert touched(hall) == (set(), set(), set())
    assert hall.tickets[number].state is TicketState.CALLED
    events = call_next(hall, 1, at(minutes=1, seconds=15))
    assert [e.type for e in events] == ["TicketMarkedNoShow"]
    assert hall.tickets[number].state is TicketState.NO_SHOW


def test_a_call_pressed_by_the_clerk_may_be_passed_over_at_once(hall):
    staffed(hall, 1)
    number = take(hall, "SS-0101")
    call_next(hall, 1, NOW)
    events = call_next(hall, 1, at(seconds=2))
    assert [e.type for e in events] == ["TicketMarkedNoShow"]
    assert hall.tickets[number].state is TicketState.NO_SHOW
