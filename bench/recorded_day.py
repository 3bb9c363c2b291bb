"""Coverage of the 80% range, and the estimates' error, on a day recorded by the real server.

    bench/recorded-day [--history 1] [--seed 2] [--keep DIR]

The real server (`server.app` under cheroot on 127.0.0.1, a real SQLite file) runs the
demo hall (config/demo-hall.toml; its kiosk rate limits out of the way) on a hall clock
this driver sets: a discrete-event player moves the clock to each moment of the day and
acts there through `server.client.HallClient`, as the live demo does in real time
(`simulator.live.live_day` at pace 1: the generator's day with its walks, no-shows and
late citizens, each window's lunch break). Citizens take their numbers at the kiosk (an
ID card where the matter needs one, read from the card for the elderly; green numbers
from the duty manager); each window's clerk calls the next number when free, waits for
the citizen to walk up, serves for the script's time and finishes; a no-show or a late
citizen is recalled after the cooldown. Appointments come as walk-ins and transfers are
left out, as in the live demo. The server answers every estimate as it would in a hall.

`--history` days (seeds `seed - history` ...) are recorded first, so that the range's
calibrator, the service times and the arrival model have the hall's own past when the
measured day begins (the day rolls over in the running server; nothing is restarted).
Then, from the database alone: each ticket's estimate at issue (`tickets.eta_minutes`),
its range at issue (`eta_low`, `eta_high` of its `TicketIssued` event: the tickets
table keeps only the point) and its actual wait (`tickets.wait_seconds`, issue to first
call). It prints, for the measured day (and each history day): the range's coverage,
the point's mean absolute error and the share within ±5 minutes.
"""
from __future__ import annotations

import argparse
import heapq
import itertools
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.allocation import can_serve, window_view_of
from core.allocation.interface import WaitingTicket
from core.settings.loader import load_settings
from core.settings.schema import HallSettings, Priority
from server.client import ApiError, HallClient
from simulator.live import Citizen, live_day
from yichuang.live_hall import CROWD_TOKEN, LUNCH, STAFF_TOKEN, clerk_token, id_card_number

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = date(2026, 11, 23)          # a Monday; the days follow (Monday to Friday)


