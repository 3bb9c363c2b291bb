"""The hall server under a big hall's worst moments, on 127.0.0.1, design against design.

    bench/server [--design gevent,cheroot] [--only 1,2,3,4] [--repeat N] [--seconds 8]
                 [--rate 200] [--busy-rate 50] [--streams 5000] [--slow 500]
                 [--subscribers 100] [--synchronous FULL|NORMAL]

Each run starts the real server (`bench/hall_server.py`: a design, its own process
and SQLite file) with a 60-window hall, staffs and opens every window and fills the
line with 300 tickets. Then 60 clerks (call next, start, finish) and 20 kiosks
(issue) act through the product's own client from two gevent processes, for
`--seconds`, paced (latency counted from each action's scheduled time, so a stalled
server cannot hide its queue) or flat out, while a probe asks /api/health every
quarter second. The scenarios:

1. the crowd: 5,000 open event streams (display and phone pages, the public stream)
   and 500 connections that send their headers one byte a second, under a busy
   hall's paced load (`--busy-rate`);
2. 100 staff subscribers (every event parsed and timed) at 200 actions a second,
   five runs;
3. flat out, no subscribers (with the demo hall's SQLite `synchronous = FULL`: a
   disk flush for every action);
4. the same with `synchronous = NORMAL` (the server's own speed, not the disk's);
5. (on request) 200 actions a second, no subscribers;
6. (on request) 100 subscribers, flat out.

The processes that hold the streams and the slow connections run at nice 10 (in a
hall they are phones and screens of their own); the measured clerks and kiosks do
not. Every process and wait is bounded in time and everything stops by itself. One
table compares the designs, then PASS/FAIL lines for the aims of issue 7
(docs/performance.md).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.hall_load import (
    BENCH_TOKENS,
    KIOSKS,
    WINDOWS,
    kiosk_token,
    prepare_hall,
    subjects,
)
from core.figures import percentile as core_percentile
from server.client import ApiError, HallClient, ServerUnavailable
from server.wsgi import free_port

ROOT = Path(__file__).resolve().parent.parent
DESIGNS = ("gevent", "cheroot")
HEADER_DEADLINE = 5.0          # server.http.Limits.header_seconds
SAMPLE_EVERY = 50              # of the crowd's streams, one in 50 is parsed whole
# The processes that hold the streams and the slow connections run at a lower CPU
# priority: on this 2-core machine they would otherwise take turns on the CPU with the
# server they load (in a hall they are phones and screens of their own). The clerks
# and kiosks, whose timings are measured, keep the normal priority.
HOLDERS_NICE = 10


@dataclass(frozen=True)
class Scenario:
    number: int
    name: str
    rate: float                # actions a second offered; 0: flat out
    streams: int = 0           # public event streams (displays, phone pages)
    slow: int = 0              # slow-header connections
    subscribers: int = 0       # staff subscribers, every event parsed
    runs: int = 3
    synchronous: str = ""      # SQLite's synchronous setting; "": the demo hall's


def scenarios(args) -> list[Scenario]:
    return [
        Scenario(1, f"{args.streams:,} streams + {args.slow} slow headers, "
                    f"{args.busy_rate:.0f}/s", args.busy_rate, streams=args.streams,
                 slow=args.slow, runs=1),
        Scenario(2, f"{args.subscribers} subscribers, {args.rate:.0f}/s", args.rate,
                 subscribers=args.subscribers, runs=5),
        Scenario(3, "no subscribers, flat out", 0),
        Scenario(4, "no subscribers, flat out, synchronous=NORMAL", 0, synchronous="NORMAL"),
        Scenario(5, f"no subscribers, {args.rate:.0f}/s", args.rate),
        Scenario(6, f"{args.subscribers} subscribers, flat out", 0,
                 subscribers=args.subscribers),
    ]


# --- processes ----------------------------------------------------------------------------

class Helper:
    """A bench process whose standard output is read line by line in a thread."""

    def __init__(self, args: list[str], stdin: bool = False, nice: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=ROOT, text=True, stdout=subprocess.PIPE,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            preexec_fn=(lambda: os.nice(nice)) if nice else None)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def line(self, timeout: float) -> str | None:
        try:
            return self.lines.get(timeout=max(0.1, timeout))
        except queue.Empty:
            return None

    def ready(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while (line := self.line(deadline - time.monotonic())) is not None:
            if line.startswith("ready"):
                return line
        return None

    def report(self, timeout: float, say: str | None = None) -> dict | None:
        if say is not None:
            try:
                self.process.stdin.write(say + "\n")
                self.process.stdin.flush()
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        while (line := self.line(deadline - time.monotonic())) is not None:
            if line.startswith("{"):
                return json.loads(line)
        return None

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


def start_server(design: str, database: str,
                 synchronous: str = "") -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.hall_server", design, str(port),
                                database] + ([synchronous] if synchronous else []),
                               cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            HallClient(url, timeout=1).health()
            return process, url
        except ServerUnavailable:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {design} bench server did not start")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def rss_megabytes(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def probe_health(url: str, until: threading.Event, results: list) -> None:
    """Ask /api/health on a fresh connection every 0.25 s: (seconds, answered)."""
    host, port = url.rsplit(":", 1)
    while not until.is_set():
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(host.split("//")[1], int(port), timeout=2)
            conn.request("GET", "/api/health")
            answered = conn.getresponse().status == 200
            conn.close()
        except (OSError, http.client.HTTPException):
            answered = False
        results.append((time.monotonic() - started, answered))
        until.wait(0.25)


def one_run(design: str, scenario: Scenario, database: str, seconds: float,
            synchronous: str = "") -> dict:
    """One scenario on a fresh server with its own database."""
    server, url = start_server(design, database, synchronous)
    helpers: list[Helper] = []
    try:
        prepare_hall(url)
        streams = []
        for count, token, sample in ((scenario.streams, BENCH_TOKENS["display"], SAMPLE_EVERY),
                                     (scenario.subscribers, BENCH_TOKENS["manager"], 1)):
            if count:
                streams.append(Helper(["bench.load_clients", "streams", url, str(count),
                                       token, str(sample)], stdin=True, nice=HOLDERS_NICE))
        helpers += streams
        connect_started = time.monotonic()
        for helper in streams:
            helper.ready(170)
        connect_seconds = time.monotonic() - connect_started
        rss_connected = rss_megabytes(server.pid)
        slow = None
        if scenario.slow:
            slow = Helper(["bench.load_clients", "slow", url, str(scenario.slow), "1.0"],
                          stdin=True, nice=HOLDERS_NICE)
            helpers.append(slow)
            slow.ready(30)
            time.sleep(1.0)
        stop_probe, health = threading.Event(), []
        probe = threading.Thread(target=probe_health, args=(url, stop_probe, health))
        cpu_before, started = cpu_seconds(server.pid), time.monotonic()
        actors = [Helper(["bench.load_clients", "actors", url, str(part), "2", str(seconds),
                          str(scenario.rate / 2)]) for part in (0, 1)]
        helpers += actors
        probe.start()
        action_reports = [a.report(seconds + 60) for a in actors]
        elapsed = time.monotonic() - started
        cpu = (cpu_seconds(server.pid) - cpu_before) / elapsed
        stop_probe.set()
        probe.join()
        try:
            marker = HallClient(url, kiosk_token(1), timeout=5).issue_ticket(
                subjects()[0]).events[-1].id
        except (ApiError, IndexError):
            marker = 10**12                    # no marker: no stream can be shown up to date
        stream_reports = [h.report(30, f"stop {marker}") for h in streams]
        slow_report = slow.report(10, "stop") if slow else None
        rss = rss_megabytes(server.pid)
    finally:
        stop_started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            exit_code = server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            exit_code = server.wait(5)
        stop_seconds = time.monotonic() - stop_started
        for helper in helpers:
            helper.end()
    figures = summarise(scenario, action_reports, stream_reports, slow_report, health, seconds)
    figures.update(cpu=cpu, rss_mb=rss, rss_connected_mb=rss_connected,
                   connect_seconds=connect_seconds, exit_code=exit_code,
                   stop_seconds=stop_seconds)
    return figures


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0-1) by the hall's one percentile rule; NaN for none."""
    return core_percentile(values, 100 * share) if values else float("nan")


