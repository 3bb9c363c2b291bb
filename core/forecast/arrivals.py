"""The citizens who have not come yet: an arrival model learned from past days.

The forward projection (`core.forecast.eta.forecast`) runs the real policy over the
tickets waiting now; tickets that come later and overtake (green, elderly,
appointments, and under `balanced` short matters) make that projection early. This
module expects them.

`ArrivalModel` learns, per (matter, priority), how many tickets come in each hour of
the day, averaged over the past days it has seen (never the day being predicted):

    model = ArrivalModel.from_records(
        (day, seconds_after_midnight, matter, priority, appointment_slot_or_None)
        for ... in past_tickets)
    model.observe(day, seconds, matter, priority)           # online, a finished day's
    model.rate(matter, priority, hour)                      # tickets an hour
    model.rate(matter, priority, hour, weekday=0)           # ... on a Monday

A hall's Monday is not its Friday. When the day labels are dates (`date` or ISO
"YYYY-MM-DD", as the server's service days are), the model also counts per weekday,
and `rate(..., weekday=)` / `schedule(..., weekday=)` blend the same weekday's mean
with the all-days mean, the latter weighted as `WEEKDAY_PRIOR_DAYS` days:
(n × weekday mean + 2 × all-days mean) / (n + 2) for n past days of that weekday. With
a month of history (four Mondays) a Monday is two thirds its own; with none, it is the
all-days mean. Other labels (the simulator's day numbers) have no weekday.

`model.schedule(place)` turns the rates into one deterministic day of virtual
`WaitingTicket`s (`ArrivalSchedule`). Each (matter, priority) stream's expected count
from midnight, Λ(t), is piecewise linear (constant rate within an hour); its k-th
virtual ticket comes when Λ(t) reaches k - 1 + φ, where φ in (0, 1] is the stream's
phase. Phases are spread over the streams (golden-ratio sequence), so a stream
expected 0.3 times a day appears on about 30% of streams like it, and the day's total
stays close to the expectation however thinly it is split; the schedule does not
depend on the moment it is asked, so successive estimates agree with each other.

Appointments booked in advance are known to the hall (`core.bookings`: a booking's
slot; the simulator's `TraceTicket.appointment_slot`): pass them to
`schedule.after(now, bookings=...)` and build the schedule with
`appointments=False` so that they are not counted twice. A booked citizen is expected
`model.appointment_lead_seconds` before the slot (learned from past check-ins).

    schedule = model.schedule(lambda matter: (category, pool), appointments=False)
    arrivals = schedule.after(now, bookings=[(slot_seconds, matter), ...])
    forecast(waiting, windows, now, policy, minutes, arrivals=arrivals)

Virtual tickets' ids begin with `VIRTUAL_PREFIX` ("~"), which no real number does.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from typing import Callable, Hashable, Iterable, Sequence

from core.allocation.interface import WaitingTicket
from core.settings.schema import Priority

HOURS = 24
VIRTUAL_PREFIX = "~"
DEFAULT_LEAD_SECONDS = 450.0     # a booked citizen checks in this long before the slot
_GOLDEN = 0.6180339887498949
WEEKDAY_PRIOR_DAYS = 2.0         # the all-days mean counts as this many days of a weekday

Place = Callable[[str], tuple[str, str]]    # matter -> (category, pool)


class ArrivalModel:
    """Tickets an hour per (matter, priority) and hour of day, over the days observed."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, Priority], list[float]] = {}
        self._days: set = set()
        # the same per weekday (0 = Monday), for days labelled with a date
        self._weekday_counts: dict[int, dict[tuple[str, Priority], list[float]]] = {}
        self._weekday_days: dict[int, set] = {}
        self._lead_sum = 0.0
        self._lead_count = 0

    @classmethod
    def from_records(cls, records: Iterable[Sequence]) -> ArrivalModel:
        """A model from past tickets: (day, seconds after midnight, matter, priority[,
        appointment slot in seconds]). `day` is any label of the service day."""
        model = cls()
        for record in records:
            model.observe(*record)
        return model

    def observe(self, day: Hashable, arrival: float, matter: str, priority: Priority | str,
                appointment_slot: float | None = None) -> None:
        """One ticket of a past day `day`, issued at `arrival` (seconds after midnight)."""
        priority = Priority(priority)
        hour = min(max(int(arrival // 3600), 0), HOURS - 1)
        _count(self._counts, (matter, priority), hour)
        self._add_day(day)
        weekday = weekday_of(day)
        if weekday is not None:
            _count(self._weekday_counts.setdefault(weekday, {}), (matter, priority), hour)
        if appointment_slot is not None and priority is Priority.APPOINTMENT:
            self._lead_sum += max(0.0, appointment_slot - arrival)
            self._lead_count += 1

    def observe_day(self, day: Hashable, records: Iterable[Sequence]) -> None:
        """A whole past day: (seconds, matter, priority[, appointment slot]) per ticket.
        A day with no ticket still counts as a day."""
        self._add_day(day)
        for record in records:
            self.observe(day, *record)

    def _add_day(self, day: Hashable) -> None:
        self._days.add(day)
        weekday = weekday_of(day)
        if weekday is not None:
            self._weekday_days.setdefault(weekday, set()).add(day)

    @property
    def days(self) -> int:
        return len(self._days)

    def weekdays(self, weekday: int) -> int:
        """How many past days of `weekday` (0 = Monday) the model has seen."""
        return len(self._weekday_days.get(weekday, ()))

    @property
    def appointment_lead_seconds(self) -> float:
        """Mean time from a booked citizen's check-in to the slot, in past days."""
        if not self._lead_count:
            return DEFAULT_LEAD_SECONDS
        return self._lead_sum / self._lead_count

    def rate(self, matter: str, priority: Priority | str, hour: int,
             weekday: int | None = None) -> float:
        """Expected tickets of this matter and priority issued in `hour` (0-23) of a day
        (of `weekday`, 0 = Monday, if given: see the module doc)."""
        key = (matter, Priority(priority))
        counts = self._counts.get(key)
        if counts is None or not self._days:
            return 0.0
        every_day = counts[hour] / len(self._days)
        same_days = self.weekdays(weekday) if weekday is not None else 0
        if not same_days:
            return every_day
        same = self._weekday_counts.get(weekday, {}).get(key)   # a weekday without tickets
        same_count = same[hour] if same is not None else 0.0
        return ((same_count + WEEKDAY_PRIOR_DAYS * every_day)
                / (same_days + WEEKDAY_PRIOR_DAYS))

    def streams(self) -> list[tuple[str, Priority]]:
        return sorted(self._counts, key=lambda key: (key[0], key[1].rank))

    def schedule(self, place: Place, appointments: bool = True,
                 weekday: int | None = None) -> ArrivalSchedule:
        """The expected day as virtual tickets (see the module doc). `place` gives a
        matter's (category, pool); matters it does not know (KeyError) are left out.
        `appointments=False` leaves out appointments: pass the bookings instead.
        `weekday` (0 = Monday): the day's rates lean on the same weekday's past days."""
        tickets: list[WaitingTicket] = []
        lead = self.appointment_lead_seconds
        for index, (matter, priority) in enumerate(self.streams()):
            if priority is Priority.APPOINTMENT and not appointments:
                continue
            try:
                category, pool = place(matter)
            except KeyError:
                continue
            phase = 1.0 - ((index + 1) * _GOLDEN) % 1.0     # in (0, 1]
            rates = [self.rate(matter, priority, hour, weekday) for hour in range(HOURS)]
            for k, at in enumerate(_crossings(rates, phase)):
                slot = at + lead if priority is Priority.APPOINTMENT else None
                tickets.append(WaitingTicket(
                    f"{VIRTUAL_PREFIX}{matter}~{priority.value}~{k}", matter, category, pool,
                    priority, at, slot))
        tickets.sort(key=lambda t: (t.queue_since, t.ticket_id))
        return ArrivalSchedule(tuple(tickets), place, lead)


def weekday_of(day: Hashable) -> int | None:
    """The weekday (0 = Monday) of a day label that is a date or an ISO date, else None."""
    if isinstance(day, date):
        return day.weekday()
    if isinstance(day, str):
        try:
            return date.fromisoformat(day).weekday()
        except ValueError:
            return None
    return None


def _count(table: dict, key: tuple, hour: int) -> None:
    counts = table.get(key)
    if counts is None:
        counts = table[key] = [0.0] * HOURS
    counts[hour] += 1.0


def _crossings(rates: Sequence[float], phase: float) -> list[float]:
    """Times (seconds) at which the cumulative expectation reaches phase, phase + 1, ..."""
    found, before, target = [], 0.0, phase
    for hour, rate in enumerate(rates):
        if rate <= 0.0:
            continue
        after = before + rate
        while target <= after:
            found.append(3600.0 * (hour + (target - before) / rate))
            target += 1.0
        before = after
    return found


@dataclass(frozen=True)
class ArrivalSchedule:
    """One expected day of virtual tickets, sorted by arrival (`queue_since`)."""

    tickets: tuple[WaitingTicket, ...]
    place: Place
    appointment_lead_seconds: float

    def after(self, now: float, until: float | None = None,
              bookings: Iterable[tuple[float, str]] = ()) -> list[WaitingTicket]:
        """The virtual tickets expected after `now` (and by `until`), with one appointment
        ticket per booking (slot in seconds after midnight, matter) not checked in yet:
        expected at its slot less the lead, or now if that has passed."""
        def arrival(ticket: WaitingTicket) -> float:
            return ticket.queue_since
        start = bisect.bisect_right(self.tickets, now, key=arrival)
        stop = (len(self.tickets) if until is None
                else bisect.bisect_right(self.tickets, until, key=arrival))
        found = list(self.tickets[start:stop])
        booked = []
        for index, (slot, matter) in enumerate(bookings):
            at = max(now, slot - self.appointment_lead_seconds)
            if until is not None and at > until:
                continue
            try:
                category, pool = self.place(matter)
            except KeyError:
                continue
            booked.append(WaitingTicket(f"{VIRTUAL_PREFIX}booked~{index}", matter, category,
                                        pool, Priority.APPOINTMENT, at, slot))
        if booked:
            found.extend(booked)
            found.sort(key=lambda t: (t.queue_since, t.ticket_id))
        return found


def is_virtual(ticket_id: str) -> bool:
    return ticket_id.startswith(VIRTUAL_PREFIX)
