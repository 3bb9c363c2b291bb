"""The hall's production HTTP server: gevent's WSGI server, one greenlet per connection.

An open event stream, an idle keep-alive connection or a client sending its
headers slowly costs a greenlet and a socket, not a thread, so none of them can
hold up a kiosk or a window (docs/architecture.md, "How the server holds
connections"). On top of gevent's pywsgi this module adds what a hall's Wi-Fi
needs and pywsgi lacks:

- a deadline for the request line and headers (`Limits.header_seconds`, from the
  connection's start or the request's first byte) and for an idle kept-alive
  connection (`Limits.idle_seconds`): such connections are closed silently;
- bounds on the request line (414), the headers (431) and the body: a
  Content-Length above `Limits.body_bytes` is answered 413 and the connection
  closed before a byte of the body is read; a body without a Content-Length
  (chunked) is refused with 411;
- a deadline for each write (`Limits.send_seconds`): a client that stops reading
  is dropped instead of being written to forever;
- TCP_NODELAY (pywsgi writes headers and body in two sends: without it a
  kept-alive response waits 40 ms for the delayed ACK);
- a write window per event-stream subscriber that widens with the number of open
  streams, each subscriber at a phase of its own (`stream_window`), woken by one
  ticker instead of a timer each (`_Streams`);
- the open-files limit raised to its hard limit, and connections capped below it;
- the garbage collector's full walk kept for quiet moments (`_Collector`);
- a clean stop on SIGTERM or SIGINT: stop accepting, end every stream, let
  requests under way finish, close the database, exit 0.

gevent's monkey-patching must come before Flask, sqlite3 or threading are
imported, so the process that runs this server patches first thing
(`yichuang/cli.py`, `bench/hall_server.py`); tests start it as a process of its
own (`server.wsgi.ServerProcess`).
"""
from __future__ import annotations

import gc
import json
import logging
import math
import random
import signal
import socket
import sys
import time
from dataclasses import dataclass

import gevent
from gevent import monkey
from gevent.event import Event
from gevent.pool import Pool
from gevent.pywsgi import LoggingLogAdapter, WSGIHandler, WSGIServer

from server.headers import HeaderError, RequestHeaders

log = logging.getLogger("yichuang.server")

STREAM_PATH = "/api/events"
# Each event-stream subscriber is written to at most once per window, at ticks of its
# own (a random phase), taking every event since in one write. The window widens
# with the open streams so that together they cost at most STREAM_WRITES_PER_SECOND
# writes (100 streams: 25 ms; 5,000: 0.5 s), and the random phases spread those
# writes evenly instead of in one burst that requests would queue behind. A quiet
# hall is not delayed: only an event that follows a subscriber's last write within
# the window waits for the subscriber's next tick.
STREAM_WRITES_PER_SECOND = 10_000
NARROWEST_WINDOW = 0.025
WIDEST_WINDOW = 1.0
RESERVED_FILES = 256          # descriptors kept for the database, logs and the listener
# Python's collector of reference cycles: its oldest generation walks every live
# object, and thousands of open streams are millions of them (0.2-0.3 s a walk with
# 5,000 streams, every request waiting meanwhile). So that walk runs only when the
# hall has been quiet for a moment (no request for GC_QUIET_SECONDS), at most every
# GC_AT_MOST_EVERY and in any case every GC_AT_LEAST_EVERY seconds; the young
# generations are collected as usual.
GC_QUIET_SECONDS = 2.0
GC_YOUNG = 700                # Python's default threshold for the youngest generation
GC_AT_MOST_EVERY = 300.0
GC_AT_LEAST_EVERY = 1_800.0


@dataclass(frozen=True)
class Limits:
    header_seconds: float = 5.0      # request line and headers, from the first byte
    idle_seconds: float = 5.0        # a kept-alive connection waiting for its next request
    send_seconds: float = 15.0       # one write to the client, or one read of a body
    request_line_bytes: int = 8_192  # above: 414
    header_bytes: int = 16_384       # all header lines together; above: 431
    header_count: int = 100          # above: 431
    body_bytes: int = 65_536         # a Content-Length above: 413, the body never read


def stream_window(open_streams: int) -> float:
    return min(WIDEST_WINDOW, max(NARROWEST_WINDOW, open_streams / STREAM_WRITES_PER_SECOND))


