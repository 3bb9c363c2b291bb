"""Sound for the voice: PCM in memory, joined with `wave`, and where it goes.

`Audio` is one stretch of PCM (format and frames); the voice joins a chime,
silences and sentences of one format into one utterance. An output plays an
utterance and says when the sound began: `DeviceOutput` through the machine's
player (paplay, aplay, pw-play; winsound on Windows), `DirectoryOutput` as
numbered WAV files for tests and PA systems. docs/voice.md.
"""
from __future__ import annotations

import io
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("yichuang.voice")

PLAYERS = (("paplay",), ("aplay", "-q"), ("pw-play",))
KEEP_FILES = 200          # a directory output keeps its newest files, at most this many


class VoiceError(RuntimeError):
    """The voice cannot start or speak: a bad pack, chime or voice (the message says
    what to fix)."""


@dataclass(frozen=True)
class Audio:
    channels: int
    width: int               # bytes a sample
    rate: int                # frames a second
    frames: bytes = b""

    @property
    def format(self) -> tuple[int, int, int]:
        return (self.channels, self.width, self.rate)

    @property
    def seconds(self) -> float:
        return len(self.frames) / (self.channels * self.width * self.rate)

    def silence(self, seconds: float) -> Audio:
        count = round(seconds * self.rate) * self.channels * self.width
        return Audio(self.channels, self.width, self.rate, bytes(count))

    def scaled(self, volume: float) -> Audio:
        """Louder or softer: 16-bit samples times `volume` (0 to 1)."""
        if volume >= 1.0 or not self.frames:
            return self
        if self.width != 2:
            raise VoiceError("volume needs 16-bit audio")
        samples = array("h", self.frames)
        if sys.byteorder == "big":
            samples.byteswap()
        samples = array("h", (int(s * volume) for s in samples))
        if sys.byteorder == "big":
            samples.byteswap()
        return Audio(self.channels, self.width, self.rate, samples.tobytes())

    @classmethod
    def read(cls, path: str | os.PathLike) -> Audio:
        try:
            with wave.open(str(path), "rb") as source:
                return cls(source.getnchannels(), source.getsampwidth(),
                           source.getframerate(), source.readframes(source.getnframes()))
        except (wave.Error, EOFError) as error:
            raise VoiceError(f"{path} is not a PCM WAV file: {error}") from None

    def write(self, path: str | os.PathLike) -> None:
        with wave.open(str(path), "wb") as target:
            target.setnchannels(self.channels)
            target.setsampwidth(self.width)
            target.setframerate(self.rate)
            target.writeframes(self.frames)


def describe(audio_format: tuple[int, int, int]) -> str:
    channels, width, rate = audio_format
    return f"{rate} Hz, {8 * width}-bit, {'mono' if channels == 1 else f'{channels} channels'}"


def join(parts: list[Audio]) -> Audio:
    """One stretch of sound from parts of one format."""
    first = parts[0]
    for part in parts[1:]:
        if part.format != first.format:
            raise VoiceError(f"cannot join {describe(part.format)} to "
                             f"{describe(first.format)}")
    return Audio(*first.format, b"".join(p.frames for p in parts))


def builtin_chime(channels: int = 1, width: int = 2, rate: int = 22050) -> Audio:
    """A soft two-note ding-dong (E5 then C5, 0.9 s), made here: no file to ship."""
    if width != 2:
        raise VoiceError("the built-in chime is 16-bit: use 16-bit clips")
    samples = array("h")
    for frequency, seconds in ((659.25, 0.4), (523.25, 0.5)):
        count = int(seconds * rate)
        for i in range(count):
            t = i / rate
            envelope = min(1.0, i / (0.01 * rate)) * math.exp(-4.0 * t)
            value = int(9000 * envelope * (math.sin(2 * math.pi * frequency * t)
                                           + 0.3 * math.sin(4 * math.pi * frequency * t)))
            samples.extend([value] * channels)
    if sys.byteorder == "big":
        samples.byteswap()
    return Audio(channels, width, rate, samples.tobytes())


# ------------------------------------------------------------------ outputs

Started = Callable[[], None]


class DirectoryOutput:
    """Each utterance a numbered WAV file in `directory` (000001-e17-call-A012.wav),
    written whole under a temporary name and then renamed, so a PA system that plays
    new files never reads half of one. `paced`: after writing, wait as long as the
    sound lasts, so the files come at the pace of speech (and the voice's pile-up
    rule sees what a loudspeaker would). The newest KEEP_FILES files are kept."""

    _NUMBERED = re.compile(r"(\d{6})-.*\.wav")

    def __init__(self, directory: str | os.PathLike, paced: bool = True,
                 keep: int = KEEP_FILES) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.paced = paced
        self.keep = keep
        numbers = [int(m[1]) for p in self.directory.iterdir()
                   if (m := self._NUMBERED.fullmatch(p.name))]
        self.count = max(numbers, default=0)

    def play(self, audio: Audio, name: str, started: Started) -> str:
        self.count += 1
        path = self.directory / f"{self.count:06d}-{name}.wav"
        partial = path.with_suffix(".partial")
        audio.write(partial)
        started()
        os.replace(partial, path)
        self._prune()
        if self.paced:
            time.sleep(audio.seconds)
        return str(path)

    def _prune(self) -> None:
        files = sorted(p for p in self.directory.iterdir() if self._NUMBERED.fullmatch(p.name))
        for old in files[:max(0, len(files) - self.keep)]:
            old.unlink(missing_ok=True)


class DeviceOutput:
    """The machine's sound device, through the first player found; the call returns
    when the sound has ended. With no player the utterance is written to a temporary
    file instead and that is logged (once): the hall hears nothing, nothing crashes."""

    def __init__(self) -> None:
        self.player = next(([found, *args] for name, *args in PLAYERS
                            if (found := shutil.which(name))), None)
        self._temporary = tempfile.TemporaryDirectory(prefix="yichuang-voice-")
        self.spare = Path(self._temporary.name)
        self._warned = False

    def play(self, audio: Audio, name: str, started: Started) -> str | None:
        if sys.platform == "win32":
            import winsound  # the standard library's, Windows only
            started()
            winsound.PlaySound(audio_bytes(audio), winsound.SND_MEMORY)
            return None
        if self.player is None:
            path = self.spare / "last.wav"
            audio.write(path)
            if not self._warned:
                log.warning("no audio player (paplay, aplay or pw-play) on this machine: "
                            "the voice is written to %s instead of being heard", path)
                self._warned = True
            started()
            return str(path)
        path = self.spare / f"{name}.wav"
        audio.write(path)
        try:
            started()
            done = subprocess.run([*self.player, str(path)], capture_output=True,
                                  timeout=audio.seconds + 30, check=False)
            if done.returncode:
                log.error("%s failed (%s): %s", self.player[0], done.returncode,
                          done.stderr.decode(errors="replace").strip())
        except (OSError, subprocess.TimeoutExpired) as error:
            log.error("%s failed: %s", self.player[0], error)
        finally:
            path.unlink(missing_ok=True)
        return None


def audio_bytes(audio: Audio) -> bytes:
    """A whole WAV file in memory."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as target:
        target.setnchannels(audio.channels)
        target.setsampwidth(audio.width)
        target.setframerate(audio.rate)
        target.writeframes(audio.frames)
    return buffer.getvalue()


def output_for(setting: str) -> DeviceOutput | DirectoryOutput:
    """The [voice] `output`: "device", or a directory of WAV files (paced)."""
    return DeviceOutput() if setting == "device" else DirectoryOutput(setting)
