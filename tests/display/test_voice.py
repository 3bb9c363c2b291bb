"""The loudspeaker, for real: espeak-ng synthesises, WAV files are written and measured
with `wave`; the voice pack is built from espeak-ng clips and joined."""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import wave
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from core.announcements import Announcement, clip_names, spoken_text
from core.settings.voice import VoiceSettings
from display.voice import Announcer, DeviceOutput, DirectoryOutput, VoiceError
from display.voice_audio import Audio, builtin_chime
from display.voice_espeak import ESPEAK_FORMAT, EspeakVoice
from display.voice_pack import VoicePack, build_pack

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed")

ROOT = Path(__file__).resolve().parents[2]
VOICE = VoiceSettings(output="unused")
NOON = datetime(2026, 11, 23, 12, 0)


def call(event_id: int, number: str = "A012", window: int = 3, kind: str = "call",
         case_number: str = "") -> Announcement:
    return Announcement(event_id, kind, number, window, f"{window}号窗", case_number)


def seconds(path: str | Path) -> float:
    with wave.open(str(path)) as sound:
        return sound.getnframes() / sound.getframerate()


def frames(path: str | Path) -> bytes:
    with wave.open(str(path)) as sound:
        return sound.readframes(sound.getnframes())


def say(voice: VoiceSettings, directory: Path, *announcements: Announcement,
        clock=lambda: NOON, paced: bool = False) -> Announcer:
    """An announcer writing to `directory`, fed `announcements`, drained."""
    announcer = Announcer(voice, DirectoryOutput(directory, paced=paced), clock=clock)
    for announcement in announcements:
        announcer.submit(announcement)
    assert announcer.drain(timeout=60)
    announcer.close()
    return announcer


def files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.wav"))


# ------------------------------------------------------------------ the sentence

@pytest.mark.parametrize("announcement", [
    call(1), call(2, window=12), call(3, "Q003", 12, "pickup", "DEMO20261123-0007"),
    call(4, kind="recall"), call(5, "B001", 101)], ids=str)
def test_every_sentence_is_read_in_mandarin(announcement):
    text = spoken_text(announcement, VOICE)
    phonemes = subprocess.run(["espeak-ng", "-v", VOICE.voice, "-q", "-x", text],
                              capture_output=True, text=True, check=True).stdout
    assert phonemes.strip() and "(en)" not in phonemes, (text, phonemes)
    # the control: Debian's plain "cmn" voice falls back to English on the same text
    control = subprocess.run(["espeak-ng", "-v", "cmn", "-q", "-x", text],
                             capture_output=True, text=True, check=True).stdout
    assert "(en)" in control


PYTTSX3_AND_COMMAND = """
from core.settings.voice import VoiceSettings
from display.voice_espeak import EspeakVoice
text = "请A零一二号到三号窗口办理"
for rate in (150, 300):   # the second rate cannot use the process's pyttsx3 engine
    for use in (True, False):
        voice = EspeakVoice(VoiceSettings(rate=rate), use_pyttsx3=use)
        spoken = voice.sentence(text)
        print(rate, voice.via, spoken.format, round(spoken.seconds, 3))
"""


def test_pyttsx3_speaks_as_the_command_and_only_for_the_first_voice():
    """In a fresh process: pyttsx3's engine is one per process. On some starts pyttsx3
    fails its check (display/voice_espeak.py) and the command speaks instead: tried
    up to three times for a start where it passes."""
    for _attempt in range(3):
        done = subprocess.run([sys.executable, "-c", PYTTSX3_AND_COMMAND],
                              capture_output=True, text=True, timeout=120, check=True,
                              cwd=ROOT)
        lines = [line.split(" ", 2) for line in done.stdout.splitlines()]
        if lines[0][1] == "pyttsx3":
            break
        assert "pyttsx3 said a sentence in" in done.stderr
    assert [(rate, via) for rate, via, _ in lines] == [
        ("150", "pyttsx3"), ("150", "command"), ("300", "command"), ("300", "command")]
    assert all(rest.startswith(str(ESPEAK_FORMAT)) for _, _, rest in lines)
    length = {(rate, via): float(rest.split(") ")[1]) for rate, via, rest in lines}
    assert length[("150", "pyttsx3")] > 3
    assert length[("150", "pyttsx3")] == pytest.approx(length[("150", "command")], abs=0.05)
    assert length[("300", "command")] < 0.7 * length[("150", "command")]


