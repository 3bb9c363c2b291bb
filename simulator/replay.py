"""Replay a recorded day from the hall's own database.

The server's query hands `trace_from_rows` one dict per ticket of the day:

    {"ticket_id": "A012", "issued_at": "09:41:07", "matter": "company_setup",
     "priority": "normal", "service_seconds": 734, "no_show": False}

`service_seconds` is the time the ticket actually spent at the window (None
for a ticket never served: the matter's configured time is used). The trace
can then be run with any policy or pool layout ("what if window 5 had served
不动产 this morning?"): change the HallSettings' windows and call `simulate`.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Iterable, Mapping

from core.settings import HallSettings, Priority
from core.simulation.trace import TraceTicket
from simulator.traces import TraceError, parse_clock


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


def rows_from_database(path: str, day: str | None = None) -> tuple[str, list[dict]]:
    """The day's tickets from a hall's SQLite file, opened read-only: (day, rows).

    `day` defaults to the latest day recorded. Cancelled tickets (citizens who left,
    or the day ended before their call) are not part of the day's work.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        day = day or conn.execute("SELECT max(service_day) FROM tickets").fetchone()[0]
        found = conn.execute(
            "SELECT number, issued_at, subject, priority, service_seconds, state FROM tickets "
            "WHERE service_day = ? AND state != 'cancelled' ORDER BY issued_at", (day,)).fetchall()
    except sqlite3.Error as error:
        raise TraceError(f"cannot read the hall database {path}: {error}") from None
    if not found:
        raise TraceError(f"the hall database {path} has no tickets on {day}")
    return day, [{"ticket_id": number, "issued_at": datetime.fromisoformat(issued).strftime(
                  "%H:%M:%S"), "matter": subject, "priority": priority,
                  "service_seconds": seconds, "no_show": state == "no_show"}
                 for number, issued, subject, priority, seconds, state in found]


def _configured_minutes(hall: HallSettings | None, matter: str) -> float:
    if hall is not None and hall.has("matter", matter):
        return hall.matter(matter).service_minutes
    return 8.0


def with_window_serving(hall: HallSettings, number: int, pool: str | None = None,
                        skills: Mapping[str, float] | None = None) -> HallSettings:
    """The hall with window `number` moved to `pool` and/or given `skills` (a what-if)."""
    from dataclasses import replace

    windows = []
    for w in hall.windows:
        if w.number == number:
            w = replace(w, pool=pool or w.pool, skills=dict(skills) if skills else w.skills)
        windows.append(w)
    return replace(hall, windows=tuple(windows))
