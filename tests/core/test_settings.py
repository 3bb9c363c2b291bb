"""The hall configuration: the demo hall loads, and every mistake is named well.

Broken variants are made by editing the demo text; each case names the exact
field path, the line (found independently here, from the edit's position) and
a fragment of the message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import HallSettings, PoolKind
from core.settings_loader import (
    SettingsError,
    hash_token,
    load_settings,
    parse_settings,
    parse_time,
    token_matches,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_PATH = ROOT / "config" / "demo-hall.toml"
DEMO = DEMO_PATH.read_text(encoding="utf-8")
SOURCE = "config/demo-hall.toml"

DEMO_TOKENS = {
    "kiosk-1": ("kiosk", "demo-kiosk-1"),
    "kiosk-2": ("kiosk", "demo-kiosk-2"),
    "hall-display": ("display", "demo-display"),
    "manager": ("manager", "demo-manager"),
    **{f"clerk-{i:02d}": ("clerk", f"demo-clerk-{i:02d}") for i in range(1, 16)},
}


@pytest.fixture(scope="module")
def demo() -> HallSettings:
    return parse_settings(DEMO, SOURCE)


def servable(hall: HallSettings, pool: str, category: str) -> bool:
    return any(pool in (w.pool, *w.also_serves) and category in w.skills
               for w in hall.windows)


# ------------------------------------------------------------ the demo hall

def test_demo_hall_identity_hours_rules_server(demo):
    assert (demo.name, demo.code, demo.timezone, demo.language) == (
        "渭华区政务服务中心", "WH", "Asia/Shanghai", "zh")
    assert demo.name_en.startswith("Weihua")
    h = demo.hours
    assert (h.open, h.lunch_start, h.lunch_end, h.close) == (510, 720, 840, 1050)
    assert h.lunchtime_service and h.extended_until == 19 * 60
    assert h.weekend_days == ("saturday",)
    assert demo.rules.policy == "balanced"
    assert (demo.server.host, demo.server.port, demo.server.database) == (
        "127.0.0.1", 8750, "var/hall.db")
    assert demo.server.synchronous == "NORMAL"


def test_load_settings_reads_the_file():
    assert load_settings(str(DEMO_PATH)) == parse_settings(DEMO)


@pytest.mark.parametrize("code, prefix, name", [
    ("business", "A", "商事登记"), ("realty", "B", "不动产登记"), ("social", "C", "社保医保"),
    ("police", "D", "公安户政"), ("construction", "E", "工程建设"), ("tax", "F", "税务"),
    ("theme", "T", "一件事综合"), ("pickup", "Q", "出件"),
])
def test_demo_categories(demo, code, prefix, name):
    category = demo.category(code)
    assert (category.prefix, category.name) == (prefix, name)
    assert category.name_en


def test_demo_counts_and_uniqueness(demo):
    assert len(demo.categories) >= 8 and len(demo.matters) >= 40
    assert len(demo.themes) >= 6 and len(demo.windows) >= 12
    prefixes = [c.prefix for c in demo.categories]
    assert len(set(prefixes)) == len(prefixes)
    assert all(re.fullmatch(r"[A-Z]", p) for p in prefixes)
    assert {p.kind for p in demo.pools} == set(PoolKind)
    assert sum(p.kind is PoolKind.ACCEPTANCE for p in demo.pools) == 2


def test_demo_matters_are_realistic(demo):
    for matter in demo.matters:
        assert matter.materials and matter.name_en and re.search(r"[\u4e00-\u9fff]", matter.name)
        assert 1 <= matter.service_minutes <= 40
    on_the_spot = [m for m in demo.matters if m.time_limit_days == 0 and not m.opens_case]
    assert len(on_the_spot) >= 15                                 # 即办件
    assert sum(m.opens_case for m in demo.matters) >= 15          # 受审分离
    pickups = [m for m in demo.matters if demo.pool(m.pool).kind is PoolKind.PICKUP]
    assert pickups and all(m.service_minutes <= 3 and not m.opens_case for m in pickups)
    names = {m.name for m in demo.matters}
    assert {"有限责任公司设立登记", "个体工商户注册登记", "抵押权首次登记", "居民身份证换领",
            "城乡居民养老保险参保登记", "发票申领", "建设工程规划许可证核发"} <= names


@pytest.mark.parametrize("name", [
    "开办企业", "出生一件事", "身后事", "开办药店", "二手房转移登记及水电气过户", "企业注销",
])
def test_demo_themes(demo, name):
    theme = next(t for t in demo.themes if t.name == name)
    matters = [demo.matter(code) for code in theme.matters]
    assert len(matters) >= 2
    assert len({m.category for m in matters}) >= 2          # across departments
    assert demo.category(theme.category).name == "一件事综合"
    assert demo.pool(theme.pool).kind is PoolKind.ACCEPTANCE
    merged = demo.theme_materials(theme.code)
    every = [x for m in matters for x in m.materials]
    assert len(merged) == len(set(every))                   # de-duplicated
    assert list(merged) == list(dict.fromkeys(every))       # in first-seen order


def test_theme_checklist_drops_repeated_materials(demo):
    theme = next(t for t in demo.themes if t.name == "开办企业")
    merged = demo.theme_materials(theme.code)
    assert merged.count("营业执照副本复印件") == 1
    assert len(merged) < sum(len(demo.matter(c).materials) for c in theme.matters)


def test_every_matter_and_theme_is_servable(demo):
    for item in (*demo.matters, *demo.themes):
        assert servable(demo, item.pool, item.category), item.code


def test_demo_windows(demo):
    for window in demo.windows:
        assert window.name.startswith(f"{window.number}号窗口")
        assert all(0 < w <= 1 for w in window.skills.values())
    kinds = {demo.pool(w.pool).kind for w in demo.windows}
    assert kinds == set(PoolKind)
    coordination = [w for w in demo.windows if w.pool == "coordination"]
    assert coordination and all(w.skills.get("construction") == 1.0 for w in coordination)
    assert sum(len(w.skills) >= 3 for w in demo.windows) >= 8   # comprehensive windows


def test_half_the_windows_stay_open_at_lunch(demo):
    for minute in range(demo.hours.lunch_start, demo.hours.lunch_end):
        away = [w for w in demo.windows if w.lunch_break
                and w.lunch_break[0] <= minute < w.lunch_break[1]]
        assert len(away) <= len(demo.windows) / 2 + 0.5, minute
    for pool in demo.pools:
        windows = [w for w in demo.windows if w.pool == pool.code]
        if len(windows) > 1:
            assert len({w.lunch_break for w in windows}) > 1, pool.code


def test_demo_devices(demo):
    by_window = {}
    for device in demo.devices:
        by_window.setdefault(device.window, set()).add(device.kind)
        assert device.url.split("://")[0] in {"fake", "loop", "file"}
    for window in demo.windows:
        assert {"led", "keypad", "rating_pad"} <= by_window[window.number]
    assert sum(d.kind == "printer" for d in demo.devices) == 2


def test_demo_credentials_and_tokens(demo):
    creds = {c.name: c for c in demo.credentials}
    roles = [c.role for c in demo.credentials]
    assert roles.count("kiosk") == 2 and roles.count("display") == 1
    assert roles.count("manager") == 1 and roles.count("clerk") >= 12
    assert all(c.display_name for c in demo.credentials if c.role == "clerk")
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name, (role, token) in DEMO_TOKENS.items():
        assert creds[name].role == role
        assert creds[name].token_hash == hash_token(token)
        assert token_matches(token, creds[name].token_hash)
        assert f"`{token}`" in docs, f"docs/configuration.md does not list {token}"


# ------------------------------------------------------------ tokens, times

def test_hash_token():
    assert hash_token("demo-manager") == (
        "sha256:ae4a180a148c6fa73b885f1715c71b54f9f41980b20a0b3223cbac19b1b172ec")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", hash_token("长的随机令牌"))
    assert not token_matches("demo-manager", hash_token("demo-clerk-01"))
    assert not token_matches("", hash_token("x"))
    with pytest.raises(ValueError):
        hash_token("")


@given(st.integers(0, 23), st.integers(0, 59))
def test_parse_time_round_trip(hour, minute):
    assert parse_time(f"{hour:02d}:{minute:02d}") == hour * 60 + minute


@pytest.mark.parametrize("bad", ["24:00", "8:30", "08:60", "08.30", "0830", " 08:30", ""])
def test_parse_time_rejects(bad):
    assert parse_time(bad) is None


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
    Case("green pool without a green code", 'code = "green"\nname', 'code = "green"',
         'code = "priority"', "pools[{i}].code", "must start with 'green'"),
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
    from core.settings_loader import POLICIES
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


def test_token_matches_survives_odd_hashes():
    assert not token_matches("demo-manager", "sha256:非十六进制")
    assert not token_matches("demo-manager", None)
