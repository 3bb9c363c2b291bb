"""Every estimate carries its 80% range: the ticket answer, a ticket's lookup, the
TicketIssued event and the phone page's JSON; the hall learns the range from its own
recorded errors (each ticket's estimate at issue against its wait when first called),
and a restarted server learns it again from the database."""
from __future__ import annotations

import json
import math
import sqlite3
from datetime import datetime

from core.forecast.ranges import RangeCalibrator
from tests.browser import needs_chromium
from tests.conftest import staff_window
from tests.server.test_phone_page import browser, hall, wait_for_text  # noqa: F401 (fixtures)


def issue(api, subject="SS-0101"):
    answer = api.post("/api/tickets", json={"subject": subject})
    assert answer.status_code == 201, answer.json
    return answer.json


def ranged(body) -> tuple[float, float, float]:
    low, point, high = body["eta_low"], body["eta_minutes"], body["eta_high"]
    assert low is not None and high is not None, body
    assert 0 <= low <= point <= high, body
    return low, point, high


def recorded_errors(db_path) -> RangeCalibrator:
    """A calibrator fed, independently of the server, from the tickets table."""
    calibrator = RangeCalibrator()
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT eta_minutes, wait_seconds, eta_people_ahead, issued_at FROM tickets "
            "WHERE eta_minutes IS NOT NULL AND wait_seconds IS NOT NULL "
            "ORDER BY called_at").fetchall()
    for minutes, seconds, ahead, issued in rows:
        calibrator.record(minutes, seconds / 60, ahead, datetime.fromisoformat(issued).hour)
    return calibrator


def test_estimates_carry_a_range_learned_from_the_halls_own_errors(api, app, clock, db_path,
                                                                  settings):
    clerk = staff_window(api, 1)
    first = issue(api)
    issue(api)
    low, point, high = ranged(issue(api))
    prior = RangeCalibrator().range_for(point)              # no history yet: the wide prior
    assert abs(low - prior[0]) < 1e-9 and abs(high - prior[1]) < 1e-9

    for _ in range(50):        # a ticket every 2 minutes, one called every 2 minutes
        issue(api)
        clock.advance(minutes=2)
        assert clerk.post("/api/windows/1/call-next").status_code == 200
    learned = recorded_errors(db_path)
    assert learned.recorded == 50                           # each first call, once

    answer = issue(api)
    low, point, high = ranged(answer)
    assert (low, high) == learned.range_for(point, answer["people_ahead"], clock().hour)
    assert (low, high) != RangeCalibrator().range_for(point)        # not the prior now
    ranged(api.get(f"/api/tickets/{answer['ticket']['number']}").json)
    phone = api.get(f"/api/public/tickets/{answer['phone_token']}").json
    assert ranged(phone) == (low, point, high)
    assert phone["eta_low"] == low and phone["eta_high"] == high

    with sqlite3.connect(db_path) as conn:
        events = [json.loads(data) for (data,) in conn.execute(
            "SELECT data FROM events WHERE type = 'TicketIssued' ORDER BY id")]
    assert len(events) == 54
    assert all(e["eta_low"] <= e["eta_minutes"] <= e["eta_high"] for e in events)
    assert (events[-1]["eta_low"], events[-1]["eta_high"]) == (low, high)
    assert first["eta_low"] == events[0]["eta_low"]

    # A restarted server learns the range again from the recorded days.
    app.extensions["yichuang.service"].close()
    from server.app import create_app
    again = create_app(settings, database=db_path, clock=clock)
    try:
        service = again.extensions["yichuang.service"]
        assert service.read(lambda hall, now: hall.wait_ranges.recorded) == 50
        assert service.read(lambda hall, now: hall.wait_ranges.range_for(
            point, answer["people_ahead"], now.hour)) == (low, high)
    finally:
        service.close()


@needs_chromium
def test_the_phone_page_says_the_point_and_the_range(hall, live_server, browser):  # noqa: F811
    kiosk, _ = hall
    kiosk.issue_ticket("SS-0102")
    mine = kiosk.issue_ticket("SS-0102")
    assert mine.eta_low is not None and mine.eta_low <= mine.eta_minutes <= mine.eta_high
    browser.get(f"{live_server.url}/t/{mine.phone_token}")
    status = wait_for_text(browser, "status", "分钟，")
    minutes = math.floor(mine.eta_minutes + 0.5)          # the page's Math.round
    low, high = min(math.floor(mine.eta_low), minutes), max(math.ceil(mine.eta_high), minutes)
    assert f"预计等候约 {minutes} 分钟，{low}–{high} 分钟" in status, status
