"""The pool advisor in the simulator (simulator/advising.py) and `simulate --advisor`."""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from pathlib import Path

from core.advisor import AdvisorSettings
from core.allocation import can_serve, window_view_of
from core.allocation.interface import WaitingTicket
from core.forecast.arrivals import ArrivalModel
from core.settings.schema import PoolKind, Priority
from simulator.advising import Advising, run_advised
from simulator.cli import main
from simulator.engine import Simulation
from simulator.family import draw_day, settings_problems
from simulator.layouts import (
    acceptance_pools,
    layout_mismatch,
    layout_mismatch_day,
    layout_mismatch_seeds,
)

# A tuning-set day of the demo hall whose acceptance area B runs hot (see bench/advisor).
DAY = ("demo", 7)


class Checked(Advising):
    """Advising that also checks, at every tick, that no idle window could serve a
    waiting ticket (before and after its move)."""

    seen: list

    def tick(self) -> None:
        self.seen = getattr(self, "seen", [])
        self.seen.extend(self.simulation.idle_violations())
        super().tick()
        self.seen.extend(self.simulation.idle_violations())


def test_applied_advice_keeps_the_invariants():
    day = draw_day(*DAY)
    simulation = Simulation(day.hall, day.trace, "balanced", eta="none")
    advising = Checked(simulation)
    advising.start()
    results = simulation.run()
    assert advising.moves, "this day's layout does not fit it: the advisor moves a window"
    assert getattr(advising, "seen", []) == [] and advising.violations == []
    # Every ticket called exactly once, and every ticket called.
    called = Counter(ticket for _, _, ticket in simulation.calls)
    assert set(called) == {t.ticket_id for t in day.trace}
    assert max(called.values()) == 1
    assert all(r.outcome in ("served", "no_show") for r in results)
    for move in advising.moves:
        spec = day.hall.window(move.window)
        assert day.hall.pool(move.from_pool).kind is not PoolKind.GREEN
        if move.kind == "move":        # a help may serve the green pool's own line
            assert day.hall.pool(move.to_pool).kind is not PoolKind.GREEN
        if move.advice is not None:
            assert spec.skills.get(move.advice.category, 0) > 0
            assert move.to_pool == move.advice.to_pool and move.kind == move.advice.kind
        elif move.kind == "move":
            assert move.to_pool == spec.pool      # an expired advice: back home
        else:
            assert move.kind == "help_end"
    # Each call was allowed under the layout of its moment (home pools and helps).
    layout = {w.number: w.pool for w in day.hall.windows}
    helps: dict[int, set] = {w.number: set() for w in day.hall.windows}
    moves = sorted(advising.moves, key=lambda m: m.at)
    by_id = {r.ticket_id: r for r in results}
    for at, window, ticket in simulation.calls:
        while moves and moves[0].at <= at:
            m = moves.pop(0)
            if m.kind == "move":
                layout[m.window] = m.to_pool
            elif m.kind == "help":
                helps[m.window].add(m.to_pool)
            else:
                helps[m.window].discard(m.to_pool)
        r = by_id[ticket]
        waiting = WaitingTicket(ticket, r.matter, r.category, day.hall.subject(r.matter).pool,
                                Priority(r.priority), r.issued)
        view = window_view_of(day.hall.window(window), day.hall, pool=layout[window])
        view = replace(view, also_serves=view.also_serves + tuple(helps[window]))
        assert can_serve(view, waiting), (at, window, ticket)


def test_applied_help_keeps_the_invariants():
    """On a tuning day where the advisor has windows help (and no moves are allowed),
    the same invariants hold, and each help ends at its `until`."""
    for seed in (1, 3, 5):      # demo tuning days where help is advised (bench/advisor)
        day = draw_day("demo", seed)
        simulation = Simulation(day.hall, day.trace, "balanced", eta="none")
        advising = Checked(simulation, settings=AdvisorSettings(moves=False))
        advising.start()
        results = simulation.run()
        helps = [m for m in advising.moves if m.kind == "help"]
        assert helps and all(m.kind != "move" for m in advising.moves)
        assert getattr(advising, "seen", []) == [] and advising.violations == []
        called = Counter(ticket for _, _, ticket in simulation.calls)
        assert set(called) == {t.ticket_id for t in day.trace}
        assert max(called.values()) == 1
        assert all(r.outcome in ("served", "no_show") for r in results)
        ends = {(m.window, m.to_pool, m.at) for m in advising.moves if m.kind == "help_end"}
        for m in helps:
            spec = day.hall.window(m.window)
            assert spec.skills.get(m.advice.category, 0) > 0
            assert m.from_pool == spec.pool and m.to_pool != spec.pool
            assert day.hall.pool(spec.pool).kind is not PoolKind.GREEN
            assert m.advice.until is not None and m.advice.until > m.at
            assert (m.window, m.to_pool, m.advice.until) in ends
            # The help really ended: the window's view no longer has the pool.
            assert simulation.helping(m.window) == {}
            assert simulation.windows[m.window].view.also_serves == tuple(spec.also_serves)


