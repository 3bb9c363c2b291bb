"""The one writer: runs a domain action under the hall lock, stores it, publishes it.

`HallService` owns the hall's settings, its SQLite store, the HMAC key for ID card
numbers (in a key file of its own, outside the database and its backups) and its
event log; views see none of them directly.

When the disk is full or the database cannot be written, an action is refused
with `Unavailable` (503) and the health check says `degraded` with the reason;
the next write that succeeds clears it, with no restart.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, TypeVar
from zoneinfo import ZoneInfo

from werkzeug.exceptions import ServiceUnavailable

from core.actions.help_expiry import expire_help, help_expired
from core.actions.serving import call_ready_windows, ready_expired
from core.actions.tickets import start_day
from core.bookings import ALPHABET, CODE_LENGTH
from core.errors import HallError, Invalid
from core.events import Event, LoggedEvent
from core.forecast.live import WaitEstimator
from core.hall import Hall
from core.settings.schema import HallSettings
from server.event_log import EventLog, sse_frame
from server.storage import Answer, Store

log = logging.getLogger("yichuang.server")
T = TypeVar("T")
Action = Callable[[Hall, datetime], list[Event]]


class Unavailable(ServiceUnavailable):
    """The hall cannot take a change now (disk full, database read-only): 503, with
    the reason as the answer's message."""

    def __init__(self, reason: str) -> None:
        super().__init__(description=reason)
        self.reason = reason


@dataclass(frozen=True)
class Once:
    """A request that carried an Idempotency-Key: who sent it, the key, and a
    fingerprint of the request (method, path, body)."""

    principal: str
    key: str
    request: str


def key_file_for(database: str, configured: str = "") -> Path:
    """Where the ID-card key lives: as configured, else beside the database (.key)."""
    if configured:
        return Path(configured)
    return Path(database).with_suffix(".key") if database != ":memory:" else Path("")


def load_or_create_key(path: Path) -> bytes:
    """The installation's ID-card HMAC key, made once, readable by its owner only."""
    if not path.name:
        return secrets.token_bytes(32)             # an in-memory hall: a key per process
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


# Commits closer than this are back to back: requests are queueing for the hall lock.
BACK_TO_BACK_SECONDS = 0.002
# SQLite's words for "this write cannot be done now, through no fault of the request"
_WRITE_FAULTS = ("disk is full", "readonly", "read-only", "disk i/o error", "unable to open")


