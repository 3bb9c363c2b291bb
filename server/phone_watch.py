"""Phones watching their tickets: one shared watcher, a frame only when a ticket changes.

`GET /api/public/tickets/<token>/events` keeps a phone page's connection open and
sends the ticket's status (the JSON of `GET /api/public/tickets/<token>`) at once,
then again only when what the page shows changes. A big hall may have thousands of
such phones open at a time, so what one costs is kept small:

- ONE watcher (a thread; a greenlet under gevent) follows the event log. After a
  batch of events (at most every COALESCE_SECONDS) it reads the hall once, under
  its lock, and compares each watched ticket's state, window and recalls with what
  its phones were last sent: dictionary look-ups, about 1 µs a phone. A call or a
  recall thus reaches its phone within about a quarter of a second.
- People ahead and the wait need a forecast of the whole hall (tens of ms with
  2,000 waiting and 60 windows, under the hall's lock), so the watcher asks for
  them (`estimate_waits`: every waiting ticket at once, never one estimate per
  phone) at most every WAITS_EVERY_SECONDS, or less often when a forecast is slow
  (it may hold the lock WAITS_SHARE of the time), and once more after the events of a
  busy moment, since the hall's estimator may answer from a forecast up to a
  second old. A change of count, wait or its 80% range (minutes rounded to a
  bucket; the range moves with the hall's recorded errors too: about 2 µs a
  phone, 5 ms for 2,000, beside the forecast's tens) within NEAR
  places of the front is sent at once; further back, at most every
  MINOR_EVERY_SECONDS (the old page polled every 10 s): without that, 2,000
  phones in one line would take 2,000 frames for every call. Without events the
  watcher still looks every REFRESH_SECONDS (waits move with time).
- Only the tickets that changed get a new frame, encoded once (after the hall's
  lock is let go) and shared by every connection of that ticket; only their
  connections wake up.
- A phone's connection waits on its ticket's `threading.Event` (gevent's under the
  production server) and otherwise costs its greenlet and socket: nothing is
  buffered per connection, and a keep-alive comment every `keepalive` seconds
  finds connections that are gone.
- A ticket that is finished, cancelled or a no-show gets its final status, a long
  `retry:` and the end of the stream (the page stops listening). A ticket that
  left the hall (a new day began) gets `event: gone` and the end. An unknown
  token, or one from an earlier day, is a 404 before anything is streamed.

A page that reconnects (EventSource does so by itself, after RETRY_MILLISECONDS)
gets the current status first, so it never misses a call.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from typing import Iterator

from core.actions.ratings import LEVELS, NOT_RATED_NAME
from core.errors import NotFound
from core.forecast.live import estimate_waits
from core.hall import Hall
from core.tickets import Ticket, TicketState

log = logging.getLogger("yichuang.phones")

COALESCE_SECONDS = 0.25       # the watcher reads the hall at most this often
MINOR_EVERY_SECONDS = 5.0     # a far-away ticket's count and wait, at most this often
NEAR = 5                      # with this many or fewer ahead, every change at once
WARN_AT = 3                   # the page warns from this many ahead (docs, phone.html)
WAITS_EVERY_SECONDS = 2.0     # counts and waits (a forecast of the hall) at most this often,
WAITS_SHARE = 0.025           # and so that they hold the hall's lock at most 2.5% of the time
ESTIMATE_MAX_AGE = 1.1        # the hall's estimator reuses a forecast up to a second old
REFRESH_SECONDS = 30.0        # the watcher looks at least this often (waits move with time)
RETRY_MILLISECONDS = 2_000    # EventSource's reconnect delay after a lost connection
FINAL_RETRY_MILLISECONDS = 600_000   # after the final status: a client that reconnects
KEEPALIVE = b": keep-alive\n\n"      # anyway does so rarely


def unknown_ticket() -> NotFound:
    return NotFound("this ticket link is unknown or from an earlier day")


def ticket_of(hall: Hall, token: str) -> Ticket:
    ticket = hall.by_phone_token.get(token)
    if ticket is None:
        raise unknown_ticket()
    return ticket


def estimate_of(hall: Hall, ticket: Ticket, now: datetime) -> tuple[int, float | None]:
    """One ticket's (people ahead, minutes): from the estimator's last forecast when
    it is fresh (`WaitEstimator.for_new_ticket` places a ticket the forecast does not
    know yet), without building every waiting ticket's estimate; (0, None) when the
    ticket does not wait."""
    if ticket.state is not TicketState.WAITING:
        return 0, None
    return hall.estimator.for_new_ticket(hall, ticket, now)


def status_of(hall: Hall, ticket: Ticket, estimate: tuple[int, float | None],
              now: datetime, subjects: dict | None = None) -> dict:
    """What the phone page shows: the answer of GET /api/public/tickets/<token>.
    `subjects`: a cache of each subject's name and materials within one batch."""
    ahead, minutes = estimate
    low, high = hall.wait_range(estimate, now)
    window = hall.windows.get(ticket.window) if ticket.window else None
    named = subjects.get(ticket.subject) if subjects is not None else None
    if named is None:
        subject = hall.settings.subject(ticket.subject)
        named = (subject.name, hall.settings.material_labels(subject.code))
        if subjects is not None:
            subjects[ticket.subject] = named
    return {"ticket": ticket.public(), "subject_name": named[0], "materials": list(named[1]),
            "people_ahead": ahead, "eta_minutes": minutes, "eta_low": low, "eta_high": high,
            "window_name": window.name if window else None,
            "hall": hall.settings.name, "as_of": now.isoformat(timespec="seconds"),
            "case": case_of(hall, ticket), **rating_of(ticket)}


