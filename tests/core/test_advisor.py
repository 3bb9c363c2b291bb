"""The pool advisor's pure logic (core/advisor.py): what it proposes, and what never."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.advisor import (
    AdvisorHall,
    AdvisorSettings,
    Move,
    advise,
    assess,
    assess_many,
    candidate_helps,
    candidate_moves,
    expired,
    helped,
    should_return,
)
from core.allocation.eligibility import can_serve
from core.allocation.interface import WaitingTicket, WindowView
from core.forecast.eta import WindowState
from core.settings.schema import PoolKind, Priority

NOW = 10 * 3600.0
KINDS = {"a": PoolKind.ACCEPTANCE, "b": PoolKind.ACCEPTANCE, "p": PoolKind.PICKUP,
         "g": PoolKind.GREEN}
CATEGORIES = {"a": ("x", "y"), "b": ("z", "w"), "p": ("pick",), "g": ("civil",)}
MINUTES = {"x": 10.0, "y": 6.0, "z": 8.0, "w": 5.0, "pick": 2.0, "civil": 7.0}


def facts(windows) -> AdvisorHall:
    return AdvisorHall(KINDS, {s.view.number: s.view.pool for s in windows}, CATEGORIES,
                       (12 * 3600.0, 17 * 3600.0))


def state(number, pool, skills, also=(), busy=NOW) -> WindowState:
    return WindowState(WindowView(number, pool, dict(skills), tuple(also), None, KINDS[pool]),
                       busy_until=busy)


def tickets(pool, category, count, start=0, waited_minutes=20.0, step=60.0):
    return [WaitingTicket(f"{category}{start + i:03d}", category, category, pool,
                          Priority.NORMAL, NOW - waited_minutes * 60.0 + i * step)
            for i in range(count)]


def expected(matter: str) -> float:
    return MINUTES[matter]


def mismatched():
    """Pool a: two windows and 24 tickets of x; pool b: four windows and two tickets."""
    windows = [state(1, "a", {"x": 1.0, "y": 0.5}), state(2, "a", {"x": 1.0}),
               state(3, "b", {"z": 1.0, "w": 1.0}), state(4, "b", {"z": 1.0, "x": 0.7}),
               state(5, "b", {"w": 1.0, "z": 0.5, "x": 0.9}), state(6, "b", {"z": 1.0}),
               state(7, "g", {"civil": 1.0, "x": 1.0}, also=("a",))]
    waiting = tickets("a", "x", 24) + tickets("b", "z", 1, waited_minutes=2) \
        + tickets("b", "w", 1, start=1, waited_minutes=1)
    return windows, waiting


def test_a_clearly_mismatched_hall_gets_the_obvious_move():
    windows, waiting = mismatched()
    advice = advise(waiting, windows, NOW, "balanced", expected, facts(windows))
    assert advice is not None
    assert (advice.from_pool, advice.to_pool, advice.category) == ("b", "a", "x")
    assert advice.window in (4, 5)            # the two b windows that know x
    assert advice.mean_after < advice.mean_before and advice.worst_after < advice.worst_before
    assert advice.gain >= AdvisorSettings().min_gain_minutes
    assert advice.until == 12 * 3600.0 and not advice.returns_home
    again = advise(waiting, windows, NOW, "balanced", expected, facts(windows))
    assert again.id == advice.id               # the id depends on content and time only
    later = advise(waiting, windows, NOW + 60, "balanced", expected, facts(windows))
    assert later.id != advice.id


def test_help_keeps_the_home_pool_and_is_preferred_when_it_gains_as_much():
    windows, waiting = mismatched()
    hall = facts(windows)
    only_help = AdvisorSettings(moves=False)
    advice = advise(waiting, windows, NOW, "balanced", expected, hall, settings=only_help)
    assert advice is not None and advice.kind == "help"
    assert (advice.from_pool, advice.to_pool, advice.category) == ("b", "a", "x")
    assert advice.window in (4, 5) and not advice.returns_home
    assert advice.until == 12 * 3600.0 and expired(advice, 12 * 3600.0)
    assert advice.mean_after < advice.mean_before
    assert advice.as_dict()["kind"] == "help" and advice.as_dict()["until"] == advice.until
    move = advise(waiting, windows, NOW, "balanced", expected, hall,
                  settings=AdvisorSettings(helps=False))
    assert move.kind == "move" and move.id != advice.id
    # Both allowed: help wins unless the move gains more than help's gain / prefer_help.
    both = advise(waiting, windows, NOW, "balanced", expected, hall)
    expected_kind = "move" if move.gain * AdvisorSettings().prefer_help > advice.gain \
        else "help"
    assert both.kind == expected_kind
    # A window already helping a (window 7 is green anyway) or at home there is no helper.
    for m in candidate_helps(windows, [("a", "x")], hall):
        assert m.kind == "help" and m.window in (4, 5)


def test_a_window_knowing_the_green_channel_s_matters_helps_its_own_line():
    """The single green-channel window (7) is busy with a long civil line; window 3 (pool
    b) knows civil: it is advised to help the green pool, and stays a pool-b window (it
    calls the green pool's civil tickets, not every pool's priority tickets)."""
    windows = [state(1, "a", {"x": 1.0}), state(3, "b", {"z": 1.0, "civil": 0.8}),
               state(6, "b", {"z": 1.0}), state(7, "g", {"civil": 1.0})]
    waiting = (tickets("g", "civil", 12, waited_minutes=30) + tickets("a", "x", 1, 50, 2)
               + tickets("b", "z", 1, 60, 2))
    advice = advise(waiting, windows, NOW, "balanced", expected, facts(windows))
    assert advice is not None and advice.kind == "help"
    assert (advice.window, advice.from_pool, advice.to_pool) == (3, "b", "g")
    assert advice.category == "civil" and advice.mean_after < advice.mean_before
    # never a move into the green pool: the moved window would become a green-channel one
    assert all(m.to_pool != "g" for m in candidate_moves(waiting, windows, [("g", "civil")],
                                                          facts(windows)))


def test_no_advice_on_a_balanced_hall():
    windows, _ = mismatched()
    waiting = (tickets("a", "x", 3, waited_minutes=5) + tickets("b", "z", 3, 10, 5)
               + tickets("b", "w", 3, 20, 5))
    decision = assess(waiting, windows, NOW, "balanced", expected, facts(windows))
    assert decision.suffering == () and decision.advice is None


def test_never_moves_the_green_window_nor_strands_a_line():
    windows, waiting = mismatched()
    # Window 7 (green channel) knows x, but is never a candidate; without 4 and 5
    # knowing x, nothing else is either.
    windows = [w for w in windows if w.view.number not in (4, 5)]
    decision = assess(waiting, windows, NOW, "balanced", expected, facts(windows))
    assert decision.suffering == (("a", "x"),)
    assert decision.scored == () and decision.advice is None
    # Window 3 is pool b's only server of w (a w ticket waits): moving it would strand it.
    windows = [state(1, "a", {"x": 1.0}), state(3, "b", {"w": 1.0, "x": 1.0}),
               state(6, "b", {"z": 1.0})]
    waiting = tickets("a", "x", 20) + tickets("b", "w", 1, start=1, waited_minutes=1)
    assert candidate_moves(waiting, windows, [("a", "x")], facts(windows)) == []


def test_a_donor_pool_busy_with_its_own_arrivals_gives_no_window():
    windows, waiting = mismatched()
    lines = [("a", "x")]
    assert candidate_moves(waiting, windows, lines, facts(windows))
    busy_b = {"a": 60.0, "b": 4 * 60.0}      # minutes of work per hour: b is full
    assert candidate_moves(waiting, windows, lines, facts(windows), recent_work=busy_b) == []


def test_expiry_and_going_home():
    windows, waiting = mismatched()
    hall = facts(windows)
    advice = advise(waiting, windows, NOW, "balanced", expected, hall)
    assert not expired(advice, NOW) and expired(advice, 12 * 3600.0)
    # Once moved to a, with a still swamped, going home would cost: it stays.
    i = [s.view.number for s in windows].index(advice.window)
    away = list(windows)
    away[i] = WindowState(WindowView(advice.window, "a", windows[i].view.skills), NOW)
    assert not should_return(advice.window, waiting, away, NOW, "balanced", expected, hall)
    # With a's line gone and b's grown, it goes home.
    quiet = tickets("b", "z", 12) + tickets("b", "w", 12, start=20)
    assert should_return(advice.window, quiet, away, NOW, "balanced", expected, hall)


POOLS = ("a", "b", "p", "g")


@st.composite
def halls(draw):
    count = draw(st.integers(2, 8))
    windows = []
    for number in range(1, count + 1):
        pool = draw(st.sampled_from(POOLS))
        skills = {c: draw(st.sampled_from((0.3, 0.5, 1.0)))
                  for c in draw(st.sets(st.sampled_from(sorted(MINUTES)), min_size=1))}
        also = tuple(draw(st.sets(st.sampled_from([p for p in POOLS if p != pool]),
                                  max_size=2)))
        windows.append(state(number, pool, skills, also,
                             busy=NOW + draw(st.integers(0, 900))))
    waiting = []
    for i in range(draw(st.integers(0, 40))):
        pool = draw(st.sampled_from(POOLS))
        category = draw(st.sampled_from(CATEGORIES[pool]))
        waiting.append(WaitingTicket(f"T{i:03d}", category, category, pool, Priority.NORMAL,
                                     NOW - draw(st.integers(0, 3600))))
    return windows, waiting


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(halls())
def test_property_help_never_an_unskilled_or_green_window(hall_state):
    """A help never comes from a window without the skill or from the green-channel
    window; into the green pool it is allowed, and the helper stays an ordinary window:
    it serves that pool's own tickets of its skills and no other pool's priority ones."""
    windows, waiting = hall_state
    by_number = {s.view.number: s.view for s in windows}
    hall = facts(windows)
    lines = sorted({(t.pool, t.category) for t in waiting})
    loose = AdvisorSettings(trigger_ratio=0.0, trigger_minutes=0.0, min_tickets=1,
                            min_gain_minutes=0.0, windows_per_line=10, moves=False,
                            max_helper_load=100.0)
    decision = assess(waiting, windows, NOW, "balanced", expected, hall, settings=loose)
    helps = candidate_helps(windows, lines, hall, settings=loose)
    helps += [m for m, _ in decision.scored]
    if decision.advice is not None:
        a = decision.advice
        assert a.kind == "help"
        helps.append(Move(a.window, a.from_pool, a.to_pool, a.category, a.kind))
    for move in helps:
        view = by_number[move.window]
        assert move.kind == "help"
        assert view.skills.get(move.category, 0.0) > 0.0
        assert view.pool == move.from_pool != move.to_pool
        assert move.to_pool not in view.also_serves
        assert view.pool_kind is not PoolKind.GREEN
        after = helped(WindowState(view, busy_until=NOW), move.to_pool).view
        assert after.pool == view.pool and after.pool_kind is view.pool_kind
        for ticket in waiting:
            if can_serve(after, ticket) and not can_serve(view, ticket):
                assert ticket.pool == move.to_pool
                assert after.skills.get(ticket.category, 0.0) > 0.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(halls())
def test_property_never_a_window_without_the_skill(hall_state):
    windows, waiting = hall_state
    by_number = {s.view.number: s.view for s in windows}
    hall = facts(windows)
    lines = sorted({(t.pool, t.category) for t in waiting})
    loose = AdvisorSettings(trigger_ratio=0.0, trigger_minutes=0.0, min_tickets=1,
                            min_gain_minutes=0.0, windows_per_line=10)
    decision = assess(waiting, windows, NOW, "balanced", expected, hall, settings=loose)
    moves = candidate_moves(waiting, windows, lines, hall, settings=loose)
    moves += [m for m, _ in decision.scored]
    if decision.advice is not None:
        a = decision.advice
        moves.append(Move(a.window, a.from_pool, a.to_pool, a.category, a.kind))
    for move in moves:
        view = by_number[move.window]
        assert view.skills.get(move.category, 0.0) > 0.0
        assert view.pool == move.from_pool != move.to_pool
        assert KINDS[move.from_pool] is not PoolKind.GREEN
        if move.kind == "move":        # a help may serve the green pool's own line
            assert KINDS[move.to_pool] is not PoolKind.GREEN


def test_decision_time_with_500_waiting_and_60_windows():
    windows = [state(n, "a" if n <= 20 else "b",
                     {"x": 1.0, "y": 0.5} if n <= 20 else {"z": 1.0, "w": 0.8, "x": 0.6},
                     busy=NOW + 30 * n) for n in range(1, 61)]
    waiting = (tickets("a", "x", 380, step=5.0) + tickets("a", "y", 40, 400, step=30.0)
               + tickets("b", "z", 50, 500, 5) + tickets("b", "w", 30, 600, 5))
    started = time.perf_counter()
    advice = advise(waiting, windows, NOW, "balanced", expected, facts(windows))
    seconds = time.perf_counter() - started
    assert advice is not None and advice.to_pool == "a"
    assert seconds < 5.0, f"advisor took {seconds:.2f} s"


def test_several_advices_at_once_each_on_top_of_the_others():
    windows, waiting = mismatched()
    hall = facts(windows)
    decisions = assess_many(waiting, windows, NOW, "balanced", expected, hall,
                            settings=AdvisorSettings(advice_per_tick=3))
    advices = [d.advice for d in decisions if d.advice is not None]
    assert len(advices) >= 2, "pool a has 24 tickets for 2 windows: more than one helper"
    assert len({a.window for a in advices}) == len(advices)    # a window advised once
    skills = {s.view.number: s.view.skills for s in windows}
    for before, after in zip(advices, advices[1:]):
        # Each advice is projected on the layout the earlier ones leave.
        assert after.mean_before == pytest.approx(before.mean_after)
    for advice in advices:
        assert skills[advice.window].get(advice.category, 0.0) > 0.0
        assert hall.pool_kinds[advice.from_pool] is not PoolKind.GREEN
        assert advice.to_pool != "g" and advice.gain >= AdvisorSettings().min_gain_minutes
    # One per round is the single assessment.
    single = assess_many(waiting, windows, NOW, "balanced", expected, hall,
                         settings=AdvisorSettings(advice_per_tick=1))
    assert len(single) == 1 and single[0].advice == advices[0]


def test_expected_arrivals_join_the_projection():
    windows, waiting = mismatched()
    hall = facts(windows)
    coming = [WaitingTicket(f"~x{i}", "x", "x", "a", Priority.GREEN, NOW + 60.0 * i)
              for i in range(1, 20)]
    quiet = assess(waiting, windows, NOW, "balanced", expected, hall)
    busy = assess(waiting, windows, NOW, "balanced", expected, hall, arrivals=coming)
    # Green arrivals go first: the tickets waiting in pool a wait longer.
    assert busy.projection.by_line[("a", "x")][0] > quiet.projection.by_line[("a", "x")][0]
    assert set(busy.projection.by_category) == set(quiet.projection.by_category)