class ServerStartError(Exception):
    """The server could not start (address in use, unknown host): one line says why."""


class _Cut(BaseException):
    """Raised into a connection's greenlet when its headers (or its next request) are
    late; a BaseException so that no handler on the way mistakes it for a bad request."""


class _Refused(ValueError):
    """A request refused before the application sees it; the connection is closed."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status.split()[0]
        kind = status.split(" ", 1)[1].lower().replace(" ", "_")
        body = json.dumps({"error": kind, "message": message}).encode()
        self.response = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                         ).encode() + body


class HallHandler(WSGIHandler):
    """One connection: pywsgi's keep-alive loop with deadlines and bounds."""

    _timer: gevent.Timeout | None = None
    _served = 0

    # --- the connection ----------------------------------------------------------------
    def handle(self) -> None:
        limits: Limits = self.server.limits
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.socket.settimeout(limits.send_seconds)
            while self.socket is not None:
                self.time_start, self.time_finish = 0.0, 0
                result = self.handle_one_request()
                if result is None:
                    break
                if result is True:
                    self._served += 1
                    continue
                self.status, response = result
                self.socket.sendall(response)
                self._linger()
                break
        except _Refused as refused:            # raised while reading the request line
            try:
                self.socket.sendall(refused.response)
                self._linger()
            except OSError:
                pass
        except (_Cut, OSError):
            pass                               # too slow, idle too long, or gone
        finally:
            self._stop_timer()
            sock = self.__dict__.pop("socket", None)
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
            self.__dict__.pop("rfile", None)
            self.__dict__.pop("wsgi_input", None)

    def _linger(self) -> None:
        """After refusing a request: send FIN, then read (and drop) a little of what the
        client still sends, so that its unread data does not turn our close into a
        reset that could destroy the answer before the client reads it."""
        try:
            self.socket.shutdown(socket.SHUT_WR)
            with gevent.Timeout(1.0, False):
                drained = 0
                while drained < 65_536:
                    data = self.socket.recv(16_384)
                    if not data:
                        break
                    drained += len(data)
        except OSError:
            pass

    def _start_timer(self, seconds: float) -> None:
        self._stop_timer()
        self._timer = gevent.Timeout.start_new(seconds, _Cut)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.close()
            self._timer = None

    # --- reading a request ----------------------------------------------------------------
    def read_requestline(self) -> str:
        limits: Limits = self.server.limits
        idle = self.server.idle
        if self.server.stopping:
            return ""
        # Wait for the request's first byte: a new connection within the header deadline,
        # a kept-alive one within the idle deadline; a stopping server cuts this wait.
        self._start_timer(limits.idle_seconds if self._served else limits.header_seconds)
        me = gevent.getcurrent()
        idle.add(me)
        try:
            if not self.rfile.peek(1):
                return ""
        finally:
            idle.discard(me)
        if self._served:
            self._start_timer(limits.header_seconds)
        line = self.rfile.readline(limits.request_line_bytes + 1)
        if len(line) > limits.request_line_bytes:
            raise _Refused("414 URI Too Long",
                           f"the request line is longer than {limits.request_line_bytes} bytes")
        if not line.endswith(b"\n"):
            return ""                          # the client left halfway through the line
        return line.decode("latin-1")

    def MessageClass(self, fp, *_args):        # noqa: N802 (pywsgi's name)
        """The headers, read up to the blank line within the byte and count limits."""
        limits: Limits = self.server.limits
        block, count = bytearray(), 0
        while True:
            line = fp.readline(limits.header_bytes + 1 - len(block))
            block += line
            if len(block) > limits.header_bytes:
                raise _Refused("431 Request Header Fields Too Large",
                               f"the headers are longer than {limits.header_bytes} bytes")
            if not line or line in (b"\r\n", b"\n"):
                break
            count += 1
            if count > limits.header_count:
                raise _Refused("431 Request Header Fields Too Large",
                               f"more than {limits.header_count} header lines")
        try:
            return RequestHeaders(bytes(block))
        except HeaderError as error:
            raise _Refused("400 Bad Request", str(error)) from None

    def read_request(self, raw_requestline: str) -> bool:
        self.server.collector.last_request = time.monotonic()
        try:
            super().read_request(raw_requestline)
        finally:
            self._stop_timer()
        limits: Limits = self.server.limits
        if self.headers.get("Transfer-Encoding") is not None:
            raise _Refused("411 Length Required",
                           "send the body with a Content-Length (no Transfer-Encoding)")
        lengths = self.headers.get_all("Content-Length") or []
        if len(set(lengths)) > 1 or not all(v.strip().isascii() and v.strip().isdigit()
                                            for v in lengths):
            raise _Refused("400 Bad Request", "the Content-Length is not one whole number")
        if self.content_length is not None and self.content_length > limits.body_bytes:
            raise _Refused("413 Content Too Large",
                           f"the body may be at most {limits.body_bytes} bytes; "
                           f"this one says {self.content_length}")
        return True

    def _handle_client_error(self, ex):
        if isinstance(ex, _Refused):
            return ex.status, ex.response
        return super()._handle_client_error(ex)

    # --- writing the answer ---------------------------------------------------------------
    def process_result(self) -> None:
        if self.code != 200 or self.environ.get("PATH_INFO") != STREAM_PATH:
            return super().process_result()
        streams: _Streams = self.server.streams
        streams.open += 1
        phase = random.random()                # this subscriber's place in the window
        try:
            for data in self.result:
                if data:
                    self._write_stream(data)
                del data                       # not kept while this subscriber waits
                # Ask the stream for more only at this subscriber's next tick: what is
                # published until then goes out in one write.
                window = stream_window(streams.open)
                now = time.monotonic()
                streams.sleep_until(now + window - (now - phase * window) % window)
            if self.response_use_chunked:
                self._sendall(b"0\r\n\r\n")
        finally:
            streams.open -= 1

    def _write_stream(self, data: bytes) -> None:
        """One stream write: straight to the socket when it takes it all (the common
        case), else through gevent's sendall, which waits within `send_seconds`."""
        raw = getattr(self.socket, "_sock", None)
        if not self.headers_sent or raw is None:
            self.write(data)                   # the status line and headers go first
            return
        if self.response_use_chunked:
            data = b"%x\r\n%b\r\n" % (len(data), data)
        try:
            sent = raw.send(data)
        except BlockingIOError:
            sent = 0
        self.response_length += sent
        if sent < len(data):
            self._sendall(memoryview(data)[sent:])

    def log_request(self) -> None:
        pass                                   # no access log (pywsgi formats one anyway)

    def handle_error(self, t, v, tb) -> None:
        if issubclass(t, (TimeoutError, ConnectionError)):    # a client that stopped reading
            self.close_connection = True
            return
        super().handle_error(t, v, tb)


