"""What every blueprint needs: the service, the caller, and the shape of an answer."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Callable

from flask import current_app, g, jsonify

from core.events import Event
from core.hall import Forbidden, Hall
from core.settings import HallSettings
from server.service import HallService


def service() -> HallService:
    return current_app.extensions["yichuang.service"]


def settings() -> HallSettings:
    return current_app.extensions["yichuang.settings"]


def at_window(number: int, action: Callable[[Hall, datetime], list[Event]]):
    """The action, refused unless a clerk acts at the window they are logged in at."""
    principal = g.principal

    def guarded(hall: Hall, now: datetime) -> list[Event]:
        if principal.role == "clerk":
            window = hall.window(number)
            if window.clerk != principal.name:
                where = next((w.number for w in hall.windows.values()
                              if w.clerk == principal.name), None)
                raise Forbidden(f"clerk {principal.name} is logged in at window {where}, "
                                f"not {number}" if where else
                                f"clerk {principal.name} is not logged in at window {number}")
        return action(hall, now)
    return guarded


def events_json(stored: list[tuple[int, str, str]]) -> list[dict]:
    return [{"id": i, "type": t, "data": json.loads(d)} for i, t, d in stored]


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
    stored, (window, ticket) = service().act(action, window_picture(number))
    return jsonify({"events": events_json(stored), "window": window, "ticket": ticket})
