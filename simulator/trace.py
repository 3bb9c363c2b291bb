"""A day's citizens (`TraceTicket`), and the simulator's CSV files (docs/simulator.md).

Trace:   ticket_id,arrival,matter,priority,service_minutes,no_show
Results: ticket_id,matter,priority,window,issued,called,finished,eta_minutes,eta_low,eta_high,
         outcome   (eta_low/eta_high: the estimate's 80% range, core.forecast.ranges)
Times are HH:MM:SS. A bad row raises TraceError naming the file, line and field.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Iterable, TextIO

from core.settings.schema import HallSettings, Priority

TRACE_FIELDS = ("ticket_id", "arrival", "matter", "priority", "service_minutes", "no_show")
RESULT_FIELDS = ("ticket_id", "matter", "priority", "window", "issued", "called", "finished",
                 "eta_minutes", "eta_low", "eta_high", "outcome")


APPOINTMENT_SLOT_SECONDS = 900


@dataclass(frozen=True, slots=True)
class TraceTicket:
    """One citizen of a day: when they take a number, for what, how long their
    service takes, and whether they fail to show up when called."""

    ticket_id: str
    arrival: float          # seconds after midnight
    matter: str             # a matter or 一件事 theme code
    priority: Priority
    service_minutes: float  # time at the window if served
    no_show: bool = False

    @property
    def appointment_slot(self) -> float | None:
        """The booked slot: the next quarter hour at or after check-in."""
        if self.priority is not Priority.APPOINTMENT:
            return None
        return math.ceil(self.arrival / APPOINTMENT_SLOT_SECONDS) * APPOINTMENT_SLOT_SECONDS


class TraceError(ValueError):
    pass


def parse_clock(text: str) -> float:
    """'HH:MM:SS' (or 'HH:MM') to seconds after midnight; ValueError if malformed."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"bad time {text!r}, expected HH:MM:SS")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if h > 47 or m > 59 or s > 59:
        raise ValueError(f"bad time {text!r}, expected HH:MM:SS")
    return float(h * 3600 + m * 60 + s)


def format_clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def read_trace(source: TextIO, hall: HallSettings, name: str = "trace") -> list[TraceTicket]:
    """Parse a trace CSV; every matter must be a matter or theme of `hall`."""
    reader = csv.DictReader(source)
    missing = [f for f in TRACE_FIELDS if f not in (reader.fieldnames or ())]
    if missing:
        raise TraceError(f"{name}: line 1: missing column(s) {', '.join(missing)}; "
                         f"expected header {','.join(TRACE_FIELDS)}")
    tickets, seen = [], set()
    for row in reader:
        line = reader.line_num
        ticket = _parse_row(row, hall, f"{name}: line {line}")
        if ticket.ticket_id in seen:
            raise TraceError(f"{name}: line {line}: duplicate ticket_id {ticket.ticket_id!r}")
        seen.add(ticket.ticket_id)
        tickets.append(ticket)
    return tickets


def _parse_row(row: dict, hall: HallSettings, where: str) -> TraceTicket:
    ticket_id = (row.get("ticket_id") or "").strip()
    if not ticket_id:
        raise TraceError(f"{where}: empty ticket_id")
    try:
        arrival = parse_clock(row.get("arrival") or "")
    except ValueError as error:
        raise TraceError(f"{where}: arrival: {error}") from None
    matter = (row.get("matter") or "").strip()
    if not hall.has("subject", matter):
        raise TraceError(f"{where}: unknown matter {matter!r} (not a matter of {hall.name_en})")
    try:
        priority = Priority((row.get("priority") or "").strip())
    except ValueError:
        known = ", ".join(p.value for p in Priority)
        bad = row.get("priority")
        raise TraceError(f"{where}: bad priority {bad!r} (one of {known})") from None
    try:
        minutes = float(row.get("service_minutes") or "")
        if not minutes >= 0:
            raise ValueError
    except ValueError:
        raise TraceError(f"{where}: bad service_minutes {row.get('service_minutes')!r}") from None
    no_show = (row.get("no_show") or "").strip()
    if no_show not in ("0", "1"):
        raise TraceError(f"{where}: bad no_show {no_show!r} (0 or 1)")
    return TraceTicket(ticket_id, arrival, matter, priority, minutes, no_show == "1")


def write_trace(target: TextIO, tickets: Iterable[TraceTicket]) -> None:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(TRACE_FIELDS)
    for t in tickets:
        writer.writerow((t.ticket_id, format_clock(t.arrival), t.matter, t.priority.value,
                         f"{t.service_minutes:.2f}", int(t.no_show)))


def write_results(target: TextIO, results) -> None:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(RESULT_FIELDS)
    for r in results:
        eta, low, high = (_minutes(r.eta_minutes), _minutes(getattr(r, "eta_low", None)),
                          _minutes(getattr(r, "eta_high", None)))
        writer.writerow((r.ticket_id, r.matter, r.priority, "" if r.window is None else r.window,
                         format_clock(r.issued), format_clock(r.called),
                         format_clock(r.finished), eta, low, high, r.outcome))


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def trace_to_text(tickets: Iterable[TraceTicket]) -> str:
    buffer = io.StringIO()
    write_trace(buffer, tickets)
    return buffer.getvalue()
