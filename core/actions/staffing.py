"""Staffing windows: log in and out, open, close, pause, resume, move to a pool, help
another pool for a while (协同), and a manager's release of a window its clerk left with
tickets."""
from __future__ import annotations

from datetime import datetime

from core.clock import seconds_of_day
from core.errors import Conflict, Invalid, NotFound
from core.events import (
    ClerkLoggedIn,
    ClerkLoggedOut,
    Event,
    WindowClosed,
    WindowHelpsPool,
    WindowMovedToPool,
    WindowOpened,
    WindowPaused,
    WindowReleased,
    WindowResumed,
    WindowStopsHelping,
)
from core.hall import Hall
from core.tickets import TicketState
from core.windows import Window, WindowStatus, clock_text


def log_in(hall: Hall, window_number: int, clerk: str, clerk_name: str) -> list[Event]:
    """A clerk sits down at a window; logged in elsewhere, they leave that window first."""
    window = hall.window(window_number)
    if window.clerk == clerk:
        return []
    if window.clerk:
        raise Conflict(f"window {window.number} is staffed by {window.clerk}; "
                       f"they must log out first")
    events: list[Event] = []
    other = hall.window_of_clerk(clerk)
    if other is not None:
        events += log_out(hall, other.number)
    window.clerk = clerk
    hall.touch(window)
    return events + [ClerkLoggedIn(window=window.number, clerk=clerk, clerk_name=clerk_name)]


def log_out(hall: Hall, window_number: int) -> list[Event]:
    window = hall.window(window_number)
    if not window.clerk:
        raise Conflict(f"nobody is logged in at window {window.number}")
    _require_idle(window, "log out")
    clerk = window.clerk
    events = close_window(hall, window_number) if window.status is not WindowStatus.CLOSED else []
    window.clerk = ""
    hall.touch(window)
    return events + [ClerkLoggedOut(window=window.number, clerk=clerk)]


def _require_idle(window: Window, action: str) -> None:
    if window.current:
        raise Conflict(f"window {window.number} is busy with ticket {window.current}; "
                       f"finish or transfer it before you {action}")
    if window.parked:
        raise Conflict(f"window {window.number} has parked tickets {window.parked}; "
                       f"resume or transfer them before you {action}")


def open_window(hall: Hall, window_number: int) -> list[Event]:
    window = hall.window(window_number)
    if window.status is WindowStatus.OPEN:
        return []
    window.status, window.pause_reason, window.paused_at = WindowStatus.OPEN, "", None
    hall.touch(window)
    return [WindowOpened(window=window.number)]


def close_window(hall: Hall, window_number: int) -> list[Event]:
    window = hall.window(window_number)
    if window.status is WindowStatus.CLOSED:
        return []
    _require_idle(window, "close")
    window.status, window.pause_reason, window.paused_at = WindowStatus.CLOSED, "", None
    hall.touch(window)
    return [WindowClosed(window=window.number)]


def pause_window(hall: Hall, window_number: int, reason: str,
                 now: datetime | None = None) -> list[Event]:
    """暂停: the window calls nobody until it resumes; the forecast expects it back after
    the pause's usual length, counted from `now` (core.forecast.availability)."""
    window = hall.window(window_number)
    if not reason.strip():
        raise Invalid("a pause needs a reason (lunch, meeting, system down ...)")
    if window.status is not WindowStatus.OPEN:
        raise Conflict(f"window {window.number} is {window.status.value}; only an open "
                       f"window can pause")
    window.status, window.pause_reason = WindowStatus.PAUSED, reason.strip()
    window.paused_at = None if now is None else seconds_of_day(now)
    if window.pause_reason == "lunch":
        window.lunch_taken = True        # however early or late: one break a day
    hall.touch(window)
    return [WindowPaused(window=window.number, reason=window.pause_reason)]


def resume_window(hall: Hall, window_number: int) -> list[Event]:
    window = hall.window(window_number)
    if window.status is not WindowStatus.PAUSED:
        raise Conflict(f"window {window.number} is {window.status.value}, not paused")
    window.status, window.pause_reason, window.paused_at = WindowStatus.OPEN, "", None
    hall.touch(window)
    return [WindowResumed(window=window.number)]


