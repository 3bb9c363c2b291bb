"""The synthesised voice: espeak-ng's Mandarin (`cmn-latn-pinyin`), offline.

Through pyttsx3 when it is installed and works, with one `save_to_file` and one
`runAndWait` a sentence (shared/FEASIBILITY.md section 2: two saves before one run
write only the last file, an unknown voice id is silently ignored, so the voice is
chosen by its language). Otherwise, or when pyttsx3 fails, the
`espeak-ng -v VOICE -s RATE -w FILE TEXT` command. Either way the sentence is a
22050 Hz 16-bit mono WAV read back into memory.

Found here: pyttsx3 gives every caller of `init()` the one engine of the process,
and a rate changed after its first sentence is applied late or not at all (libespeak
restores its parameters at the end of a sentence, racing the change). So the first
voice to start claims pyttsx3 with its voice and rate, set once before its first
sentence; a second voice with other settings in the same process uses the command.
And right after its properties are set, one sentence is synthesised both ways: on
some starts (more than half, when the first sentence comes a moment after the
properties were set) pyttsx3 speaks at its default rate, or writes an empty file;
if its sentence is not as long as the command's, pyttsx3 is not used.
"""
from __future__ import annotations

import importlib
import logging
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from core.announcements import Announcement, spoken_text
from core.settings.voice import VoiceSettings
from display.voice_audio import Audio, VoiceError

log = logging.getLogger("yichuang.voice")

ESPEAK_FORMAT = (1, 2, 22050)   # channels, bytes a sample, rate: what espeak-ng writes
_PYTTSX3 = threading.Lock()     # pyttsx3.init() hands every caller the same engine
_CLAIMED: dict[str, tuple[str, int]] = {}   # "by": the voice and rate it speaks with
CHECK_SENTENCE = "A零一二三四五六七八九号到十号窗口"   # said both ways when pyttsx3 starts


def espeak_command() -> str:
    found = shutil.which("espeak-ng") or shutil.which("espeak")
    if found is None:
        raise VoiceError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    return found


