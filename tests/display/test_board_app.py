"""The Kivy board offscreen, fed by the real server's display stream on 127.0.0.1.

A call made through the API is on screen in the frame after the stream thread hands
its event over; a reconnect (the stream dropped and resumed, or the server itself
restarted) catches up without flashing or announcing an old call again; the call
digits keep the size rule in both orientations; screenshots are saved (SCREENSHOTS).
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

import pytest

from display.driver import prepare_headless

prepare_headless(tempfile.mkdtemp(prefix="kivy-board-"))

from server.client import HallClient  # noqa: E402
from tests.conftest import DEMO_HALL, ROOT, SCREENSHOTS, TOKENS, clerk_token  # noqa: E402


@pytest.fixture(scope="session")
def board_window():
    from kivy.config import Config

    from display.driver import window
    # a square surface holds both orientations (another package's conftest may have
    # asked for a narrower one before the window exists)
    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1920")
    return window()


@pytest.fixture
def make_board(board_window, settings):
    """make_board(url, orientation="landscape", hall=None, clock=None) -> BoardDriver;
    the board's `announced` list holds what its on_call hook received."""
    from display.app import HallBoard
    from display.driver import BoardDriver
    made = []

    def make(url: str, orientation: str = "landscape", hall=None, clock=None):
        announced: list = []
        board = HallBoard(hall or settings, HallClient(url, TOKENS["display"], timeout=3),
                          orientation=orientation, clock=clock, on_call=announced.append)
        board.announced = announced
        driver = BoardDriver(board, board_window)
        made.append(driver)
        board.start()
        driver.wait_until(lambda: board.board.loaded, what="the stream's snapshot")
        return driver
    yield make
    for driver in made:
        driver.close()


def staffed(url: str, *windows: int) -> dict[int, HallClient]:
    clerks = {}
    for number in windows:
        clerk = clerks[number] = HallClient(url, clerk_token(number))
        clerk.log_in(number)
        clerk.open_window(number)
    return clerks


def called(answer) -> tuple[str, int]:
    """The ticket number and event id of the TicketCalled in a window's answer."""
    event = next(e for e in answer.events if e.type == "TicketCalled")
    return event.event.number, event.id


def test_a_call_shows_in_the_frame_after_its_event_arrives(live_server, make_board):
    clerks = staffed(live_server.url, 1, 2)
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    for subject in ("SS-0101", "SS-0102", "BDC-0401"):
        kiosk.issue_ticket(subject)
    driver = make_board(live_server.url, clock=live_server.clock)
    board, rows = driver.board, driver.call_rows()
    assert rows[0].call is None and driver.find_text("请留意叫号")
    for window in (1, 2):
        handed = board.handed_over
        number, event_id = called(clerks[window].call_next(window))
        driver.wait_for_hand_over(handed + 1)      # the stream thread handed it over ...
        driver.frame()                              # ... and the next frame shows it
        assert (rows[0].number.text, rows[0].window.text) == (number, str(window))
        assert rows[0].highlighted and rows[0].call["event_id"] == event_id
        assert board.announced[-1].id == event_id and board.drawn_id == event_id
    assert rows[1].number.text != "" and rows[1].window.text == "1"
    assert [e.type for e in board.announced] == ["TicketCalled", "TicketCalled"]
    driver.wait_until(lambda: rows[0].flashing, what="the flash colour")
    assert driver.screenshot(SCREENSHOTS / "board-kivy-call-landscape.png").exists()


