"""What the hall's loudspeaker says when a ticket is called (pure, standard library).

An `Announcement` is made from one event of the stream (`announcement_for`); its
sentence comes from the [voice] templates (`spoken_text`), read the way a hall
reads numbers: the letters of a ticket number as letters and each of its digits
as a Chinese digit (A012 -> A零一二), the window as a number (12 -> 十二, 101 ->
一百零一). The same sentence cut into recorded clips is `clip_names`: a voice
pack of digits, 十 百 千, letters and the templates' phrases says any call.
docs/voice.md has the rules.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from core.events import TicketCalled, TicketRecalled
from core.settings.voice import VoiceSettings

KINDS = ("call", "recall", "pickup")
CHINESE_DIGITS = "零一二三四五六七八九"
UNITS = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
LETTERS = tuple(string.ascii_uppercase)
# the clips a voice pack needs besides the templates' phrases
NUMBER_CLIPS = tuple(CHINESE_DIGITS) + ("十", "百", "千")
_BREAK = re.compile(r"[\W_]+")   # punctuation and spaces: a pause, not a clip


@dataclass(frozen=True)
class Announcement:
    event_id: int          # the stream's event id: the same event is never said twice
    kind: str              # "call", "recall" or "pickup"
    number: str            # the ticket, e.g. "A012"
    window: int
    window_name: str
    case_number: str = ""  # a pickup's case


def announcement_for(logged) -> Announcement | None:
    """The announcement of one `core.events.LoggedEvent`, or None when it says nothing
    (every event but a call or a recall, and a stream's snapshot)."""
    event = getattr(logged, "event", None)
    if isinstance(event, TicketCalled):
        kind = "pickup" if event.case_number else "call"
        return Announcement(logged.id, kind, event.number, event.window, event.window_name,
                            event.case_number)
    if isinstance(event, TicketRecalled):
        return Announcement(logged.id, "recall", event.number, event.window,
                            event.window_name)
    return None


def template_for(announcement: Announcement, voice: VoiceSettings) -> str:
    return {"call": voice.template, "pickup": voice.pickup_template,
            "recall": voice.recall_template}[announcement.kind]


def number_in_words(number: str) -> str:
    """A ticket or case number as it is said: letters stay letters, each digit a
    Chinese digit, anything else left out ("A012" -> "A零一二")."""
    out = []
    for char in number.upper():
        if char in LETTERS:
            out.append(char)
        elif char in "0123456789":
            out.append(CHINESE_DIGITS[int(char)])
    return "".join(out)


def window_in_words(window: int) -> str:
    """A window number as a Chinese number: 3 -> 三, 12 -> 十二, 20 -> 二十,
    101 -> 一百零一, 110 -> 一百一十; from 10000 on, digit by digit."""
    if window == 0:
        return CHINESE_DIGITS[0]
    if not 0 < window < 10000:
        return number_in_words(str(window))
    out, zero = "", False
    for value, unit in UNITS:
        digit = window // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += CHINESE_DIGITS[0]
            zero = False
        out += CHINESE_DIGITS[digit] + unit
    return out[1:] if 10 <= window < 20 else out


def _fields(announcement: Announcement) -> dict[str, str]:
    return {"number": number_in_words(announcement.number),
            "window": window_in_words(announcement.window),
            "window_name": announcement.window_name,
            "case_number": number_in_words(announcement.case_number)}


def spoken_text(announcement: Announcement, voice: VoiceSettings) -> str:
    """The sentence said for `announcement`: "请A零一二号到三号窗口办理"."""
    return template_for(announcement, voice).format(**_fields(announcement))


def _phrases(text: str) -> list[str]:
    return [piece for piece in _BREAK.split(text) if piece]


def clip_names(announcement: Announcement, voice: VoiceSettings) -> list[str]:
    """The spoken sentence cut into a voice pack's clips, in order: each clip is
    named by what it says. A ticket number and the window are said a character at
    a time (a letter, a digit 零..九, 十, 百, 千); the template's text and a window
    name a phrase at a time, cut at punctuation and spaces:
    "请A零一二号到十二号窗口办理" -> 请 A 零 一 二 号到 十 二 号窗口办理."""
    values = _fields(announcement)
    clips: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(
            template_for(announcement, voice)):
        clips += _phrases(literal)
        if name is None:
            continue
        if name == "window_name":
            clips += _phrases(values[name])
        else:
            clips += list(values[name])
    return clips


def pack_phrases(voice: VoiceSettings) -> list[str]:
    """The phrase clips the three templates need, in order of first use."""
    found: list[str] = []
    for template in (voice.template, voice.pickup_template, voice.recall_template):
        for literal, _name, _spec, _conversion in string.Formatter().parse(template):
            found += [p for p in _phrases(literal) if p not in found]
    return found


def pack_clips(voice: VoiceSettings, window_names: tuple[str, ...] = ()) -> list[str]:
    """Every clip a voice pack needs to say any call with these templates: the
    phrases, the digits with 十 百 千, the letters, and the window names when a
    template says {window_name}."""
    clips = pack_phrases(voice) + list(NUMBER_CLIPS) + list(LETTERS)
    templates = (voice.template, voice.pickup_template, voice.recall_template)
    if any("{window_name}" in t for t in templates):
        for name in window_names:
            clips += [p for p in _phrases(name) if p not in clips]
    return clips