def test_a_voice_espeak_ng_lacks_is_refused_at_start(tmp_path):
    with pytest.raises(VoiceError, match="espeak-ng has no voice 'cmn-pinyin'"):
        Announcer(replace(VOICE, voice="cmn-pinyin"), DirectoryOutput(tmp_path))


# ------------------------------------------------------------------ the order

def test_three_quick_calls_are_all_said_in_order(tmp_path):
    announcer = say(VOICE, tmp_path, call(11, "A012"), call(12, "A013", 12),
                    call(13, "B001", 5, "pickup", "DEMO20261123-0001"))
    written = files(tmp_path)
    assert [re.sub(r"^\d+-", "", p.stem) for p in written] == [
        "e11-call-A012", "e12-call-A013", "e13-pickup-B001"]
    assert [p.path for p in announcer.history] == [str(p) for p in written]
    assert all(seconds(p) > 1 for p in written)
    played = announcer.history
    assert [p.status for p in played] == ["played"] * 3
    assert [p.text for p in played] == ["请A零一二号到三号窗口办理", "请A零一三号到十二号窗口办理",
                                        "请B零零一号到五号窗口取件"]
    for before, after in zip(played, played[1:], strict=False):
        assert before.started <= before.ended <= after.started


def test_calls_that_pile_up_are_said_once_without_chime_and_never_overlap(tmp_path):
    """A call is being said (paced like a loudspeaker) when three more arrive: the two
    with others behind them are said once and without the chime; the last of the
    burst, with nobody behind, in full."""
    voice = replace(VOICE, template="{number}号", rate=300, pause_seconds=0.2)
    speaking = []
    announcer = Announcer(voice, DirectoryOutput(tmp_path, paced=True), clock=lambda: NOON,
                          started=lambda announcement, at: speaking.append((announcement, at)))
    try:
        announcer.submit(call(1, "A001"))
        for _ in range(600):   # the first is being said: its hook has been called
            if speaking:
                break
            announcer.drain(timeout=0.01)
        assert speaking
        for event_id, number in ((2, "A002"), (3, "A003"), (4, "A004")):
            assert announcer.submit(call(event_id, number))
        assert announcer.drain(timeout=60)
    finally:
        announcer.close()
    played = announcer.history
    assert [p.announcement.number for p in played] == ["A001", "A002", "A003", "A004"]
    assert [(p.repeats, p.chime) for p in played] == [(2, True), (1, False), (1, False),
                                                      (2, True)]
    assert [a.number for a, _ in speaking] == ["A001", "A002", "A003", "A004"]
    assert [at for _, at in speaking] == [p.started for p in played]
    for before, after in zip(played, played[1:], strict=False):
        assert after.started >= before.ended      # one at a time, never cut off
        assert before.ended - before.started >= before.seconds
    assert [seconds(p.path) for p in played] == pytest.approx([p.seconds for p in played])


# ------------------------------------------------------------------ what is said again

def test_a_replayed_event_is_not_said_twice(tmp_path):
    announcer = Announcer(VOICE, DirectoryOutput(tmp_path, paced=False), clock=lambda: NOON)
    assert announcer.submit(call(21)) is True
    assert announcer.submit(call(21)) is False          # replayed while still queued
    assert announcer.drain(timeout=60)
    assert announcer.submit(call(21)) is False          # replayed after a reconnect
    assert announcer.submit(call(22, "A013")) is True
    assert announcer.drain(timeout=60)
    announcer.close()
    assert [p.announcement.event_id for p in announcer.history] == [21, 22]
    assert len(files(tmp_path)) == 2


def test_a_recall_is_said_again(tmp_path):
    announcer = say(VOICE, tmp_path, call(31), call(32, kind="recall"))
    first, recall = files(tmp_path)
    assert recall.stem.endswith("e32-recall-A012")
    assert [p.text for p in announcer.history] == ["请A零一二号到三号窗口办理",
                                                   "再次呼叫，请A零一二号到三号窗口"]
    assert seconds(recall) > 1 and frames(first) != frames(recall)


def test_a_sentence_is_synthesised_once(tmp_path):
    """The same ticket called twice (another event: parked and resumed, say)."""
    announcer = say(VOICE, tmp_path, call(41), call(42), call(43, "A013"))
    assert announcer.synthesised == 2
    first, again, _ = files(tmp_path)
    assert frames(first) == frames(again)


# ------------------------------------------------------------------ silence

