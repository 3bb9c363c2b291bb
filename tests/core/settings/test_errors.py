"""Every mistake in a hall configuration is named well: field path, line, message.

Broken variants are made by editing the demo text; each case names the exact
field path, the line (found independently here, from the edit's position) and
a fragment of the message. Small halls written inline cover the rest.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings.loader import SettingsError, load_settings, parse_settings
from core.settings.schema import PoolKind

ROOT = Path(__file__).resolve().parents[3]


def hash_token(token: str) -> str:
    """As `yichuang hash-token` writes it (server.auth.hash_token)."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()
DEMO_PATH = ROOT / "config" / "demo-hall.toml"
DEMO = DEMO_PATH.read_text(encoding="utf-8")
SOURCE = "config/demo-hall.toml"

# ------------------------------------------------------------ broken variants

def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _header_line(text: str, pos: int) -> int:
    """The line of the nearest table header at or before `pos`."""
    starts = [m.start() for m in re.finditer(r"^\[", text[:pos + 1], re.M)]
    return _line(text, starts[-1])


@dataclass(frozen=True)
class Case:
    id: str
    anchor: str          # a unique string at or before the edit
    old: str             # replaced at its first occurrence after the anchor
    new: str
    field: str           # "{i}" is the index of the edited (or `subject`) table
    message: str         # a fragment of the problem's message
    at: str = "edit"     # the expected line: "edit" or "header" (of the table)
    subject: str = ""    # when the problem is reported elsewhere than the edit

    def apply(self) -> tuple[str, int]:
        assert DEMO.count(self.anchor) == 1, self.anchor
        pos = DEMO.index(self.old, DEMO.index(self.anchor))
        text = DEMO[:pos] + self.new + DEMO[pos + len(self.old):]
        if self.subject:
            pos = text.index(self.subject)
        return text, pos

    def expected(self, text: str, pos: int) -> tuple[str, int]:
        section = self.field.split("[")[0]
        index = text[:pos].count(f"[[{section}]]") - 1
        if self.at == "header":
            line = _header_line(text, pos)
        else:
            line = _line(text, pos) + len(self.new) - len(self.new.lstrip("\n"))
        return self.field.format(i=index), line


