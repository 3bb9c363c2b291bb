"""display.leds: which screens a hall has, what each window's screen shows, and the
bridge against the real server with screens played on a real pty (one of them never
answers, then does; the cable pulled and put back), and `yichuang leds` as a process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from core.board import Board
from core.events import LoggedEvent as Logged
from core.events import (
    ServiceFinished,
    ServiceStarted,
    Snapshot,
    TicketCalled,
    TicketRecalled,
    WindowOpened,
    WindowPaused,
)
from core.settings.schema import Device
from display.leds import (
    BusTiming,
    LedBridge,
    Screen,
    Shown,
    hall_screen_for,
    led_screens,
    screen_for,
)
from hardware.led_screen import (
    MAX_TEXT_BYTES,
    SHOW_CALL,
    SHOW_IDLE,
    SHOW_TEXT,
    ScreenRequest,
    encode_text,
)
from server.client import HallClient
from server.client_bridges import HealthReporter
from tests.conftest import DEMO_HALL, ROOT, TOKENS, clerk_token
from tests.hardware.test_led_screen import ScriptedBus
from tests.server.test_stream import wait_until

FAST = BusTiming(answer_timeout=0.2, retries=2, probe_seconds=0.3, poll_seconds=0.3,
                 reopen_seconds=(0.05, 0.2))


# ------------------------------------------------------------------ the hall's screens

def test_the_demo_hall_has_a_screen_per_window_and_a_hall_screen_on_one_fake_bus(settings):
    screens = led_screens(settings)
    assert [(s.window, s.address) for s in screens] == [(None, 20)] + [
        (n, n) for n in range(1, 16)]
    assert {s.bus for s in screens} == {"fake://led"}
    assert screens[3] == Screen("window-3-led", 3, "fake://led", 3)
    assert screens[0] == Screen("hall-led-screen", None, "fake://led", 20)   # 综合屏
    assert (screens[0].place, screens[3].place) == ("the hall", "window 3")


def _with_leds(settings, *urls: str):
    return replace(settings, devices=tuple(
        Device(f"window-{n}-led", "led", url, window=n) for n, url in enumerate(urls, 1)))


def test_screens_share_a_bus_by_port_and_their_urls_are_checked(settings):
    screens = led_screens(_with_leds(settings, "serial:///dev/ttyUSB0?baud=19200&address=1",
                                     "serial:///dev/ttyUSB0?address=2&baud=19200",
                                     "serial:///dev/ttyUSB1?address=1"))
    assert [s.bus for s in screens] == ["serial:///dev/ttyUSB0?baud=19200"] * 2 + [
        "serial:///dev/ttyUSB1"]
    for urls, says in [
        (["serial:///dev/ttyUSB0"], "window-1-led: serial:///dev/ttyUSB0 needs address=N"),
        (["serial:///dev/ttyUSB0?address=255"], "needs address=N"),
        (["fake://led?address=1", "fake://led?address=1"], "address 1 of fake://led is "
                                                             "window-1-led's too"),
        (["serial:///dev/ttyUSB0?address=1", "serial:///dev/ttyUSB0?address=2&baud=19200"],
         "one port with different line settings"),
        (["usb://x?address=1"], "unknown scheme"),
    ]:
        with pytest.raises(ValueError, match=says):
            led_screens(_with_leds(settings, *urls))


# ------------------------------------------------------------------ what a screen shows

def _snapshot() -> Snapshot:
    windows = [{"number": n, "name": f"{n}号窗口", "pool": "acceptance_a", "status": "closed",
                "pause_reason": "", "current": ""} for n in (1, 2)]
    return Snapshot(10, {"service_day": "2026-11-23", "windows": windows, "tickets": [
        {"number": "A001", "category": "business", "pool": "acceptance_a",
         "issued_at": "2026-11-23T09:00:00", "state": "waiting", "window": None}]})


def _board(settings) -> Board:
    board = Board(settings)
    board.load(_snapshot())
    return board


def test_each_state_of_a_window_has_its_text(settings):
    board = _board(settings)
    assert screen_for(board, 1) == Shown(SHOW_TEXT, "暂停服务")            # closed
    board.apply(Logged(11, "", WindowOpened(window=1)))
    assert screen_for(board, 1) == Shown(SHOW_IDLE, "1号窗口")
    board.apply(Logged(12, "", TicketCalled("A001", 1, "1号窗口", "SS-0101")))
    assert screen_for(board, 1, flash=True) == Shown(SHOW_CALL, "请A001号")
    assert screen_for(board, 1) == Shown(SHOW_TEXT, "请A001号")           # from a snapshot
    assert screen_for(board, 1, "en", flash=True) == Shown(SHOW_CALL, "No. A001, please")
    board.apply(Logged(13, "", ServiceStarted("A001", 1)))
    assert screen_for(board, 1) == Shown(SHOW_TEXT, "A001 办理中")
    board.apply(Logged(14, "", WindowOpened(window=2)))
    board.apply(Logged(15, "", WindowPaused(window=2, reason="lunch")))
    assert screen_for(board, 2) == Shown(SHOW_TEXT, "暂停服务")
    assert screen_for(board, 2, "en") == Shown(SHOW_TEXT, "Service paused")
    assert screen_for(board, 9, "en") == Shown(SHOW_TEXT, "Window closed")   # unknown
    board.windows[2].name, board.windows[2].status = "王䶮窗口", "open"   # not in GB2312
    assert screen_for(board, 2) == Shown(SHOW_IDLE, "王□窗口")


def test_the_hall_screen_shows_the_calls_in_progress_newest_first(settings):
    board = _board(settings)
    hall = "渭华区政务服务中心"
    assert hall_screen_for(board, hall) == Shown(SHOW_IDLE, "欢迎光临渭华区政务服务中心")
    assert hall_screen_for(board, "Weihua Center", "en") == Shown(
        SHOW_IDLE, "Welcome to Weihua Center")
    for n in (1, 2):
        board.apply(Logged(10 + n, "", WindowOpened(window=n)))
    board.apply(Logged(13, "", TicketCalled("A001", 1, "1号窗口", "SS-0101")))
    assert hall_screen_for(board, hall, flash=True) == Shown(SHOW_CALL, "请A001号到1号窗口")
    board.apply(Logged(14, "", TicketCalled("B002", 2, "2号窗口", "SS-0102")))
    assert hall_screen_for(board, hall, flash=True) == Shown(SHOW_CALL, "请B002号到2号窗口")
    assert hall_screen_for(board, hall) == Shown(
        SHOW_TEXT, "请B002号到2号窗口  请A001号到1号窗口")          # newest first
    assert hall_screen_for(board, hall, "en") == Shown(
        SHOW_TEXT, "No. B002 to Window 2  No. A001 to Window 1")
    board.apply(Logged(15, "", ServiceStarted("A001", 1)))      # still at window 1
    assert "请A001号到1号窗口" in hall_screen_for(board, hall).text
    board.apply(Logged(16, "", ServiceFinished("A001", 1, 300.0)))   # gone from the screen
    assert hall_screen_for(board, hall) == Shown(SHOW_TEXT, "请B002号到2号窗口")


def test_the_hall_screen_shows_only_whole_calls_within_its_32_hanzi(settings):
    board = _board(settings)
    for n in range(1, 7):
        board.apply(Logged(100 + n, "", WindowOpened(window=n)))
        board.apply(Logged(200 + n, "", TicketCalled(f"A00{n}", n, f"{n}号窗口", f"SS-{n}")))
    shown = hall_screen_for(board, "hall")
    calls = shown.text.split("  ")
    assert calls[0] == "请A006号到6号窗口" and len(calls) == 3      # 17 bytes each
    assert len(encode_text(shown.text)) <= MAX_TEXT_BYTES
    assert all(call.endswith("号窗口") for call in calls)           # none cut


def test_the_bridge_flashes_a_call_and_recall_and_ignores_a_replay(settings):
    reporter = HealthReporter(None)
    bridge = LedBridge(led_screens(settings), settings, reporter)
    worker = bridge.workers["fake://led"]
    bridge.apply(_snapshot())
    assert worker.states[1].wanted == Shown(SHOW_TEXT, "暂停服务")
    bridge.apply(Logged(11, "", WindowOpened(window=1)))
    bridge.apply(Logged(12, "", TicketCalled("A001", 1, "1号窗口", "SS-0101")))
    assert (worker.states[1].wanted, worker.states[1].version) == (
        Shown(SHOW_CALL, "请A001号"), 3)
    bridge.apply(Logged(12, "", TicketCalled("A001", 1, "1号窗口", "SS-0101")))
    assert worker.states[1].version == 3                          # a replay: nothing
    bridge.apply(Logged(13, "", TicketRecalled("A001", 1, "1号窗口", 1)))
    assert worker.states[1].version == 4                          # the same text, again
    assert worker.states[2].version == 1                          # untouched
    hall = worker.states[20]                 # the hall screen: welcome, the call, the recall
    assert (hall.wanted, hall.version) == (Shown(SHOW_CALL, "请A001号到1号窗口"), 3)


def test_the_hall_screen_holds_a_new_call_alone_then_shows_the_calls(settings):
    timing = BusTiming(hold_call_seconds=0.5)
    bridge = LedBridge(led_screens(settings), settings, HealthReporter(None), timing=timing)
    hall = bridge.workers["fake://led"].states[20]
    bridge.apply(_snapshot())
    for n in (1, 2):
        bridge.apply(Logged(10 + n, "", WindowOpened(window=n)))
    bridge.apply(Logged(13, "", TicketCalled("A001", 1, "1号窗口", "SS-0101")))
    called_at = time.monotonic()
    bridge.apply(Logged(14, "", ServiceStarted("A001", 1)))      # within the hold
    bridge.apply(Logged(15, "", TicketCalled("B002", 2, "2号窗口", "SS-0102")))
    assert hall.wanted == Shown(SHOW_CALL, "请B002号到2号窗口")   # a new call: at once
    bridge.apply(Logged(16, "", ServiceStarted("B002", 2)))
    assert hall.wanted == Shown(SHOW_CALL, "请B002号到2号窗口")   # held
    both = Shown(SHOW_TEXT, "请B002号到2号窗口  请A001号到1号窗口")
    wait_until(lambda: hall.wanted == both, timeout=5)
    assert hall.wanted == both and time.monotonic() - called_at >= 0.5
    version = hall.version
    bridge.apply(Logged(17, "", WindowOpened(window=3)))          # not a call: unchanged
    assert hall.version == version


# ------------------------------------------------------------------ the bridge, live

def _health(manager: HallClient) -> dict[str, tuple[str, str, str]]:
    return {d.device: (d.state, d.code, d.detail) for d in manager.devices()}


@pytest.fixture
def bridged(live_server, settings, tmp_path):
    """Screens 1 and 2 answer on a pty, screen 3 (same bus) does not, the hall screen
    (address 20) does; the bridge follows the display's stream and reports through the
    display's credential."""
    bus = ScriptedBus(tmp_path / "ttyLED", answering={1, 2, 20})
    screens = [Screen(f"window-{n}-led", n, bus.url, n) for n in (1, 2, 3)] + [
        Screen("hall-led-screen", None, bus.url, 20)]
    display = HallClient(live_server.url, TOKENS["display"])
    bridge = LedBridge(screens, settings, HealthReporter(display, retry_seconds=0.2),
                       timing=FAST)
    stream = display.events()
    follower = threading.Thread(target=bridge.follow, args=(stream,), daemon=True)
    bridge.start()
    follower.start()
    yield bus, bridge, follower
    stream.close()
    follower.join(5)
    bridge.stop()
    bus.close()