class _Streams:
    """The open event streams: their number sets the subscribers' write window, and
    one ticker wakes the subscribers due at each 10 ms tick.

    A subscriber waiting for its tick costs a place in a list, where gevent.sleep
    would cost a timer, a waiter and their bound methods: with thousands of streams
    those objects filled the collector's youngest generation, and each of its
    collections (dozens a second) walked tens of thousands of them (20-30 ms)."""

    TICK = 0.01

    def __init__(self) -> None:
        self.open = 0
        self._due: dict[int, list] = {}
        self._ticker: gevent.Greenlet | None = None

    def start(self) -> None:
        self._ticker = gevent.spawn(self._tick)

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.kill(block=False)
            self._ticker = None

    def sleep_until(self, when: float) -> None:
        if self._ticker is None:               # not started (tests of the handler alone)
            gevent.sleep(max(0.0, when - time.monotonic()))
            return
        self._due.setdefault(math.ceil(when / self.TICK), []).append(gevent.getcurrent())
        gevent.get_hub().switch()

    def _tick(self) -> None:
        run_callback = gevent.get_hub().loop.run_callback
        while True:
            gevent.sleep(self.TICK)
            now = math.floor(time.monotonic() / self.TICK)
            for tick in [t for t in self._due if t <= now]:
                for waiting in self._due.pop(tick):
                    if not waiting.dead:
                        run_callback(waiting.switch)


