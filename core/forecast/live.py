"""People ahead and estimated wait for every waiting ticket of the live hall.

Adapts the hall's state to `core.forecast.eta.forecast`: the real allocation policy run
forward from now, with service times learned from the hall's history and each
open window's remaining busy time and break (`core.forecast.availability`, the
rule the simulator uses too). A paused window (午休, 会议 ...) counts too: it calls
again when the availability rule expects it back, not never.

A full forecast costs milliseconds (about 8 ms with 300 waiting), too much to
repeat for every ticket at a busy moment. `WaitEstimator` keeps the last one
for up to a second: a ticket issued meanwhile is placed behind the last ticket
of its own group (same matter, pool and priority), whose projected call time the
forecast already knows, plus that matter's service time shared among the windows
able to serve it. A ticket with no such peer takes a full forecast, unless one ran
less than half a second ago: then its peers are the waiting tickets that rank at
least as high and share one of its windows. Opened, closed, paused or resumed
windows, or a forecast older than a second, always take a full forecast. At a real
hall's pace (about 10 actions a second at peak) nearly every estimate is a full
one.

The citizens still to come (`Hall.expected_arrivals`: the hall's expected day learned
from past days, and today's bookings not checked in) join every full forecast. The quick
path stays valid with them: the expected day is built once a day and does not move
between estimates, so a forecast less than a second old expected the same arrivals
(those due within that second, and a booking checked in meanwhile, are counted by the
reused forecast and not by a new one: at most a second's worth).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from core.allocation import can_serve, policy_params
from core.clock import seconds_of_day
from core.forecast.availability import Shift, paused_window_state, window_state
from core.forecast.eta import WindowState, forecast, people_ahead
from core.tickets import Ticket, TicketState
from core.windows import Window, WindowStatus

if TYPE_CHECKING:
    from core.hall import Estimate, Hall


@dataclass
class _Forecast:
    at: float                           # hall clock, seconds after midnight
    day: str
    windows: tuple                      # (number, pool) of the open windows it assumed
    call_at: dict[str, float | None]    # number -> projected call time
    ahead: dict[str, int]


class WaitEstimator:
    def __init__(self, max_age_seconds: float = 1.0, min_interval_seconds: float = 0.5) -> None:
        self.max_age_seconds = max_age_seconds
        self.min_interval_seconds = min_interval_seconds
        self._last: _Forecast | None = None
        self.full_forecasts = 0

    def all(self, hall: Hall, now: datetime) -> dict[str, Estimate]:
        """Every waiting ticket's estimate, from a forecast at most max_age old."""
        waiting = hall.waiting_views()
        if not waiting:
            return {}
        last = self._fresh(hall, now)
        if last is not None:
            result = self._from(hall, last, [v.ticket_id for v in waiting], now)
            if result is not None:
                return result
        last = self._full(hall, now)
        return self._from(hall, last, [v.ticket_id for v in waiting], now)

    def for_new_ticket(self, hall: Hall, ticket: Ticket, now: datetime) -> Estimate:
        last = self._fresh(hall, now)
        found = last and self._from(hall, last, [ticket.number], now)
        if not found:
            found = self._from(hall, self._full(hall, now), [ticket.number], now)
        return found[ticket.number]

    def _from(self, hall: Hall, last: _Forecast, numbers: list[str],
              now: datetime) -> dict[str, Estimate] | None:
        """Estimates from this forecast, extending it to newer tickets; None if it can't."""
        clock = seconds_of_day(now)
        result = {}
        for number in numbers:
            if number in last.call_at:
                result[number] = _as_estimate(last.ahead[number], last.call_at[number], clock)
                continue
            extended = self._extend(hall, last, hall.tickets[number], now)
            if extended is None:
                return None
            result[number] = extended
        return result

    def _fresh(self, hall: Hall, now: datetime) -> _Forecast | None:
        last = self._last
        if (last is None or last.day != hall.service_day
                or not 0 <= seconds_of_day(now) - last.at <= self.max_age_seconds
                or last.windows != _open_windows_key(hall)):
            return None
        return last

    def _extend(self, hall: Hall, last: _Forecast, ticket: Ticket,
                now: datetime) -> Estimate | None:
        """Place a newer ticket behind its peers in the last forecast.

        Its peers are the waiting tickets of its own group; if there are none and a
        full forecast ran less than `min_interval_seconds` ago, the waiting tickets
        that rank at least as high and share one of its windows. A ticket put back in
        line (过号 requeue) takes a place among the others, not the back: it gets a
        full forecast.
        """
        if ticket.last("requeued") is not None:
            return None
        mine = hall.view_of(ticket)
        windows = [hall.window_view(w) for w in _working(hall)]
        windows = [w for w in windows if can_serve(w, mine)]
        if not windows:
            return None
        waiting = {n: last.call_at[n] for n in hall.waiting_numbers() if n in last.call_at}
        peers = [at for n, at in waiting.items() if _same_group(hall.tickets[n], ticket)]
        if not peers and seconds_of_day(now) - last.at < self.min_interval_seconds:
            rank, shares = mine.priority.rank, _SharedWindows(windows)
            peers = [at for n, at in waiting.items()
                     if hall.tickets[n].priority.rank <= rank and shares(hall.waiting_view(n))]
        if not peers or None in peers:
            return None
        cycle = (60.0 * hall.service_times.expected(ticket.subject)
                 + hall.service_times.handover_seconds)
        call_at = max(peers) + cycle / len(windows)
        ahead = sum(1 for at in waiting.values() if at is not None and at <= call_at)
        last.call_at[ticket.number], last.ahead[ticket.number] = call_at, ahead  # the next one
        return _as_estimate(ahead, call_at, seconds_of_day(now))             # queues behind

    def _full(self, hall: Hall, now: datetime) -> _Forecast:
        clock = seconds_of_day(now)
        waiting = hall.waiting_views()
        # The open windows, and the paused ones expected back (availability); before any
        # window opens, the hall's windows are assumed to open on time: people ahead
        # count, and the estimate runs from the opening (after it, no estimate).
        working = _working(hall)
        assumed = working or list(hall.windows.values())
        windows = [_window_state(hall, w, clock) for w in assumed]
        if not working and clock >= hall.settings.hours.open * 60:
            windows_forecast: list = []
        else:
            windows_forecast = windows
        projected = forecast(waiting, windows_forecast, clock, hall.settings.rules.policy,
                             hall.service_times.expected,
                             call_early_seconds=hall.context().call_early_seconds,
                             params=policy_params(hall.settings.rules),
                             arrivals=hall.expected_arrivals(now) if windows_forecast else (),
                             handover_seconds=hall.service_times.handover_seconds)
        views = [s.view for s in windows]
        call_at, ahead = {}, {}
        for ticket in waiting:
            estimate = projected.get(ticket.ticket_id)
            if estimate is None or estimate.call_at is None:
                call_at[ticket.ticket_id] = None
                ahead[ticket.ticket_id] = people_ahead(ticket, waiting, views, clock)
            else:
                call_at[ticket.ticket_id] = estimate.call_at
                ahead[ticket.ticket_id] = estimate.people_ahead
        self._last = _Forecast(clock, hall.service_day, _open_windows_key(hall), call_at, ahead)
        self.full_forecasts += 1
        return self._last


