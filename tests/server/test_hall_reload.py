"""After any sequence of actions, the hall reloaded from the database is the live hall.

The action contract (`core.actions`): an action calls `hall.touch(entity)` on every
ticket, window or case it changes, and the server writes exactly `hall.changes` in
the action's transaction. A missing touch leaves the database behind the live hall
and nothing notices until the server restarts. This test drives the real actions on
a real `server.storage.Store` (a SQLite file) exactly as `HallService.act` does, and
after every step reloads the hall with `Store.load_hall` and compares it with the
live one: tickets, windows, cases, counters, the waiting views, the learned service
times, and the ratings table.

A day is 1 to 40 steps, each drawn as it is run (`st.data()`): an example then ends at
the step whose check fails, which makes hypothesis shrink it several times faster
than a list drawn up front. `pytest --hypothesis-show-statistics` shows how often
each action succeeded or was refused. The three sequences the property found (a new
day with no window in use was not stored; a ticket parked while called, then
resumed, was learnt only live; two services finished at one instant were relearnt
in another order) are kept below it as small regression tests.
"""
from __future__ import annotations

import math
import shutil
from dataclasses import fields
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, Phase, currently_in_test_context, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.actions.alarms import raise_alarm
from core.actions.cases import CaseRequest, approve_case, supply_materials
from core.actions.ratings import submit_rating
from core.actions.serving import (
    TransferRequest,
    call_case,
    call_next,
    call_ticket,
    finish_service,
    mark_no_show,
    park,
    recall,
    resume_ticket,
    start_service,
    transfer,
)
from core.actions.staffing import (
    close_window,
    log_in,
    log_out,
    move_window,
    open_window,
    pause_window,
    release_window,
    resume_window,
)
from core.actions.tickets import (
    TicketRequest,
    cancel_ticket,
    issue_pickup_ticket,
    issue_ticket,
    start_day,
)
from core.allocation import can_serve
from core.cases import Case, CaseStatus
from core.errors import HallError
from core.events import Event
from core.forecast.live import WaitEstimator
from core.hall import Changes, Hall
from core.settings.loader import load_settings
from core.settings.schema import PoolKind, Priority
from core.tickets import Origin, Ticket, TicketState
from core.windows import Window, WindowStatus
from server.storage import Store
from tests.conftest import DEMO_HALL, ZONE

SETTINGS = load_settings(DEMO_HALL)
START = datetime(2026, 11, 23, 8, 30, tzinfo=ZONE)        # a Monday, as the hall opens
SUBJECTS = sorted(m.code for m in SETTINGS.matters) + sorted(t.code for t in SETTINGS.themes)
POOLS = [p.code for p in SETTINGS.pools]
WINDOWS = [w.number for w in SETTINGS.windows]
CLERKS = [f"clerk-{n:02d}" for n in range(1, 7)]    # fewer clerks than windows: they move
MATERIALS = ("身份证复印件", "授权委托书", "营业执照副本复印件")
NO_SUCH_CASE = "WH20260101-9999"

Action = Callable[[Hall, datetime], list[Event]]


# --- the comparison ----------------------------------------------------------------------

def differences(live: Hall, loaded: Hall) -> list[str]:
    """Everything in which the reloaded hall differs from the live one, readably."""
    found: list[str] = []

    def differ(what: str, mine, theirs) -> None:
        found.append(f"{what}: live {mine!r} != reloaded {theirs!r}")

    if live.service_day != loaded.service_day:
        differ("service_day", live.service_day, loaded.service_day)
    _compare_entities(differ, "ticket", live.tickets, loaded.tickets, fields(Ticket))
    _compare_entities(differ, "window", live.windows, loaded.windows,
                      [f for f in fields(Window) if f.name != "spec"])
    _compare_entities(differ, "case", live.cases, loaded.cases, fields(Case))
    if set(live.by_phone_token) != set(loaded.by_phone_token):
        differ("by_phone_token keys", sorted(live.by_phone_token),
               sorted(loaded.by_phone_token))
    if live.counters != loaded.counters:
        differ("counters", live.counters, loaded.counters)
    if live.case_counter != loaded.case_counter:
        differ("case_counter", live.case_counter, loaded.case_counter)
    mine = {v.ticket_id: v for v in live.waiting_views()}
    theirs = {v.ticket_id: v for v in loaded.waiting_views()}
    for number in sorted(mine.keys() | theirs.keys()):
        if mine.get(number) != theirs.get(number):
            differ(f"waiting view {number}", mine.get(number), theirs.get(number))
    learned, relearned = live.service_times.snapshot(), loaded.service_times.snapshot()
    for matter in sorted(learned.keys() | relearned.keys()):
        a, b = learned.get(matter), relearned.get(matter)
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9):
            differ(f"service minutes of {matter}", a, b)
    return found