class HallClock:
    """The server's clock, set by the player."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def bench_settings() -> HallSettings:
    hall = load_settings(ROOT / "config" / "demo-hall.toml")
    rules = replace(hall.rules, tickets_per_device_per_minute=10**6,
                    tickets_per_address_per_minute=10**6)
    return replace(hall, rules=rules, server=replace(hall.server, synchronous="NORMAL"))


class DayPlayer:
    """One day of the script against the server, event by event on the hall clock."""

    def __init__(self, settings: HallSettings, url: str, clock: HallClock, day: date,
                 seed: int, serials: itertools.count) -> None:
        self.settings, self.clock, self.day = settings, clock, day
        self.script = live_day(settings, seed, pace=1.0)
        self.kiosk, self.staff = HallClient(url, CROWD_TOKEN), HallClient(url, STAFF_TOKEN)
        self.clerks = {w.number: HallClient(url, clerk_token(w.number))
                       for w in settings.windows}
        self.views = {w.number: window_view_of(w, settings) for w in settings.windows}
        self.serials = serials
        self.events: list = []
        self.order = itertools.count()
        self.idle: set[int] = set()
        self.lunch_due: set[int] = set()
        self.citizens: dict[str, Citizen] = {}
        self.issued = self.called = self.refused = 0

    def at(self, seconds: float, action, *args) -> None:
        heapq.heappush(self.events, (seconds, next(self.order), action, args))

    def run(self) -> None:
        start = self.script.starts_at
        for window in self.settings.windows:
            self.at(start, self.sit_down, window.number)
            lunch = self.script.breaks.get(window.number)
            if lunch:
                self.at(start + lunch[0], self.lunch_begins, window.number, start + lunch[1])
        for citizen in self.script.citizens:
            self.at(start + citizen.at, self.issue, citizen)
        while self.events:
            seconds, _, action, args = heapq.heappop(self.events)
            midnight = datetime.combine(self.day, datetime.min.time(),
                                        tzinfo=ZoneInfo(self.settings.timezone))
            self.clock.now = midnight + timedelta(seconds=seconds)
            action(seconds, *args)

    # --- the citizens ---------------------------------------------------------------
    def issue(self, now: float, citizen: Citizen) -> None:
        subject = self.settings.subject(citizen.matter)
        serial = next(self.serials)
        elderly = citizen.priority is Priority.ELDERLY
        card = id_card_number(serial, elderly) if elderly or subject.real_name else None
        try:
            if citizen.priority is Priority.GREEN:
                issued = self.staff.issue_ticket(subject.code, priority="green", id_card=card)
            else:
                issued = self.kiosk.issue_ticket(subject.code, id_card=card,
                                                 id_card_read=elderly)
        except ApiError as error:       # the generator's last citizens come after the
            self.refused += 1           # cutoff (30 minutes before closing): refused
            if error.code != "after_cutoff":
                raise
            return
        self.issued += 1
        self.citizens[issued.ticket.number] = citizen
        ticket = WaitingTicket(issued.ticket.number, subject.code, issued.ticket.category,
                               issued.ticket.pool, Priority(issued.ticket.priority), now)
        for window in sorted(self.idle):        # an idle window able to serve it calls
            if can_serve(self.views[window], ticket) and self.call(now, window):
                return

    # --- the clerks -----------------------------------------------------------------
    def sit_down(self, now: float, window: int) -> None:
        self.clerks[window].log_in(window)
        self.clerks[window].open_window(window)
        self.free(now, window)

    def lunch_begins(self, now: float, window: int, until: float) -> None:
        self.lunch_due.add(window)
        if window in self.idle:
            self.free(now, window)

    def free(self, now: float, window: int) -> None:
        self.idle.discard(window)
        if window in self.lunch_due:
            self.lunch_due.discard(window)
            lunch = self.script.breaks[window]
            until = self.script.starts_at + lunch[1]
            if now < until:
                self.clerks[window].pause_window(window, LUNCH)
                self.at(until, self.resume, window)
                return
        if not self.call(now, window):
            self.idle.add(window)

    def resume(self, now: float, window: int) -> None:
        self.clerks[window].resume_window(window)
        self.free(now, window)

    def call(self, now: float, window: int) -> bool:
        answer = self.clerks[window].call_next(window)
        if answer.ticket is None:
            return False
        self.idle.discard(window)
        self.called += 1
        citizen = self.citizens.pop(answer.ticket.number)
        cooldown = self.settings.rules.recall_cooldown_seconds + 0.5
        if citizen.no_show:
            self.at(now + cooldown, self.act, window, "recall")
            self.at(now + cooldown + max(2.0, citizen.walk_seconds), self.act, window,
                    "no_show", True)
            return True
        walk = citizen.walk_seconds + (cooldown if citizen.late else 0.0)
        if citizen.late:
            self.at(now + cooldown, self.act, window, "recall")
        self.at(now + walk, self.act, window, "start")
        self.at(now + walk + citizen.service_seconds, self.act, window, "finish", True)
        return True

    def act(self, now: float, window: int, what: str, then_free: bool = False) -> None:
        clerk = self.clerks[window]
        {"recall": clerk.recall, "start": clerk.start_service, "finish": clerk.finish_service,
         "no_show": clerk.mark_no_show}[what](window)
        if then_free:
            self.free(now, window)


def figures(path: str, day: str) -> dict:
    """The day's estimates at issue against the actual waits, from the database alone."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        ranges = {}
        for (data,) in conn.execute("SELECT data FROM events WHERE type = 'TicketIssued' "
                                    "AND service_day = ?", (day,)):
            event = json.loads(data)
            ranges[event["number"]] = (event.get("eta_low"), event.get("eta_high"))
        rows = conn.execute("SELECT number, eta_minutes, wait_seconds FROM tickets "
                            "WHERE service_day = ? AND eta_minutes IS NOT NULL "
                            "AND wait_seconds IS NOT NULL", (day,)).fetchall()
        issued = conn.execute("SELECT count(*) FROM tickets WHERE service_day = ?",
                              (day,)).fetchone()[0]
    errors, inside = [], 0
    for number, point, seconds in rows:
        actual = seconds / 60.0
        low, high = ranges[number]
        inside += low <= actual <= high
        errors.append(point - actual)
    count = len(errors)
    return {"day": day, "issued": issued, "called": count,
            "coverage": inside / count, "mae": statistics.fmean(abs(e) for e in errors),
            "bias": statistics.fmean(errors),
            "within5": sum(abs(e) <= 5 for e in errors) / count,
            "mean_wait": statistics.fmean(s / 60.0 for _, _, s in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=1,
                        help="days recorded before the measured one (default 1)")
    parser.add_argument("--seed", type=int, default=2, help="the measured day's seed")
    parser.add_argument("--keep", help="keep the hall database in this directory")
    parser.add_argument("--no-arrivals", action="store_true",
                        help="for comparison: the server's forecast expects nobody still "
                             "to come (Hall.expected_arrivals answers nothing)")
    args = parser.parse_args(argv)
    if args.no_arrivals:
        from core.hall import Hall
        Hall.expected_arrivals = lambda hall, now: []
    from server.app import create_app
    from server.wsgi import BackgroundServer
    settings = bench_settings()
    directory = Path(args.keep or tempfile.mkdtemp(prefix="recorded-day-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = str(directory / "hall.db")
    if Path(path).exists():
        print(f"{path} exists: give an empty --keep directory", file=sys.stderr)
        return 2
    days = [FIRST_DAY + timedelta(days=index) for index in range(args.history + 1)]
    if any(day.weekday() >= 5 for day in days):
        print("at most 4 history days (Monday to Friday)", file=sys.stderr)
        return 2
    clock = HallClock(datetime.combine(days[0], datetime.min.time(),
                                       tzinfo=ZoneInfo(settings.timezone)))
    app = create_app(settings, database=path, clock=clock)
    serials = itertools.count(1)
    began = time.monotonic()
    try:
        with BackgroundServer(app, threads=8) as server:
            for index, day in enumerate(days):
                seed = args.seed - args.history + index
                player = DayPlayer(settings, server.url, clock, day, seed, serials)
                player.run()
                print(f"recorded {day} (seed {seed}): {player.issued} numbers, "
                      f"{player.called} calls, {player.refused} refused after the cutoff, "
                      f"{time.monotonic() - began:.0f} s",
                      file=sys.stderr)
    finally:
        app.extensions["yichuang.service"].close()
    print(f"bench/recorded-day: the demo hall through the real server on 127.0.0.1, "
          f"{args.history} history day(s) then the measured day (seed {args.seed})"
          f"{', without expected arrivals' if args.no_arrivals else ''}; "
          f"database {path}; {time.monotonic() - began:.0f} s")
    print(f"{'day':<22} {'issued':>6} {'called':>6} {'mean wait':>9} {'80% range':>9} "
          f"{'MAE':>6} {'bias':>6} {'±5 min':>6}")
    for index, day in enumerate(days):
        found = figures(path, day.isoformat())
        label = f"{day} {'measured' if index == len(days) - 1 else 'history'}"
        print(f"{label:<22} {found['issued']:>6} {found['called']:>6} "
              f"{found['mean_wait']:>9.1f} {found['coverage']:>9.3f} {found['mae']:>6.2f} "
              f"{found['bias']:>+6.2f} {found['within5']:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
