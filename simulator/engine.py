"""The discrete-event hall simulator: a trace replayed through the real policy.

Events (arrivals, service ends, lunch breaks) sit in a heap ordered by time.
A free window calls `core.allocation.choose` with exactly the values the
server would build (`Simulation.decision_inputs` exposes them); an idle window
calls again whenever a ticket arrives. Rules:

* windows open at `hours.open` (a window with its own `shift`, at its start),
  take their lunch break (the window's own, or the hall's when it does not serve
  at lunchtime) after the current service, and keep calling after closing time
  until the line is empty (a window with a `shift` calls nobody after its end);
* a no-show is called, recalled `max_recalls` times `recall_cooldown_seconds`
  apart, and then marked; the window loses that time;
* an appointment's slot is `TraceTicket.appointment_slot`;
* each finished service teaches the service-time model (`observe`);
* with an arrival model (`arrivals=`, `core.forecast.arrivals`, learned from past
  days), the ETA also expects the citizens still to come and the day's booked
  appointments (their slots are known in advance);
* the ETA printed at issue comes from `core.forecast.eta.forecast` (and the baseline
  formula, kept for the benchmark), with its 80% range from a
  `core.forecast.ranges.RangeCalibrator` that learns each ticket's error when it is
  called, as the server's does (pass one seeded from history as `calibrator`).

`run()` plays a whole day. To step it by hand (a what-if, or checking the server
against it), call `arrive(ticket)` and `call_next(window, at)` instead.
"""
from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping

from core.allocation import Policy, get_policy, policy_params, window_view_of
from core.allocation.interface import HallContext, WaitingTicket, WindowView
from core.forecast.arrivals import ArrivalModel
from core.forecast.availability import Shift, window_state
from core.forecast.eta import WindowState, baseline_eta, forecast
from core.forecast.ranges import RangeCalibrator
from core.forecast.service_times import ServiceTimeModel
from core.settings.schema import HallSettings
from simulator.generator import NO_SHOW_RATE
from simulator.trace import TraceTicket

ARRIVAL, FREE, LUNCH = 0, 1, 2   # same-time order: arrivals first, then free windows
ACTION = 3                       # a scheduled callback (`Simulation.schedule`), last


@dataclass
class TicketResult:
    ticket_id: str
    matter: str
    category: str
    priority: str
    window: int | None = None
    issued: float = 0.0
    called: float | None = None
    finished: float | None = None
    eta_minutes: float | None = None
    eta_low: float | None = None      # the estimate's 80% range (core.forecast.ranges)
    eta_high: float | None = None
    eta_baseline_minutes: float | None = None
    outcome: str = "waiting"     # served | no_show | waiting (never called)

    @property
    def wait_minutes(self) -> float | None:
        return None if self.called is None else (self.called - self.issued) / 60.0


@dataclass
class _Window:
    view: WindowView
    shift: Shift
    busy_until: float = 0.0
    ticket: str | None = None
    on_lunch: bool = False
    lunch_taken: bool = False
    idle_since: float | None = None
    helps: dict = None            # pool -> until: pools the advisor added (`help_pool`)

    @property
    def lunch(self) -> tuple[float, float] | None:
        return self.shift.lunch


