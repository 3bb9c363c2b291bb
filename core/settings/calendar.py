"""The hall's calendar and its booking rules: the `[calendar]` and `[booking]` tables.

`[calendar]` lists the days the law decides: public holidays (法定节假日, closed) and
the 调休 working days (a Saturday or Sunday worked in exchange, open as a weekday).
`[booking]` says how appointments (预约) are booked: how far ahead, how long a slot
is, how many people a slot takes for each matter, and how many bookings one ID
card may hold. The rules that read them are in `core.opening` and `core.bookings`.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from core.settings.checks import Path, Report
from core.settings.values import (
    BAD,
    Key,
    _defaults,
    _expect,
    code,
    non_negative_int,
    positive_int,
)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[datetime.date] = frozenset()      # closed all day
    working_days: frozenset[datetime.date] = frozenset()  # 调休: open like a weekday


@dataclass(frozen=True)
class BookingSettings:
    days_ahead: int = 7                  # the last bookable day: today + days_ahead
    slot_minutes: int = 30
    capacity: int = 2                    # places per slot for a matter, by default
    # per matter, theme or category code: places per slot (0: not bookable)
    capacities: tuple[tuple[str, int], ...] = ()
    bookings_per_id_per_day: int = 1     # active bookings one ID card holds for a day
    open_bookings_per_id: int = 3        # bookings one ID card holds at once, all days
    # every public booking request counts; an unknown code counts tenfold (guessing)
    requests_per_address_per_minute: int = 30

    def capacity_of(self, subject: str, category: str) -> int:
        """Places per slot: the subject's own, else its category's, else the default."""
        places = dict(self.capacities)
        if subject in places:
            return places[subject]
        return places.get(category, self.capacity)


# ------------------------------------------------------------------ reading

def _one_day(report: Report, path: Path, value: Any) -> Any:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value                      # an unquoted TOML date, 2026-10-01
    if not _expect(report, path, value, (str,), 'a date "YYYY-MM-DD"'):
        return BAD
    try:
        if _DAY.fullmatch(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    report.add(path, f"{value!r} is not a date: expected \"YYYY-MM-DD\"")
    return BAD


def days(report: Report, path: Path, value: Any) -> Any:
    """An array of dates ("2026-10-01") and spans of dates ("2026-10-01..2026-10-07")."""
    if not _expect(report, path, value, (list,), "an array of dates"):
        return BAD
    found: set[datetime.date] = set()
    good = True
    for i, item in enumerate(value):
        if isinstance(item, str) and ".." in item:
            first, _, last = item.partition("..")
            start, end = _one_day(report, path + (i,), first), _one_day(report, path + (i,), last)
            if BAD in (start, end):
                good = False
            elif end < start:
                report.add(path + (i,), f"{item!r} ends before it starts")
                good = False
            else:
                found.update(start + datetime.timedelta(days=n)
                             for n in range((end - start).days + 1))
            continue
        one = _one_day(report, path + (i,), item)
        if one is BAD:
            good = False
        else:
            found.add(one)
    return frozenset(found) if good else BAD


def capacities(report: Report, path: Path, value: Any) -> Any:
    if not _expect(report, path, value, (dict,), "a table of matter or category code = "
                                                 "places per slot"):
        return BAD
    out = {}
    for key, places in value.items():
        if code(report, path + (key,), key) is BAD:
            continue
        converted = non_negative_int(report, path + (key,), places)
        if converted is not BAD:
            out[key] = converted
    return tuple(out.items()) if len(out) == len(value) else BAD


CALENDAR_SCHEMA = {"holidays": Key(days, frozenset()), "working_days": Key(days, frozenset())}
BOOKING_SCHEMA = _defaults(BookingSettings, {
    "days_ahead": positive_int, "slot_minutes": positive_int, "capacity": non_negative_int,
    "capacities": capacities, "bookings_per_id_per_day": positive_int,
    "open_bookings_per_id": positive_int, "requests_per_address_per_minute": positive_int})


def check_calendar(report: Report, data: dict) -> None:
    """A day is not both a holiday and a 调休 working day; a weekday is not both closed
    and a weekend service day; the cutoff leaves an open day; a capacity names a
    matter, a theme or a category; a slot fits in a day."""
    calendar = data.get("calendar") or {}
    both = set(calendar.get("holidays", ())) & set(calendar.get("working_days", ()))
    if both:
        report.add(("calendar", "working_days"), "listed as holidays too: "
                   + ", ".join(sorted(d.isoformat() for d in both)))
    hours = data.get("hours") or {}
    for day in set(hours.get("closed_weekdays") or ()) & set(hours.get("weekend_days", ())):
        report.add(("hours", "closed_weekdays"), f"{day} is a weekend service day "
                   "(weekend_days): it cannot be closed too")
    if "open" in hours and "close" in hours and (
            hours.get("ticket_cutoff_minutes", 0) >= hours["close"] - hours["open"]):
        report.add(("hours", "ticket_cutoff_minutes"), "the cutoff must leave some time "
                   "between opening and closing")
    if "open" in hours and hours.get("tickets_before_open_minutes", 0) > hours["open"]:
        report.add(("hours", "tickets_before_open_minutes"), "numbers cannot start before "
                   "midnight")
    booking = data.get("booking") or {}
    known = {item.get("code") for section in ("matters", "themes", "categories")
             for item in data.get(section) or ()}
    for key, _places in booking.get("capacities", ()):
        if key not in known:
            report.add(("booking", "capacities", key),
                       f"{key!r} is no matter, theme or category of this hall")
    if booking.get("slot_minutes", 0) > 24 * 60:
        report.add(("booking", "slot_minutes"), "a slot must fit in a day (at most 1440)")


def build_calendar(raw: dict) -> Calendar:
    return Calendar(**raw)


def build_booking(raw: dict) -> BookingSettings:
    return BookingSettings(**raw)
