"""Opening hours, the holiday calendar and working days (core.opening), on the demo hall:
windows 08:30-17:30, numbers from 08:00 to 17:00, appointments and pickups until 19:00,
Saturday appointments only, the 2026 holidays and 调休 days."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from core.errors import Conflict
from core.opening import (
    APPOINTMENT_TICKET,
    PICKUP,
    WINDOW,
    check_open_for,
    day_kind,
    opening,
    working_days_after,
)
from core.settings.loader import SettingsError, parse_settings
from tests.conftest import DEMO_HALL, ZONE


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZONE)


@pytest.mark.parametrize("day, kind", [
    ("2026-11-23", "working"),        # a Monday
    ("2026-11-28", "appointment"),    # Saturday: 周六预约服务
    ("2026-11-29", "closed"),         # Sunday
    ("2026-10-01", "holiday"),        # 国庆节, a Thursday
    ("2026-10-10", "working"),        # a Saturday worked (调休)
    ("2026-09-20", "working"),        # a Sunday worked (调休)
    ("2026-02-16", "holiday"),        # 春节, a Monday
    ("2027-01-01", "holiday"),
])
def test_the_kind_of_a_day(settings, day, kind):
    assert day_kind(settings, date.fromisoformat(day)) == kind


@pytest.mark.parametrize("clock, windows, appointments, reason", [
    ("07:59", False, False, "before_opening"),
    ("08:00", True, True, ""),          # numbers before the windows open at 08:30
    ("16:59", True, True, ""),
    ("17:00", False, True, "after_cutoff"),
    ("17:30", False, True, "after_closing"),   # 延时服务: appointments and pickups
    ("19:00", False, False, "after_closing"),
])
def test_a_working_day(settings, clock, windows, appointments, reason):
    now = opening(settings, at("2026-11-23", clock))
    assert (now.windows_open, now.appointments_open, now.pickup_open, now.reason) == (
        windows, appointments, appointments, reason)
    assert now.cutoff_at == at("2026-11-23", "17:00")
    assert now.closes_at == at("2026-11-23", "17:30")
    assert now.extended_until == at("2026-11-23", "19:00")
    following = {"07:59": at("2026-11-23", "08:00")}.get(clock, at("2026-11-24", "08:00"))
    assert now.next_opening == (None if windows else following)


def test_saturday_takes_appointments_only_and_sunday_nothing(settings):
    saturday = opening(settings, at("2026-11-28", "10:00"))
    assert (saturday.windows_open, saturday.appointments_open, saturday.pickup_open) == (
        False, True, False)
    assert saturday.reason == "appointment_day"
    assert saturday.next_opening == at("2026-11-30", "08:00")
    sunday = opening(settings, at("2026-11-29", "10:00"))
    assert not (sunday.windows_open or sunday.appointments_open or sunday.pickup_open)
    assert (sunday.reason, sunday.closes_at) == ("closed_day", None)


def test_a_holiday_week_opens_again_on_the_worked_saturday(settings):
    now = opening(settings, at("2026-10-05", "10:00"))      # 国庆节
    assert (now.day_kind, now.reason, now.windows_open) == ("holiday", "holiday", False)
    assert now.next_opening == at("2026-10-08", "08:00")
    assert opening(settings, at("2026-10-10", "09:00")).windows_open      # 调休 Saturday


@pytest.mark.parametrize("when, what, code, details", [
    (("2026-11-23", "17:10"), WINDOW, "after_cutoff",
     {"cutoff": "17:00", "opens_at": "08:00", "day": "2026-11-24", "reason": "after_cutoff"}),
    (("2026-11-23", "07:30"), WINDOW, "outside_hours",
     {"opens_at": "08:00", "day": "2026-11-23", "reason": "before_opening"}),
    (("2026-11-22", "20:30"), WINDOW, "outside_hours",
     {"opens_at": "08:00", "day": "2026-11-23", "reason": "closed_day"}),
    (("2026-11-28", "10:00"), WINDOW, "outside_hours",
     {"opens_at": "08:00", "day": "2026-11-30", "reason": "appointment_day"}),
    (("2026-10-02", "10:00"), WINDOW, "holiday_closed",
     {"opens_at": "08:00", "day": "2026-10-08", "reason": "holiday"}),
    (("2026-11-23", "19:00"), APPOINTMENT_TICKET, "outside_hours",
     {"opens_at": "08:00", "day": "2026-11-24", "reason": "after_closing"}),
    (("2026-11-28", "10:00"), PICKUP, "outside_hours",
     {"opens_at": "08:00", "day": "2026-11-30", "reason": "appointment_day"}),
])
def test_refusals_name_the_reason_and_the_next_opening(settings, when, what, code, details):
    with pytest.raises(Conflict) as refused:
        check_open_for(settings, what, at(*when))
    assert refused.value.code == code
    assert refused.value.details == details


@pytest.mark.parametrize("when, what", [
    (("2026-11-23", "18:30"), APPOINTMENT_TICKET),   # extended hours
    (("2026-11-23", "18:30"), PICKUP),
    (("2026-11-28", "09:00"), APPOINTMENT_TICKET),   # Saturday appointments
    (("2026-11-23", "08:00"), WINDOW),
])
def test_what_is_open_is_not_refused(settings, when, what):
    check_open_for(settings, what, at(*when))


def test_a_hall_may_keep_its_hours_by_hand(settings):
    free = replace(settings, hours=replace(settings.hours, refuse_outside_hours=False))
    check_open_for(free, WINDOW, at("2026-11-22", "23:00"))


@pytest.mark.parametrize("start, days, due", [
    ("2026-11-23", 1, "2026-11-24"),
    ("2026-11-27", 1, "2026-11-30"),        # Friday -> Monday
    ("2026-09-30", 1, "2026-10-08"),        # across 国庆节
    ("2026-09-18", 1, "2026-09-20"),        # Friday -> the worked Sunday (调休)
    ("2026-09-30", 3, "2026-10-10"),        # 8th, 9th, then the worked Saturday
    ("2026-02-13", 1, "2026-02-14"),        # a worked Saturday before 春节
    ("2026-02-14", 1, "2026-02-24"),        # then nothing until after 春节
    ("2026-11-28", 0, "2026-11-28"),
])
def test_working_days_skip_holidays_and_count_the_worked_weekend_days(settings, start, days,
                                                                       due):
    assert working_days_after(settings, date.fromisoformat(start), days) == \
        date.fromisoformat(due)


def _with(text: str, extra: str) -> str:
    return text.replace("[hours]\n", "[hours]\n" + extra, 1)


def test_the_calendar_is_checked():
    text = DEMO_HALL.read_text(encoding="utf-8")
    broken = text.replace('"2026-01-04", "2026-02-14"', '"2026-01-03", "2026-02-31"', 1)
    broken = _with(broken, 'closed_weekdays = ["saturday"]\n').replace(
        "ticket_cutoff_minutes = 30", "ticket_cutoff_minutes = 999", 1)
    with pytest.raises(SettingsError) as error:
        parse_settings(broken, "hall.toml")
    message = str(error.value)
    assert "'2026-02-31' is not a date" in message
    assert "saturday is a weekend service day" in message
    assert "the cutoff must leave some time" in message
    spans = text.replace('"2026-01-01..2026-01-03"', '"2026-01-03..2026-01-01"', 1)
    with pytest.raises(SettingsError, match="ends before it starts"):
        parse_settings(spans)
    both = text.replace('"2026-01-04", "2026-02-14"', '"2026-01-02", "2026-02-14"', 1)
    with pytest.raises(SettingsError, match="listed as holidays too: 2026-01-02"):
        parse_settings(both)
    unknown = text.replace('"YJS-01" = 1', '"YJS-99" = 1', 1)
    with pytest.raises(SettingsError, match="'YJS-99' is no matter, theme or category"):
        parse_settings(unknown)
