"""Cases (受审分离): opened at acceptance, approved in the back office, picked up.

容缺受理: a case may be accepted with non-essential materials missing, on a
promise to supply them by a date; the case remembers what and by when.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.cases import Case, CaseStatus
from core.errors import Conflict, Invalid
from core.events import CaseApproved, CaseMaterialsSupplied, CaseOpened, CasePickedUp, Event
from core.hall import Hall
from core.opening import working_days_after
from core.settings.schema import PoolKind
from core.tickets import Ticket
from core.windows import Window


@dataclass(frozen=True)
class CaseRequest:
    missing_materials: tuple[str, ...] = field(default_factory=tuple)
    supply_by: date | None = None


def add_working_days(start: date, days: int) -> date:
    """Working days without a calendar: weekends do not count. A case's promised date
    uses the hall's calendar (`core.opening.working_days_after`: holidays, 调休)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def open_case(hall: Hall, ticket: Ticket, window: Window, request: CaseRequest,
              now: datetime) -> list[Event]:
    if hall.pool_kind(window.pool) is PoolKind.PICKUP:
        raise Invalid("a pickup window hands out results; it does not open cases")
    if request.missing_materials and request.supply_by is None:
        raise Invalid("容缺受理: missing materials need a date to supply them by (supply_by)")
    if request.supply_by is not None and request.supply_by < now.date():
        raise Invalid(f"supply_by {request.supply_by.isoformat()} is in the past")
    hall.case_counter += 1
    number = f"{hall.settings.code}{now:%Y%m%d}-{hall.case_counter:04d}"
    case = Case(number=number, ticket_id=ticket.ticket_id, subject=ticket.subject,
                window=window.number, clerk=window.clerk, opened_at=now,
                due_date=working_days_after(
                    hall.settings, now.date(),
                    hall.settings.subject(ticket.subject).time_limit_days),
                missing_materials=list(request.missing_materials), supply_by=request.supply_by)
    hall.cases[number] = case
    hall.touch(case)
    return [CaseOpened(case_number=number, ticket_number=ticket.number, subject=ticket.subject,
                       window=window.number, missing_materials=tuple(case.missing_materials),
                       supply_by=request.supply_by.isoformat() if request.supply_by else None,
                       due_date=case.due_date.isoformat())]


def supply_materials(hall: Hall, case_number: str, materials: list[str],
                     now: datetime) -> list[Event]:
    case = hall.case(case_number)
    unknown = [m for m in materials if m not in case.missing_materials]
    if not materials or unknown:
        raise Invalid(f"case {case.number} is not missing {unknown or 'anything named'}; "
                      f"missing: {case.missing_materials}")
    case.missing_materials = [m for m in case.missing_materials if m not in materials]
    hall.touch(case)
    return [CaseMaterialsSupplied(case_number=case.number, materials=tuple(materials),
                                  still_missing=tuple(case.missing_materials))]


def approve_case(hall: Hall, case_number: str, now: datetime) -> list[Event]:
    case = hall.case(case_number)
    if case.status is not CaseStatus.IN_REVIEW:
        raise Conflict(f"case {case.number} is already {case.status.value}")
    if case.missing_materials:
        raise Conflict(f"case {case.number} still misses {case.missing_materials} "
                       f"(容缺, due {case.supply_by})")
    case.status, case.approved_at = CaseStatus.READY, now
    hall.touch(case)
    return [CaseApproved(case_number=case.number)]


def close_pickup(hall: Hall, case_number: str, window: Window, now: datetime) -> list[Event]:
    case = hall.cases.pop(case_number, None)
    if case is None:
        return []
    case.status, case.picked_up_at = CaseStatus.PICKED_UP, now
    hall.touch(case)
    return [CasePickedUp(case_number=case.number, window=window.number)]


def overdue_cases(hall: Hall, today: date) -> list[Case]:
    return [c for c in hall.cases.values() if c.is_overdue_materials(today)]


def pickup_ticket_for(hall: Hall, case_number: str) -> Ticket | None:
    case = hall.case(case_number)
    if case.status is not CaseStatus.READY:
        raise Conflict(f"case {case.number} is {case.status.value}, not ready for pickup")
    return next((t for t in hall.tickets.values()
                 if t.case_number == case.number and not t.state.is_final), None)