def _compare_entities(differ, kind: str, mine: dict, theirs: dict, compared) -> None:
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None:
            differ(f"{kind} {key}", "present" if a else "absent", "present" if b else "absent")
            continue
        for f in compared:
            if getattr(a, f.name) != getattr(b, f.name):
                differ(f"{kind} {key}.{f.name}", getattr(a, f.name), getattr(b, f.name))


RATING_COLUMNS = ("ticket_id", "window", "clerk", "level", "reason", "at")


def stored_ratings(store: Store) -> list[dict]:
    rows = store.conn.execute(f"SELECT {', '.join(RATING_COLUMNS)} FROM ratings ORDER BY id")
    return [dict(zip(RATING_COLUMNS, row)) for row in rows]


# --- running actions as the server does ----------------------------------------------------

class Run:
    """A live hall on a real store, driven as `HallService.act` drives it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.store = Store(directory / "hall.db", SETTINGS.server.synchronous)
        self.now = START
        self.hall = self.load()
        self.rated: list[dict] = []      # the ratings submitted, as the table should hold them
        self.log: list[str] = []
        self.tokens = 0
        self.drop: Callable[[Changes], None] | None = None

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def load(self) -> Hall:
        return self.store.load_hall(SETTINGS, self.now.date().isoformat(), WaitEstimator())

    def act(self, label: str, action: Action) -> bool:
        """One action as one transaction; on a refusal that touched state, reload."""
        try:
            events = action(self.hall, self.now)
        except HallError as refusal:
            touched = bool(self.hall.changes)
            self.log.append(f"{self.now:%m-%d %H:%M:%S} {label} -> refused "
                            f"({refusal.kind}{', reloaded' if touched else ''}): "
                            f"{refusal.message}")
            _count(f"{label.split('(')[0]}: refused")
            if touched:
                self.hall.take_changes()
                self.hall = self.load()
            return False
        changes = self.hall.take_changes()
        if self.drop is not None:
            self.drop(changes)
        self.store.commit(events, changes, self.now, self.hall.service_day)
        self.log.append(f"{self.now:%m-%d %H:%M:%S} {label} -> "
                        f"{', '.join(e.type for e in events) or 'no events'}")
        _count(f"{label.split('(')[0]}: ok")
        return True

    def check(self) -> list[str]:
        problems = differences(self.hall, self.load())
        stored = stored_ratings(self.store)
        if stored != self.rated:
            problems.append(f"ratings table: submitted {self.rated!r} != stored {stored!r}")
        return problems

    def report(self, problems: list[str]) -> str:
        return ("the hall reloaded from the database differs from the live hall after:\n  "
                + "\n  ".join(self.log) + "\ndifferences:\n  " + "\n  ".join(problems))

    def token(self) -> str:
        self.tokens += 1
        return f"phone-{self.tokens:04d}"

    # --- the live state, for picking targets -------------------------------------------
    def window_numbers(self, test: Callable[[Window], bool]) -> list[int]:
        return [w.number for w in self.hall.windows.values() if test(w)]

    def ticket_numbers(self, test: Callable[[Ticket], bool]) -> list[str]:
        return [t.number for t in self.hall.tickets.values() if test(t)]

    def case_numbers(self, test: Callable[[Case], bool]) -> list[str]:
        return sorted(c.number for c in self.hall.cases.values() if test(c))

    def callable_at(self, window: Window) -> list[str]:
        """The waiting tickets this window may call, in number order."""
        hall = self.hall
        view = hall.window_view(window)
        return sorted(n for n in hall.waiting_numbers() if can_serve(view, hall.waiting_view(n)))

    def servable_subjects(self) -> list[str]:
        """Subjects some working window would call, so that issued tickets get served."""
        working = [w for w in self.hall.windows.values() if _working(w)]
        return [code for code in SUBJECTS if any(_serves(w, code) for w in working)]


def _count(outcome: str) -> None:
    """Tally outcomes for `pytest --hypothesis-show-statistics`."""
    if currently_in_test_context():
        event(outcome)


def _working(window: Window) -> bool:
    return window.status is WindowStatus.OPEN and bool(window.clerk)


def _serves(window: Window, code: str) -> bool:
    subject = SETTINGS.subject(code)
    return (window.spec.skills.get(subject.category, 0.0) > 0.0
            and (subject.pool == window.pool or subject.pool in window.spec.also_serves))


def pick(candidates, n: int, fallback=()):
    """The n-th candidate (cyclically), else the n-th fallback, else None."""
    options = list(candidates) or list(fallback)
    return options[n % len(options)] if options else None


# --- one step per action ---------------------------------------------------------------------
# Each step is a dict drawn by hypothesis: "do" names the action, "n" (and "m") pick its
# target from the live state, so that most actions succeed. A step whose target does not
# exist yet does what it needs first instead (a finish with nobody at a window calls
# someone; an approval with no case opens one), so that random days reach deep states.
# "wild" (1 in 10) picks the target among everything, so that refusals happen too.

def do_issue(run: Run, s: dict) -> None:
    subjects = SUBJECTS if s["wild"] else (run.servable_subjects() or SUBJECTS)
    subject = pick(subjects, s["n"])
    slot = None
    if s.get("slot") is not None:
        slot = (run.now + timedelta(minutes=s["slot"])).replace(second=0, microsecond=0)
    origin, priority = s.get("origin", Origin.KIOSK), s.get("priority", Priority.NORMAL)
    request = TicketRequest(subject=subject, phone_token=run.token(), origin=origin,
                            priority=priority, id_card_hash=s.get("id_card", ""),
                            age=s.get("age"), appointment_slot=slot,
                            by_staff=s.get("by_staff", False),
                            id_card_read=s.get("id_card_read", False))
    run.act(f"issue_ticket({subject}, {origin.value}, {priority.value}, age={request.age}, "
            f"id={request.id_card_hash!r}, read={request.id_card_read}, "
            f"slot={slot and f'{slot:%H:%M}'}, by_staff={request.by_staff})",
            lambda hall, now: issue_ticket(hall, request, now))


def do_log_in(run: Run, s: dict) -> None:
    free = run.window_numbers(lambda w: not w.clerk)
    window = pick([] if s["wild"] else free, s["n"], WINDOWS)
    clerk = pick(CLERKS, s.get("clerk", s["n"]))
    run.act(f"log_in({window}, {clerk})",
            lambda hall, now: log_in(hall, window, clerk, clerk.upper()))


def do_staff(run: Run, s: dict, window: int | None = None) -> None:
    """A clerk logs in and opens the window: two actions, each its own transaction."""
    if window is None:
        free = run.window_numbers(lambda w: not w.clerk)
        window = pick([] if s["wild"] else free, s["n"], WINDOWS)
    if not run.hall.windows[window].clerk:
        clerk = pick(CLERKS, s.get("clerk", s["n"]))
        run.act(f"log_in({window}, {clerk})",
                lambda hall, now: log_in(hall, window, clerk, clerk.upper()))
    status = run.hall.windows[window].status
    if status is WindowStatus.PAUSED:
        run.act(f"resume_window({window})", lambda hall, now: resume_window(hall, window))
    elif status is WindowStatus.CLOSED and run.hall.windows[window].clerk:
        run.act(f"open_window({window})", lambda hall, now: open_window(hall, window))


def prepare_call(run: Run, s: dict) -> None:
    """Nobody can be called: staff a window that could call a waiting ticket, or issue one."""
    hall = run.hall
    waiting = sorted(hall.waiting_numbers())
    able = run.window_numbers(lambda w: not _working(w) and any(
        can_serve(hall.window_view(w), hall.waiting_view(n)) for n in waiting))
    if able:
        do_staff(run, s, pick(able, s["n"]))
    else:
        do_issue(run, s)


def _window_step(name: str, function, wanted: Callable[[Run, Window], bool],
                 prepare: Callable[[Run, dict], None] | None = None):
    def step(run: Run, s: dict) -> None:
        candidates = run.window_numbers(lambda w: wanted(run, w))
        if not candidates and prepare is not None and not s["wild"]:
            return prepare(run, s)
        window = pick([] if s["wild"] else candidates, s["n"], WINDOWS)
        run.act(f"{name}({window})", lambda hall, now: function(hall, window, now))
    return step


def _called(run: Run, window: Window) -> bool:
    return _working(window) and bool(window.current) and (
        run.hall.tickets[window.current].state is TicketState.CALLED)


def _busy(run: Run, window: Window) -> bool:
    return _working(window) and bool(window.current)


do_log_out = _window_step("log_out", lambda h, w, now: log_out(h, w),
                          lambda run, w: bool(w.clerk) and not w.current and not w.parked)
do_open = _window_step("open_window", lambda h, w, now: open_window(h, w),
                       lambda run, w: w.status is not WindowStatus.OPEN)
do_close = _window_step("close_window", lambda h, w, now: close_window(h, w),
                        lambda run, w: w.status is not WindowStatus.CLOSED)


def do_pause(run: Run, s: dict) -> None:
    opened = run.window_numbers(lambda w: w.status is WindowStatus.OPEN)
    window = pick([] if s["wild"] else opened, s["n"], WINDOWS)
    reason = s.get("reason", "午休")
    run.act(f"pause_window({window}, {reason!r})",
            lambda hall, now: pause_window(hall, window, reason))


do_resume_window = _window_step("resume_window", lambda h, w, now: resume_window(h, w),
                                lambda run, w: w.status is WindowStatus.PAUSED, do_pause)
do_call_next = _window_step("call_next", call_next,
                            lambda run, w: _working(w) and bool(run.callable_at(w)),
                            prepare_call)
do_recall = _window_step("recall", recall, _called, do_call_next)
do_start_service = _window_step("start_service", start_service, _called, do_call_next)
do_no_show = _window_step("mark_no_show", mark_no_show, _called, do_call_next)
do_park = _window_step("park", lambda h, w, now: park(h, w, "去复印材料", now), _busy,
                       do_call_next)
do_release = _window_step("release_window",      # a manager frees a window its clerk left
                          lambda h, w, now: release_window(h, w, "manager", now),
                          lambda run, w: bool(w.current or w.parked), do_call_next)


def do_alarm(run: Run, s: dict) -> None:
    """An alarm changes nothing in the hall: nothing to write but its event."""
    run.act("raise_alarm(kiosk-1)", lambda hall, now: raise_alarm(
        hall, "kiosk-1", "issue_rate", "kiosk-1 issued 30 numbers in a minute", now))


def do_move(run: Run, s: dict) -> None:
    window, pool = pick(WINDOWS, s["n"]), s["pool"]
    run.act(f"move_window({window}, {pool})", lambda hall, now: move_window(hall, window, pool))


def do_call_ticket(run: Run, s: dict) -> None:
    able = run.window_numbers(lambda w: _working(w) and bool(run.callable_at(w)))
    if not able and not s["wild"]:
        return prepare_call(run, s)
    window = pick([] if s["wild"] else able, s["n"], WINDOWS)
    waiting = sorted(run.hall.waiting_numbers())
    number = pick([] if s["wild"] else run.callable_at(run.hall.windows[window]),
                  s.get("m", s["n"]), waiting or run.ticket_numbers(bool) or ["A999"])
    run.act(f"call_ticket({window}, {number})",
            lambda hall, now: call_ticket(hall, window, number, now))


def do_cancel(run: Run, s: dict) -> None:
    waiting = sorted(run.hall.waiting_numbers())
    if not waiting and not s["wild"]:
        return do_issue(run, s)
    number = pick([] if s["wild"] else waiting, s["n"], run.ticket_numbers(bool) or ["A999"])
    by = pick(["citizen", "clerk-01"], s["n"])
    run.act(f"cancel_ticket({number}, by={by})",
            lambda hall, now: cancel_ticket(hall, number, "left", now, by))


def do_finish(run: Run, s: dict) -> None:
    busy = run.window_numbers(lambda w: _busy(run, w))
    if not busy and not s["wild"]:
        return do_call_next(run, s)
    window = pick([] if s["wild"] else busy, s["n"], WINDOWS)
    case = None
    if s.get("case") is not None:
        missing, supply_in_days = s["case"]
        supply_by = (None if supply_in_days is None
                     else run.now.date() + timedelta(days=supply_in_days))
        case = CaseRequest(missing_materials=MATERIALS[:missing], supply_by=supply_by)
    run.act(f"finish_service({window}, {case})",
            lambda hall, now: finish_service(hall, window, now, case))


def do_transfer(run: Run, s: dict) -> None:
    busy = run.window_numbers(lambda w: _busy(run, w))
    if not busy and not s["wild"]:
        return do_call_next(run, s)
    window = pick([] if s["wild"] else busy, s["n"], WINDOWS)
    others = run.window_numbers(lambda w: w.status is not WindowStatus.CLOSED
                                and w.number != window)
    to_window = None
    if s["to"] == "window":
        to_window = pick([] if s["wild"] else others, s["m"], WINDOWS)
    request = TransferRequest(note=" " if s["wild"] and s["m"] % 2 else "需到专窗办理",
                              to_pool=s["pool"] if s["to"] == "pool" else "",
                              to_window=to_window, subject=s["subject"] or "")
    run.act(f"transfer({window}, {request})",
            lambda hall, now: transfer(hall, window, request, now))


def do_resume_ticket(run: Run, s: dict) -> None:
    with_parked = run.window_numbers(lambda w: _working(w) and bool(w.parked)
                                     and not w.current)
    if not with_parked and not s["wild"]:
        busy = run.window_numbers(lambda w: _busy(run, w) and bool(w.parked))
        if busy:    # finish whoever came meanwhile first
            window = pick(busy, s["n"])
            run.act(f"finish_service({window}, None)",
                    lambda hall, now: finish_service(hall, window, now))
            return None
        return do_park(run, s)
    window = pick([] if s["wild"] else with_parked, s["n"], WINDOWS)
    number = pick([] if s["wild"] else run.hall.windows[window].parked, s["m"],
                  run.ticket_numbers(bool) or ["A999"])
    run.act(f"resume_ticket({window}, {number})",
            lambda hall, now: resume_ticket(hall, window, number, now))


def _ready_cases(run: Run) -> list[str]:
    return run.case_numbers(lambda c: c.status is CaseStatus.READY)


def do_pickup(run: Run, s: dict) -> None:
    ready = _ready_cases(run)
    if not ready and not s["wild"]:
        return do_approve(run, s)
    case = pick([] if s["wild"] else ready, s["n"], run.case_numbers(bool) or [NO_SUCH_CASE])
    token = run.token()
    run.act(f"issue_pickup_ticket({case})",
            lambda hall, now: issue_pickup_ticket(hall, case, token, now))


def do_call_case(run: Run, s: dict) -> None:
    ready = _ready_cases(run)
    if not ready and not s["wild"]:
        return do_approve(run, s)
    pickup = run.window_numbers(lambda w: run.hall.pool_kind(w.pool) is PoolKind.PICKUP)
    working = [n for n in pickup if _working(run.hall.windows[n])]
    if not working and pickup and not s["wild"]:
        return do_staff(run, s, pick(pickup, s["n"]))
    window = pick([] if s["wild"] else working, s["n"], WINDOWS)
    case = pick([] if s["wild"] else ready, s["m"], run.case_numbers(bool) or [NO_SUCH_CASE])
    token = run.token()
    run.act(f"call_case({window}, {case})",
            lambda hall, now: call_case(hall, window, case, token, now))


def do_supply(run: Run, s: dict) -> None:
    lacking = run.case_numbers(lambda c: bool(c.missing_materials))
    if not lacking and not s["wild"]:   # 容缺受理: accept a case with materials missing
        return do_finish(run, {**s, "case": (1 + s["n"] % 2, s["n"] % 5)})
    case = pick([] if s["wild"] else lacking, s["n"], run.case_numbers(bool) or [NO_SUCH_CASE])
    missing = run.hall.cases[case].missing_materials if case in run.hall.cases else []
    materials = (["不存在的材料"] if s["wild"] or not missing
                 else missing[:1 + s["m"] % len(missing)])
    run.act(f"supply_materials({case}, {materials})",
            lambda hall, now: supply_materials(hall, case, list(materials), now))


def do_approve(run: Run, s: dict) -> None:
    complete = run.case_numbers(lambda c: c.status is CaseStatus.IN_REVIEW
                                and not c.missing_materials)
    if not complete and not s["wild"]:
        if run.case_numbers(lambda c: bool(c.missing_materials)):
            return do_supply(run, {**s, "m": 2})
        return do_finish(run, {**s, "case": (0, None)})
    in_review = run.case_numbers(lambda c: c.status is CaseStatus.IN_REVIEW)
    case = pick([] if s["wild"] else in_review, s["n"],
                run.case_numbers(bool) or [NO_SUCH_CASE])
    run.act(f"approve_case({case})", lambda hall, now: approve_case(hall, case, now))


def do_rate(run: Run, s: dict) -> None:
    unrated = run.ticket_numbers(lambda t: t.state is TicketState.FINISHED
                                 and not any(h.action == "rated" for h in t.history))
    if not unrated and not s["wild"]:
        return do_finish(run, s)
    number = pick([] if s["wild"] else unrated, s["n"], run.ticket_numbers(bool) or ["A999"])
    ticket = run.hall.tickets.get(number)
    window = None
    if s["at_window"] == "own" and ticket is not None:
        window = ticket.window
    elif s["at_window"] == "other":
        window = 99
    level, reason = s["level"], s["reason"]
    if run.act(f"submit_rating({number}, {level}, {reason!r}, window={window})",
               lambda hall, now: submit_rating(hall, number, level, reason, now, window)):
        ticket = run.hall.tickets[number]
        run.rated.append({"ticket_id": ticket.ticket_id, "window": ticket.window,
                          "clerk": ticket.clerk, "level": level, "reason": reason.strip(),
                          "at": run.now.isoformat()})


def do_start_day(run: Run, s: dict) -> None:
    """The clock passes midnight: the service rolls the day over before its next action."""
    day = run.now.date() + timedelta(days=s["days"])
    run.now = datetime.combine(day, time(8, 30), tzinfo=ZONE)
    run.act(f"start_day({day})",
            lambda hall, now: start_day(hall, now.date().isoformat(), now))


STEPS = {
    "wait": lambda run, s: None, "issue": do_issue, "pickup": do_pickup, "cancel": do_cancel,
    "log_in": do_log_in, "staff": do_staff, "log_out": do_log_out, "open": do_open,
    "close": do_close, "pause": do_pause, "resume_window": do_resume_window, "move": do_move,
    "call_next": do_call_next, "call_ticket": do_call_ticket, "recall": do_recall,
    "start_service": do_start_service, "finish": do_finish, "no_show": do_no_show,
    "transfer": do_transfer, "park": do_park, "resume_ticket": do_resume_ticket,
    "call_case": do_call_case, "supply": do_supply, "approve": do_approve, "rate": do_rate,
    "release": do_release, "alarm": do_alarm, "start_day": do_start_day,
}


# --- the strategies --------------------------------------------------------------------------

def step(do: str, **extra) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({
        "do": st.just(do), "n": st.integers(0, 63),
        "wild": st.integers(0, 9).map(lambda n: n == 9),
        "seconds": st.integers(0, 600), **extra})


another = st.integers(0, 63)
STEP_STRATEGIES = {
    "wait": step("wait"),
    "issue": step("issue", origin=st.sampled_from([Origin.KIOSK] * 3 + list(Origin)),
                  priority=st.sampled_from([Priority.NORMAL] * 3 + list(Priority)),
                  by_staff=st.booleans(), age=st.none() | st.integers(18, 99),
                  id_card_read=st.booleans(),
                  id_card=st.sampled_from(["", "id-a", "id-b"]),
                  slot=st.sampled_from([None, 0, 30, -20]) | st.integers(-60, 180)),
    "pickup": step("pickup"), "cancel": step("cancel"),
    "log_in": step("log_in", clerk=another), "staff": step("staff", clerk=another),
    "log_out": step("log_out"), "open": step("open"), "close": step("close"),
    "pause": step("pause", reason=st.sampled_from(["午休", "系统故障", " "])),
    "resume_window": step("resume_window"),
    "move": step("move", pool=st.sampled_from(POOLS + ["nowhere"])),
    "call_next": step("call_next"), "call_ticket": step("call_ticket", m=another),
    "recall": step("recall"), "start_service": step("start_service"),
    "finish": step("finish", case=st.none() | st.tuples(st.integers(0, 2),
                                                         st.none() | st.integers(-2, 10))),
    "no_show": step("no_show"),
    "transfer": step("transfer", m=another, to=st.sampled_from(["pool", "window"]),
                     pool=st.sampled_from(POOLS + ["nowhere"]),
                     subject=st.none() | st.sampled_from(SUBJECTS)),
    "park": step("park"), "resume_ticket": step("resume_ticket", m=another),
    "call_case": step("call_case", m=another), "supply": step("supply", m=another),
    "approve": step("approve"),
    "rate": step("rate", level=st.integers(1, 5), reason=st.sampled_from(["办得快", ""]),
                 at_window=st.sampled_from(["none", "own", "other"])),
    "release": step("release"), "alarm": step("alarm"),
    "start_day": step("start_day", days=st.integers(1, 3)),
}
WEIGHTS = {   # 1 if not named
    "issue": 4, "staff": 2, "call_next": 3, "finish": 3, "call_ticket": 2, "start_service": 2,
    "transfer": 2, "park": 2, "resume_ticket": 2, "call_case": 2, "approve": 2, "rate": 2,
}
# "wait" comes first: hypothesis shrinks a step that does not matter to it
steps = st.sampled_from([kind for kind in STEP_STRATEGIES
                         for _ in range(WEIGHTS.get(kind, 1))]).flatmap(STEP_STRATEGIES.get)
LENGTHS = st.sampled_from(range(1, 41))


# --- the tests -------------------------------------------------------------------------------

@hypothesis_settings(max_examples=200, deadline=None,
                     # the explain phase traces every line: minutes on Python 3.11
                     phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                     suppress_health_check=[HealthCheck.too_slow,
                                            HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_reloading_the_hall_gives_the_live_hall(tmp_path_factory, data):
    run = Run(tmp_path_factory.mktemp("reload"))
    try:
        for _ in range(data.draw(LENGTHS)):
            drawn = data.draw(steps)
            run.now += timedelta(seconds=drawn["seconds"])
            STEPS[drawn["do"]](run, drawn)
            problems = run.check()
            assert not problems, run.report(problems)
    finally:
        run.close()


def serve_and_open_a_case(run: Run) -> None:
    """Window 1 serves an SS-0101 and opens a case: a ticket, a window and a case touched."""
    run.act("log_in", lambda hall, now: log_in(hall, 1, "clerk-01", "王丽"))
    run.act("open", lambda hall, now: open_window(hall, 1))
    request = TicketRequest(subject="SS-0101", phone_token=run.token())
    assert run.act("issue", lambda hall, now: issue_ticket(hall, request, now))
    run.now += timedelta(minutes=3)
    assert run.act("call_next", lambda hall, now: call_next(hall, 1, now))
    run.now += timedelta(minutes=20)
    assert run.act("finish", lambda hall, now: finish_service(hall, 1, now, CaseRequest()))


@pytest.mark.parametrize("kind, key, expected", [
    ("tickets", "A002", "ticket A002.state"),
    ("windows", 2, "window 2.current"),
    ("cases", "WH20261123-0002", "case WH20261123-0002"),
])
def test_the_comparison_sees_a_forgotten_touch(tmp_path, kind, key, expected):
    """The property can fail: forget one entity the last action touched and it says so."""
    run = Run(tmp_path / "dropped")
    try:
        serve_and_open_a_case(run)
        assert run.check() == []
        run.act("log_in", lambda hall, now: log_in(hall, 2, "clerk-02", "李娜"))
        run.act("open", lambda hall, now: open_window(hall, 2))
        request = TicketRequest(subject="SS-0102", phone_token=run.token())
        assert run.act("issue", lambda hall, now: issue_ticket(hall, request, now))
        assert run.act("call_next", lambda hall, now: call_next(hall, 2, now))
        assert run.check() == []
        run.now += timedelta(minutes=10)
        # window 2 finishes A002 and opens a case; one of the three is not written
        run.drop = lambda changes: getattr(changes, kind).pop(key)
        assert run.act("finish", lambda hall, now: finish_service(hall, 2, now, CaseRequest()))
        problems = run.check()
    finally:
        run.close()
    assert problems, "a forgotten touch went unnoticed"
    assert expected in "\n".join(problems), problems


def test_the_comparison_sees_a_lost_rating(tmp_path):
    run = Run(tmp_path / "rating")
    try:
        serve_and_open_a_case(run)
        run.drop = lambda changes: changes.ratings.clear()
        assert run.act("rate", lambda hall, now: submit_rating(hall, "A001", 5, "", now))
        run.rated.append({"ticket_id": "2026-11-23/A001", "window": 1, "clerk": "clerk-01",
                          "level": 5, "reason": "", "at": run.now.isoformat()})
        problems = run.check()
    finally:
        run.close()
    assert any(p.startswith("ratings table") for p in problems), problems


# --- bugs the property finds, each shown by its shortest sequence ------------------------------

def _differences_after(tmp_path: Path, actions: list[tuple[str, Action, timedelta]]) -> list[str]:
    """Run (label, action, clock advance before it) steps; every one must succeed."""
    run = Run(tmp_path / "bug")
    try:
        for label, action, advance in actions:
            run.now += advance
            assert run.act(label, action), run.log[-1]
        return run.check()
    finally:
        run.close()


NO_TIME = timedelta(0)
NEXT_MORNING = timedelta(days=1)


def _issue(subject: str, token: str) -> Action:
    return lambda hall, now: issue_ticket(hall, TicketRequest(subject, token), now)


def _start_day(hall: Hall, now: datetime) -> list[Event]:
    return start_day(hall, now.date().isoformat(), now)


def test_a_new_day_with_no_window_open_is_stored(tmp_path):
    problems = _differences_after(tmp_path, [
        ("issue_ticket(SS-0102)", _issue("SS-0102", "t1"), NO_TIME),
        ("start_day(2026-11-24)", _start_day, NEXT_MORNING),
    ])
    assert problems == []


def test_a_ticket_parked_when_called_then_resumed_teaches_both_halls(tmp_path):
    problems = _differences_after(tmp_path, [
        ("log_in(1)", lambda hall, now: log_in(hall, 1, "clerk-01", "王丽"), NO_TIME),
        ("open_window(1)", lambda hall, now: open_window(hall, 1), NO_TIME),
        ("issue_ticket(SS-0102)", _issue("SS-0102", "t1"), NO_TIME),
        ("call_next(1)", lambda hall, now: call_next(hall, 1, now), NO_TIME),
        ("park(1)", lambda hall, now: park(hall, 1, "去复印材料", now), timedelta(minutes=1)),
        ("resume_ticket(1, A001)", lambda hall, now: resume_ticket(hall, 1, "A001", now),
         timedelta(minutes=5)),
        ("finish_service(1)", lambda hall, now: finish_service(hall, 1, now),
         timedelta(minutes=10)),
    ])
    assert problems == []


def test_two_services_finished_at_the_same_instant_are_learned_in_the_same_order(tmp_path):
    problems = _differences_after(tmp_path, [
        ("log_in(1)", lambda hall, now: log_in(hall, 1, "clerk-01", "王丽"), NO_TIME),
        ("open_window(1)", lambda hall, now: open_window(hall, 1), NO_TIME),
        ("log_in(2)", lambda hall, now: log_in(hall, 2, "clerk-02", "李娜"), NO_TIME),
        ("open_window(2)", lambda hall, now: open_window(hall, 2), NO_TIME),
        ("issue_ticket(SS-0102)", _issue("SS-0102", "t1"), NO_TIME),
        ("issue_ticket(SS-0102)", _issue("SS-0102", "t2"), NO_TIME),
        ("call_ticket(1, A001)", lambda hall, now: call_ticket(hall, 1, "A001", now), NO_TIME),
        ("start_service(1)", lambda hall, now: start_service(hall, 1, now), NO_TIME),
        ("call_ticket(2, A002)", lambda hall, now: call_ticket(hall, 2, "A002", now),
         timedelta(minutes=60)),
        ("finish_service(2)", lambda hall, now: finish_service(hall, 2, now), NO_TIME),
        ("finish_service(1)", lambda hall, now: finish_service(hall, 1, now), NO_TIME),
    ])
    assert problems == []
