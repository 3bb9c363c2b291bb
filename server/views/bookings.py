"""Opening hours and appointments (预约): what is open now, booking a slot (public, from
the booking page), looking a booking up, cancelling and changing it by its code,
and checking in at a kiosk by code or ID card."""
from __future__ import annotations

import time
from datetime import datetime

from flask import Blueprint, current_app, request

from core.actions.bookings import (
    BookingRequest,
    CheckInRequest,
    book,
    cancel_booking,
    change_booking,
    check_in_booking,
    find_booking,
)
from core.bookings import Booking, bookable, bookable_days, code_from_scan, normal_code, slots_of
from core.errors import HallError, Invalid
from core.hall import Hall
from core.id_cards import read
from core.opening import day_kind, opening
from server.auth import Refused, public, requires
from server.limits import RateLimit
from server.payloads import Values, accepts, day, like, text
from server.views.common import ID_CARD, ID_CARD_READ, SUBJECT, act, events_json, service, settings
from server.views.tickets import _id_card, issue_and_answer, within_issue_limits

blueprint = Blueprint("bookings", __name__, url_prefix="/api")

BOOKING_CODE = text("code", 32, doc="a booking code: 8 letters and digits, as shown and in its "
                                    "QR code", example="K7M2P9QX")
BOOKING_DAY = day("day", required=True, doc="the day of the slot", example="2026-11-24")
SLOT_START = text("start", 5, doc="the slot's start, HH:MM", example="09:00")
WRONG_CODES_PER_MINUTE = 10


# --- limits: no booking page may be used to hammer the hall or guess codes -------------

def _limits() -> dict:
    found = current_app.extensions.get("yichuang.booking_limits")
    if found is None:
        per_minute = settings().booking.requests_per_address_per_minute
        found = current_app.extensions["yichuang.booking_limits"] = {
            "requests": RateLimit(per_minute), "blocked": {},
            "wrong": RateLimit(WRONG_CODES_PER_MINUTE, burst=WRONG_CODES_PER_MINUTE)}
    return found


def within_booking_limits() -> None:
    """Every public booking request counts against its address; an address that keeps
    presenting unknown codes is refused for a while (429), whatever it asks."""
    address, limits = request.remote_addr or "", _limits()
    until = limits["blocked"].get(address, 0.0)
    if until > time.monotonic():
        raise Refused("too many unknown booking codes from this address; try again later",
                      until - time.monotonic())
    wait = limits["requests"].take(address)
    if wait > 0:
        raise Refused("too many booking requests from this address; please wait", wait)


def note_wrong_code() -> None:
    """An unknown code was asked for: past 10 a minute, the address is refused a while."""
    address, limits = request.remote_addr or "", _limits()
    wait = limits["wrong"].take(address)
    if wait > 0:
        limits["blocked"][address] = time.monotonic() + wait


def _counting_wrong_codes(run):
    """Run a lookup by code; an unknown code counts as a guess."""
    try:
        return run()
    except HallError as refusal:
        if refusal.code == "unknown_booking":
            note_wrong_code()
        raise


def limited(view):
    """Marks a public route as rate limited: it may answer 429 (server.openapi)."""
    view.rate_limited = True
    return view


# --- answers ------------------------------------------------------------------------------

def _answer(booking: Booking) -> dict:
    hall = settings()
    subject = hall.subject(booking.subject)
    base = hall.server.public_url.rstrip("/")
    return {"booking": booking.public(), "subject_name": subject.name,
            "subject_name_en": subject.name_en,
            "materials": list(hall.material_labels(booking.subject)),
            "book_url": f"{base}/book/{booking.code}"}


def _start_of(value: str) -> int:
    try:
        clock = datetime.strptime(value, "%H:%M")
    except ValueError:
        raise Invalid("field 'start' must be a time like 09:00", field="start") from None
    return clock.hour * 60 + clock.minute


def _code(value: str) -> str:
    found = code_from_scan(value)
    return found or normal_code(value)


# --- routes -------------------------------------------------------------------------------

@blueprint.get("/opening")
@public
@accepts()
def get_opening():
    """What the hall offers now: window tickets, appointment check-ins, pickups."""
    return service().read(lambda hall, now: opening(hall.settings, now).public())


@blueprint.get("/booking/slots")
@public
@limited
@accepts(query=[SUBJECT, like(BOOKING_DAY, required=False,
                               doc="one day; without it, every bookable day")])
