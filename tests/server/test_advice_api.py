"""The pool advisor in the server, on the real server (127.0.0.1) and a real SQLite file:
a hall whose social line in area B runs long while area A's windows idle gets advice;
only managers hear it; accepting applies it (the helped pool's tickets reach the window);
dismissing closes it; the advisor applies its own advice within its hourly cap; a help
ends at its time; every ticket is called once. Several advices are open at once (one per
window) and each is decided by itself; the assessment computes outside the hall's lock
(a clerk's call is answered meanwhile) and does not record an advice the hall moved
past while it computed."""
from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from dataclasses import replace

import pytest

import core.advisor
from core.actions.advice import accept_advice
from core.advice_records import AdviceRecord
from core.clock import seconds_of_day
from core.events import LoggedEvent
from server.app import create_app
from server.client import ApiError, HallClient
from server.wsgi import BackgroundServer
from tests.conftest import MONDAY, TOKENS, RunningClock, clerk_token
from tests.core.actions.helpers import move_advice

SOCIAL_B, BUSINESS_A = "SB-0501", "SS-0101"      # social waits in B, business in A
TAX_A = "SW-0301"                                 # tax waits in A
MANAGER = "manager"          # the demo manager token's credential name


def staffed(url: str, windows) -> dict[int, HallClient]:
    """These windows' clerks logged in and their windows open: window -> its clerk."""
    clerks = {}
    for window in windows:
        clerk = clerks[window] = HallClient(url, clerk_token(window))
        clerk.log_in(window)
        clerk.open_window(window)
    return clerks


def mismatched(url: str) -> dict[int, HallClient]:
    """Windows 1-3 (area A) and 8 (area B, the one social window) open; ten social
    tickets wait in B, one business ticket in A."""
    clerks = staffed(url, (1, 2, 3, 8))
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(10):
        kiosk.issue_ticket(SOCIAL_B)
    kiosk.issue_ticket(BUSINESS_A)
    return clerks


def refused(call) -> ApiError:
    with pytest.raises(ApiError) as error:
        call()
    return error.value


def until_marker(items, marker: str) -> list[str]:
    """The event types a stream hears up to (and without) the first `marker` event."""
    heard = []
    for item in items:
        if isinstance(item, LoggedEvent):
            if item.type == marker:
                return heard
            heard.append(item.type)
    raise AssertionError("the stream ended")


