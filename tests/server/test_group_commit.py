"""synchronous = FULL by group commit: nothing is acknowledged before a disk flush
covers it, and under load one flush covers many actions."""
from __future__ import annotations

import os
import threading

from server import storage
from server.app import create_app
from tests.conftest import TOKENS


def test_every_answer_waits_for_a_flush_and_flushes_are_shared(settings, clock, tmp_path,
                                                              monkeypatch):
    assert settings.server.synchronous == "FULL"
    flushed_files, real_fsync = [], os.fsync
    gate = threading.Event()

    def slow_fsync(descriptor):
        gate.wait(0.02)               # a disk that takes 20 ms: many commits queue behind it
        flushed_files.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)
    monkeypatch.setattr(storage.os, "fsync", slow_fsync)
    app = create_app(settings, database=str(tmp_path / "hall.db"), clock=clock)
    service = app.extensions["yichuang.service"]
    flusher = service._store.flusher
    assert flusher is not None
    answered_before_flush = []

    def kiosk():
        client = app.test_client()
        for _ in range(10):
            answer = client.post("/api/tickets", json={"subject": "SS-0101"},
                                 headers={"Authorization": f"Bearer {TOKENS['kiosk']}"})
            assert answer.status_code == 201
            number = int(answer.json["ticket"]["number"][1:])
            if flusher._flushed < number:       # commit n is the n-th ticket here
                answered_before_flush.append(number)
    threads = [threading.Thread(target=kiosk) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    service.close()
    assert answered_before_flush == []
    assert flushed_files and all(f.endswith("hall.db-wal") for f in flushed_files)
    assert len(flushed_files) < 80 / 2, f"{len(flushed_files)} flushes for 80 actions"


def test_normal_has_no_flusher(settings, clock, tmp_path):
    from dataclasses import replace
    hall = replace(settings, server=replace(settings.server, synchronous="NORMAL"))
    app = create_app(hall, database=str(tmp_path / "hall.db"), clock=clock)
    assert app.extensions["yichuang.service"]._store.flusher is None
    app.extensions["yichuang.service"].close()
