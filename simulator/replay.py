"""Replay a recorded day from the hall's own database.

The server's storage reads the day (`server.storage.recorded_day`, handed to
`simulator.cli.main` by the launcher: the simulator runs no SQL of its own) and
hands `trace_from_rows` one dict per ticket of the day:

    {"ticket_id": "A012", "issued_at": "09:41:07", "matter": "company_setup",
     "priority": "normal", "service_seconds": 734, "no_show": False}

`service_seconds` is the time the ticket actually spent at the window (None
for a ticket never served: the matter's or theme's configured time is used). The trace
can then be run with any policy or pool layout ("what if window 5 had served
不动产 this morning?"): change the HallSettings' windows and call `simulate`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping

from core.forecast.service_times import DEFAULT_MINUTES
from core.settings.schema import HallSettings, Priority
from simulator.trace import TraceError, TraceTicket, parse_clock


def trace_from_rows(rows: Iterable[Mapping], hall: HallSettings | None = None) -> list[TraceTicket]:
    """A trace from database rows (see the module doc); sorted by issue time."""
    tickets = []
    for index, row in enumerate(rows, 1):
        try:
            arrival = parse_clock(str(row["issued_at"]))
            priority = Priority(str(row["priority"]))
        except (KeyError, ValueError) as error:
            raise TraceError(f"row {index} ({row.get('ticket_id')!r}): {error}") from None
        matter = str(row["matter"])
        seconds = row.get("service_seconds")
        if seconds is None:
            seconds = 60.0 * _configured_minutes(hall, matter)
        tickets.append(TraceTicket(str(row["ticket_id"]), arrival, matter, priority,
                                   float(seconds) / 60.0, bool(row.get("no_show"))))
    tickets.sort(key=lambda t: (t.arrival, t.ticket_id))
    return tickets


def _configured_minutes(hall: HallSettings | None, matter: str) -> float:
    if hall is not None and hall.has("subject", matter):
        return hall.subject(matter).service_minutes
    return DEFAULT_MINUTES


def with_window_serving(hall: HallSettings, number: int, pool: str | None = None,
                        skills: Mapping[str, float] | None = None) -> HallSettings:
    """The hall with window `number` moved to `pool` and/or given `skills` (a what-if)."""
    windows = []
    for w in hall.windows:
        if w.number == number:
            w = replace(w, pool=pool or w.pool, skills=dict(skills) if skills else w.skills)
        windows.append(w)
    return replace(hall, windows=tuple(windows))
