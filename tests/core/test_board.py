"""core.board: the board's fold of the display stream, from real actions on a real hall."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from core.actions.serving import (
    TransferRequest,
    call_case,
    call_next,
    call_ticket,
    finish_service,
    mark_no_show,
    park,
    recall,
    transfer,
)
from core.actions.staffing import pause_window, resume_window
from core.actions.tickets import cancel_ticket, issue_pickup_ticket, start_day
from core.board import PAUSE_REASONS, Board, hours_text, sentence, spoken_number
from core.events import LoggedEvent, Snapshot, TicketCalled, TicketIssued, for_board
from core.forecast.live import WaitEstimator
from core.hall import Hall
from tests.core.actions.helpers import NOW, TODAY, ready_case, request, staffed


class Log:
    """A hall and its event log as the display's stream would carry it: every action's
    events get the next ids, the time of the action, and the board's filter."""

    def __init__(self, settings) -> None:
        self.hall = Hall(settings, TODAY, WaitEstimator())
        self.events: list[LoggedEvent] = []
        self.now = NOW

    def act(self, action, *args, minutes: float = 0) -> list[LoggedEvent]:
        self.now += timedelta(minutes=minutes)
        made = []
        for event in action(self.hall, *args, self.now):
            shown = for_board(event)
            if shown is not None:
                made.append(LoggedEvent.encode(self.last_id + 1 + len(made),
                                               self.now.isoformat(), shown))
        self.hall.take_changes()
        self.events.extend(made)
        return made

    def issue(self, subject: str = "SS-0101", minutes: float = 0, **fields) -> str:
        return self.act(lambda hall, now: issue(hall, subject, now, **fields),
                        minutes=minutes)[0].event.number

    @property
    def last_id(self) -> int:
        return self.events[-1].id if self.events else 0

    def snapshot(self) -> Snapshot:
        return Snapshot(self.last_id, self.hall.snapshot(board=True))


def issue(hall, subject, now, **fields):
    from core.actions.tickets import issue_ticket
    return issue_ticket(hall, request(subject, **fields), now)


def folded(log: Log, settings, snapshot: Snapshot | None = None) -> tuple[Board, list]:
    board = Board(settings)
    board.load(snapshot or Snapshot(0, {"service_day": TODAY}))
    changes = [board.apply(e) for e in log.events]
    return board, changes


@pytest.fixture
def log(settings) -> Log:
    log = Log(settings)
    staffed(log.hall, 1, 2, 3, 13)
    return log


def numbers(calls) -> list[tuple[str, int]]:
    return [(c.number, c.window) for c in calls]


def test_each_call_is_new_once_and_the_latest_come_newest_first(log, settings):
    first, second, third = (log.issue() for _ in range(3))
    log.act(call_next, 1, minutes=1)
    log.act(call_next, 2, minutes=1)
    log.act(recall, 1, minutes=1)          # 2 minutes after its call: past the cooldown
    board, changes = folded(log, settings)
    new = [c.new_call for c in changes if c.new_call]
    assert [(c.kind, c.number, c.window) for c in new] == [
        ("call", first, 1), ("call", second, 2), ("recall", first, 1)]
    assert new[0].window_name == "1号窗口" and new[0].event_id > 0
    assert numbers(board.latest()) == [(first, 1), (second, 2)]   # the recall on top
    assert board.recent() == []                                   # each ticket once
    picture = board.picture(log.now, "zh")
    assert [c["number"] for c in picture["latest"]] == [first, second]
    # the loudspeaker's sentence ([voice] templates, core.announcements)
    said = [c["sentence"] for c in picture["latest"]]
    assert said[0] == f"再次呼叫，请{spoken_number(first, 'zh')}号到一号窗口"
    assert said[1] == f"请{spoken_number(second, 'zh')}号到二号窗口办理"
    assert picture["waiting"][0]["code"] == "business"
    assert third in [t for t in board.tickets if board.tickets[t].state == "waiting"]


def test_a_replay_is_ignored(log, settings):
    log.issue()
    log.act(call_next, 1)
    board, _ = folded(log, settings)
    before = (list(board.history), board.last_id)
    assert [board.apply(e) for e in log.events] == [None] * len(log.events)
    assert (list(board.history), board.last_id) == before


