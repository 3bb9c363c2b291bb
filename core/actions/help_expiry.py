"""协同 that has run its time: windows' helps whose `until` has passed end, and windows an
accepted move advice sent to another pool "until" a time go back home then.

The server runs `expire_help` before every action (in the action's transaction) and,
when `help_expired` says something is due, before a read shows the hall.

A moved window goes home only if it is still where the advice put it: a manager who
has moved it again since decided otherwise. Either way the advice is marked
`returned` (in its stored record) so it is looked at once.
"""
from __future__ import annotations

from datetime import datetime

from core.actions.advice import TABLE as ADVICE_TABLE
from core.actions.staffing import move_window, stop_helping
from core.advice_records import AdviceState
from core.clock import seconds_of_day
from core.events import Event
from core.hall import Hall


def expire_help(hall: Hall, now: datetime) -> list[Event]:
    """Every help whose time has come ends (a `WindowStopsHelping` with reason
    "expired" each), and every window moved by advice until now goes home (a
    `WindowMovedToPool` back to its pool)."""
    clock = seconds_of_day(now)
    events: list[Event] = []
    for window in hall.windows.values():
        for pool, until in list(window.helping.items()):
            if until is not None and until <= clock:
                events += stop_helping(hall, window.number, pool, reason="expired")
    for record in _moves_due(hall, clock):
        advice = record.advice
        record.advice = advice | {"returned": True}
        hall.record_row(ADVICE_TABLE, record.id, record.row(hall.service_day))
        window = hall.windows.get(record.window)
        if window is not None and window.pool == advice["to_pool"]:
            events += move_window(hall, window.number, advice["from_pool"])
    return events


def help_expired(hall: Hall, now: datetime) -> bool:
    """Whether some help or advised move has reached its time (cheap: one look at each
    window and at today's advice)."""
    clock = seconds_of_day(now)
    return (any(until is not None and until <= clock
                for w in hall.windows.values() for until in w.helping.values())
            or any(True for _ in _moves_due(hall, clock)))


def _moves_due(hall: Hall, clock: float):
    for record in list(hall.advice.values()):
        advice = record.advice
        if (record.kind == "move" and record.state is AdviceState.ACCEPTED
                and not advice.get("returns_home") and not advice.get("returned")
                and advice.get("until") is not None and advice["until"] <= clock):
            yield record