def test_mismatched_hall_gets_advice_only_managers_hear_and_accepting_applies_it(live_server):
    url = live_server.url
    clerks = mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    streams = {role: HallClient(url, TOKENS[role]).events()
               for role in ("manager", "clerk", "kiosk", "display")}
    items = {role: iter(stream) for role, stream in streams.items()}
    for role in items:
        next(items[role])                                  # the snapshot
    assert manager.advice()["advice"] == []                # reading does not assess
    assessed = manager.assess_advice()
    advices = assessed["advice"]
    assert advices and len({a["window"] for a in advices}) == len(advices)  # one per window
    for advice in advices:
        assert advice["to_pool"] == "acceptance_b" and advice["from_pool"] == "acceptance_a"
        assert advice["window"] in (1, 2, 3) and advice["category"] == "social"
        assert advice["mean_after"] < advice["mean_before"]
        assert f"{advice['window']}号窗口" in advice["text"] and "综合受理B区" in advice["text"]
    advice, others = advices[0], [a["id"] for a in advices[1:]]   # the greatest gain first
    assert assessed["projection"]["worst_category"] == "social"
    [line] = assessed["projection"]["lines"]               # why: the long line, relieved
    assert (line["pool"], line["category"], line["waiting"], line["reason"]) == \
        ("acceptance_b", "social", 10, "relieved")
    assert line["window"] == advices[0]["window"] and line["mean_minutes"] > 10
    assert [e.type for e in assessed["events"]] == ["AdviceIssued"] * len(advices)
    assert manager.advice()["advice"] == advices
    HallClient(url, TOKENS["kiosk"]).issue_ticket(BUSINESS_A)       # a marker for all
    heard = {role: until_marker(items[role], "TicketIssued") for role in items}
    assert heard["manager"] == ["AdviceIssued"] * len(advices)
    assert heard["clerk"] == heard["kiosk"] == heard["display"] == []
    for stream in streams.values():
        stream.close()

    clerk_refused = refused(lambda: HallClient(url, clerk_token(1)).advice())
    assert clerk_refused.status == 403
    assert refused(lambda: clerks[1].accept_advice(advice["id"])).status == 403

    accepted = manager.accept_advice(advice["id"])
    window = accepted["window"]
    assert accepted["advice"]["state"] == "accepted"
    assert accepted["advice"]["decided_by"] == MANAGER
    kinds = [e.type for e in accepted["events"]]
    if advice["kind"] == "help":
        assert kinds == ["WindowHelpsPool", "AdviceAccepted"]
        assert window.pool == "acceptance_a" and "acceptance_b" in window.helping
    else:
        assert kinds == ["WindowMovedToPool", "AdviceAccepted"] and window.pool == "acceptance_b"
    again = manager.accept_advice(advice["id"])              # idempotent
    assert again["advice"] == accepted["advice"] and again["events"] == ()
    assert [a["id"] for a in manager.advice()["advice"]] == others   # the others stay open
    listed = {w.number: w for w in clerks[1].windows()}
    assert listed[advice["window"]] == window
    # the window's next call takes the helped (or new) pool's social ticket, once area
    # A's two business tickets are called at its other windows
    others = [w for w in (1, 2, 3) if w != advice["window"]]
    assert {clerks[w].call_next(w).ticket.subject for w in others} == {BUSINESS_A}
    called = clerks[advice["window"]].call_next(advice["window"]).ticket
    assert called is not None and called.pool == "acceptance_b" and called.subject == SOCIAL_B
    assert refused(lambda: manager.dismiss_advice(advice["id"])).code == "advice_closed"


def test_a_paused_window_is_expected_back_and_never_named(live_server):
    url = live_server.url
    clerks = mismatched(url)
    for window in (3, 8):        # 8 is area B's only social window; 3 would be named first
        clerks[window].pause_window(window, "break")
    assessed = HallClient(url, TOKENS["manager"]).assess_advice()
    # window 8 is back from its 15-minute break: social is not projected as never served
    assert 15 < assessed["projection"]["by_category"]["social"] < 60
    assert assessed["advice"] and {a["window"] for a in assessed["advice"]} == {2}


def accepted_move(live_server, until_minutes: float) -> None:
    """Window 3 sent from area A to area B by an accepted move advice until
    `until_minutes` after the hall's clock (as if a manager had accepted it)."""
    service = live_server.app.extensions["yichuang.service"]

    def action(hall, now):
        advice = move_advice(seconds_of_day(now), seconds_of_day(now) + 60.0 * until_minutes)
        hall.advice["m1"] = AdviceRecord("m1", advice, now.isoformat())
        return accept_advice(hall, "m1", MANAGER, now)
    service.act(action)


def window_pool(url: str, number: int) -> str:
    return {w.number: w for w in HallClient(url, clerk_token(1)).windows()}[number].pool


def test_a_moved_window_stays_past_its_time_while_its_new_line_needs_it(live_server):
    url = live_server.url
    mismatched(url)                                    # ten social tickets wait in B
    accepted_move(live_server, until_minutes=5)
    assert window_pool(url, 3) == "acceptance_b"
    live_server.clock.advance(minutes=6)
    events = HallClient(url, TOKENS["manager"]).assess_advice()["events"]
    extended = [e.event for e in events if e.type == "AdviceExtended"]
    assert [(e.id, e.window, e.to_pool, e.until) for e in extended] == [
        ("m1", 3, "acceptance_b", "12:00")]           # to the end of the morning session
    assert "WindowMovedToPool" not in {e.type for e in events}
    assert window_pool(url, 3) == "acceptance_b"
    [listed] = [a for a in HallClient(url, TOKENS["manager"]).advice(state="accepted")["advice"]
                if a["id"] == "m1"]
    assert listed["until"] == "12:00" and listed["text"].endswith("至12:00")
    live_server.clock.advance(minutes=20)              # past the old time + an interval
    HallClient(url, TOKENS["kiosk"]).issue_ticket(BUSINESS_A)   # any action expires help
    assert window_pool(url, 3) == "acceptance_b"


