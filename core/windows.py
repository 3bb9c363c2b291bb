"""A window's live state: open or not, who sits there, whom it serves now."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum

from core.settings.schema import WindowSpec

# The standard reasons for a pause: a board may show these (午休, 会议 ...); any other
# reason a clerk types is theirs and the managers', and the board shows 暂停服务 only.
PAUSE_REASONS = ("lunch", "break", "meeting", "training", "system_fault")


def clock_text(seconds: float | None) -> str | None:
    """Seconds after midnight as "HH:MM" (None stays None)."""
    if seconds is None:
        return None
    minutes = int(seconds // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


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
    # pools the window helps for now besides its own: pool -> "HH:MM" it stops, or None
    helping: dict = field(default_factory=dict)
    # 待叫: "HH:MM" since which its clerk waits for the next citizen (pressed "call next"
    # and nobody waited; the next ticket it may serve is called here at once), or None
    ready: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> WindowInfo:
        values = {f.name: data[f.name] for f in fields(cls)
                  if f.name not in ("helping", "ready")}
        values["helping"] = dict(data.get("helping") or {})
        values["ready"] = data.get("ready")
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
    # 协同: pools the window serves for now besides its home pool (core.actions.staffing
    # help_pool): pool -> until (seconds after midnight) or None for the rest of the day
    helping: dict[str, float | None] = field(default_factory=dict)
    # when it paused (seconds after midnight): the forecast expects it back after the
    # pause's usual length (core.forecast.availability.expected_return)
    paused_at: float | None = None
    # it paused for lunch today: the forecast expects no further break of it
    lunch_taken: bool = False
    # 待叫: since when (seconds after midnight) its clerk waits for the next citizen: they
    # pressed "call next" and nobody waited (core.actions.serving.call_ready_windows)
    ready_since: float | None = None

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
            also_serves=tuple(self.spec.also_serves), served_today=self.served_today,
            helping={pool: clock_text(until) for pool, until in self.helping.items()},
            ready=clock_text(self.ready_since))

    def public(self) -> dict:
        return dict(self.info().__dict__)   # flat: a shallow copy is the JSON (asdict is slow)
