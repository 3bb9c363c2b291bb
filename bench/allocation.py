"""Benchmark every allocation policy on the same seeded traces; print one table.

    bench/allocation [--seeds 20] [--quick] [--processes 2]

Halls: the built-in small (6 windows) and large (60 windows) halls of
`simulator.halls`; scenarios: loads 0.7, 0.8, 0.9 and a surge day (0.8
plus a spike). Rows: each policy, `full-pool` (balanced with every window
serving everything) and, for the small hall, `lower-bnd` (the LP bound of
bench/lower_bound.py). The service-time model starts each day trained on a
previous day of the same hall (another seed). ETA errors are measured on
every ticket in the small hall and every third ticket in the large one.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench import results
from core.allocation import POLICIES, choose, window_view_of
from core.allocation.interface import HallContext, WaitingTicket
from core.forecast.service_times import ServiceTimeModel
from simulator.engine import matter_place, simulate
from simulator.generator import generate_trace
from simulator.halls import full_pooling, synthetic_hall
from simulator.metrics import summarize

POLICY_ROWS = tuple(POLICIES)      # every registered policy gets a row
SCENARIOS = (("0.7", 0.7, False), ("0.8", 0.8, False), ("0.9", 0.9, False), ("surge", 0.8, True))
ETA_EVERY = {"small": 1, "large": 3}
_HALLS: dict = {}


def hall_of(size: str, pooled: bool = False):
    key = (size, pooled)
    if key not in _HALLS:
        hall = synthetic_hall(size)
        _HALLS[key] = full_pooling(hall) if pooled else hall
    return _HALLS[key]


def trained_model(hall, seed: int) -> ServiceTimeModel:
    """A model that has learned from one earlier day of this hall."""
    model = ServiceTimeModel.from_settings(hall)
    history = generate_trace(hall, 100_000 + seed, 0.8)
    model.observe_many((t.matter, t.service_minutes) for t in history if not t.no_show)
    return model


def run_one(job):
    size, scenario, load, surge, seed, row = job
    hall = hall_of(size, pooled=row == "full-pool")
    trace = generate_trace(hall, seed, load, surge)
    if row == "lower-bnd":
        from bench.lower_bound import mean_wait_lower_bound
        return job, {"mean": mean_wait_lower_bound(hall, trace, slot=30.0)}
    policy = "balanced" if row == "full-pool" else row
    results = simulate(hall, trace, policy, model=trained_model(hall, seed),
                       eta_every=ETA_EVERY[size])
    return job, summarize(results, hall)


def decision_ms(policy: str, waiting_count: int = 500, repeats: int = 30) -> float:
    """Median time of one choose() with `waiting_count` tickets waiting (large hall)."""
    hall = hall_of("large")
    trace = generate_trace(hall, 0, 0.9)[:waiting_count]
    waiting = []
    for t in trace:
        category, pool = matter_place(hall, t.matter)
        waiting.append(WaitingTicket(t.ticket_id, t.matter, category, pool, t.priority,
                                     t.arrival, t.appointment_slot))
    views = tuple(window_view_of(w, hall) for w in hall.windows)
    model = ServiceTimeModel.from_settings(hall)
    context = HallContext(views, model.expected, 600.0, {})
    times = []
    for i in range(repeats):
        window = views[i % len(views)]
        started = time.perf_counter()
        choose(policy, window, waiting, 16 * 3600.0, context)
        times.append(time.perf_counter() - started)
    return 1000.0 * statistics.median(times)


def jobs(seeds: int):
    for size in ("small", "large"):
        rows = POLICY_ROWS + ("full-pool",) + (("lower-bnd",) if size == "small" else ())
        for scenario, load, surge in SCENARIOS:
            for row in rows:
                for seed in range(1, seeds + 1):
                    yield size, scenario, load, surge, seed, row


def collect(seeds: int, processes: int, progress) -> dict:
    table: dict = {}
    work = list(jobs(seeds))
    for done, (job, summary) in enumerate(results(run_one, work, processes, chunksize=2), 1):
        size, scenario, _, _, _, row = job
        table.setdefault((size, scenario, row), []).append(summary)
        progress(done, len(work))
    return {key: {k: statistics.mean(s[k] for s in runs) for k in runs[0]}
            for key, runs in table.items()}


COLUMNS = (("mean", "mean", "{:6.2f}"), ("p50", "p50", "{:6.2f}"), ("p95", "p95", "{:6.2f}"),
           ("max", "max", "{:6.1f}"), ("worst", "worst_ratio", "{:5.2f}"),
           ("jain", "jain", "{:5.3f}"),
           ("util±", "util_spread", "{:5.3f}"), ("etaMAE", "eta_mae", "{:6.2f}"),
           ("baseMAE", "base_mae", "{:7.2f}"), ("etaBias", "eta_bias", "{:7.2f}"),
           ("baseBias", "base_bias", "{:8.2f}"), ("eta±5", "eta_within5", "{:5.2f}"),
           ("base±5", "base_within5", "{:6.2f}"))


def _cell(fmt: str, value) -> str:
    width = len(fmt.format(0.0))
    if value is None or value != value:  # None or NaN
        return "-".rjust(width)
    return fmt.format(value)


def print_table(summary: dict, timing: dict, out=sys.stdout) -> None:
    head = f"{'hall':5} {'day':5} {'policy':9} " + " ".join(
        name.rjust(len(fmt.format(0.0))) for name, _, fmt in COLUMNS) + "  ms/call"
    print(head, file=out)
    print("-" * len(head), file=out)
    for (size, scenario, row), figures in summary.items():
        cells = " ".join(_cell(fmt, figures.get(key)) for _, key, fmt in COLUMNS)
        ms = timing.get(row)
        print(f"{size:5} {scenario:5} {row:9} {cells}  {_cell('{:7.3f}', ms)}", file=out)


def checks(summary: dict, timing: dict) -> list[tuple[bool, str]]:
    lines = []
    for size in ("small", "large"):
        f = {row: summary[(size, "0.8", row)] for row in POLICY_ROWS}
        b = f["balanced"]
        tests = (
            ("mean <= 0.85 x fcfs", b["mean"], 0.85 * f["fcfs"]["mean"]),
            ("mean <= gcmu", b["mean"], f["gcmu"]["mean"]),
            ("p95 <= aging", b["p95"], f["aging"]["p95"]),
            ("worst-category ratio <= aging", b["worst_ratio"], f["aging"]["worst_ratio"]),
            ("ETA MAE <= 0.5 x baseline", b["eta_mae"], 0.5 * b["base_mae"]),
        )
        for name, value, limit in tests:
            ratio = value / limit if limit else float("inf")
            lines.append((value <= limit + 1e-12,
                          f"{size} load 0.8: balanced {name}: {value:.3f} vs {limit:.3f}"
                          f" (ratio {ratio:.3f})"))
        lines.append((b["eta_within5"] >= 0.75,
                      f"{size} load 0.8: balanced ETA within ±5 min: "
                      f"{b['eta_within5']:.3f} (>= 0.75)"))
    worst = max(timing.values())
    lines.append((timing["balanced"] < 5.0,
                  f"decision time, balanced, 500 waiting: {timing['balanced']:.3f} ms"
                  f" (< 5 ms; slowest policy {worst:.3f})"))
    return lines


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() or done == total or done % 50 == 0:
        sys.stderr.write(f"\rbench [{'#' * (30 * done // total):30}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench/allocation", description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--quick", action="store_true", help="3 seeds, for a smoke test")
    p.add_argument("--processes", type=int, default=2)
    args = p.parse_args(argv)
    seeds = 3 if args.quick else args.seeds
    started = time.monotonic()
    summary = collect(seeds, args.processes, _progress)
    order = {(s, sc, r): i for i, (s, sc, _, _, _, r) in enumerate(jobs(1))}
    summary = dict(sorted(summary.items(), key=lambda kv: order[kv[0]]))
    timing = {policy: decision_ms(policy) for policy in POLICIES}
    timing["full-pool"] = timing["balanced"]
    print(f"Allocation benchmark: {seeds} seeds per cell; waits in minutes; "
          f"worst = worst category mean / overall mean; util± = utilisation spread in a pool; "
          f"ETA columns: ours (forward simulation) and base (position x mean / windows)")
    print_table(summary, timing)
    print()
    all_pass = True
    for ok, line in checks(summary, timing):
        all_pass &= ok
        print(("PASS " if ok else "FAIL ") + line)
    print(f"({time.monotonic() - started:.0f} s)")
    return 0 if all_pass else 1


if __name__ == "__main__":
    sys.exit(main())
