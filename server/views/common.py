"""What every blueprint needs: the service, the caller, and the shape of an answer."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import current_app, g, jsonify

from core.errors import Forbidden
from core.events import Event, LoggedEvent
from core.hall import Hall
from core.settings.schema import HallSettings
from server.service import HallService


def service() -> HallService:
    return current_app.extensions["yichuang.service"]


def settings() -> HallSettings:
    return service().settings


def clerk_window(hall: Hall, clerk: str) -> int:
    """The window the clerk is logged in at; Forbidden if none."""
    window = hall.window_of_clerk(clerk)
    if window is None:
        raise Forbidden(f"clerk {clerk} is not logged in at any window", clerk=clerk)
    return window.number


def at_window(number: int, action: Callable[[Hall, datetime], list[Event]]):
    """The action, refused unless a clerk acts at the window they are logged in at."""
    principal = g.principal

    def guarded(hall: Hall, now: datetime) -> list[Event]:
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
    logged, (window, ticket) = service().act(action, window_picture(number))
    return jsonify({"events": events_json(logged), "window": window, "ticket": ticket})
