"""The finish answer's case and slip, the citizen's case page (/c/<token>) and its JSON,
好差评 from it, and the phone page's case line: through Flask's test client."""
from __future__ import annotations

import re

import pytest

from core.printing import SlipPrint
from tests.conftest import TOKENS, staff_window


def finish_with_case(api, clerk, subject="SS-0103", body=None):
    ticket = api.post("/api/tickets", json={"subject": subject}).json
    clerk.post("/api/windows/1/call-next")
    answer = clerk.post("/api/windows/1/finish", json=body or {
        "missing_materials": ["公司章程"], "supply_by": "2026-11-25"})
    assert answer.status_code == 200, answer.json
    return ticket, answer.json


def test_the_finish_answers_the_case_and_its_slip(api, settings):
    clerk = staff_window(api, 1)
    _, answer = finish_with_case(api, clerk)
    case, slip = answer["case"], SlipPrint.from_dict(answer["slip"])
    assert case["number"] == slip.case_number == "WH20261123-0001"
    assert len(case["token"]) >= 20
    assert slip.page_url == f"{settings.server.public_url}/c/{case['token']}"
    assert (slip.missing, slip.supply_by, slip.due_date) == (
        ("公司章程",), "2026-11-25", "2026-11-26")
    assert slip.clerk_name and slip.window_name
    again = clerk.get(f"/api/cases/{case['number']}/slip").json["slip"]
    assert again["page_url"] == slip.page_url
    # the kiosk reads a case but never its page token
    assert api.get(f"/api/cases/{case['number']}").json["case"]["token"] == ""


def test_a_matter_without_a_case_answers_none_and_refuses_open_case(api):
    clerk = staff_window(api, 1)
    _, answer = finish_with_case(api, clerk, "SS-0102", {"open_case": False})
    assert answer["case"] is None and answer["slip"] is None
    api.post("/api/tickets", json={"subject": "SS-0102"})
    clerk.post("/api/windows/1/call-next")
    refused = clerk.post("/api/windows/1/finish", json={"open_case": True})
    assert refused.status_code == 422 and refused.json["code"] == "case_not_for_matter"


def test_the_case_page_json_shows_the_case_and_no_secret(api):
    clerk = staff_window(api, 1)
    ticket, answer = finish_with_case(api, clerk)
    token = answer["case"]["token"]
    shown = api.as_(None).get(f"/api/public/cases/{token}")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    page = shown.json
    assert (page["case_number"], page["status"], page["due_date"]) == (
        "WH20261123-0001", "in_review", "2026-11-26")
    assert page["missing_materials"] == ["公司章程"] and page["supply_by"] == "2026-11-25"
    assert page["can_rate"] is True and page["received_materials"]
    assert ticket["phone_token"] not in shown.get_data(as_text=True)
    assert api.as_(None).get("/api/public/cases/nope-not-a-token").status_code == 404


