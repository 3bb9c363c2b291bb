"""The hall's board and loudspeaker in the calling benchmark (bench/phone).

One display stream, folded by the board's own `core.board.Board` as `yichuang display`
folds it, feeding the board's `display.voice.Announcer` as `yichuang display` does
(`core.announcements.announcement_for`). It notes, per ticket number, when the board
had the call (the stream delivered the event and the fold made it a new call: the
Kivy board draws it on its next frame) and when its voice began (the sentence
synthesised, or found in the cache, and its sound started).

The voice writes to a directory without waiting out each sentence (`paced=False`):
one loudspeaker says a call in about five seconds, so at the benchmark's three calls
a second a real one would queue them (docs/voice.md's pile-up rule). What is
measured is the path from the call to the start of its sound when the speaker is
free: the stream, the fold, the queue, the synthesis.
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace

from core.announcements import announcement_for
from core.board import Board
from core.events import Snapshot
from display.voice import Announcer, DirectoryOutput
from server.client import HallClient


class CallingObserver:
    def __init__(self, url: str, token: str, settings, voice_directory: str) -> None:
        self.board = Board(settings)
        voice = replace(settings.voice, enabled=True, repeat=1, quiet_hours=None)
        self.announcer = Announcer(voice, DirectoryOutput(voice_directory, paced=False),
                                   started=self._voice_started)
        self.on_board: dict[str, float] = {}      # number -> time.time() of its new call
        self.voice_started: dict[str, float] = {}
        self.stream = HallClient(url, token, timeout=30).events()
        self._thread = threading.Thread(target=self._follow, name="observer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _follow(self) -> None:
        for item in self.stream:
            if isinstance(item, Snapshot):
                self.board.load(item)
                continue
            change = self.board.apply(item)
            if change is None or change.new_call is None:
                continue
            call = change.new_call
            if call.kind != "recall":
                self.on_board.setdefault(call.number, time.time())
            self.announcer.submit(announcement_for(item))

    def _voice_started(self, announcement, _monotonic: float) -> None:
        if announcement.kind != "recall":
            self.voice_started.setdefault(announcement.number, time.time())

    def stop(self) -> None:
        self.stream.close()
        self._thread.join(5)
        self.announcer.close()

    def latencies(self, sent: dict[str, float]) -> tuple[list[float], list[float]]:
        """(call -> board, call -> voice start) in seconds, for the calls `sent`."""
        board = [self.on_board[n] - at for n, at in sent.items() if n in self.on_board]
        voice = [self.voice_started[n] - at for n, at in sent.items()
                 if n in self.voice_started]
        return board, voice
