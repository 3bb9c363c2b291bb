"""The bench hall (60 windows, 20 kiosks) and the processes that load it.

Actors use the product's own client (`server.client.HallClient`). Subscribers
are lean on purpose: one selector loop per process over raw sockets, so that on
a 2-core machine the measuring side steals as little as possible from the server.
"""
from __future__ import annotations

import random
import re
import selectors
import socket
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from core.settings.loader import load_settings
from core.settings.schema import Credential, WindowSpec
from server.auth import hash_token
from server.client import ApiError, HallClient

DEMO_HALL = Path(__file__).resolve().parent.parent / "config" / "demo-hall.toml"
WINDOWS, KIOSKS, COPIES = 60, 20, 4
PREFILL = 300
BENCH_TOKENS = {"display": "bench-display", "manager": "bench-manager"}


def clerk_token(window: int) -> str:
    return f"bench-clerk-{window:02d}"


def kiosk_token(kiosk: int) -> str:
    return f"bench-kiosk-{kiosk:02d}"


def big_hall():
    """The demo hall's 15 windows four times over: 60 windows, same pools and skills."""
    demo = load_settings(DEMO_HALL)
    windows = tuple(WindowSpec(number=w.number + copy * len(demo.windows),
                               name=f"{w.number + copy * len(demo.windows)}号窗口", pool=w.pool,
                               skills=w.skills, also_serves=w.also_serves, lunch_break=None)
                    for copy in range(COPIES) for w in demo.windows)
    credentials = [Credential(f"clerk-{n:02d}", "clerk", hash_token(clerk_token(n)))
                   for n in range(1, WINDOWS + 1)]
    credentials += [Credential(f"kiosk-{n:02d}", "kiosk", hash_token(kiosk_token(n)))
                    for n in range(1, KIOSKS + 1)]
    credentials += [Credential(role, role, hash_token(token))
                    for role, token in BENCH_TOKENS.items()]
    return replace(demo, windows=windows, credentials=tuple(credentials))


def subjects() -> list[str]:
    """What the bench's citizens come for: every matter an acceptance window takes."""
    hall = load_settings(DEMO_HALL)
    return [m.code for m in hall.matters if m.pool.startswith("acceptance")]


def prepare_hall(url: str) -> None:
    """Staff and open every window, and fill the line so windows always have work."""
    for window in range(1, WINDOWS + 1):
        clerk = HallClient(url, clerk_token(window))
        clerk.log_in(window)
        clerk.open_window(window)
    kiosk = HallClient(url, kiosk_token(1))
    rng = random.Random(7)
    choices = subjects()
    for _ in range(PREFILL):
        kiosk.issue_ticket(rng.choice(choices))


# --- actors -------------------------------------------------------------------------

def _window_cycle(client: HallClient, window: int):
    """A clerk's day in miniature: call the next citizen, start, finish."""
    while True:
        answer = client.call_next(window)
        yield
        if answer.ticket is not None:
            client.start_service(window)
            yield
            client.finish_service(window)
            yield


def _kiosk_cycle(client: HallClient, rng: random.Random, choices: list[str]):
    while True:
        client.issue_ticket(rng.choice(choices))
        yield


def _actor(cycle, seconds: float, rate: float | None, phase: float, report: dict) -> None:
    start = time.monotonic()
    deadline, step = start + seconds, (1.0 / rate if rate else 0.0)
    scheduled = start + phase * step
    while True:
        if rate:
            pause = scheduled - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        sent = scheduled if rate else time.monotonic()
        if sent >= deadline:
            return
        try:
            next(cycle)
        except ApiError:
            report["errors"] += 1
        report["latencies"].append(time.monotonic() - sent)
        scheduled += step


def run_actors(url: str, part: int, seconds: float, rate: float | None, results) -> None:
    """Half of the windows and half of the kiosks, one thread each."""
    windows = range(1 + part * WINDOWS // 2, 1 + (part + 1) * WINDOWS // 2)
    kiosks = range(1 + part * KIOSKS // 2, 1 + (part + 1) * KIOSKS // 2)
    actors = len(windows) + len(kiosks)
    per_actor = rate / actors if rate else None
    choices = subjects()
    report = {"latencies": [], "errors": 0}
    cycles = [_window_cycle(HallClient(url, clerk_token(w)), w) for w in windows]
    cycles += [_kiosk_cycle(HallClient(url, kiosk_token(k)), random.Random(k), choices)
               for k in kiosks]
    rng = random.Random(part)
    threads = [threading.Thread(target=_actor, args=(c, seconds, per_actor, rng.random(), report))
               for c in cycles]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report["active_seconds"] = time.monotonic() - started
    results.put(report)


# --- subscribers ----------------------------------------------------------------------

_ID = re.compile(rb"^id: (\d+)$", re.M)
_AT = re.compile(rb'"at":"([^"]+)"')


class _Subscription:
    def __init__(self) -> None:
        self.buffer = b""
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.gaps = 0
        self.delays: list[float] = []

    def feed(self, data: bytes, received: float) -> None:
        self.buffer += data
        *frames, self.buffer = self.buffer.split(b"\n\n")
        for frame in frames:
            found = _ID.search(frame)
            if found is None:
                continue                     # headers, retry, keep-alive comments
            event_id = int(found.group(1))
            if b"event: snapshot" in frame:
                self.first_id = self.last_id = event_id
                continue
            if self.last_id is not None and event_id != self.last_id + 1:
                self.gaps += 1
            self.last_id = event_id
            at = _AT.search(frame)
            if at:
                self.delays.append(received - datetime.fromisoformat(at.group(1).decode())
                                   .timestamp())


def _connect(url: str, token: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(f"GET /api/events HTTP/1.0\r\nHost: {parts.hostname}\r\n"
                 f"Authorization: Bearer {token}\r\n\r\n".encode())
    sock.setblocking(False)
    return sock


def run_subscribers(url: str, count: int, ready, stop, results) -> None:
    """`count` event-stream subscribers in one selector loop; reports their timings."""
    selector = selectors.DefaultSelector()
    subscriptions = []
    for _ in range(count):
        subscription = _Subscription()
        selector.register(_connect(url, BENCH_TOKENS["display"]), selectors.EVENT_READ,
                          subscription)
        subscriptions.append(subscription)
    while any(s.first_id is None for s in subscriptions):
        _pump(selector, 0.5)
    ready.set()
    while not stop.is_set():
        _pump(selector, 0.2)
    final = int(stop_last_id(url))
    drain_until = time.monotonic() + 5
    while time.monotonic() < drain_until and any((s.last_id or 0) < final for s in subscriptions):
        _pump(selector, 0.1)
    results.put({
        "delays": [d for s in subscriptions for d in s.delays],
        "complete": sum(1 for s in subscriptions if s.gaps == 0 and (s.last_id or 0) >= final),
    })
    for key in list(selector.get_map().values()):
        key.fileobj.close()


def stop_last_id(url: str) -> int:
    return HallClient(url, timeout=5).health()["last_event_id"]


def _pump(selector, timeout: float) -> None:
    for key, _ in selector.select(timeout):
        try:
            data = key.fileobj.recv(262144)
        except BlockingIOError:
            continue
        if data:
            key.data.feed(data, time.time())
