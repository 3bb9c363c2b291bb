"""The cost of one full wait forecast of the live hall, with and without the citizens
still to come (`Hall.expected_arrivals`).

    .venv/bin/python -m bench.forecast_cost [--waiting 300] [--repeat 30] [--days 5]

The demo hall with every window open at 09:30 and `--waiting` tickets in line (the
generated day's first ones); the arrival model learned from `--days` generated days
(simulator.generator, the demo hall at load 0.8). Prints the median time of
`WaitEstimator`'s full forecast, without history and with it.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.actions.staffing import log_in, open_window
from core.actions.tickets import TicketRequest, issue_ticket
from core.forecast.live import WaitEstimator
from core.hall import Hall
from core.settings.loader import load_settings
from simulator.generator import generate_trace

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=ZONE)


def hall_with_line(settings, waiting: int) -> Hall:
    hall = Hall(settings, NOW.date().isoformat(), WaitEstimator())
    for window in settings.windows:
        log_in(hall, window.number, f"clerk-{window.number:02d}", "")
        open_window(hall, window.number)
    trace = [t for day in range(100, 110) for t in generate_trace(settings, day)
             if t.appointment_slot is None]
    for index, ticket in enumerate(trace[:waiting]):
        issued = NOW - timedelta(seconds=waiting - index)
        issue_ticket(hall, TicketRequest(subject=ticket.matter, phone_token=f"t{index}"),
                     issued)
    hall.take_changes()
    return hall


def timed(hall: Hall, repeat: int) -> tuple[float, int]:
    times = []
    for _ in range(repeat):
        estimator = WaitEstimator()
        start = time.perf_counter()
        estimator._full(hall, NOW)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), len(hall.expected_arrivals(NOW))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    from dataclasses import replace
    settings = load_settings(ROOT / "config" / "demo-hall.toml")
    settings = replace(settings, rules=replace(settings.rules,
                                               tickets_per_device_per_minute=10**6,
                                               tickets_per_address_per_minute=10**6))
    hall = hall_with_line(settings, args.waiting)
    waiting = len(hall.waiting_views())
    before, _ = timed(hall, args.repeat)
    for day in range(args.days):
        hall.arrivals.observe_day(f"d{day}", (
            (t.arrival, t.matter, t.priority, t.appointment_slot)
            for t in generate_trace(settings, day)))
    hall._arrival_schedule = None
    after, expected = timed(hall, args.repeat)
    print(f"full forecast, demo hall, {len(hall.open_windows())} windows open, "
          f"{waiting} waiting at {NOW:%H:%M}, median of {args.repeat}:")
    print(f"  without arrivals:                      {before:6.1f} ms")
    print(f"  with arrivals ({args.days} days learned, "
          f"{expected} expected after now): {after:6.1f} ms")


if __name__ == "__main__":
    main()
