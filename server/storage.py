"""The hall's SQLite file: schema, migrations, one transaction per state change.

The server is the only writer. Tables hold the current picture (tickets,
windows, cases, ratings) and the append-only `events` log that the stream
replays; both are written in the same transaction, so they never disagree.
The hot path uses prepared SQL on the connection; sqlite-utils builds the
schema and serves reports.
"""
from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlite_utils

from core.events import Event, LoggedEvent
from core.hall import Changes, Estimator, Hall
from core.settings.schema import HallSettings
from core.windows import WindowStatus
from server.records import case_from_row, case_row, ticket_from_row, ticket_row, window_row

MIGRATIONS = []
log = logging.getLogger("yichuang.storage")


def migration(fn):
    MIGRATIONS.append(fn)
    return fn


@migration
def create_tables(db: sqlite_utils.Database) -> None:
    db["events"].create({"id": int, "at": str, "service_day": str, "type": str, "data": str},
                        pk="id")
    db["events"].create_index(["service_day"])
    db["tickets"].create({
        "id": str, "service_day": str, "number": str, "subject": str, "is_theme": int,
        "category": str, "pool": str, "priority": str, "origin": str, "state": str,
        "window": int, "clerk": str, "pinned_window": int, "recalls": int, "issued_at": str,
        "queue_since": str, "last_called_at": str, "called_at": str, "started_at": str,
        "finished_at": str, "wait_seconds": float, "service_seconds": float,
        "phone_token": str, "id_card_hash": str, "appointment_slot": str,
        "case_number": str, "history": str}, pk="id")
    db["tickets"].create_index(["phone_token"], unique=True)
    db["tickets"].create_index(["service_day", "state"])
    db["windows"].create({
        "number": int, "service_day": str, "pool": str, "status": str, "pause_reason": str,
        "clerk": str, "current": str, "parked": str, "served_today": int}, pk="number")
    db["cases"].create({
        "number": str, "ticket_id": str, "subject": str, "window": int, "clerk": str,
        "status": str, "opened_at": str, "due_date": str, "missing_materials": str,
        "supply_by": str, "approved_at": str, "picked_up_at": str}, pk="number")
    db["cases"].create_index(["status"])
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["ratings"].create({"id": int, "ticket_id": str, "window": int, "clerk": str,
                          "level": int, "reason": str, "at": str}, pk="id")


