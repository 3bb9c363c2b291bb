"""The live hall's wait estimates: a full forecast, and the cache between forecasts."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.actions.staffing import log_in, open_window
from core.actions.tickets import TicketRequest, issue_ticket
from core.forecast.live import WaitEstimator
from core.hall import Hall

START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def hall(settings):
    hall = Hall(settings, "2026-11-23", WaitEstimator())
    for number in (1, 2, 3):
        log_in(hall, number, f"clerk-{number:02d}", "")
        open_window(hall, number)
    hall.take_changes()
    return hall


def issue(hall, subject, now, token):
    event = issue_ticket(hall, TicketRequest(subject=subject, phone_token=token), now)[0]
    return event.number, event.people_ahead, event.eta_minutes


def test_estimates_grow_along_one_line(hall):
    results = [issue(hall, "SS-0102", START, str(i)) for i in range(9)]
    aheads = [ahead for _, ahead, _ in results]
    waits = [minutes for _, _, minutes in results]
    assert aheads == sorted(aheads) and aheads[0] == 0 and aheads[-1] >= 6
    assert waits == sorted(waits) and waits[0] == 0 and waits[-1] > 10


def test_a_cached_estimate_stays_close_to_a_full_forecast(hall):
    for i in range(20):
        issue(hall, ["SS-0102", "SS-0105", "SW-0301"][i % 3], START, str(i))
    hall.estimator = WaitEstimator()
    hall.estimator.all(hall, START)                       # one full forecast
    number, ahead, minutes = issue(hall, "SS-0105", START, "new")
    assert hall.estimator.full_forecasts == 1             # placed from the cache
    full = WaitEstimator().all(hall, START)[number]
    assert abs(ahead - full[0]) <= 2 and abs(minutes - full[1]) <= 3


def test_an_old_forecast_or_other_windows_take_a_full_one(hall):
    issue(hall, "SS-0102", START, "a")
    estimator = hall.estimator = WaitEstimator(max_age_seconds=1.0)
    estimator.all(hall, START)
    estimator.all(hall, START + timedelta(seconds=0.5))
    assert estimator.full_forecasts == 1
    estimator.all(hall, START + timedelta(seconds=2))
    assert estimator.full_forecasts == 2
    log_in(hall, 4, "clerk-04", "")
    open_window(hall, 4)
    estimator.all(hall, START + timedelta(seconds=2.1))
    assert estimator.full_forecasts == 3


def test_a_ticket_without_peers_is_placed_behind_those_sharing_its_windows(hall):
    for i in range(6):
        issue(hall, "SS-0102", START, str(i))
    estimator = hall.estimator = WaitEstimator(min_interval_seconds=0.5)
    estimator.all(hall, START)
    soon = START + timedelta(seconds=0.2)
    _, ahead, minutes = issue(hall, "SS-0106", soon, "other")   # its first of the day
    assert estimator.full_forecasts == 1
    assert ahead >= 1 and minutes > 0
    later = START + timedelta(seconds=0.8)
    issue(hall, "SS-0107", later, "third")
    assert estimator.full_forecasts == 2


def test_nobody_to_serve_means_no_estimate(settings):
    hall = Hall(settings, "2026-11-23", WaitEstimator())
    _, ahead, minutes = issue(hall, "SS-0102", START, "x")
    assert (ahead, minutes) == (0, None)
