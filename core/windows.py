"""A window's live state: open or not, who sits there, whom it serves now."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from core.settings import WindowSpec


class WindowStatus(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


@dataclass
class Window:
    spec: WindowSpec
    pool: str                               # the manager may move a window between pools
    status: WindowStatus = WindowStatus.CLOSED
    pause_reason: str = ""
    clerk: str = ""                         # credential name of the logged-in clerk
    current: str = ""                       # number of the ticket called or served here
    parked: list[str] = field(default_factory=list)
    served_today: int = 0

    @property
    def number(self) -> int:
        return self.spec.number

    @property
    def name(self) -> str:
        return self.spec.name

    def public(self) -> dict:
        return {
            "number": self.number, "name": self.name, "pool": self.pool,
            "status": self.status.value, "pause_reason": self.pause_reason,
            "clerk": self.clerk, "current": self.current, "parked": list(self.parked),
            "skills": dict(self.spec.skills), "also_serves": list(self.spec.also_serves),
            "served_today": self.served_today,
        }