CJ, JT = 'code = "CJ-9001"', 'code = "JT-1001"'
CASES = [
    Case("unknown pool, close match", CJ, 'pool = "pickup"', 'pool = "acceptence"',
         "matters[{i}].pool", "unknown pool 'acceptence' (did you mean 'acceptance_a'?)"),
    Case("typo in a key", CJ, "service_minutes = 2", "service_minute = 2",
         "matters[{i}].service_minute",
         "unknown key 'service_minute' (did you mean 'service_minutes'?)"),
    Case("missing key after a typo", CJ, "service_minutes = 2", "service_minute = 2",
         "matters[{i}].service_minutes", "missing required key 'service_minutes'", "header"),
    Case("duplicate prefix", 'code = "pickup"\nprefix', 'prefix = "Q"', 'prefix = "A"',
         "categories[{i}].prefix", "duplicate prefix 'A' (first used by categories[0].prefix"),
    Case("duplicate matter code", 'code = "SS-0102"', 'code = "SS-0102"', 'code = "SS-0101"',
         "matters[{i}].code", "duplicate code 'SS-0101'"),
    Case("duplicate window number", "number = 14", "number = 14", "number = 13",
         "windows[{i}].number", "duplicate number 13"),
    Case("bad time", "[hours]", 'open = "08:30"', 'open = "25:00"',
         "hours.open", "'25:00' is not a time of day"),
    Case("lunch before opening", "[hours]", 'lunch_start = "12:00"', 'lunch_start = "07:00"',
         "hours.lunch_start", "07:00 must be later than open (08:30)"),
    Case("closing before lunch ends", "[hours]", 'close = "17:30"', 'close = "13:30"',
         "hours.close", "13:30 must be later than lunch_end (14:00)"),
    Case("extended hours before closing", "[hours]", 'extended_until = "19:00"',
         'extended_until = "17:00"', "hours.extended_until",
         "17:00 must be later than close (17:30)"),
    Case("weekday typo", "[hours]", '["saturday"]', '["saturdy"]',
         "hours.weekend_days[0]", "unknown weekday 'saturdy' (did you mean 'saturday'?)"),
    Case("skill weight 0", "number = 1\n", "business = 1.0", "business = 0",
         "windows[{i}].skills.business", "must be in (0, 1], got 0"),
    Case("skill weight above 1", "number = 2\n", "tax = 0.8", "tax = 1.5",
         "windows[{i}].skills.tax", "must be in (0, 1], got 1.5"),
    Case("skill keyed by an unknown category", "number = 6\n", "realty = 1.0", "realy = 1.0",
         "windows[{i}].skills.realy", "unknown category 'realy' (did you mean 'realty'?)"),
    Case("skill keyed by a prefix", "number = 6\n", "realty = 1.0", "B = 1.0",
         "windows[{i}].skills.B", "that is a ticket prefix; refer to the category by its code "
         "(did you mean 'realty'?)"),
    Case("unknown also_serves pool", "number = 11\n", '["acceptance_a"]', '["acceptance_c"]',
         "windows[{i}].also_serves[0]", "unknown pool 'acceptance_c'"),
    Case("lunch break outside hours", "number = 3\n", '"12:00-13:00"', '"07:30-08:30"',
         "windows[{i}].lunch_break", "07:30-08:30 is not inside opening hours (08:30-17:30)"),
    Case("lunch break backwards", "number = 3\n", '"12:00-13:00"', '"13:00-12:00"',
         "windows[{i}].lunch_break", "ends before it starts"),
    Case("shift outside hours", "number = 3\n", 'lunch_break = "12:00-13:00"',
         'shift = "18:00-20:00"', "windows[{i}].shift",
         "18:00-20:00 does not meet the opening hours (08:30-17:30)"),
    Case("shift backwards", "number = 3\n", 'lunch_break = "12:00-13:00"',
         'shift = "15:00-08:30"', "windows[{i}].shift", "ends before it starts"),
    Case("lunch break outside the shift", "number = 3\n", 'lunch_break = "12:00-13:00"',
         'shift = "08:30-12:30"\nlunch_break = "12:15-13:15"', "windows[{i}].lunch_break",
         "12:15-13:15 is not inside the window's shift (08:30-12:30)",
         subject='lunch_break = "12:15-13:15"'),
    Case("theme with one matter", 'code = "YJS-07"', '["SS-0102", "SC-0201", "SW-0301"]',
         '["SS-0102"]', "themes[{i}].matters", "at least 2 matters, this one has 1"),
    Case("theme with an unknown matter", 'code = "YJS-02"', '"YB-0602"', '"YB0602"',
         "themes[{i}].matters[1]", "unknown matter 'YB0602' (did you mean 'YB-0602'?)"),
    Case("theme code taken by a matter", 'code = "YJS-07"', 'code = "YJS-07"',
         'code = "SS-0102"', "themes[{i}].code", "is also a matter's code"),
    Case("unservable matter", "number = 11\n", 'also_serves = ["acceptance_a"]\n', "",
         "matters[{i}]", "no window can serve matter 'JT-1001'", "header", JT),
    Case("unknown matter category", CJ, 'category = "pickup"', 'category = "Q"',
         "matters[{i}].category", "did you mean 'pickup'?"),
    Case("wrong type", 'code = "GA-0703"', "time_limit_days = 20", 'time_limit_days = "20"',
         "matters[{i}].time_limit_days", "expected an integer, got a string ('20')"),
    Case("negative time limit", 'code = "GA-0703"', "time_limit_days = 20",
         "time_limit_days = -1", "matters[{i}].time_limit_days", "must be at least 0"),
    Case("material listed twice", 'code = "SW-0305"', '"本人身份证原件",',
         '"本人身份证原件", "本人身份证原件",', "matters[{i}].materials[1]", "listed twice"),
    Case("bad token hash", 'name = "kiosk-1"', 'token_hash = "sha256:cc77',
         'token_hash = "sha256:CC77', "credentials[{i}].token_hash",
         'expected "sha256:" and 64 lowercase hex digits'),
    Case("two credentials with one token", 'name = "clerk-02"', hash_token("demo-clerk-02"),
         hash_token("demo-clerk-01"), "credentials[{i}].token_hash",
         "the same token as credentials[4].token_hash on line "),
    Case("unknown role", 'name = "clerk-01"', 'role = "clerk"', 'role = "clark"',
         "credentials[{i}].role", "unknown role 'clark' (did you mean 'clerk'?)"),
    Case("unknown device window", 'name = "window-3-led"', "window = 3", "window = 33",
         "devices[{i}].window", "unknown window 33 (windows are numbered 1-15)"),
    Case("device url scheme", 'name = "kiosk-1-printer"', '"fake://printer/kiosk-1"',
         '"http://printer/kiosk-1"', "devices[{i}].url", "unsupported scheme 'http'"),
    Case("device kind typo", 'name = "hall-speaker"', 'kind = "speaker"', 'kind = "speeker"',
         "devices[{i}].kind", "did you mean 'speaker'?"),
    Case("timezone typo", "[hall]", '"Asia/Shanghai"', '"Asia/Shangai"',
         "hall.timezone", "unknown time zone 'Asia/Shangai' (did you mean 'Asia/Shanghai'?)"),
    Case("policy typo", "[rules]", 'policy = "balanced"', 'policy = "balance"',
         "rules.policy", "unknown policy 'balance' (did you mean 'balanced'?)"),
    Case("rules value not positive", "[rules]", "max_recalls = 3", "max_recalls = 0",
         "rules.max_recalls", "must be greater than 0, got 0"),
    Case("port out of range", "[server]", "port = 8750", "port = 87500",
         "server.port", "must be in [1, 65535]"),
    Case("boolean as a string", "[hours]", "lunchtime_service = true",
         'lunchtime_service = "yes"', "hours.lunchtime_service", "expected true or false"),
    Case("unknown table", "[server]", "[server]", "[serverr]",
         "serverr", "unknown table 'serverr' (did you mean 'server'?)"),
    Case("toml syntax error", "[hours]", 'open = "08:30"', 'open = 08:30"',
         "toml", "syntax error"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_variant(case):
    text, pos = case.apply()
    field, line = case.expected(text, pos)
    with pytest.raises(SettingsError) as caught:
        parse_settings(text, SOURCE)
    matches = [p for p in caught.value.problems if p.field == field]
    assert matches, f"no problem for {field}:\n{caught.value}"
    assert any(case.message in p.message for p in matches), str(caught.value)
    assert matches[0].line == line, str(caught.value)
    assert f"{SOURCE}:{line}: {field}: " in str(caught.value)


def test_error_text_example():
    case = CASES[0]
    text, pos = case.apply()
    field, line = case.expected(text, pos)
    with pytest.raises(SettingsError) as caught:
        parse_settings(text, SOURCE)
    assert str(caught.value) == (f"{SOURCE}:{line}: {field}: unknown pool 'acceptence' "
                                 "(did you mean 'acceptance_a'?)")
    assert isinstance(caught.value, ValueError)


def test_all_problems_are_reported_at_once():
    picked = [c for c in CASES if c.id in {
        "unknown pool, close match", "bad time", "skill weight 0", "theme with one matter",
        "bad token hash", "unknown role", "unknown table"}]
    text = DEMO
    for case in picked:
        assert text.count(case.anchor) == 1
        pos = text.index(case.old, text.index(case.anchor))
        text = text[:pos] + case.new + text[pos + len(case.old):]
    with pytest.raises(SettingsError) as caught:
        parse_settings(text, SOURCE)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems) >= len(picked)
    for case in picked:
        assert any(case.message in line for line in lines), case.id
    pattern = re.compile(rf"^{re.escape(SOURCE)}:\d+: [\w.\[\]-]+: .+$")
    assert all(pattern.match(line) for line in lines), lines
    numbers = [p.line for p in caught.value.problems]
    assert numbers == sorted(numbers)


# ------------------------------------------------------------ small halls

MINI = """\
[hall]
name = "小厅"
name_en = "Mini hall"
code = "MH"
timezone = "Asia/Shanghai"
language = "zh"

[hours]
open = "09:00"
close = "17:00"
lunch_start = "12:00"
lunch_end = "13:00"

[[categories]]
code = "business"
prefix = "A"
name = "商事登记"
name_en = "Business"

[[pools]]
code = "acceptance"
name = "综合受理"
name_en = "Acceptance"
kind = "acceptance"

[[matters]]
code = "M1"
name = "个体工商户注册登记"
name_en = "Individual business"
category = "business"
pool = "acceptance"
materials = ["身份证原件"]
time_limit_days = 0
service_minutes = 8

[[windows]]
number = 1
name = "1号窗口"
pool = "acceptance"
skills = { business = 1 }
"""


def _line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return _line(text, text.index(needle))


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(text)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_mini_hall_loads_with_defaults():
    hall = parse_settings(MINI)
    assert hall.rules.policy == "balanced" and hall.server.port == 8750
    assert hall.hours.extended_until is None and not hall.hours.lunchtime_service
    assert hall.themes == () and hall.devices == () and hall.credentials == ()
    assert hall.matter("M1").opens_case is True
    assert hall.window(1).skills == {"business": 1.0}
    assert isinstance(hall.matter("M1").service_minutes, float)
    assert isinstance(hall.pool("acceptance").kind, PoolKind)


def test_unquoted_toml_times_are_accepted():
    hall = parse_settings(MINI.replace('open = "09:00"', "open = 09:00:00"))
    assert hall.hours.open == 540


def test_table_instead_of_array_of_tables():
    text = MINI.replace("[[windows]]", "[windows]")
    assert _problems(text) == [(_line_of(text, "[windows]"), "windows",
                                "expected an array of tables: write each entry under its "
                                "own [[windows]] header, not [windows]")]


def test_missing_table():
    text = MINI.replace("[hall]", "[hal]")
    problems = _problems(text)
    assert (1, "hal", "unknown table 'hal' (did you mean 'hall'?)") in problems
    assert (None, "hall", "missing required table [hall]") in problems


def test_unknown_key_without_close_match_lists_the_known_keys():
    text = MINI.replace('language = "zh"', 'language = "zh"\nwifi = "off"')
    [(line, field, message)] = _problems(text)
    assert (line, field) == (_line_of(text, "wifi"), "hall.wifi")
    assert message.startswith("unknown key 'wifi' (known keys here: 'name', 'name_en'")


def test_window_without_skills():
    text = MINI.replace("skills = { business = 1 }", "skills = {}")
    assert _problems(text) == [(_line_of(text, "skills"), "windows[0].skills",
                                "a window needs at least one skill, or it can call nobody")]


def test_skills_in_a_sub_table_are_located():
    text = MINI.replace("skills = { business = 1 }", "[windows.skills]\nbusiness = 0")
    assert _problems(text) == [(_line_of(text, "business = 0"), "windows[0].skills.business",
                                "must be in (0, 1], got 0")]


def test_syntax_error_at_end_of_document():
    text = MINI + 'note = "unterminated'
    [(line, field, message)] = _problems(text)
    assert field == "toml" and message.startswith("syntax error:")
    assert line == MINI.count("\n") + 1


def test_empty_text():
    problems = _problems("")
    assert {f for _, f, _ in problems} >= {"hall", "hours", "categories", "matters",
                                           "pools", "windows"}


def test_load_settings_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.encode("utf-8"))
    assert load_settings(str(path)).name == "小厅"


