"""The booking page's words (catalogue `web`), and the refusals it may have to say."""
from __future__ import annotations

from datetime import date

from core.messages import DEFAULT_LANGUAGE, LANGUAGES, N_, translator
from core.messages.refusals import REFUSALS

PAGE = {
    "title": N_("Book an appointment"),
    "choose_matter": N_("1 Choose the matter"),
    "themes": N_("One thing, done at once (一件事)"),
    "choose_day": N_("2 Choose the day"),
    "choose_slot": N_("3 Choose the time"),
    "materials": N_("Please bring all of these"),
    "no_materials": N_("No papers are needed for this matter."),
    "other_matter": N_("Choose another matter"),
    "other_day": N_("Choose another day"),
    "id_card": N_("ID card number of the person who comes"),
    "id_card_hint": N_("18 characters; kept only as a check code, never shown or stored "
                       "in full."),
    "confirm": N_("Book this time"),
    "booking": N_("Your booking"),
    "code": N_("Booking code"),
    "code_hint": N_("On the day, show this code or its QR code at a kiosk in the hall, or "
                    "place your ID card on the reader, to get your appointment number."),
    "check_in_window": N_("Check in from {opens} minutes before your time to {closes} "
                          "minutes after it."),
    "when": N_("Time"),
    "matter": N_("Matter"),
    "state": N_("State"),
    "cancel": N_("Cancel this booking"),
    "cancel_confirm": N_("Cancel this booking?"),
    "change": N_("Change the time"),
    "confirm_change": N_("Move my booking to this time"),
    "full": N_("full"),
    "no_slots": N_("No time is left on this day. Please choose another day."),
    "no_days": N_("Nothing can be booked for this matter in the coming days."),
    "unknown_matter": N_("This matter cannot be booked here."),
    "book_again": N_("Book again"),
    "network": N_("The network is unsteady. Please try again."),
    "working": N_("One moment…"),
    "pick_time": N_("Please choose a time."),
}
STATES = {"booked": N_("Booked"), "cancelled": N_("Cancelled"),
          "checked_in": N_("Checked in"), "missed": N_("Missed")}
PLACES_LEFT = N_("{left} left")
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
DAY_LABEL = N_("{month}/{day} {weekday}")
TODAY = N_("{label} (today)")


def language_of(asked: str) -> str:
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def said(messages: dict[str, str], language: str) -> dict[str, str]:
    """A page's words (key -> message of the `web` catalogue) in the page's language."""
    tr = translator("web", language)
    return {key: tr(message) for key, message in messages.items()}


def refusals_said(codes, language: str) -> dict[str, str]:
    """These refusals in the page's language, their {details} left for the page to fill."""
    tr = translator("refusals", language)
    return {code: tr(REFUSALS[code]) for code in codes if code in REFUSALS}


def page_texts(language: str) -> dict[str, str]:
    return said(PAGE, language)


def state_text(state: str, language: str) -> str:
    return translator("web", language)(STATES.get(state, state))


def places_left(left: int, language: str) -> str:
    return translator("web", language)(PLACES_LEFT, left=left)


def day_label(day: date, today: date, language: str) -> str:
    tr = translator("web", language)
    label = tr(DAY_LABEL, month=day.month, day=day.day, weekday=tr(WEEKDAYS[day.weekday()]))
    return tr(TODAY, label=label) if day == today else label


def refusal_texts(language: str) -> dict[str, str]:
    """Every refusal in the page's language, its {details} left for the page to fill."""
    return refusals_said(REFUSALS, language)
