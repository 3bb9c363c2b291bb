"""A window with its own `shift` (a clerk's hours that are not the hall's): it calls
from the shift's start and nobody after its end, in the forecast and the simulator."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.forecast.availability import Shift, window_state, working_minutes
from core.settings.schema import Priority
from simulator.engine import Simulation
from simulator.trace import TraceTicket


def test_a_shift_sets_when_the_window_opens_and_closes(settings):
    spec = replace(settings.window(1), shift=(10 * 60, 15 * 60))
    shift = Shift.of(settings.hours, spec)
    assert (shift.opens, shift.closes) == (36000.0, 54000.0)
    assert not shift.working(35999.0) and shift.working(36000.0) and not shift.working(54000.0)
    plain = Shift.of(settings.hours, settings.window(1))
    assert plain.opens == settings.hours.open * 60.0 and plain.closes is None
    state = window_state(None, shift, 40000.0, 40000.0)
    assert state.closes == 54000.0 and state.busy_until == 40000.0


def test_working_minutes_count_the_shift_only(settings):
    spec = settings.window(1)                              # lunch 12:00-13:00
    assert working_minutes(settings.hours, spec) == (17.5 - 8.5 - 1) * 60
    assert working_minutes(settings.hours, replace(spec, shift=(10 * 60, 15 * 60))) == 4 * 60
    assert working_minutes(settings.hours, replace(spec, shift=(7 * 60, 11 * 60))) == 2.5 * 60


@pytest.fixture
def one_window_hall(settings):
    """Window 1 alone (no lunch), its clerk there 10:00-11:00."""
    window = replace(settings.window(1), shift=(10 * 60, 11 * 60), lunch_break=None)
    return replace(settings, windows=(window,))


def test_the_simulator_calls_within_the_shift_only(one_window_hall):
    trace = [TraceTicket(f"T{i}", 9 * 3600 + 600 * i, "SS-0102", Priority.NORMAL, 20.0)
             for i in range(6)]                       # 09:00 ... 09:50, 20 minutes each
    results = Simulation(one_window_hall, trace, "fcfs", eta="none").run()
    called = [r.called for r in results]
    assert called[:3] == [36000.0, 37200.0, 38400.0]   # from 10:00, one every 20 minutes
    assert called[3:] == [None, None, None]            # 11:00: its clerk has left
    assert [r.outcome for r in results[3:]] == ["waiting"] * 3