def test_a_call_shows_on_its_screen_and_a_dead_screen_is_a_fault(live_server, bridged):
    bus, bridge, _follower = bridged
    manager = HallClient(live_server.url, TOKENS["manager"])
    # the snapshot sets every screen: the windows are closed before the clerks come
    welcome = "欢迎光临渭华区政务服务中心"
    assert bus.wait_for(lambda b: b.shown == {1: "暂停服务", 2: "暂停服务", 20: welcome})
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    assert bus.wait_for(lambda b: b.shown[1] == "1号窗口")
    ticket = HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    clerk.call_next(1)
    called = ScreenRequest(1, SHOW_CALL, f"请{ticket.number}号")
    in_the_hall = ScreenRequest(20, SHOW_CALL, f"请{ticket.number}号到1号窗口")
    assert bus.wait_for(lambda b: called in b.requests and in_the_hall in b.requests)
    live_server.clock.advance(seconds=20)                       # a recall waits 15 s
    clerk.recall(1)
    assert bus.wait_for(lambda b: b.requests.count(called) == 2)    # flashes again
    clerk.start_service(1)
    assert bus.wait_for(lambda b: b.shown[1] == f"{ticket.number} 办理中")
    # screen 3 never answered: tried 3 times, then reported; the others are ok
    states = ("ok", "ok", "fault")
    wait_until(lambda: tuple(_health(manager)[f"window-{n}-led"][0] for n in (1, 2, 3))
               == states)
    health = _health(manager)
    assert health["window-3-led"][:2] == ("fault", "offline")
    assert "no answer at address 3" in health["window-3-led"][2]
    assert health["window-1-led"][0] == health["window-2-led"][0] == "ok"
    assert bus.count(3) >= 3 and bridge.workers[bus.url].bus.retried[3] >= 2
    assert bridge.workers[bus.url].bus.retried[1] == 0
    # screen 3 is switched on: it is given its text and reported ok again
    bus.answering.add(3)
    assert bus.wait_for(lambda b: b.shown.get(3) == "暂停服务")
    wait_until(lambda: _health(manager)["window-3-led"][0] == "ok")
    assert _health(manager)["window-3-led"][0] == "ok"
    # screen 2 loses its text (a power cut): the next status question finds out
    with bus.changed:
        del bus.shown[2]
    assert bus.wait_for(lambda b: b.shown.get(2) == "暂停服务")


