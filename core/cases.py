"""Cases (办件): accepted at the front desk, approved in the back office, picked up."""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from enum import Enum


class CaseStatus(str, Enum):
    IN_REVIEW = "in_review"     # with the back office
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

    @classmethod
    def from_dict(cls, data: dict) -> CaseInfo:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["missing_materials"] = tuple(values["missing_materials"])
        return cls(**values)


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
            token=self.token)

    def public(self, with_token: bool = False) -> dict:
        """As JSON; the page token only for the staff who hand it to the citizen."""
        data = asdict(self.info())
        if not with_token:
            data["token"] = ""
        return data
