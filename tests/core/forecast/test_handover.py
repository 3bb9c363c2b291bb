"""The handover: from the call that brings a citizen to the window to the start of their
service. A window spends it on every ticket besides the service; the live hall learns
it from its finished services and the forecast adds it to each one."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.actions.serving import call_next, finish_service, recall, start_service
from core.actions.staffing import log_in, open_window
from core.actions.tickets import TicketRequest, issue_ticket
from core.forecast.eta import WindowState, forecast
from core.forecast.live import WaitEstimator
from core.forecast.service_times import HANDOVER_CAP_SECONDS, ServiceTimeModel
from core.hall import Hall
from core.tickets import HistoryEntry, handover_seconds
from tests.conftest import ZONE
from tests.core.allocation.factory import SERVICE, ticket, window

NINE = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)


def history(*steps: tuple[str, float]) -> list[HistoryEntry]:
    return [HistoryEntry(action, NINE + timedelta(seconds=at), 1) for action, at in steps]


@pytest.mark.parametrize(("steps", "seconds"), [
    ((("issued", 0), ("called", 100), ("started", 140), ("finished", 600)), 40.0),
    # late: recalled twice, then came: the window waited from the first call
    ((("issued", 0), ("called", 100), ("recalled", 120), ("recalled", 140),
      ("started", 170), ("finished", 600)), 70.0),
    # 过号 then back in line: only the call that brought them counts
    ((("issued", 0), ("called", 100), ("no_show", 150), ("requeued", 200),
      ("called", 900), ("started", 930)), 30.0),
])
def test_the_handover_runs_from_the_call_that_brought_the_citizen(steps, seconds):
    assert handover_seconds(history(*steps)) == seconds


@pytest.mark.parametrize("steps", [
    (("issued", 0),),
    (("issued", 0), ("called", 100)),
    # parked, then resumed: the service started again without a call
    (("issued", 0), ("called", 100), ("started", 130), ("parked", 300), ("resumed", 500),
     ("started", 500)),
    # 完成 pressed without 开始办理: the walk and the service cannot be told apart
    (("issued", 0), ("called", 100), ("started", 700), ("finished", 700)),
])
def test_no_handover_without_a_start_right_after_a_call(steps):
    assert handover_seconds(history(*steps)) is None


def test_the_model_learns_the_mean_handover_clipped():
    model = ServiceTimeModel({})
    assert model.handover_seconds == 0.0                 # nothing is guessed
    for seconds in (30.0, 50.0, -5.0, 10_000.0):
        model.observe_handover(seconds)
    assert model.handover_seconds == pytest.approx((30 + 50 + 0 + HANDOVER_CAP_SECONDS) / 4)


def test_the_forecast_adds_the_handover_to_every_service():
    w = window(skills={"tax": 1.0})
    waiting = [ticket(f"A{i}", "invoice", since=i) for i in range(4)]
    plain = forecast(waiting, [WindowState(w, 0.0)], 10.0, "fcfs", SERVICE.get,
                     no_show_rate=0.0)
    walked = forecast(waiting, [WindowState(w, 0.0)], 10.0, "fcfs", SERVICE.get,
                      no_show_rate=0.0, handover_seconds=45.0)
    for i in range(4):
        assert walked[f"A{i}"].call_at == pytest.approx(plain[f"A{i}"].call_at + 45.0 * i)


@pytest.fixture
def hall(settings):
    hall = Hall(settings, "2026-11-23", WaitEstimator())
    log_in(hall, 1, "clerk-01", "")
    open_window(hall, 1)
    return hall


def serve(hall: Hall, at: datetime, walk: float, service: float, late: bool = False) -> datetime:
    issue_ticket(hall, TicketRequest("SS-0102", f"t{at.timestamp()}"), at)
    call_next(hall, 1, at)
    if late:
        recall(hall, 1, at + timedelta(seconds=walk / 2))
    start_service(hall, 1, at + timedelta(seconds=walk))
    done = at + timedelta(seconds=walk + service)
    finish_service(hall, 1, done)
    return done


def test_the_live_hall_learns_the_handover_and_the_estimate_counts_it(hall):
    now = NINE
    for _ in range(4):
        now = serve(hall, now, walk=60.0, service=300.0)
    now = serve(hall, now, walk=120.0, service=300.0, late=True)
    assert hall.service_times.handover_seconds == pytest.approx((4 * 60 + 120) / 5)
    numbers = [issue_ticket(hall, TicketRequest("SS-0102", f"w{i}"), now)[0].number
               for i in range(5)]
    walked = WaitEstimator().all(hall, now)
    hall.service_times._handover_sum = 0.0                # the same hall, no handover
    plain = WaitEstimator().all(hall, now)
    for i, number in enumerate(numbers):                  # one window: i handovers ahead
        gap = walked[number][1] - plain[number][1]        # minutes (no-shows walk no more)
        assert gap == pytest.approx(i * 72.0 / 60 * (1 - 0.06), abs=0.11)


def test_a_finish_without_a_start_teaches_no_handover(hall):
    issue_ticket(hall, TicketRequest("SS-0102", "a"), NINE)
    call_next(hall, 1, NINE)
    finish_service(hall, 1, NINE + timedelta(minutes=9))
    assert hall.service_times.handover_seconds == 0.0
