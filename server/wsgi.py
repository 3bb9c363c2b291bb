"""Running the server for tests and benchmarks, and the thread-per-connection server.

- `ServerProcess`: the production server (`yichuang demo`/`serve`, gevent's, see
  `server/http.py`) in a process of its own on 127.0.0.1, with its own SQLite file;
  waits for /api/health, stops it by its pid. Tests of how the server holds
  connections use it: gevent's monkey-patching cannot happen inside pytest.
- `BackgroundServer`: the app in a thread of the test process, on cheroot (a worker
  thread per connection). For tests that need the app object itself (its service,
  its database) next to a real HTTP server; not for many open streams.
- `serve_forever` (cheroot): the server before issue 7, kept as the benchmark's
  baseline design (`bench/server --design cheroot`).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from cheroot.wsgi import Server
from flask import Flask

log = logging.getLogger("yichuang.server")
ROOT = Path(__file__).resolve().parent.parent


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


class ServerProcess:
    """`yichuang demo --quiet-hall` (an idle hall: no simulated crowd) on 127.0.0.1 in a
    process of its own.

        with ServerProcess(tmp_path / "hall.db") as server:
            HallClient(server.url, token).health()
    """

    def __init__(self, database: str | os.PathLike, hall: str | None = None,
                 port: int | None = None, log_file: str | os.PathLike | None = None,
                 clock: str | None = None) -> None:
        """`clock`: the hall's clock starts at this local time (`yichuang demo --clock`);
        by default it is the real one."""
        self.database, self.hall, self.clock = str(database), hall, clock
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = Path(log_file) if log_file else Path(self.database).with_suffix(".log")
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, timeout: float = 30.0) -> ServerProcess:
        command = ["demo", "--quiet-hall"] + (["--hall", self.hall] if self.hall else [])
        command += ["--clock", self.clock] if self.clock else []
        with open(self.log_file, "ab") as log_output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "yichuang.cli", *command, "--database", self.database,
                 "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, stdout=log_output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}: "
                                   f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"GET /api/health HTTP/1.0\r\n\r\n")
                    if probe.recv(12).startswith(b"HTTP/1.1 200"):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        self.process.kill()
        raise RuntimeError(f"the server did not answer /api/health in {timeout:.0f} s: "
                           f"{self.log()}")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Signal the server, wait for it to exit; returns its exit code (killed: -9)."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode

    def rss_bytes(self) -> int:
        """The server's resident memory (Linux)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
