"""How the production server holds connections (issue 7), against the real server.

The server runs as `yichuang demo` in a process of its own on 127.0.0.1
(`server.wsgi.ServerProcess`): its gevent monkey-patching cannot happen inside
pytest. Open event streams, slow or idle clients must cost almost nothing and never
hold up a kiosk or a window; oversized requests are refused before they are read.
"""
from __future__ import annotations

import selectors
import signal
import socket
import time

import pytest

from server.client import HallClient
from server.http import Limits
from server.wsgi import ServerProcess
from tests.conftest import TOKENS, clerk_token, demo_hall_without_issue_limits

LIMITS = Limits()               # the server's defaults, which `yichuang demo` runs with


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("connections")
    # the process runs on the real clock: the demo hall with its hours (and rate limits)
    # out of the way, so that numbers are issued whenever the test runs
    hall = demo_hall_without_issue_limits(folder)
    with ServerProcess(folder / "hall.db", hall=str(hall)) as running:
        clerk = HallClient(running.url, clerk_token(1))
        clerk.log_in(1)
        clerk.open_window(1)
        yield running


def connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response: status, headers (lower-case names), body (by Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    headers = {name.lower(): value for name, value in headers.items()}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection within `within` seconds (EOF or reset)."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def timed(call) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def open_streams(server: ServerProcess, count: int) -> list[socket.socket]:
    """`count` event streams, each answered 200 with its snapshot started."""
    streams = []
    request = (f"GET /api/events HTTP/1.1\r\nHost: hall\r\n"
               f"Authorization: Bearer {TOKENS['display']}\r\n\r\n").encode()
    for _ in range(count):
        sock = connect(server)
        sock.sendall(request)
        streams.append(sock)
    for sock in streams:
        assert sock.recv(12) == b"HTTP/1.1 200"
    return streams


def test_300_open_streams_do_not_hold_up_health_issuing_or_calling(server):
    streams = open_streams(server, 300)
    try:
        kiosk = HallClient(server.url, TOKENS["kiosk"], timeout=10)
        clerk = HallClient(server.url, clerk_token(1), timeout=10)
        assert timed(kiosk.health) < 1.0
        assert timed(lambda: kiosk.issue_ticket("SS-0101")) < 1.0
        assert timed(lambda: clerk.call_next(1)) < 1.0
    finally:
        for sock in streams:
            sock.close()


def test_slow_header_connections_hold_up_no_kiosk_and_are_cut(server):
    prefix = b"GET /api/health HTTP/1.1\r\nHost: hall\r\nX-Slow: " + b"a" * 100
    selector = selectors.DefaultSelector()
    opened = time.monotonic()
    for _ in range(60):
        sock = connect(server)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, {"sent": 0, "closed": None})
    kiosk = HallClient(server.url, TOKENS["kiosk"], timeout=10)
    kiosk_took = None
    deadline = opened + LIMITS.header_seconds + 5
    next_byte = opened
    while selector.get_map() and time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_byte:                       # one byte a second on each connection
            for key in list(selector.get_map().values()):
                try:
                    key.fileobj.send(prefix[key.data["sent"]:key.data["sent"] + 1])
                    key.data["sent"] += 1
                except OSError:
                    pass
            next_byte += 1.0
        if kiosk_took is None and now - opened > 1.5:
            kiosk_took = timed(lambda: kiosk.issue_ticket("SS-0101"))
        for key, _ in selector.select(0.05):
            try:
                answer = key.fileobj.recv(100)
            except ConnectionResetError:
                answer = b""
            assert answer == b"", "a half-sent request was answered"
            key.data["closed"] = time.monotonic() - opened
            selector.unregister(key.fileobj)
            key.fileobj.close()
    left = len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    assert kiosk_took is not None and kiosk_took < 1.0
    assert left == 0, f"{left} slow connections still open after {deadline - opened:.0f} s"


def test_slow_header_connections_are_cut_at_the_header_deadline(server):
    sock = connect(server)
    started = time.monotonic()
    for byte in b"GET /api/health HTTP/1.1\r\nHost: hall\r\n":
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        if closed_by_server(sock, 0.5):
            break
    lived = time.monotonic() - started
    sock.close()
    assert LIMITS.header_seconds - 0.5 <= lived <= LIMITS.header_seconds + 1.5


def test_a_body_said_to_be_100_mb_is_refused_before_it_is_sent(server):
    memory_before = server.rss_bytes()
    sock = connect(server)
    sock.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 104857600\r\n\r\n")        # headers only, no token
    status, headers, body = read_response(sock)
    assert status == 413
    assert headers["connection"] == "close"
    assert b"65536" in body
    assert closed_by_server(sock, 3.0)
    with pytest.raises(OSError):                   # the server reads none of the body
        for _ in range(100):
            sock.sendall(b"x" * 1_048_576)
            time.sleep(0.01)
    sock.close()
    assert server.rss_bytes() - memory_before < 8 * 1_048_576


def test_a_body_without_a_length_is_refused(server):
    sock = connect(server)
    sock.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: hall\r\nTransfer-Encoding: chunked"
                 b"\r\n\r\n")
    assert read_response(sock)[0] == 411
    sock.close()
    sock = connect(server)
    sock.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: hall\r\nContent-Length: 5\r\n"
                 b"Content-Length: 500\r\n\r\n")
    assert read_response(sock)[0] == 400
    sock.close()


@pytest.mark.parametrize("request_head, status", [
    (b"GET /api/health HTTP/1.1\r\nHost: hall\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n", 431),
    (b"GET /api/health HTTP/1.1\r\nHost: hall\r\n"
     + b"".join(b"X-Many-%d: 1\r\n" % n for n in range(150)) + b"\r\n", 431),
    (b"GET /api/health?" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: hall\r\n\r\n", 414),
    (b"GET /api/health HTTP/1.1\r\nHost: hall\r\nX-Fine: " + b"a" * 1000 + b"\r\n\r\n", 200),
    (b"GET /api/health HTTP/1.1\r\nHost: hall\r\nnot a header line\r\n\r\n", 400),
    (b"GET /api/health HTTP/1.1\r\nHost : hall\r\n\r\n", 400),
])
def test_headers_above_the_cap_are_refused(server, request_head, status):
    sock = connect(server)
    sock.sendall(request_head)
    answered, headers, _ = read_response(sock)
    assert answered == status
    if status != 200:
        assert headers["connection"] == "close"
        assert closed_by_server(sock, 3.0)
    sock.close()


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_deadline(server):
    sock = connect(server)
    request = b"GET /api/health HTTP/1.1\r\nHost: hall\r\n\r\n"
    sock.sendall(request)
    assert read_response(sock)[0] == 200
    time.sleep(LIMITS.idle_seconds / 2)           # within the deadline: still kept alive
    sock.sendall(request)
    assert read_response(sock)[0] == 200
    answered = time.monotonic()
    assert closed_by_server(sock, LIMITS.idle_seconds + 2.5)
    idle = time.monotonic() - answered
    sock.close()
    assert LIMITS.idle_seconds - 0.5 <= idle <= LIMITS.idle_seconds + 2.0


def test_sigterm_ends_the_streams_stops_accepting_and_exits_0(tmp_path):
    running = ServerProcess(tmp_path / "hall.db").start()
    try:
        streams = open_streams(running, 20)
        started = time.monotonic()
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(10) == 0
        assert time.monotonic() - started < 5
        for sock in streams:                       # every stream reaches its end
            sock.settimeout(5)
            while sock.recv(65536):
                pass
            sock.close()
        with pytest.raises(OSError):
            connect(running).close()
    finally:
        running.stop(signal.SIGKILL)