class Simulation:
    """One day of one hall under one policy. Call `run()`, then read `results`."""

    def __init__(self, hall: HallSettings, trace: Iterable[TraceTicket],
                 policy: str | Policy = "balanced",
                 *, model: ServiceTimeModel | None = None, eta: str = "forecast",
                 params: Mapping[str, float] | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 eta_every: int = 1,
                 baseline_means: Mapping[str, float] | None = None,
                 calibrator: RangeCalibrator | None = None,
                 arrivals: ArrivalModel | None = None) -> None:
        # A registered policy's name, or (a benchmark's reference rule) a Policy object;
        # the estimates run a registered policy forward, so an object runs without them.
        if isinstance(policy, Policy):
            if eta != "none":
                raise ValueError(f"policy {policy.name!r} is not registered: run it with "
                                 f"eta='none'")
            self._policy, policy = policy, policy.name
        else:
            self._policy = get_policy(policy)
        # The hall's own rules (the overdue guard) unless `params` overrides them.
        self.hall, self.policy = hall, policy
        self.params = policy_params(hall.rules) | dict(params or {})
        self.trace = sorted(trace, key=lambda t: (t.arrival, t.ticket_id))
        self.model = model or ServiceTimeModel.from_settings(hall)
        self.eta_mode, self.eta_every, self.progress = eta, max(1, eta_every), progress
        # The baseline formula's service times: the model's, or (a benchmark's
        # reference) the day's true means per matter.
        self.baseline_means = baseline_means
        # The estimates' ranges: learnt from each ticket's error when it is called.
        self.calibrator = calibrator if calibrator is not None else RangeCalibrator()
        self._ahead_at_issue: dict[str, int | None] = {}
        # The citizens still to come, for the ETA: learned from past days (`arrivals`),
        # and the day's appointments, whose slots are booked in advance.
        self._arrivals = None if arrivals is None else arrivals.schedule(
            lambda code: matter_place(hall, code), appointments=False)
        self._bookings = [t for t in self.trace if t.appointment_slot is not None]
        self.early = hall.rules.appointment_call_early_minutes * 60.0
        self.recall_seconds = float(hall.rules.max_recalls * hall.rules.recall_cooldown_seconds)
        self.now = 0.0
        self.windows = {w.number: _Window(window_view_of(w, hall), Shift.of(hall.hours, w))
                        for w in hall.windows}
        self.waiting: dict[str, WaitingTicket] = {}
        self.results: dict[str, TicketResult] = {}
        self.calls: list[tuple[float, int, str]] = []   # (time, window, ticket): the call log
        self._trace_by_id = {t.ticket_id: t for t in self.trace}
        self._events: list = []
        self._seq = 0
        self._context: HallContext | None = None
        self._context_key: tuple = ()

    def _push(self, at: float, kind: int, payload) -> None:
        self._seq += 1
        heapq.heappush(self._events, (at, kind, self._seq, payload))

    # -- what a policy sees ---------------------------------------------------
    def open_views(self) -> tuple[WindowView, ...]:
        return tuple(w.view for w in self.windows.values() if self._is_open(w))

    def _is_open(self, w: _Window) -> bool:
        return not w.on_lunch and w.shift.working(self.now)

    def context(self) -> HallContext:
        """The HallContext passed to choose; rebuilt only when open windows change."""
        key = tuple(n for n, w in self.windows.items() if self._is_open(w))
        if self._context is None or self._context_key != key:
            views = tuple(self.windows[n].view for n in key)
            self._context = HallContext(views, self.model.expected, self.early, self.params)
            self._context_key = key
        return self._context

    def decision_inputs(self, number: int
                        ) -> tuple[WindowView, list[WaitingTicket], float, HallContext]:
        """Exactly the arguments the simulator passes to choose for window `number` now."""
        return self.windows[number].view, list(self.waiting.values()), self.now, self.context()

    def schedule(self, at: float, action: Callable[[], None]) -> None:
        """Run `action()` at simulated time `at`, after that moment's arrivals and calls
        (the pool advisor's ticks, `simulator.advising`)."""
        self._push(at, ACTION, action)

    def move_window(self, number: int, pool: str) -> None:
        """The manager moves window `number` to `pool` now (as POST /api/windows/<n>/move):
        its home pool changes, its skills and helped pools (configured or `help_pool`)
        stay; idle, it calls at once."""
        self._rebuild_view(number, pool)

    def help_pool(self, number: int, pool: str, until: float | None = None) -> None:
        """Window `number` also serves `pool` from now until `until` (seconds after
        midnight; None: all day), keeping its home pool ("5号窗口 also serves 公安户政
        until 11:30"); idle, it calls at once. Helping again moves `until`."""
        w = self.windows[number]
        w.helps = dict(w.helps or {})
        w.helps[pool] = until
        self._rebuild_view(number, w.view.pool)
        if until is not None:
            self.schedule(until, lambda: self._help_ends(number, pool, until))

    def stop_helping(self, number: int, pool: str) -> None:
        """Window `number` no longer serves `pool` (unless its configuration says so)."""
        w = self.windows[number]
        if w.helps and pool in w.helps:
            w.helps = {p: u for p, u in w.helps.items() if p != pool}
            self._rebuild_view(number, w.view.pool)

    def helping(self, number: int) -> dict:
        """The pools the advisor has window `number` help now -> until."""
        return dict(self.windows[number].helps or {})

    def _help_ends(self, number: int, pool: str, until: float) -> None:
        if (self.windows[number].helps or {}).get(pool, -1.0) == until:
            self.stop_helping(number, pool)

    def _rebuild_view(self, number: int, pool: str) -> None:
        spec = self.hall.window(number)
        w = self.windows[number]
        view = window_view_of(spec, self.hall, pool=pool)
        extra = tuple(p for p in (w.helps or {}) if p != pool and p not in view.also_serves)
        w.view = replace(view, also_serves=view.also_serves + extra) if extra else view
        self._context = None
        if w.idle_since is not None and w.ticket is None and self._is_open(w):
            self._call_next(number)

    def idle_violations(self) -> list[tuple[int, str]]:
        """(window, ticket) pairs where an idle window could serve a waiting ticket.

        Idle means open, serving no one, and having found nothing at its last call.
        """
        found = []
        for number, w in self.windows.items():
            if w.idle_since is not None and w.ticket is None and self._is_open(w):
                found.extend((number, t.ticket_id) for t in self.waiting.values()
                             if self._policy.may_serve(w.view, t))
        return found

    # -- the run --------------------------------------------------------------
    def run(self) -> list[TicketResult]:
        for t in self.trace:
            self._push(t.arrival, ARRIVAL, t)
        for number, w in self.windows.items():
            self._push(w.shift.opens, FREE, number)
            if w.lunch is not None:
                self._push(w.lunch[0], LUNCH, number)
        done, total = 0, len(self.trace)
        while self._events:
            at, kind, _, payload = heapq.heappop(self._events)
            self.now = at
            if kind == ARRIVAL:
                self._arrive(payload)
                done += 1
                if self.progress is not None and (done % 50 == 0 or done == total):
                    self.progress(done, total)
            elif kind == FREE:
                self._window_free(payload)
            elif kind == LUNCH:
                self._lunch_starts(payload)
            else:
                payload()
        return [self.results[t.ticket_id] for t in self.trace]

    def arrive(self, t: TraceTicket) -> None:
        """A citizen takes a number at `t.arrival`; idle windows that may serve it call."""
        self.now = t.arrival
        self._arrive(t)

    def call_next(self, number: int, at: float) -> str | None:
        """Window `number` presses "call next" at `at`, as a clerk would at the server:
        a ticket it has only just called and not served is a no-show (过号), then it
        calls. Returns the ticket it called, or None."""
        self.now = at
        w = self.windows[number]
        if w.ticket is not None:
            result = self.results[w.ticket]
            result.outcome, result.finished, w.ticket = "no_show", at, None
        self._call_next(number)
        return w.ticket

    def _arrive(self, t: TraceTicket) -> None:
        category, pool = matter_place(self.hall, t.matter)
        ticket = WaitingTicket(t.ticket_id, t.matter, category, pool, t.priority,
                               t.arrival, t.appointment_slot)
        self.waiting[t.ticket_id] = ticket
        result = TicketResult(t.ticket_id, t.matter, category, t.priority.value, issued=t.arrival)
        self.results[t.ticket_id] = result
        if self.eta_mode != "none" and (len(self.results) - 1) % self.eta_every == 0:
            self._estimate(ticket, result)
        idle = [(w.view, w.idle_since) for w in self.windows.values()
                if w.idle_since is not None and self._policy.may_serve(w.view, ticket)]
        order = (self._policy.ready_order(idle, self.context()) if len(idle) > 1
                 else [view for view, _ in idle])
        for view in order:
            self._call_next(view.number)

    def _estimate(self, ticket: WaitingTicket, result: TicketResult) -> None:
        views = self.open_views() or tuple(w.view for w in self.windows.values())
        waiting = list(self.waiting.values())
        mean = (_mean_service(self.model, waiting) if self.baseline_means is None else
                sum(self.baseline_means[t.matter] for t in waiting) / len(waiting))
        result.eta_baseline_minutes = baseline_eta(ticket, waiting, views, self.now, mean,
                                                   self.early)
        if self.eta_mode == "forecast":
            states = [self.window_state(w) for w in self.windows.values()]
            est = forecast(waiting, states, self.now, self.policy, self.model.expected,
                           call_early_seconds=self.early, params=self.params,
                           no_show_rate=NO_SHOW_RATE, no_show_seconds=self.recall_seconds,
                           stop_after=ticket.ticket_id, arrivals=self._coming())
            hit = est.get(ticket.ticket_id)
            if hit is not None and hit.wait_seconds is not None:
                result.eta_minutes = hit.wait_seconds / 60.0
                self._ahead_at_issue[ticket.ticket_id] = hit.people_ahead
            else:
                result.eta_minutes = result.eta_baseline_minutes
        if result.eta_minutes is not None:
            result.eta_low, result.eta_high = self.calibrator.range_for(
                result.eta_minutes, self._ahead_at_issue.get(ticket.ticket_id),
                int(result.issued // 3600))

    def _coming(self) -> list[WaitingTicket]:
        """The tickets expected after now (none without an arrival model)."""
        if self._arrivals is None:
            return []
        start = bisect.bisect_left(self._bookings, self.now, key=lambda t: t.arrival)
        booked = [(t.appointment_slot, t.matter) for t in self._bookings[start:]
                  if t.ticket_id not in self.results]
        return self._arrivals.after(self.now, bookings=booked)

    def window_state(self, w: _Window) -> WindowState:
        """The ETA's view of a window: when it will be free, and its break."""
        busy = self.now
        if w.ticket is not None:
            busy = self._expected_end(w)
        if w.on_lunch and w.lunch is not None:
            busy = max(busy, w.lunch[1])
        return window_state(w.view, w.shift, self.now, busy, lunch_taken=w.lunch_taken)

    def _expected_end(self, w: _Window) -> float:
        # The ETA may not peek at the true service time: it uses the expected end.
        called = self.results[w.ticket].called or self.now
        return called + 60.0 * self.model.expected(self.results[w.ticket].matter)

    def _lunch_starts(self, number: int) -> None:
        w = self.windows[number]
        if w.ticket is None and not w.lunch_taken:
            self._go_to_lunch(w, number)

    def _go_to_lunch(self, w: _Window, number: int) -> None:
        w.on_lunch, w.lunch_taken, w.idle_since = True, True, None
        self._push(max(self.now, w.lunch[1]), FREE, number)

    def _window_free(self, number: int) -> None:
        w = self.windows[number]
        if w.ticket is not None:
            self._finish(w)
        if w.on_lunch and self.now >= w.lunch[1]:
            w.on_lunch = False
        elif w.lunch is not None and not w.lunch_taken and w.lunch[0] <= self.now < w.lunch[1]:
            self._go_to_lunch(w, number)
            return
        self._call_next(number)

    def _finish(self, w: _Window) -> None:
        result = self.results[w.ticket]
        result.finished = self.now
        if result.outcome == "served":
            self.model.observe(result.matter, (self.now - result.called) / 60.0)
        w.ticket = None

    def _call_next(self, number: int) -> None:
        w = self.windows[number]
        if w.on_lunch or w.ticket is not None:
            return
        if not w.shift.working(self.now):        # its shift is over: it calls nobody
            w.idle_since = None
            return
        view, waiting, now, context = self.decision_inputs(number)
        ticket = self._policy.choose(view, waiting, now, context)
        if ticket is None:
            if w.idle_since is None:
                w.idle_since = now
            return
        del self.waiting[ticket.ticket_id]
        self.calls.append((now, number, ticket.ticket_id))
        source = self._trace_by_id[ticket.ticket_id]
        result = self.results[ticket.ticket_id]
        result.window, result.called = number, now
        if result.eta_minutes is not None:
            self.calibrator.record(result.eta_minutes, (now - result.issued) / 60.0,
                                   self._ahead_at_issue.pop(ticket.ticket_id, None),
                                   int(result.issued // 3600))
        result.outcome = "no_show" if source.no_show else "served"
        seconds = self.recall_seconds if source.no_show else source.service_minutes * 60.0
        w.ticket, w.idle_since, w.busy_until = ticket.ticket_id, None, now + seconds
        self._push(now + seconds, FREE, number)


def matter_place(hall: HallSettings, code: str) -> tuple[str, str]:
    """(category, pool) of a matter or 一件事 theme code; KeyError if neither."""
    subject = hall.subject(code)
    return subject.category, subject.pool


def _mean_service(model: ServiceTimeModel, waiting: list[WaitingTicket]) -> float:
    if not waiting:
        return 5.0
    return sum(model.expected(t.matter) for t in waiting) / len(waiting)


def simulate(hall: HallSettings, trace: Iterable[TraceTicket],
             policy: str | Policy = "balanced",
             **kwargs) -> list[TicketResult]:
    """Replay `trace` in `hall` under `policy`; one result per trace ticket."""
    return Simulation(hall, trace, policy, **kwargs).run()
