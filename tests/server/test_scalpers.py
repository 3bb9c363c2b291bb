"""防黄牛 with the demo hall's own limits: per kiosk, per address, and the managers' alarm."""
from __future__ import annotations

import sqlite3

import pytest

from core.settings.loader import load_settings
from server.app import create_app
from tests.conftest import DEMO_HALL, TOKENS


@pytest.fixture
def strict_app(tmp_path, clock):
    hall = load_settings(DEMO_HALL)                 # the limits as a hall ships them
    app = create_app(hall, database=str(tmp_path / "hall.db"), clock=clock)
    yield app, hall.rules
    app.extensions["yichuang.service"].close()


def post(app, token, address, body=None):
    return app.test_client().post("/api/tickets", json=body or {"subject": "SS-0101"},
                                  headers={"Authorization": f"Bearer {token}"},
                                  environ_base={"REMOTE_ADDR": address})


def alarms(app) -> list[str]:
    path = app.extensions["yichuang.service"].database_path
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT data FROM events WHERE type = 'AlarmRaised'")]


def test_one_kiosk_cannot_take_a_pile_of_numbers(strict_app):
    app, rules = strict_app
    answers = [post(app, TOKENS["kiosk"], "127.0.0.5") for _ in range(300)]
    taken = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 429]
    assert len(taken) + len(refused) == 300
    assert len(taken) <= rules.tickets_per_device_per_minute // 2 + 1
    assert refused[0].json["error"] == "too_many_requests"
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert len(alarms(app)) == 1 and "kiosk-1" in alarms(app)[0], "one alarm, not 294"
    other = post(app, "demo-kiosk-2", "127.0.0.6")
    assert other.status_code == 201, "another kiosk is not held back"


def test_one_address_cannot_spread_its_pile_over_many_tokens(strict_app):
    app, rules = strict_app
    tokens = [TOKENS["manager"], "demo-clerk-01", "demo-clerk-02", "demo-kiosk-2"]
    statuses = [post(app, tokens[i % len(tokens)], "127.0.0.7").status_code for i in range(60)]
    assert statuses.count(201) <= rules.tickets_per_address_per_minute // 2 + 1
    assert statuses.count(429) >= 40
    assert any("127.0.0.7" in alarm for alarm in alarms(app))


def test_the_alarm_reaches_managers_not_displays(strict_app):
    from core.events import for_public
    from server.event_log import logged_frame
    app, _ = strict_app
    for _ in range(20):
        post(app, TOKENS["kiosk"], "127.0.0.8")
    service = app.extensions["yichuang.service"]
    stored = service._read_stored(0, 1000)
    alarm = next(e for e in stored if e.type == "AlarmRaised")
    assert logged_frame(alarm, "staff") and logged_frame(alarm, "public") == b""
    assert for_public(alarm.event) is None
