"""The bench's load, each kind in a process of its own (bench/server.py starts them).

    python -m bench.load_clients actors  URL PART PARTS SECONDS RATE    (RATE 0: flat out)
    python -m bench.load_clients streams URL COUNT TOKEN SAMPLE_EVERY
    python -m bench.load_clients slow    URL COUNT INTERVAL

- actors: this part's share of the hall's window clerks (call next, start, finish)
  and kiosks (issue), one greenlet each, through the product's own client. The
  process is gevent's, so 40 clients cost one thread and no lock hand-offs.
- streams: COUNT event-stream connections in one selector loop over raw sockets.
  Every SAMPLE_EVERY-th stream is parsed whole (each event's delivery time, gaps);
  the rest only track the last event id they saw, so that 5,000 streams cost the
  measuring side little.
- slow: COUNT connections that send a request's headers one byte every INTERVAL
  seconds and never finish them; each one cut by the server is opened again.

`streams` and `slow` print "ready ..." once their connections are up, then run
until a line "stop MARKER" on standard input (streams wait, up to 5 s, until every
stream has seen event MARKER). Every mode prints its report as JSON on its last line.
"""
import sys

if __name__ == "__main__" and sys.argv[1:2] == ["actors"]:
    import os
    os.environ.setdefault("GEVENT_RESOLVER", "block")     # 127.0.0.1 needs no thread pool
    from gevent import monkey  # before anything imports socket, ssl or threading
    monkey.patch_all()

import errno  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import selectors  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from bench.hall_load import (  # noqa: E402
    KIOSKS,
    WINDOWS,
    Subscription,
    clerk,
    clerk_token,
    kiosk,
    kiosk_token,
    subjects,
)
from server.client import ApiError, HallClient, ServerUnavailable  # noqa: E402

ACTION_TIMEOUT = 5.0       # a request not answered by then counts as unanswered
BATCH = 250                # streams connected at a time


# --- actors ---------------------------------------------------------------------------

def _actor(client: HallClient, act, go, seconds: float, rate: float, phase: float,
           report: dict) -> None:
    # The client's connection is opened before the clock starts, in this greenlet (the
    # client keeps one connection per greenlet), as a kiosk's or clerk's app holds one.
    try:
        client.whoami()
    except ApiError:
        pass                                   # the first action will find out again
    go.wait()
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
            act()
        except ServerUnavailable:
            report["unanswered"] += 1
        except ApiError:
            report["refused"] += 1
        report["latencies"].append(time.monotonic() - sent)
        scheduled += step


