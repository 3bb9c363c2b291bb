"""A simulated day with the pool advisor applied every few minutes.

    run = run_advised(hall, trace, "balanced", every_minutes=15)
    run.results        # the day's TicketResults, as Simulation.run() returns them
    run.moves          # the AppliedMoves (moves, helps and their ends), in order

Every `every_minutes` of simulated time, from opening until the last citizen has
arrived, the advisor (`core.advisor.advise`) reads the live state exactly as the
server would (waiting tickets, each window's forecast state, the work that arrived
per pool in the last hour) and its advice is applied at once with
`Simulation.move_window` (a "move") or `Simulation.help_pool` (a "help", until the
advice's `until`; the simulator stops the help then, recorded as a "help_end"), the
manager accepting it. A window moved or set to help less than `HOLD_MINUTES` ago is
not advised again. A moved window whose advice has `expired` (its session is over)
goes back to its home pool first, unless the projection says the return costs at
least the advisor's minimum gain (`core.advisor.should_return`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Iterable

from core.advisor import (
    Advice,
    AdvisorHall,
    AdvisorSettings,
    assess_many,
    expired,
    recent_work_per_pool,
    should_return,
)
from core.advisor_lines import suffering_report
from core.forecast.arrivals import ArrivalModel
from core.settings.schema import HallSettings
from simulator.engine import Simulation, TicketResult, matter_place
from simulator.generator import NO_SHOW_RATE
from simulator.trace import TraceTicket

EVERY_MINUTES = 15.0
HOLD_MINUTES = 45.0


@dataclass(frozen=True)
class AppliedMove:
    at: float                 # seconds after midnight
    window: int
    from_pool: str
    to_pool: str              # a help: the pool helped (or no longer helped)
    advice: Advice | None     # None: the window went home / stopped helping at `until`
    kind: str = "move"        # "move" | "help" | "help_end"


@dataclass
class AdvisedRun:
    results: list[TicketResult]
    moves: list[AppliedMove] = field(default_factory=list)
    simulation: Simulation | None = None
    decision_seconds: list[float] = field(default_factory=list)   # per advisor call
    decisions: list = field(default_factory=list)   # Advising.decisions: what each tick saw
    rounds: list = field(default_factory=list)      # Advising.rounds: each tick's Decisions
    #                                                 and long lines


class Advising:
    """Attaches the advisor to a Simulation: call `start()` before `simulation.run()`."""

    def __init__(self, simulation: Simulation, every_minutes: float = EVERY_MINUTES,
                 settings: AdvisorSettings | None = None, *,
                 hold_minutes: float = HOLD_MINUTES,
                 arrivals: ArrivalModel | None = None) -> None:
        self.simulation, self.every = simulation, every_minutes * 60.0
        self.settings = settings or AdvisorSettings()
        self.hold_seconds = hold_minutes * 60.0   # a moved window stays put this long
        # Expected arrivals (learned from past days) within settings.horizon_minutes
        # join the advisor's projections.
        self.schedule = None if arrivals is None else arrivals.schedule(
            lambda code: matter_place(simulation.hall, code))
        self.facts = AdvisorHall.of(simulation.hall)
        self.moves: list[AppliedMove] = []
        self.decision_seconds: list[float] = []
        self.active: dict[int, Advice] = {}       # window -> the advice that moved it
        # (at, suffering lines, candidates projected, advice kind or None), per tick
        self.decisions: list[tuple[float, tuple, int, str | None]] = []
        # (at, the core.advisor.Decisions of the tick, its long lines and why each got
        # advice or not: core.advisor_lines), for a diagnosis
        self.rounds: list[tuple[float, list, list]] = []
        self.last_arrival = max((t.arrival for t in simulation.trace), default=0.0)
        # Invariant checks a test may read: idle violations seen right after a move.
        self.violations: list[tuple[float, int, str]] = []

    def start(self) -> None:
        self.simulation.schedule(self.simulation.hall.hours.open * 60.0 + self.every, self.tick)

    def tick(self) -> None:
        sim = self.simulation
        now = sim.now
        for number, advice in sorted(self.active.items()):
            if expired(advice, now):
                if should_return(number, *self._state(), sim.policy, sim.model.expected,
                                 self.facts, settings=self.settings, **self._options()):
                    self._move(number, self.facts.home_pools[number], None)
                else:   # staying is projected better: the move holds for the next session
                    until = next((e for e in self.facts.session_ends if e > now), None)
                    self.active[number] = replace(advice, until=until)
        for advice in self.decide_all():
            if advice.kind == "help":
                self._help(advice)
            else:
                self._move(advice.window, advice.to_pool, advice)
        if now + self.every <= self.last_arrival:
            sim.schedule(now + self.every, self.tick)

    def decide(self) -> Advice | None:
        """The first advice of this tick (`decide_all`), or None."""
        found = self.decide_all()
        return found[0] if found else None

    def decide_all(self) -> list[Advice]:
        """This tick's advices: up to `settings.advice_per_tick` (core.advisor.assess_many)."""
        sim = self.simulation
        waiting, states, now = self._state()
        if not waiting:
            return []
        issued = ((ticket_pool(sim, r.matter), r.matter, r.issued) for r in sim.results.values())
        recent = recent_work_per_pool(issued, now, sim.model.expected)
        keep = {m.window for m in self.moves
                if now - m.at < self.hold_seconds and m.kind != "help_end"}
        coming = []
        if self.schedule is not None and self.settings.horizon_minutes > 0:
            coming = self.schedule.after(now, now + 60.0 * self.settings.horizon_minutes)
        started = time.perf_counter()
        decisions = assess_many(waiting, states, now, sim.policy, sim.model.expected,
                                self.facts, recent_work=recent, settings=self.settings,
                                keep=keep, arrivals=coming, **self._options())
        self.decision_seconds.append(time.perf_counter() - started)
        advices = [d.advice for d in decisions if d.advice is not None]
        first = decisions[0]
        self.decisions.append((now, first.suffering, len(first.scored),
                               advices[0].kind if advices else None))
        self.rounds.append((now, decisions, suffering_report(decisions, states)))
        return advices

    def _state(self):
        sim = self.simulation
        return (list(sim.waiting.values()), [sim.window_state(w) for w in sim.windows.values()],
                sim.now)

    def _options(self) -> dict:
        sim = self.simulation
        return dict(call_early_seconds=sim.early, params=sim.params,
                    no_show_rate=NO_SHOW_RATE, no_show_seconds=sim.recall_seconds)

    def _move(self, number: int, pool: str, advice: Advice | None) -> None:
        sim = self.simulation
        before = sim.windows[number].view.pool
        if before == pool:
            self.active.pop(number, None)
            return
        sim.move_window(number, pool)
        self.moves.append(AppliedMove(sim.now, number, before, pool, advice))
        if advice is None or advice.returns_home:
            self.active.pop(number, None)
        else:
            self.active[number] = advice
        self.violations.extend((sim.now, w, t) for w, t in sim.idle_violations())


    def _help(self, advice: Advice) -> None:
        sim = self.simulation
        number, pool, until = advice.window, advice.to_pool, advice.until
        sim.help_pool(number, pool, until)
        self.moves.append(AppliedMove(sim.now, number, advice.from_pool, pool, advice, "help"))
        self.violations.extend((sim.now, w, t) for w, t in sim.idle_violations())
        if until is not None:
            sim.schedule(until, lambda: self._help_ended(number, advice.from_pool, pool))

    def _help_ended(self, number: int, home: str, pool: str) -> None:
        sim = self.simulation
        if pool not in sim.helping(number):
            self.moves.append(AppliedMove(sim.now, number, home, pool, None, "help_end"))


def ticket_pool(sim: Simulation, matter: str) -> str:
    return sim.hall.subject(matter).pool


def run_advised(hall: HallSettings, trace: Iterable[TraceTicket], policy: str = "balanced",
                *, every_minutes: float = EVERY_MINUTES,
                settings: AdvisorSettings | None = None, hold_minutes: float = HOLD_MINUTES,
                advisor_arrivals: ArrivalModel | None = None,
                **simulation_options) -> AdvisedRun:
    """Replay `trace` under `policy` with the advisor's moves applied (module doc);
    `advisor_arrivals`: the arrival model whose expected tickets (within the settings'
    `horizon_minutes`) join the advisor's projections."""
    simulation = Simulation(hall, trace, policy, **simulation_options)
    advising = Advising(simulation, every_minutes, settings, hold_minutes=hold_minutes,
                        arrivals=advisor_arrivals)
    advising.start()
    results = simulation.run()
    return AdvisedRun(results, advising.moves, simulation, advising.decision_seconds,
                      advising.decisions, advising.rounds)
