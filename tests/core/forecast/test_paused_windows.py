"""A paused window is expected back, not gone: the availability rule for pauses, and the
live estimate of a hall whose windows pause (午休, 休息 ...)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from core.actions.staffing import log_in, open_window, pause_window, resume_window
from core.actions.tickets import TicketRequest, issue_ticket
from core.forecast.availability import (
    LUNCH_PAUSE_MINUTES,
    OTHER_PAUSE_MINUTES,
    OVERDUE_PAUSE_MINUTES,
    PAUSE_MINUTES,
    Shift,
    expected_return,
)
from core.forecast.live import WaitEstimator, estimate_waits
from core.hall import Hall
from tests.conftest import ZONE

MINUTE = 60.0
NOON = 12 * 3600.0
LUNCH = Shift(opens=8.5 * 3600, lunch=(NOON, 13 * 3600.0))        # window 1: 12:00-13:00
NO_LUNCH = Shift(opens=8.5 * 3600, lunch=None)


def at(hour: int, minute: int = 0) -> float:
    return hour * 3600.0 + minute * MINUTE


@pytest.mark.parametrize(("paused_at", "now", "back"), [
    (at(12, 0), at(12, 0), at(13)),           # on time: back when the break ends
    (at(12, 20), at(12, 30), at(13)),         # late (busy at 12:00): still back at 13:00
    (at(11, 30), at(11, 40), at(12, 30)),     # early: the break's usual length, an hour
    (at(13, 30), at(13, 30), at(14, 30)),     # after its break: the usual length again
])
def test_a_lunch_pause_ends_when_the_windows_lunch_break_ends(paused_at, now, back):
    assert expected_return("lunch", LUNCH, now, paused_at) == back


def test_a_lunch_pause_without_a_configured_break_lasts_the_usual_hour():
    assert expected_return("lunch", NO_LUNCH, at(12), at(12)) == at(12) + LUNCH_PAUSE_MINUTES * 60


@pytest.mark.parametrize("reason", sorted(PAUSE_MINUTES))
def test_a_standard_pause_lasts_its_usual_length_from_when_it_began(reason):
    assert expected_return(reason, LUNCH, at(10, 5), at(10)) == at(10) + PAUSE_MINUTES[reason] * 60


def test_a_reason_the_clerk_typed_lasts_the_usual_length_of_other_pauses():
    assert expected_return("去档案室", LUNCH, at(10), at(10)) == at(10) + OTHER_PAUSE_MINUTES * 60


def test_an_overdue_pause_is_expected_back_soon_not_in_the_past():
    now = at(10, 40)                                   # a 15-minute break begun at 10:00
    assert expected_return("break", LUNCH, now, at(10)) == now + OVERDUE_PAUSE_MINUTES * 60
    late = at(13, 10)                                  # still at lunch 10 minutes after 13:00
    assert expected_return("lunch", LUNCH, late, at(12)) == late + OVERDUE_PAUSE_MINUTES * 60


def test_a_pause_of_unknown_start_counts_from_now():
    assert expected_return("break", LUNCH, at(10), None) == at(10) + PAUSE_MINUTES["break"] * 60


# --- the live hall --------------------------------------------------------------------
def moment(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=ZONE)


@pytest.fixture
def hall(settings):
    """Windows 1 and 3 (lunch 12:00-13:00) staffed and open; both serve 个体工商户 (SS-0102)."""
    hall = Hall(settings, "2026-11-23", WaitEstimator())
    for number in (1, 3):
        log_in(hall, number, f"clerk-{number:02d}", "")
        open_window(hall, number)
    hall.take_changes()
    return hall


def waits(hall: Hall, now: datetime, count: int) -> list[float | None]:
    numbers = [issue_ticket(hall, TicketRequest("SS-0102", f"t{i}"), now)[0].number
               for i in range(count)]
    estimates = WaitEstimator().all(hall, now)            # a full forecast, no quick path
    return [estimates[n][1] for n in numbers]


def test_with_every_window_at_lunch_the_estimate_runs_from_the_end_of_the_break(hall):
    now = moment(12, 5)
    for number in (1, 3):
        pause_window(hall, number, "lunch", moment(12, 0))
    first, *rest = waits(hall, now, 3)
    # before, a hall whose windows were all paused gave no estimate at all
    assert first == pytest.approx(55.0, abs=0.1)          # 12:05 -> 13:00
    assert all(w is not None and w >= first for w in rest)


def test_a_window_on_a_short_break_still_takes_its_share_of_the_line(hall):
    now = moment(10, 0)
    open_only = waits(hall, now, 8)
    hall2 = Hall(hall.settings, "2026-11-23", WaitEstimator())
    for number in (1, 3):
        log_in(hall2, number, f"clerk-{number:02d}", "")
        open_window(hall2, number)
    pause_window(hall2, 3, "break", now)
    with_break = waits(hall2, now, 8)
    hall3 = Hall(hall.settings, "2026-11-23", WaitEstimator())
    log_in(hall3, 1, "clerk-01", "")
    open_window(hall3, 1)
    one_window = waits(hall3, now, 8)
    # a 15-minute break costs the line 15 minutes of one window, not the window
    assert open_only[-1] < with_break[-1] < one_window[-1]
    assert with_break[-1] - open_only[-1] <= PAUSE_MINUTES["break"] + 1


def test_pausing_and_resuming_take_a_new_forecast(hall):
    now = moment(10, 0)
    waits(hall, now, 4)
    estimator = hall.estimator
    before = estimator.full_forecasts
    pause_window(hall, 3, "meeting", now)
    estimate_waits(hall, now + timedelta(seconds=0.1))
    assert estimator.full_forecasts == before + 1
    resume_window(hall, 3)
    estimate_waits(hall, now + timedelta(seconds=0.2))
    assert estimator.full_forecasts == before + 2


def test_resuming_forgets_when_the_window_paused(hall):
    pause_window(hall, 3, "break", moment(10, 0))
    assert hall.windows[3].paused_at == at(10)
    resume_window(hall, 3)
    assert hall.windows[3].paused_at is None


def test_a_lunch_taken_early_is_not_expected_again(hall):
    """Window 1's break is 12:00-13:00; its clerk lunches 11:00-11:45 instead. At 11:50
    the line is forecast without a 12:00 break: as if the window had none today."""
    now = moment(11, 50)
    pause_window(hall, 1, "lunch", moment(11, 0))
    resume_window(hall, 1)
    assert hall.windows[1].lunch_taken
    pause_window(hall, 3, "meeting", moment(11, 0))        # window 3 away till 12:00
    taken = waits(hall, now, 6)
    no_break = Hall(replace(hall.settings, windows=tuple(
        replace(w, lunch_break=None) if w.number == 1 else w for w in hall.settings.windows)),
        "2026-11-23", WaitEstimator())
    for number in (1, 3):
        log_in(no_break, number, f"clerk-{number:02d}", "")
        open_window(no_break, number)
    pause_window(no_break, 3, "meeting", moment(11, 0))
    assert taken == waits(no_break, now, 6)
    hall.windows[1].lunch_taken = False                    # as before: a break at 12:00
    expected_break = [e[1] for e in WaitEstimator().all(hall, now).values()]
    assert max(expected_break) > max(taken) + 30
