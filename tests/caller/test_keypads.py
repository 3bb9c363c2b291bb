"""caller.keypads: keypads on a real pty (several addresses on one port, garbled and
truncated answers, a pulled cable) turn presses into the real server's window actions,
and what the keypad shows; the keypad role's limits; the `yichuang keypads` process."""
from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from caller.keypads import Keypad, KeypadBridge, answer_screen, keypads_of, refusal_screen
from hardware.keypad import Key, Style
from server.client import ApiError, HallClient
from tests.conftest import DEMO_HALL, ROOT, TOKENS, clerk_token
from tests.hardware.test_keypad import ScriptedKeypads
from tests.server.test_stream import wait_until

FAST = {"answer_timeout": 0.2, "retries": 1, "round_seconds": 0.01,
        "reopen_after": (0.05, 0.2), "probe_seconds": 0.5}


def test_the_demo_hall_binds_a_keypad_to_each_window_and_the_bridge_owns_them(settings):
    keypads = keypads_of(settings)
    assert [k.window for k in keypads] == list(range(1, 16))
    assert {k.bus for k in keypads} == {"fake://keypads"}
    assert {d.owner for d in settings.devices if d.kind == "keypad"} == {"keypad-bridge"}


def test_a_refusal_is_said_short_on_the_keypad():
    assert refusal_screen(ApiError(403, "forbidden", "", {"window": 3},
                                   "keypad_no_clerk")) == ("未登录", Style.ERROR)
    assert refusal_screen(ApiError(409, "conflict", "", {"retry_after": 12})) == \
        ("请12秒后重呼", Style.ERROR)
    assert refusal_screen(ApiError(409, "conflict", ""), "paused")[0] == "暂停"
    assert refusal_screen(ApiError(0, "unavailable", ""))[0] == "网络中断"


class Pressing:
    """Presses with increasing sequences per address."""

    def __init__(self, keypads: ScriptedKeypads) -> None:
        self.keypads, self.sequence = keypads, {}

    def __call__(self, address: int, key: Key) -> None:
        self.sequence[address] = self.sequence.get(address, 0) % 255 + 1
        self.keypads.press(address, key, self.sequence[address])


@pytest.fixture
def bridged(live_server, tmp_path):
    """Keypads 1, 2 and 3 on one pty (windows 1, 2 and 3); a keypad at address 9 is on
    the line but bound to no window."""
    keypads = ScriptedKeypads(tmp_path, answering={1, 2, 3, 9})
    bound = [Keypad(f"window-{n}-keypad", n, keypads.line.url, n) for n in (1, 2, 3)]
    bridge = KeypadBridge(bound, HallClient(live_server.url, TOKENS["keypad"]),
                          retry_seconds=5, bus_options=FAST)
    bridge.health.retry_seconds = 0.2
    bridge.watch_seconds = 0.2
    bridge.start()
    yield keypads, bridge, Pressing(keypads)
    bridge.stop()
    keypads.line.close()


def _staff(live_server, *windows: int) -> None:
    for window in windows:
        clerk = HallClient(live_server.url, clerk_token(window))
        clerk.log_in(window)
        clerk.open_window(window)


def _shows(keypads, address: int, text: str, style: Style | None = None) -> bool:
    return keypads.line.wait_for(lambda: keypads.shown.get(address, (None, ""))[1] == text
                                 and style in (None, keypads.shown[address][0]))


def _clerk_of(tmp_path, number: str) -> str:
    with sqlite3.connect(tmp_path / "live.db") as conn:
        return conn.execute("select clerk from tickets where number = ?", (number,)).fetchone()[0]