def test_the_case_page_is_chinese_with_a_nonce_and_english_on_request(api):
    clerk = staff_window(api, 1)
    _, answer = finish_with_case(api, clerk)
    page = api.as_(None).get(f"/c/{answer['case']['token']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "办件编号" in html and "请对本次服务评价" in html
    nonce = re.search(r"script-src 'nonce-([^']+)'", page.headers["Content-Security-Policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in html
    english = api.as_(None).get(f"/c/{answer['case']['token']}?lang=en")
    assert "Case number" in english.get_data(as_text=True)


def test_rating_from_the_case_page_once(api, app):
    clerk = staff_window(api, 1)
    _, answer = finish_with_case(api, clerk)
    token, public = answer["case"]["token"], api.as_(None)
    bad = public.post(f"/api/public/cases/{token}/rating", json={"level": 1})
    assert bad.status_code == 422                          # a bad rating needs a reason
    assert public.post(f"/api/public/cases/{token}/rating", json={"level": 5}).status_code == 201
    assert public.get(f"/api/public/cases/{token}").json["can_rate"] is False
    again = public.post(f"/api/public/cases/{token}/rating", json={"level": 4})
    assert again.status_code == 409


def test_the_phone_status_carries_the_case_after_the_finish(api):
    clerk = staff_window(api, 1)
    ticket, answer = finish_with_case(api, clerk)
    status = api.as_(None).get(f"/api/public/tickets/{ticket['phone_token']}").json
    assert status["case"] == {"number": "WH20261123-0001", "status": "in_review",
                              "page": f"/c/{answer['case']['token']}"}
    phone = api.as_(None).get(f"/t/{ticket['phone_token']}").get_data(as_text=True)
    assert "case-link" in phone


def test_a_picked_up_case_is_still_shown(api):
    clerk, manager = staff_window(api, 1), api.as_(TOKENS["manager"])
    _, answer = finish_with_case(api, clerk, "SS-0101", {"open_case": True})
    number, token = answer["case"]["number"], answer["case"]["token"]
    assert manager.post(f"/api/cases/{number}/approve").status_code == 200
    assert api.as_(None).get(f"/api/public/cases/{token}").json["status"] == "ready"
    pickup = staff_window(api, 13)
    assert pickup.post("/api/windows/13/call-case", json={"case_number": number}).status_code == 200
    assert pickup.post("/api/windows/13/finish").status_code == 200
    assert api.as_(None).get(f"/api/public/cases/{token}").json["status"] == "picked_up"


# --- in a real headless Chromium ------------------------------------------------------------

def test_the_case_page_and_the_phone_page_in_chromium(live_server, tmp_path):
    """The case page shows the case and takes a rating; the finished ticket's phone page
    shows the case number and links to it."""
    pytest.importorskip("selenium")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from server.client import HallClient
    from tests.browser import chromium
    from tests.conftest import SCREENSHOTS, clerk_token

    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    mine = kiosk.issue_ticket("SS-0103")
    clerk.call_next(1)
    finished = clerk.finish_service(1, missing_materials=["公司章程"], supply_by="2026-11-25")
    assert finished.case is not None and finished.slip is not None
    assert finished.slip.page_url.endswith(f"/c/{finished.case.token}")
    browser = chromium(tmp_path / "chromium", 420, 900)
    try:
        def shown(element_id: str, words: str) -> str:
            WebDriverWait(browser, 10).until(
                lambda b: words in b.find_element(By.ID, element_id).text)
            return browser.find_element(By.ID, element_id).text

        browser.get(f"{live_server.url}/t/{mine.phone_token}")
        assert finished.case.number in shown("case-line", finished.case.number)
        assert "审批中" in shown("case-line", "审批中")
        link = browser.find_element(By.ID, "case-link")
        assert link.get_attribute("href").endswith(f"/c/{finished.case.token}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "phone-finished-with-case.png"))
        browser.get(link.get_attribute("href"))
        assert shown("number", finished.case.number) == finished.case.number
        assert shown("status", "审批中") == "审批中"
        assert "公司章程" in shown("missing", "公司章程")
        assert "2026-11-25" in shown("missing-title", "2026-11-25")
        browser.save_screenshot(str(SCREENSHOTS / "case-page.png"))
        browser.find_element(By.CSS_SELECTOR, '#levels button[data-level="5"]').click()
        browser.find_element(By.ID, "send").click()
        assert "感谢" in shown("rate-answer", "感谢")
        # another citizen's case: rated from the phone while the case page was open,
        # the case page's refusal is said in Chinese, never the server's English
        other = kiosk.issue_ticket("SS-0103")
        clerk.call_next(1)
        case = clerk.finish_service(1).case
        browser.get(f"{live_server.url}/c/{case.token}")
        assert shown("number", case.number) == case.number
        browser.find_element(By.CSS_SELECTOR, '#levels button[data-level="5"]').click()
        HallClient(live_server.url).request(
            "POST", f"/api/public/tickets/{other.phone_token}/rating", {"level": 4})
        browser.find_element(By.ID, "send").click()
        refused = shown("rate-answer", "评价")
        assert "已评价" in refused and not any(c.isascii() and c.isalpha() for c in refused)
    finally:
        browser.quit()
    assert kiosk.public_ticket(mine.phone_token).ticket.state == "finished"
