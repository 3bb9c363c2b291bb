"""受审分离 at the front desk: the matter's opens_case decides, 容缺受理's supply-by date is
checked against the hall's calendar, the acceptance slip and the case page's picture;
and 过号: a no-show put back in line behind N people of its pool, once."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.actions.cases import CaseRequest, acceptance_slip, case_status, open_case
from core.actions.requeue import requeue_by_token, requeue_ticket
from core.actions.serving import call_next, finish_service, mark_no_show
from core.cases import CaseStatus
from core.errors import Conflict, Invalid, NotFound
from core.events import TicketRequeued, for_board, for_public
from core.forecast.live import WaitEstimator
from core.hall import Hall
from core.tickets import TicketState
from tests.core.actions.helpers import NOW, TODAY, at, called, serving, staffed, take, touched

SHANGHAI = ZoneInfo("Asia/Shanghai")


def case_events(events):
    return [e for e in events if e.type == "CaseOpened"]


# --- opens_case is honoured ---------------------------------------------------------------

def test_a_case_opening_matter_opens_its_case_without_being_asked(hall):
    staffed(hall, 1)
    serving(hall, 1, "SS-0101")                            # opens_case = true
    events = finish_service(hall, 1, at(minutes=10))
    (opened,) = case_events(events)
    case = hall.cases[opened.case_number]
    assert events[0].case_number == case.number and len(case.token) >= 20


def test_asking_for_no_case_does_not_skip_it(hall):
    staffed(hall, 1)
    serving(hall, 1, "SS-0101")
    events = finish_service(hall, 1, at(minutes=10), CaseRequest(requested=False))
    assert len(case_events(events)) == 1


def test_call_next_while_serving_opens_the_case_too(hall):
    staffed(hall, 1)
    serving(hall, 1, "SS-0103")
    assert len(case_events(call_next(hall, 1, at(minutes=10)))) == 1


def test_a_matter_that_opens_no_case_never_opens_one(hall):
    staffed(hall, 1)
    serving(hall, 1, "SS-0102")                            # 即办件
    assert case_events(finish_service(hall, 1, at(minutes=5))) == []
    assert hall.cases == {}


def test_asking_a_case_of_a_matter_that_opens_none_is_refused_before_anything_changes(hall):
    staffed(hall, 1)
    number = serving(hall, 1, "SS-0102")
    with pytest.raises(Invalid) as refused:
        finish_service(hall, 1, at(minutes=5), CaseRequest())
    assert refused.value.code == "case_not_for_matter"
    assert hall.tickets[number].state is TicketState.SERVING
    assert touched(hall) == (set(), set(), set())


def test_missing_materials_without_a_case_are_refused(hall):
    staffed(hall, 1)
    serving(hall, 1, "SS-0102")
    with pytest.raises(Invalid) as refused:
        finish_service(hall, 1, at(minutes=5), CaseRequest(
            ("公司章程",), date(2026, 11, 24), requested=False))
    assert refused.value.code == "case_details_without_case"


def test_a_theme_with_a_case_opening_matter_opens_one(hall, settings):
    theme = settings.theme("YJS-01")
    assert settings.subject("YJS-01").opens_case
    staffed(hall, 1)
    serving(hall, 1, theme.code)
    assert len(case_events(finish_service(hall, 1, at(minutes=5)))) == 1


# --- 容缺受理: the supply-by date ---------------------------------------------------------

@pytest.mark.parametrize("supply_by, code", [
    (date(2026, 11, 23), "supply_by_not_future"),          # today
    (date(2026, 11, 28), "supply_by_not_working_day"),     # a Saturday
    (date(2026, 11, 27), "supply_by_after_due_date"),      # SS-0103: due 11-26
    (None, "supply_by_required"),
])
def test_the_supply_by_date_is_checked(hall, supply_by, code):
    staffed(hall, 1)
    serving(hall, 1, "SS-0103")
    with pytest.raises(Invalid) as refused:
        finish_service(hall, 1, at(minutes=5), CaseRequest(("公司章程",), supply_by))
    assert refused.value.code == code
    assert hall.cases == {}


def test_a_supply_by_date_needs_missing_materials(hall):
    staffed(hall, 1)
    serving(hall, 1, "SS-0103")
    with pytest.raises(Invalid) as refused:
        finish_service(hall, 1, at(minutes=5), CaseRequest((), date(2026, 11, 24)))
    assert refused.value.code == "supply_by_without_missing"


def _on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI)


@pytest.mark.parametrize("opened, subject, due", [
    ("2026-09-30", "SS-0103", "2026-10-10"),     # 3 days: 8th, 9th, the worked Saturday
    ("2026-02-13", "SS-0101", "2026-02-14"),     # the worked Saturday before 春节
    ("2026-02-14", "SS-0101", "2026-02-24"),     # then nothing until after 春节
    ("2026-04-30", "BDC-0401", "2026-05-11"),    # 5 days: 6th to 9th (a worked Saturday), 11th
    ("2026-12-31", "SS-0101", "2027-01-04"),     # 元旦 2027 is a holiday; then the weekend
])
def test_the_promised_date_counts_the_calendars_working_days(settings, opened, subject, due):
    hall = Hall(settings, opened, WaitEstimator())
    window = 6 if subject.startswith("BDC") else 1
    staffed(hall, window)
    take(hall, subject, _on(opened))
    called(hall, window, _on(opened))
    events = finish_service(hall, window, _on(opened) + timedelta(minutes=5))
    (case_opened,) = case_events(events)
    assert case_opened.due_date == due


def test_a_supply_by_date_on_a_holiday_is_refused_and_a_worked_saturday_is_taken(settings):
    hall = Hall(settings, "2026-09-30", WaitEstimator())
    staffed(hall, 1)
    ticket = hall.tickets[take(hall, "SS-0103", _on("2026-09-30"))]
    with pytest.raises(Invalid) as refused:
        open_case(hall, ticket, hall.windows[1],
                  CaseRequest(("公司章程",), date(2026, 10, 5)), _on("2026-09-30"))
    assert refused.value.code == "supply_by_not_working_day"           # 国庆节
    events = open_case(hall, ticket, hall.windows[1],
                       CaseRequest(("公司章程",), date(2026, 10, 10)), _on("2026-09-30"))
    assert events[0].supply_by == "2026-10-10"                          # 调休: worked


# --- the slip and the case page's picture ---------------------------------------------------

def test_the_slip_says_what_was_received_and_what_is_missing(hall, settings):
    staffed(hall, 1)
    serving(hall, 1, "SS-0103")
    checklist = settings.checklist("SS-0103")
    missing = checklist[0].name
    events = finish_service(hall, 1, at(minutes=5), CaseRequest(
        (missing,), date(2026, 11, 25), token="case-token-1"))
    case = hall.cases[case_events(events)[0].case_number]
    slip = acceptance_slip(hall, case, "http://hall.example:8750/", "王小明")
    assert slip.page_url == "http://hall.example:8750/c/case-token-1"
    assert slip.missing == (missing,) and slip.supply_by == "2026-11-25"
    assert slip.received == tuple(need.label() for need in checklist[1:])
    assert (slip.due_date, slip.time_limit_days) == ("2026-11-26", 3)
    assert slip.window_name == hall.windows[1].name and slip.clerk_name == "王小明"
    assert type(slip).from_dict(slip.to_dict()) == slip
    page = case_status(settings, case, NOW.date(), can_rate=True)
    assert page["status"] == CaseStatus.IN_REVIEW.value and page["can_rate"]
    assert "token" not in page and "ticket_id" not in page and "clerk" not in page
    assert not page["materials_overdue"]
    assert case_status(settings, case, date(2026, 11, 26), False)["materials_overdue"]


# --- 过号: back in line behind N people --------------------------------------------------

def with_policy(settings, policy: str, after: int = 3) -> Hall:
    rules = replace(settings.rules, policy=policy, requeue_after=after)
    return Hall(replace(settings, rules=rules), TODAY, WaitEstimator())


def passed_ticket(hall: Hall, subject: str = "SS-0101") -> str:
    """The first ticket, called at window 1 and passed (no-show)."""
    staffed(hall, 1)
    take(hall, subject)
    number = called(hall, 1)
    mark_no_show(hall, 1, at(minutes=1))
    hall.take_changes()
    return number


def calls_until(hall: Hall, number: str, start: datetime) -> list[str]:
    """Window 1 calls (passing each) until it calls `number`: the numbers called before."""
    before = []
    for minute in range(1, 50):
        events = call_next(hall, 1, start + timedelta(minutes=minute))
        called_now = [e.number for e in events if e.type == "TicketCalled"]
        assert called_now, f"{number} was never called; called {before}"
        if called_now[0] == number:
            return before
        before.append(called_now[0])
    raise AssertionError("no call")


@pytest.mark.parametrize("policy", ["fcfs", "balanced"])
@pytest.mark.parametrize("after", [0, 1, 3])
def test_a_requeued_ticket_is_called_after_exactly_n_others_of_its_pool(settings, policy,
                                                                        after):
    hall = with_policy(settings, policy, after)
    number = passed_ticket(hall)
    others = [take(hall, "SS-0101", at(minutes=2 + i)) for i in range(5)]   # one matter
    events = requeue_ticket(hall, number, "clerk-01", at(minutes=10))
    assert events == [TicketRequeued(number=number, pool="acceptance_a", category="business",
                                     after=after, queue_since=events[0].queue_since,
                                     by="clerk-01")]
    assert hall.tickets[number].state is TicketState.WAITING
    assert touched(hall) == ({number}, set(), set())
    assert calls_until(hall, number, at(minutes=10)) == others[:after]


def test_with_fewer_waiting_than_n_it_goes_to_the_back(settings):
    hall = with_policy(settings, "fcfs", 3)
    number = passed_ticket(hall)
    first = take(hall, "SS-0101", at(minutes=2))
    events = requeue_ticket(hall, number, "clerk-01", at(minutes=10))
    assert events[0].after == 1
    later = take(hall, "SS-0101", at(minutes=11))           # came after it was put back
    assert calls_until(hall, number, at(minutes=12)) == [first]
    assert hall.tickets[later].state is TicketState.WAITING


def test_only_the_pool_counts(settings):
    hall = with_policy(settings, "fcfs", 1)
    number = passed_ticket(hall)
    take(hall, "BDC-0401", at(minutes=2))                   # another pool (acceptance_b)
    mine = take(hall, "SS-0101", at(minutes=3))
    requeue_ticket(hall, number, "clerk-01", at(minutes=10))
    assert calls_until(hall, number, at(minutes=10)) == [mine]


def test_under_balanced_a_shorter_matter_behind_may_still_go_first(settings):
    """"After N people" is a place in line: balanced still orders by service time."""
    hall = with_policy(settings, "balanced", 1)
    number = passed_ticket(hall, "SC-0202")                 # a long matter (15 days, long)
    ahead = take(hall, "SC-0202", at(minutes=2))
    short = take(hall, "SS-0102", at(minutes=3))            # 即办件: a short one
    requeue_ticket(hall, number, "clerk-01", at(minutes=10))
    before = calls_until(hall, number, at(minutes=10))
    assert ahead in before and before.index(ahead) >= 0
    assert set(before) <= {ahead, short}


def test_a_ticket_is_put_back_once(hall):
    number = passed_ticket(hall)
    requeue_ticket(hall, number, "clerk-01", at(minutes=2))
    called(hall, 1, at(minutes=3))
    mark_no_show(hall, 1, at(minutes=4))
    with pytest.raises(Conflict) as refused:
        requeue_ticket(hall, number, "clerk-01", at(minutes=5))
    assert refused.value.code == "requeue_once"


def test_only_a_no_show_is_put_back(hall):
    staffed(hall, 1)
    number = take(hall)
    with pytest.raises(Conflict) as refused:
        requeue_ticket(hall, number, "clerk-01", NOW)
    assert refused.value.code == "requeue_not_no_show"
    assert touched(hall) == (set(), set(), set())


def test_a_kiosk_puts_back_the_scanned_ticket_only(hall):
    number = passed_ticket(hall)
    token = hall.tickets[number].phone_token
    with pytest.raises(NotFound) as refused:
        requeue_by_token(hall, "not-a-token", at(minutes=2))
    assert refused.value.code == "requeue_ticket_unknown"
    (event,) = requeue_by_token(hall, token, at(minutes=2))
    assert (event.number, event.by) == (number, "kiosk")


def test_the_board_sees_a_requeue_without_who_did_it():
    event = TicketRequeued(number="A001", pool="acceptance_a", category="business", after=3,
                           queue_since="2026-11-23T09:05:00+08:00", by="clerk-01")
    assert for_board(event) == for_public(event) == replace(event, by="")
