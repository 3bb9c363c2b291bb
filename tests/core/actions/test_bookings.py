"""Appointments (预约), pure: book, capacity and per-ID limits, change, cancel, check in by
code or by ID card inside the check-in window; no booking, no appointment priority.
The demo hall: 30-minute slots from 08:30 to 19:00, SS-0101 4 places, others 2."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.actions.bookings import (
    BookingRequest,
    CheckInRequest,
    book,
    cancel_booking,
    change_booking,
    check_in_booking,
)
from core.actions.tickets import start_day
from core.bookings import BookingState, code_from_scan, slot_times, slots_of
from core.errors import Conflict, HallError, Invalid, NotFound
from tests.core.actions.helpers import NOW, at, take

TUESDAY = date(2026, 11, 24)
_codes = iter(range(10**6))


def code() -> str:
    return f"TEST{next(_codes):04d}"          # the server draws real ones


def booked(hall, subject="SS-0102", day=TUESDAY, start="09:00", card="card-a",
           now=NOW) -> str:
    hours, minutes = map(int, start.split(":"))
    request = BookingRequest(subject, day, hours * 60 + minutes, code(), card)
    events = book(hall, request, now)
    assert [e.type for e in events] == ["BookingMade"]
    return request.code


def refusal(action) -> HallError:
    with pytest.raises(HallError) as refused:
        action()
    return refused.value


def test_a_booking_holds_a_place_and_is_written(hall):
    mine = booked(hall, start="10:00")
    booking = hall.bookings[mine]
    assert (booking.subject, booking.day, booking.start, booking.end, booking.state) == (
        "SS-0102", TUESDAY, 600, 630, BookingState.BOOKED)
    assert hall.changes.rows[("bookings", mine)]["id_card_hash"] == "card-a"
    left = {s.start: s.left for s in slots_of(hall.settings, hall.bookings.values(),
                                              "SS-0102", TUESDAY, NOW)}
    assert left[600] == 1 and left[630] == 2


def test_a_full_slot_refuses(hall):
    booked(hall, card="card-a")
    booked(hall, card="card-b")
    refused = refusal(lambda: booked(hall, card="card-c"))
    assert (refused.code, refused.details) == ("slot_full", {"day": "2026-11-24",
                                                             "start": "09:00"})
    assert booked(hall, subject="SS-0101", card="card-c")     # SS-0101 takes 4 a slot


@pytest.mark.parametrize("day, start, code_", [
    (TUESDAY, "09:10", "no_such_slot"),                    # not a slot's start
    (TUESDAY, "18:30", None),                              # extended hours: bookable
    (TUESDAY, "19:00", "no_such_slot"),                    # would end after 19:00
    (date(2026, 11, 23), "08:30", "no_such_slot"),         # today's slot has begun
    (date(2026, 11, 23), "10:00", None),                   # today's later slot
    (date(2026, 11, 29), "09:00", "booking_day_unavailable"),   # Sunday: closed
    (date(2026, 12, 1), "09:00", "booking_day_unavailable"),    # past 7 days ahead
    (date(2026, 11, 28), "09:00", None),                   # Saturday appointment day
    (date(2026, 11, 28), "17:30", "no_such_slot"),         # ... until 17:30 only
])
def test_which_slots_exist(hall, day, start, code_):
    if code_ is None:
        assert booked(hall, day=day, start=start)
    else:
        assert refusal(lambda: booked(hall, day=day, start=start)).code == code_


def test_no_slots_on_holidays(settings):
    assert slot_times(settings, date(2026, 10, 1)) == []
    assert len(slot_times(settings, TUESDAY)) == 21       # 08:30 ... 18:30


def test_a_pickup_or_an_unknown_matter_cannot_be_booked(hall):
    assert isinstance(refusal(lambda: booked(hall, subject="NOPE")), NotFound)
    pickup = next(m.code for m in hall.settings.matters if m.pool == "pickup")
    assert refusal(lambda: booked(hall, subject=pickup)).code == "not_bookable"


def test_a_booking_needs_the_id_card(hall):
    request = BookingRequest("SS-0102", TUESDAY, 540, code(), "")
    assert refusal(lambda: book(hall, request, NOW)).code == "booking_id_card_required"


def test_one_booking_per_card_and_day_and_three_open(hall):
    booked(hall, start="09:00")
    refused = refusal(lambda: booked(hall, subject="SS-0101", start="11:00"))
    assert (refused.code, refused.details["limit"]) == ("booking_daily_limit", 1)
    booked(hall, day=TUESDAY + timedelta(days=1))
    booked(hall, day=TUESDAY + timedelta(days=2))
    refused = refusal(lambda: booked(hall, day=TUESDAY + timedelta(days=3)))
    assert (refused.code, refused.details) == ("booking_open_limit", {"limit": 3})
    assert booked(hall, day=TUESDAY + timedelta(days=3), card="card-b")   # another person


def test_cancel_frees_the_place_and_cannot_be_done_twice(hall):
    mine = booked(hall)
    booked(hall, card="card-b")
    events = cancel_booking(hall, mine, NOW)
    assert [e.type for e in events] == ["BookingCancelled"] and events[0].by == "citizen"
    assert hall.bookings[mine].state is BookingState.CANCELLED
    assert booked(hall, card="card-c")                     # the place is free again
    assert refusal(lambda: cancel_booking(hall, mine, NOW)).code == "booking_not_active"
    assert refusal(lambda: cancel_booking(hall, "NOSUCHCD", NOW)).code == "unknown_booking"


def test_change_moves_the_booking_and_keeps_its_code_and_card(hall):
    mine = booked(hall, start="09:00")
    booked(hall, start="10:00", card="card-b")
    booked(hall, start="10:00", card="card-c")
    assert refusal(lambda: change_booking(hall, mine, TUESDAY, 600, NOW)).code == "slot_full"
    events = change_booking(hall, mine, TUESDAY + timedelta(days=1), 630, NOW)
    assert (events[0].previous_day, events[0].previous_start, events[0].start) == (
        "2026-11-24", "09:00", "10:30")
    booking = hall.bookings[mine]
    assert (booking.day, booking.start, booking.id_card_hash) == (
        TUESDAY + timedelta(days=1), 630, "card-a")
    # moving within its own day does not count against the card's one a day
    change_booking(hall, mine, TUESDAY + timedelta(days=1), 660, NOW)


def check_in(hall, now, **fields):
    return check_in_booking(hall, CheckInRequest(phone_token=f"t-{next(_codes)}", **fields), now)


def test_check_in_by_code_issues_the_appointment_ticket(hall):
    mine = booked(hall, day=NOW.date(), start="10:00")
    events = check_in(hall, at(minutes=30), code=mine.lower())       # 09:30 for 10:00
    assert [e.type for e in events] == ["TicketIssued", "BookingCheckedIn"]
    ticket = hall.tickets[events[0].number]
    assert (ticket.priority.value, ticket.origin.value) == ("appointment", "appointment")
    assert ticket.appointment_slot == at(hours=1)
    assert (hall.bookings[mine].state, hall.bookings[mine].ticket) == (
        BookingState.CHECKED_IN, ticket.number)
    refused = refusal(lambda: check_in(hall, at(minutes=31), code=mine))
    assert (refused.code, refused.details) == ("booking_checked_in", {"number": ticket.number})


@pytest.mark.parametrize("minutes_after_nine, code_", [
    (-1, "appointment_too_early"),     # 08:59: more than 120 minutes before 11:00
    (0, None), (150, None),            # 09:00 ... 11:30
    (151, "appointment_missed"),       # 11:31
])
def test_check_in_follows_the_check_in_window(hall, minutes_after_nine, code_):
    mine = booked(hall, day=NOW.date(), start="11:00")
    now = at(minutes=minutes_after_nine)
    if code_ is None:
        assert check_in(hall, now, code=mine)
    else:
        assert refusal(lambda: check_in(hall, now, code=mine)).code == code_
        assert hall.bookings[mine].state is BookingState.BOOKED


def test_a_booking_for_another_day_is_not_checked_in_today(hall):
    mine = booked(hall)
    assert refusal(lambda: check_in(hall, NOW, code=mine)).code == "appointment_other_day"


def test_check_in_by_id_card_finds_today_s_booking(hall):
    booked(hall, day=NOW.date(), start="10:00", card="card-a")
    booked(hall, day=TUESDAY, card="card-b")
    events = check_in(hall, NOW, booking_hash="card-a", id_card_hash="day-digest-a")
    ticket = hall.tickets[events[0].number]
    assert ticket.id_card_hash == "day-digest-a" and ticket.priority.value == "appointment"
    refused = refusal(lambda: check_in(hall, NOW, booking_hash="card-b"))
    assert refused.code == "no_booking_today"            # card-b's is tomorrow
    assert isinstance(refusal(lambda: check_in(hall, NOW)), Invalid)


def test_no_booking_no_appointment_priority(hall):
    assert refusal(lambda: check_in(hall, NOW, code="ZZZZZZZZ")).code == "unknown_booking"
    assert hall.tickets == {}
    number = take(hall, "SS-0102")
    assert hall.tickets[number].priority.value == "normal"


def test_a_new_day_marks_yesterday_s_bookings_missed_and_forgets_their_cards(hall):
    kept = booked(hall, day=TUESDAY + timedelta(days=1))
    gone = booked(hall, day=NOW.date(), start="16:00", card="card-b")
    hall.take_changes()
    start_day(hall, "2026-11-24", at(days=1))
    assert gone not in hall.bookings and kept in hall.bookings
    row = hall.changes.rows[("bookings", gone)]
    assert (row["state"], row["id_card_hash"]) == ("missed", "")


@pytest.mark.parametrize("read, found", [
    ("K7M2P9QX", "K7M2P9QX"), (" k7m2-p9qx ", "K7M2P9QX"),
    ("http://127.0.0.1:8750/book/K7M2P9QX", "K7M2P9QX"),
    ("https://hall.example.cn/book/K7M2P9QX?lang=en", "K7M2P9QX"),
    ("K7M2P9Q0", ""),          # 0 is not in the alphabet
    ("K7M2", ""), ("http://127.0.0.1:8750/t/abc", ""), ("", ""),
])
def test_a_code_is_read_from_what_was_typed_or_scanned(read, found):
    assert code_from_scan(read) == found


def test_booking_refusals_are_conflicts_not_crashes(hall):
    assert isinstance(refusal(lambda: booked(hall, start="09:10")), Conflict)