def test_a_pulled_cable_is_a_fault_and_the_bus_is_opened_again(live_server, bridged):
    bus, _bridge, follower = bridged
    manager = HallClient(live_server.url, TOKENS["manager"])
    assert bus.wait_for(lambda b: b.shown == {1: "暂停服务", 2: "暂停服务"})
    bus.pull()
    wait_until(lambda: "port failed" in _health(manager)["window-1-led"][2])
    assert _health(manager)["window-1-led"][:2] == ("fault", "offline")
    clerk = HallClient(live_server.url, clerk_token(2))
    clerk.log_in(2)
    clerk.open_window(2)                     # while the cable is out
    bus.plug_in()
    assert bus.wait_for(lambda b: b.shown.get(2) == "2号窗口" and b.shown.get(1) == "暂停服务")
    both_ok = ("ok", "ok")
    wait_until(lambda: tuple(_health(manager)[f"window-{n}-led"][0] for n in (1, 2)) == both_ok)
    assert tuple(_health(manager)[f"window-{n}-led"][0] for n in (1, 2)) == both_ok
    assert follower.is_alive()


def test_the_display_may_report_the_window_screens_it_drives(api):
    screen = "/api/devices/window-3-led/health"
    assert api.as_(TOKENS["display"]).post(screen, json={"state": "fault",
                                                         "code": "offline"}).status_code == 200
    assert api.post(screen, json={"state": "ok"}).status_code == 403   # a kiosk may not


