"""Allocation and wait estimates over a family of days (simulator/family.py); one table.

    bench/allocation-family [--days 200] [--quick] [--tuning] [--sizes small,demo,large]
                            [--processes 2] [--guard 120] [--history-days 1] [--json F]

Per hall size (small: 6 windows, demo: the demo hall's 15, large: 60) it draws
`--days` days of the family and replays each under fcfs, aging, gcmu and
balanced, with the service-time model trained on a previous day of the same
hall (`Day.history()`: the same plan, other citizens). Reported: the
distribution over days (median, 10th and 90th percentile) of each ratio and
the share of days meeting issue 11's bar, plus the worst day's longest wait
against a guard. ETA figures are balanced's, on every ticket (every third in
the large hall); the formula is the queue-length one given the day's *true*
mean service times; the ±5-minute share is also pooled over every estimate of the
days whose mean wait is ≤ 20 min (`pooled_within5`). The 80% range's calibrator
learns from the history day replayed under balanced, then from each ticket of the
day as it is called.
Reports use the reporting seeds (10_000 on); `--tuning` uses the tuning seeds
(0-999) instead: tune on those, never on the report's. `--history-days N` gives the
hall N previous days (`Day.history(k)`, k = 1..N) to learn its service times and
arrivals from, as a running server learns from its last 30 days; the range's
calibrator still replays the day before only. The headline is one day: a hall
that has just started.

The noise floor: the same days under `aging` with every ticket's weighted wait moved by
a fixed offset under 5 s and under 30 s (`AgingWithOffsets`), a rule no citizen could
tell from `aging`. Its rows say how often a rule *equal* to aging passes "≤ 1.02 ×
aging's p95 / worst category", and how far the mean moves by chance alone.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import zlib

from bench import results
from core.allocation.policies import Aging
from core.figures import percentile
from core.forecast.arrivals import ArrivalModel
from core.forecast.ranges import RangeCalibrator
from core.forecast.service_times import ServiceTimeModel
from simulator.engine import Simulation, simulate
from simulator.family import HALL_SIZES, draw_day, reporting_seeds, tuning_seeds

POLICIES = ("fcfs", "aging", "gcmu", "balanced")
# The noise floor: `aging` with every ticket's weighted wait moved by a fixed offset of
# up to this many seconds, a rule no citizen could tell from `aging`.
OFFSET_SECONDS = (5.0, 30.0)
ETA_EVERY = {"small": 1, "demo": 1, "large": 3}
GUARD_MINUTES = 120.0
WITHIN_DAYS_MEAN = 20.0     # the ±5-min bar counts days whose mean wait is at most this
STARVATION_SLACK = 1.05     # an overloaded day: balanced's longest wait against aging's


def _ratio(value: float, reference: float) -> float:
    if reference > 1e-9:
        return value / reference
    return 1.0 if value <= 1e-9 else math.inf


def day_figures(results) -> dict[str, float]:
    """One policy's figures for one day (waits in minutes, over served tickets)."""
    served = [r for r in results if r.outcome == "served"]
    waits = [r.wait_minutes for r in served]
    by_category: dict[str, list[float]] = {}
    for r in served:
        by_category.setdefault(r.category, []).append(r.wait_minutes)
    figures = {
        "mean": statistics.fmean(waits) if waits else 0.0,
        "p95": percentile(waits, 95) if waits else 0.0,
        "max": max(waits, default=0.0),
        "worst_category": max((statistics.fmean(v) for v in by_category.values()),
                              default=0.0),
        "unserved": float(sum(1 for r in results if r.called is None)),
    }
    estimated = [r for r in served if r.eta_minutes is not None]
    if estimated:
        errors = [r.eta_minutes - r.wait_minutes for r in estimated]
        base = [r.eta_baseline_minutes - r.wait_minutes for r in estimated]
        figures["eta_mae"] = statistics.fmean(abs(e) for e in errors)
        figures["base_mae"] = statistics.fmean(abs(e) for e in base)
        figures["within5"] = sum(abs(e) <= 5.0 for e in errors) / len(errors)
        figures["estimated"] = float(len(errors))
        ranged = [r for r in estimated if getattr(r, "eta_low", None) is not None
                  and getattr(r, "eta_high", None) is not None]
        if ranged:
            figures["coverage"] = sum(r.eta_low <= r.wait_minutes <= r.eta_high
                                      for r in ranged) / len(ranged)
    return figures


