"""协同 that has run its time: the windows' helps whose `until` has passed end.

The server runs `expire_help` before every action (in the action's transaction) and,
when `help_expired` says some help is due, before a read shows the hall.
"""
from __future__ import annotations

from datetime import datetime

from core.actions.staffing import stop_helping
from core.clock import seconds_of_day
from core.events import Event
from core.hall import Hall


def expire_help(hall: Hall, now: datetime) -> list[Event]:
    """Every help whose time has come ends (the server runs this before each action and
    read): a `WindowStopsHelping` with reason "expired" for each."""
    clock = seconds_of_day(now)
    events: list[Event] = []
    for window in hall.windows.values():
        for pool, until in list(window.helping.items()):
            if until is not None and until <= clock:
                events += stop_helping(hall, window.number, pool, reason="expired")
    return events


def help_expired(hall: Hall, now: datetime) -> bool:
    """Whether some help has reached its time (cheap: one look at each window)."""
    clock = seconds_of_day(now)
    return any(until is not None and until <= clock
               for w in hall.windows.values() for until in w.helping.values())