def test_quiet_hours_are_silent_and_logged(tmp_path):
    voice = replace(VOICE, quiet_hours=(22 * 60, 7 * 60))
    late = say(voice, tmp_path / "late", call(51), clock=lambda: datetime(2026, 11, 23, 23, 5))
    assert files(tmp_path / "late") == []
    assert [(p.status, p.text) for p in late.history] == [("quiet", "请A零一二号到三号窗口办理")]
    day = say(voice, tmp_path / "day", call(51), clock=lambda: datetime(2026, 11, 23, 7, 0))
    assert [p.status for p in day.history] == ["played"] and len(files(tmp_path / "day")) == 1


def test_voice_off_is_silent(tmp_path):
    announcer = say(replace(VOICE, enabled=False), tmp_path, call(61), call(62))
    assert files(tmp_path) == []
    assert [p.status for p in announcer.history] == ["off", "off"]
    assert announcer.voice is None


# ------------------------------------------------------------------ the utterance

def test_repeats_pause_and_chime_shape_the_utterance(tmp_path):
    plain = replace(VOICE, chime="", repeat=1)
    sentence = seconds(files(say(plain, tmp_path / "once", call(71)).output.directory)[0])
    thrice = say(replace(plain, repeat=3, pause_seconds=0.5), tmp_path / "thrice", call(71))
    assert thrice.history[0].seconds == pytest.approx(3 * sentence + 2 * 0.5, abs=0.01)
    assert seconds(files(tmp_path / "thrice")[0]) == pytest.approx(thrice.history[0].seconds)
    chimed = say(replace(plain, chime="builtin"), tmp_path / "chimed", call(71))
    chime = builtin_chime(*ESPEAK_FORMAT).seconds
    assert chimed.history[0].seconds == pytest.approx(chime + 0.3 + sentence, abs=0.01)

def test_volume_scales_the_sound(tmp_path):
    """Through the espeak-ng command: pyttsx3's samples differ slightly run to run."""
    peaks = []
    for volume in (1.0, 0.25):
        voice = replace(VOICE, chime="", repeat=1, volume=volume)
        announcer = Announcer(voice, DirectoryOutput(tmp_path / str(volume), paced=False),
                              clock=lambda: NOON, voice=EspeakVoice(voice, use_pyttsx3=False))
        announcer.submit(call(72))
        assert announcer.drain(timeout=60)
        announcer.close()
        peaks.append(_peak(Path(announcer.history[0].path)))
    assert peaks[0] > 5000 and peaks[1] == pytest.approx(peaks[0] * 0.25, abs=2)


def _peak(path: Path) -> int:
    audio = Audio.read(path)
    return max(abs(int.from_bytes(audio.frames[i:i + 2], "little", signed=True))
               for i in range(0, len(audio.frames), 2))


def test_a_chime_file_of_another_format_is_refused_at_start(tmp_path):
    Audio(2, 2, 44100, bytes(4 * 441)).write(tmp_path / "ding.wav")
    with pytest.raises(VoiceError, match="44100 Hz, 16-bit, 2 channels; the voice is "
                                         "22050 Hz, 16-bit, mono"):
        Announcer(replace(VOICE, chime=str(tmp_path / "ding.wav")), DirectoryOutput(tmp_path))
    with pytest.raises(VoiceError, match="does not exist"):
        Announcer(replace(VOICE, chime=str(tmp_path / "none.wav")), DirectoryOutput(tmp_path))


def test_a_chime_file_is_played_before_the_call(tmp_path):
    ding = Audio(*ESPEAK_FORMAT, bytes(range(256)) * 100)
    ding.write(tmp_path / "ding.wav")
    voice = replace(VOICE, chime=str(tmp_path / "ding.wav"), repeat=1)
    announcer = say(voice, tmp_path / "out", call(81))
    assert frames(announcer.history[0].path).startswith(ding.frames)


def test_a_directory_keeps_numbering_after_a_restart(tmp_path):
    say(VOICE, tmp_path, call(91))
    say(VOICE, tmp_path, call(92))
    assert [p.name[:6] for p in files(tmp_path)] == ["000001", "000002"]


# ------------------------------------------------------------------ the sound device

