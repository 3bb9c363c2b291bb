"""SIGKILL mid-burst: nothing acknowledged is lost, nothing is duplicated, clients catch up."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from server.client import HallClient, ServerUnavailable
from server.wsgi import free_port
from tests.conftest import ROOT, TOKENS, clerk_token, demo_hall_without_issue_limits


def start_server(database: str, port: int) -> subprocess.Popen:
    hall = demo_hall_without_issue_limits(Path(database).parent)
    process = subprocess.Popen(
        [sys.executable, "-m", "yichuang.cli", "demo", "--hall", str(hall),
         "--database", database, "--port", str(port), "--threads", "32", "--quiet-hall"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = HallClient(f"http://127.0.0.1:{port}", timeout=2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            client.health()
            return process
        except ServerUnavailable:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"server did not start: {process.stdout.read().decode()}")


def burst(url: str, acknowledged: list, stop: threading.Event) -> None:
    kiosk = HallClient(url, TOKENS["kiosk"], timeout=2)
    while not stop.is_set():
        try:
            acknowledged.append(kiosk.issue_ticket("SS-0105").number)
        except ServerUnavailable:
            return


def test_sigkill_mid_burst_loses_and_duplicates_nothing(tmp_path):
    database, port = str(tmp_path / "crash.db"), free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(database, port)
    try:
        clerk = HallClient(url, clerk_token(1))
        clerk.log_in(1)
        clerk.open_window(1)
        HallClient(url, TOKENS["kiosk"]).issue_ticket("SS-0105")     # 即办件: no case
        assert clerk.call_next(1).ticket.number == "A001"
        stream = HallClient(url, TOKENS["display"]).events()
        seen = []
        reader = threading.Thread(target=lambda: seen.extend(stream), daemon=True)
        reader.start()
        while not seen:                                     # the snapshot is in
            time.sleep(0.01)
        acknowledged: list[str] = []
        stop = threading.Event()
        workers = [threading.Thread(target=burst, args=(url, acknowledged, stop))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        while len(acknowledged) < 60:
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
        stop.set()
        for worker in workers:
            worker.join(10)
        server = start_server(database, port)
        with sqlite3.connect(database) as conn:
            stored = [n for (n,) in conn.execute("select number from tickets")]
        assert not set(acknowledged) - set(stored), "an acknowledged ticket was lost"
        assert max(Counter(stored).values()) == 1
        assert clerk.windows()[0].current == "A001"      # the call survived the kill
        assert clerk.finish_service(1).ticket is None
        after = HallClient(url, TOKENS["kiosk"]).issue_ticket("SS-0105").number
        assert int(after[1:]) == max(int(n[1:]) for n in stored) + 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
                e.type == "TicketIssued" and e.event.number == after for e in seen):
            time.sleep(0.05)
        stream.close()
        assert stream.connections == 2                      # it reconnected by itself
        ids = [e.id for e in seen if e.type != "snapshot"]
        assert ids == list(range(ids[0], ids[-1] + 1)), "the stream skipped or repeated events"
        streamed = {e.event.number for e in seen if e.type == "TicketIssued"}
        assert streamed == set(stored) - {"A001"} | {after}
    finally:
        server.kill()
        server.wait(10)