def summarise(scenario, action_reports, stream_reports, slow_report, health,
              seconds) -> dict:
    """One run's figures; throughput counts the actions started in the load's `seconds`."""
    missing = sum(1 for r in action_reports if r is None)
    action_reports = [r for r in action_reports if r is not None]
    latencies = [x for r in action_reports for x in r["latencies"]]
    streams = [r for r in stream_reports if r is not None]
    target = scenario.streams + scenario.subscribers
    delays = [d for r in streams for d in r["delays"]]
    lifetimes = slow_report["lifetimes"] if slow_report else []
    return {
        "actions": len(latencies), "throughput": len(latencies) / seconds,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "max_ms": 1000 * max(latencies, default=float("nan")),
        "unanswered": sum(r["unanswered"] for r in action_reports),
        "reports_missing": missing,
        "refused": sum(r["refused"] for r in action_reports),
        "health_probes": len(health),
        "health_failed": sum(1 for _, ok in health if not ok),
        "health_max_ms": 1000 * max((s for s, _ in health), default=float("nan")),
        "streams_target": target,
        "streams_ok": sum(r["reached_marker"] for r in streams) if target else 0,
        "snapshots": sum(r["snapshots"] for r in streams),
        "sampled": sum(r["sampled"] for r in streams),
        "sampled_complete": sum(r["sampled_complete"] for r in streams),
        "event_p50_ms": 1000 * percentile(delays, 0.50),
        "event_p99_ms": 1000 * percentile(delays, 0.99),
        "slow": scenario.slow, "slow_cut": len(lifetimes),
        "slow_answered": slow_report["answered"] if slow_report else 0,
        "slow_life_max": max(lifetimes + [slow_report["oldest_at_end"]])
        if slow_report else float("nan"),
    }


