"""Rows of the hall's tables <-> the domain's entities."""
from __future__ import annotations

import json
from datetime import date, datetime

from core.cases import Case, CaseHistoryEntry, CasePart, CaseStatus
from core.settings.schema import Priority
from core.tickets import HistoryEntry, Origin, Ticket, TicketState
from core.windows import Window


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def ticket_row(ticket: Ticket) -> dict:
    called, started, finished = (ticket.first("called"), ticket.last("started"),
                                 ticket.last("finished"))
    return {
        "id": ticket.ticket_id, "service_day": ticket.service_day, "number": ticket.number,
        "subject": ticket.subject, "is_theme": int(ticket.is_theme),
        "category": ticket.category, "pool": ticket.pool, "priority": ticket.priority.value,
        "origin": ticket.origin.value, "state": ticket.state.value, "window": ticket.window,
        "clerk": ticket.clerk, "pinned_window": ticket.pinned_window, "recalls": ticket.recalls,
        "issued_at": _iso(ticket.issued_at), "queue_since": _iso(ticket.queue_since),
        "last_called_at": _iso(ticket.last_called_at), "called_at": _iso(called),
        "started_at": _iso(started), "finished_at": _iso(finished),
        "wait_seconds": ticket.waited_seconds(),
        "service_seconds": ((finished - started).total_seconds()
                            if finished and started and ticket.state is TicketState.FINISHED
                            else None),
        "phone_token": ticket.phone_token, "id_card_hash": ticket.id_card_hash,
        "appointment_slot": _iso(ticket.appointment_slot), "case_number": ticket.case_number,
        "holder_name": ticket.holder_name,
        "history": json.dumps([h.to_dict() for h in ticket.history], ensure_ascii=False),
        "eta_minutes": ticket.eta_minutes, "eta_people_ahead": ticket.eta_people_ahead,
    }


def ticket_from_row(row: dict) -> Ticket:
    return Ticket(
        number=row["number"], service_day=row["service_day"], subject=row["subject"],
        is_theme=bool(row["is_theme"]), category=row["category"], pool=row["pool"],
        priority=Priority(row["priority"]), origin=Origin(row["origin"]),
        issued_at=_when(row["issued_at"]), queue_since=_when(row["queue_since"]),
        phone_token=row["phone_token"], id_card_hash=row["id_card_hash"] or "",
        appointment_slot=_when(row["appointment_slot"]), case_number=row["case_number"] or "",
        state=TicketState(row["state"]), window=row["window"], clerk=row["clerk"] or "",
        pinned_window=row["pinned_window"], recalls=row["recalls"] or 0,
        last_called_at=_when(row["last_called_at"]), holder_name=row.get("holder_name") or "",
        history=[HistoryEntry.from_dict(h) for h in json.loads(row["history"])],
        eta_minutes=row.get("eta_minutes"), eta_people_ahead=row.get("eta_people_ahead"))


def window_row(window: Window, service_day: str) -> dict:
    return {
        "number": window.number, "service_day": service_day, "pool": window.pool,
        "status": window.status.value, "pause_reason": window.pause_reason,
        "clerk": window.clerk, "current": window.current,
        "parked": json.dumps(window.parked), "served_today": window.served_today,
        "helping": json.dumps(window.helping), "paused_at": window.paused_at,
        "lunch_taken": int(window.lunch_taken), "ready_since": window.ready_since,
    }


def case_row(case: Case) -> dict:
    return {
        "number": case.number, "ticket_id": case.ticket_id, "subject": case.subject,
        "window": case.window, "clerk": case.clerk, "status": case.status.value,
        "opened_at": _iso(case.opened_at), "due_date": _iso(case.due_date),
        "missing_materials": json.dumps(case.missing_materials, ensure_ascii=False),
        "supply_by": _iso(case.supply_by), "approved_at": _iso(case.approved_at),
        "picked_up_at": _iso(case.picked_up_at), "token": case.token,
        "parts": json.dumps([p.to_dict() for p in case.parts], ensure_ascii=False),
        "history": json.dumps([h.to_dict() for h in case.history], ensure_ascii=False),
        "clock_stopped_at": _iso(case.clock_stopped_at) or "",
        "days_in_correction": case.days_in_correction,
    }


def case_from_row(row: dict) -> Case:
    return Case(
        number=row["number"], ticket_id=row["ticket_id"], subject=row["subject"],
        window=row["window"], clerk=row["clerk"] or "", opened_at=_when(row["opened_at"]),
        due_date=date.fromisoformat(row["due_date"]),
        missing_materials=json.loads(row["missing_materials"] or "[]"),
        supply_by=date.fromisoformat(row["supply_by"]) if row["supply_by"] else None,
        status=CaseStatus(row["status"]), approved_at=_when(row["approved_at"]),
        picked_up_at=_when(row["picked_up_at"]), token=row.get("token") or "",
        parts=[CasePart.from_dict(p) for p in json.loads(row.get("parts") or "[]")],
        history=[CaseHistoryEntry.from_dict(h) for h in json.loads(row.get("history") or "[]")],
        clock_stopped_at=_when(row.get("clock_stopped_at")),
        days_in_correction=row.get("days_in_correction") or 0)
