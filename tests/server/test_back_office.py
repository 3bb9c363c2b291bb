"""The back office's routes (审批): who may list, open, approve and return which parts;
补正 seen on the citizen's case page and brought back at the front desk; a theme case
split across two departments; what survives a restart; the typed client."""
from __future__ import annotations

import pytest

from server.client import ApiError, HallClient
from tests.conftest import TOKENS, staff_window
from tests.server.back_office_support import PASSWORD, add_office_people, with_office_theme


@pytest.fixture(scope="module")
def settings(settings):
    return with_office_theme(settings)


@pytest.fixture
def people(app, api):
    """Each office person's Api, logged in."""
    add_office_people(app)
    return logged_in(api)


def logged_in(api) -> dict:
    """Each office person's Api, logged in now (a session ends after 12 hours)."""
    tokens = {}
    for name in ("shen", "he", "lost", "boss", "zhang"):
        answer = api.post("/api/login", json={"user_name": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.json
        tokens[name] = api.as_(answer.json["token"])
    return tokens


@pytest.fixture
def clerk(api):
    return staff_window(api, 1)


def open_a_case(api, clerk, subject: str = "SS-0103", body: dict | None = None) -> dict:
    """A case accepted at window 1."""
    api.post("/api/tickets", json={"subject": subject})
    clerk.post("/api/windows/1/call-next")
    answer = clerk.post("/api/windows/1/finish", json=body or {})
    assert answer.status_code == 200, answer.json
    return answer.json["case"]


def code_of(answer) -> tuple[int, str]:
    return answer.status_code, (answer.json or {}).get("code", "")


def test_a_clerk_and_a_kiosk_may_not_decide(api, clerk, people):
    case = open_a_case(api, clerk)
    path = f"/api/office/cases/{case['number']}/parts/SS-0103/approve"
    assert people["zhang"].post(path).status_code == 403
    assert api.post(path).status_code == 403                          # the kiosk
    assert people["zhang"].get("/api/office/cases").status_code == 403
    assert api.as_(None).get("/api/office/cases").status_code == 401
    assert people["zhang"].post(f"/api/cases/{case['number']}/approve").status_code == 403


def test_a_department_sees_and_decides_only_its_own_parts(api, clerk, people):
    case = open_a_case(api, clerk)
    number = case["number"]
    listed = people["shen"].get("/api/office/cases").json
    assert listed["department"] == "business"
    assert [c["number"] for c in listed["cases"]] == [number]
    row = listed["cases"][0]
    assert (row["subject_name"], row["status"], row["overdue"]) == ("公司变更登记", "in_review", [])
    assert [(p["matter"], p["department_name"], p["status"]) for p in row["parts"]] == [
        ("SS-0103", "市场监督管理局", "in_review")]
    assert people["he"].get("/api/office/cases").json["cases"] == []
    assert code_of(people["he"].get(f"/api/office/cases/{number}")) == (
        403, "case_other_department")
    refused = people["he"].post(f"/api/office/cases/{number}/parts/SS-0103/approve")
    assert code_of(refused) == (403, "case_part_other_department")
    assert code_of(people["lost"].get("/api/office/cases")) == (403, "department_unknown")
    assert code_of(people["shen"].post(f"/api/office/cases/{number}/parts/BDC-0402/approve")) \
        == (404, "case_part_unknown")
    approved = people["shen"].post(f"/api/office/cases/{number}/parts/SS-0103/approve")
    assert approved.status_code == 200, approved.json
    assert [e["type"] for e in approved.json["events"]] == ["CasePartApproved", "CaseApproved"]
    assert approved.json["events"][0]["data"]["by"] == "shen"
    assert api.get(f"/api/cases/{number}").json["case"]["status"] == "ready"
    assert code_of(people["shen"].post(f"/api/office/cases/{number}/parts/SS-0103/approve")) \
        == (409, "case_already_decided")


def test_a_return_for_correction_reaches_the_case_page_and_comes_back(api, clerk, people, clock):
    case = open_a_case(api, clerk)
    number, token = case["number"], case["token"]
    assert case["due_date"] == "2026-11-26"
    path = f"/api/office/cases/{number}/parts/SS-0103"
    assert code_of(people["shen"].post(f"{path}/return", json={"reason": "  "})) == (
        422, "return_reason_required")
    returned = people["shen"].post(f"{path}/return", json={"reason": "股东会决议缺少全体股东签字"})
    assert returned.status_code == 200, returned.json
    page = api.as_(None).get(f"/api/public/cases/{token}").json
    assert page["status"] == "needs_correction"
    assert page["parts"] == [{"matter_name": "公司变更登记", "department_name": "市场监督管理局",
                              "status": "returned", "reason": "股东会决议缺少全体股东签字"}]
    assert code_of(people["boss"].post(f"/api/cases/{number}/approve")) == (
        409, "case_needs_correction")
    assert code_of(people["shen"].post(f"{path}/approve")) == (409, "case_part_returned")
    listed = people["shen"].get("/api/office/cases?status=needs_correction").json["cases"]
    assert [c["number"] for c in listed] == [number]
    # the citizen brings the signatures on Wednesday: Tuesday and Wednesday do not count
    clock.advance(days=2)
    people = logged_in(api)
    resubmit = f"/api/cases/{number}/parts/SS-0103/resubmit"
    assert people["shen"].post(resubmit).status_code == 403       # the back office: no
    back = clerk.post(f"/api/cases/{number}/parts/SS-0103/resubmit", json={"note": "已补签"})
    assert back.status_code == 200, back.json
    assert back.json["events"][0]["data"] | {"at": ""} == {
        "at": "", "case_number": number, "matter": "SS-0103", "days_in_correction": 2,
        "due_date": "2026-11-30"}
    detail = people["shen"].get(f"/api/office/cases/{number}").json["case"]
    assert (detail["status"], detail["due_date"], detail["days_in_correction"]) == (
        "in_review", "2026-11-30", 2)
    assert [(h["action"], h["by"], h["note"]) for h in detail["history"]] == [
        ("opened", "clerk-01", ""), ("returned", "shen", "股东会决议缺少全体股东签字"),
        ("resubmitted", "clerk-01", "已补签")]
    assert code_of(clerk.post(f"/api/cases/{number}/parts/SS-0103/resubmit")) == (
        409, "case_part_not_returned")


def test_a_theme_split_across_two_departments_is_ready_when_both_approve(api, clerk, people):
    case = open_a_case(api, clerk, "YJS-90")
    number = case["number"]
    parts = people["boss"].get(f"/api/office/cases/{number}").json["case"]["parts"]
    assert [(p["matter"], p["department"]) for p in parts] == [
        ("SS-0103", "business"), ("BDC-0402", "realty")]
    first = people["he"].post(f"/api/office/cases/{number}/parts/BDC-0402/approve")
    assert [e["type"] for e in first.json["events"]] == ["CasePartApproved"]
    assert api.get(f"/api/cases/{number}").json["case"]["status"] == "in_review"
    assert [c["number"] for c in people["he"].get(
        "/api/office/cases?matter=BDC-0402").json["cases"]] == [number]
    last = people["shen"].post(f"/api/office/cases/{number}/parts/SS-0103/approve")
    assert [e["type"] for e in last.json["events"]] == ["CasePartApproved", "CaseApproved"]
    assert api.get(f"/api/cases/{number}").json["case"]["status"] == "ready"


def test_overdue_cases_are_listed(api, clerk, people, clock):
    late = open_a_case(api, clerk, body={"missing_materials": ["公司章程"],
                                         "supply_by": "2026-11-24"})
    on_time = open_a_case(api, clerk, "YJS-90")
    clock.advance(days=2)                                  # Wednesday: materials overdue
    people = logged_in(api)
    rows = people["boss"].get("/api/office/cases?overdue=1").json["cases"]
    assert [(r["number"], r["overdue"]) for r in rows] == [(late["number"],
                                                            ["materials_overdue"])]
    clock.advance(days=2)                                  # Friday: past 11-26, the due date
    people = logged_in(api)
    rows = people["shen"].get("/api/office/cases?overdue=1").json["cases"]
    assert [(r["number"], r["overdue"]) for r in rows] == [
        (late["number"], ["past_due_date", "materials_overdue"]),
        (on_time["number"], ["past_due_date"])]
    assert people["he"].get("/api/office/cases?overdue=1").json["cases"][0]["number"] == \
        on_time["number"]


def test_parts_and_history_survive_a_restart(api, clerk, people, settings, db_path, clock):
    case = open_a_case(api, clerk, "YJS-90")
    number = case["number"]
    people["he"].post(f"/api/office/cases/{number}/parts/BDC-0402/return",
                      json={"reason": "购房合同缺页"})
    live = api.client.application.extensions["yichuang.service"].read(
        lambda hall, now: hall.cases[number])
    from server.app import create_app
    again = create_app(settings, database=db_path, clock=clock)
    try:
        reloaded = again.extensions["yichuang.service"].read(lambda hall, now: hall.cases[number])
    finally:
        again.extensions["yichuang.service"].close()
    assert reloaded == live
    assert reloaded.parts[1].reason == "购房合同缺页" and reloaded.clock_stopped_at is not None
    assert [h.action for h in reloaded.history] == ["opened", "returned"]


def test_the_client_speaks_to_the_back_office(live_server, settings):
    add_office_people(live_server.app)
    base = live_server.url
    kiosk, clerk = HallClient(base, TOKENS["kiosk"]), HallClient(base, TOKENS["clerk"])
    clerk.log_in(1)
    clerk.open_window(1)
    kiosk.issue_ticket("YJS-90")
    clerk.call_next(1)
    number = clerk.finish_service(1).case.number
    boss = HallClient(base)
    boss.log_in_person("boss", PASSWORD)
    assert [c["number"] for c in boss.office_cases()["cases"]] == [number]
    boss.return_part(number, "SS-0103", "章程缺页")
    with pytest.raises(ApiError) as refused:
        boss.approve_part(number, "SS-0103")
    assert refused.value.status == 409
    clerk.resubmit_part(number, "SS-0103", "已补")
    assert [e.type for e in boss.approve_part(number, "BDC-0402")] == ["CasePartApproved"]
    events = boss.approve_part(number, "SS-0103")
    assert [e.type for e in events] == ["CasePartApproved", "CaseApproved"]
    assert boss.office_case(number)["status"] == "ready"