# ------------------------------------------------------------------ the command

def test_the_leds_command_drives_the_screens_and_stops_on_sigterm(live_server, tmp_path):
    bus = ScriptedBus(tmp_path / "ttyLED", answering={1, 2, 20})
    hall = (ROOT / DEMO_HALL).read_text(encoding="utf-8")
    for n in (1, 2, 20):                     # two window screens and the hall screen
        hall = hall.replace(f'url = "fake://led?address={n}"',
                            f'url = "{bus.url}?address={n}"')
    (tmp_path / "hall.toml").write_text(hall, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "yichuang.cli", "leds", "--hall", str(tmp_path / "hall.toml"),
         "--server", live_server.url, "--token", TOKENS["display"]],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        wait_until(lambda: any("yichuang leds: 16" in line for line in lines), timeout=30)
        assert any("yichuang leds: 16 screens on 2 buses" in line for line in lines), lines
        assert bus.wait_for(lambda b: b.shown == {1: "暂停服务", 2: "暂停服务",
                                                  20: "欢迎光临渭华区政务服务中心"})
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        reader.join(5)
        assert "yichuang leds: stopped\n" in lines and not any("Traceback" in line
                                                              for line in lines), lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()
        bus.close()


def test_the_leds_command_refuses_a_bad_token_or_config_in_one_line(live_server, tmp_path):
    (tmp_path / "hall.toml").write_text(
        (ROOT / DEMO_HALL).read_text(encoding="utf-8").replace(
            'url = "fake://led?address=2"', 'url = "fake://led?address=1"'), encoding="utf-8")
    for hall, token, says in [
        (str(ROOT / DEMO_HALL), "not-a-token", "yichuang leds: the server refuses the token"),
        (str(tmp_path / "hall.toml"), TOKENS["display"],
         "yichuang leds: [[devices]] window-2-led: address 1 of fake://led is "
         "window-1-led's too"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "yichuang.cli", "leds", "--hall", hall,
             "--server", live_server.url, "--token", token],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and says in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