def test_a_finished_call_moves_to_the_recent_list(log, settings):
    first, second = log.issue(), log.issue()
    log.act(call_next, 1)
    log.act(finish_service, 1, minutes=5)       # called, never started: finished anyway
    log.act(call_next, 1, minutes=1)
    board, _ = folded(log, settings)
    assert numbers(board.latest()) == [(second, 1)]
    assert numbers(board.recent()) == [(first, 1)]
    picture = board.picture(log.now, "zh")
    assert picture["recent"][0]["state"] == "finished"


def test_a_ticket_that_leaves_its_window_leaves_the_latest_calls(log, settings):
    parked, moved, absent, cancelled = (log.issue() for _ in range(4))
    for window, number in ((1, parked), (2, moved), (3, absent)):
        log.act(call_ticket, window, number)
    log.act(park, 1, "复印身份证")
    log.act(lambda hall, window, now: transfer(hall, window, TransferRequest(
        to_pool="acceptance_b", note="转B区办理"), now), 2)
    log.act(mark_no_show, 3)
    log.act(lambda hall, now: cancel_ticket(hall, cancelled, "by_citizen", now))
    board, _ = folded(log, settings)
    assert board.latest() == []
    assert {c.number for c in board.recent()} == {parked, moved, absent}
    assert board.tickets[moved].state == "waiting" and board.tickets[moved].pool == "acceptance_b"
    assert absent not in board.tickets and cancelled not in board.tickets
    assert "转B区" not in str(board.picture(log.now, "zh"))      # notes never reach it


def test_snapshot_calls_are_shown_but_never_new(log, settings):
    first, second = log.issue(), log.issue()
    log.act(call_next, 1)
    log.act(call_next, 2)
    snapshot = log.snapshot()
    board = Board.from_snapshot(snapshot, settings)
    assert {(c.number, c.window, c.event_id) for c in board.latest()} == {
        (first, 1, 0), (second, 2, 0)}
    # what the snapshot covers is not applied again, and is not new
    assert [board.apply(e) for e in log.events] == [None] * len(log.events)
    third = log.issue()
    log.act(call_next, 3)
    changes = [board.apply(e) for e in log.events[-2:]]
    assert [c.new_call.number for c in changes if c.new_call] == [third]
    assert board.latest()[0].number == third


def test_a_snapshot_s_calls_come_newest_first_as_the_events_drew_them(log, settings):
    first, second, third = log.issue(), log.issue(), log.issue()
    log.act(call_next, 3, minutes=1)
    log.act(call_next, 1, minutes=1)
    log.act(call_next, 2, minutes=1)
    log.act(recall, 3, minutes=1)           # window 3's call is the newest again
    by_events, _ = folded(log, settings)
    from_snapshot = Board.from_snapshot(log.snapshot(), settings)
    assert numbers(from_snapshot.latest()) == numbers(by_events.latest()) == [
        (first, 3), (third, 2), (second, 1)]


def test_a_reconnect_snapshot_keeps_the_calls_already_shown(log, settings):
    first, second = log.issue(), log.issue()
    log.act(call_next, 1)
    log.act(finish_service, 1)
    log.act(call_next, 1)
    board, _ = folded(log, settings)
    board.load(log.snapshot())                  # the server chose to send a snapshot
    assert numbers(board.latest()) == [(second, 1)]
    assert numbers(board.recent()) == [(first, 1)]
    assert board.latest()[0].event_id > 0       # still the call it was, not a new one


def test_masked_names_are_shown_as_given_and_pickups_show_their_case(log, settings):
    case = ready_case(log.hall, 1)
    log.act(lambda hall, now: issue_pickup_ticket(hall, case, "token-pickup", now))
    log.act(call_next, 13)
    board, changes = folded(log, settings)
    call = [c.new_call for c in changes if c.new_call][-1]
    assert (call.kind, call.case_number, call.window) == ("pickup", case, 13)
    picture = board.picture(log.now, "zh")
    assert picture["latest"][0]["case_number"] == case
    assert picture["latest"][0]["sentence"].endswith("号到十三号窗口取件")
    # a name comes masked on the stream; the board shows it as it came
    named = [LoggedEvent.encode(board.last_id + 1, NOW.isoformat(), TicketIssued(
                 number="A099", subject="SS-0101", is_theme=False, category="business",
                 pool="acceptance_a", priority="normal", origin="kiosk", people_ahead=0,
                 eta_minutes=None, holder_name="张*三")),
             LoggedEvent.encode(board.last_id + 2, NOW.isoformat(), TicketCalled(
                 number="A099", window=2, window_name="2号窗口", subject="SS-0101",
                 holder_name="张*三"))]
    assert board.apply(named[0]).new_call is None
    assert board.apply(named[1]).new_call.holder_name == "张*三"
    assert board.picture(log.now, "zh")["latest"][0]["holder_name"] == "张*三"


