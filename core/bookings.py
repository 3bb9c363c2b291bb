"""Appointments (预约): a booked slot for a matter on a day, checked in at a kiosk.

A booking is found by its code: 8 characters drawn by the server from an alphabet
without look-alikes (no 0/O, 1/I/L; 31^8, about 8.5 × 10^11 codes), typed from the
screen or read from its QR code, which holds the booking page's address
(`{public_url}/book/<code>`). It holds the ID card only as a keyed digest
(`id_card_hash`, made by the server, the same on every day), so the kiosk can find
today's booking by the card and the per-ID limits can be counted; the digest is
blanked once the booking's day has passed.

Slots: on a working day from `hours.open` to `extended_until` (or `close`), on a
weekend service day from `open` to `close`, each `booking.slot_minutes` long, a slot
ending by then; none across the hall's lunch when it closes for lunch; none on
holidays and closed days. Each slot takes `capacity_of(subject)` people per subject.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from core.opening import APPOINTMENT, WORKING, day_kind
from core.settings.schema import HallSettings, PoolKind

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"    # no 0 O 1 I L: read aloud, typed safely
CODE_LENGTH = 8
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
TABLE = "bookings"           # where the server keeps them (hall.record_row)
_IN_URL = re.compile(r"/book/([A-Za-z0-9]+)/?(?:[?#].*)?$")


class BookingState(str, Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    MISSED = "missed"          # its day passed without a check-in

    @property
    def holds_a_place(self) -> bool:
        return self in (BookingState.BOOKED, BookingState.CHECKED_IN)


@dataclass(frozen=True)
class Slot:
    day: date
    start: int          # minutes after midnight
    end: int
    capacity: int
    left: int

    def public(self) -> dict:
        return {"day": self.day.isoformat(), "start": hhmm(self.start),
                "end": hhmm(self.end), "capacity": self.capacity, "left": self.left}


@dataclass(frozen=True)
class SlotInfo:
    """A slot as the server answers it: `server.client.HallClient.booking_slots`."""

    day: str            # 2026-11-24
    start: str          # 09:00
    end: str
    capacity: int
    left: int

    @classmethod
    def from_dict(cls, data: dict) -> SlotInfo:
        return cls(data["day"], data["start"], data["end"], data["capacity"], data["left"])


@dataclass
class Booking:
    code: str
    subject: str
    day: date
    start: int                  # minutes after midnight
    end: int
    state: BookingState
    id_card_hash: str           # keyed digest of the card; never the number
    created_at: datetime
    ticket: str = ""            # the appointment ticket's number, once checked in

    def slot_at(self, like: datetime) -> datetime:
        """The slot's start as a time in the hall's zone (that of `like`)."""
        return datetime.combine(self.day, time(self.start // 60, self.start % 60),
                                tzinfo=like.tzinfo)

    def public(self) -> dict:
        """What the citizen (and the kiosk) may see: no digest."""
        return {"code": self.code, "subject": self.subject, "day": self.day.isoformat(),
                "start": hhmm(self.start), "end": hhmm(self.end), "state": self.state.value,
                "ticket": self.ticket, "created_at": self.created_at.isoformat()}

    def row(self) -> dict:
        """Its row of the `bookings` table."""
        return {"code": self.code, "subject": self.subject, "day": self.day.isoformat(),
                "start": hhmm(self.start), "end": hhmm(self.end), "state": self.state.value,
                "id_card_hash": self.id_card_hash, "created_at": self.created_at.isoformat(),
                "ticket": self.ticket}

    @classmethod
    def from_row(cls, row: dict) -> Booking:
        return cls(code=row["code"], subject=row["subject"], day=date.fromisoformat(row["day"]),
                   start=minutes_of(row["start"]), end=minutes_of(row["end"]),
                   state=BookingState(row["state"]), id_card_hash=row["id_card_hash"] or "",
                   created_at=datetime.fromisoformat(row["created_at"]),
                   ticket=row["ticket"] or "")


@dataclass(frozen=True)
class BookingInfo:
    """A booking as the server answers it (`server.client` reads it back)."""

    code: str
    subject: str
    day: str
    start: str
    end: str
    state: str
    ticket: str
    created_at: str

    @classmethod
    def from_dict(cls, data: dict) -> BookingInfo:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes)


def is_code(text: str) -> bool:
    return _CODE.fullmatch(text) is not None


def normal_code(text: str) -> str:
    """A typed code as stored: upper case, spaces and dashes dropped."""
    return re.sub(r"[\s-]", "", text).upper()


def code_from_scan(text: str) -> str:
    """The booking code in what a kiosk read: a typed code ("k7m2 p9qx"), or the QR
    code's address (`http://hall/book/K7M2P9QX`). Empty if neither holds one."""
    text = text.strip()
    found = _IN_URL.search(text)
    candidate = normal_code(found.group(1) if found else text)
    return candidate if is_code(candidate) else ""