def move_window(hall: Hall, window_number: int, pool: str) -> list[Event]:
    """The manager tunes pools live: a window joins another pool's line."""
    window = hall.window(window_number)
    if not hall.settings.has("pool", pool):
        raise NotFound(f"unknown pool '{pool}' (pools: "
                       f"{', '.join(p.code for p in hall.settings.pools)})",
                       pool=pool, code="unknown_pool")
    if window.pool == pool:
        return []
    if pool != window.spec.pool:         # home, where the config put it, is always allowed
        _check_skilled(hall, window, pool)
    previous, window.pool = window.pool, pool
    window.helping.pop(pool, None)       # it serves that pool at home now
    hall.touch(window)
    return [WindowMovedToPool(window=window.number, pool=pool, previous_pool=previous)]


def _pool_categories(hall: Hall, pool: str) -> set[str]:
    """The categories of the matters and themes that wait in `pool`."""
    settings = hall.settings
    return {s.category for s in (*settings.matters, *settings.themes) if s.pool == pool}


def _check_skilled(hall: Hall, window, pool: str) -> None:
    """A window moved to, or helping, a pool must be able to serve something there: a
    window with no skill for any of its categories would call nobody."""
    if not any(window.spec.skills.get(c, 0.0) > 0 for c in _pool_categories(hall, pool)):
        raise Invalid(f"window {window.number} has no skill for any matter of pool {pool}",
                      window=window.number, pool=pool, code="window_no_skill_for_pool")


def help_pool(hall: Hall, window_number: int, pool: str, until: float | None, now: datetime,
              by: str = "") -> list[Event]:
    """协同: the window keeps its home pool and also serves `pool`'s line (as a pool it
    `also_serves`) until `until` (seconds after midnight; None: the rest of the day).
    Refused for a window with no skill for any category waiting in that pool."""
    window = hall.window(window_number)
    if not hall.settings.has("pool", pool):
        raise NotFound(f"unknown pool '{pool}'", pool=pool, code="unknown_pool")
    if pool == window.pool:
        raise Conflict(f"window {window.number} is at home in pool {pool} already",
                       window=window.number, pool=pool, code="help_own_pool")
    _check_skilled(hall, window, pool)
    if until is not None and until <= seconds_of_day(now):
        raise Invalid(f"the help would end at {clock_text(until)}, which has passed",
                      until=clock_text(until), code="help_until_past")
    if pool in window.helping and window.helping[pool] == until:
        return []
    window.helping[pool] = until
    hall.touch(window)
    return [WindowHelpsPool(window=window.number, pool=pool, until=clock_text(until), by=by)]


def stop_helping(hall: Hall, window_number: int, pool: str, by: str = "",
                 reason: str = "stopped") -> list[Event]:
    """The window stops serving the pool it helped; its home pool is unchanged."""
    window = hall.window(window_number)
    if pool not in window.helping:
        raise Conflict(f"window {window.number} is not helping pool {pool}",
                       window=window.number, pool=pool, code="window_not_helping")
    del window.helping[pool]
    hall.touch(window)
    return [WindowStopsHelping(window=window.number, pool=pool, reason=reason, by=by)]


def release_window(hall: Hall, window_number: int, by: str, now: datetime) -> list[Event]:
    """A manager frees a window whose clerk left with a ticket still called, served or
    parked there: each goes back in line keeping its place (窗口无否决权), the clerk is
    logged out and the window closed. Recorded with who did it."""
    window = hall.window(window_number)
    numbers = ([window.current] if window.current else []) + list(window.parked)
    for number in numbers:
        ticket = hall.tickets[number]
        ticket.state, ticket.pinned_window = TicketState.WAITING, None
        ticket.record("released", now, window.number, f"by {by}")
        hall.touch(ticket)
    clerk = window.clerk
    window.current, window.parked = "", []
    window.clerk, window.status, window.pause_reason = "", WindowStatus.CLOSED, ""
    hall.touch(window)
    return [WindowReleased(window=window.number, clerk=clerk, tickets=tuple(numbers), by=by)]
