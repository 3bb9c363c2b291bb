"""How long one server assessment of the pool advisor holds the hall's lock, and takes.

    bench/advisor-lock [--waiting 300] [--runs 5] [--history-days 5] [--skew 0.7]

The demo hall on the real server (cheroot, 127.0.0.1, a real SQLite file in a temporary
directory), every window open, `--waiting` tickets issued through the kiosk route with
the matter mix of a generated day (with `--skew S`, a share S of them drawn from area
B's matters instead: a mismatched hall, where the advisor finds advice), and
`--history-days` generated past days as the hall's arrival history (so that the
expected arrivals of the next `horizon_minutes` join the projections, as live).
The hall's clock stands at 10:30 on a Monday.
Each run is one `POST /api/advice/assess`; the hall's lock is wrapped to time every
hold the assessment makes (the snapshot's read, and the recording action with its
SQLite commit; nothing else runs meanwhile). Prints, per run and as medians: the
advices, the lock's holds (ms), `PoolAdvisor.timing` (snapshot, compute, record,
total; ms) and the request's wall time. The advisor's settings are the `[advisor]`
defaults (the benchmarked ones).
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEMO_HALL = ROOT / "config" / "demo-hall.toml"


class TimedLock:
    """The hall's lock, recording how long it is held while `on` (only the assessment
    runs then)."""

    def __init__(self, lock) -> None:
        self.lock, self.on, self.holds = lock, False, []
        self._since = threading.local()

    def acquire(self, *args, **options):
        got = self.lock.acquire(*args, **options)
        if got:
            self._since.at = time.perf_counter()
        return got

    def release(self) -> None:
        held = time.perf_counter() - getattr(self._since, "at", time.perf_counter())
        self.lock.release()
        if self.on:
            self.holds.append(held)

    __enter__ = acquire

    def __exit__(self, *exc) -> None:
        self.release()


class StillClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--waiting", type=int, default=300)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--history-days", type=int, default=5)
    p.add_argument("--skew", type=float, default=0.0)
    args = p.parse_args(argv)

    from core.settings.loader import load_settings
    from server.app import create_app
    from server.client import HallClient
    from server.wsgi import BackgroundServer
    from simulator.generator import generate_trace

    settings = load_settings(DEMO_HALL)
    settings = replace(settings, rules=replace(settings.rules,
                                               tickets_per_device_per_minute=1_000_000,
                                               tickets_per_address_per_minute=1_000_000))
    clock = StillClock(datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo(settings.timezone)))
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(settings, database=str(Path(folder) / "hall.db"), clock=clock)
        service, advisor = app.extensions["yichuang.service"], app.extensions["yichuang.advisor"]

        def learn(hall, now):
            for day in range(1, args.history_days + 1):
                trace = generate_trace(settings, seed=day)
                hall.arrivals.observe_day(f"past-{day}", [
                    (t.arrival, t.matter, t.priority, t.appointment_slot) for t in trace])
            hall._arrival_schedule = None
        service.read(learn)
        lock = service.lock = TimedLock(service.lock)
        with BackgroundServer(app, threads=16) as server:
            for window in settings.windows:
                clerk = HallClient(server.url, f"demo-clerk-{window.number:02d}")
                clerk.log_in(window.number)
                clerk.open_window(window.number)
            kiosk = HallClient(server.url, "demo-kiosk-1")
            rng = random.Random(7)
            mix = [t.matter for t in generate_trace(settings, seed=100)]
            area_b = [m for m in mix if settings.subject(m).pool == "acceptance_b"]
            for _ in range(args.waiting):
                kiosk.issue_ticket(rng.choice(area_b if rng.random() < args.skew else mix))
            manager = HallClient(server.url, "demo-manager")
            arrivals = service.read(lambda hall, now: len(hall.expected_arrivals(now)))
            print(f"demo hall, {args.waiting} waiting (skew {args.skew}), "
                  f"{len(settings.windows)} windows open, "
                  f"{arrivals} expected arrivals by closing, "
                  f"horizon {advisor.config.horizon_minutes} min, "
                  f"up to {advisor.config.advice_per_tick} advices")
            rows = []
            for run in range(args.runs):
                lock.holds = []
                started = time.perf_counter()
                lock.on = True
                answer = manager.assess_advice()
                wall = time.perf_counter() - started
                lock.on = False
                timing = dict(advisor.timing)
                rows.append((max(lock.holds), sum(lock.holds), timing, wall))
                print(f"run {run + 1}: {len(answer['advice'])} open advices, lock holds "
                      f"{', '.join(f'{h * 1000:.1f}' for h in lock.holds)} ms; snapshot "
                      f"{timing['snapshot'] * 1000:.1f}, compute {timing['compute'] * 1000:.0f},"
                      f" record {timing['record'] * 1000:.1f}, total "
                      f"{timing['total'] * 1000:.0f} ms; request {wall * 1000:.0f} ms")

            def median(values) -> float:
                return 1000 * statistics.median(values)
            print(f"median: longest lock hold {median(r[0] for r in rows):.1f} ms, all holds "
                  f"{median(r[1] for r in rows):.1f} ms; compute (off the lock) "
                  f"{median(r[2]['compute'] for r in rows):.0f} ms; total "
                  f"{median(r[2]['total'] for r in rows):.0f} ms")
        service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
