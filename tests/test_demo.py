"""`yichuang demo` comes alive: the live hall (yichuang/live_hall.py) against the real
server on 127.0.0.1, and the real command in a process of its own."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from datetime import timedelta

import pytest

from core.windows import PAUSE_REASONS
from server.client import HallClient
from tests.conftest import MONDAY, ROOT, TOKENS, RunningClock, demo_hall_without_issue_limits
from yichuang.live_hall import LUNCH, LiveHall, id_card_number

FAST = 600          # ten simulated minutes a real second


def quick_hall(settings):
    """The demo hall with a 1-second recall cooldown and window 1's lunch at 08:32-08:38,
    so that a few seconds at a fast pace see recalls, no-shows and a lunch break."""
    rules = replace(settings.rules, recall_cooldown_seconds=1)
    windows = tuple(replace(w, lunch_break=(512, 518)) if w.number == 1 else w
                    for w in settings.windows)
    return replace(settings, rules=rules, windows=windows)


@pytest.fixture
def hall_server(settings, tmp_path):
    from server.app import create_app
    from server.wsgi import BackgroundServer
    hall = quick_hall(settings)
    clock = RunningClock(MONDAY)
    app = create_app(hall, database=str(tmp_path / "live.db"), clock=clock)
    with BackgroundServer(app, threads=64) as server:
        server.clock, server.hall = clock, hall
        yield server
    app.extensions["yichuang.service"].close()


def run_for(live: LiveHall, seconds: float, during=None, until=None, patience=30.0) -> None:
    """Run the live hall `seconds`, calling `during` halfway; with `until`, go on (up to
    `patience` s more) until it holds, as a clerk takes a moment to notice a meddling."""
    live.start()
    try:
        time.sleep(seconds / 2)
        if during:
            during()
        time.sleep(seconds / 2)
        deadline = time.monotonic() + patience
        while until is not None and not until() and time.monotonic() < deadline:
            time.sleep(0.25)
    finally:
        live.stop()
    assert not live.running


def test_the_live_hall_issues_calls_serves_and_goes_wrong_now_and_then(hall_server):
    said: list[str] = []
    live = LiveHall(hall_server.hall, hall_server.url, pace=FAST, seed=3, say=said.append)
    run_for(live, 6)
    done = live.figures
    assert done.errors == 0, done
    assert done.issued > 40 and done.called > 20 and done.finished > 10, done
    assert done.recalls >= 1 and done.no_shows >= 1 and done.lunch_breaks >= 1, done
    manager = HallClient(hall_server.url, TOKENS["manager"])
    tickets = manager.tickets()
    assert len(tickets) == done.issued
    states = [t.state for t in tickets]
    assert states.count("finished") >= done.finished      # + a call-next that finished one
    assert states.count("no_show") >= done.no_shows
    assert {t.priority for t in tickets} >= {"normal", "elderly"}
    assert any(t.origin == "staff" for t in tickets) and any(t.recalls for t in tickets)
    names = [t.holder_name for t in tickets if t.priority == "elderly"]
    assert names and all("*" in name for name in names)          # masked: 王*兰
    assert LUNCH in PAUSE_REASONS                                # the board shows why
    assert any("phone page" in line and "/t/" in line for line in said), said
    token = live.phone_page.rsplit("/t/", 1)[1]
    assert HallClient(hall_server.url).public_ticket(token).ticket.number


def test_a_manager_s_meddling_is_refused_to_the_clerks_who_go_back_to_work(hall_server):
    live = LiveHall(hall_server.hall, hall_server.url, pace=FAST, seed=5)
    manager = HallClient(hall_server.url, TOKENS["manager"])

    def meddle():
        manager.pause_window(2, "meeting")
        manager.release_window(3)           # its ticket waits again, its clerk logged out

    def back_at_work() -> bool:
        windows = {w.number: w for w in manager.windows()}
        return windows[3].clerk == "clerk-03" and windows[2].status != "paused"

    run_for(live, 5, during=meddle, until=back_at_work)
    assert live.figures.errors == 0 and live.figures.refusals >= 1, live.figures
    assert back_at_work()
    assert live.figures.finished > 10


def test_a_server_that_goes_away_is_waited_for(settings, tmp_path):
    from server.app import create_app
    from server.wsgi import BackgroundServer
    app = create_app(settings, database=str(tmp_path / "gone.db"), clock=RunningClock(MONDAY))
    server = BackgroundServer(app, threads=32).__enter__()
    live = LiveHall(settings, server.url, pace=FAST).start()
    try:
        time.sleep(1.5)
        server.__exit__(None, None, None)
        app.extensions["yichuang.service"].close()
        time.sleep(2)
        assert live.running
    finally:
        live.stop()
    assert not live.running
    assert live.figures.errors == 0 and live.figures.unavailable >= 1, live.figures
    assert live.figures.issued > 0


def test_a_closed_hall_is_waited_for_and_stopping_is_prompt(hall_server):
    hall_server.clock.now = MONDAY - timedelta(days=1)          # a Sunday
    said: list[str] = []
    live = LiveHall(hall_server.hall, hall_server.url, pace=FAST, say=said.append)
    run_for(live, 1.5)
    assert live.figures.issued == 0 and live.figures.errors == 0
    assert any("wait for the hall" in line and "closed_day" in line for line in said), said
    assert HallClient(hall_server.url, TOKENS["manager"]).tickets() == []


def test_made_up_id_cards_are_well_formed_and_the_elderly_are_65_or_more():
    from core.id_cards import read
    today = MONDAY.date()
    for serial in range(1, 60):
        assert read(id_card_number(serial, elderly=True), today).born.year <= 1961
        assert read(id_card_number(serial, elderly=False), today).born.year >= 1975


# --- the real command ------------------------------------------------------------------

def get_json(url: str, token: str = "") -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}
                                     if token else {})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


class Demo:
    """`yichuang demo` in a process of its own on a free port, its output read by a
    thread (so that it never blocks on a full pipe)."""

    def __init__(self, tmp_path, *extra: str) -> None:
        import threading

        from server.wsgi import free_port
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.hall = demo_hall_without_issue_limits(tmp_path)      # numbers at any hour
        self.process = subprocess.Popen(
            [sys.executable, "-m", "yichuang.cli", "demo", "--hall", str(self.hall),
             "--database", str(tmp_path / "hall.db"), "--host", "127.0.0.1", "--port",
             str(self.port), *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout),
                                       daemon=True)
        self.reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def until(self, wanted: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while wanted not in self.output and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.output

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(20)
        self.reader.join(5)
        return code


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_yichuang_demo_prints_where_to_look_and_its_hall_calls(tmp_path, signum):
    demo = Demo(tmp_path, "--pace", "60")
    base = demo.base
    try:
        printed = demo.until("phone page (ticket", 30)
        assert f"{base}/board" in printed and f"{base}/book" in printed, printed
        assert f"{base}/api/stats" in printed and "demo-manager" in printed
        assert f"kiosk --hall {demo.hall} --server {base} --token demo-kiosk-1" in printed
        assert f"{base}/t/" in printed
        deadline, called = time.monotonic() + 20, 0
        while time.monotonic() < deadline and called < 3:
            time.sleep(0.5)
            tickets = get_json(f"{base}/api/tickets", TOKENS["manager"])["tickets"]
            called = sum(t["state"] in ("called", "serving", "finished") for t in tickets)
        assert called >= 3
        phone = printed.split(f"{base}/t/", 1)[1].split()[0]
        assert get_json(f"{base}/api/public/tickets/{phone}")["ticket"]["number"]
    finally:
        code = demo.stop(signum)
    assert code == 0, demo.output
    assert "Traceback" not in demo.output and "unexpected error" not in demo.output


def test_yichuang_demo_quiet_hall_stays_idle(tmp_path):
    demo = Demo(tmp_path, "--quiet-hall")
    try:
        printed = demo.until("openapi.json", 30)
        assert "quiet" in printed and f"{demo.base}/board" in printed, printed
        time.sleep(2)
        assert get_json(f"{demo.base}/api/tickets", TOKENS["manager"])["tickets"] == []
    finally:
        code = demo.stop()
    assert code == 0, demo.output


def test_where_to_look_names_the_apps_there_are_at_the_address_people_reach(settings):
    from yichuang.demo import public_base, where_to_look
    assert public_base(settings, "127.0.0.1", 8750) == settings.server.public_url.rstrip("/")
    assert public_base(settings, "0.0.0.0", 9000) == "http://127.0.0.1:9000"
    alone = "\n".join(where_to_look("http://h:1", "hall.toml", {"kiosk"}, live=True))
    assert "http://h:1/board" in alone and "display --" not in alone and "leds --" not in alone
    every = "\n".join(where_to_look("http://h:1", "hall.toml", {"kiosk", "display", "leds"},
                                    live=False))
    assert "display --hall hall.toml --server http://h:1 --token demo-display" in every
    assert "leds --hall hall.toml --server http://h:1 --token demo-display" in every
    assert "caller --" not in every and "http://h:1/office" in every
    assert "http://h:1/manage   person manager01" in every
    clerks = "\n".join(where_to_look("http://h:1", "hall.toml",
                                     {"caller", "keypads", "pads"}, live=True))
    assert "caller --hall hall.toml --server http://h:1 --window 1" in clerks
    assert "clerk01" in clerks and "--quiet-hall" in clerks
    assert "keypads --hall hall.toml --server http://h:1 --token demo-keypads" in clerks
    assert "pads --hall hall.toml --server http://h:1 --token demo-pads" in clerks
