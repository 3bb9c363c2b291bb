"""呼叫帮办: raising, taking and finishing a call for a floor helper (pure)."""
from __future__ import annotations

import pytest

from core.actions.help import finish_help, request_help, take_help
from core.actions.tickets import start_day
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import for_public
from core.figures import help_figures
from core.help_requests import HelpState
from tests.core.actions.helpers import NOW, at


def _raise(hall, kiosk="kiosk-1", reason="needs_assistance", now=NOW, note="老人不会操作"):
    events = request_help(hall, "1号自助取号机旁", reason, note, kiosk, now)
    return events[0].id


def test_a_call_for_help_waits_open_and_is_written_as_a_row(hall):
    events = request_help(hall, " 1号自助取号机旁 ", "cannot_find_matter", "找不到事项",
                          "kiosk-1", NOW)
    assert [e.type for e in events] == ["HelpRequested"]
    request = hall.help_requests[events[0].id]
    assert request.id == "H20261123-001" and request.state is HelpState.OPEN
    assert request.where == "1号自助取号机旁" and request.raised_by == "kiosk-1"
    rows = hall.take_changes().rows
    assert rows[("help_requests", request.id)]["state"] == "open"
    assert rows[("help_requests", request.id)]["place"] == "1号自助取号机旁"


def test_one_open_call_per_kiosk_but_other_kiosks_may_call(hall):
    first = _raise(hall)
    with pytest.raises(Conflict) as refused:
        _raise(hall, now=at(minutes=1))
    assert refused.value.code == "help_already_requested"
    assert refused.value.details["id"] == first
    assert _raise(hall, kiosk="kiosk-2") == "H20261123-002"
    take_help(hall, first, "helper-1", at(minutes=2))
    assert _raise(hall, now=at(minutes=3)) == "H20261123-003"   # once taken, it may call again


@pytest.mark.parametrize("where, reason, note, code", [
    ("1号机", "bored", "", "help_reason_unknown"),
    ("", "other", "", "invalid"),
    ("1号机", "other", "字" * 201, "invalid"),
])
def test_a_bad_call_is_refused_and_changes_nothing(hall, where, reason, note, code):
    with pytest.raises(Invalid) as refused:
        request_help(hall, where, reason, note, "kiosk-1", NOW)
    assert refused.value.code == code
    assert not hall.changes and not hall.help_requests and hall.help_counter == 0


def test_a_helper_takes_a_call_and_its_wait_is_measured(hall):
    request_id = _raise(hall)
    hall.take_changes()
    events = take_help(hall, request_id, "helper-1", at(minutes=7, seconds=30))
    assert events[0].type == "HelpTaken" and events[0].waited_minutes == 7.5
    request = hall.help_requests[request_id]
    assert request.state is HelpState.TAKEN and request.taken_by == "helper-1"
    assert request.waited_minutes(at(hours=3)) == 7.5          # the wait stops when taken
    assert hall.take_changes().rows[("help_requests", request_id)]["taken_by"] == "helper-1"


def test_nobody_takes_a_call_already_taken(hall):
    request_id = _raise(hall)
    take_help(hall, request_id, "helper-1", at(minutes=1))
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        take_help(hall, request_id, "helper-2", at(minutes=2))
    assert refused.value.code == "help_already_taken"
    assert refused.value.details["taken_by"] == "helper-1"
    assert not hall.changes and hall.help_requests[request_id].taken_by == "helper-1"


def test_only_the_helper_who_took_it_finishes_it(hall):
    request_id = _raise(hall)
    with pytest.raises(Conflict) as refused:
        finish_help(hall, request_id, "helper-1", at(minutes=1))
    assert refused.value.code == "help_not_taken"
    take_help(hall, request_id, "helper-1", at(minutes=1))
    with pytest.raises(Forbidden) as refused:
        finish_help(hall, request_id, "helper-2", at(minutes=4))
    assert refused.value.code == "help_taken_by_other"
    events = finish_help(hall, request_id, "helper-1", at(minutes=5))
    assert events[0].type == "HelpFinished" and events[0].by == "helper-1"
    assert hall.help_requests[request_id].state is HelpState.DONE
    with pytest.raises(Conflict) as refused:
        take_help(hall, request_id, "helper-2", at(minutes=6))
    assert refused.value.code == "help_not_open"


def test_an_unknown_request_is_not_found(hall):
    with pytest.raises(NotFound) as refused:
        take_help(hall, "H20261123-099", "helper-1", NOW)
    assert refused.value.code == "unknown_help_request"


def test_lower_case_ids_are_found(hall):
    request_id = _raise(hall)
    assert take_help(hall, request_id.lower(), "helper-1", NOW)[0].id == request_id


def test_the_day_s_end_cancels_calls_left_and_numbering_starts_again(hall):
    left_open, left_taken = _raise(hall), _raise(hall, kiosk="kiosk-2")
    take_help(hall, left_taken, "helper-1", at(minutes=1))
    hall.take_changes()
    old = dict(hall.help_requests)
    start_day(hall, "2026-11-24", at(days=1))
    rows = hall.take_changes().rows
    for request_id in (left_open, left_taken):
        assert old[request_id].state is HelpState.CANCELLED
        assert rows[("help_requests", request_id)]["state"] == "cancelled"
        assert rows[("help_requests", request_id)]["service_day"] == "2026-11-23"
    assert hall.help_requests == {} and hall.help_counter == 0
    assert _raise(hall, now=at(days=1, minutes=1)) == "H20261124-001"


def test_the_public_stream_hears_a_call_was_taken_but_not_by_whom(hall):
    request_id = _raise(hall)
    raised = request_help(hall, "2号机", "other", "我的私事", "kiosk-2", NOW)[0]
    taken = take_help(hall, request_id, "helper-1", at(minutes=1))[0]
    finished = finish_help(hall, request_id, "helper-1", at(minutes=2))[0]
    assert for_public(raised).note == "" and for_public(raised).where == "2号机"
    assert for_public(taken).taken_by == "" and for_public(taken).id == request_id
    assert for_public(finished).by == ""


def test_the_day_s_figures_say_how_long_calls_waited(hall):
    first, second = _raise(hall), _raise(hall, kiosk="kiosk-2")
    take_help(hall, first, "helper-1", at(minutes=4))
    take_help(hall, second, "helper-2", at(minutes=10))
    finish_help(hall, first, "helper-1", at(minutes=12))
    _raise(hall, kiosk="kiosk-1", reason="device_problem", now=at(minutes=20))
    figures = help_figures(hall, at(minutes=26))
    assert figures["raised"] == 3
    assert figures["by_state"] == {"open": 1, "taken": 1, "done": 1, "cancelled": 0}
    assert figures["by_reason"] == {"device_problem": 1, "needs_assistance": 2}
    assert figures["waits"]["count"] == 2 and figures["waits"]["max_minutes"] == 10.0
    assert figures["waits"]["mean_minutes"] == 7.0
    assert figures["open_now"] == 1 and figures["longest_open_minutes"] == 6.0
