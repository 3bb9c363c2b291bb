"""The pool advisor in the server: assess the live hall, record the advice, apply it.

`PoolAdvisor.assess()` is one assessment, decided as bench/advisor measured it
(docs/allocation.md "The pool advisor"): `core.advisor.assess_many`, up to
`[advisor] advice_per_tick` advices each on top of the ones before it, with the hall's
expected arrivals of the next `horizon_minutes` (`Hall.expected_arrivals`) in every
projection and the `[advisor]` thresholds, whose defaults are the benchmarked ones. It
runs in three steps, so that the hall's lock is held only to read and to write:

1. `snapshot()`: under the lock (`HallService.read`), the inputs as the wait estimator
   builds them: the waiting tickets' policy views, the open and paused windows' forecast
   states (`core.forecast.live.window_states`: a paused one is expected back), the
   expected arrivals within the horizon, the learned service times of every subject (a
   table, so that the computation does not read the live model), the tickets issued
   today, the windows no advice names (kept where an advice put them `keep_minutes`
   ago, or paused). All immutable or copied.
2. `compute(inputs)`: the pure computation, outside the lock (and, under gevent, in a
   native thread of gevent's pool, so that the hub keeps serving requests meanwhile).
3. `record(round)`: a hall action (under the lock, one transaction with its events):
   first each accepted move whose time has come (`core.actions.help_expiry.
   moves_expired`, read in step 1, decided in step 2 by `core.advisor.should_return`
   as the simulator does) goes home or stays until the next session's end
   (`AdviceExtended`); then `core.actions.advice.record_round` drops each advice the
   hall has moved past
   meanwhile (the window closed, left `from_pool`, or serves `to_pool` already),
   issues the new ones (`AdviceIssued` each), keeps the unchanged open ones and
   withdraws the rest. With `[advisor] auto_apply` it then accepts the round's advices
   itself, as "advisor", in the round's order, while fewer than
   `max_auto_moves_per_hour` were applied in the last hour (counted from today's advice
   records, so a restart does not reset the count).

`timing` holds the last assessment's seconds: `snapshot` and `record` (the two holds of
the lock, as measured inside them), `compute` and `total`.

Who runs it: `POST /api/advice/assess` (a manager, now), and in the production server
(`server.http.HallServer`) a background thread (a greenlet under gevent) that looks
every few seconds whether `interval_minutes` of hall time have passed since the last
assessment. The app alone (tests, the WSGI entry) does not start it: an assessment
only runs when asked. Assessments run one at a time.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

from core import advisor as core_advisor
from core.actions.advice import accept_advice, record_round
from core.actions.help_expiry import extend_move, moves_expired, return_home
from core.advice_records import AdviceState
from core.advisor import AdvisorHall, AdvisorSettings, Decision, Projection, recent_work_per_pool
from core.advisor_lines import SufferingLine, suffering_report
from core.allocation import policy_params
from core.allocation.interface import WaitingTicket
from core.clock import seconds_of_day
from core.events import Event
from core.forecast.eta import WindowState
from core.forecast.live import window_states
from core.hall import Hall
from core.settings.advisor import AdvisorConfig
from core.settings.schema import HallSettings
from core.windows import WindowStatus

log = logging.getLogger("yichuang.advisor")
TICK_SECONDS = 5.0          # the background thread looks this often (real time)


def advisor_settings(config: AdvisorConfig) -> AdvisorSettings:
    """core.advisor's settings from the [advisor] section (`only_help`: no moves); every
    value is passed, so the server never falls back on AdvisorSettings' own defaults."""
    known = {f.name for f in dataclasses.fields(AdvisorSettings)}
    values = {"trigger_ratio": config.trigger_ratio, "trigger_minutes": config.trigger_minutes,
              "min_tickets": config.min_tickets, "min_gain_minutes": config.min_gain_minutes,
              "max_donor_load": config.max_donor_load,
              "advice_per_tick": config.advice_per_tick,
              "horizon_minutes": float(config.horizon_minutes)}
    if config.only_help:
        values["moves"] = False
    return AdvisorSettings(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class Inputs:
    """What one assessment reads from the hall, taken under its lock in one hold."""

    service_day: str
    now: datetime
    waiting: tuple[WaitingTicket, ...]
    windows: tuple[WindowState, ...]
    arrivals: tuple[WaitingTicket, ...]          # expected within the horizon, by arrival
    policy: str
    service_minutes: Mapping[str, float]         # subject -> expected minutes, learned
    default_minutes: float
    issued: tuple[tuple[str, str, float], ...]   # (pool, subject, issued at) of today
    keep: frozenset[int]
    call_early_seconds: float
    params: Mapping[str, float] | None
    no_show_seconds: float
    # accepted moves whose time has come, (advice id, window): home, or longer?
    expired_moves: tuple[tuple[str, int], ...] = ()

    def minutes(self, subject: str) -> float:
        return self.service_minutes.get(subject, self.default_minutes)


@dataclass(frozen=True)
class Round:
    """One assessment's outcome, computed off the lock: its decisions (empty: nothing
    to assess) and how long the snapshot and the computation took (seconds)."""

    inputs: Inputs
    decisions: tuple[Decision, ...]
    snapshot_seconds: float
    compute_seconds: float
    returns: tuple[tuple[str, bool], ...] = ()   # (advice id, go home now) per expired move

    @property
    def advices(self) -> list[dict]:
        return [dict(d.advice.as_dict(), kind=d.advice.kind) for d in self.decisions
                if d.advice is not None]


def in_native_thread(work: Callable[[], object]):
    """`work()`; under gevent, in a native thread of the hub's pool (the computation is
    pure and holds no gevent lock), so that other greenlets run meanwhile."""
    try:
        from gevent import get_hub, monkey
    except ImportError:
        return work()
    if not monkey.is_module_patched("threading"):
        return work()
    return get_hub().threadpool.apply(work)


class PoolAdvisor:
    """One hall service's advisor: its last projection, and the background looker."""

    def __init__(self, service, settings: HallSettings) -> None:
        self.service, self.config = service, settings.advisor
        self.facts = AdvisorHall.of(settings)
        self.thresholds = advisor_settings(self.config)
        self.projection: Projection | None = None    # of the last assessment
        self.lines: list[SufferingLine] = []          # its long lines, and why (or not)
        self.assessed_at: datetime | None = None     # hall time of the last assessment
        self.assessments = 0
        self.timing: dict[str, float] = {}           # the last assessment's seconds
        self._one_at_a_time = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one assessment --------------------------------------------------------------
    def assess(self, act: Callable | None = None, picture: Callable | None = None):
        """One assessment (module doc): what `act(action, picture)` answers, by default
        `HallService.act` (a view passes its idempotent `act`)."""
        with self._one_at_a_time:
            started = time.perf_counter()
            found = self.compute(self.snapshot())
            answer = (act or self.service.act)(self.record(found), picture)
            self.timing["total"] = time.perf_counter() - started
            log.debug("pool advisor: %s", self.timing)
            return answer

    def snapshot(self) -> tuple[Inputs, float]:
        """The inputs, read under the hall's lock, and the seconds the reading took."""
        def read(hall: Hall, now: datetime) -> tuple[Inputs, float]:
            started = time.perf_counter()
            inputs = self._inputs(hall, now)
            return inputs, time.perf_counter() - started
        return self.service.read(read)

    def _inputs(self, hall: Hall, now: datetime) -> Inputs:
        clock = seconds_of_day(now)
        settings, rules = hall.settings, hall.settings.rules
        windows = tuple(window_states(hall, clock))
        waiting = tuple(hall.waiting_views())
        arrivals: tuple[WaitingTicket, ...] = ()
        horizon = 60.0 * self.thresholds.horizon_minutes
        if waiting and windows and horizon > 0:
            until = clock + horizon
            arrivals = tuple(t for t in hall.expected_arrivals(now) if t.queue_since <= until)
        expected = hall.service_times.expected
        minutes = {s.code: expected(s.code) for s in (*settings.matters, *settings.themes)}
        minutes.update((t.subject, expected(t.subject)) for t in hall.tickets.values())
        issued = tuple((t.pool, t.subject, seconds_of_day(t.issued_at))
                       for t in hall.tickets.values())
        expired = tuple((r.id, r.window) for r in moves_expired(hall, clock))
        return Inputs(hall.service_day, now, waiting, windows, arrivals, rules.policy, minutes,
                      hall.service_times.default_minutes, issued,
                      frozenset(self._kept(hall, now) | _paused(hall)),
                      hall.context().call_early_seconds, policy_params(rules),
                      float(rules.max_recalls * rules.recall_cooldown_seconds), expired)

    def compute(self, snapshot: tuple[Inputs, float]) -> Round:
        """The pure part, off the lock: `core.advisor.assess_many` on the inputs."""
        inputs, read_seconds = snapshot
        started = time.perf_counter()
        decisions: tuple[Decision, ...] = ()
        clock = seconds_of_day(inputs.now)
        if inputs.waiting and inputs.windows:
            recent = recent_work_per_pool(inputs.issued, clock, inputs.minutes)
            decisions = tuple(in_native_thread(lambda: core_advisor.assess_many(
                list(inputs.waiting), list(inputs.windows), clock, inputs.policy,
                inputs.minutes, self.facts, settings=self.thresholds, keep=inputs.keep,
                call_early_seconds=inputs.call_early_seconds, params=inputs.params,
                no_show_seconds=inputs.no_show_seconds, recent_work=recent,
                arrivals=list(inputs.arrivals))))
        returns = tuple((advice_id, self._goes_home(inputs, window, clock))
                        for advice_id, window in inputs.expired_moves)
        return Round(inputs, decisions, read_seconds, time.perf_counter() - started, returns)

    def _goes_home(self, inputs: Inputs, window: int, clock: float) -> bool:
        """Whether a window whose advised move has run its time goes home now: yes, unless
        the projection says its return costs at least the minimum gain (as the
        simulator decides, `simulator.advising`); a window not working now goes home."""
        if not inputs.waiting or all(s.view.number != window for s in inputs.windows):
            return True
        return in_native_thread(lambda: core_advisor.should_return(
            window, list(inputs.waiting), list(inputs.windows), clock, inputs.policy,
            inputs.minutes, self.facts, settings=self.thresholds,
            call_early_seconds=inputs.call_early_seconds, params=inputs.params,
            no_show_seconds=inputs.no_show_seconds))

    def record(self, found: Round) -> Callable[[Hall, datetime], list[Event]]:
        """The hall action that records the round (module doc, step 3)."""
        def action(hall: Hall, now: datetime) -> list[Event]:
            started = time.perf_counter()
            self.assessed_at, self.assessments = found.inputs.now, self.assessments + 1
            self.projection = found.decisions[0].projection if found.decisions else None
            self.lines = suffering_report(found.decisions, found.inputs.windows)
            same_day = hall.service_day == found.inputs.service_day
            events = self._settle_moves(hall, found.returns, now) if same_day else []
            proposals = found.advices if same_day else []
            recorded, ids = record_round(hall, proposals, now)
            events += recorded
            if self.config.auto_apply:
                events += self._apply_if_allowed(hall, ids, now)
            self.timing = {"snapshot": found.snapshot_seconds,
                           "compute": found.compute_seconds,
                           "record": time.perf_counter() - started}
            return events
        return action

    def _settle_moves(self, hall: Hall, returns: tuple[tuple[str, bool], ...],
                      now: datetime) -> list[Event]:
        """Each expired move the round decided on, still unsettled and its window still
        where the advice put it: home now, or kept until the next session's end."""
        clock = seconds_of_day(now)
        due = {r.id: r for r in moves_expired(hall, clock)}
        events: list[Event] = []
        for advice_id, go_home in returns:
            record = due.get(advice_id)
            if record is None:
                continue
            if go_home:
                events += return_home(hall, record)
            else:
                until = next((e for e in self.facts.session_ends if e > clock), None)
                events += extend_move(hall, record, until)
        return events

    def _kept(self, hall: Hall, now: datetime) -> set[int]:
        """Windows moved or set helping by an advice less than `keep_minutes` ago."""
        since = now - timedelta(minutes=self.config.keep_minutes)
        return {a.window for a in hall.advice.values() if a.state is AdviceState.ACCEPTED
                and a.decided_at and datetime.fromisoformat(a.decided_at) > since}

    def auto_applied_within_hour(self, hall: Hall, now: datetime) -> int:
        since = now - timedelta(hours=1)
        return sum(1 for a in hall.advice.values()
                   if a.state is AdviceState.ACCEPTED and a.decided_by == "advisor"
                   and datetime.fromisoformat(a.decided_at) > since)

    def _apply_if_allowed(self, hall: Hall, ids: list[str], now: datetime) -> list[Event]:
        """Accept the round's open advices in order, within the hourly cap."""
        events: list[Event] = []
        for advice_id in ids:
            if self.auto_applied_within_hour(hall, now) >= self.config.max_auto_moves_per_hour:
                break
            if hall.advice[advice_id].state is AdviceState.OPEN:
                events += accept_advice(hall, advice_id, "advisor", now)
        return events

    def summary(self) -> dict | None:
        """The last assessment's projected waits (minutes), per category."""
        if self.projection is None or self.assessed_at is None:
            return None
        return {"at": self.assessed_at.isoformat(timespec="seconds"),
                "mean": round(self.projection.mean, 1),
                "worst_category": self.projection.worst_category,
                "by_category": {c: round(m, 1) for c, m in
                                sorted(self.projection.by_category.items())},
                "lines": [line.as_dict() for line in self.lines]}

    # --- the background looker (production server) ------------------------------------
    def due(self, now: datetime) -> bool:
        interval = timedelta(minutes=self.config.interval_minutes)
        return self.assessed_at is None or now - self.assessed_at >= interval \
            or now < self.assessed_at

    def start(self, tick_seconds: float = TICK_SECONDS) -> None:
        if not self.config.enabled or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, args=(tick_seconds,),
                                        name="pool-advisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, tick_seconds: float) -> None:
        events = self.service.event_log
        while not self._stop.wait(tick_seconds) and not events.closed:
            try:
                if self.due(self.service.clock()):
                    self.assess()
            except Exception:              # the looker must outlive any one bad assessment
                log.exception("pool advisor: an assessment failed; trying again later")


def _paused(hall: Hall) -> set[int]:
    """Windows on a pause (午休 ...): the projection expects them back, but no advice
    names one (its clerk is away to read it)."""
    return {w.number for w in hall.windows.values() if w.status is WindowStatus.PAUSED}
