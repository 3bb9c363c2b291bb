"""The SQLite file: WAL checkpoints happen off the write path, and the schema is versioned."""
from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone

from core.events import TicketCancelled
from core.hall import Changes
from server.storage import MIGRATIONS, Checkpointer, Store


def test_commits_never_checkpoint_and_the_checkpointer_does(tmp_path):
    path = tmp_path / "hall.db"
    store = Store(str(path))
    store._checkpointer.stop()
    empty = path.stat().st_size
    now = datetime.now(timezone.utc)
    for i in range(3000):
        store.commit([TicketCancelled(number=f"A{i}", reason="x" * 300)], Changes(), now, "d")
    wal = tmp_path / "hall.db-wal"
    assert wal.stat().st_size > 4_000_000            # 1,000 pages past SQLite's own threshold
    assert path.stat().st_size == empty              # and no checkpoint ran inside a commit
    checkpointer = Checkpointer(str(path), every_seconds=0.05)
    deadline = time.monotonic() + 5
    while path.stat().st_size == empty and time.monotonic() < deadline:
        time.sleep(0.05)
    checkpointer.stop()
    assert path.stat().st_size > 1_000_000           # the WAL was copied into the database
    count = sqlite3.connect(str(path)).execute("select count(*) from events").fetchone()[0]
    assert count == 3000
    store.close()


def test_the_schema_version_follows_the_migrations(tmp_path):
    path = str(tmp_path / "hall.db")
    Store(path).close()
    store = Store(path)                              # opening again migrates nothing
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
