"""Appointments (预约)."""
from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True)
class BookingMade(Event):
    subject: str
    day: str              # 2026-11-24
    start: str            # 09:30
    end: str


@dataclass(frozen=True)
class BookingCancelled(Event):
    subject: str
    day: str
    start: str
    by: str               # "citizen" (the booking page) or a member of staff


@dataclass(frozen=True)
class BookingChanged(Event):
    subject: str
    day: str
    start: str
    previous_day: str
    previous_start: str


@dataclass(frozen=True)
class BookingCheckedIn(Event):
    subject: str
    day: str
    start: str
    number: str           # the appointment ticket issued