def test_presses_call_serve_and_finish_at_their_windows(live_server, bridged, tmp_path):
    keypads, bridge, press = bridged
    assert _shows(keypads, 1, "未登录") and _shows(keypads, 3, "未登录")
    _staff(live_server, 1, 2)
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    first, second = kiosk.issue_ticket("SS-0101"), kiosk.issue_ticket("SS-0101")
    press(1, Key.CALL_NEXT)
    assert _shows(keypads, 1, first.number, Style.CALLED)
    press(2, Key.CALL_NEXT)
    assert _shows(keypads, 2, second.number, Style.CALLED)
    press(3, Key.CALL_NEXT)                       # nobody logged in at window 3
    assert _shows(keypads, 3, "未登录", Style.ERROR)
    press(1, Key.TRANSFER)                        # a transfer needs a note: on the PC
    assert _shows(keypads, 1, "请在电脑上转移", Style.ERROR)
    press(1, Key.START)
    assert _shows(keypads, 1, f"{first.number} 办理中")
    press(1, Key.FINISH)
    assert _shows(keypads, 1, f"{first.number} 已办结")
    press(1, Key.CALL_NEXT)                       # nobody waits: 待叫, the next comes by itself
    assert _shows(keypads, 1, "待叫", Style.TEXT)
    press(2, Key.PAUSE)
    assert _shows(keypads, 2, "暂停")
    press(2, Key.CALL_NEXT)
    assert _shows(keypads, 2, "暂停", Style.ERROR)
    press(2, Key.RESUME)
    assert _shows(keypads, 2, "恢复服务")
    # the actions are the clerks': the tickets name them, each acted once
    manager = HallClient(live_server.url, TOKENS["manager"])
    served = manager.ticket(first.number)
    assert served.ticket.state == "finished" and _clerk_of(tmp_path, first.number) == "clerk-01"
    assert [h.action for h in served.history].count("called") == 1
    assert _clerk_of(tmp_path, second.number) == "clerk-02"
    # the unbound keypad at address 9 is never polled; the press there is left alone
    assert keypads.count(9) == 0 and keypads.queued.get(9) is None
    assert bridge.presses == 10


def test_a_waiting_keypad_flashes_the_number_called_to_it_without_a_press(live_server,
                                                                          bridged):
    """待叫: the clerk pressed "call next" with nobody waiting; when a citizen takes a
    number, the server calls it to the window and the keypad flashes it by itself, so the
    clerk does not press again and pass the citizen over."""
    keypads, bridge, press = bridged
    _staff(live_server, 1)
    press(1, Key.CALL_NEXT)
    assert _shows(keypads, 1, "待叫", Style.TEXT)
    presses = bridge.presses
    issued = HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    assert _shows(keypads, 1, issued.number, Style.CALLED)
    assert bridge.presses == presses
    manager = HallClient(live_server.url, TOKENS["manager"])
    assert manager.ticket(issued.number).ticket.window == 1
    # a press right after (the clerk did not look up): refused, the number stays called
    keypads.shown.pop(1)
    press(1, Key.CALL_NEXT)
    assert _shows(keypads, 1, issued.number, Style.CALLED)
    assert bridge.presses == presses + 1
    assert manager.ticket(issued.number).ticket.state == "called"


def test_the_keypad_says_waiting_only_for_a_window_that_waits():
    """A window that does not wait (the hall's ready_minutes is 0) says 无人等候."""
    from core.windows import WindowInfo
    from server.client import WindowAnswer
    window = WindowInfo(number=1, name="1号窗口", pool="acceptance_a", status="open",
                        pause_reason="", clerk="clerk-01", current="", parked=(), skills={},
                        also_serves=(), served_today=0, ready=None)
    assert answer_screen(Key.CALL_NEXT, WindowAnswer(window, None, ())) == ("无人等候",
                                                                            Style.ERROR)
    waiting = WindowAnswer(dataclasses.replace(window, ready="09:00"), None, ())
    assert answer_screen(Key.CALL_NEXT, waiting) == ("待叫", Style.TEXT)
    assert answer_screen(Key.RECALL, waiting) == ("无人等候", Style.ERROR)
    # a press moments after a call made by itself: the number, not a countdown
    refused = ApiError(409, "conflict", "called by itself", {"number": "A012", "window": 1,
                                                             "retry_after": 9},
                       code="called_while_waiting")
    assert refusal_screen(refused) == ("A012", Style.CALLED)


def test_garbled_answers_are_retried_and_a_press_acts_once(live_server, bridged):
    keypads, bridge, press = bridged
    _staff(live_server, 1)
    ticket = HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    keypads.misbehave[1] = ["corrupt", "truncate", "noise"]
    press(1, Key.CALL_NEXT)
    assert _shows(keypads, 1, ticket.number, Style.CALLED)
    keypads.line.write(b"\xa6\x01\x90\x03\x00")          # half a frame, unasked
    keypads.line.write(b"\xa6\x01\x90\x01\x00\x00\x5a")  # a bad checksum
    wait_until(lambda: bridge.buses[keypads.line.url].retried[1] >= 1)
    assert bridge.buses[keypads.line.url].statuses[1].ok
    history = HallClient(live_server.url, TOKENS["manager"]).ticket(ticket.number).history
    assert [h.action for h in history].count("called") == 1