def merge(runs: list[dict]) -> dict:
    """Medians over the runs, the p99's range, and the worst run for counts."""
    merged = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    merged["p99_range"] = (min(r["p99_ms"] for r in runs), max(r["p99_ms"] for r in runs))
    merged["p99_runs"] = [r["p99_ms"] for r in runs]
    for key in ("unanswered", "refused", "health_failed", "reports_missing"):
        merged[key] = sum(r[key] for r in runs)
    for key in ("streams_ok", "sampled_complete", "slow_cut"):
        merged[key] = min(r[key] for r in runs)
    for key in ("health_max_ms", "slow_life_max", "stop_seconds"):
        merged[key] = max(r[key] for r in runs)
    merged["exit_codes"] = sorted({r["exit_code"] for r in runs})
    merged["runs"] = len(runs)
    return merged


# --- the table and the verdicts -----------------------------------------------------------

def table(rows: list[tuple[Scenario, str, dict]]) -> str:
    head = (f"{'scenario':<46}{'design':<9}{'runs':>5}{'act/s':>7}{'p50 ms':>8}{'p99 ms':>8}"
            f"{'p99 range':>12}{'unans.':>7}{'health max':>11}{'streams ok':>13}"
            f"{'event p99':>10}{'slow cut':>10}{'cpu':>6}{'rss MB':>8}")
    lines = [head, "-" * len(head)]
    for scenario, design, r in rows:
        low, high = r["p99_range"]
        streams = (f"{r['streams_ok']:.0f}/{r['streams_target']:.0f}"
                   if r["streams_target"] else "-")
        event = f"{r['event_p99_ms']:.0f}" if r["streams_target"] else "-"
        slow = (f"{r['slow_cut']:.0f}/{r['slow_life_max']:.1f}s" if scenario.slow else "-")
        lines.append(
            f"{scenario.name:<46}{design:<9}{r['runs']:>5}{r['throughput']:>7.0f}"
            f"{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}{f'{low:.0f}-{high:.0f}':>12}"
            f"{r['unanswered']:>7.0f}{r['health_max_ms']:>9.0f}ms{streams:>13}{event:>10}"
            f"{slow:>10}{100 * r['cpu']:>5.0f}%{r['rss_mb']:>8.0f}")
    return "\n".join(lines)