def raise_open_files_limit() -> int:
    """Raise this process's open-files limit to its hard limit; returns the new soft one."""
    try:
        import resource
    except ImportError:                          # Windows: no such limit to raise
        return 8_192
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def listen(host: str, port: int, backlog: int = 2_048) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise ServerStartError(f"cannot listen on {host}:{port}: unknown host "
                               f"({error.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        raise ServerStartError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


class _Collector:
    """Runs the collector's oldest generation when the hall is quiet (GC_QUIET_SECONDS)."""

    def __init__(self) -> None:
        self.last_request = self.last_full = time.monotonic()
        self._greenlet: gevent.Greenlet | None = None

    def start(self) -> None:
        gc.collect()
        gc.freeze()                  # what start-up made lives as long as the process
        gc.set_threshold(GC_YOUNG, 10, 1_000_000)      # the oldest only from _run
        self._greenlet = gevent.spawn(self._run)

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill(block=False)

    def _run(self) -> None:
        while True:
            gevent.sleep(1.0)
            now = time.monotonic()
            since = now - self.last_full
            quiet = now - self.last_request >= GC_QUIET_SECONDS
            if (quiet and since >= GC_AT_MOST_EVERY) or since >= GC_AT_LEAST_EVERY:
                started = time.perf_counter()
                found = gc.collect()
                self.last_full = time.monotonic()
                log.debug("full garbage collection: %d objects freed in %.0f ms", found,
                          1000 * (time.perf_counter() - started))


class HallServer:
    """The app on one listening socket; `start()`, then `stop()` from any greenlet."""

    def __init__(self, app, host: str, port: int, limits: Limits = Limits(),
                 tls: dict | None = None) -> None:
        """`tls`: {"certfile": ..., "keyfile": ...} to serve HTTPS with the hall's
        own certificate (docs/operations.md)."""
        if not monkey.is_module_patched("threading"):
            raise RuntimeError("the gevent server needs gevent.monkey.patch_all() before "
                               "Flask, sqlite3 or threading are imported (yichuang/cli.py)")
        self.app, self.limits = app, limits
        files = raise_open_files_limit()
        listener = listen(host, port)
        self.port = listener.getsockname()[1]
        self.streams = _Streams()
        self.wsgi = WSGIServer(listener, app, handler_class=HallHandler, log=None,
                               error_log=LoggingLogAdapter(logging.getLogger("yichuang.http"),
                                                           logging.WARNING),
                               spawn=Pool(max(64, files - RESERVED_FILES)), **(tls or {}))
        self.wsgi.limits, self.wsgi.streams = limits, self.streams
        self.wsgi.idle, self.wsgi.stopping = set(), False
        self.wsgi.collector = self.collector = _Collector()

    def start(self) -> None:
        self.collector.start()
        self.streams.start()
        self.wsgi.start()
        self.app.extensions["yichuang.advisor"].start()   # assesses every interval

    def stop(self, timeout: float = 3.0) -> None:
        """Stop accepting, end every event stream, let requests under way finish (for up
        to `timeout`, then cut what is left), and close the hall's database."""
        service = self.app.extensions["yichuang.service"]
        self.wsgi.stopping = True
        self.wsgi.close()
        service.event_log.close()
        for waiting in list(self.wsgi.idle):   # connections waiting for a request: close
            waiting.kill(block=False)
        self.wsgi.pool.join(timeout=timeout)
        self.wsgi.pool.kill(block=True, timeout=1)
        self.collector.stop()
        self.streams.stop()
        self.app.extensions["yichuang.advisor"].stop()
        service.close()


def serve_forever(app, host: str, port: int, limits: Limits = Limits(),
                  tls: dict | None = None, started=None, stopping=None) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly; `started(port)` runs once serving,
    `stopping()` on the signal, before the server stops (the demo's live hall ends)."""
    server = HallServer(app, host, port, limits, tls)
    signalled = Event()
    handlers = [gevent.signal_handler(signum, signalled.set)
                for signum in (signal.SIGTERM, signal.SIGINT)]
    server.start()
    name = app.extensions["yichuang.service"].settings.name
    scheme = "https" if tls else "http"
    print(f"yichuang: serving {name} on {scheme}://{host}:{server.port}", flush=True)
    if started is not None:
        started(server.port)
    signalled.wait()
    if stopping is not None:
        stopping()
    log.info("stopping: no new connections, ending the event streams")
    server.stop()
    for handler in handlers:
        handler.cancel()
