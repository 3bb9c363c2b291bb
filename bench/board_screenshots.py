"""Screenshots of the hall's board, Kivy and web, landscape and portrait, for
docs/display.md.

    .venv/bin/python -m bench.board_screenshots docs/images/

Runs the demo hall's server in this process (a Monday morning on its clock), fills
the hall (windows open, numbers taken over the morning, calls, a pickup call, a
masked holder name, windows paused), then draws the Kivy board offscreen at
1920 x 1080 and 1080 x 1920, and the web board in headless Chromium at both sizes.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from display.driver import prepare_headless

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fill_hall(url: str, clock: Clock) -> None:
    """A busy morning: numbers taken from 09:00, calls from 09:35, a result picked up,
    one caller's masked name (read from the ID card), a window at lunch."""
    from server.client import HallClient
    kiosk = HallClient(url, "demo-kiosk-1")
    manager = HallClient(url, "demo-manager")
    clerks = {n: HallClient(url, f"demo-clerk-{n:02d}") for n in (1, 2, 3, 4, 5, 6, 8, 13)}
    for number, clerk in clerks.items():
        clerk.log_in(number)
        clerk.open_window(number)
    subjects = ("SS-0101", "BDC-0401", "SB-0501", "SS-0102", "GA-0701", "SW-0301",
                "GJJ-0901", "MZ-0801")
    named = kiosk.issue_ticket("SS-0101", id_card="610103199808160111", id_card_read=True,
                               holder_name="张小三").ticket.number
    for i in range(40):
        kiosk.issue_ticket(subjects[i % len(subjects)])
        clock.now += timedelta(seconds=50)
    first = clerks[1].call_next(1)
    clerks[1].start_service(1)
    finished = clerks[1].finish_service(1, open_case=True)
    case = next(e.event.case_number for e in finished.events if e.type == "CaseOpened")
    manager.approve_case(case)
    for number in (1, 3, 4, 6, 8):
        clerks[number].call_next(number)
        if number in (3, 6):
            clerks[number].finish_service(number)
            clerks[number].call_next(number)
        clock.now += timedelta(seconds=40)
    clerks[2].call_ticket(2, named)
    clerks[13].call_case(13, case)
    clerks[5].pause_window(5, "lunch")
    clock.now += timedelta(seconds=30)
    del first


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else ROOT / "docs" / "images")
    work = Path(tempfile.mkdtemp(prefix="board-shots-"))
    prepare_headless(work / "kivy")
    from core.settings.loader import load_settings
    from display.app import HallBoard
    from display.driver import BoardDriver, window
    from server.app import create_app
    from server.client import HallClient
    from server.wsgi import BackgroundServer
    hall = load_settings(str(ROOT / "config" / "demo-hall.toml"))
    hall = replace(hall, rules=replace(hall.rules, tickets_per_device_per_minute=10**6,
                                       tickets_per_address_per_minute=10**6))
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(hall.timezone)))
    app = create_app(hall, database=str(work / "hall.db"), clock=clock)
    made = []
    with BackgroundServer(app, threads=16) as server:
        fill_hall(server.url, clock)
        display = HallClient(server.url, "demo-display")
        win = window()
        for orientation in ("landscape", "portrait"):
            board = HallBoard(hall, display, orientation=orientation, clock=clock)
            driver = BoardDriver(board, win)
            board.start()
            driver.wait_until(lambda: board.board.loaded, what="the snapshot")
            before = board.handed_over
            clerk = HallClient(server.url, "demo-clerk-06")
            clerk.finish_service(6)
            clerk.call_next(6)                      # a new call: it flashes
            driver.wait_until(lambda: board.handed_over >= before + 2, what="the call")
            driver.wait_until(lambda: board.root.rows[0].flashing, what="the flash")
            made.append(driver.screenshot(out / f"board-{orientation}.png"))
            driver.close()
        made += web_screenshots(server.url, out, work)
    app.extensions["yichuang.service"].close()
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(made)} screenshots in {out}")
    return 0


def web_screenshots(url: str, out: Path, work: Path) -> list[Path]:
    if not shutil.which("chromedriver"):
        print("no chromedriver: web board screenshots skipped")
        return []
    from tests.browser import chromium
    made = []
    for orientation, (width, height) in (("landscape", (1920, 1080)),
                                         ("portrait", (1080, 1920))):
        browser = chromium(work / f"chromium-{orientation}", width, height,
                           "--force-device-scale-factor=1")
        try:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            browser.get(f"{url}/board?orientation={orientation}")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not browser.execute_script(
                    "return document.body.dataset.ready === '1'"):
                time.sleep(0.1)
            time.sleep(0.5)
            path = out / f"board-web-{orientation}.png"
            browser.save_screenshot(str(path))
            made.append(path)
        finally:
            browser.quit()
    return made


if __name__ == "__main__":
    sys.exit(main())
