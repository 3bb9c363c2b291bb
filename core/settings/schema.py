"""The typed shape of a hall's configuration (config/*.toml).

Everything here is immutable data; `core.settings.loader` turns TOML text into
these objects and names the line and field of every mistake.
Times of day are "HH:MM" strings in the file and minutes after midnight here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from core.settings.advisor import AdvisorConfig
from core.settings.board import BoardSettings
from core.settings.calendar import BookingSettings, Calendar
from core.settings.departments import Department
from core.settings.forms import Form
from core.settings.kiosk import KioskSettings
from core.settings.materials import Material, MaterialNeed, checklist
from core.settings.people import PeopleSettings
from core.settings.ratings import RatingSettings
from core.settings.voice import VoiceSettings


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


# Who may call the server: devices (kiosk, display, a window's 好差评 rating pad) and
# people (clerk, manager, and helper: a floor helper answering kiosks' calls, 呼叫帮办;
# back_office: 审批 staff deciding cases, who never call or act at windows).
# keypad: a keypad bridge (`yichuang keypads`), acting at the windows whose [[devices]]
# of kind keypad it owns, as the clerk logged in there.
ROLES = ("kiosk", "clerk", "manager", "display", "rating_pad", "helper", "back_office",
         "keypad")


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
    materials: tuple[str, ...]     # 一次性告知: material ids ([[materials]]) or bare names
    time_limit_days: int           # 承诺时限, working days promised
    service_minutes: float         # expected time at the window, before history is learned
    opens_case: bool = True        # 受审分离: acceptance opens a back-office case
    real_name: bool = False        # 实名取号: a number only with an ID card (防黄牛)


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
class Subject:
    """What a ticket is for, resolved once: a matter, or a 一件事 theme over its matters.

    A theme takes its category and pool from the config, its one checklist computed
    from its matters' (一次性告知: each material once, nothing the theme produces; see
    core.settings.materials), its expected service time as the sum of theirs, and its
    promised time limit as the longest of theirs.
    """

    code: str
    name: str
    name_en: str
    category: str
    pool: str
    is_theme: bool
    matters: tuple[str, ...]       # the matter itself, or the theme's matters
    checklist: tuple[MaterialNeed, ...]
    service_minutes: float
    time_limit_days: int
    opens_case: bool
    real_name: bool


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
    # its clerk's hours when not the hall's (minutes after midnight): it calls from the
    # first and nobody after the second (core.forecast.availability)
    shift: tuple[int, int] | None = None


@dataclass(frozen=True)
class Hours:
    open: int                     # minutes after midnight
    close: int
    lunch_start: int
    lunch_end: int
    lunchtime_service: bool       # 午间不打烊: staggered lunch breaks instead of closing
    extended_until: int | None    # 延时服务
    weekend_days: tuple[str, ...] = ()  # days with (appointment) service
    # Opening hours (core.opening): window tickets from this long before `open` ...
    tickets_before_open_minutes: int = 0
    # ... until this long before `close` (no window ticket too late to be served)
    ticket_cutoff_minutes: int = 0
    # days of the week the hall is closed; None: Saturday and Sunday, less weekend_days
    closed_weekdays: tuple[str, ...] | None = None
    refuse_outside_hours: bool = True   # false: numbers at any time (hours kept by hand)


@dataclass(frozen=True)
class Rules:
    recall_cooldown_seconds: int = 15
    max_recalls: int = 3
    tickets_per_id_per_day: int = 5
    # 防黄牛: numbers one kiosk (or one network address) may issue a minute; a device
    # past its limit is refused and the managers are alarmed
    tickets_per_device_per_minute: int = 12
    tickets_per_address_per_minute: int = 20
    elderly_age: int = 65
    # 预约: an appointment ranks as one (may be called) from this many minutes before its slot
    appointment_call_early_minutes: int = 10
    # 预约签到: check-in at a kiosk opens this long before the slot and closes this long after
    appointment_check_in_opens_minutes: int = 120
    appointment_check_in_closes_minutes: int = 30
    policy: str = "balanced"
    # 不让一人久等: a ticket whose wait plus its priority credit passes this many minutes
    # is overdue and goes before everything but older overdue tickets (`balanced`)
    max_wait_guard_minutes: int = 90
    # 过号: a no-show put back in line (once, the same day) goes behind this many
    # waiting people of its pool
    requeue_after: int = 3
    # 待叫: a clerk who pressed "call next" when nobody waited gets the next citizen who
    # comes for the window, called at once, for this many minutes; 0: never (press again)
    ready_minutes: int = 15


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8750
    database: str = "var/hall.db"
    threads: int = 256
    synchronous: str = "FULL"     # SQLite PRAGMA synchronous: FULL survives a power cut
    public_url: str = "http://127.0.0.1:8750"
    # The ID-card HMAC key, kept out of the database and its backups; "" means the
    # database's path with the suffix .key (var/hall.db -> var/hall.key).
    key_file: str = ""


@dataclass(frozen=True)
class Device:
    name: str
    kind: str        # printer, led, keypad, rating_pad, id_reader, speaker
    url: str         # serial://, loop://, fake://, file://, tcp://
    window: int | None = None
    owner: str = ""  # the credential (a kiosk, a display) that drives it and reports its health


@dataclass(frozen=True)
class Credential:
    """A device or person and the hash of the token they present.

    Tokens are long random strings, so a SHA-256 hash ("sha256:<hex>") is enough:
    it cannot be brute-forced the way a short password could.
    """

    name: str
    role: str          # one of ROLES
    token_hash: str    # "sha256:<64 hex digits>"
    display_name: str = ""
    window: int | None = None   # a rating pad's window: it rates only what that window served


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
    kiosk: KioskSettings = KioskSettings()
    materials: tuple[Material, ...] = ()
    calendar: Calendar = Calendar()
    booking: BookingSettings = BookingSettings()
    forms: tuple[Form, ...] = ()          # 自助办理: self-service forms (core.settings.forms)
    board: BoardSettings = BoardSettings()   # the calling board (core.settings.board)
    voice: VoiceSettings = VoiceSettings()   # the loudspeaker (core.settings.voice)
    people: PeopleSettings = PeopleSettings()  # people's log-in (core.settings.people)
    departments: tuple[Department, ...] = ()   # the back office (core.settings.departments)
    ratings: RatingSettings = RatingSettings()   # 好差评 pads (core.settings.ratings)
    advisor: AdvisorConfig = AdvisorConfig()     # the pool advisor (core.settings.advisor)
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
        known = {m.id: m for m in self.materials}
        self._index["material"] = known
        self._index["subject"] = {
            **{m.code: _matter_subject(m, known) for m in self.matters},
            **{t.code: _theme_subject(t, self._index["matter"], known) for t in self.themes},
        }

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

    def subject(self, code: str) -> Subject:
        """The matter or 一件事 theme with this code; KeyError if it is neither."""
        return self._index["subject"][code]

    def has(self, kind: str, key) -> bool:
        """kind: category, matter, theme, subject (a matter or a theme), pool, window."""
        return key in self._index[kind]

    def checklist(self, subject: str) -> tuple[MaterialNeed, ...]:
        """一次性告知: every material a matter or a 一件事 theme needs, told up front."""
        return self.subject(subject).checklist

    def material_labels(self, subject: str, language: str = "zh") -> tuple[str, ...]:
        """The checklist as lines to read: "公司章程（原件1份）"."""
        return tuple(need.label(language) for need in self.checklist(subject))

    def department_of(self, matter: str) -> str:
        """The code of the department deciding `matter`'s cases ("" if none is set)."""
        found = self._index["matter"].get(matter)
        if found is None:
            return ""
        return next((d.code for d in self.departments if matter in d.matters), None) or next(
            (d.code for d in self.departments if found.category in d.categories), "")

    def department(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)

    def pool_of_kind(self, kind: PoolKind) -> str | None:
        """The code of the first pool of this kind, or None."""
        return next((p.code for p in self.pools if p.kind is kind), None)


def _matter_subject(matter: Matter, known: dict[str, Material]) -> Subject:
    return Subject(matter.code, matter.name, matter.name_en, matter.category, matter.pool,
                   False, (matter.code,), checklist([(matter.code, matter.materials)], known),
                   matter.service_minutes, matter.time_limit_days, matter.opens_case,
                   matter.real_name)


def _theme_subject(theme: Theme, matters: dict[str, Matter],
                   known: dict[str, Material]) -> Subject:
    parts = [matters[code] for code in theme.matters if code in matters]
    return Subject(theme.code, theme.name, theme.name_en, theme.category, theme.pool, True,
                   theme.matters, checklist([(m.code, m.materials) for m in parts], known),
                   sum(m.service_minutes for m in parts),
                   max((m.time_limit_days for m in parts), default=0),
                   any(m.opens_case for m in parts), any(m.real_name for m in parts))