# --- slots -----------------------------------------------------------------------------

def bookable(settings: HallSettings, subject: str) -> bool:
    """Whether a matter or theme can be booked at all (pickups cannot; capacity 0)."""
    if not settings.has("subject", subject):
        return False
    found = settings.subject(subject)
    if settings.pool(found.pool).kind is PoolKind.PICKUP:
        return False
    return settings.booking.capacity_of(found.code, found.category) > 0


def slot_times(settings: HallSettings, day: date) -> list[tuple[int, int]]:
    """(start, end) of every slot of a day, in minutes after midnight."""
    hours, kind = settings.hours, day_kind(settings, day)
    if kind == WORKING:
        last = hours.extended_until or hours.close
    elif kind == APPOINTMENT:
        last = hours.close
    else:
        return []
    length = settings.booking.slot_minutes
    slots, start = [], hours.open
    while start + length <= last:
        across_lunch = (not hours.lunchtime_service and start < hours.lunch_end
                        and start + length > hours.lunch_start)
        if not across_lunch:
            slots.append((start, start + length))
        start += length
    return slots


def bookable_days(settings: HallSettings, now: datetime) -> list[date]:
    """Today and the next `days_ahead` days, those that have slots."""
    return [day for day in (now.date() + timedelta(days=n)
                            for n in range(settings.booking.days_ahead + 1))
            if slot_times(settings, day)]


def taken(bookings, subject: str, day: date, start: int, leaving: str = "") -> int:
    """Places of a slot held, not counting the booking `leaving` (one being changed)."""
    return sum(1 for b in bookings if b.subject == subject and b.day == day
               and b.start == start and b.state.holds_a_place and b.code != leaving)


def slots_of(settings: HallSettings, bookings, subject: str, day: date,
             now: datetime) -> list[Slot]:
    """A day's slots for a subject, with the places left; none that have begun."""
    if not bookable(settings, subject):
        return []
    found = settings.subject(subject)
    capacity = settings.booking.capacity_of(found.code, found.category)
    bookings = [b for b in bookings if b.day == day and b.subject == subject]
    out = []
    for start, end in slot_times(settings, day):
        if datetime.combine(day, time(start // 60, start % 60), tzinfo=now.tzinfo) <= now:
            continue
        out.append(Slot(day, start, end, capacity,
                        max(0, capacity - taken(bookings, subject, day, start))))
    return out


def expire_bookings(hall, service_day: str) -> int:
    """A new service day: bookings of earlier days leave the hall, those never checked
    in become `missed`, and their ID card digests are blanked. Returns how many missed."""
    missed = 0
    for booking in [b for b in hall.bookings.values() if b.day.isoformat() < service_day]:
        if booking.state is BookingState.BOOKED:
            booking.state = BookingState.MISSED
            missed += 1
        booking.id_card_hash = ""
        hall.record_row(TABLE, booking.code, booking.row())
        del hall.bookings[booking.code]
    return missed