class _SharedWindows:
    """Whether one of these windows may serve a ticket, decided once per kind of ticket.

    `can_serve` reads only a ticket's pool, category, priority and pinned window,
    so tickets alike in those four share the answer.
    """

    def __init__(self, windows: list) -> None:
        self.windows, self.known = windows, {}

    def __call__(self, view) -> bool:
        key = (view.pool, view.category, view.priority, view.pinned_window)
        if key not in self.known:
            self.known[key] = any(can_serve(w, view) for w in self.windows)
        return self.known[key]


def _working(hall: Hall) -> list[Window]:
    """The windows a forecast counts: open ones, and paused ones expected back."""
    return [w for w in hall.windows.values()
            if w.clerk and w.status in (WindowStatus.OPEN, WindowStatus.PAUSED)]


def _same_group(one: Ticket, other: Ticket) -> bool:
    return (one.subject == other.subject and one.pool == other.pool
            and one.priority is other.priority and one.pinned_window == other.pinned_window
            and one.appointment_slot is None and other.appointment_slot is None)


def _as_estimate(ahead: int, call_at: float | None, clock: float) -> Estimate:
    if call_at is None:
        return ahead, None
    return ahead, round(max(call_at - clock, 0.0) / 60, 1)


def _open_windows_key(hall: Hall) -> tuple:
    """What a forecast assumed of the windows: a change of it takes a new one."""
    return tuple((w.number, w.status, w.pool, tuple(w.helping)) for w in _working(hall))


def estimate_waits(hall: Hall, now: datetime) -> dict[str, Estimate]:
    """number -> (people ahead, minutes to wait or None if no open window serves it)."""
    return hall.estimator.all(hall, now)


def window_states(hall: Hall, clock: float) -> list[WindowState]:
    """The open and paused windows as the forecast (and the pool advisor) sees them: each
    one's policy view, shift and remaining busy time (a paused one's until it is back)."""
    return [_window_state(hall, w, clock) for w in _working(hall)]


def _window_state(hall: Hall, window: Window, clock: float) -> WindowState:
    busy_until = clock
    if window.current:
        ticket = hall.tickets[window.current]
        expected = 60.0 * hall.service_times.expected(ticket.subject)
        started = ticket.last("started") if ticket.state is TicketState.SERVING else None
        if started is not None:
            busy_until = max(clock + 30.0, seconds_of_day(started) + expected)
        else:                    # called: the citizen walks up, then the service starts
            called = ticket.last_called_at
            walk = hall.service_times.handover_seconds
            if called is not None:
                walk = max(seconds_of_day(called) + walk - clock, 0.0)
            busy_until = clock + walk + expected
    shift = Shift.of(hall.settings.hours, window.spec)
    if window.status is WindowStatus.PAUSED:
        return paused_window_state(hall.window_view(window), shift, clock, busy_until,
                                   window.pause_reason, window.paused_at, window.lunch_taken)
    return window_state(hall.window_view(window), shift, clock, busy_until,
                        lunch_taken=window.lunch_taken)
