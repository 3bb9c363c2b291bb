"""`yichuang simulate`: replay a day through the real allocation code, or draw one.

    yichuang simulate --hall config/demo-hall.toml --trace T.csv --policy balanced --out R.csv
    yichuang simulate --generate --seed 7 --load 0.8 [--surge] \
        --hall config/demo-hall.toml --out T.csv
    yichuang simulate --trace T.csv --advisor [--advisor-every 15]   # the pool advisor applied

`--hall synthetic:small` / `synthetic:large` use the benchmark's built-in halls.
"""
from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from typing import Callable

from core.allocation import POLICIES
from simulator.advising import run_advised
from simulator.engine import Simulation
from simulator.generator import generate_trace
from simulator.halls import synthetic_hall
from simulator.metrics import summarize
from simulator.replay import trace_from_rows, with_window_serving
from simulator.trace import TraceError, read_trace, write_results, write_trace

DEMO_HALL = "config/demo-hall.toml"


class ProgressBar:
    """A one-line progress bar on a text stream (stderr), redrawn in place."""

    def __init__(self, stream, label: str = "simulating", width: int = 30) -> None:
        self.stream, self.label, self.width = stream, label, width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {elapsed:5.1f}s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yichuang simulate", description=__doc__.splitlines()[0])
    p.add_argument("--hall", default=DEMO_HALL, help="hall config (TOML) or synthetic:small|large")
    p.add_argument("--trace", help="trace CSV to replay")
    p.add_argument("--policy", choices=sorted(POLICIES), help="default: the hall's rules.policy")
    p.add_argument("--out", help="output CSV (results, or the trace with --generate); "
                                 "default stdout")
    p.add_argument("--from-db", metavar="HALL_DB",
                   help="replay a recorded day from the hall's SQLite file instead of --trace")
    p.add_argument("--day", help="with --from-db: the day (YYYY-MM-DD; default the latest)")
    p.add_argument("--move", action="append", default=[], metavar="WINDOW=POOL",
                   help="what if: window WINDOW serves pool POOL (repeatable)")
    p.add_argument("--advisor", action="store_true",
                   help="apply the pool advisor's moves during the day (simulator/advising.py)")
    p.add_argument("--advisor-every", type=float, default=15.0, metavar="MINUTES",
                   help="with --advisor: minutes of simulated time between decisions")
    p.add_argument("--generate", action="store_true", help="write a realistic trace instead")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--load", type=float, default=0.8, help="offered work / window capacity")
    p.add_argument("--surge", action="store_true", help="a surge day: a spike of one category")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    return p


def clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def load_hall(spec: str):
    if spec.startswith("synthetic:"):
        return synthetic_hall(spec.split(":", 1)[1])
    from core.settings.loader import load_settings
    return load_settings(spec)


@contextmanager
def _output(path: str | None):
    if path is None:
        yield sys.stdout
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle


RecordedDay = Callable[[str, str | None], tuple[str, list[dict]]]


def main(argv: list[str] | None = None, recorded_day: RecordedDay | None = None) -> int:
    """The `simulate` command. `recorded_day(path, day)` reads a hall database's day for
    `--from-db` (the launcher passes `server.storage.recorded_day`); its errors
    are ValueErrors."""
    args = build_parser().parse_args(argv)
    try:
        hall = load_hall(args.hall)
    except (OSError, ValueError, KeyError) as error:
        print(f"yichuang simulate: cannot load hall {args.hall}: {error}", file=sys.stderr)
        return 2
    if args.generate:
        if not 0 < args.load < 3:
            print("yichuang simulate: --load must be between 0 and 3", file=sys.stderr)
            return 2
        with _output(args.out) as out:
            write_trace(out, generate_trace(hall, args.seed, args.load, args.surge))
        return 0
    if not args.trace and not args.from_db:
        print("yichuang simulate: give --trace T.csv, --from-db HALL_DB, or --generate",
              file=sys.stderr)
        return 2
    try:
        hall = _moved(hall, args.move)
    except ValueError as error:
        print(f"yichuang simulate: {error}", file=sys.stderr)
        return 2
    if args.from_db and recorded_day is None:
        print("yichuang simulate: --from-db needs the hall server's storage; run it as "
              "`yichuang simulate`", file=sys.stderr)
        return 2
    return _replay(args, hall, recorded_day)


def _moved(hall, moves: list[str]):
    """The hall with the --move what-ifs applied."""
    for move in moves:
        number, _, pool = move.partition("=")
        if not number.isdigit() or not hall.has("window", int(number)):
            raise ValueError(f"--move {move}: no window {number!r} in this hall")
        if not hall.has("pool", pool):
            raise ValueError(f"--move {move}: no pool {pool!r} in this hall")
        hall = with_window_serving(hall, int(number), pool=pool)
    return hall


def _load_trace(args, hall, recorded_day: RecordedDay | None):
    if args.from_db:
        try:
            day, rows = recorded_day(args.from_db, args.day)
        except ValueError as error:
            raise TraceError(str(error)) from None
        print(f"yichuang simulate: replaying {day} from {args.from_db}", file=sys.stderr)
        return trace_from_rows(rows, hall)
    with open(args.trace, encoding="utf-8", newline="") as handle:
        return read_trace(handle, hall, args.trace)


def _replay(args, hall, recorded_day: RecordedDay | None) -> int:
    try:
        trace = _load_trace(args, hall, recorded_day)
    except TraceError as error:
        print(f"yichuang simulate: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"yichuang simulate: cannot read {args.trace}: {error.strerror}", file=sys.stderr)
        return 2
    policy = args.policy or hall.rules.policy
    show = sys.stderr.isatty() if args.progress is None else args.progress
    progress = ProgressBar(sys.stderr, f"{policy}") if show and trace else None
    if args.advisor:
        run = run_advised(hall, trace, policy, every_minutes=args.advisor_every,
                          progress=progress)
        results = run.results
        for move in run.moves:
            why = (f"for {move.advice.category}, projected mean wait "
                   f"{move.advice.mean_before:.1f} -> {move.advice.mean_after:.1f} min"
                   if move.advice else "its advice expired: back home")
            if move.kind == "help":
                until = f" until {clock(move.advice.until)}" if move.advice.until else ""
                print(f"advisor {clock(move.at)}: window {move.window} ({move.from_pool}) "
                      f"also serves {move.to_pool}{until} ({why})", file=sys.stderr)
            elif move.kind == "help_end":
                print(f"advisor {clock(move.at)}: window {move.window} stops helping "
                      f"{move.to_pool}", file=sys.stderr)
            else:
                print(f"advisor {clock(move.at)}: window {move.window} {move.from_pool} -> "
                      f"{move.to_pool} ({why})", file=sys.stderr)
        kinds = [m.kind for m in run.moves]
        print(f"advisor: {kinds.count('move')} moves, "
              f"{kinds.count('help')} helps", file=sys.stderr)
    else:
        results = Simulation(hall, trace, policy, progress=progress).run()
    with _output(args.out) as out:
        write_results(out, results)
    s = summarize(results, hall)
    print(f"{policy}: {len(results)} tickets, wait mean {s['mean']:.1f} min, "
          f"p95 {s['p95']:.1f}, max {s['max']:.1f}; ETA error {s['eta_mae']:.1f} min "
          f"(baseline formula {s['base_mae']:.1f})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
