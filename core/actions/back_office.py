"""审批 in the back office: a case's parts decided by their departments (并联审批),
returned for correction (补正) and resubmitted; what the back office lists and reads.

A case has one part per matter that opens a case (a single matter's case: one part),
each decided by the matter's department (`HallSettings.department_of`). The case is
ready for pickup when every part is approved; it needs correction while any part is
returned.

补正期间不计入承诺时限: while any part of a case is returned, the promised-date clock
stops. When the last returned part is resubmitted, the promised date moves by the
working days spent in correction: the working days after the day of the return up to
and including the day of the resubmission (returned and brought back the same day: no
day added). docs/cases.md.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from core.cases import Case, CaseHistoryEntry, CasePart, CaseStatus, PartStatus
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import (
    CaseApproved,
    CasePartApproved,
    CasePartResubmitted,
    CasePartReturned,
    Event,
)
from core.hall import Hall
from core.opening import is_working_day, working_days_after

REASON_MAX_LENGTH = 200


def case_parts(settings, subject: str) -> list[CasePart]:
    """The parts a new case of `subject` splits into: one per matter that opens a case
    (all its matters if none does: a self-service form may open a case for any)."""
    matters = settings.subject(subject).matters
    deciding = [m for m in matters if settings.matter(m).opens_case] or list(matters)
    return [CasePart(m, settings.department_of(m)) for m in deciding]


def working_days_between(settings, start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if `end` <= `start`)."""
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        days += is_working_day(settings, current)
    return days


def settle_status(case: Case, now: datetime) -> list[Event]:
    """The case's status from its parts: needs correction while a part is returned,
    ready (CaseApproved) once every part is approved, else in review."""
    if case.status in (CaseStatus.READY, CaseStatus.PICKED_UP) or not case.parts:
        return []
    if any(p.status is PartStatus.RETURNED for p in case.parts):
        case.status = CaseStatus.NEEDS_CORRECTION
    elif all(p.status is PartStatus.APPROVED for p in case.parts):
        case.status, case.approved_at = CaseStatus.READY, now
        return [CaseApproved(case_number=case.number)]
    else:
        case.status = CaseStatus.IN_REVIEW
    return []


def _part(hall: Hall, case_number: str, matter: str, department: str | None) -> tuple:
    """The case and its part, checked: the part exists, `department` (None: a manager,
    any department) decides it, and the case is not decided yet."""
    case = hall.case(case_number)
    part = case.part(matter)
    if part is None:
        raise NotFound(f"case {case.number} has no part for matter {matter!r}",
                       code="case_part_unknown", case_number=case.number, matter=matter)
    if department is not None and part.department != department:
        raise Forbidden(f"the part {matter} of case {case.number} is decided by department "
                        f"{part.department!r}, not {department!r}",
                        code="case_part_other_department", department=part.department)
    if case.status in (CaseStatus.READY, CaseStatus.PICKED_UP):
        raise Conflict(f"case {case.number} is already {case.status.value}",
                       code="case_already_decided", case_status=case.status.value)
    return case, part


def approve_part(hall: Hall, case_number: str, matter: str, by: str,
                 department: str | None, now: datetime) -> list[Event]:
    """A back-office person of the part's department (or a manager) approves it; the
    case is ready when it was the last part in review."""
    case, part = _part(hall, case_number, matter, department)
    if part.status is PartStatus.APPROVED:
        raise Conflict(f"the part {matter} of case {case.number} is already approved",
                       code="case_part_already_approved")
    if part.status is PartStatus.RETURNED:
        raise Conflict(f"the part {matter} of case {case.number} waits for its correction",
                       code="case_part_returned", reason=part.reason)
    if case.missing_materials:
        raise Conflict(f"case {case.number} still misses {case.missing_materials} "
                       f"(容缺, due {case.supply_by})", code="case_materials_missing",
                       missing=", ".join(case.missing_materials))
    part.status, part.decided_by, part.approved_at = PartStatus.APPROVED, by, now
    case.history.append(CaseHistoryEntry(now, "approved", by, matter))
    events: list[Event] = [CasePartApproved(case_number=case.number, matter=matter,
                                            department=part.department, by=by)]
    events += settle_status(case, now)
    hall.touch(case)
    return events


