"""The hall's calling board: `HallBoard` folds the display's event stream into
`core.board.Board` and draws it (`display.board_view.BoardView`).

The stream is read in a background thread (`server.client.EventStream`, which
reconnects by itself with Last-Event-ID); each item is handed to Kivy's main thread
with `Clock.schedule_once`, so the next frame draws it. Nothing else feeds the board.
A snapshot (at start, or when the server sends one after a reconnect) is shown
without flashing; only calls applied after it flash, and a replayed event is never
applied twice (core.board).

The voice plugs in through `on_call`: called on the main thread with the
`core.events.LoggedEvent` of each new call, in order, once.

Tests build a `HallBoard` and put `board.root` on the offscreen window (never
`App.run()`); `yichuang display` (display/launcher.py) does the same full screen.
"""
from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from kivy.clock import Clock

from core.board import Board
from core.events import LoggedEvent, Snapshot
from display.board_view import BLINK_SECONDS, BoardView

log = logging.getLogger("yichuang.display")
REFRESH_SECONDS = 20        # redraw this often without events (waits grow, the date turns)
MARQUEE_FRAME = 1 / 30


class HallBoard:
    """The board's state, its stream reader and its view (`root`)."""

    def __init__(self, settings, client, *, orientation: str | None = None,
                 language: str | None = None, size: tuple[int, int] | None = None,
                 clock: Callable[[], datetime] | None = None,
                 on_call: Callable[[LoggedEvent], None] | None = None) -> None:
        self.settings, self.client = settings, client
        self.config = settings.board
        self.orientation = orientation or self.config.orientation
        self.language = language or self.config.language
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: datetime.now(zone))
        self.on_call = on_call
        self.board = Board(settings)
        self.inbox: queue.Queue = queue.Queue()
        self.handed_over = 0          # stream items handed to the main thread so far
        self.drawn_id = 0             # the last event id drawn on screen
        self.flashed: list[int] = []  # the event ids of the calls flashed, in order
        self.stream = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._timers: list = []
        width, height = size or ((1080, 1920) if self.orientation == "portrait"
                                 else (1920, 1080))
        self.root = BoardView(width, height, self.config.latest_calls,
                              self.config.recent_calls)
        self.redraw()

    # --- the stream, in its own thread ----------------------------------------------
    def start(self) -> None:
        """Read the stream in the background; start the clock, blinking and marquee."""
        self._stopped.clear()
        self.stream = self.client.events(last_event_id=None)
        self._thread = threading.Thread(target=self._read, args=(self.stream,),
                                        name="board-stream", daemon=True)
        self._thread.start()
        self._timers = [Clock.schedule_interval(self._tick_clock, 1.0),
                        Clock.schedule_interval(lambda _dt: self.root.blink(), BLINK_SECONDS),
                        Clock.schedule_interval(self.root.notice.step, MARQUEE_FRAME),
                        Clock.schedule_interval(lambda _dt: self.redraw(), REFRESH_SECONDS)]
        self._tick_clock(0)

    def stop(self) -> None:
        """Close the stream and stop the timers (the board can be started again)."""
        self._stopped.set()
        if self.stream is not None:
            self.stream.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for timer in self._timers:
            timer.cancel()
        self._timers = []

    def restart_stream(self, from_snapshot: bool = False) -> None:
        """Drop the connection and read again from the last event applied (what a
        reconnect does: replayed events are ignored, missed ones applied), or from a
        fresh snapshot (whose calls are shown, not flashed)."""
        if self.stream is not None:
            self.stream.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        resume = None if from_snapshot else self.board.last_id or None
        self.stream = self.client.events(last_event_id=resume)
        self._thread = threading.Thread(target=self._read, args=(self.stream,),
                                        name="board-stream", daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        try:
            for item in stream:
                if self._stopped.is_set():
                    return
                self.inbox.put(item)
                Clock.schedule_once(self._drain, 0)
                self.handed_over += 1
        except Exception:                        # a bug must not leave a frozen board
            log.exception("board stream reader failed")

    # --- on the main thread ---------------------------------------------------------
    def _drain(self, _dt=None) -> None:
        """Fold everything handed over since the last frame, draw once, then flash and
        announce the new calls in order."""
        new: list[tuple[LoggedEvent, int]] = []
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Snapshot):
                self.board.load(item)
                continue
            change = self.board.apply(item)
            if change is not None and change.new_call is not None:
                new.append((item, change.new_call.event_id))
        self.redraw()
        for logged, event_id in new:
            self.root.flash(event_id, self.config.flash_seconds)
            self.flashed.append(event_id)
            if self.on_call is not None:
                try:
                    self.on_call(logged)
                except Exception:                # the voice must not stop the board
                    log.exception("on_call hook failed for event %s", logged.id)

    def redraw(self) -> None:
        picture = self.board.picture(self.clock(), self.language)
        if not self.board.loaded:
            picture["labels"] = dict(picture["labels"],
                                     no_calls=picture["labels"]["connecting"])
        self.root.show(picture)
        self.drawn_id = self.board.last_id

    def _tick_clock(self, _dt) -> None:
        self.root.tick_clock(self.clock())