def test_a_moved_window_goes_home_at_its_time_when_home_needs_it(live_server):
    url = live_server.url
    staffed(url, (1, 3, 8))
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(10):                                # area A's line is long, B's empty
        kiosk.issue_ticket(BUSINESS_A)
    accepted_move(live_server, until_minutes=5)
    live_server.clock.advance(minutes=6)
    events = HallClient(url, TOKENS["manager"]).assess_advice()["events"]
    moved = [e.event for e in events if e.type == "WindowMovedToPool"]
    assert [(e.window, e.pool) for e in moved] == [(3, "acceptance_a")]
    assert "AdviceExtended" not in {e.type for e in events}
    assert window_pool(url, 3) == "acceptance_a"
    advice = HallClient(url, TOKENS["manager"]).advice(state="all")["advice"]
    assert [a["id"] for a in advice if a["id"] == "m1"] == ["m1"]


def test_dismissing_closes_advice_and_it_is_stored(live_server, tmp_path):
    url = live_server.url
    mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    advice, *others = manager.assess_advice()["advice"]
    dismissed = manager.dismiss_advice(advice["id"])
    assert dismissed["advice"]["state"] == "dismissed"
    assert [e.type for e in dismissed["events"]] == ["AdviceDismissed"]
    assert manager.dismiss_advice(advice["id"])["events"] == ()
    assert manager.advice()["advice"] == others              # only the dismissed one closed
    assert [a["id"] for a in manager.advice("dismissed")["advice"]] == [advice["id"]]
    assert refused(lambda: manager.accept_advice(advice["id"])).code == "advice_closed"
    assert refused(lambda: manager.accept_advice("nosuchadvice")).status == 404
    with sqlite3.connect(tmp_path / "live.db") as conn:
        assert conn.execute("select state, decided_by from advice where id = ?",
                            (advice["id"],)).fetchone() == ("dismissed", MANAGER)


@pytest.fixture
def auto_server(settings, tmp_path):
    """A hall whose advisor applies its advice itself, at most once an hour."""
    hall = replace(settings, advisor=replace(settings.advisor, auto_apply=True,
                                             max_auto_moves_per_hour=1))
    clock = RunningClock(MONDAY)
    app = create_app(hall, database=str(tmp_path / "auto.db"), clock=clock)
    with BackgroundServer(app, threads=16) as server:
        server.clock, server.app = clock, app
        yield server
    app.extensions["yichuang.service"].close()


def test_auto_apply_is_bounded_by_the_hourly_cap(auto_server):
    url = auto_server.url
    mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    first = manager.assess_advice()
    types = [e.type for e in first["events"]]
    assert types[0] == "AdviceIssued" and types[-1] == "AdviceAccepted"
    [applied] = manager.advice("accepted")["advice"]
    assert applied["decided_by"] == "advisor"
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(12):                                    # the line grows again
        kiosk.issue_ticket(SOCIAL_B)
    auto_server.clock.advance(minutes=50)                 # past keep_minutes, within the hour
    second = manager.assess_advice()
    if second["advice"]:                                   # advised, but not applied: the cap
        assert "AdviceAccepted" not in [e.type for e in second["events"]]
        assert second["advice"][0]["state"] == "open"
    assert len(manager.advice("accepted")["advice"]) == 1


