"""An accepted move advice "until" a time: the pool advisor decides, at its first
assessment after the time, whether the window goes home or stays longer
(server/advisor.py, tests/server/test_advice_api.py); what it has not decided on
within one assessment interval goes home here, once, and only if nobody has moved
the window since (core.actions.help_expiry). With the advisor off, at the time."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from core.actions.advice import accept_advice
from core.actions.help_expiry import (
    expire_help,
    extend_move,
    help_expired,
    moves_expired,
    return_home,
)
from core.actions.staffing import move_window
from core.advice_records import AdviceRecord
from core.clock import seconds_of_day
from core.events import AdviceExtended, WindowMovedToPool
from core.forecast.live import WaitEstimator
from core.hall import Hall
from tests.core.actions.helpers import NOW, TODAY, move_advice

INTERVAL = 15          # the demo hall's [advisor] interval_minutes


@pytest.fixture
def hall_without_advisor(settings) -> Hall:
    quiet = replace(settings, advisor=replace(settings.advisor, enabled=False))
    return Hall(quiet, TODAY, WaitEstimator())


def advised_move(hall, until_minutes: float = 30.0) -> AdviceRecord:
    """Window 3 (area A) advised into area B until `until_minutes` after NOW, accepted."""
    advice = move_advice(seconds_of_day(NOW), seconds_of_day(NOW) + 60.0 * until_minutes)
    hall.advice["m1"] = AdviceRecord("m1", advice, NOW.isoformat())
    accept_advice(hall, "m1", "manager01", NOW)
    assert hall.window(3).pool == "acceptance_b"
    return hall.advice["m1"]


def test_without_the_advisor_a_moved_window_goes_home_at_its_time_once(hall_without_advisor):
    hall = hall_without_advisor
    advised_move(hall)
    before = NOW + timedelta(minutes=29)
    assert not help_expired(hall, before) and expire_help(hall, before) == []
    due = NOW + timedelta(minutes=30)
    assert help_expired(hall, due)
    events = expire_help(hall, due)
    assert events == [WindowMovedToPool(window=3, pool="acceptance_a",
                                        previous_pool="acceptance_b")]
    assert hall.window(3).pool == "acceptance_a"
    assert hall.advice["m1"].advice["returned"] is True
    stored = hall.changes.rows[("advice", "m1")]           # written with the action
    assert json.loads(stored["advice"])["returned"] is True
    assert not help_expired(hall, due) and expire_help(hall, due) == []


def test_with_the_advisor_its_time_is_the_advisors_to_decide_then_home(hall):
    assert hall.settings.advisor.enabled and hall.settings.advisor.interval_minutes == INTERVAL
    record = advised_move(hall)
    due = NOW + timedelta(minutes=30)
    assert moves_expired(hall, seconds_of_day(due)) == [record]
    assert moves_expired(hall, seconds_of_day(due) - 1) == []
    assert not help_expired(hall, due) and expire_help(hall, due) == []
    assert hall.window(3).pool == "acceptance_b"          # the advisor has an interval
    late = due + timedelta(minutes=INTERVAL)
    assert help_expired(hall, late)
    assert expire_help(hall, late) == [WindowMovedToPool(window=3, pool="acceptance_a",
                                                         previous_pool="acceptance_b")]
    assert moves_expired(hall, seconds_of_day(late)) == []


def test_the_advisor_keeps_a_window_longer_or_sends_it_home(hall):
    record = advised_move(hall)
    due = NOW + timedelta(minutes=30)
    longer = seconds_of_day(NOW) + 3 * 3600.0
    assert extend_move(hall, record, longer) == [
        AdviceExtended(id="m1", window=3, to_pool="acceptance_b", until="12:00",
                       text="3号窗口 调往 综合受理B区 至12:00",
                       text_en="Window 3: move to Comprehensive acceptance, area B (citizens) "
                               "until 12:00")]
    stored = json.loads(hall.changes.rows[("advice", "m1")]["advice"])
    assert stored["until"] == longer and "returned" not in stored
    assert stored["text"] == "3号窗口 调往 综合受理B区 至12:00"
    assert moves_expired(hall, seconds_of_day(due)) == []
    assert expire_help(hall, due + timedelta(minutes=INTERVAL)) == []
    assert hall.window(3).pool == "acceptance_b"
    [again] = moves_expired(hall, longer)
    assert return_home(hall, again) == [WindowMovedToPool(window=3, pool="acceptance_a",
                                                          previous_pool="acceptance_b")]
    assert hall.advice["m1"].advice["returned"] is True and moves_expired(hall, longer) == []


def test_a_move_kept_for_the_rest_of_the_day_is_never_sent_home(hall):
    record = advised_move(hall)
    assert extend_move(hall, record, None)[0].until is None
    assert expire_help(hall, NOW + timedelta(hours=10)) == []
    assert hall.window(3).pool == "acceptance_b"


def test_a_window_a_manager_moved_again_stays_where_the_manager_put_it(hall):
    advised_move(hall)
    # the manager decided otherwise: window 3 back home early (the only other area it
    # has skills for), so the advice's expiry has nothing left to do and says nothing
    move_window(hall, 3, "acceptance_a")
    assert moves_expired(hall, seconds_of_day(NOW + timedelta(hours=1))) == []
    events = expire_help(hall, NOW + timedelta(hours=1))
    assert events == [] and hall.window(3).pool == "acceptance_a"
    assert hall.advice["m1"].advice["returned"] is True