def test_call_case_is_a_pickup_call(log, settings):
    case = ready_case(log.hall, 1)
    log.act(lambda hall, now: call_case(hall, 14 if hall.windows[14].clerk else 13, case,
                                        "token-case", now))
    board, changes = folded(log, settings)
    assert [c.new_call.kind for c in changes if c.new_call] == ["pickup"]


def test_waiting_counts_and_longest_waits_per_category_and_pool(log, settings):
    first = log.issue("SS-0101")                 # business, acceptance_a, at 09:00
    log.issue("SS-0102", minutes=4)              # business, 09:04
    log.issue("BDC-0401", minutes=6)             # realty, acceptance_b, 09:10
    log.act(call_ticket, 1, first, minutes=5)    # 09:15: the 09:00 business ticket called
    board, _ = folded(log, settings)
    now = NOW + timedelta(minutes=30)
    by_category = {g["code"]: g for g in board.waiting(now, "category")}
    assert (by_category["business"]["waiting"],
            by_category["business"]["longest_wait_minutes"]) == (1, 26)
    assert (by_category["realty"]["waiting"],
            by_category["realty"]["longest_wait_minutes"]) == (1, 20)
    assert (by_category["tax"]["waiting"], by_category["tax"]["longest_wait_minutes"]) == (0, None)
    assert by_category["business"]["prefix"] == "A"
    by_pool = {g["code"]: g["waiting"] for g in board.waiting(now, "pool")}
    assert by_pool == {"acceptance_a": 1, "acceptance_b": 1, "pickup": 0,
                       "coordination": 0, "green": 0}
    # the same counts as the hall itself has
    assert by_pool == log.hall.waiting_by_pool()
    shown = replace(settings, board=replace(settings.board, waiting_shown=("realty", "tax")))
    board, _ = folded(log, shown)
    assert [g["code"] for g in board.picture(now, "zh")["waiting"]] == ["realty", "tax"]


def test_pause_reasons_are_shown_only_when_standard(log, settings):
    log.act(lambda hall, now: pause_window(hall, 1, "lunch"))
    log.act(lambda hall, now: pause_window(hall, 2, "去接孩子，王五说的"))
    board, _ = folded(log, settings)
    paused = board.picture(log.now, "zh")["paused"]
    assert [(p["window"], p["reason"], p["reason_label"]) for p in paused] == [
        (1, "lunch", "午休"), (2, "", "")]
    assert "王五" not in str(board.picture(log.now, "zh"))
    assert board.picture(log.now, "en")["paused"][0]["reason_label"] == "Lunch break"
    log.act(lambda hall, now: resume_window(hall, 1))
    board, _ = folded(log, settings)
    assert [p["window"] for p in board.paused()] == [2]
    assert set(PAUSE_REASONS) >= {"lunch", "meeting", "system_fault"}


def test_a_new_day_clears_the_board(log, settings):
    log.issue()
    log.act(call_next, 1)
    log.act(lambda hall, now: start_day(hall, "2026-11-24", now), minutes=24 * 60)
    board, _ = folded(log, settings)
    assert (board.latest(), board.recent(), board.service_day) == ([], [], "2026-11-24")
    assert all(g["waiting"] == 0 for g in board.waiting(log.now))


