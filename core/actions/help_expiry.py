"""协同 that has run its time: windows' helps whose `until` has passed end, and windows an
accepted move advice sent to another pool "until" a time go back home then.

The server runs `expire_help` before every action (in the action's transaction) and,
when `help_expired` says something is due, before a read shows the hall.

A moved window goes home only if it is still where the advice put it: a manager who
has moved it again since decided otherwise. Either way the advice is marked
`returned` (in its stored record) so it is looked at once.

Whether it goes home at all is the pool advisor's call first (as in the simulator,
`simulator.advising`): the server's advisor, at its first assessment after a move's
time, projects the hall with and without the return (`core.advisor.should_return`)
and either sends the window home (`return_home`) or keeps it there until the next
session's end (`extend_move`, `AdviceExtended`). A move the advisor has not decided on
within one assessment interval (`[advisor] interval_minutes`; at once when the
advisor is off) goes home here, so no window stays away because no assessment ran.
"""
from __future__ import annotations

from datetime import datetime

from core.actions.advice import TABLE as ADVICE_TABLE
from core.actions.advice import advice_text
from core.actions.staffing import move_window, stop_helping
from core.advice_records import AdviceRecord, AdviceState
from core.clock import seconds_of_day
from core.events import AdviceExtended, Event
from core.hall import Hall
from core.windows import clock_text


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
        events += return_home(hall, record)
    return events


def return_home(hall: Hall, record: AdviceRecord) -> list[Event]:
    """The window an accepted move sent away goes home, if it is still where the advice
    put it; the advice is marked `returned` either way."""
    advice = record.advice
    record.advice = advice | {"returned": True}
    hall.record_row(ADVICE_TABLE, record.id, record.row(hall.service_day))
    window = hall.windows.get(record.window)
    if window is not None and window.pool == advice["to_pool"]:
        return move_window(hall, window.number, advice["from_pool"])
    return []


def extend_move(hall: Hall, record: AdviceRecord, until: float | None) -> list[Event]:
    """The window stays where the accepted move put it until `until` (seconds after
    midnight; None: the rest of the day)."""
    advice = record.advice | {"until": until}
    advice["text"] = advice_text(advice, hall.settings, "zh")      # says the new time
    advice["text_en"] = advice_text(advice, hall.settings, "en")
    record.advice = advice
    hall.record_row(ADVICE_TABLE, record.id, record.row(hall.service_day))
    return [AdviceExtended(id=record.id, window=record.window, to_pool=advice["to_pool"],
                           until=clock_text(until), text=advice["text"],
                           text_en=advice["text_en"])]


def moves_expired(hall: Hall, clock: float) -> list[AdviceRecord]:
    """Accepted moves whose time has come and that are not settled yet (the advisor's
    to decide: home, or longer), their windows still where the advice put them."""
    found = []
    for record in _accepted_moves(hall):
        window = hall.windows.get(record.window)
        if (record.advice["until"] <= clock and window is not None
                and window.pool == record.advice["to_pool"]):
            found.append(record)
    return found


def help_expired(hall: Hall, now: datetime) -> bool:
    """Whether some help or advised move has reached its time (cheap: one look at each
    window and at today's advice)."""
    clock = seconds_of_day(now)
    return (any(until is not None and until <= clock
                for w in hall.windows.values() for until in w.helping.values())
            or any(True for _ in _moves_due(hall, clock)))


def _accepted_moves(hall: Hall):
    for record in list(hall.advice.values()):
        advice = record.advice
        if (record.kind == "move" and record.state is AdviceState.ACCEPTED
                and not advice.get("returns_home") and not advice.get("returned")
                and advice.get("until") is not None):
            yield record


def _moves_due(hall: Hall, clock: float):
    """Moves past their time by more than the advisor's interval (it did not decide)."""
    config = hall.settings.advisor
    grace = 60.0 * config.interval_minutes if config.enabled else 0.0
    for record in _accepted_moves(hall):
        if record.advice["until"] + grace <= clock:
            yield record