def offset_name(seconds: float) -> str:
    return f"aging~{seconds:.0f}s"


class AgingWithOffsets(Aging):
    """`aging` with each ticket's weighted wait moved by a fixed pseudo-random offset in
    [0, `seconds`) (from its id). How often *it* passes "≤ 1.02 × aging's p95" is the
    noise floor of that bar: the share of days one early choice, changed by seconds,
    moves a day's p95 by 2% or more."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.name = offset_name(seconds)

    def offset(self, ticket) -> float:
        return zlib.crc32(ticket.ticket_id.encode()) % 1000 / 1000.0 * self.seconds


def trained_model(day, history) -> ServiceTimeModel:
    model = ServiceTimeModel.from_settings(day.hall)
    model.observe_many((t.matter, t.service_minutes) for t in history if not t.no_show)
    return model


def past_days(day, count: int) -> list:
    """The `count` previous days' citizens, the earliest first (the day before last)."""
    return [t for back in range(count, 0, -1) for t in day.history(back)]


def calibrated_on(day, history, arrivals) -> RangeCalibrator:
    """The 80% range's calibrator after the history day, replayed under balanced with
    the forecast, each ticket's error recorded when it is called (as the server
    records its recent days); the day itself then feeds it as it goes."""
    calibrator = RangeCalibrator()
    Simulation(day.hall, history, "balanced", model=trained_model(day, history),
               eta_every=ETA_EVERY[day.size], calibrator=calibrator, arrivals=arrivals).run()
    return calibrator


def run_day(job) -> tuple:
    size, seed, *rest = job
    with_arrivals = rest[0] if rest else True
    history_days = rest[1] if len(rest) > 1 else 1
    day = draw_day(size, seed)
    history = day.history()
    learned_from = past_days(day, history_days) if history_days > 1 else history
    # The ETA expects the citizens still to come: rates learned from the previous days
    # (never the day itself), and the day's bookings (known in advance).
    arrivals = None if not with_arrivals else ArrivalModel.from_records(
        (f"history-{back}", t.arrival, t.matter, t.priority, t.appointment_slot)
        for back in range(history_days, 0, -1) for t in day.history(back))
    out = {}
    for policy in POLICIES:
        model = trained_model(day, learned_from)
        eta = "forecast" if policy == "balanced" else "none"
        calibrator = calibrated_on(day, history, arrivals) if policy == "balanced" else None
        results = simulate(day.hall, day.trace, policy, model=model, eta=eta, arrivals=arrivals,
                           eta_every=ETA_EVERY[size], baseline_means=day.true_means,
                           calibrator=calibrator)
        out[policy] = day_figures(results)
    for seconds in OFFSET_SECONDS:
        rule = AgingWithOffsets(seconds)
        out[rule.name] = day_figures(simulate(day.hall, day.trace, rule, eta="none",
                                              model=trained_model(day, learned_from)))
    return size, seed, out


def day_ratios(figures: dict[str, dict[str, float]]) -> dict[str, float]:
    b = figures["balanced"]
    ratios = {
        "bal/fcfs mean": _ratio(b["mean"], figures["fcfs"]["mean"]),
        "bal/gcmu mean": _ratio(b["mean"], figures["gcmu"]["mean"]),
        "bal/aging p95": _ratio(b["p95"], figures["aging"]["p95"]),
        "bal/aging worst-cat": _ratio(b["worst_category"], figures["aging"]["worst_category"]),
    }
    for seconds in OFFSET_SECONDS:
        name = offset_name(seconds)
        if name in figures:
            a, o = figures["aging"], figures[name]
            ratios[f"{name}/aging mean"] = _ratio(o["mean"], a["mean"])
            ratios[f"{name}/aging p95"] = _ratio(o["p95"], a["p95"])
            ratios[f"{name}/aging worst"] = _ratio(o["worst_category"], a["worst_category"])
    if "eta_mae" in b:
        ratios["ETA MAE/formula"] = _ratio(b["eta_mae"], b["base_mae"])
        ratios["ETA ±5 min"] = b["within5"]
        if b["mean"] <= WITHIN_DAYS_MEAN:
            ratios["ETA ±5 (mean≤20)"] = b["within5"]
    if "coverage" in b:
        ratios["80% range coverage"] = b["coverage"]
    return ratios


