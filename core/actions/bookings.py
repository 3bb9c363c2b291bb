"""Appointments (预约): book a slot, cancel or change it, and check in at a kiosk.

Bookings live across days in `hall.bookings` (today's and later ones, by code);
each change is written as a row of the `bookings` table (`hall.record_row`). The
check-in issues the appointment ticket through `issue_ticket` (its check-in window:
`rules.appointment_check_in_opens_minutes` before the slot to
`..._closes_minutes` after it, and the extended hours); without a booking there is
no appointment priority.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.actions.tickets import TicketRequest, issue_ticket, subject_of
from core.bookings import (
    TABLE,
    Booking,
    BookingState,
    bookable,
    bookable_days,
    expire_bookings,  # noqa: F401  (a new day's, run by start_day)
    hhmm,
    normal_code,
    slots_of,
)
from core.errors import Conflict, Invalid, NotFound
from core.events import (
    BookingCancelled,
    BookingChanged,
    BookingCheckedIn,
    BookingMade,
    Event,
    TicketIssued,
)
from core.hall import Hall
from core.tickets import Origin


@dataclass(frozen=True)
class BookingRequest:
    subject: str
    day: date
    start: int                 # the slot's start, minutes after midnight
    code: str                  # drawn by the server (HallService.new_booking_code)
    id_card_hash: str          # the server's booking digest of the ID card


@dataclass(frozen=True)
class CheckInRequest:
    """At a kiosk: a booking code (typed or scanned), or an ID card, or both."""

    phone_token: str
    code: str = ""
    booking_hash: str = ""     # the card's booking digest: finds today's booking
    id_card_hash: str = ""     # the card's daily digest: the ticket's (防黄牛)
    age: int | None = None
    id_card_read: bool = False


def book(hall: Hall, request: BookingRequest, now: datetime) -> list[Event]:
    subject = subject_of(hall, request.subject)
    if not bookable(hall.settings, subject.code):
        raise Invalid(f"{subject.name} cannot be booked", subject=subject.code,
                      code="not_bookable")
    if not request.id_card_hash:
        raise Invalid("a booking needs the ID card number", field="id_card",
                      code="booking_id_card_required", subject=subject.code)
    end = _free_slot(hall, subject.code, request.day, request.start, now)
    _within_limits(hall, request.id_card_hash, request.day)
    if request.code in hall.bookings:
        raise Conflict("this booking code is taken; try again", code="conflict")
    booking = Booking(code=request.code, subject=subject.code, day=request.day,
                      start=request.start, end=end, state=BookingState.BOOKED,
                      id_card_hash=request.id_card_hash, created_at=now)
    hall.bookings[booking.code] = booking
    _record(hall, booking)
    return [BookingMade(subject=booking.subject, day=booking.day.isoformat(),
                        start=hhmm(booking.start), end=hhmm(booking.end))]


def cancel_booking(hall: Hall, code: str, now: datetime, by: str = "citizen") -> list[Event]:
    booking = _active(hall, code)
    booking.state = BookingState.CANCELLED
    _record(hall, booking)
    return [BookingCancelled(subject=booking.subject, day=booking.day.isoformat(),
                             start=hhmm(booking.start), by=by)]


def change_booking(hall: Hall, code: str, day: date, start: int,
                   now: datetime) -> list[Event]:
    """Another slot (of any bookable day) for the same matter and ID card."""
    booking = _active(hall, code)
    end = _free_slot(hall, booking.subject, day, start, now, leaving=booking.code)
    _within_limits(hall, booking.id_card_hash, day, leaving=booking.code)
    previous_day, previous_start = booking.day, booking.start
    booking.day, booking.start, booking.end = day, start, end
    _record(hall, booking)
    return [BookingChanged(subject=booking.subject, day=day.isoformat(), start=hhmm(start),
                           previous_day=previous_day.isoformat(),
                           previous_start=hhmm(previous_start))]


def check_in_booking(hall: Hall, request: CheckInRequest, now: datetime) -> list[Event]:
    """Issue the appointment ticket of a booking found by its code or by the ID card."""
    booking = _booking_to_check_in(hall, request, now)
    ticket_request = TicketRequest(
        subject=booking.subject, phone_token=request.phone_token, origin=Origin.APPOINTMENT,
        id_card_hash=request.id_card_hash, age=request.age,
        appointment_slot=booking.slot_at(now), id_card_read=request.id_card_read)
    events = issue_ticket(hall, ticket_request, now)
    number = next(e.number for e in events if isinstance(e, TicketIssued))
    booking.state, booking.ticket = BookingState.CHECKED_IN, number
    _record(hall, booking)
    return events + [BookingCheckedIn(subject=booking.subject, day=booking.day.isoformat(),
                                      start=hhmm(booking.start), number=number)]


def find_booking(hall: Hall, code: str) -> Booking:
    booking = hall.bookings.get(normal_code(code))
    if booking is None:
        raise NotFound("no booking with this code (for today or later)",
                       code="unknown_booking")
    return booking


# --- the rules ----------------------------------------------------------------------------

def _record(hall: Hall, booking: Booking) -> None:
    hall.record_row(TABLE, booking.code, booking.row())


def _active(hall: Hall, code: str) -> Booking:
    booking = find_booking(hall, code)
    if booking.state is not BookingState.BOOKED:
        raise Conflict(f"the booking is {booking.state.value}", code="booking_not_active",
                       state=booking.state.value, number=booking.ticket)
    return booking


def _free_slot(hall: Hall, subject: str, day: date, start: int, now: datetime,
               leaving: str = "") -> int:
    """The end of the slot at `start` on `day`, if it can be booked; refuses otherwise."""
    settings = hall.settings
    if day not in bookable_days(settings, now):
        raise Conflict(f"{day.isoformat()} cannot be booked (up to "
                       f"{settings.booking.days_ahead} days ahead, on open days)",
                       code="booking_day_unavailable", day=day.isoformat(),
                       days_ahead=settings.booking.days_ahead)
    others = [b for b in hall.bookings.values() if b.code != leaving]
    slot = next((s for s in slots_of(settings, others, subject, day, now) if s.start == start),
                None)
    if slot is None:
        raise Conflict(f"no slot at {hhmm(start)} on {day.isoformat()} (or it has begun)",
                       code="no_such_slot", day=day.isoformat(), start=hhmm(start))
    if slot.left <= 0:
        raise Conflict(f"the slot at {hhmm(start)} on {day.isoformat()} is full",
                       code="slot_full", day=day.isoformat(), start=hhmm(start))
    return slot.end


def _within_limits(hall: Hall, id_card_hash: str, day: date, leaving: str = "") -> None:
    rules = hall.settings.booking
    mine = [b for b in hall.bookings.values()
            if b.id_card_hash == id_card_hash and b.code != leaving]
    on_day = sum(1 for b in mine if b.day == day and b.state.holds_a_place)
    if on_day >= rules.bookings_per_id_per_day:
        raise Conflict(f"this ID card already has {on_day} booking(s) on {day.isoformat()}",
                       code="booking_daily_limit", limit=rules.bookings_per_id_per_day,
                       day=day.isoformat())
    open_now = sum(1 for b in mine if b.state is BookingState.BOOKED)
    if open_now >= rules.open_bookings_per_id:
        raise Conflict(f"this ID card holds {open_now} bookings; the limit is "
                       f"{rules.open_bookings_per_id}", code="booking_open_limit",
                       limit=rules.open_bookings_per_id)


def _booking_to_check_in(hall: Hall, request: CheckInRequest, now: datetime) -> Booking:
    if request.code:
        booking = find_booking(hall, request.code)
    elif request.booking_hash:
        today = [b for b in hall.bookings.values()
                 if b.id_card_hash == request.booking_hash and b.day == now.date()
                 and b.state is BookingState.BOOKED]
        if not today:
            raise NotFound("this ID card has no booking for today", code="no_booking_today")
        # the booking whose slot is nearest to now (a card may hold two on one day)
        booking = min(today, key=lambda b: abs((b.slot_at(now) - now).total_seconds()))
    else:
        raise Invalid("check in with a booking code or an ID card", field="code",
                      code="booking_code_required")
    if booking.state is BookingState.CHECKED_IN:
        raise Conflict(f"this booking is checked in already: ticket {booking.ticket}",
                       code="booking_checked_in", number=booking.ticket)
    if booking.state is not BookingState.BOOKED:
        raise Conflict(f"the booking is {booking.state.value}", code="booking_not_active",
                       state=booking.state.value, number=booking.ticket)
    return booking
