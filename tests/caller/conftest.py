"""The caller offscreen (SDL's offscreen driver), against the real server on 127.0.0.1,
logged in as people added to the hall's database (tests/server/people_support.py).

Kivy is prepared before anything imports it, on a square 1920 x 1920 surface (the
offscreen window never grows once made; each view then sets the size it wants)."""
from __future__ import annotations

import tempfile

import pytest

from caller.driver import prepare_headless

prepare_headless(tempfile.mkdtemp(prefix="kivy-caller-"))

from tests.server.people_support import PASSWORD, add_people  # noqa: E402


@pytest.fixture(scope="session")
def caller_window():
    from kivy.config import Config

    from caller.driver import window
    # another package's conftest may have asked for a narrower surface first
    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1920")
    return window()


@pytest.fixture
def hall(live_server):
    """The live server with people zhang and li (clerks), boss (manager), shen (back office)."""
    add_people(live_server.app)
    return live_server


@pytest.fixture
def make_caller(caller_window, settings):
    """make_caller(url, window, printer=None, clock=None, compact=False) -> CallerDriver."""
    from caller.app import Caller
    from caller.driver import CallerDriver
    from server.client import HallClient
    made = []

    def make(url: str, window: int = 1, printer=None, clock=None, compact: bool = False,
             hall=None):
        caller = Caller(hall or settings, HallClient(url, timeout=3), window, printer=printer,
                        clock=clock, compact=compact)
        caller.retry_seconds = 0.2
        caller.refresh_seconds = 0.3
        driver = CallerDriver(caller, caller_window)
        made.append(driver)
        return driver
    yield make
    for driver in made:
        driver.close()


def logged_in(driver, user: str = "zhang"):
    driver.log_in(user, PASSWORD)
    assert driver.caller.mode == "work", driver.caller.message
    return driver
