"""Fixtures: the demo hall, a controllable clock, the app on a real SQLite file,
and the real server on 127.0.0.1."""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.settings.loader import load_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_HALL = ROOT / "config" / "demo-hall.toml"
ZONE = ZoneInfo("Asia/Shanghai")
TOKENS = {"kiosk": "demo-kiosk-1", "display": "demo-display", "manager": "demo-manager",
          "clerk": "demo-clerk-01", "rating_pad": "demo-pad-01", "helper": "demo-helper-1",
          "keypad": "demo-keypads"}


def clerk_token(window: int) -> str:
    """The demo hall's clerk n is meant for window n."""
    return f"demo-clerk-{window:02d}"


class FakeClock:
    """The hall's clock, moved by the test: a Monday morning by default."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def without_issue_limits(hall):
    """The hall with its 防黄牛 rate limits out of the way: tests that issue dozens of
    numbers a second from one kiosk are about other things (tests/server/
    test_scalpers.py checks the limits with the demo hall's own values)."""
    rules = replace(hall.rules, tickets_per_device_per_minute=1_000_000,
                    tickets_per_address_per_minute=1_000_000)
    booking = replace(hall.booking, requests_per_address_per_minute=1_000_000)
    return replace(hall, rules=rules, booking=booking)


def demo_hall_without_issue_limits(directory: Path) -> Path:
    """A copy of the demo hall's file with its rate limits out of the way, for tests that
    start the server as its own process (`yichuang demo --hall <copy>`)."""
    text = DEMO_HALL.read_text(encoding="utf-8").replace(
        "[rules]\n", "[rules]\ntickets_per_device_per_minute = 1000000\n"
                     "tickets_per_address_per_minute = 1000000\n", 1).replace(
        # a server process runs on the real clock: numbers at any hour
        "[hours]\n", "[hours]\nrefuse_outside_hours = false\n", 1)
    copy = directory / "demo-hall.toml"
    copy.write_text(text, encoding="utf-8")
    return copy


@pytest.fixture(scope="session")
def settings():
    return without_issue_limits(load_settings(DEMO_HALL))


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=ZONE))


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "hall.db")


@pytest.fixture
def app(settings, db_path, clock):
    from server.app import create_app
    app = create_app(settings, database=db_path, clock=clock)
    app.config["SSE_KEEPALIVE_SECONDS"] = 0.2
    yield app
    app.extensions["yichuang.service"].close()


class Api:
    """Flask's test client, speaking as one role or person."""

    def __init__(self, client, token: str | None) -> None:
        self.client, self.token = client, token

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(), **kw)

    def post(self, path, json=None, **kw):
        if json is None and "data" not in kw:
            json = {}
        return self.client.post(path, json=json, headers=self._headers(), **kw)

    def as_(self, token: str | None) -> Api:
        return Api(self.client, token)


@pytest.fixture
def api(app) -> Api:
    return Api(app.test_client(), TOKENS["kiosk"])


def staff_window(api: Api, window: int) -> Api:
    """Log the window's clerk in and open the window; returns the clerk's Api."""
    clerk = api.as_(clerk_token(window))
    assert clerk.post(f"/api/windows/{window}/login").status_code == 200
    assert clerk.post(f"/api/windows/{window}/open").status_code == 200
    return clerk


MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)     # the test Monday's 09:00


class RunningClock:
    """The real server's clock: the test Monday at 09:00, running on in real time, so
    that a test does not depend on when it runs (the hall keeps opening hours);
    `advance(...)` or setting `now` moves it, and it runs on from there."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    @property
    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._since)

    @now.setter
    def now(self, value: datetime) -> None:
        self._start, self._since = value, time.monotonic()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def live_server(settings, tmp_path):
    """The real server (cheroot) on 127.0.0.1; its clock (`live_server.clock`) starts at
    the test Monday's 09:00 and runs in real time."""
    from server.app import create_app
    from server.wsgi import BackgroundServer
    clock = RunningClock(MONDAY)
    app = create_app(settings, database=str(tmp_path / "live.db"), clock=clock)
    app.config["SSE_KEEPALIVE_SECONDS"] = 0.5
    with BackgroundServer(app, threads=64) as server:
        server.clock = clock
        yield server
    app.extensions["yichuang.service"].close()


def pytest_configure(config):
    os.environ.setdefault("TZ", "UTC")


# Screenshots and decoded tickets that tests save: into the test run's own folder, or,
# with YICHUANG_DOCS_IMAGES=1, into docs/images for the documents (then look at them).
SCREENSHOTS = (ROOT / "docs" / "images" if os.environ.get("YICHUANG_DOCS_IMAGES")
               else Path(tempfile.gettempdir()) / "yichuang-screenshots")
