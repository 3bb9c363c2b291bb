"""好差评 on the hall itself: a finished service is rated once, bound to its window and clerk."""
from __future__ import annotations

import pytest

from core.actions.ratings import submit_rating
from core.actions.serving import mark_no_show
from core.actions.staffing import log_in, log_out
from core.actions.tickets import cancel_ticket
from core.errors import Conflict, Invalid, NotFound
from core.events import RatingSubmitted
from tests.core.actions.helpers import at, called, served, serving, staffed, take, touched

NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def finished(hall, window: int = 1) -> str:
    staffed(hall, window)
    number, _ = served(hall, window)
    return number


@pytest.mark.parametrize("level", [5, 4, 3, 2, 1])
def test_a_finished_service_is_rated(hall, level):
    number = finished(hall)
    events = submit_rating(hall, number.lower(), level, "  窗口态度  ", at(minutes=20))
    assert events == [RatingSubmitted(number=number, window=1, clerk="clerk-01", level=level,
                                      level_name=NAMES[level])]
    assert hall.changes.ratings == [{
        "ticket_id": "2026-11-23/A001", "window": 1, "clerk": "clerk-01", "level": level,
        "reason": "窗口态度", "at": "2026-11-23T09:20:00+08:00"}]
    last = hall.tickets[number].history[-1]
    assert (last.action, last.window, last.note) == ("rated", 1, str(level))
    assert touched(hall) == ({number}, set(), set())


@pytest.mark.parametrize("level", [0, 6, -1, 10])
def test_a_level_is_one_to_five(hall, level):
    number = finished(hall)
    with pytest.raises(Invalid) as refused:
        submit_rating(hall, number, level, "x", at(minutes=20))
    assert "rating level must be 1-5" in refused.value.message
    assert not hall.take_changes()


@pytest.mark.parametrize("level", [1, 2])
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_bad_rating_needs_a_reason(hall, level, reason):
    number = finished(hall)
    with pytest.raises(Invalid) as refused:
        submit_rating(hall, number, level, reason, at(minutes=20))
    assert "needs a reason" in refused.value.message
    assert not hall.take_changes()
    assert all(h.action != "rated" for h in hall.tickets[number].history)


def test_a_middling_or_good_rating_needs_no_reason(hall):
    number = finished(hall)
    assert submit_rating(hall, number, 3, "", at(minutes=20))[0].level_name == "基本满意"
    assert hall.changes.ratings[0]["reason"] == ""


def _waiting(hall):
    return take(hall)


def _called(hall):
    staffed(hall, 1)
    take(hall)
    return called(hall, 1)


def _serving(hall):
    staffed(hall, 1)
    return serving(hall, 1)


def _no_show(hall):
    number = _called(hall)
    mark_no_show(hall, 1, at(minutes=1))
    return number


def _cancelled(hall):
    number = take(hall)
    cancel_ticket(hall, number, "x", at(minutes=1))
    return number


@pytest.mark.parametrize("make, state", [
    (_waiting, "waiting"), (_called, "called"), (_serving, "serving"),
    (_no_show, "no_show"), (_cancelled, "cancelled")])
def test_only_a_finished_service_is_rated(hall, make, state):
    number = make(hall)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        submit_rating(hall, number, 5, "", at(minutes=20))
    assert f"is {state}; only a finished service can be rated" in refused.value.message
    assert not hall.take_changes()


def test_a_clerk_rates_only_at_the_window_that_served(hall):
    number = finished(hall)
    with pytest.raises(Conflict) as refused:
        submit_rating(hall, number, 5, "", at(minutes=20), window_number=2)
    assert "was served at window 1, not 2" in refused.value.message
    assert not hall.take_changes()
    assert submit_rating(hall, number, 5, "", at(minutes=20), window_number=1)[0].window == 1


def test_a_service_is_rated_once(hall):
    number = finished(hall)
    submit_rating(hall, number, 5, "", at(minutes=20))
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        submit_rating(hall, number, 1, "改主意了", at(minutes=21))
    assert "has already been rated" in refused.value.message
    assert not hall.take_changes()
    assert [h.action for h in hall.tickets[number].history].count("rated") == 1


def test_the_rating_stays_with_the_clerk_who_served(hall):
    number = finished(hall)
    log_out(hall, 1)
    log_in(hall, 1, "clerk-02", "李娜")
    event = submit_rating(hall, number, 4, "", at(minutes=30))[0]
    assert (event.window, event.clerk) == (1, "clerk-01")
    assert hall.changes.ratings[-1]["clerk"] == "clerk-01"


def test_rate_an_unknown_ticket(hall):
    with pytest.raises(NotFound):
        submit_rating(hall, "A001", 5, "", at(minutes=1))
