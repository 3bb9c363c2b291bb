"""What durability costs: one action's commit with synchronous FULL against NORMAL.

    bench/storage [--commits 400] [--repeat 3]

Each run issues `--commits` tickets one after another through the real HallService
(one action, one transaction, one fsync with FULL) on a fresh SQLite file in a temp
directory, and times each. Prints median and p99 per mode and FULL / NORMAL ratios
from the same run: the machine is shared, so compare ratios, not milliseconds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.actions.tickets import TicketRequest, issue_ticket
from core.figures import percentile
from core.settings.loader import load_settings
from server.service import HallService

ROOT = Path(__file__).resolve().parent.parent
MODES = ("NORMAL", "FULL")


def run(mode: str, commits: int) -> tuple[list[float], list[float]]:
    """(whole action times, commit-only times) in ms, one ticket issued per action."""
    hall = load_settings(ROOT / "config" / "demo-hall.toml")
    hall = replace(hall, server=replace(hall.server, synchronous=mode),
                   hours=replace(hall.hours, refuse_outside_hours=False))
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(hall.timezone))
    with tempfile.TemporaryDirectory() as folder:
        service = HallService(hall, str(Path(folder) / "hall.db"), clock=lambda: moment)
        store = service._store
        commit, committing = store.commit, []

        def timed_commit(*args, **kwargs):
            started = time.perf_counter()
            try:
                return commit(*args, **kwargs)
            finally:
                committing.append(1000 * (time.perf_counter() - started))
        store.commit = timed_commit
        actions = []
        for n in range(commits):
            request = TicketRequest(subject="SS-0101", phone_token=f"token-{n}")
            started = time.perf_counter()
            service.act(lambda h, now, r=request: issue_ticket(h, r, now))
            actions.append(1000 * (time.perf_counter() - started))
            if n % 20 == 19:           # keep the line short, as a served hall's is
                service.act(lambda h, now: _serve_all(h, now))
        service.close()
    return actions, committing[:commits]


def _serve_all(hall, now):
    from core.actions.tickets import cancel_ticket
    events = []
    for number in list(hall.waiting_numbers()):
        events += cancel_ticket(hall, number, "bench", now)
    return events


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench/storage", description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.repeat):
        for mode in MODES:            # interleaved, so both see the same machine
            for part, times in zip(("action", "commit"), run(mode, args.commits)):
                figures.setdefault((part, mode), []).append(
                    (statistics.median(times), percentile(times, 99)))
    print(f"Issue a ticket: {args.commits} actions per run, medians of {args.repeat} runs")
    print(f"{'what':8} {'synchronous':12} {'median ms':>10} {'p99 ms':>8}")
    summary = {}
    for (part, mode), runs in figures.items():
        summary[(part, mode)] = (statistics.median(m for m, _ in runs),
                                 statistics.median(p for _, p in runs))
        print(f"{part:8} {mode:12} {summary[(part, mode)][0]:10.3f} "
              f"{summary[(part, mode)][1]:8.3f}")
    for part in ("action", "commit"):
        full, normal = summary[(part, "FULL")], summary[(part, "NORMAL")]
        print(f"{part}: FULL / NORMAL median x{full[0] / normal[0]:.2f}, "
              f"p99 x{full[1] / normal[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
