"""The hall's event log as the stream sees it, and the rule for a reconnecting client.

One shared, append-only list of pre-encoded SSE frames and one condition:
publishing costs the same for 1 subscriber or 100, each frame is encoded once,
and a subscriber that falls behind takes everything it missed in one write.

A client reconnecting with Last-Event-ID gets what it missed of today: from the
live buffer, else from the database (up to REPLAY_LIMIT events); anything else
(no id, an id from another day or from the future, too much missed) starts
afresh from a snapshot. `EventLog.follow` is the whole stream of one subscriber.

Four audiences read the log: `manager` gets every event whole; `staff` (clerks,
floor helpers) every event but the pool advisor's, which are the managers' alone
(`core.events.for_staff`); `public` (kiosks, screens anyone can read) get calls, counts and waits
only (`core.events.for_public`): notes, reasons, log-in names, ratings and case
details never reach them; `board` (hall displays, LED bridges and the web board at
/board, open to anyone) gets less again: only what a board draws
(`core.events.for_board`). Each frame is encoded once per audience at publishing.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Iterator

from core.events import DayStarted, LoggedEvent, for_board, for_public, for_staff

REPLAY_LIMIT = 5_000
RETRY_MILLISECONDS = 2_000
# Under load a subscriber writes at most once per this interval, taking every
# event since in one write: 100 subscribers x 200 events a second would
# otherwise cost 20,000 thread wake-ups a second. A quiet hall is not delayed.
COALESCE_SECONDS = 0.025

AUDIENCES = ("manager", "staff", "public", "board")
AUDIENCE_OF_ROLE = {"clerk": "staff", "manager": "manager", "display": "board",
                    "kiosk": "public", "helper": "staff", "rating_pad": "board"}
SHOWN = {"staff": for_staff, "public": for_public, "board": for_board}

ReadStored = Callable[[int, int], list[LoggedEvent]]   # (after id, limit) -> from the DB
TakeSnapshot = Callable[[str], tuple[bytes, int]]  # audience -> (SSE frame, last id in it)


def sse_frame(event_id: int, event_type: str, data: str) -> bytes:
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n".encode()


def logged_frame(logged: LoggedEvent, audience: str = "staff") -> bytes:
    """The event's frame for an audience; b"" if the audience does not see it."""
    if audience == "manager":
        return sse_frame(logged.id, logged.type, logged.json)
    shown = SHOWN[audience](logged.event)
    if shown is None:
        return b""
    if shown is not logged.event:
        logged = LoggedEvent.encode(logged.id, logged.at, shown)
    return sse_frame(logged.id, logged.type, logged.json)


class EventLog:
    def __init__(self, last_id: int, first_id_today: int | None, read_stored: ReadStored,
                 snapshot: TakeSnapshot, capacity: int = 20_000) -> None:
        self._condition = threading.Condition()
        # one frame per event and audience, b"" where the audience does not see it
        self._frames: dict[str, list[bytes]] = {audience: [] for audience in AUDIENCES}
        self._first_buffered = last_id + 1      # the id of each list's first frame
        self.last_id = last_id
        self.first_id_today = first_id_today
        self.capacity = capacity
        self.closed = False
        self._read_stored, self._snapshot = read_stored, snapshot

    def publish(self, logged: list[LoggedEvent]) -> None:
        """Append one action's events (called under the hall lock, in id order)."""
        if not logged:
            return
        whole = [logged_frame(e, "manager") for e in logged]
        frames = {audience: [logged_frame(e, audience) for e in logged]
                  for audience in ("public", "board")}
        frames["manager"] = whole
        frames["staff"] = [f if for_staff(e.event) is not None else b""
                           for f, e in zip(whole, logged)]
        with self._condition:
            if logged[0].id != self.last_id + 1:
                raise RuntimeError(f"event {logged[0].id} published after {self.last_id}")
            for e in logged:
                if isinstance(e.event, DayStarted) or self.first_id_today is None:
                    self.first_id_today = e.id
            for audience in AUDIENCES:
                self._frames[audience].extend(frames[audience])
            self.last_id = logged[-1].id
            buffered = len(self._frames["staff"])
            if buffered > self.capacity:
                drop = buffered - self.capacity // 2
                for audience in AUDIENCES:
                    del self._frames[audience][:drop]
                self._first_buffered += drop
            self._condition.notify_all()

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    # --- one subscriber ---------------------------------------------------------------
    def needs_snapshot(self, last_id: int | None) -> bool:
        """Replay only what is missed of today, and not too much of it; else start afresh."""
        if last_id is None or last_id > self.last_id:
            return True
        if last_id == self.last_id:
            return False
        first_today = self.first_id_today
        return (first_today is None or last_id + 1 < first_today
                or self.last_id - last_id > REPLAY_LIMIT)

    def catch_up(self, last_id: int | None, audience: str = "staff") -> tuple[list[bytes], int]:
        """What a (re)connecting client needs first, and the cursor after it."""
        if self.needs_snapshot(last_id):
            frame, cursor = self._snapshot(audience)
            return [frame], cursor
        buffered = self.frames_after(last_id, audience)
        if buffered is not None:
            return buffered
        stored = self._read_stored(last_id, REPLAY_LIMIT)
        frames = [logged_frame(e, audience) for e in stored]
        return frames, stored[-1].id if stored else last_id

    def frames_after(self, event_id: int,
                     audience: str = "staff") -> tuple[list[bytes], int] | None:
        """Frames after `event_id` and the new cursor; None if they left the buffer."""
        with self._condition:
            if event_id >= self.last_id:
                return [], self.last_id
            if event_id + 1 < self._first_buffered:
                return None
            return self._frames[audience][event_id + 1 - self._first_buffered:], self.last_id

    def wait(self, event_id: int, timeout: float) -> bool:
        """Block until an event after `event_id` exists (True) or the timeout (False)."""
        with self._condition:
            return self._condition.wait_for(
                lambda: self.last_id > event_id or self.closed, timeout)

    def follow(self, last_id: int | None, keepalive: float,
               audience: str = "staff") -> Iterator[bytes]:
        """One subscriber's stream: catch up, then every new event, keep-alives between."""
        frames, cursor = self.catch_up(last_id, audience)
        first = f"retry: {RETRY_MILLISECONDS}\n\n".encode() + b"".join(frames)
        del frames                      # an idle stream must not keep its ~100 KB snapshot
        yield first
        del first
        last_write = 0.0
        while not self.closed:
            if not self.wait(cursor, keepalive):
                yield b": keep-alive\n\n"
                continue
            pause = last_write + COALESCE_SECONDS - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            last_write = time.monotonic()
            more = self.frames_after(cursor, audience)
            if more is None:         # fell out of the buffer: start again from a snapshot
                frame, cursor = self._snapshot(audience)
                yield frame
                continue
            frames, cursor = more
            chunk = b"".join(frames)
            del frames, more
            if chunk:
                yield chunk
            del chunk