def synthesise_with_command(text: str, path: Path, voice: str, rate: int,
                            pause_at_end: bool = True) -> Audio:
    """`text` spoken by the espeak-ng command into `path`, read back."""
    command = [espeak_command(), "-v", voice, "-s", str(rate), "-w", str(path)]
    if not pause_at_end:
        command.append("-z")
    try:
        done = subprocess.run([*command, text], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise VoiceError(f"espeak-ng failed: {error}") from None
    if done.returncode:
        raise VoiceError(f"espeak-ng -v {voice} failed: "
                         f"{done.stderr.decode(errors='replace').strip()}")
    return Audio.read(path)


def check_voice(voice: str) -> None:
    """Refuse, at start, a voice espeak-ng does not have (pyttsx3 would ignore it)."""
    try:
        listed = subprocess.run([espeak_command(), "--voices"], capture_output=True,
                                text=True, timeout=30, check=False).stdout
    except VoiceError:
        log.warning("no espeak-ng command: the voice %s is not checked", voice)
        return
    except (OSError, subprocess.TimeoutExpired) as error:
        raise VoiceError(f"espeak-ng --voices failed: {error}") from None
    names = set()
    for line in listed.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            names |= {columns[1].lower(), columns[4].lower(),
                      columns[4].rsplit("/", 1)[-1].lower()}
    if voice.lower() not in names:
        raise VoiceError(f"espeak-ng has no voice {voice!r} (`espeak-ng --voices` lists "
                         "them; Mandarin is cmn-latn-pinyin)")


def _hush(driver) -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." for every file, and logs its
    voice changes through the root logger (`logging.debug`), which sets up a console
    handler when the root has none yet and, once Kivy has lowered the root's level,
    put its chatter and all of Kivy's on the display's console (and, on a loaded
    machine, before the display said it was ready). Both go to this module's debug log
    instead: the driver module's own `print` and `logging` names, nobody else's."""
    if driver is not None:
        driver.print = lambda *args, **_: log.debug(" ".join(map(str, args)))
        driver.logging = log


class EspeakVoice:
    """Sentences from the [voice] templates, synthesised, from the announcer's thread."""

    engine = "espeak"
    format = ESPEAK_FORMAT

    def __init__(self, settings: VoiceSettings, use_pyttsx3: bool = True) -> None:
        self.settings = settings
        self.via = "" if use_pyttsx3 else "command"   # "pyttsx3" or "command" once prepared
        self._tts = None
        self._voice_id = ""
        self._temporary = tempfile.TemporaryDirectory(prefix="yichuang-tts-")  # removed with us
        self._work = Path(self._temporary.name)
        check_voice(settings.voice)

    def key(self, announcement: Announcement) -> str:
        return spoken_text(announcement, self.settings)

    def describe(self, announcement: Announcement) -> str:
        return spoken_text(announcement, self.settings)

    def prepare(self) -> None:
        """Start pyttsx3 with the configured voice and rate, or settle for the command."""
        if self.via:
            return
        wanted = (self.settings.voice, self.settings.rate)
        try:
            import pyttsx3
            with _PYTTSX3:
                claimed = _CLAIMED.get("by", wanted)
                if claimed != wanted:
                    raise VoiceError(f"pyttsx3 speaks {claimed[0]} at {claimed[1]} words a "
                                     "minute for another voice of this process")
                _hush(importlib.import_module("pyttsx3.drivers.espeak"))  # before it logs
                engine = pyttsx3.init()
                voices = [v for v in engine.getProperty("voices")
                          if v.languages == [self.settings.voice]]
                if not voices:
                    raise VoiceError(f"pyttsx3 lists no voice {self.settings.voice!r}")
                if "by" not in _CLAIMED:
                    engine.setProperty("voice", voices[0].id)
                    engine.setProperty("rate", self.settings.rate)
                    engine.setProperty("volume", 1.0)   # the announcer scales the volume
                    _CLAIMED["by"] = wanted
            self._tts, self._voice_id, self.via = engine, voices[0].id, "pyttsx3"
            self._check()
        except Exception as error:   # ImportError, no libespeak-ng, no such voice ...
            log.warning("pyttsx3 cannot speak (%s): using the espeak-ng command", error)
            self.via = "command"
        else:
            log.info("voice: pyttsx3 with %s at %s words a minute", self._voice_id,
                     self.settings.rate)

    def render(self, announcement: Announcement) -> Audio:
        return self.sentence(spoken_text(announcement, self.settings))

    def sentence(self, text: str) -> Audio:
        self.prepare()
        path = self._work / "sentence.wav"
        path.unlink(missing_ok=True)
        if self.via == "pyttsx3":
            try:
                return self._with_pyttsx3(text, path)
            except Exception as error:
                log.warning("pyttsx3 failed (%s): using the espeak-ng command from now on",
                            error)
                self.via = "command"
                path.unlink(missing_ok=True)
        return self._with_command(text, path)

    def _with_command(self, text: str, path: Path) -> Audio:
        return synthesise_with_command(text, path, self.settings.voice, self.settings.rate)

    def _with_pyttsx3(self, text: str, path: Path) -> Audio:
        with _PYTTSX3:
            self._tts.save_to_file(text, str(path))
            self._tts.runAndWait()
            current = self._tts.getProperty("voice")
        if current != self._voice_id:   # a voice it did not take is silently ignored
            raise VoiceError(f"pyttsx3 speaks with {current!r}, not {self._voice_id!r}")
        if not path.exists():
            raise VoiceError("pyttsx3 wrote no file")
        audio = Audio.read(path)
        if audio.format != ESPEAK_FORMAT or not audio.frames:
            raise VoiceError("pyttsx3 wrote an empty or unexpected file")
        return audio

    def _check(self) -> None:
        """Right after its properties are set, pyttsx3 says a sentence as long as the
        command's, or it is not used (it speaks at the wrong rate on some starts)."""
        text = "请" + CHECK_SENTENCE
        path = self._work / "check.wav"
        spoken = self._with_pyttsx3(text, path).seconds
        expected = self._with_command(text, path).seconds
        if abs(spoken - expected) > 0.05 * expected:
            self._tts, self.via = None, ""
            raise VoiceError(f"pyttsx3 said a sentence in {spoken:.2f} s, the espeak-ng "
                             f"command in {expected:.2f} s")
