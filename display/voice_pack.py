"""A voice pack: recorded clips joined into the sentence (engine "pack").

A pack is a directory of WAV clips, each named by what it says: `零.wav` ...
`九.wav`, `十.wav`, `百.wav`, `千.wav`, `A.wav` ... `Z.wav`, and one clip for
each phrase of the templates (`请.wav`, `号到.wav`, `号窗口办理.wav` ...), as
`core.announcements.clip_names` cuts the sentence. A phrase without its own clip
is said character by character when every character has one. All clips share
one format (rate, width, channels; 16-bit), checked when the voice starts.

`python -m display.voice_pack DIRECTORY [--config FILE]` makes a starter pack
with espeak-ng (the clips a hall replaces with recordings), docs/voice.md.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from core.announcements import (
    LETTERS,
    NUMBER_CLIPS,
    Announcement,
    clip_names,
    pack_clips,
    pack_phrases,
    spoken_text,
)
from core.settings.voice import VoiceSettings
from display.voice_audio import Audio, VoiceError, describe, join
from display.voice_espeak import synthesise_with_command

log = logging.getLogger("yichuang.voice")


class VoicePack:
    """The clips of `settings.pack`, loaded and checked at once."""

    engine = "pack"

    def __init__(self, settings: VoiceSettings, directory: str | Path | None = None) -> None:
        self.settings = settings
        self.directory = Path(directory if directory is not None else settings.pack)
        if not self.directory.is_dir():
            raise VoiceError(f"the voice pack {self.directory} is not a directory")
        self.clips = {p.stem: Audio.read(p) for p in sorted(self.directory.glob("*.wav"))}
        if not self.clips:
            raise VoiceError(f"the voice pack {self.directory} holds no .wav clips")
        self.format = self._one_format()
        missing = [name for name in pack_phrases(settings) + list(NUMBER_CLIPS)
                   if not self._has(name)]
        if missing:
            raise VoiceError(f"the voice pack {self.directory} has no clip for "
                             + ", ".join(f"{name} ({name}.wav)" for name in missing)
                             + " (docs/voice.md lists the clips)")
        letters = [letter for letter in LETTERS if letter not in self.clips]
        if letters:
            log.warning("the voice pack %s has no clip for the letters %s: numbers with "
                        "them cannot be said", self.directory, " ".join(letters))

    def _one_format(self) -> tuple[int, int, int]:
        by_format: dict[tuple, list[str]] = defaultdict(list)
        for name, clip in self.clips.items():
            by_format[clip.format].append(name)
        if len(by_format) > 1:
            found = "; ".join(f"{describe(f)}: {', '.join(names[:5])}"
                              + (" ..." if len(names) > 5 else "")
                              for f, names in sorted(by_format.items(), key=lambda i: -len(i[1])))
            raise VoiceError(f"the clips of the voice pack {self.directory} differ in format "
                             f"({found}); convert them all to one, e.g. "
                             "`sox IN.wav -r 22050 -b 16 -c 1 OUT.wav`")
        audio_format = next(iter(by_format))
        if audio_format[1] != 2:
            raise VoiceError(f"the clips of the voice pack {self.directory} are "
                             f"{describe(audio_format)}: use 16-bit PCM")
        return audio_format

    def _has(self, name: str) -> bool:
        return name in self.clips or all(char in self.clips for char in name)

    def clip(self, name: str) -> list[Audio]:
        """The clip named `name`, or its characters' clips."""
        if name in self.clips:
            return [self.clips[name]]
        if all(char in self.clips for char in name):
            return [self.clips[char] for char in name]
        raise VoiceError(f"the voice pack {self.directory} has no clip {name}.wav")

    def key(self, announcement: Announcement) -> tuple[str, ...]:
        return tuple(clip_names(announcement, self.settings))

    def describe(self, announcement: Announcement) -> str:
        return spoken_text(announcement, self.settings)

    def prepare(self) -> None:
        """Everything was loaded at start."""

    def render(self, announcement: Announcement) -> Audio:
        parts = [part for name in clip_names(announcement, self.settings)
                 for part in self.clip(name)]
        return join(parts)


def build_pack(directory: str | Path, settings: VoiceSettings,
               window_names: tuple[str, ...] = ()) -> list[Path]:
    """A starter pack: every clip the templates need, spoken by espeak-ng (no end
    pause, so the joined sentence flows). Returns the files written."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as work:
        for name in pack_clips(settings, window_names):
            audio = synthesise_with_command(name, Path(work) / "clip.wav", settings.voice,
                                            settings.rate, pause_at_end=False)
            path = target / f"{name}.wav"
            audio.write(path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m display.voice_pack",
        description="Make a starter voice pack with espeak-ng: one WAV clip for each "
                    "digit, letter and phrase of the [voice] templates.")
    parser.add_argument("directory", help="where to write the clips")
    parser.add_argument("--config", help="the hall's TOML file (its [voice] templates "
                        "and window names); default: the built-in templates")
    args = parser.parse_args(argv)
    settings, window_names = VoiceSettings(), ()
    if args.config:
        from core.settings.loader import load_settings
        hall = load_settings(args.config)
        settings, window_names = hall.voice, tuple(w.name for w in hall.windows)
    try:
        written = build_pack(args.directory, settings, window_names)
    except VoiceError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{len(written)} clips in {args.directory}: "
          + " ".join(p.stem for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
