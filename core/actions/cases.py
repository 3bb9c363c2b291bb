"""Cases (受审分离): opened at acceptance, approved in the back office, picked up.

容缺受理: a case may be accepted with non-essential materials missing, on a
promise to supply them by a date; the case remembers what and by when.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.actions.back_office import case_parts, part_view
from core.cases import Case, CaseHistoryEntry, CaseStatus, PartStatus, new_case_token
from core.errors import Conflict, Invalid
from core.events import CaseApproved, CaseMaterialsSupplied, CaseOpened, CasePickedUp, Event
from core.hall import Hall
from core.opening import is_working_day, working_days_after
from core.printing import SlipPrint
from core.settings.schema import PoolKind
from core.tickets import Ticket
from core.windows import Window


@dataclass(frozen=True)
class CaseRequest:
    """What the clerk says about the case when finishing at a window.

    Whether a case opens is the matter's `opens_case` (`case_opens`), not the clerk's:
    `requested` (the finish request's `open_case: true`; a bare `CaseRequest()` asks,
    as it always did) is never needed, and is refused for a matter that opens no case
    and at a pickup window; `False` changes nothing (the matter's case opens anyway).
    `token` is the case page's token, made by the server (core makes one if not given)."""

    missing_materials: tuple[str, ...] = field(default_factory=tuple)
    supply_by: date | None = None
    requested: bool = True
    token: str = ""


def add_working_days(start: date, days: int) -> date:
    """Working days without a calendar: weekends do not count. A case's promised date
    uses the hall's calendar (`core.opening.working_days_after`: holidays, 调休)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def case_opens(hall: Hall, ticket: Ticket, window: Window, request: CaseRequest | None) -> bool:
    """受审分离 at the front desk: does finishing `ticket` at `window` open a case?
    Always for a matter (or a theme with a matter) that opens cases, at any window but
    a pickup (出件) window, whatever the clerk asked; never for a matter that opens none
    (asking is refused), nor at a pickup window (asking is refused)."""
    subject = hall.settings.subject(ticket.subject)
    requested = request is not None and request.requested
    if hall.pool_kind(window.pool) is PoolKind.PICKUP:
        if requested:
            raise Invalid("a pickup window hands out results; it does not open cases",
                          code="case_not_at_pickup")
        return False
    if not subject.opens_case and requested:
        raise Invalid(f"{subject.code} opens no case (opens_case = false): finish it "
                      f"without open_case", code="case_not_for_matter",
                      subject=subject.name)
    return subject.opens_case


def open_case(hall: Hall, ticket: Ticket, window: Window, request: CaseRequest,
              now: datetime) -> list[Event]:
    if hall.pool_kind(window.pool) is PoolKind.PICKUP:
        raise Invalid("a pickup window hands out results; it does not open cases",
                      code="case_not_at_pickup")
    subject = hall.settings.subject(ticket.subject)
    due = working_days_after(hall.settings, now.date(), subject.time_limit_days)
    check_supply_by(hall, request, now.date(), due)
    hall.case_counter += 1
    number = f"{hall.settings.code}{now:%Y%m%d}-{hall.case_counter:04d}"
    missing = list(dict.fromkeys(m.strip() for m in request.missing_materials if m.strip()))
    case = Case(number=number, ticket_id=ticket.ticket_id, subject=ticket.subject,
                window=window.number, clerk=window.clerk, opened_at=now, due_date=due,
                missing_materials=missing, supply_by=request.supply_by,
                token=request.token or new_case_token(),
                parts=case_parts(hall.settings, ticket.subject),
                history=[CaseHistoryEntry(now, "opened", window.clerk)])
    hall.cases[number] = case
    hall.touch(case)
    return [CaseOpened(case_number=number, ticket_number=ticket.number, subject=ticket.subject,
                       window=window.number, missing_materials=tuple(case.missing_materials),
                       supply_by=request.supply_by.isoformat() if request.supply_by else None,
                       due_date=case.due_date.isoformat())]


def check_supply_by(hall: Hall, request: CaseRequest, today: date, due: date) -> None:
    """容缺受理: missing materials need a supply-by date, a working day after today and
    not after the promised date (the case cannot be decided without them)."""
    supply_by = request.supply_by
    if not any(m.strip() for m in request.missing_materials):
        if supply_by is not None:
            raise Invalid("supply_by applies only with missing materials (容缺受理)",
                          code="supply_by_without_missing")
        return
    if supply_by is None:
        raise Invalid("容缺受理: missing materials need a date to supply them by (supply_by)",
                      code="supply_by_required")
    if supply_by <= today:
        raise Invalid(f"supply_by {supply_by.isoformat()} is not after today",
                      code="supply_by_not_future", supply_by=supply_by.isoformat())
    if not is_working_day(hall.settings, supply_by):
        raise Invalid(f"supply_by {supply_by.isoformat()} is not a working day",
                      code="supply_by_not_working_day", supply_by=supply_by.isoformat())
    if supply_by > due:
        raise Invalid(f"supply_by {supply_by.isoformat()} is after the promised date "
                      f"{due.isoformat()}", code="supply_by_after_due_date",
                      supply_by=supply_by.isoformat(), due_date=due.isoformat())


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


def approve_case(hall: Hall, case_number: str, now: datetime, by: str = "") -> list[Event]:
    """A manager approves the whole case: every part still in review (refused while a
    part waits for its correction, 补正). Departments approve parts (back_office.py)."""
    case = hall.case(case_number)
    if case.status is CaseStatus.NEEDS_CORRECTION:
        raise Conflict(f"case {case.number} waits for a correction (补正)",
                       code="case_needs_correction")
    if case.status is not CaseStatus.IN_REVIEW:
        raise Conflict(f"case {case.number} is already {case.status.value}",
                       code="case_already_decided", case_status=case.status.value)
    if case.missing_materials:
        raise Conflict(f"case {case.number} still misses {case.missing_materials} "
                       f"(容缺, due {case.supply_by})", code="case_materials_missing",
                       missing=", ".join(case.missing_materials))
    for part in case.parts:
        if part.status is PartStatus.IN_REVIEW:
            part.status, part.decided_by, part.approved_at = PartStatus.APPROVED, by, now
    case.history.append(CaseHistoryEntry(now, "approved", by))
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


# --- what the citizen is handed and shown ---------------------------------------------

def received_materials(settings, case: Case, language: str = "zh") -> tuple[str, ...]:
    """The checklist's materials handed in: all but the ones still missing (a missing
    material may be named by its id, its name or its label)."""
    missing = set(case.missing_materials)
    return tuple(need.label(language) for need in settings.checklist(case.subject)
                 if not missing & {need.id, need.name, need.label("zh"), need.label("en")})


def case_page_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/c/{token}"


def acceptance_slip(hall: Hall, case: Case, public_url: str, clerk_name: str = "",
                    language: str = "zh") -> SlipPrint:
    """受理通知书 of `case`, as the window's printer prints it (`core.printing.slip_lines`)."""
    subject = hall.settings.subject(case.subject)
    window = hall.windows.get(case.window)
    return SlipPrint(
        hall_name=hall.settings.name, case_number=case.number,
        subject_name=subject.name_en if language == "en" and subject.name_en else subject.name,
        received=received_materials(hall.settings, case, language),
        missing=tuple(case.missing_materials),
        supply_by=case.supply_by.isoformat() if case.supply_by else "",
        due_date=case.due_date.isoformat(), time_limit_days=subject.time_limit_days,
        page_url=case_page_url(public_url, case.token), accepted_at=case.opened_at,
        window_name=window.name if window else "", clerk_name=clerk_name, language=language)


def case_status(settings, case: Case, today: date, can_rate: bool) -> dict:
    """What the citizen's case page shows (GET /api/public/cases/<token>): no token, no
    ticket, no clerk."""
    subject = settings.subject(case.subject)
    return {"case_number": case.number, "subject": case.subject,
            "subject_name": subject.name, "subject_name_en": subject.name_en,
            "status": case.status.value, "opened_at": case.opened_at.isoformat(),
            "due_date": case.due_date.isoformat(),
            "received_materials": list(received_materials(settings, case)),
            "missing_materials": list(case.missing_materials),
            "supply_by": case.supply_by.isoformat() if case.supply_by else None,
            "materials_overdue": case.is_overdue_materials(today),
            "parts": [{key: view[key] for key in ("matter_name", "department_name", "status")}
                      | {"reason": view["reason"] if view["status"] == "returned" else ""}
                      for view in (part_view(settings, p) for p in case.parts)],
            "days_in_correction": case.days_in_correction,
            "can_rate": can_rate, "hall": settings.name}
