"""The `[voice]` section: how the hall's loudspeaker calls numbers.

One section for the hall; `display/voice.py` speaks with it and
`core/announcements.py` fills its templates. docs/configuration.md describes
every key, docs/voice.md how the voice works.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, fields
from typing import Any

from core.settings.checks import Report
from core.settings.values import (
    BAD,
    Key,
    _number,
    boolean,
    choice,
    optional_text,
    parse_time,
    positive_int,
    text,
)

ENGINES = ("espeak", "pack")
# the template fields a sentence may use (core.announcements fills them)
TEMPLATE_FIELDS = ("number", "window", "window_name", "case_number")


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = True
    engine: str = "espeak"                # espeak: synthesised; pack: recorded clips joined
    voice: str = "cmn-latn-pinyin"        # the espeak-ng voice (its language name)
    rate: int = 150                       # words a minute (espeak-ng's -s), 80 to 450
    volume: float = 1.0                   # 0 (silent) to 1 (as synthesised or recorded)
    repeat: int = 2                       # each call said this many times
    pause_seconds: float = 1.0            # silence between two repeats
    chime: str = "builtin"                # "builtin", "" (none) or a WAV file's path
    template: str = "请{number}号到{window}号窗口办理"
    pickup_template: str = "请{number}号到{window}号窗口取件"
    recall_template: str = "再次呼叫，请{number}号到{window}号窗口"  # calls and pickups
    # no sound in these hours (start-end, may pass midnight), e.g. (22*60, 7*60); None: never
    quiet_hours: tuple[int, int] | None = None
    output: str = "device"                # "device" (the sound card) or a directory of WAVs
    pack: str = ""                        # the voice pack's directory (engine "pack")


def _template(report: Report, path, value: Any) -> Any:
    if text(report, path, value) is BAD:
        return BAD
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as error:
        report.add(path, f"{value!r} is not a template: {error} (write a brace as {{{{)")
        return BAD
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conversion:
            report.add(path, f"unknown field {{{name}}} in {value!r}: use "
                       + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS))
            return BAD
    if not any(name == "number" for _, name, _, _ in parsed):
        report.add(path, f"{value!r} does not say the number: put {{number}} in it")
        return BAD
    return value


def _quiet_hours(report: Report, path, value: Any) -> Any:
    if value == "":
        return None
    if text(report, path, value) is BAD:
        return BAD
    parts = [parse_time(p.strip()) for p in value.split("-")]
    if len(parts) != 2 or None in parts:
        report.add(path, f'{value!r} is not a span of time: expected "HH:MM-HH:MM", '
                   'e.g. "22:00-07:00", or "" for none')
        return BAD
    if parts[0] == parts[1]:
        report.add(path, f"{value!r} starts and ends at the same time")
        return BAD
    return (parts[0], parts[1])


_CONVERT = {"enabled": boolean, "engine": choice(ENGINES, "voice engine"), "voice": text,
            "rate": _number(80, False, 450, True), "volume": _number(0, False, 1, False),
            "repeat": positive_int, "pause_seconds": _number(0, False, 10, False),
            "chime": optional_text, "template": _template, "pickup_template": _template,
            "recall_template": _template, "quiet_hours": _quiet_hours, "output": text,
            "pack": optional_text}
VOICE_SCHEMA: dict[str, Key] = {f.name: Key(_CONVERT[f.name], f.default)
                                for f in fields(VoiceSettings)}


def check_voice(report: Report, data: dict) -> None:
    """The pack engine needs its directory."""
    voice = data.get("voice") or {}
    if voice.get("engine") == "pack" and not voice.get("pack"):
        report.add(("voice", "engine"), 'engine "pack" needs `pack`, the directory of the '
                   "voice pack's clips (docs/voice.md)")


def build_voice(values: dict) -> VoiceSettings:
    return VoiceSettings(**values)


def is_quiet(settings: VoiceSettings, minutes: int) -> bool:
    """Whether `minutes` after midnight fall in the quiet hours (start included)."""
    if settings.quiet_hours is None:
        return False
    start, end = settings.quiet_hours
    if start < end:
        return start <= minutes < end
    return minutes >= start or minutes < end
