"""The pool advisor's advice as the hall keeps it: what was advised, and what became of it.

`core.advisor` computes an `Advice`; the server records it here (`core.actions.advice`),
persists it with the day (the `advice` table) and a manager accepts or dismisses it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from core.windows import clock_text


class AdviceState(str, Enum):
    OPEN = "open"              # waiting for a manager
    ACCEPTED = "accepted"      # applied (by a manager, or by the advisor itself)
    DISMISSED = "dismissed"    # a manager said no
    WITHDRAWN = "withdrawn"    # a later assessment replaced it, or it no longer applies


KINDS = ("move", "help")       # move: the window changes home pool; help: it also serves


@dataclass
class AdviceRecord:
    """One advice of today: `advice` is `core.advisor.Advice.as_dict()` (with `kind`)."""

    id: str
    advice: dict
    issued_at: str                      # ISO 8601, the hall's local time
    state: AdviceState = AdviceState.OPEN
    decided_by: str = ""                # who accepted or dismissed it ("advisor": itself)
    decided_at: str = ""

    @property
    def kind(self) -> str:
        return self.advice.get("kind", "move")

    @property
    def window(self) -> int:
        return int(self.advice["window"])

    def public(self) -> dict:
        """The advice as GET /api/advice answers it: times as "HH:MM", waits in minutes."""
        advice = {k: round(v, 1) if isinstance(v, float) else v
                  for k, v in self.advice.items()} | {"kind": self.kind}
        advice["at"] = clock_text(self.advice.get("at"))
        advice["until"] = clock_text(self.advice.get("until"))
        return {"id": self.id, "state": self.state.value, "issued_at": self.issued_at,
                "decided_by": self.decided_by, "decided_at": self.decided_at,
                **{k: v for k, v in advice.items() if k != "id"}}

    def row(self, service_day: str) -> dict:
        return {"id": self.id, "service_day": service_day, "kind": self.kind,
                "window": self.window, "state": self.state.value,
                "advice": json.dumps(self.advice, ensure_ascii=False),
                "issued_at": self.issued_at, "decided_by": self.decided_by,
                "decided_at": self.decided_at}

    @classmethod
    def from_row(cls, row: dict) -> AdviceRecord:
        return cls(row["id"], json.loads(row["advice"]), row["issued_at"],
                   AdviceState(row["state"]), row["decided_by"] or "", row["decided_at"] or "")