def test_help_pool_adds_the_pool_until_then_and_stop_helping_removes_it():
    day = draw_day(*DAY)
    # A window of the quieter acceptance pool helps the busier one.
    home, target = sorted(("acceptance_a", "acceptance_b"), key=day.plan.pool_loads.get)
    categories = {s.category for s in day.hall.matters if s.pool == target}
    spec = next(w for w in day.hall.windows if w.pool == home and target not in w.also_serves
                and any(w.skills.get(c, 0) > 0 for c in categories))
    number = spec.number
    simulation = Simulation(day.hall, day.trace, "balanced", eta="none")
    start, until = day.hall.hours.open * 60.0 + 1800.0, day.hall.hours.lunch_start * 60.0
    seen = {}

    def begin() -> None:
        simulation.help_pool(number, target, until)
        view = simulation.windows[number].view
        seen["view"], seen["helping"] = view, simulation.helping(number)
        seen["open"] = view in simulation.context().open_windows   # rebuilt, not stale
        seen["violations"] = simulation.idle_violations()
        simulation.move_window(number, "pickup")                # a move keeps the help
        seen["moved"] = simulation.windows[number].view.also_serves
        simulation.move_window(number, spec.pool)

    simulation.schedule(start, begin)
    results = simulation.run()
    assert seen["view"].pool == spec.pool and target in seen["view"].also_serves
    assert seen["helping"] == {target: until} and seen["open"]
    assert seen["violations"] == [] and target in seen["moved"]
    # The help ended at `until` by itself.
    assert simulation.helping(number) == {}
    assert simulation.windows[number].view.also_serves == tuple(spec.also_serves)
    by_id = {r.ticket_id: r for r in results}
    helped = [at for at, window, ticket in simulation.calls if window == number
              and day.hall.subject(by_id[ticket].matter).pool == target]
    assert helped, "the window helped the other pool while it was asked to"
    assert all(start <= at < until for at in helped)
    # stop_helping removes only what the advisor added.
    simulation.help_pool(number, target)
    assert target in simulation.windows[number].view.also_serves
    simulation.stop_helping(number, target)
    assert simulation.windows[number].view.also_serves == tuple(spec.also_serves)


def test_run_advised_matches_static_when_it_never_moves():
    day = draw_day("small", 0)        # the small hall has no window it could move this day
    run = run_advised(day.hall, day.trace, "balanced", eta="none")
    static = Simulation(day.hall, day.trace, "balanced", eta="none").run()
    assert run.moves == []
    assert [(r.ticket_id, r.window, r.called) for r in run.results] == \
        [(r.ticket_id, r.window, r.called) for r in static]
    assert run.decision_seconds, "the advisor was asked"


def test_move_window_changes_the_home_pool_and_calls_at_once():
    day = draw_day(*DAY)
    simulation = Simulation(day.hall, day.trace[:40], "balanced", eta="none")
    simulation.run()
    number = next(w.number for w in day.hall.windows if w.pool == "acceptance_b")
    simulation.move_window(number, "acceptance_a")
    assert simulation.windows[number].view.pool == "acceptance_a"
    assert simulation.context().open_windows   # rebuilt, not stale
    assert simulation.idle_violations() == []


