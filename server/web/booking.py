"""The booking page (预约): `/book` to choose a matter, a day and a time, and
`/book/<code>` to see a booking with its code and QR code, cancel or change it.

Server-rendered from the hall's own state, mobile first, no external resource; the
one script (with the page's nonce) sends the booking, cancel or change to the
public JSON API and says a refusal in the page's language from the `refusals`
catalogue. The ID card number is sent in a POST body, never in an address.
"""
from __future__ import annotations

import io
import re
import secrets
from datetime import date, datetime

import qrcode
import qrcode.image.svg
from flask import Blueprint, make_response, render_template
from markupsafe import Markup

from core.bookings import bookable, bookable_days, code_from_scan, hhmm, normal_code, slots_of
from core.hall import Hall
from core.messages.refusals import explain
from core.settings.schema import HallSettings
from server.auth import public
from server.payloads import Values, accepts, day, like, text
from server.security import content_security_policy
from server.views.bookings import (
    BOOKING_CODE,
    limited,
    note_wrong_code,
    within_booking_limits,
)
from server.views.common import SUBJECT, service
from server.web.texts import (
    day_label,
    language_of,
    page_texts,
    places_left,
    refusal_texts,
    state_text,
)

blueprint = Blueprint("web", __name__)

PAGE_QUERY = [
    like(SUBJECT, required=False),
    day("day", doc="the day chosen", example="2026-11-24"),
    text("lang", 2, required=False, choices=["zh", "en"], doc="the page's language (zh)"),
]


def _qr_svg(data: str) -> Markup:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    svg = re.sub(r'^<\?xml[^>]*>\s*', "", svg)
    svg = re.sub(r'width="[^"]*" height="[^"]*"', 'class="qr" role="img"', svg, count=1)
    return Markup(svg)


def _catalogue(settings: HallSettings, language: str) -> list[dict]:
    """Bookable matters by category, then the 一件事 themes."""
    def name(item) -> str:
        return item.name_en if language == "en" else item.name
    groups = []
    for category in settings.categories:
        matters = [{"code": m.code, "name": name(m)} for m in settings.matters
                   if m.category == category.code and bookable(settings, m.code)]
        if matters:
            groups.append({"name": name(category), "matters": matters})
    themes = [{"code": t.code, "name": name(t)} for t in settings.themes
              if bookable(settings, t.code)]
    if themes:
        groups.append({"name": page_texts(language)["themes"], "matters": themes})
    return groups


def _days(hall: Hall, subject: str, now: datetime, language: str, chosen: date | None,
          keep: str = "") -> list[dict]:
    bookings = [b for b in hall.bookings.values() if b.code != keep]
    found = []
    for one in bookable_days(hall.settings, now):
        slots = slots_of(hall.settings, bookings, subject, one, now)
        left = sum(s.left for s in slots)
        found.append({"day": one.isoformat(), "label": day_label(one, now.date(), language),
                      "left": left, "left_text": places_left(left, language),
                      "chosen": one == chosen})
    return found


def _slots(hall: Hall, subject: str, one: date, now: datetime, language: str,
           keep: str = "") -> list[dict]:
    bookings = [b for b in hall.bookings.values() if b.code != keep]
    return [{"start": hhmm(s.start), "end": hhmm(s.end), "left": s.left,
             "left_text": places_left(s.left, language)}
            for s in slots_of(hall.settings, bookings, subject, one, now)]


def _page(template: str, language: str, **values):
    nonce = secrets.token_urlsafe(16)
    settings = service().settings
    page = make_response(render_template(
        template, nonce=nonce, lang=language, t=page_texts(language),
        hall=settings.name_en if language == "en" else settings.name,
        refusals=refusal_texts(language), **values))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    page.headers["Cache-Control"] = "no-store"
    return page


def _subject_view(settings: HallSettings, code: str, language: str) -> dict:
    subject = settings.subject(code)
    return {"code": code, "name": subject.name_en if language == "en" else subject.name,
            "materials": list(settings.material_labels(code, language))}


@blueprint.get("/book")
@public
@limited
@accepts(query=PAGE_QUERY, media_type="text/html", ignore_unknown_query=True)
def book_page(query: Values):
    """The booking page: a matter, then a day, then a time and the ID card number."""
    within_booking_limits()
    language = language_of(query["lang"])
    code, chosen = query["subject"], query["day"]

    def picture(hall: Hall, now: datetime) -> dict:
        settings = hall.settings
        if not code:
            return {"step": "matter", "groups": _catalogue(settings, language)}
        if not bookable(settings, code):
            return {"step": "unknown"}
        days = _days(hall, code, now, language, chosen)
        step = "slot" if chosen and any(d["day"] == chosen.isoformat() for d in days) \
            else "day"
        return {"step": step, "subject": _subject_view(settings, code, language),
                "days": days, "day": chosen.isoformat() if step == "slot" else "",
                "slots": _slots(hall, code, chosen, now, language) if step == "slot" else []}
    return _page("book.html", language, **service().read(picture))


@blueprint.get("/book/<code>")
@public
@limited
@accepts(path=[BOOKING_CODE], query=PAGE_QUERY[1:], media_type="text/html",
         ignore_unknown_query=True)
def booking_page(code: str, query: Values):
    """A booking: its code and QR code, cancel, change to another time."""
    within_booking_limits()
    language, chosen = language_of(query["lang"]), query["day"]
    code = code_from_scan(code) or normal_code(code)

    def picture(hall: Hall, now: datetime) -> dict:
        booking = hall.bookings.get(code)
        if booking is None:
            return {"missing": explain("unknown_booking", language=language)}
        settings = hall.settings
        base = settings.server.public_url.rstrip("/")
        rules = settings.rules
        days = _days(hall, booking.subject, now, language, chosen, keep=booking.code)
        changing = bool(chosen) and any(d["day"] == chosen.isoformat() for d in days)
        return {
            "booking": booking.public() | {
                "state_text": state_text(booking.state.value, language),
                "day_label": day_label(booking.day, now.date(), language)},
            "subject": _subject_view(settings, booking.subject, language),
            "qr": _qr_svg(f"{base}/book/{booking.code}"),
            "window": page_texts(language)["check_in_window"].format(
                opens=rules.appointment_check_in_opens_minutes,
                closes=rules.appointment_check_in_closes_minutes),
            "days": days, "day": chosen.isoformat() if changing else "",
            "slots": _slots(hall, booking.subject, chosen, now, language, keep=booking.code)
            if changing else []}
    shown = service().read(picture)
    if "missing" in shown:
        note_wrong_code()
    return _page("booking.html", language, **shown)
