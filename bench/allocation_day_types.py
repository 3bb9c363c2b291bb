"""Issue 11's allocation bars per day type: each family day's plan, its citizens drawn anew.

    bench/allocation-day-types [--days 200] [--draws 10] [--tuning] [--skip N]
                               [--sizes small,demo,large] [--processes 2] [--guard 120]
                               [--json F]

A family day (simulator/family.py) is one plan (the loads, the category mix, the true
service times, the scarce lines, the surge, the shares) and one draw of its citizens.
On such a day one early choice changed by seconds moves the 95th percentile by 2% or
more on a fifth of the days (`bench/allocation-family`'s noise floor, `aging~30s`), so
"≤ 1.02 × aging's p95 on ≥ 90% of days" read on single draws says as much about the draw
as about the policy. Here each plan's citizens are drawn `--draws` times
(`Day.replica(k)`; draw 0 is the family's day itself) and every policy is replayed on
every draw. Printed per size, for each of issue 11's allocation bars:

* per day type: the share of plans whose *average* over the draws passes (balanced's mean
  wait averaged over the draws against fcfs's, its p95 against 1.02 × aging's, ...): what
  the policy does on such a day;
* per draw: the share of the single draws that pass, the family bench's reading on
  `--draws` times as many days;
* the same two readings for `aging~30s` (aging moved by seconds, a rule no citizen could
  tell from aging): the noise floor of each.

"Never starving" is counted per draw (every draw is a day a hall could have) and per day
type (balanced's average longest wait against the guard or 1.05 × aging's). No estimates
are made here (`eta="none"`): the estimate's bars are the family bench's.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench import results
from bench.allocation_family import (
    AgingWithOffsets,
    _progress,
    _ratio,
    add_day_arguments,
    day_figures,
    show_and_save,
    sizes_and_seeds,
    starves,
    trained_model,
)
from simulator.engine import simulate
from simulator.family import draw_day

POLICIES = ("fcfs", "aging", "balanced")
NOISE = 30.0                 # seconds of aging's offsets for the noise floor's rule
CANDIDATES = ("balanced", f"aging~{NOISE:.0f}s")
DRAWS = 10


def run_draw(job) -> tuple:
    """One draw of one day type under every policy: (size, seed, draw, figures)."""
    size, seed, draw = job
    day = draw_day(size, seed)
    history = day.history()
    replica = day.replica(draw)
    out = {}
    for policy in POLICIES + (AgingWithOffsets(NOISE),):
        results_ = simulate(replica.hall, replica.trace, policy, eta="none",
                            model=trained_model(day, history))
        out[policy if isinstance(policy, str) else policy.name] = day_figures(results_)
    return size, seed, draw, out


def average(draws: list[dict]) -> dict[str, dict[str, float]]:
    """Each policy's figures averaged over a day type's draws."""
    return {policy: {key: statistics.fmean(d[policy][key] for d in draws)
                     for key in ("mean", "p95", "worst_category", "max")}
            for policy in draws[0]}


def passes(figures: dict[str, dict[str, float]], name: str, guard: float) -> dict[str, bool]:
    """Issue 11's allocation bars for rule `name` on one day's (or day type's) figures."""
    rule, fcfs, aging = figures[name], figures["fcfs"], figures["aging"]
    return {
        "mean ≤ fcfs": rule["mean"] <= fcfs["mean"] + 1e-9,
        "p95 ≤ 1.02 × aging": rule["p95"] <= 1.02 * aging["p95"] + 1e-9,
        "worst category ≤ 1.02 × aging": (rule["worst_category"]
                                          <= 1.02 * aging["worst_category"] + 1e-9),
        "never starving": not starves(rule, aging, guard),
    }


BARS = (("mean ≤ fcfs", "≥95%"), ("p95 ≤ 1.02 × aging", "≥90%"),
        ("worst category ≤ 1.02 × aging", "≥90%"), ("never starving", "every day"))


def summary(types: dict[int, list[dict]], guard: float) -> dict[str, dict[str, float]]:
    """rule -> reading -> share passing: "type <bar>" over day types' averages, "draw
    <bar>" over single draws; plus the median ratios of the averages."""
    out: dict[str, dict[str, float]] = {}
    averaged = [average(draws) for draws in types.values()]
    single = [d for draws in types.values() for d in draws]
    for name in CANDIDATES:
        row: dict[str, float] = {}
        for reading, figures in (("type", averaged), ("draw", single)):
            checks = [passes(f, name, guard) for f in figures]
            for bar, _ in BARS:
                row[f"{reading} {bar}"] = statistics.fmean(c[bar] for c in checks)
        row["median mean / fcfs"] = statistics.median(
            _ratio(f[name]["mean"], f["fcfs"]["mean"]) for f in averaged)
        row["median p95 / aging"] = statistics.median(
            _ratio(f[name]["p95"], f["aging"]["p95"]) for f in averaged)
        row["median worst / aging"] = statistics.median(
            _ratio(f[name]["worst_category"], f["aging"]["worst_category"]) for f in averaged)
        out[name] = row
    return out


def print_size(size: str, types: dict[int, list[dict]], guard: float, out=None) -> None:
    out = out or sys.stdout
    draws = len(next(iter(types.values())))
    table = summary(types, guard)
    print(f"\n{size} hall: {len(types)} day types x {draws} draws", file=out)
    names = "".join(f"  {name:>20}" for name in CANDIDATES)
    print(f"  {'bar':32} {'':10}{names}", file=out)
    sub = "".join(f"  {'types':>9} {'draws':>10}" for _ in CANDIDATES)
    print(f"  {'':32} {'':10}{sub}", file=out)
    for bar, wanted in BARS:
        cells = "".join(f"  {table[n]['type ' + bar]:9.0%} {table[n]['draw ' + bar]:10.0%}"
                        for n in CANDIDATES)
        print(f"  {bar:32} {wanted:10}{cells}", file=out)
    for figure in ("median mean / fcfs", "median p95 / aging", "median worst / aging"):
        cells = "".join(f"  {table[n][figure]:9.3f} {'':10}" for n in CANDIDATES)
        print(f"  {figure:32} {'':10}{cells}", file=out)


def collect(sizes, seeds, draws: int, processes: int) -> dict[str, dict[int, list[dict]]]:
    work = [(size, seed, k) for size in sizes for seed in seeds for k in range(draws)]
    found: dict[str, dict[int, dict[int, dict]]] = {size: {} for size in sizes}
    for done, (size, seed, k, figures) in enumerate(results(run_draw, work, processes, 4), 1):
        found[size].setdefault(seed, {})[k] = figures
        _progress(done, len(work))
    return {size: {seed: [by_draw[k] for k in sorted(by_draw)]
                   for seed, by_draw in sorted(types.items())}
            for size, types in found.items()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/allocation-day-types",
                                description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=200, help="day types (plans) per hall size")
    p.add_argument("--draws", type=int, default=DRAWS, help="draws of each plan's citizens")
    add_day_arguments(p)
    p.add_argument("--json", metavar="FILE", help="also write every draw's figures")
    args = p.parse_args(argv)
    if args.days < 1 or args.draws < 1:
        p.error("--days and --draws are at least 1")
    sizes, seeds = sizes_and_seeds(p, args, args.days)
    started = time.monotonic()
    found = collect(sizes, seeds, args.draws, args.processes)
    print(f"Issue 11's allocation bars per day type: {args.days} plans per hall size, "
          f"{'TUNING' if args.tuning else 'reporting'} seeds {seeds.start}-{seeds.stop - 1}, "
          f"{args.draws} draws of each plan's citizens; 'types' = share of plans whose "
          f"average over the draws passes, 'draws' = share of single draws passing; "
          f"aging~{NOISE:.0f}s is aging moved by seconds (the noise floor)")
    show_and_save(found, print_size, args.guard, args.json,
                  lambda types: [{"seed": seed, "draws": draws} for seed, draws in types.items()])
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
