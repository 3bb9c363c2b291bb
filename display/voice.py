"""The hall's loudspeaker: says each call, one at a time, in call order.

`Announcer(voice_settings, output)`: `submit(announcement)` (from
`core.announcements.announcement_for`) never blocks; one voice thread says one
announcement at a time, in the order submitted, never two at once and never cut
short. The rules (docs/voice.md):

- an event id is said once: a replayed event (a reconnect's catch-up) is dropped;
  the last REMEMBER ids are kept. A recall is an event of its own, so it is said.
- when calls pile up (others wait behind the one about to be said), it is said
  once and without the chime, so the queue drains quickly; the last of a burst,
  with nobody behind it, gets the chime and every repeat.
- a sentence is synthesised once and kept (the last CACHE sentences).
- voice off, or the quiet hours: nothing is heard; the announcement is logged and
  kept in `history` with its status.

Each said announcement is kept in `history` (a `Played`: when the sound started
and ended on `time.monotonic()`, its file in a directory output), and the
`started(announcement, at)` hook is called, on the voice thread, when its sound
begins (the benchmark's call -> voice start).
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.announcements import Announcement, spoken_text
from core.settings.voice import VoiceSettings, is_quiet
from display.voice_audio import (
    Audio,
    DeviceOutput,
    DirectoryOutput,
    VoiceError,
    builtin_chime,
    describe,
    join,
    output_for,
)
from display.voice_espeak import EspeakVoice
from display.voice_pack import VoicePack

log = logging.getLogger("yichuang.voice")

REMEMBER = 2000        # event ids kept to drop replays (a busy hall calls ~1,500 a day)
CACHE = 256            # synthesised sentences kept
HISTORY = 1000         # announcements kept in `history`
CHIME_GAP = 0.3        # seconds of silence between the chime and the sentence

__all__ = ["Announcer", "DeviceOutput", "DirectoryOutput", "Played", "VoiceError",
           "make_voice"]


@dataclass(frozen=True)
class Played:
    """What became of one announcement."""

    announcement: Announcement
    text: str
    status: str                   # "played", "quiet", "off" or "failed"
    started: float | None = None  # time.monotonic() when its sound began
    ended: float | None = None    # ... and when it had ended
    path: str | None = None       # its WAV file (directory output)
    repeats: int = 0
    chime: bool = False
    seconds: float = 0.0          # how long the utterance lasts


def make_voice(settings: VoiceSettings) -> EspeakVoice | VoicePack:
    """The configured engine; a bad pack raises VoiceError here, at start."""
    return VoicePack(settings) if settings.engine == "pack" else EspeakVoice(settings)


class Announcer:
    """The one voice of a board: see the module's rules."""

    def __init__(self, voice_settings: VoiceSettings,
                 output: DeviceOutput | DirectoryOutput | str | None = None,
                 clock: Callable[[], datetime] | None = None,
                 started: Callable[[Announcement, float], None] | None = None,
                 voice: EspeakVoice | VoicePack | None = None) -> None:
        self.settings = voice_settings
        self.voice = voice
        if self.voice is None and voice_settings.enabled:
            self.voice = make_voice(voice_settings)
        self.chime = self._chime() if self.voice is not None else None
        if output is None:
            output = voice_settings.output
        self.output = output_for(output) if isinstance(output, str) else output
        self.clock = clock or datetime.now
        self.on_started = started
        self.synthesised = 0      # sentences synthesised (the rest came from the cache)
        self._lock = threading.Condition()
        self._queue: deque[Announcement] = deque()
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()
        self._sentences: OrderedDict[Hashable, Audio] = OrderedDict()
        self._history: deque[Played] = deque(maxlen=HISTORY)
        self._busy = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
        self._thread.start()

    def _chime(self) -> Audio | None:
        setting = self.settings.chime
        if not setting:
            return None
        audio_format = self.voice.format
        if setting == "builtin":
            chime = builtin_chime(*audio_format)
        else:
            chime = Audio.read(setting) if _exists(setting) else None
            if chime is None:
                raise VoiceError(f"the chime {setting} does not exist")
            if chime.format != audio_format:
                raise VoiceError(f"the chime {setting} is {describe(chime.format)}; the voice "
                                 f"is {describe(audio_format)}: convert it, e.g. `sox "
                                 f"{setting} -r {audio_format[2]} -b {8 * audio_format[1]} "
                                 f"-c {audio_format[0]} chime.wav`")
        return chime.scaled(self.settings.volume)

    # ------------------------------------------------------------ the caller's side

    def submit(self, announcement: Announcement | None) -> bool:
        """Queue `announcement` to be said; False when it was said (or queued) before,
        is None, or the announcer is closed. Never blocks."""
        if announcement is None:
            return False
        with self._lock:
            if self._closing or announcement.event_id in self._seen:
                if not self._closing:
                    log.info("event %s already announced: not said again",
                             announcement.event_id)
                return False
            self._seen.add(announcement.event_id)
            self._seen_order.append(announcement.event_id)
            if len(self._seen_order) > REMEMBER:
                self._seen.discard(self._seen_order.popleft())
            self._queue.append(announcement)
            self._lock.notify_all()
        return True

    @property
    def history(self) -> list[Played]:
        with self._lock:
            return list(self._history)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted has been dealt with; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: (not self._queue and not self._busy)
                                       or not self._thread.is_alive(), timeout)

    def close(self, drain: bool = False, timeout: float | None = None) -> None:
        """Stop: what is being said is finished (never cut off); what waits is said
        first when `drain`, else dropped (and logged)."""
        if drain:
            self.drain(timeout)
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        self._thread.join(timeout)

    # ------------------------------------------------------------ the voice thread

    def _run(self) -> None:
        if self.voice is not None:
            try:
                self.voice.prepare()
            except Exception:
                log.exception("the voice could not be prepared")
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._queue or self._closing)
                if self._closing:
                    if self._queue:
                        log.info("voice closed: %d announcements not said", len(self._queue))
                        self._queue.clear()
                    self._lock.notify_all()
                    return
                announcement = self._queue.popleft()
                waiting = len(self._queue)
                self._busy = True
            try:
                record = self._announce(announcement, waiting)
            except Exception as error:
                log.exception("could not say %s", announcement)
                record = Played(announcement, str(error), "failed")
            with self._lock:
                self._history.append(record)
                self._busy = False
                self._lock.notify_all()

    def _announce(self, announcement: Announcement, waiting: int) -> Played:
        text = spoken_text(announcement, self.settings)
        if self.voice is None or not self.settings.enabled:
            log.info("voice off: %s (event %s) not said", text, announcement.event_id)
            return Played(announcement, text, "off")
        now = self.clock()
        if is_quiet(self.settings, now.hour * 60 + now.minute):
            log.info("quiet hours: %s (event %s) not said", text, announcement.event_id)
            return Played(announcement, text, "quiet")
        quick = waiting > 0                       # the pile-up rule
        repeats = 1 if quick else self.settings.repeat
        chime = None if quick else self.chime
        sentence = self._sentence(announcement)
        parts = [chime, chime.silence(CHIME_GAP)] if chime is not None else []
        for i in range(repeats):
            if i:
                parts.append(sentence.silence(self.settings.pause_seconds))
            parts.append(sentence)
        utterance = join(parts)
        began: list[float] = []

        def started() -> None:
            began.append(time.monotonic())
            if self.on_started is not None:
                try:
                    self.on_started(announcement, began[0])
                except Exception:
                    log.exception("the voice's started hook failed")

        path = self.output.play(utterance, _file_name(announcement), started)
        ended = time.monotonic()
        log.info("said %s (event %s, %d time%s%s%s)", text, announcement.event_id, repeats,
                 "" if repeats == 1 else "s", ", chime" if chime is not None else "",
                 f", {waiting} waiting" if waiting else "")
        return Played(announcement, text, "played", began[0] if began else ended, ended,
                      path, repeats, chime is not None, utterance.seconds)

    def _sentence(self, announcement: Announcement) -> Audio:
        key = self.voice.key(announcement)
        sentence = self._sentences.get(key)
        if sentence is not None:
            self._sentences.move_to_end(key)
            return sentence
        sentence = self.voice.render(announcement).scaled(self.settings.volume)
        self.synthesised += 1
        self._sentences[key] = sentence
        if len(self._sentences) > CACHE:
            self._sentences.popitem(last=False)
        return sentence


def _file_name(announcement: Announcement) -> str:
    number = re.sub(r"[^A-Za-z0-9]", "", announcement.number) or "x"
    return f"e{announcement.event_id}-{announcement.kind}-{number}"


def _exists(path: str) -> bool:
    return Path(path).is_file()
