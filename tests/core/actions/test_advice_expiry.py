"""An accepted move advice "until" a time: the window goes home when the time comes,
once, and only if nobody has moved it since (core.actions.help_expiry)."""
from __future__ import annotations

import json
from datetime import timedelta

from core.actions.advice import accept_advice
from core.actions.help_expiry import expire_help, help_expired
from core.actions.staffing import move_window
from core.advice_records import AdviceRecord
from core.clock import seconds_of_day
from core.events import WindowMovedToPool
from tests.core.actions.helpers import NOW


def advised_move(hall, until_minutes: float = 30.0) -> AdviceRecord:
    """Window 3 (area A) advised into area B until `until_minutes` after NOW, accepted."""
    until = seconds_of_day(NOW) + 60.0 * until_minutes
    advice = {"id": "m1", "kind": "move", "window": 3, "from_pool": "acceptance_a",
              "to_pool": "acceptance_b", "category": "social", "mean_before": 20.0,
              "mean_after": 12.0, "worst_before": 30.0, "worst_after": 15.0,
              "worst_category": "social", "gain": 10.0, "at": seconds_of_day(NOW),
              "until": until, "returns_home": False}
    hall.advice["m1"] = AdviceRecord("m1", advice, NOW.isoformat())
    accept_advice(hall, "m1", "manager01", NOW)
    assert hall.window(3).pool == "acceptance_b"
    return hall.advice["m1"]


def test_a_window_moved_until_a_time_goes_home_then_once(hall):
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


def test_a_window_a_manager_moved_again_stays_where_the_manager_put_it(hall):
    advised_move(hall)
    move_window(hall, 3, "pickup")                   # the manager decided otherwise
    events = expire_help(hall, NOW + timedelta(hours=1))
    assert events == [] and hall.window(3).pool == "pickup"
    assert hall.advice["m1"].advice["returned"] is True
