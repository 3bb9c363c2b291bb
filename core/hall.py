"""The hall's live state for one service day, and the queries on it.

The actions that change it live in `core.actions`; each returns the events it
caused and leaves the entities it touched in `Hall.changes` for the server to
persist in the same transaction.

The wait estimator is handed in (`core.forecast.live.WaitEstimator` in the
server): the hall asks it for estimates but does not import it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from core.advice_records import AdviceRecord
from core.allocation import policy_params, window_view_of
from core.allocation.interface import HallContext, WaitingTicket, WindowView
from core.bookings import Booking, BookingState
from core.cases import Case
from core.clock import seconds_of_day
from core.devices import DeviceHealth
from core.errors import Conflict, NotFound
from core.forecast.arrivals import ArrivalModel, ArrivalSchedule, weekday_of
from core.forecast.ranges import RangeCalibrator
from core.forecast.service_times import ServiceTimeModel
from core.help_requests import HelpRequest
from core.settings.schema import HallSettings, PoolKind
from core.tickets import Ticket, TicketState
from core.windows import PAUSE_REASONS, Window, WindowStatus

Estimate = tuple[int, float | None]     # (people ahead, minutes to wait or None)


class Estimator(Protocol):
    """What the hall needs of a wait estimator (see core.forecast.live)."""

    def all(self, hall: Hall, now: datetime) -> dict[str, Estimate]: ...

    def for_new_ticket(self, hall: Hall, ticket: Ticket, now: datetime) -> Estimate: ...


class NoEstimates:
    """An estimator that knows nothing: for a hall loaded only to be read or compared."""

    def all(self, hall: Hall, now: datetime) -> dict[str, Estimate]:
        return {}

    def for_new_ticket(self, hall: Hall, ticket: Ticket, now: datetime) -> Estimate:
        return 0, None


@dataclass
class Changes:
    """Entities touched by one action, to be written in its transaction."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    windows: dict[int, Window] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    ratings: list[dict] = field(default_factory=list)
    # rows of the smaller tables (bookings, help requests, device health ...), keyed by
    # (table, primary key): the last row written in an action wins
    rows: dict[tuple[str, str], dict] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.tickets or self.windows or self.cases or self.ratings or self.rows)


def arrival_record(ticket: Ticket) -> tuple:
    """A ticket as `ArrivalModel.observe_day` reads it: (seconds after midnight of its
    issue, subject, priority, appointment slot in seconds or None)."""
    slot = ticket.appointment_slot
    return (seconds_of_day(ticket.issued_at), ticket.subject, ticket.priority,
            None if slot is None else seconds_of_day(slot))


