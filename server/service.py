"""The one writer: runs a domain action under the hall lock, stores it, publishes it."""
from __future__ import annotations

import logging
import secrets
import threading
from datetime import datetime
from typing import Callable, TypeVar
from zoneinfo import ZoneInfo

from core.events import Event
from core.hall import Hall, HallError
from core.queueing import start_day
from core.settings import HallSettings
from server.event_bus import EventBus
from server.storage import Store

log = logging.getLogger("yichuang.server")
T = TypeVar("T")
Action = Callable[[Hall, datetime], list[Event]]


class HallService:
    def __init__(self, settings: HallSettings, store: Store,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.store = store
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: datetime.now(zone))
        self.lock = threading.Lock()
        self.hall = store.load_hall(settings, self.clock().date().isoformat())
        self.bus = EventBus(store.last_event_id)
        self.first_event_id_today = store.first_event_id_of_day(self.hall.service_day)
        with self.lock:
            self._roll_day_over(self.clock())

    def new_phone_token(self) -> str:
        return secrets.token_urlsafe(16)

    def act(self, action: Action, picture: Callable[[Hall], T] | None = None):
        """Run one action as one transaction; on any failure nothing is kept.

        Returns the stored events, or (events, picture(hall)) when a picture of the
        hall just after the action is asked for: taken under the same lock hold.
        """
        with self.lock:
            now = self.clock()
            self._roll_day_over(now)
            try:
                events = action(self.hall, now)
                stored = self.store.commit(events, self.hall.take_changes(), now,
                                           self.hall.service_day)
            except HallError:
                if self.hall.changes:       # refused after touching state: undo in memory
                    self._reload()
                raise
            except BaseException:
                log.exception("action failed; reloading the hall from the database")
                self._reload()
                raise
            if self.first_event_id_today is None and stored:
                self.first_event_id_today = stored[0][0]
            self.bus.publish(stored)
            return stored if picture is None else (stored, picture(self.hall))

    def read(self, query: Callable[[Hall, datetime], T]) -> T:
        with self.lock:
            return query(self.hall, self.clock())

    def snapshot(self) -> tuple[dict, int]:
        """The hall's picture and the id of the last event it includes."""
        with self.lock:
            return self.hall.snapshot(), self.bus.last_id

    def _roll_day_over(self, now: datetime) -> None:
        today = now.date().isoformat()
        if self.hall.service_day == today:
            return
        events = start_day(self.hall, today, now)
        stored = self.store.commit(events, self.hall.take_changes(), now, today)
        self.first_event_id_today = stored[0][0]
        self.bus.publish(stored)

    def _reload(self) -> None:
        self.hall.take_changes()
        self.hall = self.store.load_hall(self.settings, self.clock().date().isoformat())
