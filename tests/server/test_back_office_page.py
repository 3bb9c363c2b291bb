"""The back office's page (/office) in a real headless Chromium against the real server:
log in as the demo's backoffice01, approve a case, return one for correction (the
citizen's case page shows the reason), and a theme case split across two departments
that is ready only when backoffice02 approves its part too. Screenshots are saved to
tests.conftest.SCREENSHOTS."""
from __future__ import annotations

import pytest

from server.client import HallClient
from server.sessions import DEMO_PASSWORD, seed_demo_people
from tests.browser import needs_chromium
from tests.conftest import TOKENS, clerk_token
from tests.server.back_office_support import with_office_theme


@pytest.fixture(scope="module")
def settings(settings):
    return with_office_theme(settings)


def test_the_office_page_is_chinese_with_a_nonce(app):
    page = app.test_client().get("/office")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "后台审批" in html and "退回补正" in html
    policy = page.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html and "unsafe-inline" not in policy
    assert "Back office" in app.test_client().get("/office?lang=en").get_data(as_text=True)


@needs_chromium
def test_approve_return_and_a_theme_across_two_departments_in_chromium(live_server, tmp_path):
    pytest.importorskip("selenium")
    from selenium.webdriver.common.by import By

    from tests.browser import Page, chromium
    from tests.conftest import SCREENSHOTS

    seed_demo_people(live_server.app.extensions["yichuang.service"])
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    cases = {}
    for name, subject in (("approve", "SS-0103"), ("return", "SS-0101"), ("theme", "YJS-90")):
        kiosk.issue_ticket(subject)
        clerk.call_next(1)
        cases[name] = clerk.finish_service(1).case
    manager = HallClient(live_server.url, TOKENS["manager"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser = chromium(tmp_path / "chromium", 1280, 900)
    try:
        page = Page(browser)
        wait, shown, press = page.wait, page.shown, page.press

        def log_in(user: str) -> None:
            page.log_in(user, DEMO_PASSWORD)
            wait.until(lambda b: b.find_element(By.ID, "list").is_displayed())

        def open_case(number: str) -> None:
            press(f'tr[data-case="{number}"]')
            assert shown("detail-number", number) == number

        browser.get(f"{live_server.url}/office")
        log_in("backoffice01")
        for case in cases.values():              # every case has a business part
            wait.until(lambda b, n=case.number: b.find_elements(
                By.CSS_SELECTOR, f'tr[data-case="{n}"]'))
        assert "郑磊" in browser.find_element(By.ID, "who").text
        assert browser.execute_script("return sessionStorage.getItem('office.token')")
        browser.save_screenshot(str(SCREENSHOTS / "office-list.png"))

        # approve a single-matter case
        open_case(cases["approve"].number)
        assert "市场监督管理局" in shown("parts", "市场监督管理局")
        press('button[data-approve="SS-0103"]')
        assert shown("detail-status", "可领取")
        assert shown("message", "已完成")
        browser.save_screenshot(str(SCREENSHOTS / "office-approved.png"))
        assert manager.request("GET", f"/api/cases/{cases['approve'].number}")[
            "case"]["status"] == "ready"

        # return one for correction, with the reason
        browser.find_element(By.ID, "back").click()
        open_case(cases["return"].number)
        press('button[data-return="SS-0101"]')
        reason = wait.until(lambda b: b.find_element(By.ID, "reason"))
        reason.send_keys("公司章程未经全体股东签字，请补签后提交")
        browser.save_screenshot(str(SCREENSHOTS / "office-return-reason.png"))
        press("#send-return")
        assert shown("detail-status", "需要补正")
        assert "公司章程未经全体股东签字" in shown("parts", "公司章程未经全体股东签字")
        browser.save_screenshot(str(SCREENSHOTS / "office-returned.png"))

        # the theme: business approves its part, the case stays in review
        browser.find_element(By.ID, "back").click()
        open_case(cases["theme"].number)
        rows = browser.find_elements(By.CSS_SELECTOR, "#parts tr")
        assert [r.get_attribute("data-part") for r in rows] == ["SS-0103", "BDC-0402"]
        assert not browser.find_elements(By.CSS_SELECTOR, 'button[data-approve="BDC-0402"]')
        press('button[data-approve="SS-0103"]')
        assert shown("message", "已完成")
        assert shown("detail-status", "审批中")
        browser.save_screenshot(str(SCREENSHOTS / "office-theme-half.png"))
        assert manager.request("GET", f"/api/cases/{cases['theme'].number}")[
            "case"]["status"] == "in_review"

        # the citizen's case page shows the reason of the returned one
        browser.get(f"{live_server.url}/c/{cases['return'].token}")
        assert "需要补正" in shown("status", "需要补正")
        assert "公司章程未经全体股东签字" in shown("parts", "公司章程未经全体股东签字")
        browser.save_screenshot(str(SCREENSHOTS / "case-page-correction.png"))

        # realty logs in (the session is the tab's), sees only the theme, approves its part
        browser.get(f"{live_server.url}/office")
        browser.find_element(By.ID, "log-out").click()
        log_in("backoffice02")
        open_case(cases["theme"].number)
        press('button[data-approve="BDC-0402"]')
        assert shown("detail-status", "可领取")
        browser.save_screenshot(str(SCREENSHOTS / "office-theme-ready.png"))
        browser.find_element(By.ID, "back").click()
        wait.until(lambda b: b.find_element(By.ID, "no-cases").is_displayed())
        problems = [entry for entry in browser.get_log("browser")
                    if "Content Security Policy" in entry["message"]]
        assert problems == []
    finally:
        browser.quit()
    assert manager.request("GET", f"/api/cases/{cases['theme'].number}")[
        "case"]["status"] == "ready"
