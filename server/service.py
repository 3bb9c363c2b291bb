"""The one writer: runs a domain action under the hall lock, stores it, publishes it.

`HallService` owns the hall's settings, its SQLite store (and the store's HMAC key
for ID card numbers) and its event log; views see none of them directly.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from datetime import datetime
from typing import Callable, TypeVar
from zoneinfo import ZoneInfo

from core.actions.tickets import start_day
from core.errors import HallError
from core.events import Event, LoggedEvent
from core.forecast.live import WaitEstimator
from core.hall import Hall
from core.settings.schema import HallSettings
from server.event_log import EventLog, sse_frame
from server.storage import Store

log = logging.getLogger("yichuang.server")
T = TypeVar("T")
Action = Callable[[Hall, datetime], list[Event]]


class HallService:
    def __init__(self, settings: HallSettings, database: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self._store = Store(database, settings.server.synchronous)
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: datetime.now(zone))
        self.lock = threading.Lock()
        self.hall = self._load()
        self.event_log = EventLog(self._store.last_event_id,
                                  self._store.first_event_id_of_day(self.hall.service_day),
                                  self._read_stored, self._snapshot_frame)
        with self.lock:
            self._roll_day_over(self.clock())

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
        """防黄牛: a keyed digest of an ID card number; the number itself is never kept."""
        return hmac.new(self._store.secret, number.encode(), hashlib.sha256).hexdigest()

    def act(self, action: Action, picture: Callable[[Hall], T] | None = None):
        """Run one action as one transaction; on any failure nothing is kept.

        Returns the logged events, or (events, picture(hall)) when a picture of the
        hall just after the action is asked for: taken under the same lock hold.
        """
        with self.lock:
            now = self.clock()
            self._roll_day_over(now)
            try:
                events = action(self.hall, now)
                logged = self._store.commit(events, self.hall.take_changes(), now,
                                            self.hall.service_day)
            except HallError:
                if self.hall.changes:       # refused after touching state: undo in memory
                    self._reload()
                raise
            except BaseException:
                log.exception("action failed; reloading the hall from the database")
                self._reload()
                raise
            self.event_log.publish(logged)
            return logged if picture is None else (logged, picture(self.hall))

    def read(self, query: Callable[[Hall, datetime], T]) -> T:
        with self.lock:
            return query(self.hall, self.clock())

    def health(self) -> dict:
        with self.lock:
            return {"status": "ok", "service_day": self.hall.service_day,
                    "last_event_id": self.event_log.last_id}

    def _snapshot_frame(self) -> tuple[bytes, int]:
        """The hall's picture as an SSE frame, and the id of the last event it includes."""
        with self.lock:
            picture, last_id = self.hall.snapshot(), self.event_log.last_id
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
        self.event_log.publish(logged)

    def _load(self) -> Hall:
        return self._store.load_hall(self.settings, self.clock().date().isoformat(),
                                     WaitEstimator())

    def _reload(self) -> None:
        self.hall.take_changes()
        self.hall = self._load()