def test_simulate_cli_accepts_advisor(tmp_path, capsys):
    trace, out = tmp_path / "t.csv", tmp_path / "r.csv"
    hall = str(Path(__file__).resolve().parents[2] / "config" / "demo-hall.toml")
    assert main(["--hall", hall, "--generate", "--seed", "3", "--load", "1.0",
                 "--out", str(trace)]) == 0
    assert main(["--hall", hall, "--trace", str(trace), "--advisor", "--advisor-every", "20",
                 "--out", str(out), "--no-progress"]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(trace, encoding="utf-8", newline="") as handle:
        assert len(rows) == len(list(csv.DictReader(handle))) > 50
    err = capsys.readouterr().err
    assert "advisor:" in err and "moves" in err and "wait mean" in err
    # This day's acceptance area A runs long on transport: a window of area B helps it
    # for the session, and stops at its end.
    lines = err.splitlines()
    helps = [line for line in lines if " also serves " in line and " until " in line]
    assert helps, err
    assert any("stops helping" in line for line in lines)
    total = next(line for line in lines if line.startswith("advisor: "))
    assert f"{len(helps)} helps" in total


# A tuning-set layout-mismatch day of the demo hall (simulator/layouts.py): acceptance
# area A planned at an offered load of 1.06, area B at 0.58; cross-trained staff.
LAYOUT_DAY = ("demo", 9)
TUNED = AdvisorSettings(trigger_ratio=1.1, trigger_minutes=3.0)   # bench/advisor's TUNED


def test_layout_mismatch_days_and_their_derived_halls():
    assert layout_mismatch_seeds("small", 3, range(200)) == []    # one acceptance pool
    seeds = layout_mismatch_seeds("demo", 5, range(1000))
    assert len(seeds) == 5 and LAYOUT_DAY[1] in seeds
    for seed in seeds:
        day = draw_day("demo", seed)
        hot, spare = layout_mismatch(day)
        assert day.plan.pool_loads[hot] >= 1.0 and day.plan.pool_loads[spare] <= 0.8
        for separate in (False, True):
            derived = layout_mismatch_day(day, separate=separate)
            assert derived.trace == day.trace and derived.plan == day.plan
            assert settings_problems(derived.hall) == []
            pools = set(acceptance_pools(derived.hall))
            for before, after in zip(day.hall.windows, derived.hall.windows):
                if before.pool not in pools:
                    assert after == before      # green, pickup, coordination unchanged
                    continue
                assert all(after.skills.get(s.category, 0) >= 0.6
                           for s in (*derived.hall.matters, *derived.hall.themes)
                           if s.pool in pools)
                assert after.also_serves == (tuple(p for p in before.also_serves
                                                   if p not in pools)
                                             if separate else before.also_serves)


def test_the_advisor_helps_on_a_layout_mismatch_day_with_several_helps_at_once():
    day = layout_mismatch_day(draw_day(*LAYOUT_DAY), separate=True)
    history = day.history()
    arrivals = ArrivalModel.from_records((0, t.arrival, t.matter, t.priority,
                                          t.appointment_slot) for t in history)
    static = Simulation(day.hall, day.trace, "balanced", eta="none").run()
    simulation = Simulation(day.hall, day.trace, "balanced", eta="none")
    advising = Checked(simulation, settings=TUNED, arrivals=arrivals)
    advising.start()
    results = simulation.run()
    helps = [m for m in advising.moves if m.kind == "help"]
    assert helps, "area A runs hot while B idles: the advisor has B's windows help"
    at_once = Counter(m.at for m in advising.moves if m.advice is not None)
    assert max(at_once.values()) >= 2, "a tick with several advices"
    assert getattr(advising, "seen", []) == [] and advising.violations == []
    for m in helps:
        spec = day.hall.window(m.window)
        assert spec.skills.get(m.advice.category, 0) > 0      # the derived hall's skills
        assert day.hall.pool(spec.pool).kind is not PoolKind.GREEN   # (a help may go there)
    called = Counter(ticket for _, _, ticket in simulation.calls)
    assert set(called) == {t.ticket_id for t in day.trace} and max(called.values()) == 1
    # every tick's long lines say why (core.advisor_lines): each advice's line is relieved
    for at, decisions, lines in advising.rounds:
        advised = {(d.advice.to_pool, d.advice.category) for d in decisions if d.advice}
        assert {(line.pool, line.category) for line in lines
                if line.reason.value == "relieved"} == advised & {
                    (line.pool, line.category) for line in lines}

    def mean_wait(found):
        served = [r.wait_minutes for r in found if r.outcome == "served"]
        return sum(served) / len(served)
    assert mean_wait(results) < mean_wait(static)
