"""审批 on the hall itself: a case's parts and their departments (并联审批), approve a
part, return it for correction (补正) and the promised-date clock that stops meanwhile,
what the back office lists; and the [[departments]] the loader checks."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.actions.back_office import (
    approve_part,
    case_parts,
    office_cases,
    overdue_reasons,
    resubmit_part,
    return_part,
    working_days_between,
)
from core.actions.cases import CaseRequest, approve_case, case_status
from core.cases import CaseStatus, PartStatus
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.settings.loader import SettingsError, parse_settings
from tests.conftest import DEMO_HALL
from tests.core.actions.helpers import NOW, at, opened_case, touched

DEATH = "YJS-03"           # 身后事: social, civil, fund and realty decide a part each
DEATH_PARTS = {"SB-0506": "social", "MZ-0802": "civil", "GJJ-0904": "fund",
               "BDC-0406": "realty"}


def theme_case(hall) -> str:
    """A 身后事 case opened at window 6 on Monday 2026-11-23 (5 working days: 11-30)."""
    return opened_case(hall, 6, DEATH)


def types(events) -> list[str]:
    return [e.type for e in events]


# --- parts ------------------------------------------------------------------------------

def test_a_single_matter_case_has_one_part_of_its_department(hall):
    number = opened_case(hall)
    case = hall.cases[number]
    assert [(p.matter, p.department, p.status) for p in case.parts] == [
        ("SS-0101", "business", PartStatus.IN_REVIEW)]
    assert case.info().parts == ({"matter": "SS-0101", "department": "business",
                                  "status": "in_review", "reason": ""},)
    assert [h.action for h in case.history] == ["opened"]


def test_a_theme_case_splits_into_a_part_per_deciding_matter(hall, settings):
    case = hall.cases[theme_case(hall)]
    # GA-0704 is finished at the window (opens_case = false): no part
    assert {p.matter: p.department for p in case.parts} == DEATH_PARTS
    assert [p.matter for p in case_parts(settings, DEATH)] == list(DEATH_PARTS)


def test_a_part_is_approved_only_by_its_department(hall):
    number = opened_case(hall)
    with pytest.raises(Forbidden) as refused:
        approve_part(hall, number, "SS-0101", "backoffice02", "realty", NOW)
    assert refused.value.code == "case_part_other_department"
    assert refused.value.details == {"department": "business"}
    assert hall.cases[number].status is CaseStatus.IN_REVIEW
    events = approve_part(hall, number, "SS-0101", "backoffice01", "business", at(hours=1))
    assert types(events) == ["CasePartApproved", "CaseApproved"]
    case = hall.cases[number]
    assert case.status is CaseStatus.READY and case.approved_at == at(hours=1)
    assert case.parts[0].decided_by == "backoffice01"
    assert touched(hall)[2] == {number}
    with pytest.raises(Conflict) as again:
        approve_part(hall, number, "SS-0101", "backoffice01", "business", at(hours=2))
    assert again.value.code == "case_already_decided"


def test_a_theme_case_is_ready_only_when_every_part_is_approved(hall):
    number = theme_case(hall)
    departments = list(DEATH_PARTS.items())
    for matter, department in departments[:-1]:
        events = approve_part(hall, number, matter, f"{department}-1", department, at(hours=1))
        assert types(events) == ["CasePartApproved"]
        assert hall.cases[number].status is CaseStatus.IN_REVIEW
    with pytest.raises(Conflict) as twice:
        approve_part(hall, number, departments[0][0], "x", departments[0][1], at(hours=1))
    assert twice.value.code == "case_part_already_approved"
    matter, department = departments[-1]
    events = approve_part(hall, number, matter, "realty-1", department, at(hours=2))
    assert types(events) == ["CasePartApproved", "CaseApproved"]
    assert hall.cases[number].status is CaseStatus.READY


def test_unknown_parts_and_cases_are_not_found(hall):
    number = opened_case(hall)
    with pytest.raises(NotFound) as no_part:
        approve_part(hall, number, "BDC-0402", "boss", None, NOW)
    assert no_part.value.code == "case_part_unknown"
    with pytest.raises(NotFound):
        return_part(hall, "WH20261123-9999", "SS-0101", "缺签字", "boss", None, NOW)


def test_materials_still_missing_stop_an_approval(hall):
    number = opened_case(hall, case=CaseRequest(missing_materials=("公司章程",),
                                                supply_by=date(2026, 11, 24)))
    with pytest.raises(Conflict) as refused:
        approve_part(hall, number, "SS-0101", "backoffice01", "business", NOW)
    assert refused.value.code == "case_materials_missing"


# --- 补正 and the clock -------------------------------------------------------------------

def test_a_returned_part_needs_correction_and_shows_its_reason(hall, settings):
    number = theme_case(hall)
    events = return_part(hall, number, "BDC-0406", "  继承权公证书  缺少原件 ", "backoffice02",
                         "realty", at(days=1))
    assert types(events) == ["CasePartReturned"]
    assert events[0].reason == "继承权公证书 缺少原件"
    case = hall.cases[number]
    assert case.status is CaseStatus.NEEDS_CORRECTION
    assert case.clock_stopped_at == at(days=1)
    shown = case_status(settings, case, date(2026, 11, 24), can_rate=False)
    assert shown["status"] == "needs_correction"
    returned = [p for p in shown["parts"] if p["status"] == "returned"]
    assert returned == [{"matter_name": "不动产继承转移登记", "department_name": "自然资源和规划局",
                         "status": "returned", "reason": "继承权公证书 缺少原件"}]
    assert all(p["reason"] == "" for p in shown["parts"] if p["status"] != "returned")
    with pytest.raises(Conflict) as waiting:
        approve_part(hall, number, "BDC-0406", "backoffice02", "realty", at(days=1))
    assert waiting.value.code == "case_part_returned"
    with pytest.raises(Conflict) as whole:
        approve_case(hall, number, at(days=1), by="manager01")
    assert whole.value.code == "case_needs_correction"


def test_a_return_needs_a_reason(hall):
    number = opened_case(hall)
    with pytest.raises(Invalid) as refused:
        return_part(hall, number, "SS-0101", " \n ", "backoffice01", "business", NOW)
    assert refused.value.code == "return_reason_required"
    assert hall.cases[number].status is CaseStatus.IN_REVIEW


def test_the_working_days_in_correction_move_the_promised_date(hall):
    number = theme_case(hall)
    case = hall.cases[number]
    assert case.due_date == date(2026, 11, 30)
    return_part(hall, number, "BDC-0406", "缺原件", "backoffice02", "realty", at(days=1))
    # returned Tuesday, brought back Thursday: Wednesday and Thursday do not count
    events = resubmit_part(hall, number, "BDC-0406", "已补原件", "clerk06", at(days=3))
    assert types(events) == ["CasePartResubmitted"]
    assert (events[0].days_in_correction, events[0].due_date) == (2, "2026-12-02")
    assert case.due_date == date(2026, 12, 2) and case.days_in_correction == 2
    assert case.status is CaseStatus.IN_REVIEW and case.clock_stopped_at is None
    part = case.part("BDC-0406")
    assert part.status is PartStatus.IN_REVIEW and part.reason == "缺原件"
    assert [h.action for h in case.history] == ["opened", "returned", "resubmitted"]
    with pytest.raises(Conflict) as not_returned:
        resubmit_part(hall, number, "BDC-0406", "", "clerk06", at(days=3))
    assert not_returned.value.code == "case_part_not_returned"


def test_a_correction_brought_the_same_day_moves_nothing_and_weekends_do_not_count(hall):
    number = opened_case(hall)
    case = hall.cases[number]
    due = case.due_date
    return_part(hall, number, "SS-0101", "章程缺页", "backoffice01", "business", at(hours=1))
    resubmit_part(hall, number, "SS-0101", "", "clerk01", at(hours=3))
    assert case.due_date == due and case.days_in_correction == 0
    # returned Friday 11-27, brought back Monday 11-30: one working day
    return_part(hall, number, "SS-0101", "签字不全", "backoffice01", "business", at(days=4))
    resubmit_part(hall, number, "SS-0101", "", "clerk01", at(days=7))
    assert case.days_in_correction == 1 and case.due_date == date(2026, 11, 25)


def test_the_clock_stays_stopped_until_the_last_returned_part_comes_back(hall):
    number = theme_case(hall)
    case = hall.cases[number]
    return_part(hall, number, "BDC-0406", "缺原件", "backoffice02", "realty", at(days=1))
    return_part(hall, number, "SB-0506", "缺死亡证明", "social-1", "social", at(days=2))
    assert case.clock_stopped_at == at(days=1)
    first = resubmit_part(hall, number, "BDC-0406", "", "clerk06", at(days=2))
    assert first[0].days_in_correction == 0 and case.status is CaseStatus.NEEDS_CORRECTION
    last = resubmit_part(hall, number, "SB-0506", "", "clerk06", at(days=3))
    assert last[0].days_in_correction == 2 and case.due_date == date(2026, 12, 2)


def test_working_days_between_uses_the_hall_calendar(settings):
    # 国庆: 10-01 .. 10-07 are holidays, 10-10 (Saturday) is worked
    assert working_days_between(settings, date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert working_days_between(settings, date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert working_days_between(settings, date(2026, 11, 24), date(2026, 11, 23)) == 0


# --- what the back office lists -----------------------------------------------------------

def test_the_list_is_the_department_s_filtered_and_overdue(hall):
    single = opened_case(hall)                                  # business, due 11-24
    theme = theme_case(hall)                                    # four departments, due 11-30
    late_materials = opened_case(hall, case=CaseRequest(
        missing_materials=("公司章程",), supply_by=date(2026, 11, 24)))
    today = NOW.date()
    numbers = lambda *a, **k: [c.number for c in office_cases(hall, *a, **k)]  # noqa: E731
    assert numbers("business", today) == [single, late_materials]
    assert numbers("realty", today) == [theme]
    assert numbers(None, today) == [single, theme, late_materials]
    assert numbers(None, today, matter="MZ-0802") == [theme]
    assert numbers(None, today, matter=DEATH) == [theme]
    return_part(hall, theme, "BDC-0406", "缺原件", "backoffice02", "realty", NOW)
    assert numbers("civil", today, status="needs_correction") == [theme]
    assert numbers("business", today, status="needs_correction") == []
    later = today + timedelta(days=2)                           # Wednesday 11-25
    assert numbers(None, later, overdue=True) == [single, late_materials]
    assert overdue_reasons(hall.cases[late_materials], later) == [
        "past_due_date", "materials_overdue"]
    # while returned the clock stands still: not past its date
    assert overdue_reasons(hall.cases[theme], date(2026, 12, 10)) == []


def test_a_manager_approves_every_part_at_once(hall):
    number = theme_case(hall)
    approve_part(hall, number, "SB-0506", "social-1", "social", NOW)
    events = approve_case(hall, number, at(hours=1), by="manager01")
    assert types(events) == ["CaseApproved"]
    case = hall.cases[number]
    assert all(p.status is PartStatus.APPROVED for p in case.parts)
    assert {p.decided_by for p in case.parts} == {"social-1", "manager01"}


# --- [[departments]] ---------------------------------------------------------------------

def _demo(replace_from: str, to: str) -> str:
    text = DEMO_HALL.read_text(encoding="utf-8")
    assert replace_from in text
    return text.replace(replace_from, to, 1)


def test_the_demo_hall_names_a_department_for_every_case_matter(settings):
    assert settings.department_of("SC-0202") == "business"       # by its category
    assert settings.department_of("GC-1102") == "realty"         # claimed by itself
    assert settings.department_of("GC-1104") == "construction"
    assert settings.department("realty").name == "自然资源和规划局"


@pytest.mark.parametrize("replace_from, to, says", [
    ('categories = ["business", "permit"]', 'categories = ["busness", "permit"]',
     "unknown category 'busness'"),
    ('categories = ["tax"]', 'categories = ["tax", "realty"]',
     "'realty' is already decided by department 'realty'"),
    ('categories = ["transport"]', 'categories = []',
     "matter 'JT-1001' opens a case but no department decides it"),
    ('matters = ["GC-1101"]', 'matters = ["GC-9999"]', "unknown matter 'GC-9999'"),
])
def test_the_loader_checks_the_departments(replace_from, to, says):
    with pytest.raises(SettingsError) as error:
        parse_settings(_demo(replace_from, to))
    assert says in str(error.value)
