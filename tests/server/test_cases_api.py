"""受审分离 and 容缺受理: cases from acceptance to pickup; 好差评 ratings."""
from __future__ import annotations

from datetime import date

import pytest

from core.actions.cases import add_working_days
from tests.conftest import TOKENS, staff_window


def serve(api, clerk, window, subject="SS-0101", finish=None):
    number = api.post("/api/tickets", json={"subject": subject}).json["ticket"]["number"]
    assert clerk.post(f"/api/windows/{window}/call-next").json["ticket"]["number"] == number
    answer = clerk.post(f"/api/windows/{window}/finish", json=finish or {})
    assert answer.status_code == 200, answer.json
    return number, answer


def opened_case(answer) -> dict:
    return next(e["data"] for e in answer.json["events"] if e["type"] == "CaseOpened")


def test_finishing_can_open_a_case_with_its_promised_date(api, settings):
    clerk = staff_window(api, 1)
    _, answer = serve(api, clerk, 1, "SS-0101", {"open_case": True})
    case = opened_case(answer)
    assert case["case_number"] == "WH20261123-0001"
    days = settings.matter("SS-0101").time_limit_days
    assert case["due_date"] == add_working_days(date(2026, 11, 23), days).isoformat()
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)   # Friday -> Monday
    _, second = serve(api, clerk, 1, "SS-0103", {"open_case": True})
    assert opened_case(second)["case_number"] == "WH20261123-0002"


def test_missing_materials_need_a_date_and_block_approval(api, clock):
    clerk, manager = staff_window(api, 1), api.as_(TOKENS["manager"])
    api.post("/api/tickets", json={"subject": "SS-0103"})        # 3 working days
    clerk.post("/api/windows/1/call-next")
    refused = clerk.post("/api/windows/1/finish", json={
        "open_case": True, "missing_materials": ["公司章程"]})
    assert refused.status_code == 422 and "supply_by" in refused.json["message"]
    answer = clerk.post("/api/windows/1/finish", json={
        "open_case": True, "missing_materials": ["公司章程", "租赁合同"],
        "supply_by": "2026-11-26"})
    number = opened_case(answer)["case_number"]
    blocked = manager.post(f"/api/cases/{number}/approve")
    assert blocked.status_code == 409 and "公司章程" in blocked.json["message"]
    clock.advance(days=5)
    overdue = manager.get("/api/cases?overdue=1").json["cases"]
    assert [c["number"] for c in overdue] == [number]
    supplied = manager.post(f"/api/cases/{number}/supply", json={"materials": ["公司章程"]})
    assert supplied.json["events"][0]["data"]["still_missing"] == ["租赁合同"]
    assert manager.post(f"/api/cases/{number}/supply",
                        json={"materials": ["营业执照"]}).status_code == 422
    manager.post(f"/api/cases/{number}/supply", json={"materials": ["租赁合同"]})
    assert manager.post(f"/api/cases/{number}/approve").status_code == 200
    assert manager.get(f"/api/cases/{number}").json["case"]["status"] == "ready"


def test_pickup_from_ready_case_to_picked_up(api):
    acceptance, pickup = staff_window(api, 1), staff_window(api, 13)
    manager = api.as_(TOKENS["manager"])
    _, answer = serve(api, acceptance, 1, "SS-0101", {"open_case": True})
    case_number = opened_case(answer)["case_number"]
    early = api.post(f"/api/cases/{case_number}/pickup-ticket")
    assert early.status_code == 409 and "still in review" in early.json["message"]
    manager.post(f"/api/cases/{case_number}/approve")
    ticket = api.post(f"/api/cases/{case_number}/pickup-ticket").json["ticket"]
    assert ticket["number"].startswith("Q") and ticket["case_number"] == case_number
    called = pickup.post("/api/windows/13/call-next")
    assert called.json["events"][0]["data"]["case_number"] == case_number
    done = pickup.post("/api/windows/13/finish")
    assert [e["type"] for e in done.json["events"]] == ["ServiceFinished", "CasePickedUp"]
    assert manager.get(f"/api/cases/{case_number}").status_code == 404


