"""The days `test_hall_reload.py` draws: every action run as the server runs it, and
the comparison of a live hall with the one reloaded from its database."""
from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Callable

from hypothesis import currently_in_test_context, event

from core.actions.alarms import raise_alarm
from core.actions.cases import CaseRequest, approve_case, supply_materials
from core.actions.ratings import submit_rating
from core.actions.serving import (
    TransferRequest,
    call_case,
    call_next,
    call_ready_windows,
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
from tests.server.hall_compare import differences, stored_ratings

SETTINGS = load_settings(DEMO_HALL)
START = datetime(2026, 11, 23, 8, 30, tzinfo=ZONE)        # a Monday, as the hall opens
SUBJECTS = sorted(m.code for m in SETTINGS.matters) + sorted(t.code for t in SETTINGS.themes)
POOLS = [p.code for p in SETTINGS.pools]
WINDOWS = [w.number for w in SETTINGS.windows]
CLERKS = [f"clerk-{n:02d}" for n in range(1, 7)]    # fewer clerks than windows: they move
MATERIALS = ("身份证复印件", "授权委托书", "营业执照副本复印件")
NO_SUCH_CASE = "WH20260101-9999"

Action = Callable[[Hall, datetime], list[Event]]


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
            events += call_ready_windows(self.hall, self.now)   # as the server does (待叫)
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
            lambda hall, now: pause_window(hall, window, reason, now))


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
