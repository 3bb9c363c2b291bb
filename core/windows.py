"""A window's live state: open or not, who sits there, whom it serves now."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum

from core.settings.schema import WindowSpec

# The standard reasons for a pause: a board may show these (午休, 会议 ...); any other
# reason a clerk types is theirs and the managers', and the board shows 暂停服务 only.
PAUSE_REASONS = ("lunch", "break", "meeting", "training", "system_fault")


class WindowStatus(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


@dataclass(frozen=True)
class WindowInfo:
    """A window as clients see it (JSON on the wire; `server.client` reads it back)."""

    number: int
    name: str
    pool: str
    status: str
    pause_reason: str
    clerk: str
    current: str
    parked: tuple[str, ...]
    skills: dict
    also_serves: tuple[str, ...]
    served_today: int

    @classmethod
    def from_dict(cls, data: dict) -> WindowInfo:
        values = {f.name: data[f.name] for f in fields(cls)}
        values["parked"], values["also_serves"] = (tuple(values["parked"]),
                                                   tuple(values["also_serves"]))
        return cls(**values)


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

    def info(self) -> WindowInfo:
        return WindowInfo(
            number=self.number, name=self.name, pool=self.pool, status=self.status.value,
            pause_reason=self.pause_reason, clerk=self.clerk, current=self.current,
            parked=tuple(self.parked), skills=dict(self.spec.skills),
            also_serves=tuple(self.spec.also_serves), served_today=self.served_today)

    def public(self) -> dict:
        return dict(self.info().__dict__)   # flat: a shallow copy is the JSON (asdict is slow)