class Store:
    def __init__(self, path: str | Path, synchronous: str = "NORMAL") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        self.migrate()
        self.last_event_id = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        self.secret = self._secret()
        self._checkpointer = None
        if self.path != ":memory:":
            # A checkpoint inside a commit stalls the hall's one writer for ~10 ms: do it
            # from a thread of its own instead (PASSIVE never blocks the writer).
            conn.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = Checkpointer(self.path)

    def migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                step(self.db)
                self.conn.execute(f"PRAGMA user_version={number}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def _secret(self) -> bytes:
        """This installation's random key (HMAC of ID card numbers), made once."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        if row is None:
            value = secrets.token_hex(32)
            self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)",
                              (value,))
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return bytes.fromhex(row[0])

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.conn.close()

    # --- writing -----------------------------------------------------------------
    def commit(self, events: list[Event], changes: Changes, now: datetime,
               service_day: str) -> list[LoggedEvent]:
        """Write one state change; returns its events as logged, with their ids."""
        stored = []
        next_id = self.last_event_id
        at = now.isoformat()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for event in events:
                next_id += 1
                logged = LoggedEvent.encode(next_id, at, event)
                conn.execute("INSERT INTO events (id, at, service_day, type, data) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (next_id, at, service_day, event.type, logged.json))
                stored.append(logged)
            self._write_changes(changes, service_day)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self.last_event_id = next_id
        return stored

    def _write_changes(self, changes: Changes, service_day: str) -> None:
        conn = self.conn
        for ticket in changes.tickets.values():
            _upsert(conn, "tickets", ticket_row(ticket))
        for window in changes.windows.values():
            _upsert(conn, "windows", window_row(window, service_day))
        for case in changes.cases.values():
            _upsert(conn, "cases", case_row(case))
        for rating in changes.ratings:
            _upsert(conn, "ratings", rating)

    # --- reading -----------------------------------------------------------------
    def events_after(self, event_id: int, limit: int) -> list[LoggedEvent]:
        rows = self.conn.execute(
            "SELECT id, type, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (event_id, limit)).fetchall()
        return [LoggedEvent.decode(*row) for row in rows]

    def first_event_id_of_day(self, service_day: str) -> int | None:
        return self.conn.execute("SELECT min(id) FROM events WHERE service_day = ?",
                                 (service_day,)).fetchone()[0]

    def latest_service_day(self) -> str | None:
        return self.conn.execute("SELECT max(service_day) FROM tickets").fetchone()[0]

    def load_hall(self, settings: HallSettings, today: str,
                  estimator: Estimator | None = None) -> Hall:
        """The hall as the database last saw it; the caller rolls the day over if needed."""
        day = max(filter(None, [self.latest_service_day(), self._latest_window_day()]),
                  default=today)
        hall = Hall(settings, day, estimator)
        rows = self.db.query("SELECT * FROM tickets WHERE service_day = ? ORDER BY issued_at",
                             [day])
        for row in rows:
            hall.add_ticket(ticket_from_row(row))
        for row in self.db.query("SELECT * FROM windows"):
            _restore_window(hall, row, day)
        for row in self.db.query("SELECT * FROM cases WHERE status != 'picked_up'"):
            case = case_from_row(row)
            hall.cases[case.number] = case
        pattern = f"{settings.code}{day.replace('-', '')}-%"
        hall.case_counter = self.conn.execute(
            "SELECT count(*) FROM cases WHERE number LIKE ?", (pattern,)).fetchone()[0]
        self._learn_service_times(hall, day)
        hall.take_changes()
        return hall

    def _latest_window_day(self) -> str | None:
        return self.conn.execute("SELECT max(service_day) FROM windows").fetchone()[0]

    def _learn_service_times(self, hall: Hall, day: str, history_days: int = 30) -> None:
        since = (date.fromisoformat(day) - timedelta(days=history_days)).isoformat()
        rows = self.conn.execute(
            "SELECT subject, service_seconds FROM tickets WHERE state = 'finished' "
            "AND service_day >= ? AND service_seconds IS NOT NULL ORDER BY finished_at",
            (since,))
        hall.service_times.observe_many((subject, seconds / 60) for subject, seconds in rows)


def recorded_day(path: str, day: str | None = None) -> tuple[str, list[dict]]:
    """The tickets of one recorded day, for the simulator to replay: (day, rows).

    Opens the hall's SQLite file read-only; `day` defaults to the latest recorded.
    Each row: ticket_id, issued_at ("HH:MM:SS"), matter, priority, service_seconds
    (None if never served), no_show. Cancelled tickets (citizens who left, or the
    day ended before their call) are not part of the day's work. `RecordedDayError`
    says what is wrong.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            day = day or conn.execute("SELECT max(service_day) FROM tickets").fetchone()[0]
            found = conn.execute(
                "SELECT number, issued_at, subject, priority, service_seconds, state "
                "FROM tickets WHERE service_day = ? AND state != 'cancelled' "
                "ORDER BY issued_at", (day,)).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise RecordedDayError(f"cannot read the hall database {path}: {error}") from None
    if not found:
        raise RecordedDayError(f"the hall database {path} has no tickets on {day}")
    return day, [{"ticket_id": number,
                  "issued_at": datetime.fromisoformat(issued).strftime("%H:%M:%S"),
                  "matter": subject, "priority": priority, "service_seconds": seconds,
                  "no_show": state == "no_show"}
                 for number, issued, subject, priority, seconds, state in found]


class RecordedDayError(ValueError):
    pass



class Checkpointer:
    """Copies the WAL back into the database file every few seconds, off the write path."""

    def __init__(self, path: str, every_seconds: float = 5.0) -> None:
        self.path, self.every_seconds = path, every_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            while not self._stopped.wait(self.every_seconds):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:
            log.warning("WAL checkpoint failed: %s", error)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)


def _restore_window(hall: Hall, row: dict, day: str) -> None:
    window = hall.windows.get(row["number"])
    if window is None:       # a window removed from the config since
        return
    if hall.settings.has("pool", row["pool"]):
        window.pool = row["pool"]
    if row["service_day"] != day:
        return
    window.status = WindowStatus(row["status"])
    window.pause_reason, window.clerk = row["pause_reason"] or "", row["clerk"] or ""
    window.current = row["current"] or ""
    window.parked = json.loads(row["parked"] or "[]")
    window.served_today = row["served_today"] or 0


_UPSERT_SQL: dict[tuple[str, tuple], str] = {}
PRIMARY_KEYS = {"tickets": "id", "windows": "number", "cases": "number", "ratings": "id"}


def _upsert(conn: sqlite3.Connection, table: str, row: dict) -> None:
    """Insert the row, or update it in place (not delete-and-insert) if its key exists."""
    key = (table, tuple(row))
    sql = _UPSERT_SQL.get(key)
    if sql is None:
        pk = PRIMARY_KEYS[table]
        columns = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in row if c != pk)
        sql = f"INSERT INTO [{table}] ({columns}) VALUES ({marks})"
        if pk in row:
            sql += f" ON CONFLICT([{pk}]) DO UPDATE SET {updates}"
        _UPSERT_SQL[key] = sql
    conn.execute(sql, tuple(row.values()))
