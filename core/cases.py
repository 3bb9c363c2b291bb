"""Cases (办件): accepted at the front desk, approved in the back office, picked up."""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from enum import Enum


class CaseStatus(str, Enum):
    IN_REVIEW = "in_review"     # with the back office
    NEEDS_CORRECTION = "needs_correction"   # 补正: a part was returned to the citizen
    READY = "ready"             # approved: the result waits at the 出件 window
    PICKED_UP = "picked_up"


@dataclass(frozen=True)
class CaseInfo:
    """A case as clients see it (JSON on the wire; `server.client` reads it back)."""

    number: str
    subject: str
    status: str
    window: int
    opened_at: str
    due_date: str
    missing_materials: tuple[str, ...]
    supply_by: str | None
    approved_at: str | None
    picked_up_at: str | None
    token: str = ""             # the case page's token (/c/<token>): staff answers only
    parts: tuple = ()           # 并联审批: {matter, department, status, reason} per part
    days_in_correction: int = 0  # working days the promised date moved for 补正

    @classmethod
    def from_dict(cls, data: dict) -> CaseInfo:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["missing_materials"] = tuple(values["missing_materials"])
        values["parts"] = tuple(values.get("parts", ()))
        return cls(**values)


class PartStatus(str, Enum):
    IN_REVIEW = "in_review"
    RETURNED = "returned"       # 补正: sent back to the citizen with a reason
    APPROVED = "approved"


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass
class CasePart:
    """One matter of a case and the department deciding it (并联审批: a theme's case has
    one part per matter that opens a case; a single matter's case has one)."""

    matter: str
    department: str             # "" when the hall lists no departments
    status: PartStatus = PartStatus.IN_REVIEW
    reason: str = ""            # the last return's reason (补正), kept after resubmission
    returned_at: datetime | None = None
    resubmitted_at: datetime | None = None
    decided_by: str = ""        # who approved it
    approved_at: datetime | None = None

    def to_dict(self) -> dict:
        return {"matter": self.matter, "department": self.department,
                "status": self.status.value, "reason": self.reason,
                "returned_at": self.returned_at.isoformat() if self.returned_at else None,
                "resubmitted_at": (self.resubmitted_at.isoformat()
                                   if self.resubmitted_at else None),
                "decided_by": self.decided_by,
                "approved_at": self.approved_at.isoformat() if self.approved_at else None}

    @classmethod
    def from_dict(cls, data: dict) -> CasePart:
        return cls(data["matter"], data["department"], PartStatus(data["status"]),
                   data.get("reason", ""), _time(data.get("returned_at")),
                   _time(data.get("resubmitted_at")), data.get("decided_by", ""),
                   _time(data.get("approved_at")))


@dataclass
class CaseHistoryEntry:
    """What happened to a case in the back office: opened, approved, returned, resubmitted."""

    at: datetime
    action: str
    by: str = ""
    matter: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "action": self.action, "by": self.by,
                "matter": self.matter, "note": self.note}

    @classmethod
    def from_dict(cls, data: dict) -> CaseHistoryEntry:
        return cls(datetime.fromisoformat(data["at"]), data["action"], data.get("by", ""),
                   data.get("matter", ""), data.get("note", ""))


def new_case_token() -> str:
    """An unguessable token for the citizen's case page (/c/<token>), as a phone token."""
    return secrets.token_urlsafe(16)


@dataclass
class Case:
    number: str                 # "WH20261122-0007"
    ticket_id: str
    subject: str
    window: int
    clerk: str
    opened_at: datetime
    due_date: date              # 承诺时限: the promised completion date
    missing_materials: list[str] = field(default_factory=list)   # 容缺受理
    supply_by: date | None = None
    status: CaseStatus = CaseStatus.IN_REVIEW
    approved_at: datetime | None = None
    picked_up_at: datetime | None = None
    token: str = ""             # unguessable: opens the citizen's case page /c/<token>
    parts: list[CasePart] = field(default_factory=list)        # 并联审批
    history: list[CaseHistoryEntry] = field(default_factory=list)
    clock_stopped_at: datetime | None = None   # 补正: since when a part is with the citizen
    days_in_correction: int = 0                # working days added to the promised date

    def part(self, matter: str) -> CasePart | None:
        return next((p for p in self.parts if p.matter == matter), None)

    def is_past_due(self, today: date) -> bool:
        """Past the promised date while the back office has it (not while 补正 stops the
        clock: the date moves when the correction comes back)."""
        return self.status is CaseStatus.IN_REVIEW and today > self.due_date

    def is_overdue_materials(self, today: date) -> bool:
        if not self.missing_materials or self.supply_by is None:
            return False
        return today > self.supply_by

    def info(self) -> CaseInfo:
        return CaseInfo(
            number=self.number, subject=self.subject, status=self.status.value,
            window=self.window, opened_at=self.opened_at.isoformat(),
            due_date=self.due_date.isoformat(),
            missing_materials=tuple(self.missing_materials),
            supply_by=self.supply_by.isoformat() if self.supply_by else None,
            approved_at=self.approved_at.isoformat() if self.approved_at else None,
            picked_up_at=self.picked_up_at.isoformat() if self.picked_up_at else None,
            token=self.token,
            parts=tuple({"matter": p.matter, "department": p.department,
                         "status": p.status.value, "reason": p.reason} for p in self.parts),
            days_in_correction=self.days_in_correction)

    def public(self, with_token: bool = False) -> dict:
        """As JSON; the page token only for the staff who hand it to the citizen."""
        data = asdict(self.info())
        if not with_token:
            data["token"] = ""
        return data