def run_actors(url: str, part: int, parts: int, seconds: float, rate: float) -> dict:
    import gevent
    from gevent.event import Event
    windows = range(1 + part * WINDOWS // parts, 1 + (part + 1) * WINDOWS // parts)
    kiosks = range(1 + part * KIOSKS // parts, 1 + (part + 1) * KIOSKS // parts)
    per_actor = rate / (len(windows) + len(kiosks)) if rate else 0.0
    choices = subjects()
    report = {"latencies": [], "unanswered": 0, "refused": 0}
    actors = [(client := HallClient(url, clerk_token(w), ACTION_TIMEOUT), clerk(client, w))
              for w in windows]
    actors += [(client := HallClient(url, kiosk_token(k), ACTION_TIMEOUT),
                kiosk(client, random.Random(k), choices)) for k in kiosks]
    rng, go = random.Random(part), Event()
    greenlets = [gevent.spawn(_actor, client, act, go, seconds, per_actor, rng.random(), report)
                 for client, act in actors]
    gevent.sleep(0.5)                          # every actor connected
    started = time.monotonic()
    go.set()
    gevent.joinall(greenlets)
    report["active_seconds"] = time.monotonic() - started
    return report


# --- event streams ----------------------------------------------------------------------

_LAST_ID = re.compile(rb"\nid: (\d+)\n")


class _Lite:
    """A stream that only keeps the last event id it saw (and whether it saw a snapshot)."""

    def __init__(self) -> None:
        self.tail = b""
        self.snapshot = False
        self.last_id: int | None = None
        self.chunks = 0

    def feed(self, data: bytes, _received: float) -> None:
        self.chunks += 1
        text = self.tail + data
        if not self.snapshot and b"event: snapshot" in text:
            self.snapshot = True
        ids = _LAST_ID.findall(text)
        if ids:
            self.last_id = int(ids[-1])
        self.tail = text[-40:]

    @property
    def first_id(self):
        return self.last_id if self.snapshot else None


class _Stream:
    def __init__(self, sock: socket.socket, parser) -> None:
        self.sock, self.parser = sock, parser
        self.connected = False
        self.closed = False


def _request(url: str, token: str) -> bytes:
    host = urlsplit(url).hostname
    return (f"GET /api/events HTTP/1.0\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n").encode()


def run_streams(url: str, count: int, token: str, sample_every: int) -> dict:
    parts = urlsplit(url)
    address = (parts.hostname, parts.port)
    request = _request(url, token)
    selector = selectors.DefaultSelector()
    streams: list[_Stream] = []
    refused = 0
    # Connect in batches of BATCH, each once the one before has its snapshots (as
    # screens and phones arrive over time, not in one SYN flood that overflows the
    # listen queue); a server that stops answering gets the rest at once. Ready when
    # every stream has its snapshot, or nothing came for 10 s, or after 150 s.
    started = last_progress = time.monotonic()
    have, stalled = 0, False
    while time.monotonic() - started < 150:
        if len(streams) + refused < count and (stalled or have >= len(streams)):
            for n in range(len(streams) + refused,
                           count if stalled else min(count, len(streams) + refused + BATCH)):
                parser = Subscription() if sample_every and n % sample_every == 0 else _Lite()
                sock = socket.socket()
                sock.setblocking(False)
                if sock.connect_ex(address) not in (0, errno.EINPROGRESS):
                    refused += 1
                    sock.close()
                    continue
                streams.append(_Stream(sock, parser))
                selector.register(sock, selectors.EVENT_WRITE, streams[-1])
        _pump(selector, 0.1, request)
        now_have = sum(1 for s in streams if s.parser.first_id is not None)
        if now_have > have:
            have, last_progress = now_have, time.monotonic()
        if time.monotonic() - last_progress > 10:
            if stalled or len(streams) + refused >= count:
                break
            stalled, last_progress = True, time.monotonic()
        if have == count:
            break
    print(f"ready {have} {count} {time.monotonic() - started:.1f}", flush=True)
    selector.register(sys.stdin, selectors.EVENT_READ, None)
    marker = None
    while marker is None:
        marker = _pump(selector, 0.2, request)
    drain_until = time.monotonic() + 5
    while time.monotonic() < drain_until and any(
            not s.closed and (s.parser.last_id or 0) < marker for s in streams):
        _pump(selector, 0.1, request)
    full = [s.parser for s in streams if isinstance(s.parser, Subscription)]
    report = {
        "count": count, "connected": sum(1 for s in streams if s.connected),
        "refused": refused, "snapshots": have,
        "open_at_end": sum(1 for s in streams if not s.closed),
        "reached_marker": sum(1 for s in streams if (s.parser.last_id or 0) >= marker),
        "sampled": len(full),
        "sampled_complete": sum(1 for p in full if p.gaps == 0
                                and (p.last_id or 0) >= marker),
        "delays": [d for p in full for d in p.delays],
    }
    for s in streams:
        s.sock.close()
    return report


def _pump(selector, timeout: float, request: bytes) -> int | None:
    """One round of the selector loop; returns the marker once told to stop."""
    now = time.time()
    for key, mask in selector.select(timeout):
        stream = key.data
        if stream is None:                                  # standard input
            line = sys.stdin.readline().split()
            return int(line[1]) if line and line[0] == "stop" else -1
        if not stream.connected:
            stream.connected = True
            try:
                stream.sock.sendall(request)                 # tiny: fits the socket buffer
            except OSError:
                _close(selector, stream)
                continue
            selector.modify(stream.sock, selectors.EVENT_READ, stream)
            continue
        try:
            data = stream.sock.recv(262_144)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if data:
            stream.parser.feed(data, now)
        else:
            _close(selector, stream)
    return None


def _close(selector, stream: _Stream) -> None:
    stream.closed = True
    selector.unregister(stream.sock)
    stream.sock.close()


# --- slow-header connections -----------------------------------------------------------

def run_slow(url: str, count: int, interval: float) -> dict:
    """Connections that dribble their headers; report how long the server let them live."""
    parts = urlsplit(url)
    address = (parts.hostname, parts.port)
    header = (f"GET /api/health HTTP/1.1\r\nHost: {parts.hostname}\r\nX-Slow: "
              + "a" * 10_000).encode()
    selector = selectors.DefaultSelector()
    opened, lifetimes, answered = 0, [], 0
    conns: dict[socket.socket, list] = {}      # sock -> [opened at, bytes sent, next send]

    def open_one(at: float) -> None:
        nonlocal opened
        sock = socket.socket()
        sock.setblocking(False)
        if sock.connect_ex(address) not in (0, errno.EINPROGRESS):
            sock.close()
            return
        opened += 1
        conns[sock] = [at, 0, at + random.random() * interval]
        selector.register(sock, selectors.EVENT_READ, None)

    now = time.monotonic()
    for _ in range(count):
        open_one(now)
    print(f"ready {len(conns)} {count}", flush=True)
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    stop = False
    while not stop:
        for key, _ in selector.select(0.05):
            if key.data == "stdin":
                sys.stdin.readline()
                stop = True
                continue
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                answered += 1                   # the server answered half a request?
            selector.unregister(sock)
            lifetimes.append(time.monotonic() - conns.pop(sock)[0])
            sock.close()
            open_one(time.monotonic())
        now = time.monotonic()
        for sock, state in conns.items():
            if state[2] <= now and state[1] < len(header):
                try:
                    sock.send(header[state[1]:state[1] + 1])
                    state[1] += 1
                except (BlockingIOError, OSError):
                    pass
                state[2] = now + interval
    now = time.monotonic()
    still = [now - state[0] for state in conns.values()]
    for sock in list(conns):
        sock.close()
    return {"count": count, "opened": opened, "cut": len(lifetimes), "answered": answered,
            "lifetimes": lifetimes, "oldest_at_end": max(still, default=0.0)}


def main(argv: list[str]) -> int:
    mode, url, *rest = argv
    if mode == "actors":
        part, parts, seconds, rate = int(rest[0]), int(rest[1]), float(rest[2]), float(rest[3])
        report = run_actors(url, part, parts, seconds, rate)
    elif mode == "streams":
        report = run_streams(url, int(rest[0]), rest[1], int(rest[2]))
    elif mode == "slow":
        report = run_slow(url, int(rest[0]), float(rest[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