def test_load_settings_names_the_file(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(MINI.replace('code = "MH"', 'code = "mh"'), encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(str(path))
    assert str(caught.value).startswith(f"{path}:4: hall.code: 'mh' is not valid")


def test_policy_names_match_the_allocation_policies():
    from core.allocation import POLICIES as REGISTERED
    from core.settings.loader import POLICIES
    assert set(POLICIES) == set(REGISTERED)


@pytest.mark.parametrize("old, new, field, message", [
    ('timezone = "Asia/Shanghai"', 'timezone = "Asia"', "hall.timezone", "unknown time zone"),
    ('timezone = "Asia/Shanghai"', 'timezone = "asia/shanghai"', "hall.timezone",
     "did you mean 'Asia/Shanghai'?"),
    ('service_minutes = 8', "service_minutes = nan", "matters[0].service_minutes",
     "must be a finite number"),
    ('service_minutes = 8', "service_minutes = inf", "matters[0].service_minutes",
     "must be a finite number"),
    ('skills = { business = 1 }', "skills = { business = true }", "windows[0].skills.business",
     "expected a number, got a boolean (True)"),
    ('code = "M1"', 'code = "M1\\n"', "matters[0].code", "is not a valid code"),
    ('open = "09:00"', 'open = "09:00\\n"', "hours.open", "is not a time of day"),
    ('prefix = "A"', 'prefix = "AB"', "categories[0].prefix", "one uppercase letter"),
    ('kind = "acceptance"', 'kind = "acceptence"', "pools[0].kind",
     "unknown pool kind 'acceptence' (did you mean 'acceptance'?)"),
])
def test_mini_hall_value_checks(old, new, field, message):
    text = MINI.replace(old, new)
    problems = [(f, m) for _, f, m in _problems(text)]
    assert any(f == field and message in m for f, m in problems), problems
