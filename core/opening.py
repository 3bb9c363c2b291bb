"""Opening hours: what the hall offers at a moment, and working days for promised dates.

A day is one of four kinds:
- `holiday`: a public holiday of `[calendar] holidays` (法定节假日): closed;
- `working`: Monday to Friday, or a 调休 day of `[calendar] working_days`: window
  tickets from `hours.tickets_before_open_minutes` before `open` until
  `hours.ticket_cutoff_minutes` before `close`; appointment check-ins and pickup
  tickets from the same start until `extended_until` (延时服务), else `close`;
- `appointment`: a day of `hours.weekend_days` (周六预约服务): appointment check-ins
  only, within the day's opening hours;
- `closed`: a day of the week in `hours.closed_weekdays` (by default Saturday and
  Sunday, less the weekend service days).

`opening(settings, now)` says what is open now and, if window tickets are not, why
and when they are next. `working_days_after(settings, start, n)` counts n working
days (承诺时限) after `start`: holidays do not count, 调休 days do, the hall's own
closed days and weekend service days change nothing (the promise is the law's).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.errors import Conflict
from core.settings.schema import HallSettings

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORKING, APPOINTMENT, CLOSED, HOLIDAY = "working", "appointment", "closed", "holiday"
# why window tickets are not issued now (Opening.reason)
CLOSED_DAY, HOLIDAY_REASON, APPOINTMENT_DAY = "closed_day", "holiday", "appointment_day"
BEFORE_OPENING, AFTER_CUTOFF, AFTER_CLOSING = "before_opening", "after_cutoff", "after_closing"
LOOK_AHEAD_DAYS = 60


@dataclass(frozen=True)
class Opening:
    """What the hall offers at one moment (times are the hall's, None when not today)."""

    day_kind: str                    # working, appointment, closed, holiday
    windows_open: bool               # window (walk-in) tickets may be taken now
    appointments_open: bool          # appointment check-ins
    pickup_open: bool                # pickup (出件) tickets
    reason: str                      # "" when window tickets are open, else why not
    next_opening: datetime | None    # when window tickets are next taken (None: now)
    opens_at: datetime | None        # today's opening time of the windows
    cutoff_at: datetime | None       # today's last window ticket
    closes_at: datetime | None       # today's closing time of the windows
    extended_until: datetime | None  # today's last appointment check-in or pickup ticket

    def public(self) -> dict:
        """As JSON: times ISO 8601 or null."""
        def iso(value: datetime | None) -> str | None:
            return value.isoformat(timespec="minutes") if value else None
        return {"day_kind": self.day_kind, "windows_open": self.windows_open,
                "appointments_open": self.appointments_open, "pickup_open": self.pickup_open,
                "reason": self.reason, "next_opening": iso(self.next_opening),
                "opens_at": iso(self.opens_at), "cutoff_at": iso(self.cutoff_at),
                "closes_at": iso(self.closes_at), "extended_until": iso(self.extended_until)}


@dataclass(frozen=True)
class OpeningInfo:
    """`Opening` as the server answers it (`GET /api/opening`): times as ISO 8601 text."""

    day_kind: str
    windows_open: bool
    appointments_open: bool
    pickup_open: bool
    reason: str
    next_opening: str | None
    opens_at: str | None
    cutoff_at: str | None
    closes_at: str | None
    extended_until: str | None

    @classmethod
    def from_dict(cls, data: dict) -> OpeningInfo:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def closed_weekdays(settings: HallSettings) -> tuple[str, ...]:
    hours = settings.hours
    if hours.closed_weekdays is not None:
        return hours.closed_weekdays
    return tuple(d for d in ("saturday", "sunday") if d not in hours.weekend_days)


def day_kind(settings: HallSettings, day: date) -> str:
    calendar = settings.calendar
    if day in calendar.holidays:
        return HOLIDAY
    if day in calendar.working_days:
        return WORKING
    name = WEEKDAYS[day.weekday()]
    if name in settings.hours.weekend_days:
        return APPOINTMENT
    if name in closed_weekdays(settings):
        return CLOSED
    return WORKING


def is_working_day(settings: HallSettings, day: date) -> bool:
    """A working day of the law (承诺时限): not a holiday; Monday to Friday or 调休."""
    calendar = settings.calendar
    if day in calendar.holidays:
        return False
    return day in calendar.working_days or day.weekday() < 5


def working_days_after(settings: HallSettings, start: date, days: int) -> date:
    """The date `days` working days after `start` (0: `start` itself)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(settings, current):
            days -= 1
    return current


def _at(day: date, minutes: int, like: datetime) -> datetime:
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=like.tzinfo)


def tickets_from(settings: HallSettings, day: date, like: datetime) -> datetime:
    """When window tickets start on a working day."""
    hours = settings.hours
    return _at(day, max(0, hours.open - hours.tickets_before_open_minutes), like)


def next_window_opening(settings: HallSettings, now: datetime) -> datetime | None:
    """The next moment from `now` on at which window tickets are taken (None if no
    working day within 60 days)."""
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = now.date() + timedelta(days=offset)
        if day_kind(settings, day) != WORKING:
            continue
        start = tickets_from(settings, day, now)
        if start >= now:
            return start
    return None


def opening(settings: HallSettings, now: datetime) -> Opening:
    hours = settings.hours
    today = now.date()
    kind = day_kind(settings, today)
    start = tickets_from(settings, today, now)
    opens_at = closes_at = cutoff_at = extended = None
    windows = appointments = pickup = False
    reason = {HOLIDAY: HOLIDAY_REASON, CLOSED: CLOSED_DAY, APPOINTMENT: APPOINTMENT_DAY
              }.get(kind, "")
    if kind in (WORKING, APPOINTMENT):
        opens_at, closes_at = _at(today, hours.open, now), _at(today, hours.close, now)
    if kind == WORKING:
        cutoff_at = _at(today, hours.close - hours.ticket_cutoff_minutes, now)
        extended = _at(today, hours.extended_until or hours.close, now)
        windows = start <= now < cutoff_at
        appointments = pickup = start <= now < extended
        if now < start:
            reason = BEFORE_OPENING
        elif now >= closes_at:
            reason = AFTER_CLOSING
        elif now >= cutoff_at:
            reason = AFTER_CUTOFF
    elif kind == APPOINTMENT:
        extended = closes_at
        appointments = start <= now < closes_at
    next_opening = None if windows else next_window_opening(settings, now)
    return Opening(kind, windows, appointments, pickup, reason, next_opening, opens_at,
                   cutoff_at, closes_at, extended)


WINDOW, APPOINTMENT_TICKET, PICKUP = "window", "appointment", "pickup"


def check_open_for(settings: HallSettings, what: str, now: datetime) -> None:
    """Refuse a ticket of this kind (window, appointment, pickup) outside its hours:
    `Conflict` with code `after_cutoff`, `holiday_closed` or `outside_hours` (details:
    `reason`, `opens_at` "HH:MM" and `day` of the next window opening, when known)."""
    if not settings.hours.refuse_outside_hours:
        return
    now_open = opening(settings, now)
    if {WINDOW: now_open.windows_open, APPOINTMENT_TICKET: now_open.appointments_open,
            PICKUP: now_open.pickup_open}[what]:
        return
    reason = now_open.reason
    if what != WINDOW and not (what == PICKUP and now_open.day_kind == APPOINTMENT):
        if now_open.day_kind in (WORKING, APPOINTMENT):       # outside its own hours
            before = now < tickets_from(settings, now.date(), now)
            reason = BEFORE_OPENING if before else AFTER_CLOSING
    following = now_open.next_opening
    details = {"reason": reason, "opens_at": f"{following:%H:%M}" if following else "",
               "day": following.date().isoformat() if following else ""}
    if what == WINDOW and reason == AFTER_CUTOFF:
        raise Conflict(f"no more window tickets today: they stop at {now_open.cutoff_at:%H:%M}, "
                       f"{settings.hours.ticket_cutoff_minutes} minutes before closing",
                       code="after_cutoff", cutoff=f"{now_open.cutoff_at:%H:%M}", **details)
    if reason == HOLIDAY_REASON:
        raise Conflict(f"the hall is closed for a public holiday on {now.date().isoformat()}",
                       code="holiday_closed", **details)
    raise Conflict(f"{what} tickets are not issued now ({reason}); window tickets next from "
                   f"{details['opens_at'] or '?'} on {details['day'] or '?'}",
                   code="outside_hours", **details)