# (row, bar text, test on one day's value or None, what the issue asks of the distribution)
BARS = (
    ("bal/fcfs mean", "≤1.00 on ≥95%, median ≤0.90", lambda v: v <= 1.0),
    ("bal/gcmu mean", "(≤1.00)", lambda v: v <= 1.0),
    ("bal/aging p95", "≤1.02 on ≥90%", lambda v: v <= 1.02),
    ("bal/aging worst-cat", "≤1.02 on ≥90%", lambda v: v <= 1.02),
    ("ETA MAE/formula", "≤0.50", lambda v: v <= 0.5),
    ("ETA ±5 min", "(all days)", lambda v: v >= 0.75),
    ("ETA ±5 (mean≤20)", "≥0.75", lambda v: v >= 0.75),
    ("80% range coverage", "0.78–0.85", lambda v: 0.78 <= v <= 0.85),
) + tuple(
    (f"{offset_name(seconds)}/aging {what}", bar, test)
    for seconds in OFFSET_SECONDS
    for what, bar, test in (("mean", "(noise band: p10-p90; pass = ≤1.00)", lambda v: v <= 1.0),
                            ("p95", "(noise floor of ≤1.02)", lambda v: v <= 1.02),
                            ("worst", "(noise floor of ≤1.02)", lambda v: v <= 1.02)))


def starves(rule: dict[str, float], aging: dict[str, float], guard: float) -> bool:
    """Issue 11's "never starving", broken on one day: the rule's longest wait is past the
    guard and past `STARVATION_SLACK` × aging's longest (on an overloaded day aging's own
    longest wait is the bound)."""
    return rule["max"] > max(guard, STARVATION_SLACK * aging["max"])


def pooled_within5(days) -> tuple[float, int, int] | None:
    """The ±5-minute share over every estimate of the days whose mean wait is within
    `WITHIN_DAYS_MEAN` (the issue's "≥ 75% within ±5 min on days whose mean wait is
    ≤ 20 min" read literally), with the estimates and days counted; None without any."""
    within = count = counted = 0
    for figures in days:
        b = figures["balanced"]
        if "estimated" in b and b["mean"] <= WITHIN_DAYS_MEAN:
            within += round(b["within5"] * b["estimated"])
            count += int(b["estimated"])
            counted += 1
    return (within / count, count, counted) if count else None


def _fmt(value: float) -> str:
    if value is None or value != value:
        return "    -"
    return "  inf" if math.isinf(value) else f"{value:5.2f}"


def print_size(size: str, days: list[tuple[int, dict]], guard: float, out=None) -> None:
    out = out or sys.stdout
    ratios = [day_ratios(figures) for _, figures in days]
    print(f"\n{size} hall: {len(days)} days", file=out)
    head = f"  {'figure':22} {'p10':>5} {'median':>6} {'p90':>5} {'pass':>5}  bar"
    print(head, file=out)
    print("  " + "-" * (len(head) + 26), file=out)
    for name, bar, test in BARS:
        values = [r[name] for r in ratios if name in r]
        if not values:
            note = "  (estimates carry no range yet)" if "range" in name else ""
            print(f"  {name:22} {'n/a':>5} {'n/a':>6} {'n/a':>5} {'n/a':>5}  {bar}{note}",
                  file=out)
            continue
        finite = [v for v in values if not math.isinf(v)] or [math.inf]
        share = sum(1 for v in values if test(v)) / len(values)
        print(f"  {name:22} {_fmt(percentile(finite, 10))} {_fmt(percentile(finite, 50)):>6} "
              f"{_fmt(percentile(finite, 90))} {share:5.0%}  {bar}"
              + (f"  ({len(values)} days)" if len(values) != len(days) else ""), file=out)
    pooled = pooled_within5(figures for _, figures in days)
    if pooled is not None:
        share, count, counted = pooled
        print(f"  ETA ±5 pooled: {share:.0%} of the {count} estimates on the {counted} days "
              f"whose mean wait is ≤ {WITHIN_DAYS_MEAN:.0f} min (bar ≥ 75%)", file=out)
    print(f"  longest wait per day against a {guard:.0f}-minute guard:", file=out)
    for policy in POLICIES:
        maxima = [(figures[policy]["max"], seed) for seed, figures in days]
        worst, seed = max(maxima)
        within = sum(1 for m, _ in maxima if m <= guard) / len(maxima)
        means = [figures[policy]["mean"] for _, figures in days]
        print(f"    {policy:9} worst {worst:6.1f} min (seed {seed}), days within guard "
              f"{within:5.0%}; mean wait median {statistics.median(means):5.2f} min", file=out)
    starving = [seed for seed, figures in days
                if starves(figures["balanced"], figures["aging"], guard)]
    print(f"  never starving (balanced's longest wait <= the {guard:.0f}-minute guard, or <= "
          f"{STARVATION_SLACK:.2f} x aging's longest on an overloaded day): "
          f"{len(days) - len(starving)}/{len(days)} days"
          + (f"; failing seeds {', '.join(map(str, starving[:10]))}" if starving else ""),
          file=out)


