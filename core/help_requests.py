"""呼叫帮办: a citizen at a kiosk calls a floor helper. Not a window ticket: a queue of its own.

A kiosk raises a request with where it stands and why; a helper takes it (only one
helper can), walks over and marks it done. The manager sees the open ones and how
long each waited (from raised until taken). Requests left at the day's end are
cancelled with the day.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import Enum

# Why a citizen calls for help (the kiosk offers these as buttons; `note` says more)
REASONS = ("cannot_find_matter", "needs_assistance", "device_problem", "other")
NOTE_LENGTH = 200
WHERE_LENGTH = 64


class HelpState(str, Enum):
    OPEN = "open"               # waiting for a helper
    TAKEN = "taken"             # a helper is on the way
    DONE = "done"
    CANCELLED = "cancelled"     # the day ended first

    @property
    def is_final(self) -> bool:
        return self in (HelpState.DONE, HelpState.CANCELLED)


@dataclass(frozen=True)
class HelpRequestInfo:
    """A help request as clients see it (JSON on the wire; `server.client` reads it back).
    `waited_minutes`: from raised until taken, or until now while still open."""

    id: str
    where: str
    reason: str
    note: str
    state: str
    raised_by: str
    raised_at: str
    taken_by: str
    taken_at: str | None
    done_at: str | None
    waited_minutes: float

    @classmethod
    def from_dict(cls, data: dict) -> HelpRequestInfo:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass
class HelpRequest:
    id: str                     # "H20261123-007": the day and its running number
    where: str                  # the kiosk's place, as the helper will look for it
    reason: str                 # one of REASONS
    note: str
    raised_by: str              # the kiosk's name
    raised_at: datetime
    state: HelpState = HelpState.OPEN
    taken_by: str = ""          # the helper's log-in name
    taken_at: datetime | None = None
    done_at: datetime | None = None

    def waited_minutes(self, now: datetime) -> float:
        if self.taken_at is not None:
            until = self.taken_at
        elif self.state is HelpState.OPEN:
            until = now
        else:                           # cancelled before anyone took it
            until = self.done_at or now
        return round(max(0.0, (until - self.raised_at).total_seconds() / 60), 1)

    def info(self, now: datetime) -> HelpRequestInfo:
        return HelpRequestInfo(
            id=self.id, where=self.where, reason=self.reason, note=self.note,
            state=self.state.value, raised_by=self.raised_by,
            raised_at=self.raised_at.isoformat(), taken_by=self.taken_by,
            taken_at=self.taken_at.isoformat() if self.taken_at else None,
            done_at=self.done_at.isoformat() if self.done_at else None,
            waited_minutes=self.waited_minutes(now))

    def public(self, now: datetime) -> dict:
        return asdict(self.info(now))


def help_request_id(service_day: str, number: int) -> str:
    return f"H{service_day.replace('-', '')}-{number:03d}"
