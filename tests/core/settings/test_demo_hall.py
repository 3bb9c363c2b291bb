"""The hall configuration: the demo hall loads with everything it promises.

How mistakes are reported is tested in test_settings_errors.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings.loader import load_settings, parse_settings, parse_time
from core.settings.schema import HallSettings, PoolKind

ROOT = Path(__file__).resolve().parents[3]
DEMO_PATH = ROOT / "config" / "demo-hall.toml"
DEMO = DEMO_PATH.read_text(encoding="utf-8")
SOURCE = "config/demo-hall.toml"



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
    assert demo.server.synchronous == "FULL"


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
    merged = [need.id for need in demo.checklist(theme.code)]
    every = [need.id for m in matters for need in demo.checklist(m.code)]
    assert len(merged) == len(set(merged))                  # each material once
    produced = {m.id for m in demo.materials if set(m.produced_by) & set(theme.matters)}
    assert merged == [i for i in dict.fromkeys(every) if i not in produced]  # in order


def test_after_a_death_the_certificate_is_asked_for_once(demo):
    """身后事: five matters need the death certificate (under three names before
    materials had identities); the citizen is told once, in the widest form."""
    theme = next(t for t in demo.themes if t.name == "身后事")
    labels = demo.material_labels(theme.code)
    assert sum("死亡" in label and "证明" in label for label in labels) == 1
    assert "居民死亡医学证明（推断）书（原件及复印件1份）" in labels
    needing = [c for c in theme.matters
               if "death_certificate" in {n.id for n in demo.checklist(c)}]
    assert len(needing) == 5


def test_a_theme_does_not_ask_for_what_it_produces(demo):
    """开办企业 issues the business licence and the tax UKey: a founder brings neither;
    a single matter that needs the licence still asks for it."""
    starting = next(t for t in demo.themes if t.name == "开办企业")
    ids = {need.id for need in demo.checklist(starting.code)}
    assert "business_licence" not in ids and "tax_ukey" not in ids
    assert "business_licence" in {n.id for n in demo.checklist("SS-0106")}
    closing = next(t for t in demo.themes if t.name == "企业注销")
    assert "tax_clearance_certificate" not in {n.id for n in demo.checklist(closing.code)}
    assert "tax_clearance_certificate" in {n.id for n in demo.checklist("SS-0104")}


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
    kiosk_printers = [d for d in demo.devices if d.kind == "printer" and d.window is None]
    assert len(kiosk_printers) == 2
    slip_printers = {d.window for d in demo.devices if d.kind == "printer" and d.window}
    pickup = {w.number for w in demo.windows if w.pool == "pickup"}
    assert slip_printers == {w.number for w in demo.windows} - pickup, \
        "every window that accepts cases prints its acceptance slip"


# ------------------------------------------------------------ times

@given(st.integers(0, 23), st.integers(0, 59))
def test_parse_time_round_trip(hour, minute):
    assert parse_time(f"{hour:02d}:{minute:02d}") == hour * 60 + minute


@pytest.mark.parametrize("bad", ["24:00", "8:30", "08:60", "08.30", "0830", " 08:30", ""])
def test_parse_time_rejects(bad):
    assert parse_time(bad) is None