class Hall:
    def __init__(self, settings: HallSettings, service_day: str,
                 estimator: Estimator | None = None) -> None:
        self.settings = settings
        self.service_day = service_day
        self.tickets: dict[str, Ticket] = {}          # today's, by number
        self.by_phone_token: dict[str, Ticket] = {}
        self.windows = {w.number: Window(spec=w, pool=w.pool) for w in settings.windows}
        self.cases: dict[str, Case] = {}              # not yet picked up, by number
        self.bookings: dict[str, Booking] = {}        # today's and later ones, by code
        self.counters: dict[str, int] = {}            # prefix -> last number issued today
        self.case_counter = 0                         # cases opened today
        self.help_requests: dict[str, HelpRequest] = {}   # today's calls for a floor helper
        self.help_counter = 0                         # help requests raised today
        self.devices: dict[str, DeviceHealth] = {}    # each device's last reported health
        # the pool advisor's advice of today, by id (core.actions.advice)
        self.advice: dict[str, AdviceRecord] = {}
        self.service_times = ServiceTimeModel.from_settings(settings)
        # the 80% range of every estimate, learned from the hall's recorded errors
        self.wait_ranges = RangeCalibrator()
        # the citizens still to come: tickets per hour of day learned from past days
        # (server.storage at start, then each finished day), and today's expected day
        self.arrivals = ArrivalModel()
        self._arrival_schedule: ArrivalSchedule | None = None
        self.estimator: Estimator = estimator or NoEstimates()
        self.changes = Changes()
        self._waiting_views: dict[str, WaitingTicket] = {}
        self._window_views: dict[tuple[int, str], WindowView] = {}

    # --- bookkeeping -----------------------------------------------------------
    def take_changes(self) -> Changes:
        changes, self.changes = self.changes, Changes()
        return changes

    def touch(self, entity: Ticket | Window | Case) -> None:
        """Mark an entity changed by the running action, to be written with it."""
        if isinstance(entity, Ticket):
            self.changes.tickets[entity.number] = entity
            self._refresh_view(entity)
        elif isinstance(entity, Window):
            self.changes.windows[entity.number] = entity
        else:
            self.changes.cases[entity.number] = entity

    def record_rating(self, rating: dict) -> None:
        """A 好差评 rating to be written with the running action."""
        self.changes.ratings.append(rating)

    def record_row(self, table: str, key: str, row: dict) -> None:
        """A row of one of the smaller tables, written (upserted) with the running action.
        `row` holds plain values (str, int, float, None), its primary key among them."""
        self.changes.rows[(table, key)] = row

    def _refresh_view(self, ticket: Ticket) -> None:
        if ticket.state is TicketState.WAITING:
            self._waiting_views[ticket.number] = self.view_of(ticket)
        else:
            self._waiting_views.pop(ticket.number, None)

    @staticmethod
    def view_of(ticket: Ticket, **overrides) -> WaitingTicket:
        """The ticket as an allocation policy sees it (overrides: a what-if)."""
        values = dict(
            ticket_id=ticket.number, matter=ticket.subject, category=ticket.category,
            pool=ticket.pool, priority=ticket.priority,
            queue_since=seconds_of_day(ticket.queue_since),
            appointment_slot=(seconds_of_day(ticket.appointment_slot)
                              if ticket.appointment_slot else None),
            pinned_window=ticket.pinned_window)
        values.update(overrides)
        return WaitingTicket(**values)

    def waiting_numbers(self):
        return self._waiting_views.keys()

    def waiting_view(self, number: str) -> WaitingTicket:
        return self._waiting_views[number]

    def add_ticket(self, ticket: Ticket) -> None:
        self.tickets[ticket.number] = ticket
        self.by_phone_token[ticket.phone_token] = ticket
        prefix = ticket.number.rstrip("0123456789")
        self.counters[prefix] = max(self.counters.get(prefix, 0), int(ticket.number[len(prefix):]))
        self.touch(ticket)

    def next_number(self, prefix: str) -> str:
        return f"{prefix}{self.counters.get(prefix, 0) + 1:03d}"

    def begin_day(self, service_day: str) -> None:
        if service_day != self.service_day:        # the finished day joins the history
            self.arrivals.observe_day(self.service_day, map(arrival_record,
                                                            self.tickets.values()))
            self._arrival_schedule = None
        self.service_day = service_day
        self.tickets, self.counters, self.case_counter = {}, {}, 0
        self.help_requests, self.help_counter = {}, 0
        self.advice = {}
        self.by_phone_token = {}
        self._waiting_views.clear()

    # --- lookups ---------------------------------------------------------------
    def ticket(self, number: str) -> Ticket:
        number = number.strip().upper()
        if "/" in number:
            day, _, number = number.partition("/")
            if day != self.service_day:
                raise Conflict(f"ticket {number} is from {day}; numbering starts again each day "
                               f"and today is {self.service_day}", number=number, day=day,
                               code="ticket_other_day")
        ticket = self.tickets.get(number)
        if ticket is None:
            raise NotFound(f"no ticket {number} today ({self.service_day})", number=number,
                           code="unknown_ticket")
        return ticket

    def window(self, number: int) -> Window:
        window = self.windows.get(number)
        if window is None:
            raise NotFound(f"no window {number} in this hall "
                           f"(windows: {', '.join(map(str, sorted(self.windows)))})",
                           window=number)
        return window

    def case(self, number: str) -> Case:
        case = self.cases.get(number.strip().upper())
        if case is None:
            raise NotFound(f"no open case {number}", case_number=number, code="unknown_case")
        return case

    def window_of_clerk(self, clerk: str) -> Window | None:
        """The window this clerk is logged in at, if any (a clerk sits at one at most)."""
        return next((w for w in self.windows.values() if w.clerk == clerk), None)

    def pool_kind(self, pool: str) -> PoolKind:
        return self.settings.pool(pool).kind

    # --- views for the allocation policy and the estimator -------------------------
    def wait_range(self, estimate: Estimate, now: datetime) -> tuple[float | None, float | None]:
        """The 80% range (low, high) in minutes of an estimate; (None, None) without one."""
        people_ahead, minutes = estimate
        if minutes is None:
            return None, None
        return self.wait_ranges.range_for(minutes, people_ahead, now.hour)

    def record_wait(self, ticket: Ticket, called_at: datetime) -> None:
        """A ticket called for the first time: its estimate at issue against its wait."""
        if ticket.eta_minutes is not None:
            waited = (called_at - ticket.issued_at).total_seconds() / 60.0
            self.wait_ranges.record(ticket.eta_minutes, waited, ticket.eta_people_ahead,
                                    ticket.issued_at.hour)

    def waiting_views(self) -> list[WaitingTicket]:
        return list(self._waiting_views.values())

    def expected_arrivals(self, now: datetime) -> list[WaitingTicket]:
        """The citizens expected after `now` today (virtual tickets, by arrival): the
        expected day of `arrivals` (built once a day for its weekday, appointments left
        out) and one per booking of today not checked in (no ticket yet) and not past its
        check-in."""
        if self._arrival_schedule is None:
            self._arrival_schedule = self.arrivals.schedule(
                self._place, appointments=False, weekday=weekday_of(self.service_day))
        clock = seconds_of_day(now)
        late = 60.0 * self.settings.rules.appointment_check_in_closes_minutes
        # a booking's ticket is issued before the booking is marked checked in: each
        # appointment ticket of today stands for one booking of its slot and subject
        came = Counter((seconds_of_day(t.appointment_slot), t.subject)
                       for t in self.tickets.values() if t.appointment_slot is not None)
        booked = []
        for booking in sorted(self.bookings.values(),
                              key=lambda b: b.state is not BookingState.CHECKED_IN):
            slot = (60.0 * booking.start, booking.subject)
            if booking.day.isoformat() != self.service_day or not booking.state.holds_a_place:
                continue
            if came[slot] > 0:
                came[slot] -= 1
            elif booking.state is BookingState.BOOKED and slot[0] + late >= clock:
                booked.append(slot)
        return self._arrival_schedule.after(clock, bookings=booked)

    def _place(self, subject: str) -> tuple[str, str]:
        found = self.settings.subject(subject)
        return found.category, found.pool

    def window_view(self, window: Window) -> WindowView:
        """The window as a policy sees it; it changes only when the window changes pool
        or starts or stops helping another (its helped pools join `also_serves`)."""
        key = (window.number, window.pool, tuple(window.helping))
        view = self._window_views.get(key)
        if view is None:
            view = window_view_of(window.spec, self.settings, pool=window.pool)
            helped = tuple(p for p in window.helping
                           if p != window.pool and p not in view.also_serves)
            if helped:
                view = replace(view, also_serves=view.also_serves + helped)
            self._window_views[key] = view
        return view

    def open_windows(self) -> list[Window]:
        return [w for w in self.windows.values() if w.status is WindowStatus.OPEN and w.clerk]

    def context(self) -> HallContext:
        return HallContext(
            open_windows=[self.window_view(w) for w in self.open_windows()],
            service_minutes=self.service_times.expected,
            call_early_seconds=self.settings.rules.appointment_call_early_minutes * 60.0,
            params=policy_params(self.settings.rules))

    # --- the public picture ------------------------------------------------------
    def snapshot(self, public: bool = False, board: bool = False) -> dict:
        """Everything a caller (or, `public`, a kiosk; `board`, a hall board) needs to
        draw the hall from nothing; the public picture leaves out who is logged in
        where, a board's also any pause reason but the standard ones."""
        windows = [w.public() for w in self.windows.values()]
        if public or board:
            windows = [w | {"clerk": ""} for w in windows]
        if board:
            windows = [w if w["pause_reason"] in PAUSE_REASONS else w | {"pause_reason": ""}
                       for w in windows]
        return {
            "service_day": self.service_day,
            "hall": {"name": self.settings.name, "name_en": self.settings.name_en},
            "windows": windows,
            "tickets": [t.public() for t in self.tickets.values() if not t.state.is_final],
            "waiting_by_pool": self.waiting_by_pool(),
            "served_today": sum(1 for t in self.tickets.values()
                                if t.state is TicketState.FINISHED),
            "issued_today": len(self.tickets),
        }

    def waiting_by_pool(self) -> dict[str, int]:
        counts = {p.code: 0 for p in self.settings.pools}
        for view in self._waiting_views.values():
            counts[view.pool] = counts.get(view.pool, 0) + 1
        return counts
