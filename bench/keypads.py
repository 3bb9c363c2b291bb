"""Keypad press -> server -> keypad screen, and caller button -> board event, in a busy hall.

    bench/keypads [--seconds 60] [--load 6] [--streams 100] [--keypads 4] [--think 0.5]

The production server (gevent, `bench.hall_server`, the 60-window bench hall, every
window staffed and 300 citizens waiting) under a busy hall's load: windows 10-60 call,
start and finish in turn at `--load` actions a second (a hall's real peak is about 10),
and `--streams` display streams follow the board (`bench.load_clients streams`).

- keypad: `--keypads` keypads (windows 1-4) on the far side of a real pty, played by a
  scripted device; the real bridge (`yichuang keypads`, its own process, polling every
  0.01 s with a 0.1 s answer timeout) carries their presses to the server. Each keypad
  presses call next, start, finish in a loop, the next press `--think` seconds
  after its screen showed the answer; timed from the moment the press is ready to be polled to the
  moment the SHOW frame with the answer arrives on the pty. A pty has no baud rate:
  on a real 9,600-baud RS-485 line add about 8 ms for the poll and its answer and 10
  ms for the SHOW (printed below the table), plus up to one polling round.
- caller: what the caller app's button does (`HallClient.call_next` at windows 5-8,
  then start and finish), timed from the call sent to the TicketCalled arriving on a
  display's event stream.

Prints p50/p99 and PASS/FAIL against 100 ms at p99 (issue 10, "Done when").
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.hall_load import (
    BENCH_TOKENS,
    DEMO_HALL,
    KEYPAD_TOKEN,
    clerk_token,
    prepare_hall,
)
from bench.server import HOLDERS_NICE, Helper, percentile, start_server
from core.events import TicketCalled
from hardware.keypad import OK, POLL, SHOW, Key, decode_request, encode_reply, frame_buffer
from server.client import ApiError, HallClient
from tests.hardware.scripted_pty import ScriptedLine

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MS = 100.0
CYCLE = (Key.CALL_NEXT, Key.START, Key.FINISH)


class KeypadPlayer:
    """Keypads on the pty: each presses the next key of its cycle once its screen shows
    the answer to the last; `latencies` in seconds, press ready -> SHOW received."""

    def __init__(self, path: Path, addresses: list[int], think_seconds: float) -> None:
        self.addresses, self.think_seconds = addresses, think_seconds
        self.next_at: dict[int, float] = {}
        self.pending: dict[int, tuple[int, Key] | None] = {a: None for a in addresses}
        self.since: dict[int, float | None] = {a: None for a in addresses}
        self.sequence = {a: 0 for a in addresses}
        self.step = {a: 0 for a in addresses}
        self.delivered: dict[int, bool] = {}
        self.latencies: list[float] = []
        self.shown: list[tuple[int, str]] = []
        self.running = False
        self.line = ScriptedLine(path, frame_buffer().framing, self._answer)

    def start(self) -> None:
        with self.line.changed:
            self.running = True
            for address in self.addresses:
                self._press(address)

    def stop(self) -> None:
        with self.line.changed:
            self.running = False

    def _press(self, address: int, ready: float | None = None) -> None:
        key = CYCLE[self.step[address] % len(CYCLE)]
        self.step[address] += 1
        self.sequence[address] = self.sequence[address] % 255 + 1
        self.pending[address] = (self.sequence[address], key)
        self.since[address] = ready or time.perf_counter()
        self.delivered[address] = False          # not yet in a poll's answer

    def _answer(self, frame: bytes) -> bytes:
        request = decode_request(frame)
        address, now = request.address, time.perf_counter()
        with self.line.changed:
            if request.command == SHOW:
                since = self.since.get(address)
                if since is not None and self.delivered.get(address):
                    self.latencies.append(now - since)
                    self.shown.append((address, request.text))
                    self.since[address] = None
                    self.next_at[address] = now + self.think_seconds
                return encode_reply(address, SHOW)
            due = self.next_at.get(address)
            if self.running and due is not None and due <= now and self.since[address] is None:
                self._press(address, due)          # ready since `due`: its poll wait counts
            press = self.pending.get(address)
            if press is not None and press[0] == request.ack:
                self.pending[address] = press = None            # acknowledged
            if press is None:
                return encode_reply(address, POLL)
            self.delivered[address] = True
            return encode_reply(address, POLL, OK, *press)


def other_windows(url: str, windows: range, rate: float, stop: threading.Event) -> None:
    clerks = {w: HallClient(url, clerk_token(w)) for w in windows}
    state = {w: "call" for w in windows}
    started, step = time.monotonic(), 0
    while not stop.is_set():
        pause = started + step / rate - time.monotonic()
        if pause > 0 and stop.wait(pause):
            return
        window = windows[step % len(windows)]
        step += 1
        try:
            if state[window] == "call":
                called = clerks[window].call_next(window).ticket is not None
                state[window] = "start" if called else "call"
            elif state[window] == "start":
                clerks[window].start_service(window)
                state[window] = "finish"
            else:
                clerks[window].finish_service(window)
                state[window] = "call"
        except ApiError:
            state[window] = "call"


def caller_to_board(url: str, seconds: float, windows: range) -> list[float]:
    """Calls at the caller windows, one every 0.2 s, timed to their board event."""
    display = HallClient(url, BENCH_TOKENS["display"])
    stream = display.events()
    arrived: dict[str, float] = {}
    ready = threading.Event()

    def follow() -> None:
        for item in stream:
            ready.set()
            event = getattr(item, "event", None)
            if isinstance(event, TicketCalled):
                arrived.setdefault(event.number, time.perf_counter())
    threading.Thread(target=follow, daemon=True).start()
    ready.wait(10)
    clerks = {w: HallClient(url, clerk_token(w)) for w in windows}
    sent: dict[str, float] = {}
    end, turn = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        window = windows[turn % len(windows)]
        turn += 1
        clerk = clerks[window]
        try:
            at = time.perf_counter()
            answer = clerk.call_next(window)
            if answer.ticket is not None:
                sent[answer.ticket.number] = at
                clerk.start_service(window)
                clerk.finish_service(window)
        except ApiError as error:
            print(f"caller window {window}: {error}", file=sys.stderr)
        time.sleep(0.2)
    time.sleep(1.0)
    stream.close()
    return [arrived[n] - at for n, at in sent.items() if n in arrived]


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seconds", type=float, default=60)
    options.add_argument("--load", type=float, default=6.0, help="other windows' actions/s")
    options.add_argument("--streams", type=int, default=100)
    options.add_argument("--keypads", type=int, default=4)
    options.add_argument("--think", type=float, default=0.5,
                         help="seconds a keypad's clerk waits after an answer (default 0.5)")
    args = options.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-keypads-"))
    server, url = start_server("gevent", str(work / "hall.db"))
    bridge = displays = None
    stop = threading.Event()
    player = KeypadPlayer(work / "ttyKEYS", list(range(1, args.keypads + 1)), args.think)
    try:
        prepare_hall(url)
        for _ in range(3):       # more citizens: the keypads and callers never run dry
            prepare_hall_more(url)
        hall = DEMO_HALL.read_text(encoding="utf-8")
        for n in player.addresses:
            hall = hall.replace(f'url = "fake://keypads?address={n}"',
                                f'url = "{player.line.url}?address={n}"')
        (work / "hall.toml").write_text(hall, encoding="utf-8")
        displays = Helper(["bench.load_clients", "streams", url, str(args.streams),
                           BENCH_TOKENS["display"], "1"], stdin=True, nice=HOLDERS_NICE)
        displays.ready(60)
        load = threading.Thread(target=other_windows, daemon=True,
                                args=(url, range(10, 61), args.load, stop))
        load.start()
        bridge = subprocess.Popen(
            [sys.executable, "-m", "yichuang.cli", "keypads", "--hall", str(work / "hall.toml"),
             "--server", url, "--token", KEYPAD_TOKEN, "--answer-timeout", "0.1",
             "--round-seconds", "0.01"], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=open(work / "keypads.log", "w"))
        time.sleep(3.0)                                   # the bridge shows 就绪
        player.start()
        caller = caller_to_board(url, args.seconds, range(5, 9))
        player.stop()
        keypad = player.latencies[:]
    finally:
        stop.set()
        if bridge is not None:
            bridge.terminate()
            bridge.wait(20)
        if displays is not None:
            displays.report(10, "stop 0")
            displays.end()
        player.line.close()
        server.terminate()
        server.wait(20)
    print(table([("keypad press -> keypad screen (pty)", keypad),
                 ("caller button -> board event", caller)], args))
    print(f"keypad answers seen: {len(player.shown)}, e.g. {player.shown[:4]}")
    print("on a 9,600-baud RS-485 line add about 18 ms (poll + answer 8 ms, SHOW 10 ms) "
          "and up to one polling round (0.01 s + 17 ms for each other keypad on the bus)")
    return 0


def prepare_hall_more(url: str) -> None:
    import random

    from bench.hall_load import kiosk_token, subjects
    kiosk, rng, choices = HallClient(url, kiosk_token(2)), random.Random(11), subjects()
    for _ in range(300):
        kiosk.issue_ticket(rng.choice(choices))


def table(rows, args) -> str:
    head = f"{'path':<40}{'samples':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  {'<100 ms p99':>11}"
    lines = [head, "-" * len(head)]
    for label, values in rows:
        p50, p99 = 1000 * percentile(values, 0.5), 1000 * percentile(values, 0.99)
        verdict = "PASS" if values and p99 < LIMIT_MS else "FAIL"
        lines.append(f"{label:<40}{len(values):>8}{p50:>9.1f}{p99:>9.1f}"
                     f"{1000 * max(values, default=float('nan')):>9.1f}  {verdict:>11}")
    lines.append(f"load: windows 10-60 at {args.load:g} actions/s, {args.streams} display "
                 f"streams, {args.keypads} keypads pressing {args.think:g} s after each "
                 f"answer, {args.seconds:g} s; gevent server; bridge polls every 0.01 s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
