"""What the loudspeaker says: announcements from events, the sentence, the clips."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.announcements import (
    LETTERS,
    NUMBER_CLIPS,
    Announcement,
    announcement_for,
    clip_names,
    number_in_words,
    pack_clips,
    spoken_text,
    window_in_words,
)
from core.events import (
    LoggedEvent,
    ServiceStarted,
    Snapshot,
    TicketCalled,
    TicketRecalled,
)
from core.settings.voice import VoiceSettings, is_quiet

VOICE = VoiceSettings()


def logged(event_id: int, event) -> LoggedEvent:
    return LoggedEvent.encode(event_id, "2026-11-23T09:00:00+08:00", event)


def test_a_call_is_announced():
    event = TicketCalled(number="A012", window=3, window_name="综合受理3号窗", subject="m")
    assert announcement_for(logged(41, event)) == Announcement(
        41, "call", "A012", 3, "综合受理3号窗", "")


def test_a_pickup_call_carries_its_case():
    event = TicketCalled(number="Q003", window=12, window_name="出件窗口", subject="m",
                         case_number="DEMO20261123-0007")
    found = announcement_for(logged(42, event))
    assert (found.kind, found.case_number) == ("pickup", "DEMO20261123-0007")


def test_a_recall_is_announced_with_its_own_event_id():
    event = TicketRecalled(number="A012", window=3, window_name="3号窗", recalls=1)
    assert announcement_for(logged(43, event)) == Announcement(43, "recall", "A012", 3,
                                                               "3号窗")


def test_other_events_and_snapshots_say_nothing():
    assert announcement_for(logged(44, ServiceStarted(number="A012", window=3))) is None
    assert announcement_for(Snapshot(44, {})) is None
    assert announcement_for(None) is None


@pytest.mark.parametrize(("number", "words"), [
    ("A012", "A零一二"), ("B001", "B零零一"), ("Z100", "Z一零零"), ("a7", "A七"),
    ("DEMO20261123-0007", "DEMO二零二六一一二三零零零七"), ("", "")])
def test_ticket_numbers_are_said_digit_by_digit(number, words):
    assert number_in_words(number) == words


@pytest.mark.parametrize(("window", "words"), [
    (1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"),
    (99, "九十九"), (100, "一百"), (101, "一百零一"), (110, "一百一十"), (115, "一百一十五"),
    (1001, "一千零一"), (1010, "一千零一十"), (2300, "二千三百")])
def test_windows_are_said_as_numbers(window, words):
    assert window_in_words(window) == words


def test_the_default_sentences():
    call = Announcement(1, "call", "A012", 3, "3号窗")
    assert spoken_text(call, VOICE) == "请A零一二号到三号窗口办理"
    assert spoken_text(replace(call, window=12), VOICE) == "请A零一二号到十二号窗口办理"
    pickup = replace(call, kind="pickup", case_number="DEMO20261123-0007")
    assert spoken_text(pickup, VOICE) == "请A零一二号到三号窗口取件"
    recall = replace(call, kind="recall")
    assert spoken_text(recall, VOICE) == "再次呼叫，请A零一二号到三号窗口"


def test_a_template_may_say_the_window_name_and_the_case():
    voice = replace(VOICE, template="请{number}号到{window_name}",
                    pickup_template="请{number}号取件，办件编号{case_number}")
    call = Announcement(1, "call", "A012", 3, "综合受理窗口")
    assert spoken_text(call, voice) == "请A零一二号到综合受理窗口"
    assert clip_names(call, voice) == ["请", "A", "零", "一", "二", "号到", "综合受理窗口"]
    pickup = Announcement(2, "pickup", "Q003", 12, "出件", "YC0012")
    assert spoken_text(pickup, voice) == "请Q零零三号取件，办件编号YC零零一二"
    assert clip_names(pickup, voice)[-7:] == ["办件编号", "Y", "C", "零", "零", "一", "二"]


def test_clips_cut_the_sentence_at_what_is_said():
    call = Announcement(1, "call", "A012", 12, "")
    assert clip_names(call, VOICE) == ["请", "A", "零", "一", "二", "号到", "十", "二",
                                       "号窗口办理"]
    recall = replace(call, kind="recall", window=101)
    assert clip_names(recall, VOICE) == ["再次呼叫", "请", "A", "零", "一", "二", "号到",
                                         "一", "百", "零", "一", "号窗口"]


@given(kind=st.sampled_from(["call", "recall", "pickup"]),
       letter=st.sampled_from(LETTERS), digits=st.integers(0, 999),
       window=st.integers(1, 9999))
def test_the_clips_say_the_sentence_and_a_pack_holds_them_all(kind, letter, digits, window):
    announcement = Announcement(7, kind, f"{letter}{digits:03d}", window, "")
    clips = clip_names(announcement, VOICE)
    assert "".join(clips) == re.sub(r"[\W_]+", "", spoken_text(announcement, VOICE))
    assert set(clips) <= set(pack_clips(VOICE))


def test_a_pack_needs_digits_units_letters_phrases_and_names_when_said():
    clips = pack_clips(VOICE, window_names=("综合受理窗口",))
    assert set(NUMBER_CLIPS) | set(LETTERS) <= set(clips)
    assert {"请", "号到", "号窗口办理", "号窗口取件", "再次呼叫", "号窗口"} <= set(clips)
    assert "综合受理窗口" not in clips        # no template says {window_name}
    named = replace(VOICE, template="请{number}号到{window_name}")
    assert "综合受理窗口" in pack_clips(named, window_names=("综合受理窗口",))
    assert len(clips) == len(set(clips))


@pytest.mark.parametrize(("hours", "minute", "quiet"), [
    (None, 23 * 60, False), ((22 * 60, 7 * 60), 23 * 60, True),
    ((22 * 60, 7 * 60), 6 * 60 + 59, True), ((22 * 60, 7 * 60), 7 * 60, False),
    ((22 * 60, 7 * 60), 12 * 60, False), ((12 * 60, 13 * 60), 12 * 60 + 30, True),
    ((12 * 60, 13 * 60), 13 * 60, False), ((12 * 60, 13 * 60), 11 * 60, False)])
def test_quiet_hours_may_pass_midnight(hours, minute, quiet):
    assert is_quiet(replace(VOICE, quiet_hours=hours), minute) is quiet
