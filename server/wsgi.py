"""Serving the app with a production WSGI server (cheroot, CherryPy's HTTP server).

Each event-stream subscriber holds one worker thread while connected; idle
keep-alive connections hold none. One process: the hall's state lives in it,
so every event reaches every subscriber without any cross-process relay.
"""
from __future__ import annotations

import logging
import signal
import socket
import threading

from cheroot.wsgi import Server
from flask import Flask

log = logging.getLogger("yichuang.server")


def make_server(app: Flask, host: str, port: int, threads: int) -> Server:
    server = Server((host, port), app, numthreads=threads, max=threads,
                    server_name="yichuang", request_queue_size=256, timeout=30,
                    shutdown_timeout=2)
    return server


def stop(app: Flask, server: Server) -> None:
    app.extensions["yichuang.service"].event_log.close()     # ends every event stream
    server.stop()


def serve_forever(app: Flask, host: str, port: int, threads: int) -> None:
    server = make_server(app, host, port, threads)

    def on_signal(signum, _frame):
        log.info("signal %s: stopping", signum)
        threading.Thread(target=stop, args=(app, server), daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.prepare()
    bound_port = server.bind_addr[1]
    print(f"yichuang: serving {app.extensions['yichuang.service'].settings.name} on "
          f"http://{host}:{bound_port}", flush=True)
    server.serve()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class BackgroundServer:
    """The real server on 127.0.0.1 in a thread: for tests, benchmarks and the demo.

    It binds an explicit port (cheroot sets SO_REUSEADDR only then), so a server
    restarted on the same port does not wait for the old sockets' TIME_WAIT.
    """

    def __init__(self, app: Flask, threads: int = 64, host: str = "127.0.0.1",
                 port: int | None = None) -> None:
        self.app = app
        self.server = make_server(app, host, port or free_port(host), threads)
        self.server.prepare()
        self.url = f"http://{host}:{self.server.bind_addr[1]}"
        self.thread = threading.Thread(target=self.server.serve, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        stop(self.app, self.server)
        self.thread.join(timeout=5)