def test_the_device_output_plays_through_the_player_it_finds(tmp_path, monkeypatch):
    """A player on the PATH is handed each utterance whole, one at a time."""
    player = tmp_path / "bin" / "aplay"
    player.parent.mkdir()
    player.write_text(f'#!/bin/sh\ncp "$2" "{tmp_path}/heard-$(ls {tmp_path} | wc -l).wav"\n')
    player.chmod(player.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{player.parent}{os.pathsep}{os.environ['PATH']}")
    output = DeviceOutput()
    if output.player[0] != str(player):
        pytest.skip("a real player is installed ahead of the test's")
    announcer = Announcer(replace(VOICE, repeat=1), output, clock=lambda: NOON)
    announcer.submit(call(101))
    announcer.submit(call(102, "A013"))
    assert announcer.drain(timeout=60)
    announcer.close()
    heard = sorted(tmp_path.glob("heard-*.wav"))
    assert len(heard) == 2 and all(seconds(p) > 1 for p in heard)
    assert [p.status for p in announcer.history] == ["played", "played"]


def test_without_a_player_the_voice_is_written_and_nothing_crashes(tmp_path, monkeypatch,
                                                                   caplog):
    monkeypatch.setenv("PATH", str(tmp_path))
    output = DeviceOutput()
    monkeypatch.undo()
    assert output.player is None
    announcer = Announcer(VOICE, output, clock=lambda: NOON)
    announcer.submit(call(111))
    assert announcer.drain(timeout=60)
    announcer.close()
    [played] = announcer.history
    assert played.status == "played" and seconds(played.path) > 1
    assert "no audio player" in caplog.text


# ------------------------------------------------------------------ the voice pack

@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("pack")
    build_pack(directory, VOICE)
    return directory


def test_a_pack_joins_its_clips_in_the_order_of_the_sentence(pack, tmp_path):
    voice = replace(VOICE, engine="pack", pack=str(pack), chime="", repeat=1)
    announcer = say(voice, tmp_path, call(121, "A012", 12), call(122, "B001", 101, "recall"))
    first, recall = (Path(p.path) for p in announcer.history)
    assert clip_names(call(121, "A012", 12), voice) == [
        "请", "A", "零", "一", "二", "号到", "十", "二", "号窗口办理"]
    for path, announcement in ((first, call(121, "A012", 12)),
                               (recall, call(122, "B001", 101, "recall"))):
        expected = b"".join(frames(pack / f"{name}.wav")
                            for name in clip_names(announcement, voice))
        assert frames(path) == expected and seconds(path) > 1


def test_a_pack_says_a_missing_phrase_character_by_character(pack, tmp_path):
    partial = tmp_path / "pack"
    shutil.copytree(pack, partial)
    (partial / "号到.wav").unlink()
    for char in "号到":
        Audio(*ESPEAK_FORMAT, bytes([ord(char) % 256, 1]) * 500).write(partial / f"{char}.wav")
    voice = replace(VOICE, engine="pack", pack=str(partial))
    clips = VoicePack(voice).clip("号到")
    assert [c.frames for c in clips] == [frames(partial / "号.wav"), frames(partial / "到.wav")]


def test_a_pack_of_mixed_formats_is_refused_at_start(pack, tmp_path):
    mixed = tmp_path / "pack"
    shutil.copytree(pack, mixed)
    Audio(1, 2, 44100, bytes(8820)).write(mixed / "七.wav")
    with pytest.raises(VoiceError, match=r"differ in format .*44100 Hz, 16-bit, mono: 七"):
        Announcer(replace(VOICE, engine="pack", pack=str(mixed)), DirectoryOutput(tmp_path))


def test_a_pack_missing_a_clip_is_refused_at_start(pack, tmp_path):
    lacking = tmp_path / "pack"
    shutil.copytree(pack, lacking)
    (lacking / "号窗口取件.wav").unlink()
    with pytest.raises(VoiceError, match=r"no clip for 号窗口取件 \(号窗口取件.wav\)"):
        Announcer(replace(VOICE, engine="pack", pack=str(lacking)), DirectoryOutput(tmp_path))
    with pytest.raises(VoiceError, match="is not a directory"):
        Announcer(replace(VOICE, engine="pack", pack=str(tmp_path / "none")),
                  DirectoryOutput(tmp_path))


def test_two_announcers_in_one_process_each_speak_at_their_rate(tmp_path):
    """pyttsx3 would hand both one engine: the second speaks through the command."""
    fast = replace(VOICE, rate=300, repeat=1, chime="")
    slow = replace(VOICE, rate=120, repeat=1, chime="")
    announcers = [Announcer(v, DirectoryOutput(tmp_path / str(v.rate), paced=False),
                            clock=lambda: NOON) for v in (fast, slow)]
    for event_id, number in ((1, "A001"), (2, "A002"), (3, "A003")):
        for announcer in announcers:
            announcer.submit(call(event_id, number))
    for announcer in announcers:
        assert announcer.drain(timeout=60)
        announcer.close()
    quick, slow_played = ([p.seconds for p in a.history] for a in announcers)
    assert len(quick) == len(slow_played) == 3
    assert all(s > 1.8 * q for q, s in zip(quick, slow_played, strict=True))
