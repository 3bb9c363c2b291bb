"""The phone ticket page's words (catalogue `web`), handed to the page's script.

Placeholders in braces ({ahead}, {window} ...) are filled in by the page.
"""
from __future__ import annotations

from core.messages import N_
from server.web.texts import refusals_said, said

PHONE = {
    "title": N_("Your place in line"),
    "loading": N_("Looking up your place in line…"),
    "ahead": N_("{ahead} people ahead of you"),
    "wait": N_("About {minutes} minutes to wait"),
    "wait_range": N_("About {minutes} minutes to wait, {low}–{high} minutes"),
    "no_wait": N_("No window is serving this matter now"),
    "near": N_("Almost your turn: {ahead} ahead of you. Please come near the windows "
               "and listen for your number."),
    "next": N_("You are next. Please come near the windows and listen for your number."),
    "your_turn": N_("Your turn"),
    "called_again": N_("Called again"),
    "called": N_("Please go to {window}"),
    "serving": N_("Being served at {window}"),
    "parked": N_("Set aside at {window}; please listen for your number"),
    "finished": N_("All done. Thank you for your patience."),
    "no_show": N_("Your number was passed. To be served, take a new number or ask the "
                  "hall's helpers."),
    "cancelled": N_("This number is cancelled."),
    "unknown": N_("This ticket link is unknown or from an earlier day."),
    "materials": N_("Please bring all of these"),
    "cancel": N_("No longer needed: cancel my number"),
    "cancel_confirm": N_("Cancel your number?"),
    "live": N_("Updated {time}; updates by itself"),
    "polling": N_("Updated {time}; refreshes every 10 seconds"),
    "network": N_("The network is unsteady; trying again by itself."),
    "case": N_("Your case {number}: {status}"),
    "case_link": N_("Follow your case"),
    "vibrate_hint": N_("Tap the page once so that your phone can vibrate when you are "
                       "called."),
    # 好差评 after the service (the levels' words: the five buttons, best first)
    "rate": N_("How was our service?"),
    "level_5": N_("Very satisfied"),
    "level_4": N_("Satisfied"),
    "level_3": N_("Fairly satisfied"),
    "level_2": N_("Dissatisfied"),
    "level_1": N_("Very dissatisfied"),
    "level_0": N_("Not rated"),
    "why": N_("What went wrong? Please choose one"),
    "more": N_("More details (optional)"),
    "send": N_("Send my rating"),
    "sending": N_("Sending…"),
    "thanks": N_("Thank you for your rating."),
    "rated": N_("This service has been rated: {level}. Thank you."),
    "not_rated": N_("The window's rating pad recorded no rating for this service."),
}

# the refusals a rating may meet, said in the page's language ({number} filled by the page)
RATING_REFUSALS = ("already_rated", "rating_reason_required", "rating_not_finished",
                   "not_found", "invalid", "conflict", "too_many_requests")


def phone_texts(language: str) -> dict[str, str]:
    return said(PHONE, language)


def phone_refusals(language: str) -> dict[str, str]:
    return refusals_said(RATING_REFUSALS, language)
