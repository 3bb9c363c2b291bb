"""What every blueprint needs: the service, the caller, and the shape of an answer."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Callable

from flask import current_app, g, jsonify, request

from core.errors import Forbidden
from core.events import Event, LoggedEvent
from core.hall import Hall
from core.settings.schema import HallSettings
from server.auth import owned_windows
from server.payloads import IDEMPOTENCY_KEY, flag, integer, read_headers, text
from server.service import HallService, Once


def service() -> HallService:
    return current_app.extensions["yichuang.service"]


def settings() -> HallSettings:
    return service().settings


def act(action: Callable[[Hall, datetime], list[Event]], picture=None):
    """`service().act`, made idempotent when the request carries an Idempotency-Key:
    a retry with the same key gets the first answer instead of a second action."""
    key = read_headers([IDEMPOTENCY_KEY])[IDEMPOTENCY_KEY.name]
    once = None
    if key:
        who = g.principal.name if "principal" in g else "public"
        fingerprint = hashlib.sha256(b"\0".join(
            [request.method.encode(), request.path.encode(), request.get_data()])).hexdigest()
        once = Once(who, key, fingerprint)
    return service().act(action, picture, once)


def clerk_window(hall: Hall, clerk: str) -> int:
    """The window the clerk is logged in at; Forbidden if none."""
    window = hall.window_of_clerk(clerk)
    if window is None:
        raise Forbidden(f"clerk {clerk} is not logged in at any window", clerk=clerk)
    return window.number


def at_window(number: int, action: Callable[[Hall, datetime], list[Event]]):
    """The action, refused unless a clerk acts at the window they are logged in at, or a
    keypad bridge at a window of a keypad it owns while a clerk is logged in there (the
    action is then the clerk's: the actions record the window's clerk)."""
    principal = g.principal
    keypad_windows = owned_windows(settings(), principal.name, "keypad") \
        if principal.role == "keypad" else frozenset()

    def guarded(hall: Hall, now: datetime) -> list[Event]:
        if principal.role == "keypad":
            if number not in keypad_windows:
                raise Forbidden(f"{principal.name} drives no keypad of window {number}",
                                window=number, code="keypad_not_its_window")
            if not hall.window(number).clerk:
                raise Forbidden(f"no clerk is logged in at window {number}: its keypad "
                                f"acts as that clerk", window=number, code="keypad_no_clerk")
        if principal.role == "clerk" and hall.window(number).clerk != principal.name:
            where = hall.window_of_clerk(principal.name)
            raise Forbidden(f"clerk {principal.name} is logged in at window {where.number}, "
                            f"not {number}" if where else
                            f"clerk {principal.name} is not logged in at window {number}",
                            window=number)
        return action(hall, now)
    return guarded


def events_json(logged: list[LoggedEvent]) -> list[dict]:
    return [{"id": e.id, "type": e.type, "data": e.data()} for e in logged]


def window_picture(number: int):
    """The window and its current ticket, as a window action answers them."""
    def picture(hall: Hall):
        window = hall.window(number)
        current = hall.tickets.get(window.current)
        return window.public(), current.public() if current else None
    return picture


def act_at_window(number: int, action: Callable[[Hall, datetime], list[Event]],
                  check_clerk: bool = True):
    """Run a window action; answer with its events, the window and its current ticket."""
    if check_clerk:
        action = at_window(number, action)
    logged, (window, ticket) = act(action, window_picture(number))
    return jsonify({"events": events_json(logged), "window": window, "ticket": ticket})


# --- fields several routes read: one limit per name (docs/api.md, "Limits") ---------------
TICKET_NUMBER = text("number", 16, doc="a ticket number (A001), or a day's (2026-11-22/A001)",
                     example="A001")
CASE_NUMBER = text("case_number", 32, doc="a case number", example="WH20261123-0001")
PHONE_TOKEN = text("token", 64, doc="the ticket's phone token, from its QR code",
                   example="kq3Cw1YlU0bq3hC8xVJp0A")
SUBJECT = text("subject", 32, doc="a matter or theme code", example="SS-0101")
ID_CARD = text("id_card", 32, required=False,
               doc="18 characters (full-width forms are folded): checked, and kept only as "
                   "a keyed digest for the daily limit", example="610503198001011235")
REASON = text("reason", 200, required=False, doc="free text", example="等太久")
ID_CARD_READ = flag("id_card_read", doc="true when the kiosk's reader read the card; a typed "
                                        "number gives no elderly priority")
PAGE_LANGUAGE = text("lang", 2, required=False, choices=["zh", "en"],
                     doc="the page's language (zh)")
NOTE = text("note", 200, required=False, doc="free text", example="去复印身份证")
LEVEL = integer("level", doc="5 非常满意 … 1 非常不满意 (1 and 2 need a reason)", example=5)
POOL = text("pool", 32, doc="a pool code", example="acceptance_b")
MATERIALS = 100, 50     # a material's name at most 100 characters, at most 50 of them
