"""The hall's SQLite file: one transaction per state change (its schema: server.migrations).

The server is the only writer. Tables hold the current picture (tickets,
windows, cases, ratings) and the append-only `events` log that the stream
replays; both are written in the same transaction, so they never disagree.
The hot path uses prepared SQL on the connection; sqlite-utils builds the
schema and serves reports.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

import sqlite_utils

from core.actions.devices import device_from_row
from core.actions.help import help_from_row
from core.advice_records import AdviceRecord
from core.bookings import Booking
from core.cases import Case
from core.clock import seconds_of_day
from core.events import DayStarted, Event, LoggedEvent
from core.hall import Changes, Estimator, Hall
from core.settings.schema import HallSettings
from core.tickets import HistoryEntry, Ticket, handover_seconds
from core.windows import WindowStatus
from server.migrations import MIGRATIONS
from server.records import case_from_row, case_row, ticket_from_row, ticket_row, window_row

log = logging.getLogger("yichuang.storage")


@dataclass(frozen=True)
class Answer:
    """The answer given to a request that carried an Idempotency-Key."""

    principal: str
    key: str
    request: str          # a fingerprint of the method, path and body
    status: int
    body: str             # JSON


class StoreError(Exception):
    """The hall database cannot be used as it is; the message says what to do."""


class Store:
    def __init__(self, path: str | Path, synchronous: str = "FULL") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            _check_integrity(conn, self.path)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path} cannot be opened as the hall database ({error}); "
                             "restore it from a backup (docs/operations.md)") from None
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        # synchronous FULL by group commit: each commit is written with NORMAL (its WAL
        # frames written, not flushed) and `flush()` makes every commit so far durable
        # with one fsync of the WAL; the service calls it before answering any of them
        # (server.service.HallService._settle).
        self.group_commit = synchronous == "FULL" and self.path != ":memory:"
        if self.group_commit:
            synchronous = "NORMAL"
        self.commits = 0          # commits made since the store opened
        self.unflushed = 0        # ... of which not yet flushed
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        self.migrate()
        self.last_event_id = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
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
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def flush(self) -> None:
        """Make every commit so far durable: one fsync of the WAL file. OSError if the
        disk refuses; a WAL already checkpointed away needs nothing (the checkpoint
        synced the database file)."""
        if not self.unflushed:
            return
        try:
            descriptor = os.open(self.path + "-wal", os.O_RDONLY)
        except FileNotFoundError:
            self.unflushed = 0
            return
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        self.unflushed = 0

    def close(self) -> None:
        """Stop, copying the whole WAL back into the database file (none left behind)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            try:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as error:
                log.warning("final WAL checkpoint failed: %s", error)
        self.conn.close()

    # --- writing -----------------------------------------------------------------
    def commit(self, events: list[Event], changes: Changes, now: datetime,
               service_day: str,
               answer: Callable[[list[LoggedEvent]], Answer] | None = None
               ) -> list[LoggedEvent]:
        """Write one state change; returns its events as logged, with their ids.

        `answer`, given the logged events, makes the answer to remember for the
        request's Idempotency-Key: it is written in the same transaction, so a
        change is never kept without its answer. A new service day (a `DayStarted`
        event) also erases the ID-card digests of every earlier day in the same
        transaction (days cannot be linked), and the answers of earlier days.
        """
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
            if answer is not None:
                given = answer(stored)
                conn.execute("INSERT INTO answers (principal, key, request, status, body, "
                             "service_day) VALUES (?, ?, ?, ?, ?, ?)",
                             (given.principal, given.key, given.request, given.status,
                              given.body, service_day))
            if any(isinstance(event, DayStarted) for event in events):
                conn.execute("INSERT INTO meta (key, value) VALUES ('service_day', ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             (service_day,))
                conn.execute("UPDATE tickets SET id_card_hash = '' "
                             "WHERE service_day < ? AND id_card_hash != ''", (service_day,))
                conn.execute("DELETE FROM answers WHERE service_day < ?", (service_day,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:     # a failed COMMIT (disk full) has rolled back itself
                conn.execute("ROLLBACK")
            raise
        self.last_event_id = next_id
        self.commits += 1
        if self.group_commit:
            self.unflushed += 1
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
        for (table, _key), row in changes.rows.items():
            _upsert(conn, table, row)

    # --- reading -----------------------------------------------------------------
    def answer_for(self, principal: str, key: str) -> Answer | None:
        row = self.conn.execute(
            "SELECT principal, key, request, status, body FROM answers "
            "WHERE principal = ? AND key = ?", (principal, key)).fetchone()
        return Answer(*row) if row else None

    def events_with_ids(self, ids: list[int]) -> list[LoggedEvent]:
        if not ids:
            return []
        rows = self.conn.execute("SELECT id, type, data FROM events WHERE id BETWEEN ? AND ? "
                                 "ORDER BY id", (min(ids), max(ids))).fetchall()
        return [LoggedEvent.decode(*row) for row in rows if row[0] in set(ids)]

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
        day = max(filter(None, [self.latest_service_day(), self._latest_window_day(),
                                self._started_day()]), default=today)
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
        for row in self.db.query("SELECT * FROM help_requests WHERE service_day = ?", [day]):
            hall.help_requests[row["id"]] = help_from_row(row)
        hall.help_counter = len(hall.help_requests)
        for row in self.db.query("SELECT * FROM devices"):
            hall.devices[row["device"]] = device_from_row(row)
        for row in self.db.query("SELECT * FROM bookings WHERE day >= ?", [day]):
            hall.bookings[row["code"]] = Booking.from_row(row)
        for row in self.db.query("SELECT * FROM advice WHERE service_day = ?", [day]):
            hall.advice[row["id"]] = AdviceRecord.from_row(row)
        self._learn_service_times(hall, day)
        self._learn_wait_ranges(hall, day)
        self._learn_arrivals(hall, day)
        hall.take_changes()
        return hall

    def tickets_of_day(self, service_day: str) -> list[Ticket]:
        """An earlier day's tickets, as they ended (the day report)."""
        return [ticket_from_row(row) for row in self.db.query(
            "SELECT * FROM tickets WHERE service_day = ? ORDER BY issued_at", [service_day])]

    def case_by_token(self, token: str) -> Case | None:
        """Any case, open or picked up, by its page token (the live hall has the open ones)."""
        row = next(self.db.query("SELECT * FROM cases WHERE token = ?", [token]), None)
        return case_from_row(row) if row and token else None

    def _started_day(self) -> str | None:
        """The last service day a `DayStarted` opened (it may have no ticket yet)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'service_day'").fetchone()
        return row[0] if row else None

    def _latest_window_day(self) -> str | None:
        return self.conn.execute("SELECT max(service_day) FROM windows").fetchone()[0]

    def _learn_service_times(self, hall: Hall, day: str, history_days: int = 30) -> None:
        since = (date.fromisoformat(day) - timedelta(days=history_days)).isoformat()
        # In the order the services finished (the event log's), as the live hall learnt
        # them: the clipped running mean depends on the order.
        rows = self.conn.execute(
            "SELECT t.subject, t.service_seconds FROM events e JOIN tickets t "
            "ON t.id = e.service_day || '/' || json_extract(e.data, '$.number') "
            "WHERE e.type = 'ServiceFinished' AND e.service_day >= ? "
            "AND t.state = 'finished' AND t.service_seconds IS NOT NULL ORDER BY e.id",
            (since,))
        hall.service_times.observe_many((subject, seconds / 60) for subject, seconds in rows)
        for (history,) in self.conn.execute(
                "SELECT history FROM tickets WHERE service_day >= ? AND state = 'finished' "
                "AND service_seconds IS NOT NULL", (since,)):
            handover = handover_seconds([HistoryEntry.from_dict(h) for h in json.loads(history)])
            if handover is not None:
                hall.service_times.observe_handover(handover)


    def _learn_wait_ranges(self, hall: Hall, day: str, history_days: int = 30) -> None:
        """The estimates' 80% range learns from the recent days' tickets (up to and with
        today's): each estimate at issue against the actual wait, in the order they were
        called, as the live hall records them (core.forecast.ranges keeps the latest)."""
        since = (date.fromisoformat(day) - timedelta(days=history_days)).isoformat()
        rows = self.conn.execute(
            "SELECT eta_minutes, wait_seconds, eta_people_ahead, issued_at FROM tickets "
            "WHERE service_day >= ? AND service_day <= ? AND eta_minutes IS NOT NULL "
            "AND wait_seconds IS NOT NULL ORDER BY called_at", (since, day))
        hall.wait_ranges.record_many(
            (predicted, seconds / 60.0, ahead, datetime.fromisoformat(issued).hour)
            for predicted, seconds, ahead, issued in rows)


    def _learn_arrivals(self, hall: Hall, day: str, history_days: int = 30) -> None:
        """The citizens still to come: every ticket issued on the recent days before
        `day` (when, which subject, which priority, its appointment slot), per hour of
        day (core.forecast.arrivals). A day with no ticket is not a day of the hall's."""
        since = (date.fromisoformat(day) - timedelta(days=history_days)).isoformat()
        rows = self.conn.execute(
            "SELECT service_day, issued_at, subject, priority, appointment_slot FROM tickets "
            "WHERE service_day >= ? AND service_day < ? ORDER BY service_day, issued_at",
            (since, day))
        for service_day, issued, subject, priority, slot in rows:
            hall.arrivals.observe(service_day, seconds_of_day(datetime.fromisoformat(issued)),
                                  subject, priority,
                                  None if slot is None
                                  else seconds_of_day(datetime.fromisoformat(slot)))


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
    window.paused_at = row.get("paused_at")
    window.lunch_taken = bool(row.get("lunch_taken"))
    window.ready_since = row.get("ready_since")
    window.current = row["current"] or ""
    window.parked = json.loads(row["parked"] or "[]")
    window.served_today = row["served_today"] or 0
    window.helping = {pool: until for pool, until in json.loads(row.get("helping") or "{}")
                      .items() if hall.settings.has("pool", pool)}


_UPSERT_SQL: dict[tuple[str, tuple], str] = {}
PRIMARY_KEYS = {"tickets": "id", "windows": "number", "cases": "number", "ratings": "id",
                "help_requests": "id", "self_service": "case_number", "devices": "device",
                "bookings": "code", "people": "user_name", "sessions": "token_hash",
                "advice": "id"}


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


def _check_integrity(conn: sqlite3.Connection, path: str) -> None:
    """SQLite's quick check: a damaged page refuses the start instead of serving."""
    found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    if found != ["ok"]:
        raise StoreError(f"{path} is damaged ({'; '.join(found)}); restore it from a "
                         "backup (docs/operations.md)")


def backup_database(source: str, target: str) -> int:
    """Copy a hall database with SQLite's online backup, safe while the server runs;
    the copy is checked and holds everything committed when it ends. Returns its size
    in bytes. The ID-card key file is deliberately not part of it."""
    if Path(target).resolve() == Path(source).resolve():
        raise StoreError("the backup must go to another file than the database")
    if not Path(source).is_file():
        raise StoreError(f"no hall database at {source}")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin, \
                closing(sqlite3.connect(target)) as copy:
            origin.backup(copy)
            _check_integrity(copy, target)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"cannot back up {source} to {target}: {error}") from None
    return Path(target).stat().st_size