def test_a_dropped_stream_catches_up_without_flashing_old_calls(live_server, make_board):
    clerks = staffed(live_server.url, 1, 2)
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    for _ in range(3):
        kiosk.issue_ticket("SS-0101")
    driver = make_board(live_server.url, clock=live_server.clock)
    board = driver.board
    first, first_id = called(clerks[1].call_next(1))
    driver.wait_until(lambda: board.flashed == [first_id], what="the first call")
    board.stream.close()                            # the connection drops ...
    board._thread.join(5)
    second, second_id = called(clerks[2].call_next(2))      # ... a call is missed ...
    board.restart_stream()                          # ... and it resumes (Last-Event-ID)
    driver.wait_until(lambda: board.flashed == [first_id, second_id], what="the catch-up")
    driver.pump(5)
    assert [e.id for e in board.announced] == [first_id, second_id]
    assert [(r.number.text, r.highlighted) for r in driver.call_rows()[:2]] == [
        (second, True), (first, True)]              # the first still within its 8 s
    # from nothing (no Last-Event-ID): a snapshot; both calls shown, neither new again
    handed = board.handed_over
    board.restart_stream(from_snapshot=True)
    driver.wait_for_hand_over(handed + 1)
    driver.frame()
    assert {r.number.text for r in driver.call_rows()[:2]} == {first, second}
    assert board.flashed == [first_id, second_id] and len(board.announced) == 2


def test_a_server_restart_is_caught_up_by_the_board_itself(settings, tmp_path, make_board):
    from server.app import create_app
    from server.wsgi import BackgroundServer, free_port
    from tests.conftest import MONDAY, RunningClock
    database, port, clock = str(tmp_path / "hall.db"), free_port(), RunningClock(MONDAY)

    def serve():
        app = create_app(settings, database=database, clock=clock)
        app.config["SSE_KEEPALIVE_SECONDS"] = 0.5
        return app, BackgroundServer(app, threads=16, port=port)
    app, server = serve()
    with server:
        url = server.url
        clerk = staffed(url, 1)[1]
        kiosk = HallClient(url, TOKENS["kiosk"])
        for _ in range(3):
            kiosk.issue_ticket("SS-0101")
        driver = make_board(url, clock=clock)
        board = driver.board
        first, first_id = called(clerk.call_next(1))
        driver.wait_until(lambda: board.flashed == [first_id], what="the first call")
    app.extensions["yichuang.service"].close()      # the server is gone ...
    driver.pump(10)
    app, server = serve()                           # ... and back, on the same port
    with server:
        connections = board.stream.connections
        driver.wait_until(lambda: board.stream.connections > connections, timeout=20,
                          what="the stream's own reconnect")
        clerk.finish_service(1)
        second, second_id = called(clerk.call_next(1))
        driver.wait_until(lambda: board.flashed == [first_id, second_id], what="the new call")
        driver.pump(3)
        assert [e.id for e in board.announced] == [first_id, second_id]
        assert driver.call_rows()[0].number.text == second
        assert first in [t for t in driver.texts()]          # now among the recent calls
    app.extensions["yichuang.service"].close()


def ink_height(label) -> int:
    """Rows of the label's texture that hold ink (the glyphs' height, in pixels)."""
    label.texture_update()
    texture = label.texture
    pixels, width = texture.pixels, texture.width
    rows = [pixels[y * width * 4:(y + 1) * width * 4][3::4] for y in range(texture.height)]
    return sum(1 for row in rows if max(row) > 128)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_each_orientation_on_1920_by_1080(live_server, make_board, settings, orientation):
    clerks = staffed(live_server.url, 1, 2, 3, 5)
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    named = kiosk.issue_ticket("SS-0101", id_card="610103199808160111", id_card_read=True,
                               holder_name="张小三").ticket.number
    for subject in ("SS-0102", "BDC-0401", "SS-0103", "SW-0301", "SS-0101"):
        kiosk.issue_ticket(subject)
    clerks[5].pause_window(5, "lunch")
    hall = replace(settings, board=replace(settings.board, notice="请妥善保管号票"))
    driver = make_board(live_server.url, orientation, hall=hall, clock=live_server.clock)
    clerks[1].call_ticket(1, named)
    clerks[2].call_next(2)
    clerks[2].finish_service(2)
    clerks[2].call_next(2)
    driver.wait_until(lambda: len(driver.board.flashed) == 3, what="three calls")
    driver.pump(3)
    width, height = driver.window.size
    assert (width, height) == ((1920, 1080) if orientation == "landscape" else (1080, 1920))
    rows = driver.call_rows()
    # the size rule: a call's digits are at least 1/6 of the screen's shorter side
    assert ink_height(rows[0].number) >= min(width, height) / 6
    assert all(row.number.font_size == rows[0].number.font_size for row in rows)
    assert any("张*三" in row.detail.text for row in rows)
    assert driver.find_text("暂停服务：5号窗口（午休）")
    assert driver.find_text("今日办公 08:30—17:30")
    assert driver.find_text("请妥善保管号票")
    assert driver.find_text("最近呼叫") and driver.find_text("商事登记")
    # nothing is drawn outside the screen
    for widget in driver.widgets():
        x, y = widget.to_window(*widget.pos)
        assert y >= -1 and y + widget.height <= height + 1, (widget, widget.pos, widget.size)
    assert driver.screenshot(SCREENSHOTS / f"board-kivy-{orientation}.png").exists()


