"""What a person is told when the server refuses: one message per refusal code.

The server answers every refusal with a stable `code` and its `details`
(`core.errors`); a kiosk, a phone page or a caller says it with `explain()`,
in plain words with the next step, from the `refusals` catalogue. A code without
a message of its own falls back to its kind's (`invalid`, `conflict` ...), so
a person never reads an English exception.

Add a code: raise it in core (`code="..."`), add its message id below, and its
Chinese to `zh/LC_MESSAGES/refusals.po` (tests/core/test_messages.py checks both).
"""
from __future__ import annotations

from core.messages import DEFAULT_LANGUAGE, N_, translator

REFUSALS: dict[str, str] = {
    # --- by kind: the fallbacks --------------------------------------------------
    "invalid": N_("This request could not be accepted. Please check and try again, "
                  "or ask the staff at the information desk."),
    "not_found": N_("We could not find what you asked for. Please check the number "
                    "and try again."),
    "conflict": N_("This cannot be done right now. Please ask the staff at the "
                   "information desk."),
    "forbidden": N_("This is not allowed here. Please ask the staff at the information desk."),
    "unauthorized": N_("This device is not signed in to the hall server. Please call "
                       "the hall's staff."),
    "wrong_role": N_("This device may not do that. Please call the hall's staff."),
    "bad_json": N_("The request was damaged on its way. Please try again."),
    "too_large": N_("The request is too long. Please shorten it and try again."),
    "too_many_requests": N_("Too many numbers are being taken here. Please wait a "
                            "minute and try again."),
    "unavailable": N_("The hall's server cannot be reached right now. We keep trying; "
                      "nothing you asked for will be done twice."),
    "internal_server_error": N_("Something went wrong on the hall's server. Please try "
                                "again, or ask the staff at the information desk."),
    # --- taking a number ------------------------------------------------------------
    "unknown_subject": N_("This matter is not handled in this hall. Please ask the "
                          "staff at the information desk."),
    "id_card_required": N_("This matter needs your ID card to take a number. Please "
                           "place your ID card on the reader."),
    "id_card_invalid": N_("The ID card could not be read correctly. Please place it on "
                          "the reader again."),
    "id_daily_limit": N_("You have taken today's limit of {limit} numbers. You can book "
                         "an appointment for tomorrow."),
    "staff_only_priority": N_("Only the hall's staff can give this priority. Please ask "
                              "at the information desk."),
    "appointment_slot_missing": N_("Your appointment time is missing. Please check in "
                                   "with your booking code."),
    "appointment_other_day": N_("Your appointment is for {day}, not today. Please come "
                                "back on that day."),
    "appointment_missed": N_("Your appointment at {slot} has passed. Please take a "
                             "normal number."),
    "appointment_too_early": N_("Check-in for your appointment at {slot} opens {minutes} "
                                "minutes before it. Please come back then."),
    "ticket_other_day": N_("This ticket is from {day}. Numbers start again each day; "
                           "please take a new number."),
    "unknown_ticket": N_("There is no ticket {number} today. Please check the number."),
    # --- results and cases ------------------------------------------------------------
    "unknown_case": N_("There is no open case {case_number}. Please check the number on "
                       "your acceptance slip."),
    "case_not_ready": N_("Case {case_number} is still being reviewed; it is promised by "
                         "{due_date}. We will tell you when it is ready."),
    "pickup_ticket_exists": N_("Case {case_number} already has a pickup number today. "
                               "Please wait to be called."),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def explain(code: str, details: dict | None = None, kind: str = "",
            language: str = DEFAULT_LANGUAGE) -> str:
    """The refusal `code` in plain words, filled with its details; its kind's message
    (or a general one) if the code has none."""
    message = REFUSALS.get(code) or REFUSALS.get(kind) or REFUSALS["conflict"]
    text = translator("refusals", language)(message)
    return text.format_map(_Blank({k: v for k, v in (details or {}).items()}))
