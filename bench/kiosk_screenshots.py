"""Screenshots of every kiosk screen, normal and large print, for docs/kiosk.md.

    .venv/bin/python -m bench.kiosk_screenshots docs/images/

Runs the demo hall's server in this process (a Monday at 09:30 on its clock), takes a
number and submits a form so the ticket and receipt screens have real data, then
draws every screen of `kiosk.gallery` offscreen at 1080 x 1920 (portrait).
"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.driver import prepare_headless

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else ROOT / "docs" / "images")
    work = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    prepare_headless(work / "kivy")
    from core.settings.loader import load_settings
    from hardware.id_reader import open_reader
    from hardware.printer import fake_printer, open_printer
    from kiosk.app import Kiosk
    from kiosk.driver import KioskDriver, window
    from kiosk.gallery import screens
    from server.app import create_app
    from server.client import HallClient
    from server.wsgi import BackgroundServer
    hall = load_settings(str(ROOT / "config" / "demo-hall.toml"))
    hall = replace(hall, rules=replace(hall.rules, tickets_per_device_per_minute=10**6,
                                       tickets_per_address_per_minute=10**6))
    now = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo(hall.timezone))
    app = create_app(hall, database=str(work / "hall.db"), clock=lambda: now)
    with BackgroundServer(app, threads=8) as server:
        client = HallClient(server.url, "demo-kiosk-1")
        for number in (1, 2, 3):          # a few windows call, so tickets have estimates
            clerk = HallClient(server.url, f"demo-clerk-{number:02d}")
            clerk.log_in(number)
            clerk.open_window(number)
        for subject in ("SS-0101", "SS-0102", "BDC-0402"):
            client.issue_ticket(subject)
        issued = client.issue_ticket("SS-0103")
        form = hall.forms[0] if getattr(hall, "forms", ()) else None
        case = None
        if form is not None:
            values = {"holder_name": "李明", "id_number": "610103199808160111",
                      "filing_kind": "long_term_residence", "destination": "陕西西安",
                      "start_date": "2026-12-01", "phone": "13912345678"}
            case = client.submit_form(form.code, {f.name: values.get(f.name, "")
                                                  for f in form.fields if f.name in values})
        fake_printer("docs-printer")
        printer = open_printer("fake://docs-printer")
        reader = open_reader(f"fake://docs-reader?file={work / 'card.json'}")
        kiosk = Kiosk(hall, client, printer=printer, reader=reader, clock=lambda: now)
        driver = KioskDriver(kiosk, window())
        driver.wait_until(lambda: kiosk.opening is not None, what="opening hours")
        made = []
        for large in (False, True):
            kiosk.set_large_print(large)
            for name, screen in screens(kiosk, issued, case):
                kiosk.home()
                if not screen.is_home:
                    kiosk.show(screen)
                suffix = "-large" if large else ""
                made.append(driver.screenshot(out / f"kiosk-{name}{suffix}.png"))
        kiosk.set_large_print(False)
        kiosk.home()
        kiosk.set_language("en")
        made.append(driver.screenshot(out / "kiosk-home-en.png"))
        driver.close()
    app.extensions["yichuang.service"].close()
    print(f"{len(made)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
