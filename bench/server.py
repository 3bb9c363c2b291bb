"""The hall server under a big hall's worst moment, on 127.0.0.1.

    bench/server [--seconds 8] [--rate 200] [--subscribers 100]

Starts the real server (cheroot, a separate process, its own SQLite file) with
a 60-window hall, then drives it with 60 window clerks (call next, start,
finish) and 20 kiosks (issue) in two client processes, while 100 event-stream
subscribers in two more processes time every event they receive. Prints one
table: the paced load and the flat-out load, each with and without the
subscribers. Every run is bounded in time and stops by itself.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.hall_load import (
    KIOSKS,
    WINDOWS,
    big_hall,
    prepare_hall,
    run_actors,
    run_subscribers,
)
from core.figures import percentile as core_percentile
from server.client import HallClient, ServerUnavailable
from server.wsgi import free_port

ROOT = Path(__file__).resolve().parent.parent


def serve(port: int, database: str) -> None:
    """The server process: the bench hall on the given port."""
    from server.app import create_app
    from server.wsgi import serve_forever
    app = create_app(big_hall(), database=database)
    serve_forever(app, "127.0.0.1", port, 320)


def start_server(database: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.server", "--serve", str(port),
                                database], cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            HallClient(url, timeout=1).health()
            return process, url
        except ServerUnavailable:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the bench server did not start")


def one_run(database: str, seconds: float, rate: float | None, subscribers: int) -> dict:
    """One scenario on a fresh server with its own database."""
    process, url = start_server(database)
    try:
        prepare_hall(url)
        return scenario(url, seconds, rate, subscribers)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)


def median_of(runs: list[dict]) -> dict:
    """Each figure's median over the runs (the machine is shared and noisy)."""
    merged = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    merged["p99_range"] = (min(r["p99_ms"] for r in runs), max(r["p99_ms"] for r in runs))
    merged["complete"] = min(r["complete"] for r in runs)    # the worst run counts
    merged["errors"] = sum(r["errors"] for r in runs)
    return merged


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0-1) by the hall's one percentile rule; NaN for none."""
    return core_percentile(values, 100 * share) if values else float("nan")


def scenario(url: str, seconds: float, rate: float | None, subscribers: int) -> dict:
    """One run: actors for `seconds` (paced at `rate` a second, or flat out)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    ready = context.Event()
    stop_streams = context.Event()
    streams = [context.Process(target=run_subscribers,
                               args=(url, subscribers // 2, ready, stop_streams, results))
               for _ in range(2 if subscribers else 0)]
    for process in streams:
        process.start()
    if streams:
        ready.wait(30)
        time.sleep(0.5)
    actors = [context.Process(target=run_actors,
                              args=(url, part, seconds, rate and rate / 2, results))
              for part in (0, 1)]
    started = time.monotonic()
    for process in actors:
        process.start()
    action_reports = [results.get(timeout=seconds + 60) for _ in actors]
    elapsed = time.monotonic() - started
    last_id = HallClient(url, timeout=5).health()["last_event_id"]
    stop_streams.set()
    stream_reports = [results.get(timeout=60) for _ in streams]
    for process in actors + streams:
        process.join(10)
    return summarise(action_reports, stream_reports, elapsed, last_id, subscribers)


def summarise(action_reports, stream_reports, elapsed, last_id, subscribers) -> dict:
    latencies = [x for report in action_reports for x in report["latencies"]]
    active = sum(report["active_seconds"] for report in action_reports) / len(action_reports)
    delivery = [x for report in stream_reports for x in report["delays"]]
    complete = sum(report["complete"] for report in stream_reports)
    return {
        "actions": len(latencies), "errors": sum(r["errors"] for r in action_reports),
        "throughput": len(latencies) / active,
        "p50_ms": 1000 * percentile(latencies, 0.50), "p99_ms": 1000 * percentile(latencies, 0.99),
        "delivery_p50_ms": 1000 * percentile(delivery, 0.50),
        "delivery_p99_ms": 1000 * percentile(delivery, 0.99),
        "delivered": len(delivery), "complete": complete, "subscribers": subscribers,
        "last_event_id": last_id, "wall_seconds": elapsed,
    }


def table(rows: list[tuple[str, dict]]) -> str:
    head = (f"{'scenario':<44}{'actions/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'p99 range':>14}"
            f"{'event p50':>11}{'event p99':>11}{'complete':>10}{'errors':>8}")
    lines = [head, "-" * len(head)]
    for name, r in rows:
        events = (f"{r['delivery_p50_ms']:>11.1f}{r['delivery_p99_ms']:>11.1f}"
                  f"{r['complete']:>6}/{r['subscribers']:<3}" if r["subscribers"]
                  else f"{'-':>11}{'-':>11}{'-':>10}")
        low, high = r.get("p99_range", (r["p99_ms"], r["p99_ms"]))
        lines.append(f"{name:<44}{r['throughput']:>10.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
                     f"{f'{low:.0f}-{high:.0f}':>14}{events}{r['errors']:>8}")
    return "\n".join(lines)


def verdicts(paced: dict, flat_out: dict, rate: float) -> list[str]:
    checks = [
        (f"paced load with subscribers reaches {rate:.0f} actions/s",
         paced["throughput"] >= 0.95 * rate, f"{paced['throughput']:.0f}/s"),
        ("action p99 under 50 ms with subscribers (median run)", paced["p99_ms"] < 50,
         f"{paced['p99_ms']:.1f} ms"),
        ("every subscriber got every event", paced["complete"] == paced["subscribers"],
         f"{paced['complete']}/{paced['subscribers']}"),
        ("event delivery p99 under 100 ms", paced["delivery_p99_ms"] < 100,
         f"{paced['delivery_p99_ms']:.1f} ms"),
        ("at least 1,000 actions/s with no subscribers", flat_out["throughput"] >= 1000,
         f"{flat_out['throughput']:.0f}/s"),
    ]
    return [f"{'PASS' if ok else 'FAIL'}  {name}: {value}" for name, ok, value in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/server", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=200.0, help="paced actions a second")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each scenario; the table shows their medians")
    parser.add_argument("--only", help="run only these scenarios, e.g. 1,4 (for tuning)")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), args.serve[1])
        return 0
    scenarios = [(f"{args.subscribers} subscribers, {args.rate:.0f}/s offered", args.rate,
                  args.subscribers),
                 (f"no subscribers, {args.rate:.0f}/s offered", args.rate, 0),
                 (f"{args.subscribers} subscribers, flat out", None, args.subscribers),
                 ("no subscribers, flat out", None, 0)]
    if args.only:
        scenarios = [scenarios[int(i) - 1] for i in args.only.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, rate, subscribers in scenarios:
            runs = []
            for run in range(args.repeat):
                database = os.path.join(folder, f"bench-{len(rows)}-{run}.db")
                runs.append(one_run(database, args.seconds, rate, subscribers))
                print(table([(name, runs[-1])]).splitlines()[-1], file=sys.stderr, flush=True)
            rows.append((name, median_of(runs)))
    print(f"\nYichuang hall server, {WINDOWS} windows calling, {KIOSKS} kiosks issuing, "
          f"{args.seconds:.0f} s a run, medians of {args.repeat} runs, {os.cpu_count()} cores, "
          f"127.0.0.1\n")
    print(table(rows))
    if not args.only:
        print()
        print("\n".join(verdicts(rows[0][1], rows[3][1], args.rate)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
