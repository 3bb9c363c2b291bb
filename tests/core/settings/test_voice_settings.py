"""The [voice] section: defaults, the demo's values, and every mistake named."""
from __future__ import annotations

import pytest

from core.settings.loader import load_settings, parse_settings
from core.settings.voice import VoiceSettings
from tests.core.settings.test_errors import DEMO_PATH, MINI, _problems


def test_without_a_voice_section_the_defaults_apply():
    assert parse_settings(MINI).voice == VoiceSettings()


def test_the_demo_hall_writes_its_voice_to_a_directory():
    voice = load_settings(DEMO_PATH).voice
    assert voice.enabled and voice.engine == "espeak" and voice.voice == "cmn-latn-pinyin"
    assert voice.output == "var/voice" and voice.chime == "builtin" and voice.repeat == 2
    assert voice.quiet_hours is None


def test_every_key_is_read():
    voice = parse_settings(MINI + """
[voice]
enabled = false
engine = "pack"
pack = "voice/pack"
rate = 180
volume = 0.5
repeat = 3
pause_seconds = 0
chime = ""
template = "请{number}号到{window_name}"
pickup_template = "请{number}号取件"
recall_template = "再次呼叫{number}号"
quiet_hours = "21:30-07:00"
output = "/srv/pa"
""").voice
    assert voice == VoiceSettings(
        enabled=False, engine="pack", pack="voice/pack", rate=180, volume=0.5, repeat=3,
        pause_seconds=0.0, chime="", template="请{number}号到{window_name}",
        pickup_template="请{number}号取件", recall_template="再次呼叫{number}号",
        quiet_hours=(21 * 60 + 30, 7 * 60), output="/srv/pa")


@pytest.mark.parametrize(("line", "field", "message"), [
    ('engine = "espeek"', "voice.engine",
     "unknown voice engine 'espeek' (did you mean 'espeak'?)"),
    ('template = "请{numbr}号"', "voice.template", "unknown field {numbr}"),
    ('template = "请{number:>3}号"', "voice.template", "unknown field {number}"),
    ('template = "请到{window}号窗口"', "voice.template", "put {number} in it"),
    ('recall_template = "再次呼叫{number"', "voice.recall_template", "is not a template"),
    ('quiet_hours = "22:00"', "voice.quiet_hours", "is not a span of time"),
    ('quiet_hours = "22:00-22:00"', "voice.quiet_hours", "starts and ends at the same time"),
    ('rate = 1000', "voice.rate", "must be in [80, 450], got 1000"),
    ('volume = 1.5', "voice.volume", "must be in [0, 1]"),
    ('repeat = 0', "voice.repeat", "must be greater than 0"),
    ('output = ""', "voice.output", "must not be empty"),
    ('engine = "pack"', "voice.engine", 'engine "pack" needs `pack`'),
    ('enabled = "yes"', "voice.enabled", "expected true or false"),
])
def test_mistakes_are_named(line, field, message):
    text = MINI + "\n[voice]\n" + line + "\n"
    problems = _problems(text)
    assert any(f == field and message in m for _, f, m in problems), problems
    assert all(at == text.count("\n", 0, text.index(line)) + 1 for at, _, _ in problems)