def test_a_pulled_cable_is_a_fault_and_the_keypads_work_again(live_server, bridged):
    keypads, bridge, press = bridged
    manager = HallClient(live_server.url, TOKENS["manager"])
    assert _shows(keypads, 2, "未登录")
    _staff(live_server, 2)
    keypads.line.pull()

    def health(device):
        return next(d for d in manager.devices() if d.device == device)
    wait_until(lambda: health("window-2-keypad").state == "fault")
    assert "port failed" in health("window-2-keypad").detail
    ticket = HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    press(2, Key.CALL_NEXT)                               # pressed while unplugged
    keypads.line.plug_in()
    assert _shows(keypads, 2, ticket.number, Style.CALLED)
    wait_until(lambda: health("window-2-keypad").state == "ok")
    assert health("window-2-keypad").state == "ok"
    assert all(thread.is_alive() for thread in bridge.threads)


# ------------------------------------------------------------------ the keypad role

def test_a_keypad_bridge_acts_only_at_its_windows_as_their_clerk(api):
    keypad = api.as_(TOKENS["keypad"])
    refused = keypad.post("/api/windows/1/call-next")
    assert refused.status_code == 403 and refused.get_json()["code"] == "keypad_no_clerk"
    clerk = api.as_(clerk_token(1))
    clerk.post("/api/windows/1/login")
    clerk.post("/api/windows/1/open")
    assert keypad.post("/api/windows/1/call-next").status_code == 200
    assert keypad.post("/api/windows/1/pause", json={"reason": "break"}).status_code == 200
    # not its window: the demo's bridge owns the keypads of windows 1-15 only
    from dataclasses import replace
    owned = api.client.application.extensions["yichuang.service"].settings
    assert {d.window for d in owned.devices if d.owner == "keypad-bridge"} == set(range(1, 16))
    del replace
    # never anything else: a ticket, a transfer, a log-in, the figures
    for method, path, body in [("post", "/api/tickets", {"subject": "SS-0101"}),
                               ("post", "/api/windows/1/transfer", {"note": "x"}),
                               ("post", "/api/windows/1/login", {}),
                               ("post", "/api/windows/1/park", {}),
                               ("get", "/api/stats", None)]:
        answer = getattr(keypad, method)(path, json=body) if body is not None \
            else keypad.get(path)
        assert answer.status_code == 403 and answer.get_json()["error"] == "wrong_role", path


def test_a_keypad_bridge_may_not_act_at_a_window_whose_keypad_it_does_not_own(
        settings, db_path, clock):
    from dataclasses import replace

    from server.app import create_app
    from tests.conftest import Api
    devices = tuple(replace(d, owner="") if d.kind == "keypad" and d.window == 2 else d
                    for d in settings.devices)
    app = create_app(replace(settings, devices=devices), database=db_path, clock=clock)
    try:
        api = Api(app.test_client(), clerk_token(2))
        api.post("/api/windows/2/login")
        api.post("/api/windows/2/open")
        refused = api.as_(TOKENS["keypad"]).post("/api/windows/2/call-next")
        assert refused.status_code == 403
        assert refused.get_json()["code"] == "keypad_not_its_window"
    finally:
        app.extensions["yichuang.service"].close()


# ------------------------------------------------------------------ the command

def test_the_keypads_command_acts_and_stops_on_sigterm(live_server, tmp_path):
    keypads = ScriptedKeypads(tmp_path, answering={1, 2})
    hall = (ROOT / DEMO_HALL).read_text(encoding="utf-8")
    for n in (1, 2):
        hall = hall.replace(f'url = "fake://keypads?address={n}"',
                            f'url = "{keypads.line.url}?address={n}"')
    (tmp_path / "hall.toml").write_text(hall, encoding="utf-8")
    _staff(live_server, 1)
    ticket = HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    process = subprocess.Popen(
        [sys.executable, "-m", "yichuang.cli", "keypads", "--hall", str(tmp_path / "hall.toml"),
         "--server", live_server.url, "--token", TOKENS["keypad"], "--answer-timeout", "0.2"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        wait_until(lambda: any("yichuang keypads: 15" in line for line in lines), timeout=30)
        assert any("15 keypads on 2 buses" in line for line in lines), lines
        assert _shows(keypads, 2, "未登录")
        keypads.press(1, Key.CALL_NEXT, 1)
        assert _shows(keypads, 1, ticket.number, Style.CALLED)
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        reader.join(5)
        assert "yichuang keypads: stopped\n" in lines and not any(
            "Traceback" in line for line in lines), lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()
        keypads.line.close()


def test_the_keypads_command_refuses_another_role(live_server):
    done = subprocess.run(
        [sys.executable, "-m", "yichuang.cli", "keypads", "--server", live_server.url,
         "--token", TOKENS["display"]], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "not a keypad bridge" in done.stderr
