"""The typed shape of a hall's configuration (config/*.toml).

Everything here is immutable data; `core.settings_loader` turns TOML text into
these objects and names the line and field of every mistake.
Times of day are "HH:MM" strings in the file and minutes after midnight here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Priority(str, Enum):
    """Priority classes, in the order strict-priority policies serve them."""

    GREEN = "green"            # 绿色通道: disabled people, key projects, staff-set
    ELDERLY = "elderly"        # 适老化: set by rule from the ID card's age
    APPOINTMENT = "appointment"  # 预约: checked in near the booked slot
    NORMAL = "normal"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.GREEN: 0, Priority.ELDERLY: 1, Priority.APPOINTMENT: 2,
                  Priority.NORMAL: 3}


class PoolKind(str, Enum):
    ACCEPTANCE = "acceptance"      # 综合受理
    PICKUP = "pickup"              # 出件
    COORDINATION = "coordination"  # 协调联络
    GREEN = "green"                # 绿色通道


@dataclass(frozen=True)
class Category:
    """A matter category; its prefix numbers the tickets (A001, B014 ...)."""

    code: str
    prefix: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Matter:
    """One administrative matter (事项) a citizen can come for."""

    code: str
    name: str
    name_en: str
    category: str                  # Category.code
    pool: str                      # Pool.code of the pool that accepts it
    materials: tuple[str, ...]     # 一次性告知: every required material
    time_limit_days: int           # 承诺时限, working days promised
    service_minutes: float         # expected time at the window, before history is learned
    opens_case: bool = True        # 受审分离: acceptance opens a back-office case


@dataclass(frozen=True)
class Theme:
    """一件事: one thing in the citizen's eyes, bundling several matters."""

    code: str
    name: str
    name_en: str
    matters: tuple[str, ...]       # Matter.code, at least two
    category: str                  # the category whose prefix and skill serve it
    pool: str


@dataclass(frozen=True)
class Pool:
    code: str
    name: str
    name_en: str
    kind: PoolKind


@dataclass(frozen=True)
class WindowSpec:
    """A numbered window: its home pool, extra pools, and weighted skills."""

    number: int
    name: str
    pool: str                           # home pool (primary duties)
    skills: dict[str, float]            # Category.code -> weight in (0, 1]
    also_serves: tuple[str, ...] = ()   # other pools it helps when its own is quiet
    lunch_break: tuple[int, int] | None = None  # minutes after midnight, staggered per window


@dataclass(frozen=True)
class Hours:
    open: int                     # minutes after midnight
    close: int
    lunch_start: int
    lunch_end: int
    lunchtime_service: bool       # 午间不打烊: staggered lunch breaks instead of closing
    extended_until: int | None    # 延时服务
    weekend_days: tuple[str, ...] = ()  # days with (appointment) service


@dataclass(frozen=True)
class Rules:
    recall_cooldown_seconds: int = 15
    max_recalls: int = 3
    tickets_per_id_per_day: int = 5
    elderly_age: int = 65
    appointment_early_minutes: int = 10   # an appointment may be called this early
    policy: str = "balanced"


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8750
    database: str = "var/hall.db"
    threads: int = 256
    synchronous: str = "NORMAL"   # SQLite PRAGMA synchronous; FULL survives power loss too
    public_url: str = "http://127.0.0.1:8750"


@dataclass(frozen=True)
class Device:
    name: str
    kind: str        # printer, led, keypad, rating_pad, id_reader, speaker
    url: str         # serial://, loop://, fake://, file://, tcp://
    window: int | None = None


@dataclass(frozen=True)
class Credential:
    """A device or person and the hash of the token they present.

    Tokens are long random strings, so a SHA-256 hash ("sha256:<hex>") is enough:
    it cannot be brute-forced the way a short password could.
    """

    name: str
    role: str          # kiosk, clerk, manager, display
    token_hash: str    # "sha256:<64 hex digits>"
    display_name: str = ""


@dataclass(frozen=True)
class HallSettings:
    name: str
    name_en: str
    code: str                      # short code used in case numbers
    timezone: str
    language: str
    hours: Hours
    rules: Rules
    server: ServerSettings
    categories: tuple[Category, ...]
    matters: tuple[Matter, ...]
    themes: tuple[Theme, ...]
    pools: tuple[Pool, ...]
    windows: tuple[WindowSpec, ...]
    devices: tuple[Device, ...] = ()
    credentials: tuple[Credential, ...] = ()
    # Lookups by code, rebuilt by __post_init__ (also after dataclasses.replace).
    _index: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update(
            category={c.code: c for c in self.categories},
            matter={m.code: m for m in self.matters},
            theme={t.code: t for t in self.themes},
            pool={p.code: p for p in self.pools},
            window={w.number: w for w in self.windows},
        )

    def category(self, code: str) -> Category:
        return self._index["category"][code]

    def matter(self, code: str) -> Matter:
        return self._index["matter"][code]

    def theme(self, code: str) -> Theme:
        return self._index["theme"][code]

    def pool(self, code: str) -> Pool:
        return self._index["pool"][code]

    def window(self, number: int) -> WindowSpec:
        return self._index["window"][number]

    def has(self, kind: str, key) -> bool:
        return key in self._index[kind]

    def materials(self, subject: str) -> tuple[str, ...]:
        """一次性告知: every material a matter or a 一件事 theme needs, told up front."""
        if self.has("theme", subject):
            return self.theme_materials(subject)
        return self.matter(subject).materials

    def theme_materials(self, theme_code: str) -> tuple[str, ...]:
        """One merged, de-duplicated checklist for a 一件事 theme, in first-seen order."""
        seen: dict[str, None] = {}
        for matter_code in self.theme(theme_code).matters:
            for material in self.matter(matter_code).materials:
                seen.setdefault(material, None)
        return tuple(seen)