def rating_of(ticket: Ticket) -> dict:
    """好差评: whether the service was rated (by this page, the case page or the window's
    pad), and how: `rating` is the level (5 … 1; 0 未评价: the pad got no rating) and
    `rating_name` its name, both null when not rated."""
    level = next((h.note for h in ticket.history if h.action == "rated"), None)
    if level is None:
        return {"rated": False, "rating": None, "rating_name": None}
    return {"rated": True, "rating": int(level),
            "rating_name": LEVELS.get(int(level), NOT_RATED_NAME)}


def case_of(hall: Hall, ticket: Ticket) -> dict | None:
    """The case a finished ticket opened (受审分离): its number, status and page."""
    if ticket.state is not TicketState.FINISHED or ticket.case_number:
        return None
    case = next((c for c in hall.cases.values() if c.ticket_id == ticket.ticket_id), None)
    if case is None or not case.token:
        return None
    return {"number": case.number, "status": case.status.value, "page": f"/c/{case.token}"}


def ticket_status(hall: Hall, token: str, now: datetime) -> dict:
    ticket = ticket_of(hall, token)
    return status_of(hall, ticket, estimate_of(hall, ticket, now), now)


def eta_bucket(minutes: float | None) -> int | None:
    """The wait as the page's change detector sees it: whole minutes up to 10, then
    steps of 5 (a wait of 37 or 38 minutes is the same news)."""
    if minutes is None:
        return None
    whole = round(minutes)
    return whole if whole <= 10 else 5 * round(whole / 5)


def _frame(kind: str, picture: dict, retry: int | None = None) -> bytes:
    data = json.dumps(picture, ensure_ascii=False, separators=(",", ":"))
    head = f"retry: {retry}\n" if retry is not None else ""
    return f"{head}event: {kind}\ndata: {data}\n\n".encode()


class _Watched:
    """One ticket watched by one or more connections.

    `current` is replaced as a whole (version, frame, final, changed): a connection
    reads it in one step, and `changed` is set when a newer one replaces it."""

    __slots__ = ("token", "key", "viewers", "sent_at", "current")

    def __init__(self, token: str, key, frame: bytes, final: bool) -> None:
        self.token, self.key, self.viewers = token, key, 0
        self.sent_at = time.monotonic()
        self.current = (0, frame, final, threading.Event())

    def publish(self, frame: bytes, final: bool) -> None:
        version, _, _, changed = self.current
        self.current = (version + 1, frame, final, threading.Event())
        changed.set()