def test_a_help_ends_at_its_time_and_a_window_without_the_skill_is_refused(live_server):
    url = live_server.url
    clerks = mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    no_skill = refused(lambda: manager.help_pool(13, "acceptance_a", "11:00"))
    assert no_skill.status == 422 and no_skill.code == "window_no_skill_for_pool"
    assert refused(lambda: manager.help_pool(3, "acceptance_a")).code == "help_own_pool"
    assert refused(lambda: clerks[3].help_pool(3, "acceptance_b")).status == 403
    helping = manager.help_pool(3, "acceptance_b", "09:30")
    assert helping.window.helping == {"acceptance_b": "09:30"}
    assert [e.type for e in helping.events] == ["WindowHelpsPool"]
    live_server.clock.advance(minutes=31)
    [window] = [w for w in manager.windows() if w.number == 3]   # a read ends it
    assert window.helping == {}
    with sqlite3.connect(live_server.app.extensions["yichuang.service"].database_path) as conn:
        kinds = [row[0] for row in conn.execute(
            "select data from events where type = 'WindowStopsHelping'")]
    assert len(kinds) == 1 and '"reason":"expired"' in kinds[0]
    stopped = refused(lambda: manager.stop_helping(3, "acceptance_b"))
    assert stopped.code == "window_not_helping"


def test_a_long_green_channel_line_gets_a_helper_that_calls_only_its_tickets(live_server):
    """Window 15 (the green channel) has a long line of 民政 tickets of the green pool;
    window 8 (area B) knows 民政: the advisor has it help the green pool, and once
    accepted it calls those tickets, not the elderly ticket of area A that the green
    window would take first."""
    url = live_server.url
    clerks = staffed(url, (1, 8, 15))
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(12):
        kiosk.issue_ticket("MZ-0803")
    manager = HallClient(url, TOKENS["manager"])
    elderly = manager.issue_ticket("SB-0503", priority="elderly").ticket   # area A social
    advices = manager.assess_advice()["advice"]
    to_green = [a for a in advices if a["to_pool"] == "green"]
    assert to_green and to_green[0]["kind"] == "help" and to_green[0]["window"] == 8
    assert to_green[0]["category"] == "civil" and "绿色通道" in to_green[0]["text"]
    accepted = manager.accept_advice(to_green[0]["id"])
    assert "green" in accepted["window"].helping and accepted["window"].pool == "acceptance_b"
    called = clerks[8].call_next(8).ticket
    assert called.pool == "green" and called.subject == "MZ-0803"
    assert manager.request("GET", f"/api/tickets/{elderly.number}")["ticket"][
        "state"] == "waiting"


def test_a_long_line_nobody_else_can_serve_gets_no_advice_and_says_why(live_server):
    """Area A's windows 1-3 idle while window 10, area B's police window, has ten
    出生登记 tickets: no open window outside area B knows 公安 matters (window 9 and the
    green window 15 do, both closed), so nothing is advised and the manager reads why."""
    url = live_server.url
    staffed(url, (1, 2, 3, 10))
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(10):
        kiosk.issue_ticket("GA-0701")
    kiosk.issue_ticket(BUSINESS_A)
    manager = HallClient(url, TOKENS["manager"])
    assessed = manager.assess_advice()
    assert assessed["advice"] == []
    [line] = assessed["projection"]["lines"]
    assert (line["pool"], line["category"], line["waiting"], line["reason"], line["window"]) \
        == ("acceptance_b", "police", 10, "no_skilled_window", None)
    assert manager.advice()["projection"]["lines"] == [line]       # kept for reading


def test_applying_advice_keeps_each_ticket_called_once(live_server):
    url = live_server.url
    clerks = mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    advice = manager.assess_advice()["advice"][0]
    manager.accept_advice(advice["id"])
    called: list[str] = []
    for _ in range(12):
        for window, clerk in clerks.items():
            answer = clerk.call_next(window)
            if answer.ticket is not None:
                called.append(answer.ticket.number)
    assert len(called) == 11                               # every ticket, once
    assert max(Counter(called).values()) == 1