def return_part(hall: Hall, case_number: str, matter: str, reason: str, by: str,
                department: str | None, now: datetime) -> list[Event]:
    """补正: the part goes back to the citizen with `reason`; the clock stops."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid("a return for correction needs its reason", code="return_reason_required",
                      field="reason")
    case, part = _part(hall, case_number, matter, department)
    if part.status is not PartStatus.IN_REVIEW:
        code = ("case_part_already_approved" if part.status is PartStatus.APPROVED
                else "case_part_returned")
        raise Conflict(f"the part {matter} of case {case.number} is {part.status.value}",
                       code=code, reason=part.reason)
    part.status, part.returned_at = PartStatus.RETURNED, now
    part.reason = reason[:REASON_MAX_LENGTH]
    if case.clock_stopped_at is None:
        case.clock_stopped_at = now
    case.history.append(CaseHistoryEntry(now, "returned", by, matter, part.reason))
    settle_status(case, now)
    hall.touch(case)
    return [CasePartReturned(case_number=case.number, matter=matter,
                             department=part.department, reason=part.reason, by=by)]


def resubmit_part(hall: Hall, case_number: str, matter: str, note: str, by: str,
                  now: datetime) -> list[Event]:
    """The citizen brought the correction (to a clerk): the part is in review again.
    When no part is left returned, the clock runs again and the promised date moves
    by the working days it stood still."""
    case, part = _part(hall, case_number, matter, None)
    if part.status is not PartStatus.RETURNED:
        raise Conflict(f"the part {matter} of case {case.number} was not returned",
                       code="case_part_not_returned", part_status=part.status.value)
    part.status, part.resubmitted_at = PartStatus.IN_REVIEW, now
    days = 0
    if case.clock_stopped_at is not None and not any(
            p.status is PartStatus.RETURNED for p in case.parts):
        days = working_days_between(hall.settings, case.clock_stopped_at.date(), now.date())
        case.due_date = working_days_after(hall.settings, case.due_date, days)
        case.days_in_correction += days
        case.clock_stopped_at = None
    note = " ".join((note or "").split())[:REASON_MAX_LENGTH]
    case.history.append(CaseHistoryEntry(now, "resubmitted", by, matter, note))
    settle_status(case, now)
    hall.touch(case)
    return [CasePartResubmitted(case_number=case.number, matter=matter,
                                days_in_correction=days, due_date=case.due_date.isoformat())]


# --- what the back office lists and reads ------------------------------------------------

def overdue_reasons(case: Case, today: date) -> list[str]:
    """Why a case is overdue: "past_due_date" (in review after its promised date),
    "materials_overdue" (容缺 materials past their date)."""
    return ([r for r, late in (("past_due_date", case.is_past_due(today)),
                               ("materials_overdue", case.is_overdue_materials(today))) if late])


def office_cases(hall: Hall, department: str | None, today: date, status: str = "",
                 matter: str = "", overdue: bool = False) -> list[Case]:
    """The open cases a department decides a part of (None: every case), oldest first;
    filtered by the case's status, a matter among its parts, and overdue."""
    found = []
    for case in hall.cases.values():
        parts = [p for p in case.parts if department is None or p.department == department]
        if department is not None and not parts:
            continue
        if status and case.status.value != status:
            continue
        if matter and not any(p.matter == matter for p in case.parts) and case.subject != matter:
            continue
        if overdue and not overdue_reasons(case, today):
            continue
        found.append(case)
    return sorted(found, key=lambda c: (c.opened_at, c.number))


def _department_name(settings, code: str, language: str) -> str:
    department = settings.department(code) if code else None
    return department.label(language) if department else code


def _matter_name(settings, code: str, language: str) -> str:
    subject = settings.subject(code) if settings.has("subject", code) else None
    if subject is None:
        return code
    return subject.name_en if language == "en" and subject.name_en else subject.name


def part_view(settings, part: CasePart, language: str = "zh") -> dict:
    return {"matter": part.matter, "matter_name": _matter_name(settings, part.matter, language),
            "department": part.department,
            "department_name": _department_name(settings, part.department, language),
            "status": part.status.value, "reason": part.reason,
            "returned_at": part.returned_at.isoformat() if part.returned_at else None,
            "resubmitted_at": part.resubmitted_at.isoformat() if part.resubmitted_at else None,
            "decided_by": part.decided_by,
            "approved_at": part.approved_at.isoformat() if part.approved_at else None}


def case_summary(settings, case: Case, today: date, language: str = "zh") -> dict:
    """A row of the back office's list."""
    return {"number": case.number, "subject": case.subject,
            "subject_name": _matter_name(settings, case.subject, language),
            "status": case.status.value, "opened_at": case.opened_at.isoformat(),
            "due_date": case.due_date.isoformat(),
            "missing_materials": list(case.missing_materials),
            "supply_by": case.supply_by.isoformat() if case.supply_by else None,
            "overdue": overdue_reasons(case, today),
            "parts": [part_view(settings, p, language) for p in case.parts]}


def case_detail(settings, case: Case, today: date, received: tuple[str, ...],
                language: str = "zh") -> dict:
    """One case as the back office opens it: the matter, materials received and missing,
    parts with their departments, history."""
    return {**case_summary(settings, case, today, language),
            "received_materials": list(received), "window": case.window,
            "clerk": case.clerk, "days_in_correction": case.days_in_correction,
            "clock_stopped_since": (case.clock_stopped_at.isoformat()
                                    if case.clock_stopped_at else None),
            "history": [h.to_dict() for h in case.history]}