def verdicts(design: str, results: dict[int, dict], scenario_list: list[Scenario]) -> list[str]:
    checks = []
    by_number = {s.number: s for s in scenario_list}
    if 1 in results:
        r, s = results[1], by_number[1]
        checks += [
            (f"crowd: every action answered at {s.rate:.0f}/s",
             r["unanswered"] == 0 and r["refused"] == 0 and r["reports_missing"] == 0
             and r["throughput"] >= 0.95 * s.rate,
             f"{r['actions']:.0f} actions, {r['unanswered']:.0f} unanswered, "
             f"{r['refused']:.0f} refused, {r['throughput']:.0f}/s"),
            ("crowd: action p99 under 50 ms", r["p99_ms"] < 50, f"{r['p99_ms']:.1f} ms"),
            ("crowd: /api/health answered every probe within 1 s",
             r["health_failed"] == 0 and r["health_max_ms"] < 1000,
             f"{r['health_probes']:.0f} probes, {r['health_failed']:.0f} failed, "
             f"slowest {r['health_max_ms']:.0f} ms"),
            (f"crowd: all {s.streams:,} streams open and up to date at the end",
             r["streams_ok"] == r["streams_target"],
             f"{r['streams_ok']:.0f}/{r['streams_target']:.0f}, sampled event p99 "
             f"{r['event_p99_ms']:.0f} ms"),
            (f"crowd: slow-header connections cut within {HEADER_DEADLINE + 1.5:.1f} s",
             r["slow_cut"] > 0 and r["slow_life_max"] <= HEADER_DEADLINE + 1.5
             and r["slow_answered"] == 0,
             f"{r['slow_cut']:.0f} cut, longest held {r['slow_life_max']:.1f} s"),
        ]
    if 2 in results:
        r, s = results[2], by_number[2]
        good = sum(1 for p99 in r["p99_runs"] if p99 < 50)
        checks += [
            (f"{s.subscribers} subscribers at {s.rate:.0f}/s: p99 under 50 ms in at least "
             f"4 of 5 runs", good >= 0.8 * r["runs"],
             f"{good} of {r['runs']} ({', '.join(f'{p:.0f}' for p in r['p99_runs'])} ms)"),
            (f"{s.subscribers} subscribers: every subscriber got every event in every run",
             r["streams_ok"] == r["streams_target"]
             and r["sampled_complete"] == r["streams_target"],
             f"{r['sampled_complete']:.0f}/{r['streams_target']:.0f} in the worst run"),
            (f"{s.subscribers} subscribers: {s.rate:.0f} actions/s reached",
             r["throughput"] >= 0.95 * s.rate, f"{r['throughput']:.0f}/s"),
        ]
    for number in (3, 4):
        if number in results:
            r = results[number]
            label = {3: "the demo hall's synchronous", 4: "synchronous=NORMAL"}[number]
            checks.append((f"at least 1,000 actions/s flat out, no subscribers ({label})",
                           r["throughput"] >= 1000, f"{r['throughput']:.0f}/s (median)"))
    everything = list(results.values())
    checks.append(("stops cleanly on SIGTERM (exit 0 within 5 s) after every run",
                   all(r["exit_codes"] == [0] and r["stop_seconds"] <= 5 for r in everything),
                   f"exit codes {sorted({c for r in everything for c in r['exit_codes']})}, "
                   f"slowest {max(r['stop_seconds'] for r in everything):.1f} s"))
    return [f"{'PASS' if ok else 'FAIL'}  {design:<8} {name}: {value}"
            for name, ok, value in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/server", description=__doc__.split("\n")[0])
    parser.add_argument("--design", default=",".join(DESIGNS),
                        help=f"designs to compare, from {', '.join(DESIGNS)}")
    parser.add_argument("--only", default="1,2,3,4", help="scenarios to run, e.g. 1,3 (1-6)")
    parser.add_argument("--repeat", type=int,
                        help="runs of each scenario (default: 1 for the crowd, 5 for the "
                             "subscribers, 3 for the others); the table shows medians")
    parser.add_argument("--seconds", type=float, default=8.0, help="load time of one run")
    parser.add_argument("--rate", type=float, default=200.0, help="paced actions a second")
    parser.add_argument("--busy-rate", type=float, default=50.0,
                        help="the crowd's paced actions a second (a busy hall)")
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"),
                        help="SQLite's synchronous setting for scenarios 1-3 and 5-6 "
                             "(default: the demo hall's)")
    args = parser.parse_args(argv)
    designs = [d.strip() for d in args.design.split(",") if d.strip()]
    if set(designs) - set(DESIGNS):
        parser.error(f"--design: one or more of {', '.join(DESIGNS)}")
    chosen = {int(n) for n in args.only.split(",")}
    scenario_list = [s for s in scenarios(args) if s.number in chosen]
    rows: list[tuple[Scenario, str, dict]] = []
    results: dict[str, dict[int, dict]] = {d: {} for d in designs}
    with tempfile.TemporaryDirectory() as folder:
        for scenario in scenario_list:
            for design in designs:
                runs = []
                for run in range(args.repeat or scenario.runs):
                    database = os.path.join(folder, f"{design}-{scenario.number}-{run}.db")
                    runs.append(one_run(design, scenario, database, args.seconds,
                                        scenario.synchronous or args.synchronous or ""))
                    print(table([(scenario, design, merge(runs[-1:]))]).splitlines()[-1],
                          file=sys.stderr, flush=True)
                results[design][scenario.number] = merge(runs)
                rows.append((scenario, design, results[design][scenario.number]))
    print(f"\nYichuang hall server, {WINDOWS} windows calling, {KIOSKS} kiosks issuing, "
          f"{args.seconds:.0f} s of load a run, medians over the runs, {os.cpu_count()} "
          f"cores shared with the load, 127.0.0.1\n")
    print(table(rows))
    print()
    for design in designs:
        print("\n".join(verdicts(design, results[design], scenario_list)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
