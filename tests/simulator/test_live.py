"""The live demo's script (simulator/live.py): a generated day compressed by its pace."""
from __future__ import annotations

import pytest

from core.settings.loader import load_settings
from simulator.generator import generate_trace
from simulator.live import live_day, walk_in
from tests.conftest import DEMO_HALL

HALL = load_settings(DEMO_HALL)


def test_the_script_is_the_generated_day_with_its_times_divided_by_the_pace():
    day = live_day(HALL, seed=3, pace=10)
    trace = {t.ticket_id: t for t in generate_trace(HALL, 3, 0.8)}
    assert day == live_day(HALL, seed=3, pace=10)              # seeded
    assert len(day.citizens) == len(trace)
    opens = HALL.hours.open * 60
    for citizen in day.citizens:
        ticket = trace[citizen.trace_id]
        assert (citizen.matter, citizen.priority, citizen.no_show) == (
            ticket.matter, ticket.priority, ticket.no_show)
        assert citizen.service_seconds == pytest.approx(ticket.service_minutes * 6)
        assert 2 <= citizen.walk_seconds <= 6
        if ticket.arrival >= opens:
            assert citizen.at == pytest.approx((ticket.arrival - opens) / 10)
    times = [c.at for c in day.citizens]
    assert times == sorted(times) and times[0] == 0
    assert day.closes == pytest.approx((HALL.hours.close - HALL.hours.open) * 6)
    assert day.simulated(day.real(11 * 3600)) == pytest.approx(11 * 3600)


def test_citizens_at_the_door_before_opening_come_in_the_first_seconds():
    day = live_day(HALL, seed=3, pace=10)
    trace = {t.ticket_id: t for t in generate_trace(HALL, 3, 0.8)}
    early = [c for c in day.citizens if trace[c.trace_id].arrival < HALL.hours.open * 60]
    assert early and max(c.at for c in early) < 0.3 * len(early)


def test_some_go_wrong_and_only_served_citizens_are_late_or_transferred():
    citizens = live_day(HALL, seed=3, pace=10).citizens
    assert any(c.no_show for c in citizens)
    late = [c for c in citizens if c.late]
    moved = [c for c in citizens if c.transfer]
    assert late and moved
    assert not any(c.no_show for c in late + moved)
    assert 0.02 < len(late) / len(citizens) < 0.12


def test_each_window_s_lunch_break_is_compressed_too():
    day = live_day(HALL, seed=1, pace=20)
    window_one = HALL.window(1).lunch_break                    # 12:00-13:00
    assert day.breaks[1] == pytest.approx(((window_one[0] - HALL.hours.open) * 3,
                                           (window_one[1] - HALL.hours.open) * 3))
    assert set(day.breaks) == {w.number for w in HALL.windows}


def test_a_pace_must_be_above_zero_and_walk_ins_take_their_configured_time():
    with pytest.raises(ValueError, match="pace"):
        live_day(HALL, seed=1, pace=0)
    stranger = walk_in(HALL, "SS-0101", pace=5)
    assert stranger.service_seconds == pytest.approx(HALL.subject("SS-0101").service_minutes * 12)
    assert not (stranger.no_show or stranger.late or stranger.transfer)
