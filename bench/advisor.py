"""The pool advisor over the family's mismatched days and its layout-mismatch days.

    bench/advisor [--days 40] [--quick] [--tuning] [--sizes small,demo,large]
                  [--processes 2] [--every 15] [--only all|family|layout|separate]
                  [--hold 45] [--defaults] [--set NAME=VALUE ...] [--diagnose]

Three sets of days per hall size, each with its table and the bar's verdict: (a)
`family`, the family's mismatched days below; (b) `layout`, the layout-mismatch days
(`simulator.layouts`: the same family days in a hall whose acceptance windows are
cross-trained for every acceptance category, also_serves as configured; selected when
an acceptance pool's planned offered load is >= 1.0 and another's <= 0.8; the small
hall has a single acceptance pool, so none); (c) `separate`, the same days with no
also_serves between the acceptance pools. The advisor runs with the thresholds tuned
on the tuning seeds (`TUNED`, over AdvisorSettings' defaults; `--defaults` leaves
them out) and, as the server could, with the expected arrivals of the next
`horizon_minutes` learned from the hall's previous day (`day.history()`).

A mismatched day is a family day (`simulator.family.draw_day`) whose plan pushes one
pool to an offered load of 1.0 or more (`DayPlan.pool_loads`); the seeds are scanned
in order until `--days` such days are found per hall size. Each day is replayed under
`balanced` twice, with the service-time model trained on the hall's previous day:
the static layout, and with the advisor's move applied every `--every` minutes
(`simulator.advising.run_advised`). Reported per size: the distribution over days
(10th percentile, median, 90th percentile) of the mean-wait cut and the worst
category's mean-wait cut (1 - advised / static), the share of days meeting issue 11's
bar (mean cut >= 25% and worst-category cut >= 40%), the aggregate cuts (over all
days' tickets; worst category: the sum of the days' worst-category means), the
number of moves and helps and the advisor's decision time. The days are also split by
whether the layout can fix them (`fixable`: a window outside the hot pool, not a
green-channel window, not yet serving the hot pool, has a skill for one of its
categories, and the hot pool is not the green channel); each subset gets the same
table after the full set's. `--diagnose` prints, per day, the hot pool and what the
advisor saw at its ticks. Reporting seeds (10_000 on) by default; `--tuning` uses
the tuning seeds (0-999): tune thresholds on those only.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace

from bench import results
from core.advisor import AdvisorSettings
from core.advisor_lines import LineReason
from core.figures import percentile
from core.forecast.arrivals import ArrivalModel
from core.forecast.service_times import ServiceTimeModel
from core.settings.schema import PoolKind
from simulator.advising import HOLD_MINUTES, run_advised
from simulator.engine import simulate
from simulator.family import HALL_SIZES, REPORTING_SEED_START, TUNING_SEEDS, draw_day
from simulator.layouts import (
    HOT_LOAD as LAYOUT_HOT_LOAD,
)
from simulator.layouts import (
    SPARE_LOAD,
    layout_mismatch,
    layout_mismatch_day,
    layout_mismatch_seeds,
)

MEAN_BAR, WORST_BAR = 0.25, 0.40
HOT_LOAD = 1.0
# Thresholds tuned on the tuning seeds' layout-mismatch days (docs/allocation.md) beyond
# AdvisorSettings' defaults (which stay the server's unless its [advisor] section sets them).
TUNED = {"trigger_ratio": 1.1, "trigger_minutes": 3.0}
FAMILY, LAYOUT, SEPARATE = "family", "layout", "separate"     # the sets of days


def is_mismatched(day) -> bool:
    return day.plan.kind == "family" and max(day.plan.pool_loads.values()) >= HOT_LOAD


def mismatched_seeds(size: str, count: int, tuning: bool, skip: int = 0) -> list[int]:
    """The first `count` mismatched days after the first `skip` of them."""
    seeds = iter(TUNING_SEEDS) if tuning else iter(range(REPORTING_SEED_START, 10 ** 9))
    found = []
    for seed in seeds:
        if len(found) == skip + count:
            break
        if is_mismatched(draw_day(size, seed)):
            found.append(seed)
    return found[skip:]


def hot_pool(day) -> str:
    return max(day.plan.pool_loads, key=lambda p: (day.plan.pool_loads[p], p))


def fixable(day) -> bool:
    """Whether some window outside the hot pool could help it (module doc)."""
    hall, hot = day.hall, hot_pool(day)
    if hall.pool(hot).kind is PoolKind.GREEN:
        return False
    categories = {s.category for s in (*hall.matters, *hall.themes) if s.pool == hot}
    return any(w.pool != hot and hot not in w.also_serves
               and hall.pool(w.pool).kind is not PoolKind.GREEN
               and any(w.skills.get(c, 0.0) > 0.0 for c in categories)
               for w in hall.windows)


def waits(results) -> tuple[float, float, int]:
    """(total wait, worst category's mean wait, tickets) over the served tickets."""
    served = [r for r in results if r.outcome == "served"]
    by_category: dict[str, list[float]] = {}
    for r in served:
        by_category.setdefault(r.category, []).append(r.wait_minutes)
    worst = max((statistics.fmean(v) for v in by_category.values()), default=0.0)
    return sum(r.wait_minutes for r in served), worst, len(served)


def run_day(job) -> tuple:
    size, seed, every, overrides, family_set, hold = job
    settings = replace(AdvisorSettings(), **overrides)
    day = draw_day(size, seed)
    if family_set in (LAYOUT, SEPARATE):
        day = layout_mismatch_day(day, separate=family_set == SEPARATE)
    history = [(t.matter, t.service_minutes) for t in day.history() if not t.no_show]

    def model() -> ServiceTimeModel:
        trained = ServiceTimeModel.from_settings(day.hall)
        trained.observe_many(history)
        return trained

    arrivals = ArrivalModel.from_records((0, t.arrival, t.matter, t.priority,
                                          t.appointment_slot) for t in day.history())
    static = simulate(day.hall, day.trace, "balanced", model=model(), eta="none")
    started = time.perf_counter()
    run = run_advised(day.hall, day.trace, "balanced", every_minutes=every, model=model(),
                      eta="none", settings=settings, hold_minutes=hold,
                      advisor_arrivals=arrivals)
    seconds = time.perf_counter() - started
    ticks = max(1, len(run.decision_seconds))
    hot = layout_mismatch(day)[0] if family_set != FAMILY else hot_pool(day)
    seen = {"ticks": len(run.decisions), "suffering": sum(1 for d in run.decisions if d[1]),
            "hot_suffering": sum(1 for d in run.decisions if any(p == hot for p, _ in d[1])),
            "candidates": sum(1 for d in run.decisions if d[2]),
            "lines": sorted({line for d in run.decisions for line in d[1]}),
            # each tick's long lines by why they got advice or not (core.advisor_lines)
            "reasons": dict(Counter(line.reason.value for _, _, lines in run.rounds
                                    for line in lines))}
    kinds = [m.kind for m in run.moves]
    return (size, family_set), seed, {"static": waits(static), "advised": waits(run.results),
                        "moves": kinds.count("move"), "helps": kinds.count("help"),
                        "hot": hot, "hot_kind": day.hall.pool(hot).kind.value,
                        "hot_load": day.plan.pool_loads[hot], "fixable": fixable(day),
                        "seen": seen, "decide_ms": 1000 * sum(run.decision_seconds)
                        / ticks, "decide_max_ms": 1000 * max(run.decision_seconds, default=0),
                        "seconds": seconds}


REASONS = [reason.value for reason in LineReason]


def _cut(advised: float, static: float) -> float:
    return 1.0 - advised / static if static > 1e-9 else 0.0


def print_diagnosis(days: list[tuple[int, dict]], out=None) -> None:
    out = out or sys.stdout
    for seed, f in days:
        s, a, seen = f["static"], f["advised"], f["seen"]
        print(f"    seed {seed}: hot {f['hot']} ({f['hot_kind']}, load {f['hot_load']:.2f}, "
              f"{'fixable' if f['fixable'] else 'not fixable'}); mean wait "
              f"{s[0] / max(s[2], 1):.1f} -> {a[0] / max(a[2], 1):.1f}, worst {s[1]:.1f} -> "
              f"{a[1]:.1f}; ticks {seen['ticks']}, suffering {seen['suffering']} (hot pool "
              f"{seen['hot_suffering']}), with candidates {seen['candidates']}; "
              f"moves {f['moves']} helps {f['helps']}; lines "
              f"{', '.join(f'{p}/{c}' for p, c in seen['lines'][:4]) or '-'}", file=out)


def print_size(size: str, days: list[tuple[int, dict]], out=None,
               label: str = "all") -> None:
    out = out or sys.stdout
    mean_cuts, worst_cuts, passing = [], [], 0
    totals = {"static": [0.0, 0.0, 0], "advised": [0.0, 0.0, 0]}
    for _, f in days:
        s, a = f["static"], f["advised"]
        mean_cut = _cut(a[0] / max(a[2], 1), s[0] / max(s[2], 1))
        worst_cut = _cut(a[1], s[1])
        mean_cuts.append(mean_cut)
        worst_cuts.append(worst_cut)
        passing += mean_cut >= MEAN_BAR and worst_cut >= WORST_BAR
        for key, value in (("static", s), ("advised", a)):
            totals[key][0] += value[0]
            totals[key][1] += value[1]
            totals[key][2] += value[2]
    n = len(days)
    if not n:
        print(f"\n{size} hall, {label}: no days", file=out)
        return
    print(f"\n{size} hall, {label}: {n} days", file=out)
    print(f"  {'cut (1 - advised/static)':26} {'p10':>6} {'median':>6} {'p90':>6} "
          f"{'aggregate':>9}  bar", file=out)
    st, ad = totals["static"], totals["advised"]
    rows = (("mean wait", mean_cuts, _cut(ad[0] / max(ad[2], 1), st[0] / max(st[2], 1)),
             f">= {MEAN_BAR:.0%} (median)"),
            ("worst category mean wait", worst_cuts, _cut(ad[1], st[1]),
             f">= {WORST_BAR:.0%} (median)"))
    for name, values, aggregate, bar in rows:
        print(f"  {name:26} {percentile(values, 10):6.0%} {percentile(values, 50):6.0%} "
              f"{percentile(values, 90):6.0%} {aggregate:9.0%}  {bar}", file=out)
    verdict = (percentile(mean_cuts, 50) >= MEAN_BAR and percentile(worst_cuts, 50) >= WORST_BAR)
    print(f"  verdict: the bar is {'MET' if verdict else 'NOT met'} (median cuts "
          f"{percentile(mean_cuts, 50):.0%} / {percentile(worst_cuts, 50):.0%})", file=out)
    print(f"  days passing both bars: {passing}/{n} ({passing / max(n, 1):.0%}); "
          f"days with advice applied: {sum(1 for _, f in days if f['moves'] + f['helps'])}/{n};"
          f" per day: moves {statistics.fmean(f['moves'] for _, f in days):.1f}, "
          f"helps {statistics.fmean(f['helps'] for _, f in days):.1f} (mean)", file=out)
    print(f"  static mean wait median {statistics.median(f['static'][0] / max(f['static'][2], 1) for _, f in days):.1f} min; "  # noqa: E501
          f"advisor decision: mean {statistics.fmean(f['decide_ms'] for _, f in days):.1f} ms, "
          f"slowest {max(f['decide_max_ms'] for _, f in days):.0f} ms", file=out)
    reasons = Counter()
    for _, f in days:
        reasons.update(f["seen"]["reasons"])
    total = sum(reasons.values())
    if total:
        print("  long lines at the ticks, by why (core.advisor_lines): " + ", ".join(
            f"{reason.replace('_', ' ')} {reasons[reason] / total:.0%}"
            for reason in REASONS) + f" of {total}", file=out)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() or done == total:
        sys.stderr.write(f"\rbench [{'#' * (30 * done // total):30}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/advisor", description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=40, help="mismatched days per hall size")
    p.add_argument("--quick", action="store_true", help="6 days per size (under a minute)")
    p.add_argument("--tuning", action="store_true", help="the tuning seeds (0-999)")
    p.add_argument("--sizes", default=",".join(HALL_SIZES))
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--every", type=float, default=15.0, help="minutes between decisions")
    p.add_argument("--skip", type=int, default=0,
                   help="leave out the first SKIP days of each set (a fresh set for a recheck)")
    p.add_argument("--hold", type=float, default=HOLD_MINUTES,
                   help="minutes before a window moved or set to help is advised again")
    p.add_argument("--diagnose", action="store_true",
                   help="per day: the hot pool and what the advisor saw")
    p.add_argument("--only", choices=("all", FAMILY, LAYOUT, SEPARATE), default="all",
                   help="which set of days: (a) family: the family's mismatched days, (b) "
                        "layout: the layout-mismatch days (simulator/layouts.py), (c) "
                        "separate: the same without also_serves between acceptance pools")
    p.add_argument("--defaults", action="store_true",
                   help=f"AdvisorSettings' defaults, without the tuned {TUNED}")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override an AdvisorSettings threshold (tuning)")
    args = p.parse_args(argv)
    overrides = {} if args.defaults else dict(TUNED)
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in AdvisorSettings.__dataclass_fields__:
            p.error(f"--set {item}: no threshold {name!r}")
        kind = type(getattr(AdvisorSettings(), name))
        overrides[name] = (value.lower() in ("1", "true", "yes") if kind is bool
                           else kind(value))
    if args.skip < 0:
        p.error("--skip is a count of days")
    count = 6 if args.quick else args.days
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in HALL_SIZES]
    if unknown:
        p.error(f"unknown size(s) {', '.join(unknown)} (one of {', '.join(HALL_SIZES)})")
    started = time.monotonic()
    pool_seeds = TUNING_SEEDS if args.tuning else range(REPORTING_SEED_START, 10 ** 9)
    sets = (FAMILY, LAYOUT, SEPARATE) if args.only == "all" else (args.only,)
    seeds = {}
    for size in sizes:
        if FAMILY in sets:
            seeds[(size, FAMILY)] = mismatched_seeds(size, count, args.tuning, args.skip)
        for kind in (LAYOUT, SEPARATE):
            if kind in sets:
                seeds[(size, kind)] = layout_mismatch_seeds(
                    size, args.skip + count, pool_seeds)[args.skip:]
    work = [(key[0], seed, args.every, overrides, key[1], args.hold)
            for key, found_seeds in seeds.items() for seed in found_seeds]
    found: dict[tuple, list] = {key: [] for key in seeds}
    for done, (key, seed, figures) in enumerate(results(run_day, work, args.processes), 1):
        found[key].append((seed, figures))
        _progress(done, len(work))
    print(f"Pool advisor: balanced, static layout vs the advisor every {args.every:g} min; "
          f"{'TUNING' if args.tuning else 'reporting'} seeds; "
          f"{'overrides ' + str(overrides) + '; ' if overrides else ''}hold {args.hold:g} min; "
          f"bar: median mean wait cut >= {MEAN_BAR:.0%} and median worst category cut >= "
          f"{WORST_BAR:.0%}")
    for size in sizes:
        if (size, FAMILY) in found:
            days = sorted(found[(size, FAMILY)], key=lambda d: d[0])
            print(f"\n== {size}: (a) the family's mismatched days (one pool's planned offered "
                  f"load >= {HOT_LOAD}); seeds {', '.join(str(s) for s, _ in days[:12])}"
                  + (" ..." if len(days) > 12 else ""))
            print_size(size, days)
            fix = [d for d in days if d[1]["fixable"]]
            print_size(size, fix, label="fixable by the layout")
            print_size(size, [d for d in days if not d[1]["fixable"]],
                       label="not fixable by the layout")
            if args.diagnose:
                print_diagnosis(days)
        for kind, title in ((LAYOUT, "(b) layout-mismatch days (cross-trained acceptance "
                                     "staff, also_serves as configured"),
                            (SEPARATE, "(c) the same days without also_serves between the "
                                       "acceptance pools")):
            if (size, kind) not in found:
                continue
            days = sorted(found[(size, kind)], key=lambda d: d[0])
            print(f"\n== {size}: {title}; an acceptance pool's planned load >= "
                  f"{LAYOUT_HOT_LOAD}, another's <= {SPARE_LOAD}); seeds "
                  f"{', '.join(str(s) for s, _ in days[:12])}" + (" ..." if len(days) > 12
                                                                  else ""))
            if not days:
                print(f"\n{size} hall, {kind}: no days (a single acceptance pool holds "
                      f"matters: no other acceptance pool to take windows from)")
            else:
                print_size(size, days, label=f"layout mismatch, {kind}")
            if args.diagnose:
                print_diagnosis(days)
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