def booking_slots(query: Values):
    """The bookable days of a matter or theme, and each slot's places left."""
    within_booking_limits()
    subject, wanted = query["subject"], query["day"]

    def picture(hall: Hall, now: datetime):
        settings_ = hall.settings
        if not settings_.has("subject", subject):
            raise Invalid(f"unknown matter or theme '{subject}'", field="subject",
                          code="unknown_subject", subject=subject)
        if not bookable(settings_, subject):
            raise Invalid("this matter cannot be booked", field="subject",
                          code="not_bookable", subject=subject)
        days = [d for d in bookable_days(settings_, now) if wanted in (None, d)]
        bookings = list(hall.bookings.values())
        found = []
        for one in days:
            slots = [s.public() for s in slots_of(settings_, bookings, subject, one, now)]
            found.append({"day": one.isoformat(), "kind": day_kind(settings_, one),
                          "left": sum(s["left"] for s in slots), "slots": slots})
        return {"subject": subject, "subject_name": settings_.subject(subject).name,
                "days": found}
    return service().read(picture)


@blueprint.post("/bookings")
@public
@limited
@accepts(body=[SUBJECT, BOOKING_DAY, SLOT_START,
               like(ID_CARD, required=True, doc="the ID card number of the person who comes: "
                                                "checked, kept only as a keyed digest")],
         status=201)
def make_booking(body: Values):
    """Book a slot: the answer carries the booking code."""
    within_booking_limits()
    card = read(body["id_card"], service().clock().date())
    booking_request = BookingRequest(
        subject=body["subject"], day=body["day"], start=_start_of(body["start"]),
        code=service().new_booking_code(), id_card_hash=service().booking_digest(card.number))
    logged, answer = act(lambda hall, now: book(hall, booking_request, now),
                         lambda hall: _answer(hall.bookings[booking_request.code]))
    return answer | {"events": events_json(logged)}, 201


@blueprint.get("/bookings/<code>")
@public
@limited
@accepts(path=[BOOKING_CODE])
def get_booking(code: str):
    """A booking by its code."""
    within_booking_limits()
    return _counting_wrong_codes(lambda: service().read(
        lambda hall, now: _answer(find_booking(hall, _code(code)))))


@blueprint.post("/bookings/<code>/cancel")
@public
@limited
@accepts(body=[], path=[BOOKING_CODE])
def cancel(code: str, body: Values):
    """Cancel a booking by its code."""
    within_booking_limits()
    code = _code(code)
    logged, answer = _counting_wrong_codes(lambda: act(
        lambda hall, now: cancel_booking(hall, code, now),
        lambda hall: _answer(find_booking(hall, code))))
    return answer | {"events": events_json(logged)}


@blueprint.post("/bookings/<code>/change")
@public
@limited
@accepts(body=[BOOKING_DAY, SLOT_START], path=[BOOKING_CODE])
def change(code: str, body: Values):
    """Move a booking to another slot (same matter, same ID card)."""
    within_booking_limits()
    code, start = _code(code), _start_of(body["start"])
    logged, answer = _counting_wrong_codes(lambda: act(
        lambda hall, now: change_booking(hall, code, body["day"], start, now),
        lambda hall: _answer(find_booking(hall, code))))
    return answer | {"events": events_json(logged)}


@blueprint.post("/booking/check-in")
@requires("kiosk", "clerk", "manager")
@accepts(body=[like(BOOKING_CODE, required=False,
                    doc="the booking code, typed or read from its QR code "
                        "(core.bookings.code_from_scan)"),
               ID_CARD, ID_CARD_READ], status=201)
def check_in(body: Values):
    """The appointment ticket of a booking, found by its code or by the ID card."""
    within_issue_limits()
    code = _code(body["code"]) if body["code"] else ""
    id_card_hash, age = _id_card(body["id_card"])
    booking_hash = ""
    if body["id_card"]:
        card = read(body["id_card"], service().clock().date())
        booking_hash = service().booking_digest(card.number)
    token = service().new_phone_token()
    check_in_request = CheckInRequest(
        phone_token=token, code=code, booking_hash=booking_hash, id_card_hash=id_card_hash,
        age=age, id_card_read=bool(body["id_card_read"]))
    return issue_and_answer(lambda hall, now: check_in_booking(hall, check_in_request, now),
                            token)
