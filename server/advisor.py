"""The pool advisor in the server: assess the live hall, record the advice, apply it.

`PoolAdvisor.assess(hall, now)` is one assessment, run as a hall action (under the
hall's lock, in one transaction with its events): it builds the forecast's inputs as
the wait estimator does (`core.forecast.live.window_states`, the waiting tickets'
policy views, the service times learned from the hall's history), asks
`core.advisor.assess` for the best move or help, and records it
(`core.actions.advice.issue_advice`: an `AdviceIssued` to the managers; the
same proposal as the open advice says nothing twice; no advice any more withdraws the
open one). With `[advisor] auto_apply` it accepts the advice itself, as "advisor", at
most `max_auto_moves_per_hour` in any hour (counted from today's advice records, so a
restart does not reset the count).

Who runs it: `POST /api/advice/assess` (a manager, now), and in the production server
(`server.http.HallServer`) a background thread (a greenlet under gevent) that looks
every few seconds whether `interval_minutes` of hall time have passed since the last
assessment. The app alone (tests, the WSGI entry) does not start it: an assessment
only runs when asked.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import datetime, timedelta

from core.actions.advice import accept_advice, issue_advice, open_advice, withdraw_open
from core.advice_records import AdviceState
from core.advisor import AdvisorHall, AdvisorSettings, Projection, assess, recent_work_per_pool
from core.allocation import policy_params
from core.clock import seconds_of_day
from core.events import Event
from core.forecast.live import window_states
from core.hall import Hall
from core.settings.advisor import AdvisorConfig
from core.settings.schema import HallSettings

log = logging.getLogger("yichuang.advisor")
TICK_SECONDS = 5.0          # the background thread looks this often (real time)


def advisor_settings(config: AdvisorConfig) -> AdvisorSettings:
    """core.advisor's thresholds from the [advisor] section (`only_help`: no moves)."""
    known = {f.name for f in dataclasses.fields(AdvisorSettings)}
    values = {"trigger_ratio": config.trigger_ratio, "trigger_minutes": config.trigger_minutes,
              "min_tickets": config.min_tickets, "min_gain_minutes": config.min_gain_minutes,
              "max_donor_load": config.max_donor_load}
    if config.only_help:
        values["moves"] = False
    return AdvisorSettings(**{k: v for k, v in values.items() if k in known})


class PoolAdvisor:
    """One hall service's advisor: its last projection, and the background looker."""

    def __init__(self, service, settings: HallSettings) -> None:
        self.service, self.config = service, settings.advisor
        self.facts = AdvisorHall.of(settings)
        self.thresholds = advisor_settings(self.config)
        self.projection: Projection | None = None    # of the last assessment
        self.assessed_at: datetime | None = None     # hall time of the last assessment
        self.assessments = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one assessment --------------------------------------------------------------
    def assess(self, hall: Hall, now: datetime) -> list[Event]:
        """The hall action: assess, record the advice (or withdraw the open one), and
        apply it when the hall lets the advisor do so."""
        self.assessed_at, self.assessments = now, self.assessments + 1
        clock = seconds_of_day(now)
        waiting, windows = hall.waiting_views(), window_states(hall, clock)
        if not waiting or not windows:
            self.projection = None
            return withdraw_open(hall, "no_longer_needed")
        service_minutes = hall.service_times.expected
        issued = [(t.pool, t.subject, seconds_of_day(t.issued_at))
                  for t in hall.tickets.values()]
        decision = assess(
            waiting, windows, clock, hall.settings.rules.policy, service_minutes, self.facts,
            call_early_seconds=hall.context().call_early_seconds,
            params=policy_params(hall.settings.rules),
            recent_work=recent_work_per_pool(issued, clock, service_minutes),
            settings=self.thresholds, keep=self._kept(hall, now))
        self.projection = decision.projection
        advice = decision.advice
        if advice is None:
            return withdraw_open(hall, "no_longer_needed")
        events = issue_advice(hall, dict(advice.as_dict(), kind=getattr(advice, "kind", "move")),
                              now)
        if self.config.auto_apply:
            events += self._apply_if_allowed(hall, now)
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

    def _apply_if_allowed(self, hall: Hall, now: datetime) -> list[Event]:
        if self.auto_applied_within_hour(hall, now) >= self.config.max_auto_moves_per_hour:
            return []
        events: list[Event] = []
        for record in open_advice(hall):
            events += accept_advice(hall, record.id, "advisor", now)
        return events

    def summary(self) -> dict | None:
        """The last assessment's projected waits (minutes), per category."""
        if self.projection is None or self.assessed_at is None:
            return None
        return {"at": self.assessed_at.isoformat(timespec="seconds"),
                "mean": round(self.projection.mean, 1),
                "worst_category": self.projection.worst_category,
                "by_category": {c: round(m, 1) for c, m in
                                sorted(self.projection.by_category.items())}}

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
                    self.service.act(self.assess)
            except Exception:              # the looker must outlive any one bad assessment
                log.exception("pool advisor: an assessment failed; trying again later")
