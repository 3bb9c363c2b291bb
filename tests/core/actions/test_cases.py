"""Cases on the hall itself (受审分离, 容缺受理): open at acceptance, supply missing
materials, approve in the back office, find the overdue ones; and the promised date."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.actions.cases import (
    CaseRequest,
    add_working_days,
    approve_case,
    open_case,
    overdue_cases,
    supply_materials,
)
from core.actions.serving import finish_service
from core.cases import CaseStatus
from core.errors import Conflict, Invalid, NotFound
from core.events import CaseApproved, CaseMaterialsSupplied, CaseOpened
from core.tickets import TicketState
from tests.core.actions.helpers import (
    NOW,
    at,
    called,
    opened_case,
    serving,
    staffed,
    take,
    touched,
)

MONDAY = date(2026, 11, 23)
MISSING = ("公司章程", "租赁合同")


def finished_ticket(hall, window: int = 1, subject: str = "SS-0101"):
    """A ticket called at a staffed window, with no case yet: (ticket, window)."""
    staffed(hall, window)
    take(hall, subject)
    number = called(hall, window)
    return hall.tickets[number], hall.windows[window]


# --- the promised date counts working days ---------------------------------------------

@pytest.mark.parametrize("start, days, due", [
    (MONDAY, 0, MONDAY),                                   # 即办件: today
    (MONDAY, 1, date(2026, 11, 24)),
    (MONDAY, 4, date(2026, 11, 27)),                       # ... to Friday
    (MONDAY, 5, date(2026, 11, 30)),                       # a week: next Monday
    (date(2026, 11, 27), 1, date(2026, 11, 30)),           # Friday -> Monday
    (date(2026, 11, 26), 3, date(2026, 12, 1)),            # Thursday -> Tuesday
    (date(2026, 11, 28), 1, date(2026, 11, 30)),           # Saturday -> Monday
    (date(2026, 11, 29), 1, date(2026, 11, 30)),           # Sunday -> Monday
    (date(2026, 11, 28), 0, date(2026, 11, 28)),           # no days: not moved off a weekend
    (MONDAY, 15, date(2026, 12, 14)),
    (MONDAY, 30, date(2027, 1, 4)),                        # New Year's Day is no holiday here
])
def test_add_working_days_skips_weekends(start, days, due):
    assert add_working_days(start, days) == due


# --- open ---------------------------------------------------------------------------------

def test_finishing_opens_a_case_with_its_promised_date(hall, settings):
    staffed(hall, 1)
    number = serving(hall, 1)
    events = finish_service(hall, 1, at(minutes=20), CaseRequest())
    days = settings.matter("SS-0101").time_limit_days
    assert days == 1
    assert events[1] == CaseOpened(
        case_number="WH20261123-0001", ticket_number=number, subject="SS-0101", window=1,
        missing_materials=(), supply_by=None, due_date="2026-11-24")
    case = hall.cases["WH20261123-0001"]
    assert (case.ticket_id, case.subject, case.window, case.clerk) == (
        "2026-11-23/A001", "SS-0101", 1, "clerk-01")
    assert case.opened_at == at(minutes=20) and case.due_date == add_working_days(MONDAY, days)
    assert (case.status, case.missing_materials, case.supply_by) == (
        CaseStatus.IN_REVIEW, [], None)
    assert touched(hall) == ({number}, {1}, {"WH20261123-0001"})


def test_case_numbers_run_through_the_day(hall):
    first = opened_case(hall)
    second = opened_case(hall, subject="SS-0103")
    third = opened_case(hall, window=6, subject="BDC-0401")
    assert (first, second, third) == ("WH20261123-0001", "WH20261123-0002", "WH20261123-0003")
    assert hall.case_counter == 3


@pytest.mark.parametrize("subject, window, due", [
    ("SS-0103", 1, date(2026, 11, 26)),                    # 3 working days
    ("BDC-0401", 6, date(2026, 11, 30)),                   # 5
    ("GA-0703", 10, date(2026, 12, 21)),                   # 20
])
def test_the_promised_date_is_the_matters_time_limit(hall, settings, subject, window, due):
    case = opened_case(hall, window, subject)
    assert hall.cases[case].due_date == due == add_working_days(
        MONDAY, settings.matter(subject).time_limit_days)


@pytest.mark.parametrize("theme, window, longest, due", [
    ("YJS-01", 1, 1, date(2026, 11, 24)),                  # SS-0101
    ("YJS-03", 8, 5, date(2026, 11, 30)),                  # SB-0506, MZ-0802, BDC-0406
    ("YJS-04", 1, 15, date(2026, 12, 14)),                 # SC-0202
])
def test_a_themes_time_limit_is_the_longest_of_its_matters(hall, settings, theme, window,
                                                           longest, due):
    matters = settings.theme(theme).matters
    assert max(settings.matter(m).time_limit_days for m in matters) == longest
    assert settings.subject(theme).time_limit_days == longest
    case = opened_case(hall, window, theme)
    assert (hall.cases[case].subject, hall.cases[case].due_date) == (theme, due)


def test_a_pickup_window_opens_no_case(hall):
    ticket, window = finished_ticket(hall, 13, "CJ-9001")
    with pytest.raises(Invalid) as refused:
        open_case(hall, ticket, window, CaseRequest(), NOW)
    assert "a pickup window hands out results; it does not open cases" in refused.value.message
    assert hall.cases == {} and hall.case_counter == 0 and touched(hall) == (set(), set(), set())


def test_finishing_at_a_pickup_window_with_a_case_request_is_refused(hall):
    staffed(hall, 13)
    take(hall, "CJ-9001")
    called(hall, 13)
    with pytest.raises(Invalid):
        finish_service(hall, 13, NOW, CaseRequest())
    assert hall.cases == {}


def test_missing_materials_need_a_date_to_supply_them_by(hall):
    ticket, window = finished_ticket(hall)
    with pytest.raises(Invalid) as refused:
        open_case(hall, ticket, window, CaseRequest(missing_materials=MISSING), NOW)
    assert "supply_by" in refused.value.message
    assert hall.cases == {} and hall.case_counter == 0 and touched(hall) == (set(), set(), set())


def test_supply_by_in_the_past_is_refused(hall):
    ticket, window = finished_ticket(hall)
    yesterday = MONDAY - timedelta(days=1)
    with pytest.raises(Invalid) as refused:
        open_case(hall, ticket, window, CaseRequest(MISSING, supply_by=yesterday), NOW)
    assert refused.value.code == "supply_by_not_future"
    assert hall.cases == {} and hall.case_counter == 0


def test_missing_materials_are_not_due_today(hall):
    ticket, window = finished_ticket(hall)
    with pytest.raises(Invalid) as refused:
        open_case(hall, ticket, window, CaseRequest(MISSING[:1], supply_by=MONDAY), NOW)
    assert refused.value.code == "supply_by_not_future"


def test_missing_materials_may_be_due_on_the_promised_date(hall):
    ticket, window = finished_ticket(hall)
    due = date(2026, 11, 24)                                # SS-0101: 1 working day
    events = open_case(hall, ticket, window, CaseRequest(MISSING[:1], supply_by=due), NOW)
    assert (events[0].missing_materials, events[0].supply_by) == (MISSING[:1], "2026-11-24")


def test_a_case_accepted_with_materials_missing(hall):
    number = opened_case(hall, subject="SS-0103",
                         case=CaseRequest(MISSING, supply_by=date(2026, 11, 25)))
    case = hall.cases[number]
    assert (case.missing_materials, case.supply_by) == (list(MISSING), date(2026, 11, 25))
    assert case.info().missing_materials == MISSING and case.info().supply_by == "2026-11-25"


def test_a_refused_case_through_finish_is_refused_before_any_case_exists(hall):
    staffed(hall, 1)
    serving(hall, 1)
    with pytest.raises(Invalid):
        finish_service(hall, 1, NOW, CaseRequest(MISSING))
    assert hall.cases == {} and hall.case_counter == 0
    # refused before anything changed: the ticket is still being served
    assert hall.tickets["A001"].state is TicketState.SERVING
    assert touched(hall) == (set(), set(), set())


# --- supply materials ----------------------------------------------------------------------

def test_supply_some_missing_materials(hall):
    number = opened_case(hall, case=CaseRequest(MISSING, supply_by=date(2026, 11, 24)))
    events = supply_materials(hall, number, ["公司章程"], at(days=1))
    assert events == [CaseMaterialsSupplied(case_number=number, materials=("公司章程",),
                                            still_missing=("租赁合同",))]
    assert hall.cases[number].missing_materials == ["租赁合同"]
    assert touched(hall) == (set(), set(), {number})
    supply_materials(hall, number, ["租赁合同"], at(days=2))
    assert hall.cases[number].missing_materials == []


@pytest.mark.parametrize("materials", [[], ["营业执照"], ["公司章程", "营业执照"]])
def test_supply_only_what_is_missing(hall, materials):
    number = opened_case(hall, case=CaseRequest(MISSING, supply_by=date(2026, 11, 24)))
    with pytest.raises(Invalid):
        supply_materials(hall, number, materials, NOW)
    assert hall.cases[number].missing_materials == list(MISSING)
    assert touched(hall) == (set(), set(), set())


def test_supply_to_an_unknown_case(hall):
    with pytest.raises(NotFound) as refused:
        supply_materials(hall, "WH20261123-0009", ["公司章程"], NOW)
    assert refused.value.details == {"case_number": "WH20261123-0009"}


# --- approve --------------------------------------------------------------------------------

def test_approve_a_case(hall):
    number = opened_case(hall)
    assert approve_case(hall, number.lower(), at(hours=3)) == [CaseApproved(case_number=number)]
    case = hall.cases[number]
    assert (case.status, case.approved_at) == (CaseStatus.READY, at(hours=3))
    assert touched(hall) == (set(), set(), {number})


def test_a_case_is_approved_once(hall):
    number = opened_case(hall)
    approve_case(hall, number, NOW)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        approve_case(hall, number, at(hours=1))
    assert "is already ready" in refused.value.message
    assert hall.cases[number].approved_at == NOW and touched(hall) == (set(), set(), set())


def test_a_case_missing_materials_is_not_approved(hall):
    number = opened_case(hall, case=CaseRequest(MISSING, supply_by=date(2026, 11, 24)))
    with pytest.raises(Conflict) as refused:
        approve_case(hall, number, NOW)
    assert "公司章程" in refused.value.message and "2026-11-24" in refused.value.message
    assert hall.cases[number].status is CaseStatus.IN_REVIEW
    assert touched(hall) == (set(), set(), set())
    supply_materials(hall, number, list(MISSING), NOW)
    assert approve_case(hall, number, NOW) == [CaseApproved(case_number=number)]


def test_approve_an_unknown_case(hall):
    with pytest.raises(NotFound):
        approve_case(hall, "WH20261123-0009", NOW)


# --- overdue -----------------------------------------------------------------------------

def test_a_case_is_overdue_the_day_after_its_supply_by_date(hall):
    late = opened_case(hall, case=CaseRequest(MISSING, supply_by=date(2026, 11, 24)))
    opened_case(hall)                                        # nothing missing
    later = opened_case(hall, subject="SS-0103",             # 3 working days: due 11-26
                        case=CaseRequest(MISSING, supply_by=date(2026, 11, 26)))
    assert overdue_cases(hall, date(2026, 11, 24)) == []
    assert [c.number for c in overdue_cases(hall, date(2026, 11, 25))] == [late]
    assert [c.number for c in overdue_cases(hall, date(2026, 11, 28))] == [late, later]
    supply_materials(hall, late, list(MISSING), NOW)
    assert [c.number for c in overdue_cases(hall, date(2026, 11, 28))] == [later]
