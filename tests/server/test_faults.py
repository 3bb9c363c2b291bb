"""Faults the hall's PC will meet: a full disk, a read-only disk, a damaged database,
a torn WAL after a power cut, a clean stop, and a backup restored."""
from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from server.app import create_app
from server.storage import Store, StoreError, backup_database
from tests.conftest import TOKENS, Api


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB file system of its own (tmpfs), so the hall's disk can really fill up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def make_app(settings, clock, database):
    app = create_app(settings, database=str(database), clock=clock)
    return app, Api(app.test_client(), TOKENS["kiosk"])


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def events_in(database) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]


def test_a_full_disk_answers_503_reports_degraded_and_recovers(settings, clock, small_disk):
    app, api = make_app(settings, clock, small_disk / "hall.db")
    assert api.post("/api/tickets", json={"subject": "SS-0101"}).status_code == 201
    filler = fill(small_disk)
    statuses = set()
    for _ in range(40):      # until the WAL needs a page the disk no longer has
        answer = api.post("/api/tickets", json={"subject": "SS-0101", "priority": "normal"})
        statuses.add(answer.status_code)
        if answer.status_code == 503:
            break
    assert answer.status_code == 503, statuses
    assert answer.json["error"] == "service_unavailable" and "disk" in answer.json["message"]
    health = api.get("/api/health").json
    assert health["status"] == "degraded" and "free disk space" in health["reason"]
    filler.unlink()
    assert api.post("/api/tickets", json={"subject": "SS-0101"}).status_code == 201
    assert api.get("/api/health").json["status"] == "ok"
    app.extensions["yichuang.service"].close()


def test_a_read_only_database_answers_503_and_recovers(settings, clock, tmp_path):
    """A file system remounted read-only under a running server (ext4's errors=remount-ro)
    cannot be staged here with the file open, so SQLite is told to refuse writes, which
    is the error it gives then ('attempt to write a readonly database')."""
    app, api = make_app(settings, clock, tmp_path / "hall.db")
    assert api.post("/api/tickets", json={"subject": "SS-0101"}).status_code == 201
    connection = app.extensions["yichuang.service"]._store.conn
    connection.execute("PRAGMA query_only = ON")
    answer = api.post("/api/tickets", json={"subject": "SS-0101"})
    assert answer.status_code == 503, answer.json
    assert "readonly" in answer.json["message"]
    assert api.get("/api/health").json["status"] == "degraded"
    assert api.as_(TOKENS["manager"]).get("/api/tickets/A001").status_code == 200
    connection.execute("PRAGMA query_only = OFF")
    assert api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"] \
        == "A002", "nothing of the refused ticket was kept"
    assert api.get("/api/health").json["status"] == "ok"
    app.extensions["yichuang.service"].close()


def test_a_damaged_database_refuses_to_start(settings, clock, tmp_path):
    database = tmp_path / "hall.db"
    app, api = make_app(settings, clock, database)
    for _ in range(30):
        api.post("/api/tickets", json={"subject": "SS-0101"})
    app.extensions["yichuang.service"].close()
    data = bytearray(database.read_bytes())
    page = 4096
    data[3 * page: 3 * page + 200] = os.urandom(200)      # a damaged page, header intact
    database.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged|cannot be opened"):
        Store(database)
    database.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot be opened"):
        Store(database)


def test_a_clean_stop_leaves_no_wal(settings, clock, tmp_path):
    database = tmp_path / "hall.db"
    app, api = make_app(settings, clock, database)
    for _ in range(50):
        api.post("/api/tickets", json={"subject": "SS-0101"})
    wal = Path(str(database) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    app.extensions["yichuang.service"].close()
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_torn_wal_opens_consistent_and_numbering_goes_on(settings, clock, tmp_path):
    """A power cut tears the WAL at any point: the hall opens on a consistent prefix."""
    database = tmp_path / "hall.db"
    app, api = make_app(settings, clock, database)
    service = app.extensions["yichuang.service"]
    service._store._checkpointer.stop()            # keep every commit in the WAL
    numbers = [api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
               for _ in range(25)]
    wal = Path(str(database) + "-wal")
    torn_at = sorted(random.Random(7).sample(range(32, wal.stat().st_size), 6))
    for cut in torn_at:
        copy = tmp_path / f"cut-{cut}"
        copy.mkdir()
        shutil.copy(database, copy / "hall.db")
        with open(wal, "rb") as whole, open(copy / "hall.db-wal", "wb") as part:
            part.write(whole.read(cut))
        restarted, again = make_app(settings, clock, copy / "hall.db")
        listed = again.as_(TOKENS["manager"]).get("/api/tickets").json["tickets"]
        kept = [t["number"] for t in listed]
        assert kept == numbers[:len(kept)], "a consistent prefix of what was issued"
        assert events_in(copy / "hall.db") >= len(kept)
        fresh = again.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
        assert fresh not in kept
        restarted.extensions["yichuang.service"].close()
    service.close()


def test_a_backup_taken_while_serving_restores(settings, clock, tmp_path):
    database = tmp_path / "hall.db"
    app, api = make_app(settings, clock, database)
    numbers = [api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
               for _ in range(10)]
    size = backup_database(str(database), str(tmp_path / "backup" / "hall.db"))
    assert size > 0
    api.post("/api/tickets", json={"subject": "SS-0101"})        # after the backup
    app.extensions["yichuang.service"].close()
    restored_app, restored = make_app(settings, clock, tmp_path / "backup" / "hall.db")
    listed = restored.as_(TOKENS["manager"]).get("/api/tickets").json["tickets"]
    assert [t["number"] for t in listed] == numbers
    assert restored.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"][
        "number"] == "A011"
    restored_app.extensions["yichuang.service"].close()
    with pytest.raises(StoreError, match="another file"):
        backup_database(str(database), str(database))
