"""The kiosk's pure decisions: matter search by Hanzi, pinyin and initials; pinyin
candidates; what the home screen offers; idle, corner and exit code; the [kiosk]
settings."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.kiosk_flow import (
    BOOK,
    READ_CARD,
    TYPE_AGAIN,
    CornerTaps,
    IdleWatch,
    case_number_from_scan,
    code_hash,
    home_offer,
    manager_code_matches,
    next_step,
    target_pixels,
)
from core.pinyin_input import Candidates
from core.search import SubjectSearch
from core.settings.loader import SettingsError, load_settings, parse_settings
from tests.conftest import DEMO_HALL


@pytest.fixture(scope="module")
def hall():
    return load_settings(DEMO_HALL)


@pytest.mark.parametrize("query", ["gsdj", "gongsi", "公司", "gong si bg", "GSBGDJ",
                                   "公司bg"])
def test_hanzi_full_pinyin_and_initials_find_the_matter(hall, query):
    found = SubjectSearch.of_hall(hall).search(query)
    assert hall.subject(found[0]).name == "公司变更登记" or "SS-0103" in found[:3]


def test_search_finds_themes_and_nothing_for_nonsense(hall):
    search = SubjectSearch.of_hall(hall)
    assert hall.subject(search.search("shs")[0]).name == "身后事"
    assert search.search("zzzzqqq") == [] and search.search("  ") == []


def test_pinyin_candidates_common_characters_first(hall):
    candidates = Candidates.of_hall(hall)
    assert candidates.for_letters("wang")[:2] == ["往", "王"] or "王" in \
        candidates.for_letters("wang")[:3]
    assert "西" in candidates.for_letters("xi")[:3]
    assert candidates.for_letters("hkb")[0] == "户口簿"           # the hall's own words
    assert candidates.for_letters("") == []


def test_home_offers_all_in_hours_and_the_24_hour_zone_outside():
    open_now = SimpleNamespace(windows_open=True)
    assert home_offer(open_now, False).choices[0] == "take"
    closed = SimpleNamespace(windows_open=False, appointments_open=False, pickup_open=False)
    assert home_offer(closed, False).choices == ("booking", "case_query", "self_service")
    extended = SimpleNamespace(windows_open=False, appointments_open=True, pickup_open=True)
    assert set(home_offer(extended, False).choices) == {
        "booking", "case_query", "pickup", "help", "self_service"}
    large = home_offer(open_now, True)
    assert large.choices == ("take", "booking", "pickup", "help", "more")
    assert set(large.more) == {"themes", "case_query", "requeue", "self_service"}
    assert "requeue" not in home_offer(extended, False).choices    # 过号: only while calling
    assert home_offer(None, False).windows_open                   # not heard yet: open


def test_next_steps_after_refusals():
    assert next_step("id_daily_limit") == BOOK
    assert next_step("outside_hours") == BOOK and next_step("after_cutoff") == BOOK
    assert next_step("id_card_invalid") == READ_CARD
    assert next_step("unknown_booking") == TYPE_AGAIN
    assert next_step("whatever", "not_found") == TYPE_AGAIN


def test_idle_corner_and_exit_code():
    idle = IdleWatch(60, now=0)
    assert not idle.expired(59) and idle.expired(60)
    idle.touched(50)
    assert not idle.expired(100)
    corner = CornerTaps(count=3, within=2)
    assert not corner.tap(0) and not corner.tap(5) and not corner.tap(6)
    assert corner.tap(6.5)
    assert manager_code_matches("246810", code_hash("246810"))
    assert not manager_code_matches("246811", code_hash("246810"))
    assert not manager_code_matches("", "")
    assert round(target_pixels(15, 102)) == 60


def test_case_numbers_in_scanned_text():
    assert case_number_from_scan("WH20261123-0007") == "WH20261123-0007"
    assert case_number_from_scan("http://hall/case/wh20261123-0007\n") == "WH20261123-0007"
    assert case_number_from_scan("hello") == ""


def test_kiosk_settings_are_checked():
    text = DEMO_HALL.read_text(encoding="utf-8")
    hall = parse_settings(text)
    assert hall.kiosk.printer == "kiosk-1-printer" and hall.kiosk.screen_dpi == 102
    assert manager_code_matches("246810", hall.kiosk.manager_code_hash)
    bad = text.replace('orientation = "portrait"', 'orientation = "sideways"').replace(
        'printer = "kiosk-1-printer"', 'printer = "hall-speaker"').replace(
        'languages = ["zh", "en"]', 'languages = ["en", "zh"]')
    with pytest.raises(SettingsError) as error:
        parse_settings(bad)
    message = str(error.value)
    assert "kiosk.orientation" in message and "kiosk.printer" in message
    assert "kiosk.languages" in message
