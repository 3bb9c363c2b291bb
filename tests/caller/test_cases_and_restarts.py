"""The caller's 受审分离 and robustness, offscreen against the real server: a case
accepted with a missing material (容缺) prints its acceptance slip on the window's
printer (decoded back to paper, its QR read back), a pickup window calls a ready case
by number and by the slip's scanned QR, a server restart keeps the clerk's ticket,
an action pressed while the server is down is carried out once, and an expired log-in
comes back to the log-in keeping the window's state."""
from __future__ import annotations

from pyzbar.pyzbar import decode as read_qr_codes

from hardware.escpos_image import decode
from hardware.ports import reset_fakes
from hardware.printer import open_printer
from server.client import HallClient
from tests.caller.conftest import logged_in
from tests.conftest import SCREENSHOTS, TOKENS


def accept_with_a_missing_material(hall, make_caller):
    """A company change (SS-0103, opens a case) finished at window 1 with one material
    not ticked off; returns the driver and the printer."""
    reset_fakes()
    printer = open_printer("fake://caller-window-1", mode="image", columns=48)
    HallClient(hall.url, TOKENS["kiosk"]).issue_ticket("SS-0103")
    driver = logged_in(make_caller(hall.url, 1, printer=printer, clock=hall.clock))
    driver.key("F1")
    driver.settle()
    needs = driver.caller.checklist()
    for need in needs[:-1]:                      # everything handed in but the last
        driver.click(f"tick:{need.id}")
    assert driver.button(f"tick:{needs[0].id}").ticked
    driver.key("F3")
    driver.settle()
    driver.key("F4")                             # the 容缺 panel: the last one is missing
    panel = driver.caller.panel
    assert panel.missing == {needs[-1].id} and driver.find_text("补齐期限")
    driver.screenshot(SCREENSHOTS / "caller-finish-missing.png")
    driver.key("Enter")
    driver.settle()
    return driver, printer, needs[-1]


def test_a_case_with_a_missing_material_prints_its_slip(hall, make_caller):
    driver, printer, missing = accept_with_a_missing_material(hall, make_caller)
    case = driver.caller.last_case
    assert case is not None and case.missing_materials == (missing.name,)
    driver.wait_until(lambda: "受理通知书已打印" in driver.caller.message, what="the slip")
    paper = decode(printer.fake.written, columns=48)
    url = f"{hall.app.extensions['yichuang.service'].settings.server.public_url}/c/{case.token}"
    assert [c.data.decode() for c in read_qr_codes(paper.image.convert("L"))] == [url]
    assert paper.cuts == 1
    paper.image.save(SCREENSHOTS / "caller-printed-slip.png")
    assert driver.find_text(f"刚受理的办件：{case.number}")
    driver.screenshot(SCREENSHOTS / "caller-full-case.png")


def test_a_pickup_window_calls_a_ready_case_by_number_and_by_scan(hall, make_caller):
    manager = HallClient(hall.url, TOKENS["manager"])
    first = accepted_case(hall, make_caller, manager)
    second = accepted_case(hall, make_caller, manager)
    driver = logged_in(make_caller(hall.url, 13, clock=hall.clock), "li")
    driver.key("F11")
    driver.type_into(driver.caller.panel.text, first.number.lower())     # typed
    driver.key("Enter")
    driver.settle()
    assert driver.caller.ticket.case_number == first.number
    assert driver.caller.ticket.state == "called"
    driver.key("F4")
    driver.settle()
    assert manager.public_case(first.token)["status"] == "picked_up"
    driver.key("F11")                                   # the slip's QR, scanned
    driver.type_into(driver.caller.panel.text, f"http://hall.example/c/{second.token}")
    driver.click("confirm")
    driver.settle()
    assert driver.caller.ticket.case_number == second.number
    assert driver.find_text(f"办件编号：{second.number}")
    driver.screenshot(SCREENSHOTS / "caller-full-pickup.png")


def accepted_case(hall, make_caller, manager):
    HallClient(hall.url, TOKENS["kiosk"]).issue_ticket("SS-0103")
    driver = logged_in(make_caller(hall.url, 1, clock=hall.clock))
    driver.key("F1")
    driver.settle()
    for need in driver.caller.checklist():
        driver.click(f"tick:{need.id}")
    driver.key("F4")                                     # all handed in: no panel
    driver.settle()
    case = driver.caller.last_case
    assert case is not None and case.missing_materials == ()
    manager.approve_case(case.number)
    driver.click("log_out")
    driver.settle()
    driver.close()
    return case


def test_a_server_restart_keeps_the_ticket_and_a_press_is_done_once(settings, tmp_path,
                                                                    make_caller):
    from server.app import create_app
    from server.wsgi import BackgroundServer, free_port
    from tests.conftest import MONDAY, RunningClock
    from tests.server.people_support import add_people
    database, port, clock = str(tmp_path / "hall.db"), free_port(), RunningClock(MONDAY)

    def serve():
        app = create_app(settings, database=database, clock=clock)
        return app, BackgroundServer(app, threads=16, port=port)
    app, server = serve()
    add_people(app)
    with server:
        url = server.url
        kiosk = HallClient(url, TOKENS["kiosk"])
        number = kiosk.issue_ticket("SS-0102").number
        kiosk.issue_ticket("SS-0102")
        driver = logged_in(make_caller(url, 1, clock=clock))
        driver.key("F1")
        driver.settle()
        assert driver.caller.ticket.number == number
    app.extensions["yichuang.service"].close()          # the server is gone ...
    driver.wait_until(lambda: "无法连接" in driver.caller.message, what="the offline notice")
    assert driver.caller.ticket.number == number and driver.find_text(number)
    driver.key("F3")                                    # start, pressed while it is down
    driver.wait_until(lambda: driver.caller.asking.tries >= 2, what="the retries")
    app, server = serve()                               # ... and back, on the same port
    with server:
        driver.settle(20)
        assert driver.caller.ticket.number == number
        assert driver.caller.ticket.state == "serving"
        history = HallClient(url, TOKENS["manager"]).ticket(number).history
        assert [h.action for h in history].count("started") == 1
        driver.wait_until(lambda: driver.caller.online and driver.caller.history)
    app.extensions["yichuang.service"].close()


def test_an_expired_log_in_comes_back_to_the_log_in_keeping_the_window(hall, make_caller):
    HallClient(hall.url, TOKENS["kiosk"]).issue_ticket("SS-0102")
    driver = logged_in(make_caller(hall.url, 1, clock=hall.clock))
    driver.key("F1")
    driver.settle()
    number = driver.caller.ticket.number
    hall.clock.advance(hours=13)                         # past the session's 12 hours
    driver.wait_until(lambda: driver.caller.mode == "log_in", what="the log-in again")
    assert driver.find_text("登录已失效") or driver.caller.message
    logged_in(driver)
    assert driver.caller.ticket.number == number and driver.caller.window.status == "open"


def test_the_caller_command_runs_and_stops_on_sigterm(live_server, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import DEMO_HALL, ROOT
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path),
               KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "yichuang.cli", "caller", "--hall", str(DEMO_HALL),
         "--server", live_server.url, "--window", "3", "--windowed"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = []                 # the window's printer and Kivy may log before "ready"
        while not any("yichuang caller: ready (window 3" in line for line in seen):
            line = process.stdout.readline()
            assert line, "".join(seen)[-2000:]         # it ended without being ready
            seen.append(line)
        time.sleep(1)
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()