class PhoneStream:
    """The WSGI body of one phone's stream; `close()` (the server's, when the client
    is gone or the stream ends) lets the watcher forget the ticket."""

    def __init__(self, watch: PhoneWatch, watched: _Watched) -> None:
        self.watch, self.watched = watch, watched
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        watch, watched = self.watch, self.watched
        sent, frame, final, changed = watched.current
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode() + frame
        while not final and not watch.closed:
            version, frame, final, changed = watched.current
            if version != sent:
                sent = version
                yield frame
            elif not changed.wait(watch.keepalive):
                yield KEEPALIVE

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.watch.unsubscribe(self.watched)


class PhoneWatch:
    """Every phone stream of one hall service, and the one watcher that feeds them."""

    def __init__(self, service, keepalive: float = 15.0,
                 minor_every: float = MINOR_EVERY_SECONDS, watcher: bool = True) -> None:
        """`watcher=False`: no watcher of its own; `batch()` is run by hand (tests)."""
        self.service, self.keepalive, self.minor_every = service, keepalive, minor_every
        self._with_watcher = watcher
        self.closed = False
        self.batches = 0                         # for tests and the bench
        self.frames_sent = 0
        self._watched: dict[str, _Watched] = {}
        self._lock = threading.Lock()
        self._waits_at = -WAITS_EVERY_SECONDS    # when the last batch with waits ran
        self._waits_owed = False                 # events since, or far-away changes held
        self._waits_cost = 0.0                   # seconds the last forecast took
        self._last_news = -WAITS_EVERY_SECONDS   # when the watcher last woke for events
        self._thread: threading.Thread | None = None

    @property
    def watched(self) -> int:
        return len(self._watched)

    # --- connections ----------------------------------------------------------------------
    def subscribe(self, token: str) -> PhoneStream:
        """A stream for this ticket; NotFound (404) for an unknown or old token."""
        if self.closed or self.service.event_log.closed:
            raise NotFound("the hall is closing; try again in a moment")
        with self._lock:
            watched = self._watched.get(token)
            if watched is not None:
                watched.viewers += 1
        if watched is None:
            watched = self.service.read(lambda hall, now: self._first(hall, token, now))
            with self._lock:
                # another connection of the same ticket may have come meanwhile
                watched = self._watched.setdefault(token, watched)
                watched.viewers += 1
        self._start()
        return PhoneStream(self, watched)

    def _first(self, hall: Hall, token: str, now: datetime) -> _Watched:
        ticket = ticket_of(hall, token)
        estimate = estimate_of(hall, ticket, now)
        final = ticket.state.is_final
        frame = _frame("status", status_of(hall, ticket, estimate, now),
                       FINAL_RETRY_MILLISECONDS if final else None)
        return _Watched(token, _key(ticket, estimate, hall.wait_range(estimate, now)), frame,
                        final)

    def unsubscribe(self, watched: _Watched) -> None:
        with self._lock:
            watched.viewers -= 1
            if watched.viewers <= 0 and self._watched.get(watched.token) is watched:
                del self._watched[watched.token]

    def close(self) -> None:
        """End every phone stream (the server is stopping)."""
        self.closed = True
        with self._lock:
            everyone = list(self._watched.values())
        for watched in everyone:
            watched.current[3].set()

    # --- the watcher ----------------------------------------------------------------------
    def _waits_every(self) -> float:
        return max(WAITS_EVERY_SECONDS, self._waits_cost / WAITS_SHARE)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None or not self._with_watcher:
                return
            self._thread = threading.Thread(target=self._run, name="phone-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        events = self.service.event_log
        cursor, last_batch = events.last_id, 0.0
        while not self.closed and not events.closed:
            wait = REFRESH_SECONDS
            if self._waits_owed:
                wait = max(COALESCE_SECONDS, self._waits_at + self._waits_every()
                           - time.monotonic())
            if events.wait(cursor, wait):
                self._waits_owed, self._last_news = True, time.monotonic()
            if events.closed:
                break
            pause = last_batch + COALESCE_SECONDS - time.monotonic()
            if pause > 0:
                time.sleep(pause)             # what comes meanwhile joins this batch
            cursor, last_batch = events.last_id, time.monotonic()
            try:
                self.batch()
            except Exception:                 # the watcher must outlive any one bad batch
                log.exception("phone watcher: a batch failed; trying again with the next")
        self.close()

    def batch(self, waits: bool | None = None) -> int:
        """Look at every watched ticket once; send what changed. Returns frames sent.
        `waits`: with counts and waits (None: when WAITS_EVERY_SECONDS have passed)."""
        with self._lock:
            watched = list(self._watched.values())
        if not watched:
            self._waits_owed = False
            return 0
        clock = time.monotonic()
        if waits is None:
            waits = clock - self._waits_at >= self._waits_every()
        changes = self.service.read(
            lambda hall, now: self._changes(hall, now, watched, waits, clock))
        for one, kind, picture, final in changes:
            one.publish(_frame(kind, picture, FINAL_RETRY_MILLISECONDS if final else None),
                        final)
        self.batches += 1
        self.frames_sent += len(changes)
        return len(changes)

    def _changes(self, hall: Hall, now: datetime, watched: list[_Watched], waits: bool,
                 clock: float) -> list[tuple]:
        """Under the hall's lock: the watched tickets whose page must change, with their
        new status (dicts only: the JSON is encoded after the lock is let go). With
        `waits`, every waiting ticket's count and wait (one forecast); without, only
        changes of state, window or recalls (dictionary look-ups)."""
        estimates = None
        if waits:
            started = time.perf_counter()
            estimates = estimate_waits(hall, now)
            self._waits_cost = time.perf_counter() - started
        changes, held_back, subjects = [], False, {}
        for one in watched:
            if one.current[2]:
                continue                          # final or gone: already said
            ticket = hall.by_phone_token.get(one.token)
            if ticket is None:
                changes.append((one, "gone", {"error": "not_found",
                                              "message": str(unknown_ticket())}, True))
                continue
            if estimates is not None:
                estimate = estimates.get(ticket.number, (0, None))
            elif (ticket.state, ticket.window, ticket.recalls) == one.key[:3]:
                continue                          # the count and wait: at the next waits
            else:
                estimate = estimate_of(hall, ticket, now)
            key = _key(ticket, estimate, hall.wait_range(estimate, now))
            if key == one.key:
                continue
            if key[:3] == one.key[:3] and key[3] > NEAR \
                    and clock - one.sent_at < self.minor_every:
                held_back = True                  # only a far-away count or wait moved
                continue
            one.key, one.sent_at = key, clock
            changes.append((one, "status", status_of(hall, ticket, estimate, now, subjects),
                            ticket.state.is_final))
        if waits:
            # The estimator may have answered from a forecast up to a second old, made
            # before the latest events: then the waits are owed once more.
            self._waits_at = clock
            self._waits_owed = held_back or clock - self._last_news < ESTIMATE_MAX_AGE
        return changes


def _key(ticket: Ticket, estimate: tuple[int, float | None],
         span: tuple[float | None, float | None] = (None, None)) -> tuple:
    """What the page shows of a ticket, as the watcher compares it: its state, window,
    recalls, people ahead, and the wait and its 80% range (`span`), each in buckets.
    The range moves with the hall's recorded errors even when the point stays."""
    ahead, minutes = estimate
    low, high = span
    if ticket.state is not TicketState.WAITING:
        ahead, minutes, low, high = 0, None, None, None   # not shown outside waiting
    return (ticket.state, ticket.window, ticket.recalls, ahead, eta_bucket(minutes),
            eta_bucket(low), eta_bucket(high))
