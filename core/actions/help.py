"""呼叫帮办: a kiosk calls a floor helper, a helper takes the call and marks it done.

Each request is a row of the small `help_requests` table (`hall.record_row`).
"""
from __future__ import annotations

from datetime import datetime

from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import Event, HelpFinished, HelpRequested, HelpTaken
from core.hall import Hall
from core.help_requests import (
    NOTE_LENGTH,
    REASONS,
    WHERE_LENGTH,
    HelpRequest,
    HelpState,
    help_request_id,
)

TABLE = "help_requests"


def help_row(request: HelpRequest, service_day: str) -> dict:
    """The request as its table's row."""
    return {"id": request.id, "service_day": service_day, "place": request.where,
            "reason": request.reason, "note": request.note, "state": request.state.value,
            "raised_by": request.raised_by, "raised_at": request.raised_at.isoformat(),
            "taken_by": request.taken_by,
            "taken_at": request.taken_at.isoformat() if request.taken_at else None,
            "done_at": request.done_at.isoformat() if request.done_at else None}


def help_from_row(row: dict) -> HelpRequest:
    def when(text):
        return datetime.fromisoformat(text) if text else None
    return HelpRequest(id=row["id"], where=row["place"], reason=row["reason"],
                       note=row["note"] or "", raised_by=row["raised_by"] or "",
                       raised_at=when(row["raised_at"]), state=HelpState(row["state"]),
                       taken_by=row["taken_by"] or "", taken_at=when(row["taken_at"]),
                       done_at=when(row["done_at"]))


def _record(hall: Hall, request: HelpRequest) -> None:
    hall.record_row(TABLE, request.id, help_row(request, hall.service_day))


def find_help(hall: Hall, request_id: str) -> HelpRequest:
    request = hall.help_requests.get(request_id.strip().upper())
    if request is None:
        raise NotFound(f"no help request {request_id} today", id=request_id,
                       code="unknown_help_request")
    return request


def request_help(hall: Hall, where: str, reason: str, note: str, raised_by: str,
                 now: datetime) -> list[Event]:
    """A kiosk calls a helper to `where`. One open call per kiosk at a time: a second
    press while one waits is refused (the kiosk says a helper is already coming)."""
    where, note = where.strip(), note.strip()
    if reason not in REASONS:
        raise Invalid(f"reason must be one of {list(REASONS)}; got {reason!r}",
                      field="reason", code="help_reason_unknown")
    if not where or len(where) > WHERE_LENGTH:
        raise Invalid(f"where must be 1 to {WHERE_LENGTH} characters", field="where")
    if len(note) > NOTE_LENGTH:
        raise Invalid(f"note is at most {NOTE_LENGTH} characters", field="note",
                      max_length=NOTE_LENGTH)
    waiting = next((r for r in hall.help_requests.values()
                    if r.raised_by == raised_by and r.state is HelpState.OPEN), None)
    if waiting is not None:
        raise Conflict(f"{raised_by} already called a helper ({waiting.id}, to "
                       f"{waiting.where}); please wait", id=waiting.id, where=waiting.where,
                       code="help_already_requested")
    hall.help_counter += 1
    request = HelpRequest(id=help_request_id(hall.service_day, hall.help_counter),
                          where=where, reason=reason, note=note, raised_by=raised_by,
                          raised_at=now)
    hall.help_requests[request.id] = request
    _record(hall, request)
    return [HelpRequested(id=request.id, where=where, reason=reason, note=note)]


def take_help(hall: Hall, request_id: str, helper: str, now: datetime) -> list[Event]:
    """A helper takes an open call: nobody else can take it after them."""
    request = find_help(hall, request_id)
    if request.state is HelpState.TAKEN:
        raise Conflict(f"help request {request.id} was already taken by {request.taken_by}",
                       id=request.id, taken_by=request.taken_by, code="help_already_taken")
    if request.state is not HelpState.OPEN:
        raise Conflict(f"help request {request.id} is {request.state.value}", id=request.id,
                       state=request.state.value, code="help_not_open")
    request.state, request.taken_by, request.taken_at = HelpState.TAKEN, helper, now
    _record(hall, request)
    return [HelpTaken(id=request.id, where=request.where, taken_by=helper,
                      waited_minutes=request.waited_minutes(now))]


def finish_help(hall: Hall, request_id: str, helper: str, now: datetime) -> list[Event]:
    """The helper who took the call marks it done."""
    request = find_help(hall, request_id)
    if request.state is not HelpState.TAKEN:
        raise Conflict(f"help request {request.id} is {request.state.value}, not taken",
                       id=request.id, state=request.state.value, code="help_not_taken")
    if request.taken_by != helper:
        raise Forbidden(f"help request {request.id} was taken by {request.taken_by}, "
                        f"not {helper}", id=request.id, taken_by=request.taken_by,
                        code="help_taken_by_other")
    request.state, request.done_at = HelpState.DONE, now
    _record(hall, request)
    return [HelpFinished(id=request.id, by=helper)]


def cancel_unfinished_help(hall: Hall, now: datetime) -> int:
    """At the day's end, every call still open or taken is cancelled; how many."""
    cancelled = 0
    for request in hall.help_requests.values():
        if not request.state.is_final:
            request.state, request.done_at = HelpState.CANCELLED, now
            _record(hall, request)
            cancelled += 1
    return cancelled