def test_the_pickup_window_calls_by_case_number(api):
    acceptance, pickup = staff_window(api, 1), staff_window(api, 13)
    _, answer = serve(api, acceptance, 1, "SS-0101", {"open_case": True})
    case_number = opened_case(answer)["case_number"]
    api.as_(TOKENS["manager"]).post(f"/api/cases/{case_number}/approve")
    called = pickup.post("/api/windows/13/call-case", json={"case_number": case_number.lower()})
    assert [e["type"] for e in called.json["events"]] == ["TicketIssued", "TicketCalled"]
    assert called.json["ticket"]["case_number"] == case_number
    refused = acceptance.post("/api/windows/1/call-case", json={"case_number": case_number})
    assert refused.status_code == 422 and "not a pickup" in refused.json["message"]
    assert pickup.post("/api/windows/13/call-case",
                       json={"case_number": "WH1-0001"}).status_code == 404


def test_a_pickup_window_opens_no_case(api):
    pickup = staff_window(api, 13)
    api.post("/api/tickets", json={"subject": "CJ-9001"})
    pickup.post("/api/windows/13/call-next")
    refused = pickup.post("/api/windows/13/finish", json={"open_case": True})
    assert refused.status_code == 422 and "does not open cases" in refused.json["message"]


@pytest.mark.parametrize("level, reason, status, words", [
    (5, "", 201, None), (3, "", 201, None), (2, "", 422, "needs a reason"),
    (1, "等太久", 201, None), (6, "", 422, "'level' must be from 0 to 5"),
    (0, "x", 422, "not rated (level 0) carries no reason"), (0, "", 201, None),
])
def test_ratings(api, level, reason, status, words):
    clerk = staff_window(api, 1)
    number, _ = serve(api, clerk, 1)
    pad = api.as_("demo-pad-01")
    answer = pad.post("/api/ratings", json={"number": number, "level": level, "reason": reason})
    assert answer.status_code == status, answer.json
    if words:
        assert words in answer.json["message"]
    else:
        data = answer.json["events"][0]["data"]
        assert (data["window"], data["clerk"], data["level"]) == (1, "clerk-01", level)


def test_a_service_is_rated_once_and_only_when_finished(api):
    clerk = staff_window(api, 1)
    pad = api.as_("demo-pad-01")
    waiting = api.post("/api/tickets", json={"subject": "SS-0102"}).json["ticket"]["number"]
    assert pad.post("/api/ratings", json={"number": waiting, "level": 5}).status_code == 409
    clerk.post("/api/windows/1/call-next")
    clerk.post("/api/windows/1/finish")
    assert pad.post("/api/ratings", json={"number": waiting, "level": 5}).status_code == 201
    again = pad.post("/api/ratings", json={"number": waiting, "level": 4})
    assert again.status_code == 409 and "already been rated" in again.json["message"]


def test_only_the_serving_window_s_pad_rates_never_a_clerk_nor_a_kiosk(api):
    clerk = staff_window(api, 1)
    number, _ = serve(api, clerk, 1)
    other = api.as_("demo-pad-02").post("/api/ratings", json={"number": number, "level": 5})
    assert other.status_code == 409 and "window 1" in other.json["message"]
    for who in (clerk, api):      # the clerk who served it, and a kiosk
        refused = who.post("/api/ratings", json={"number": number, "level": 5})
        assert refused.status_code == 403 and refused.json["error"] == "wrong_role"


def test_stats_report_waits(api, clock):
    clerk = staff_window(api, 1)
    api.post("/api/tickets", json={"subject": "SS-0101"})
    clock.advance(minutes=12)
    clerk.post("/api/windows/1/call-next")
    stats = api.as_(TOKENS["manager"]).get("/api/stats").json
    assert stats["waits"]["mean_minutes"] == 12.0 and stats["by_state"]["called"] == 1
    assert stats["by_category"]["business"]["count"] == 1
