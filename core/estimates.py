"""People ahead and estimated wait for every waiting ticket of the live hall.

Adapts the hall's state to `core.eta.forecast`: the real allocation policy run
forward from now, with service times learned from the hall's history and each
open window's remaining busy time and lunch break.
"""
from __future__ import annotations

from datetime import datetime

from core.eta import WindowState, forecast, people_ahead
from core.hall import Hall, seconds_of_day
from core.tickets import TicketState
from core.windows import Window


def estimate_waits(hall: Hall, now: datetime) -> dict[str, tuple[int, float | None]]:
    """number -> (people ahead, minutes to wait or None if no open window serves it)."""
    waiting = hall.waiting_views()
    if not waiting:
        return {}
    clock = seconds_of_day(now)
    windows = [_window_state(hall, w, clock) for w in hall.open_windows()]
    projected = forecast(waiting, windows, clock, hall.settings.rules.policy,
                         hall.service_times.expected,
                         early_seconds=hall.settings.rules.appointment_early_minutes * 60.0)
    views = [s.view for s in windows]
    result = {}
    for ticket in waiting:
        estimate = projected.get(ticket.ticket_id)
        if estimate is None or estimate.wait_seconds is None:
            result[ticket.ticket_id] = (people_ahead(ticket, waiting, views, clock), None)
        else:
            result[ticket.ticket_id] = (estimate.people_ahead,
                                        round(max(estimate.wait_seconds, 0.0) / 60, 1))
    return result


def _window_state(hall: Hall, window: Window, clock: float) -> WindowState:
    busy_until = clock
    if window.current:
        ticket = hall.tickets[window.current]
        expected = 60.0 * hall.service_times.expected(ticket.subject)
        started = ticket.last("started") if ticket.state is TicketState.SERVING else None
        busy_until = max(clock + 30.0, seconds_of_day(started) + expected if started
                         else clock + expected)
    lunch = window.spec.lunch_break
    lunch_seconds = (lunch[0] * 60.0, lunch[1] * 60.0) if lunch and lunch[1] * 60 > clock else None
    hours = hall.settings.hours
    closes = (hours.extended_until or hours.close) * 60.0
    return WindowState(view=hall.window_view(window), busy_until=busy_until,
                       lunch=lunch_seconds, closes_at=closes)
