"""Screenshots of the clerk's caller for docs/caller.md: the log-in, the full view with
people waiting, a called ticket with its checklist and a transfer note, the 容缺 finish
panel, the compact bar, and the acceptance slip it printed (decoded back to paper).

    .venv/bin/python -m bench.caller_screenshots docs/images/

Runs the demo hall's server in this process (a Monday at 10:10 on its clock), with
numbers taken over the morning, and drives the caller offscreen (caller/driver.py).
"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from caller.driver import prepare_headless

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else ROOT / "docs" / "images")
    out.mkdir(parents=True, exist_ok=True)
    prepare_headless(tempfile.mkdtemp(prefix="kivy-caller-shots-"))
    from caller.app import Caller
    from caller.driver import CallerDriver
    from core.settings.loader import load_settings
    from hardware.escpos_image import decode
    from hardware.printer import open_printer
    from server.app import create_app
    from server.client import HallClient
    from server.passwords import hash_password
    from server.sessions import add_person
    from server.wsgi import BackgroundServer
    settings = load_settings(ROOT / "config" / "demo-hall.toml")
    settings = replace(settings, rules=replace(settings.rules,   # a morning's numbers at once
                                               tickets_per_device_per_minute=1000,
                                               tickets_per_address_per_minute=1000))
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(settings.timezone)))
    database = Path(tempfile.mkdtemp(prefix="caller-shots-")) / "hall.db"
    app = create_app(settings, database=str(database), clock=clock)
    password = hash_password("demo1234")
    app.extensions["yichuang.service"].with_people(
        lambda conn, now: [add_person(conn, name, shown, "clerk", "", password, now)
                           for name, shown in (("clerk01", "王小明"), ("clerk02", "李红"))],
        write=True)
    with BackgroundServer(app, threads=16) as server:
        kiosk = HallClient(server.url, "demo-kiosk-1")
        for minute, subject in enumerate(("SS-0102", "SS-0103", "SS-0101", "SS-0102",
                                          "SS-0103", "SS-0101", "SS-0102")):
            clock.now += timedelta(minutes=7 + minute)
            kiosk.issue_ticket(subject)
        clock.now = clock.now.replace(hour=10, minute=10)
        printer = open_printer("fake://caller-shots", mode="image", columns=48)
        caller = Caller(settings, HallClient(server.url), 1, printer=printer, clock=clock)
        driver = CallerDriver(caller)
        driver.screenshot(out / "caller-log-in.png")
        driver.log_in("clerk01", "demo1234")
        driver.wait_until(lambda: caller.waiting.tickets, what="the waiting list")
        driver.screenshot(out / "caller-full.png")
        driver.key("F10")
        driver.click(f"choose:{caller.waiting.tickets[1].number}")   # the company change
        driver.settle()
        needs = caller.checklist()
        for need in needs[:-1]:
            driver.click(f"tick:{need.id}")
        driver.key("F3")
        driver.settle()
        driver.screenshot(out / "caller-full-serving.png")
        driver.key("F4")
        driver.screenshot(out / "caller-finish-missing.png")
        driver.key("Enter")
        driver.settle()
        driver.wait_until(lambda: "受理通知书已打印" in caller.message, what="the slip")
        decode(printer.fake.written, columns=48).image.save(out / "caller-slip.png")
        driver.key("F1")
        driver.settle()
        driver.key("Tab")
        driver.screenshot(out / "caller-compact.png")
        driver.close()
    app.extensions["yichuang.service"].close()
    print(f"caller screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
