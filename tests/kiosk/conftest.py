"""The kiosk offscreen (SDL's offscreen driver), against the real server on 127.0.0.1.

Kivy is prepared before anything imports it; each test gets a kiosk on the one
window and its screenshots in the test's tmp dir (the last ones in
tmp/kiosk-shots/ for a person to look at)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kiosk.driver import prepare_headless

prepare_headless(tempfile.mkdtemp(prefix="kivy-home-"))

SHOTS = Path(tempfile.gettempdir()) / "kiosk-shots"


@pytest.fixture(scope="session")
def kiosk_window():
    from kiosk.driver import window
    return window()


class Fakes:
    """Fake time for the idle watch, moved by the test."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def fake_time():
    return Fakes()


@pytest.fixture
def make_kiosk(kiosk_window, settings, request):
    """make_kiosk(url, printer=None, reader=None, settings=None) -> KioskDriver."""
    from kiosk.app import Kiosk
    from kiosk.driver import KioskDriver
    from server.client import HallClient
    from tests.conftest import TOKENS
    made = []

    def make(url: str, printer=None, reader=None, hall=None, now=None, token=None,
             on_exit=None, clock=None):
        client = HallClient(url, token or TOKENS["kiosk"], timeout=3)
        kiosk = Kiosk(hall or settings, client, printer=printer, reader=reader,
                      now=now or (lambda: 0.0), on_exit=on_exit, clock=clock)
        kiosk.retry_seconds = 0.3
        driver = KioskDriver(kiosk, kiosk_window)
        driver.shots = SHOTS / request.node.name
        made.append(driver)
        return driver
    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def hall_server(settings, tmp_path, clock):
    """The real server (cheroot, in a thread) on 127.0.0.1, on a Monday at 09:00 by
    the test's clock (the hall is open; `clock.advance` moves it)."""
    from server.app import create_app
    from server.wsgi import BackgroundServer
    app = create_app(settings, database=str(tmp_path / "hall.db"), clock=clock)
    app.config["SSE_KEEPALIVE_SECONDS"] = 0.5
    with BackgroundServer(app, threads=16) as server:
        server.clock = clock
        yield server
    app.extensions["yichuang.service"].close()


def manager(url: str):
    from server.client import HallClient
    from tests.conftest import TOKENS
    return HallClient(url, TOKENS["manager"])
