"""Cases (受审分离, 容缺受理) from the front desk to pickup, and their parts' 审批 in the
back office."""
from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True)
class CaseOpened(Event):
    case_number: str
    ticket_number: str
    subject: str
    window: int
    missing_materials: tuple
    supply_by: str | None
    due_date: str
    form: str = ""        # a self-service form's code (自助办理: no ticket, window 0)


@dataclass(frozen=True)
class CaseMaterialsSupplied(Event):
    case_number: str
    materials: tuple
    still_missing: tuple


@dataclass(frozen=True)
class CaseApproved(Event):
    case_number: str


@dataclass(frozen=True)
class CasePickedUp(Event):
    case_number: str
    window: int


# 审批 in the back office (core/actions/back_office.py) ---------------------------------

@dataclass(frozen=True)
class CasePartApproved(Event):
    case_number: str
    matter: str
    department: str
    by: str


@dataclass(frozen=True)
class CasePartReturned(Event):
    """补正: a part sent back to the citizen; the promised-date clock stops."""

    case_number: str
    matter: str
    department: str
    reason: str
    by: str


@dataclass(frozen=True)
class CasePartResubmitted(Event):
    """The correction brought; the part is in review again, the date moved."""

    case_number: str
    matter: str
    days_in_correction: int     # working days added to the promised date by this return
    due_date: str