def lines_until(process: subprocess.Popen, marker: str, within: float) -> list[str]:
    """The lines a process printed before the one with `marker` (Kivy or the sound
    library may warn first, more so on a loaded machine); fails after `within` seconds
    or when the process ends, with what it printed."""
    deadline, seen = time.monotonic() + within, []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if not ready:
            continue
        line = process.stdout.readline()
        if not line:
            break
        if marker in line:
            return seen
        seen.append(line.rstrip("\n"))
    raise AssertionError(f"no {marker!r} within {within} s (exit {process.poll()}): {seen}")


def test_the_display_command_runs_and_stops_on_sigterm(live_server, tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path),
               KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "yichuang.cli", "display", "--hall", str(DEMO_HALL),
         "--server", live_server.url, "--token", TOKENS["display"], "--windowed"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        before = lines_until(process, "yichuang display: ready", within=60.0)
        # pyttsx3's voice chatter once set up a console log for the whole process
        assert not [line for line in before if "DEBUG" in line], before
        time.sleep(1)
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()


def test_the_board_speaks_each_new_call_once_through_the_hall_s_voice(
        live_server, board_window, settings, tmp_path):
    """The voice as `yichuang display` wires it (display.launcher.voice_for): the
    board's call hook turns each new call into one announcement, a real espeak-ng
    WAV in the output directory; a fresh snapshot says nothing again; a recall is
    said again."""
    import wave

    from display.app import HallBoard
    from display.driver import BoardDriver
    from display.launcher import voice_for
    from display.voice import DirectoryOutput
    # the WAVs without waiting out each sentence: what is tested is what is said, once
    on_call, announcer = voice_for(str(DEMO_HALL), DirectoryOutput(tmp_path / "voice",
                                                                   paced=False))
    clerks = staffed(live_server.url, 1)
    HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    board = HallBoard(settings, HallClient(live_server.url, TOKENS["display"], timeout=3),
                      clock=live_server.clock, on_call=on_call)
    driver = BoardDriver(board, board_window)
    try:
        board.start()
        driver.wait_until(lambda: board.board.loaded, what="the stream's snapshot")
        number, call_id = called(clerks[1].call_next(1))
        driver.wait_until(lambda: board.drawn_id == call_id, what="the call on screen")
        handed = board.handed_over
        board.restart_stream(from_snapshot=True)   # the call again, in a snapshot
        driver.wait_for_hand_over(handed + 1)
        driver.frame()
        live_server.clock.advance(seconds=20)      # past the recall cooldown
        recall_id = next(e.id for e in clerks[1].recall(1).events
                         if e.type == "TicketRecalled")
        driver.wait_until(lambda: board.drawn_id == recall_id, what="the recall on screen")
        assert announcer.drain(timeout=60)
    finally:
        driver.close()
        announcer.close()
    played = [p for p in announcer.history if p.status == "played"]
    assert [(p.announcement.event_id, p.announcement.kind) for p in played] == [
        (call_id, "call"), (recall_id, "recall")]
    assert played[0].announcement.number == number
    for one in played:
        with wave.open(one.path) as audio:
            assert audio.getnframes() / audio.getframerate() > 2.0