class HallService:
    def __init__(self, settings: HallSettings, database: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self._store = Store(database, settings.server.synchronous)
        self._key = load_or_create_key(key_file_for(database, settings.server.key_file))
        self.fault: str = ""                  # why writes fail now; "" when healthy
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: datetime.now(zone))
        self.lock = threading.Lock()
        # Group commit (synchronous FULL): see `act` and `_settle`.
        self._durable = threading.Condition()
        self._entering = 0          # act() callers waiting for the lock
        self._settled = 0           # commits made durable and published
        self._settle_error = ""
        self._unpublished: list[LoggedEvent] = []
        self._last_commit_at = 0.0
        self.hall = self._load()
        self.event_log = EventLog(self._store.last_event_id,
                                  self._store.first_event_id_of_day(self.hall.service_day),
                                  self._read_stored, self._snapshot_frame)
        with self.lock:
            self._roll_day_over(self.clock())
            self._settle()

    @property
    def database_path(self) -> str:
        return self._store.path

    def close(self) -> None:
        """End every stream and close the database (the server is stopping)."""
        self.event_log.close()
        self._store.close()

    def new_phone_token(self) -> str:
        return secrets.token_urlsafe(16)

    def id_card_digest(self, number: str) -> str:
        """防黄牛: a digest of an ID card number keyed by the installation's key and
        today's date, so one day's digests cannot be linked to another's (and they are
        erased at the next rollover); the number itself is never kept."""
        message = f"{self.clock().date().isoformat()}|{number}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def booking_digest(self, number: str) -> str:
        """预约: a digest of an ID card number that is the same on every day, so that a
        card finds today's booking and its open bookings are counted (per-ID limits);
        kept on a booking only until the booking's day has passed."""
        message = f"booking|{number}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def new_booking_code(self) -> str:
        return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))

    def case_id_card_digest(self, number: str) -> str:
        """The digest a case keeps of its citizen's ID card (自助办理): keyed by the
        installation's key but not by the day, so the back office can match the card
        again while the case lasts; the number itself is never kept."""
        return hmac.new(self._key, f"case|{number}".encode(), hashlib.sha256).hexdigest()

    def act(self, action: Action, picture: Callable[[Hall], T] | None = None,
            once: Once | None = None):
        """Run one action as one transaction; on any failure nothing is kept.

        Returns the logged events, or (events, picture(hall)) when a picture of the
        hall just after the action is asked for: taken under the same lock hold.

        With `once` (a request that carried an Idempotency-Key) the answer (the
        events' ids and the picture, which must be JSON) is stored in the action's own
        transaction, and the same key later gets that answer again without the action
        running twice, across restarts. The same key with another request is refused.
        """
        with self._durable:
            self._entering += 1
        entered, mine = False, 0
        try:
            with self.lock:
                with self._durable:
                    self._entering -= 1
                entered = True
                try:
                    answer, mine = self._act_locked(action, picture, once)
                    if mine:
                        self._let_followers_queue()
                finally:
                    self._settle(unless_followed=True)
        finally:
            if not entered:
                with self._durable:
                    self._entering -= 1
        if mine:
            self._wait_durable(mine)
        return answer

    def _act_locked(self, action: Action, picture, once: Once | None):
        """The action under the hall lock: (its answer, its commit's number or 0)."""
        if once is not None:
            given = self._store.answer_for(once.principal, once.key)
            if given is not None:
                return self._given_again(given, once, picture is not None), 0
        now = self.clock()
        self._roll_day_over(now)
        shown: list = []

        def remember(logged: list[LoggedEvent]) -> Answer:
            shown.append(picture(self.hall) if picture else None)
            body = {"events": [e.id for e in logged], "picture": shown[0]}
            return Answer(once.principal, once.key, once.request, 200,
                          json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        try:
            events = expire_help(self.hall, now) + action(self.hall, now)
            events += call_ready_windows(self.hall, now)
            logged = self._store.commit(events, self.hall.take_changes(), now,
                                        self.hall.service_day,
                                        remember if once is not None else None)
        except HallError:
            if self.hall.changes:       # refused after touching state: undo in memory
                self._reload()
            raise
        except sqlite3.OperationalError as error:
            self._reload()
            if not any(words in str(error).lower() for words in _WRITE_FAULTS):
                raise
            self._degrade(str(error))
            raise Unavailable(self.fault) from None
        except BaseException:
            log.exception("action failed; reloading the hall from the database")
            self._reload()
            raise
        if self.fault:
            log.warning("ALARM cleared: the database takes writes again")
            self.fault = ""
        self._unpublished.extend(logged)
        mine = self._store.commits
        if picture is None:
            return logged, mine
        return (logged, shown[0] if shown else picture(self.hall)), mine

    def _let_followers_queue(self) -> None:
        """Back-to-back actions (the last commit under 2 ms ago: requests are queueing):
        give the requests already read a turn to reach the lock, so that this commit's
        flush is shared with theirs. Under gevent a holder of the lock never yields
        otherwise, so nobody would be seen waiting. At a hall's pace (commits tens of
        ms apart) nothing waits: each action flushes at once."""
        at = time.monotonic()
        back_to_back = at - self._last_commit_at < BACK_TO_BACK_SECONDS
        self._last_commit_at = at
        if back_to_back and self._store.group_commit:
            time.sleep(0)

    def _settle(self, unless_followed: bool = False) -> None:
        """Group commit, at the end of a hold of the hall lock: make the commits made so
        far durable (one fsync of the WAL, `Store.flush`) and publish their events in
        order, then wake the actions waiting to answer. `unless_followed`: leave it to
        the next action if one is already waiting for the lock, so that actions that
        queue up share one flush; one that finds nobody behind it flushes at once, so
        at a hall's pace every action still pays only its own flush."""
        with self._durable:
            if unless_followed and self._entering > 0:
                return
        error = ""
        try:
            self._store.flush()
        except OSError as failure:
            error = str(failure)
        if not error:
            self.event_log.publish(self._unpublished)
            self._unpublished = []
        with self._durable:
            if error:
                self._settle_error = error
            else:
                self._settled, self._settle_error = self._store.commits, ""
            self._durable.notify_all()

    def _wait_durable(self, commit: int, timeout: float = 10.0) -> None:
        """Before an action is answered: wait (outside the lock) until its commit is on
        disk; Unavailable if the flush failed."""
        with self._durable:
            self._durable.wait_for(lambda: self._settled >= commit or self._settle_error,
                                   timeout)
            if self._settled >= commit:
                return
            reason = self._settle_error or "the flush of the write-ahead log timed out"
        with self.lock:
            self._degrade(f"disk I/O error: {reason}")
        raise Unavailable(self.fault)

    def _given_again(self, given: Answer, once: Once, with_picture: bool):
        if given.request != once.request:
            raise Invalid("this Idempotency-Key was already used for another request; "
                          "make a new key for each request", field="Idempotency-Key")
        body = json.loads(given.body)
        logged = self._store.events_with_ids(body["events"])
        return (logged, body["picture"]) if with_picture else logged

    def with_people(self, work: Callable[[sqlite3.Connection, datetime], T],
                    write: bool = False, durable: bool = True) -> T:
        """People and sessions (server/sessions.py): `work(connection, now)` on their rows
        under the hall lock, outside the day's state and event log; a `write` is one
        transaction, flushed before this returns when `durable`."""
        with self.lock:
            now = self.clock()
            if not write:
                return work(self._store.conn, now)
            conn = self._store.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn, now)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as error:
                if not any(words in str(error).lower() for words in _WRITE_FAULTS):
                    raise
                self._degrade(str(error))
                raise Unavailable(self.fault) from None
            self._store.commits += 1
            if self._store.group_commit:
                self._store.unflushed += 1
            if durable:
                self._settle()
            return result

    def read(self, query: Callable[[Hall, datetime], T]) -> T:
        with self.lock:
            now = self.clock()
            if help_expired(self.hall, now) or ready_expired(self.hall, now):
                self._expire_help(now)
            return query(self.hall, now)

    def _expire_help(self, now: datetime) -> None:
        """协同 whose time has come ends before a read shows the windows (an action ends
        it first thing, in its own transaction), and a 待叫 that has run out: committed
        and published here."""
        try:
            events = expire_help(self.hall, now) + call_ready_windows(self.hall, now)
            logged = self._store.commit(events, self.hall.take_changes(), now,
                                        self.hall.service_day)
        except sqlite3.OperationalError as error:
            self._reload()
            self._degrade(str(error))
            return
        self._unpublished.extend(logged)
        self._settle()

    def on_tickets_of(self, service_day: str, use: Callable[[list], T]) -> T:
        """`use` a day's tickets: today's from the live hall, under the lock (they are the
        live ones); an earlier day's read from the database under the lock (its one
        connection), then used after it (fresh objects nobody else holds), so a clerk's
        call waits only for the reading, not for the report's figures."""
        with self.lock:
            if service_day == self.hall.service_day:
                return use(list(self.hall.tickets.values()))
            stored = self._store.tickets_of_day(service_day)
        return use(stored)

    def stored_case(self, token: str):
        """A case by its page token from the database (picked-up cases leave the hall)."""
        with self.lock:
            return self._store.case_by_token(token)

    def health(self) -> dict:
        with self.lock:
            answer = {"status": "degraded" if self.fault else "ok",
                      "service_day": self.hall.service_day,
                      "last_event_id": self.event_log.last_id}
            if self.fault:
                answer["reason"] = self.fault
            return answer

    def _degrade(self, error: str) -> None:
        reason = f"the hall database cannot be written ({error}); free disk space or " \
                 "fix the file's permissions: service resumes by itself"
        if self.fault != reason:
            log.error("ALARM: %s", reason)
        self.fault = reason

    def _snapshot_frame(self, audience: str = "staff") -> tuple[bytes, int]:
        """The hall's picture as an SSE frame, and the id of the last event it includes."""
        with self.lock:
            picture = self.hall.snapshot(public=audience == "public",
                                         board=audience == "board")
            last_id = self.event_log.last_id
        data = json.dumps(picture, ensure_ascii=False, separators=(",", ":"))
        return sse_frame(last_id, "snapshot", data), last_id

    def _read_stored(self, after_id: int, limit: int) -> list[LoggedEvent]:
        with self.lock:
            return self._store.events_after(after_id, limit)

    def _roll_day_over(self, now: datetime) -> None:
        today = now.date().isoformat()
        if self.hall.service_day == today:
            return
        events = start_day(self.hall, today, now)
        logged = self._store.commit(events, self.hall.take_changes(), now, today)
        self._unpublished.extend(logged)

    def _load(self) -> Hall:
        return self._store.load_hall(self.settings, self.clock().date().isoformat(),
                                     WaitEstimator())

    def _reload(self) -> None:
        self.hall.take_changes()
        self.hall = self._load()