def collect(sizes, seeds, processes: int, progress, arrivals: bool = True,
            history_days: int = 1) -> dict[str, list]:
    work = [(size, seed, arrivals, history_days) for size in sizes for seed in seeds]
    found: dict[str, list] = {size: [] for size in sizes}
    for done, (size, seed, figures) in enumerate(results(run_day, work, processes), 1):
        found[size].append((seed, figures))
        progress(done, len(work))
    return {size: sorted(days, key=lambda d: d[0]) for size, days in found.items()}


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() or done == total or done % 50 == 0:
        sys.stderr.write(f"\rbench [{'#' * (30 * done // total):30}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def add_day_arguments(parser: argparse.ArgumentParser) -> None:
    """--tuning, --skip, --sizes, --processes and --guard, as every family bench reads them
    (`sizes_and_seeds` checks them)."""
    parser.add_argument("--tuning", action="store_true", help="the tuning seeds (0-999)")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first SKIP "
                        "reporting seeds (a fresh set for a recheck)")
    parser.add_argument("--sizes", default=",".join(HALL_SIZES))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--guard", type=float, default=GUARD_MINUTES, help="minutes")


def sizes_and_seeds(parser: argparse.ArgumentParser, args, days: int) -> tuple[list, range]:
    """The hall sizes of `--sizes` and the seeds of `days` days (`--tuning`, `--skip`),
    or the parser's error for a bad one."""
    if args.skip < 0 or (args.skip and args.tuning):
        parser.error("--skip is a count of reporting seeds (not with --tuning)")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in HALL_SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)} (one of {', '.join(HALL_SIZES)})")
    seeds = tuning_seeds(days) if args.tuning else reporting_seeds(days, args.skip)
    return sizes, seeds


def show_and_save(found: dict, show, guard: float, path: str | None, rows) -> None:
    """`show(size, found[size], guard)` per size; with `path`, every size's `rows(...)`
    written there as JSON (for diagnostics)."""
    for size, days in found.items():
        show(size, days, guard)
    if path:
        with open(path, "w", encoding="utf-8") as file:
            json.dump({size: rows(days) for size, days in found.items()}, file, indent=1)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/allocation-family",
                                description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=200, help="days per hall size")
    p.add_argument("--quick", action="store_true", help="20 days per size, for a smoke test")
    add_day_arguments(p)
    p.add_argument("--no-arrivals", action="store_true",
                   help="the ETA ignores the citizens still to come (as before issue 11)")
    p.add_argument("--history-days", type=int, default=1,
                   help="previous days the hall learns service times and arrivals from")
    p.add_argument("--json", metavar="FILE",
                   help="also write every day's figures per policy (for diagnostics)")
    args = p.parse_args(argv)
    if args.history_days < 1:
        p.error("--history-days is at least 1")
    days = 20 if args.quick else args.days
    sizes, seeds = sizes_and_seeds(p, args, days)
    started = time.monotonic()
    found = collect(sizes, seeds, args.processes, _progress, not args.no_arrivals,
                    args.history_days)
    print(f"Allocation over the family of days: {days} days per hall size, "
          f"{'TUNING' if args.tuning else 'reporting'} seeds {seeds.start}-{seeds.stop - 1}, "
          f"{args.history_days} previous day(s) learned; "
          f"ratios are balanced's over another policy's, per day; pass = share of days "
          f"meeting the bar; ETA: balanced's forecast against the queue-length formula "
          f"given the true service means")
    show_and_save(found, print_size, args.guard, args.json,
                  lambda days: [{"seed": seed, "figures": figures} for seed, figures in days])
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