def test_two_mismatched_pools_get_two_open_advices_and_each_is_decided_alone(live_server):
    """Area B's social line has no open window of its own, area A's tax line one; a
    window of each area can serve the other's line: two advices, one per pool, open at
    once; accepting one leaves the other open."""
    url = live_server.url
    staffed(url, (1, 2, 6, 7))
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(8):
        kiosk.issue_ticket(SOCIAL_B)
        kiosk.issue_ticket(TAX_A)
    manager = HallClient(url, TOKENS["manager"])
    assessed = manager.assess_advice()
    advices = assessed["advice"]
    assert {a["to_pool"] for a in advices} == {"acceptance_a", "acceptance_b"}
    assert len({a["window"] for a in advices}) == len(advices) >= 2
    assert all(a["state"] == "open" for a in advices)
    assert [e.type for e in assessed["events"]] == ["AdviceIssued"] * len(advices)
    again = manager.assess_advice()        # nothing changed: the same advices, unsaid
    assert [a["id"] for a in again["advice"]] == [a["id"] for a in advices]
    assert again["events"] == ()
    to_b = next(a for a in advices if a["to_pool"] == "acceptance_b")
    accepted = manager.accept_advice(to_b["id"])
    assert accepted["advice"]["state"] == "accepted"
    still_open = manager.advice()["advice"]
    assert [a["id"] for a in still_open] == [a["id"] for a in advices if a is not to_b]
    assert any(a["to_pool"] == "acceptance_a" for a in still_open)
    assert manager.accept_advice(to_b["id"])["events"] == ()          # idempotent
    to_a = next(a for a in still_open if a["to_pool"] == "acceptance_a")
    assert manager.dismiss_advice(to_a["id"])["advice"]["state"] == "dismissed"
    assert manager.advice("accepted")["advice"][0]["id"] == to_b["id"]


class PausedAssessment:
    """core.advisor.assess_many, made to wait (up to 20 s) after computing until the test
    lets it go: `computed` is set once the decisions are known, `finished` when the
    assessment's answer is back."""

    def __init__(self, monkeypatch) -> None:
        self.real = core.advisor.assess_many
        self.computed, self.release, self.finished = (threading.Event(), threading.Event(),
                                                      threading.Event())
        self.decisions: list = []
        self.answer: dict = {}
        monkeypatch.setattr(core.advisor, "assess_many", self)

    def __call__(self, *args, **options):
        self.decisions = self.real(*args, **options)
        self.computed.set()
        self.release.wait(20)
        return self.decisions

    def start(self, manager: HallClient) -> threading.Thread:
        def assess():
            try:
                self.answer = manager.assess_advice()
            finally:
                self.finished.set()
        thread = threading.Thread(target=assess, daemon=True)
        thread.start()
        assert self.computed.wait(20), "the assessment never computed"
        return thread


def test_a_clerk_is_answered_while_an_assessment_computes(live_server, monkeypatch):
    url = live_server.url
    clerks = mismatched(url)
    paused = PausedAssessment(monkeypatch)
    thread = paused.start(HallClient(url, TOKENS["manager"]))
    called = clerks[8].call_next(8)                     # the hall's lock is free meanwhile
    assert called.ticket is not None and called.ticket.subject == SOCIAL_B
    assert not paused.finished.is_set()                 # answered before the assessment
    paused.release.set()
    thread.join(20)
    assert paused.finished.is_set() and paused.answer["advice"]


def test_an_advice_the_hall_moved_past_while_computing_is_not_recorded(live_server,
                                                                          monkeypatch):
    url = live_server.url
    mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    paused = PausedAssessment(monkeypatch)
    thread = paused.start(manager)
    advices = [d.advice for d in paused.decisions if d.advice is not None]
    assert advices
    stale = advices[0]
    if stale.kind == "help":                  # the window serves the pool already
        manager.help_pool(stale.window, stale.to_pool)
    else:
        manager.move_window(stale.window, stale.to_pool)
    paused.release.set()
    thread.join(20)
    recorded = {a["id"] for a in manager.advice("all")["advice"]}
    assert stale.id not in recorded
    assert stale.id not in {e.event.id for e in paused.answer["events"]
                            if e.type == "AdviceIssued"}
    assert {a.id for a in advices[1:]} <= recorded      # the others are still good
    assert {a["id"] for a in paused.answer["advice"]} == {a.id for a in advices[1:]}
