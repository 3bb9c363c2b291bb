"""The kiosk's decisions that do not depend on a screen: what the home screen offers
at this hour and in large print, when an untouched kiosk goes home, what to do after
a refusal, the manager's exit code and the hidden corner, the size of a touch target,
and one idempotency key per touch until the server answers.

The Kivy shell (kiosk/) draws what these decide; every text it shows comes from the
`kiosk` and `refusals` message catalogues.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

# Home screen choices, in the order they are shown.
TAKE, THEMES, BOOKING, CASE_QUERY, PICKUP, HELP, SELF_SERVICE, MORE = (
    "take", "themes", "booking", "case_query", "pickup", "help", "self_service", "more")
REQUEUE = "requeue"                  # 过号: scan your ticket to go back in line
HOME_CHOICES = (TAKE, THEMES, BOOKING, CASE_QUERY, PICKUP, HELP, REQUEUE, SELF_SERVICE)
# 大字版: fewer, bigger choices; the rest one touch away behind "more services"
LARGE_PRINT_FIRST = (TAKE, BOOKING, PICKUP, HELP)
# outside window hours (the 24-hour zone): what needs no window
ALWAYS_OPEN = (SELF_SERVICE, CASE_QUERY, BOOKING)


@dataclass(frozen=True)
class Offer:
    """What the home screen shows: the choices, and whether the windows are closed."""

    choices: tuple[str, ...]
    windows_open: bool
    more: tuple[str, ...] = ()           # behind "more services" (large print)


def home_offer(opening, large_print: bool) -> Offer:
    """`opening`: the server's answer to `opening()` (None: unknown, taken as open).

    Outside window hours only self-service, case queries and booking stay (check-in
    itself only while appointments are served), plus pickup during extended hours;
    a floor helper can be called while anybody is on duty."""
    windows_open = True if opening is None else bool(opening.windows_open)
    if windows_open:
        choices = HOME_CHOICES
    else:
        staffed = bool(getattr(opening, "appointments_open", False)
                       or getattr(opening, "pickup_open", False))
        choices = tuple(c for c in HOME_CHOICES
                        if c in ALWAYS_OPEN
                        or (c == PICKUP and getattr(opening, "pickup_open", False))
                        or (c == HELP and staffed))
    if not large_print:
        return Offer(choices, windows_open)
    first = tuple(c for c in LARGE_PRINT_FIRST if c in choices)
    rest = tuple(c for c in choices if c not in first)
    if len(first) < 4:                   # fill up to four big buttons before a "more"
        first, rest = first + rest[:4 - len(first)], rest[4 - len(first):]
    return Offer(first + ((MORE,) if rest else ()), windows_open, rest)


# ------------------------------------------------------------------ after a refusal

RETRY, HOME, READ_CARD, BOOK, TYPE_AGAIN, ASK_STAFF = (
    "retry", "home", "read_card", "book", "type_again", "ask_staff")
NEXT_STEP = {
    "unavailable": RETRY,
    "id_daily_limit": BOOK,
    "id_card_required": READ_CARD,
    "id_card_invalid": READ_CARD,
    "card_unreadable": READ_CARD,
    "unknown_booking": TYPE_AGAIN,
    "no_booking_today": TYPE_AGAIN,
    "booking_code_required": TYPE_AGAIN,
    "unknown_case": TYPE_AGAIN,
    "unknown_ticket": TYPE_AGAIN,
    "form_field_invalid": TYPE_AGAIN,
    "too_many_requests": RETRY,
}


def next_step(code: str, kind: str = "") -> str:
    """What the kiosk offers after refusal `code`: retry, read the card, book, type
    again, ask the staff, or go home (the default)."""
    if code in NEXT_STEP:
        return NEXT_STEP[code]
    if code.startswith(("outside_hours", "closed", "hall_closed", "after_cutoff", "holiday")):
        return BOOK
    return {"not_found": TYPE_AGAIN, "invalid": TYPE_AGAIN}.get(kind, ASK_STAFF)


# ------------------------------------------------------------------ idle and exit

class IdleWatch:
    """Goes home after `seconds` untouched; the clock is handed in (tests move it)."""

    def __init__(self, seconds: float, now: float) -> None:
        self.seconds, self.last_touch = seconds, now

    def touched(self, now: float) -> None:
        self.last_touch = now

    def expired(self, now: float) -> bool:
        return now - self.last_touch >= self.seconds


class CornerTaps:
    """The hidden way to the manager's code pad: `count` taps in a screen corner
    within `within` seconds."""

    def __init__(self, count: int = 5, within: float = 4.0) -> None:
        self.count, self.within = count, within
        self.taps: list[float] = []

    def tap(self, now: float) -> bool:
        self.taps = [t for t in self.taps if now - t <= self.within] + [now]
        if len(self.taps) >= self.count:
            self.taps = []
            return True
        return False


def code_hash(code: str) -> str:
    """The stored form of a manager's exit code, as tokens are stored."""
    return "sha256:" + hashlib.sha256(code.encode("utf-8")).hexdigest()


def manager_code_matches(code: str, stored_hash: str) -> bool:
    if not code or not stored_hash:
        return False
    return hmac.compare_digest(code_hash(code).encode(), stored_hash.encode())


def target_pixels(millimetres: float, dpi: float) -> float:
    """Pixels that span `millimetres` on a screen of `dpi` dots per inch."""
    return millimetres * dpi / 25.4


# ------------------------------------------------------------------ a touch's key

@dataclass
class Attempt:
    """One touch that asks the server for something: it keeps one idempotency key
    until the server answers, so retries after a lost answer never issue twice."""

    what: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    tries: int = 0
    answered: bool = False


# ------------------------------------------------------------------ scanned text

_CASE_NUMBER = re.compile(r"\b([A-Z]{1,8}\d{8}-\d{1,6})\b")


def case_number_from_scan(text: str) -> str:
    """The case number in what a scanner typed (the slip's QR holds the number or a
    link ending in it); "" if there is none."""
    found = _CASE_NUMBER.search(text.strip().upper())
    return found.group(1) if found else ""


# the ticket's QR: "{public_url}/t/<phone token>" (secrets.token_urlsafe)
_TICKET_TOKEN = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?(?:[?#]\S*)?$")


def ticket_token_from_scan(text: str) -> str:
    """The phone token in what a scanner typed from a ticket's QR (a link ending in
    `/t/<token>`); "" if it is not a ticket's QR. Tokens are case-sensitive."""
    found = _TICKET_TOKEN.search(text.strip())
    return found.group(1) if found else ""


def clock_text(value) -> str:
    """"HH:MM" of a datetime or an ISO text; "" if there is none."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%H:%M")


def day_and_time(value, today) -> tuple[str, str]:
    """("today" | "tomorrow" | "YYYY-MM-DD", "HH:MM") for when the windows open."""
    if not value:
        return "", ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    day = value.date()
    if day == today:
        word = "today"
    elif (day - today).days == 1:
        word = "tomorrow"
    else:
        word = day.isoformat()
    return word, value.strftime("%H:%M")


def material_labels(subject, language: str) -> list[str]:
    """The subject's checklist as lines to show and print (一次性告知)."""
    checklist = getattr(subject, "checklist", None)
    if checklist is not None:
        return [need.label(language) for need in checklist]
    return list(subject.materials)