def test_folding_from_the_start_agrees_with_the_snapshot_at_the_end(log, settings):
    for i in range(12):
        log.issue(("SS-0101", "BDC-0401", "SS-0102")[i % 3], minutes=1)
    for step in range(10):
        window = (1, 2, 3)[step % 3]
        if log.act(call_next, window, minutes=2) and step % 4 == 3:
            log.act(finish_service, window, minutes=1)
    log.act(lambda hall, now: pause_window(hall, 3, "meeting"))
    folded_board, _ = folded(log, settings)
    from_snapshot = Board.from_snapshot(log.snapshot(), settings)
    now = log.now + timedelta(minutes=3)
    for board in (folded_board, from_snapshot):
        assert {g["code"]: g["waiting"] for g in board.waiting(now, "pool")} \
            == log.hall.waiting_by_pool()
    assert folded_board.waiting(now) == from_snapshot.waiting(now)
    assert folded_board.paused() == from_snapshot.paused()
    assert sorted(numbers(folded_board.latest())) == sorted(numbers(from_snapshot.latest()))


def test_the_opening_hours_line(settings):
    monday = NOW
    assert hours_text(settings, monday, "zh") == (
        "今日办公 08:30—17:30 · 午间不打烊 · 取号截止 17:00 · 预约与取件延时至 19:00")
    assert hours_text(settings, monday, "en").startswith("Open today 08:30–17:30")
    sunday = datetime(2026, 11, 29, 10, 0, tzinfo=NOW.tzinfo)
    assert hours_text(settings, sunday, "zh") == "今日不对外办公 · 星期一 08:00 起恢复办公"
    saturday = sunday - timedelta(days=1)
    assert "仅办理预约业务" in hours_text(settings, saturday, "zh")


def test_numbers_are_read_digit_by_digit(settings):
    assert spoken_number("A012", "zh") == "A零一二"
    assert spoken_number("B100", "en") == "B 1 0 0"
    board = Board(settings)
    call = board.history  # no calls yet
    assert call == []
    from core.board import Call
    assert sentence(Call(7, "call", "A012", 3, "3号窗口"), "zh") == "请A零一二号到3号窗口办理"
    assert sentence(Call(7, "call", "A012", 3, "3号窗口"), "en") == \
        "Number A 0 1 2, please go to Window 3"


def test_the_picture_is_json_and_in_the_chosen_language(log, settings):
    import json
    log.issue()
    log.act(call_next, 1)
    board, _ = folded(log, settings)
    for language in ("zh", "en"):
        picture = board.picture(log.now, language)
        assert json.loads(json.dumps(picture)) == picture
    assert board.picture(log.now, "zh")["labels"]["now_calling"] == "正在呼叫"
    english = board.picture(log.now, "en")
    assert english["latest"][0]["window_name"] == "Window 1"
    assert english["hall"] == settings.name_en
    assert english["date"] == "Monday, 2026-11-23"
    assert board.picture(log.now, "zh")["date"] == "2026年11月23日 星期一"


def test_the_board_keeps_a_free_text_pause_reason_off_even_if_it_came(settings):
    from core.events import WindowPaused
    board = Board(settings)
    board.load(Snapshot(0, {"service_day": TODAY}))
    board.apply(LoggedEvent.encode(1, NOW.isoformat(), WindowPaused(window=4, reason="私事")))
    assert board.picture(NOW, "zh")["paused"] == [
        {"window": 4, "name": "4号窗口", "reason": "", "reason_label": ""}]


def test_the_board_section_is_checked_against_the_hall(settings):
    from core.settings.loader import SettingsError, parse_settings
    from tests.conftest import DEMO_HALL
    text = DEMO_HALL.read_text(encoding="utf-8")
    good = parse_settings(text)
    assert good.board.waiting_shown[:2] == ("business", "realty")
    assert good.board.flash_seconds == 8.0 and good.board.orientation == "landscape"
    for old, new, message in (
            ('waiting_shown = ["business",', 'waiting_shown = ["busyness",',
             "'busyness' is not one of the hall's categories"),
            ('waiting_by = "category"', 'waiting_by = "pool"',
             "'business' is not one of the hall's pools"),
            ('orientation = "landscape"      # a 55', 'orientation = "sideways"      # a 55',
             "unknown orientation 'sideways'"),
            ("recent_calls = 8 ", "recent_calls = 0 ", "must be greater than 0")):
        assert text.count(old) == 1, old
        with pytest.raises(SettingsError, match=message):
            parse_settings(text.replace(old, new))
