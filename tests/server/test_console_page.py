"""The manager's console (/manage) in a real headless Chromium against the real server: a
clerk is turned away; the manager logs in and sees today's figures and each pool's line
(area B's social line long, area A's windows idle), asks the pool advisor, accepts its
first advice and dismisses the next (the hall changes as the API says), moves a window
by hand, lets one help until a time and stops it, reads a refusal in Chinese, and
releases a window whose clerk walked away with a ticket; reads today's day report and
saves its spreadsheet.
Screenshots are saved to tests.conftest.SCREENSHOTS."""
from __future__ import annotations

import json
import sqlite3
import time

import pytest

from server.client import HallClient
from server.sessions import DEMO_PASSWORD, seed_demo_people
from server.views.manage import CONSOLE_REFRESH_SECONDS as REFRESH_SECONDS
from tests.browser import needs_chromium
from tests.conftest import TOKENS
from tests.server.test_advice_api import mismatched


def test_the_console_is_chinese_with_a_nonce_and_english_on_request(app):
    page = app.test_client().get("/manage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "值班长工作台" in html and "窗口调配建议" in html and "立即评估" in html
    policy = page.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html and "unsafe-inline" not in policy
    assert page.headers["Cache-Control"] == "no-store"
    english = app.test_client().get("/manage?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Manager&#39;s console" in english
    assert "Ask the advisor now" in english and "渭华区" not in english   # the hall's name_en
    assert app.test_client().get("/manage?lang=fr").status_code == 422


def test_every_refusal_a_staff_or_phone_page_may_say_is_a_known_one():
    from core.messages.refusals import REFUSALS
    from server.web.back_office import OFFICE_REFUSALS
    from server.web.console import CONSOLE_REFUSALS, console_refusals
    from server.web.phone import RATING_REFUSALS
    for codes in (CONSOLE_REFUSALS, OFFICE_REFUSALS, RATING_REFUSALS):
        assert set(codes) <= set(REFUSALS)
    said = console_refusals("zh")
    assert said["help_until_past"] == "协同结束时间{until}已过，请选择更晚的时间。"
    assert set(said) == set(CONSOLE_REFUSALS)


def test_the_figures_name_each_pool_s_line(live_server):
    url = live_server.url
    mismatched(url)                      # windows 1-3 (A) and 8 (B) open; 10 social in B
    stats = HallClient(url, TOKENS["manager"]).request("GET", "/api/stats")
    assert stats["now"].startswith("2026-11-23T09:")
    lines = stats["pools"]
    assert list(lines) == ["acceptance_a", "acceptance_b", "pickup", "coordination", "green"]
    assert lines["acceptance_b"]["waiting"] == 10 and lines["acceptance_a"]["waiting"] == 1
    assert lines["acceptance_b"]["longest_wait_minutes"] >= 0
    assert lines["pickup"] == {"waiting": 0, "longest_wait_minutes": None, "windows": 2,
                               "open_windows": 0, "helped_by": []}
    assert lines["acceptance_a"]["open_windows"] == 3
    # window 8 is at home in B; window 5 (A) is configured to help B but is closed
    assert lines["acceptance_b"]["open_windows"] == 1 and lines["acceptance_b"]["helped_by"] == []


@needs_chromium
def test_a_manager_takes_advice_and_moves_windows_in_chromium(live_server, tmp_path):
    pytest.importorskip("selenium")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tests.browser import Page, chromium
    from tests.conftest import SCREENSHOTS

    url = live_server.url
    seed_demo_people(live_server.app.extensions["yichuang.service"])
    clerks = mismatched(url)
    manager = HallClient(url, TOKENS["manager"])
    windows = lambda: {w.number: w for w in manager.windows()}            # noqa: E731
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser = chromium(tmp_path / "chromium", 1400, 1300)
    try:
        page = Page(browser)
        wait, shown, press = page.wait, page.shown, page.press

        browser.get(f"{url}/manage")
        page.log_in("clerk01", DEMO_PASSWORD)               # not a manager
        assert shown("message", "本页面仅供大厅管理人员使用")
        assert not browser.find_element(By.ID, "console").is_displayed()

        page.log_in("manager01", DEMO_PASSWORD)
        wait.until(lambda b: b.find_element(By.ID, "console").is_displayed())
        assert "张建国" in browser.find_element(By.ID, "who").text
        today = shown("today", "取号")
        assert "11" in today and "正在等候" in today
        line_b = shown("pools", "综合受理B区")
        row_b = browser.find_element(By.CSS_SELECTOR, 'tr[data-pool="acceptance_b"]').text
        assert row_b.startswith("综合受理B区 10 ") and "1 / " in row_b, line_b
        assert shown("no-advice", "暂无建议")
        browser.save_screenshot(str(SCREENSHOTS / "console-before-advice.png"))

        # ask the advisor: area A's windows are advised to serve B's social line
        press("#assess")
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#advice [data-advice]"))
        advices = manager.advice()["advice"]
        assert advices and all(a["to_pool"] == "acceptance_b" for a in advices)
        text = shown("advice", advices[0]["text"])
        assert "综合受理B区" in text and "平均等候" in text
        projected = shown("projection", "预计（09:")
        assert "最长为社保医保" in projected, projected
        why = shown("line-reasons", "已建议")                 # the long line, and why
        assert why.startswith("综合受理B区·社保医保：10人等候") and \
            f"建议{advices[0]['window']}号窗口支援" in why, why
        browser.save_screenshot(str(SCREENSHOTS / "console-advice.png"))
        first = advices[0]
        press(f'button[data-accept="{first["id"]}"]')
        assert shown("message", "已完成")
        after = windows()[first["window"]]
        if first["kind"] == "help":
            assert "acceptance_b" in after.helping and after.pool == "acceptance_a"
        else:
            assert after.pool == "acceptance_b"
        assert manager.advice(state="accepted")["advice"][0]["decided_by"] == "manager01"
        if len(advices) > 1:
            second = advices[1]
            press(f'button[data-dismiss="{second["id"]}"]')
            wait.until(lambda b: not b.find_elements(
                By.CSS_SELECTOR, f'[data-advice="{second["id"]}"]'))
            assert manager.advice(state="dismissed")["advice"][0]["id"] == second["id"]

        # by hand: window 8 (B) lets window 2 help until 11:30, then stops it; a help until
        # a time already past is refused in Chinese; window 1 moves to B
        Select(browser.find_element(By.CSS_SELECTOR, 'select[data-window="2"]')) \
            .select_by_value("acceptance_b")
        until = browser.find_element(By.CSS_SELECTOR, 'input[data-until="2"]')
        browser.execute_script("arguments[0].value = '08:00';"
                               "arguments[0].dispatchEvent(new Event('change'));", until)
        press('button[data-help="2"]')
        refusal = shown("message", "协同结束时间08:00已过")
        assert refusal == "协同结束时间08:00已过，请选择更晚的时间。"
        assert browser.find_element(By.ID, "message").get_attribute("class") == "error"
        assert windows()[2].helping == {}
        browser.execute_script("arguments[0].value = '11:30';"
                               "arguments[0].dispatchEvent(new Event('change'));", until)
        press('button[data-help="2"]')
        assert shown("message", "已完成")
        assert windows()[2].helping == {"acceptance_b": "11:30"}
        row = shown("windows", "至11:30")
        assert "综合受理B区 至11:30" in row
        browser.save_screenshot(str(SCREENSHOTS / "console-windows.png"))
        press('button[data-stop="2:acceptance_b"]')
        wait.until(lambda b: "至11:30" not in b.find_element(By.ID, "windows").text)
        assert windows()[2].helping == {}

        Select(browser.find_element(By.CSS_SELECTOR, 'select[data-window="1"]')) \
            .select_by_value("acceptance_b")
        press('button[data-move="1"]')
        wait.until(lambda b: windows()[1].pool == "acceptance_b")
        # only pools the window has skills for are offered (window 3 knows no pickup)
        offered = browser.execute_script(       # read at once: the page redraws meanwhile
            "return [...document.querySelectorAll('select[data-window=\"3\"] option')]"
            ".map(o => o.value)")
        assert "pickup" not in offered and "acceptance_b" in offered

        # window 3's clerk calls a ticket and walks away: two presses release the window
        called = clerks[3].call_next(3).ticket
        assert called is not None
        press('button[data-release="3"]')
        assert shown("windows", "确认释放？")
        assert windows()[3].clerk                          # one press does nothing yet
        time.sleep(REFRESH_SECONDS + 1)                    # still armed after a redraw
        assert shown("windows", "确认释放？")
        armed = browser.find_element(By.CSS_SELECTOR, 'button[data-release="3"]')
        ActionChains(browser).double_click(armed).perform()   # sent once
        wait.until(lambda b: windows()[3].status == "closed")
        assert windows()[3].clerk == "" and windows()[3].current == ""
        assert manager.request("GET", f"/api/tickets/{called.number}")["ticket"][
            "state"] == "waiting"
        time.sleep(1)
        with sqlite3.connect(tmp_path / "live.db") as db:
            released = db.execute("SELECT data FROM events WHERE type = 'WindowReleased'")
            assert [json.loads(data)["window"] for (data,) in released] == [3]

        logged = browser.get_log("browser")
        assert [e for e in logged if e["source"] != "network"] == []    # no script error
        failed = [e["message"].split(" - ")[0].split("/", 3)[3] for e in logged
                  if e["source"] == "network"]
        assert set(failed) <= {"favicon.ico", "api/windows/2/help"}      # the refused help

        # the day report: today's, in the page, and its spreadsheet saved by the browser
        report = shown("report", "按类别")
        assert "社保医保" in report and "9:00—10:00" in report, report
        browser.execute_script("document.getElementById('report').scrollIntoView()")
        browser.save_screenshot(str(SCREENSHOTS / "console-report.png"))
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                                {"behavior": "allow", "downloadPath": str(downloads)})
        press("#download-report")
        wait.until(lambda b: [p for p in downloads.glob("*.csv")])
        saved = next(downloads.glob("*.csv"))
        assert saved.name == "report-2026-11-23.csv"
        lines = saved.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("号码,事项编码,事项,类别") and len(lines) == 12   # 11 tickets
        browser.execute_script("document.getElementById('report-day').value = '2026-12-01'")
        press("#show-report")
        assert shown("message", "尚未到来") == "2026-12-01尚未到来：日报只能查看今天或之前的日期。"

        browser.get(f"{url}/manage?lang=en")                # the session is the tab's
        assert shown("pools", "Comprehensive acceptance, area B")
        assert shown("today", "Numbers taken")
        browser.save_screenshot(str(SCREENSHOTS / "console-english.png"))
        browser.find_element(By.ID, "log-out").click()
        wait.until(lambda b: b.find_element(By.ID, "login").is_displayed())

        # a console left open does not keep its manager logged in: its own refreshes are
        # not the manager's requests, so an hour (idle_minutes) later the session ends
        page.log_in("manager01", DEMO_PASSWORD)
        wait.until(lambda b: b.find_element(By.ID, "console").is_displayed())
        live_server.clock.advance(minutes=35)
        time.sleep(REFRESH_SECONDS + 1)                     # refreshes 35 minutes on ...
        assert browser.find_element(By.ID, "console").is_displayed()
        live_server.clock.advance(minutes=35)               # ... then 70 after the log-in
        assert shown("message", "session has ended") == \
            "Your session has ended; please log in again."
        assert browser.find_element(By.ID, "login").is_displayed()
    finally:
        browser.quit()


@needs_chromium
def test_a_long_line_nobody_can_relieve_is_explained_in_chromium(live_server, tmp_path):
    """No open window outside area B knows 公安 matters: no advice, and the console says
    why (the police line and 'only staff with this skill can help')."""
    pytest.importorskip("selenium")
    from selenium.webdriver.common.by import By

    from tests.browser import Page, chromium
    from tests.conftest import SCREENSHOTS
    from tests.server.test_advice_api import BUSINESS_A, staffed

    url = live_server.url
    seed_demo_people(live_server.app.extensions["yichuang.service"])
    staffed(url, (1, 2, 3, 10))
    kiosk = HallClient(url, TOKENS["kiosk"])
    for _ in range(10):
        kiosk.issue_ticket("GA-0701")
    kiosk.issue_ticket(BUSINESS_A)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser = chromium(tmp_path / "chromium", 1400, 1000)
    try:
        page = Page(browser)
        browser.get(f"{url}/manage")
        page.log_in("manager01", DEMO_PASSWORD)
        page.wait.until(lambda b: b.find_element(By.ID, "console").is_displayed())
        page.press("#assess")
        assert page.shown("no-advice", "暂无待处理的建议") == \
            "暂无待处理的建议；排队较长的队列及原因见下。"
        why = page.shown("line-reasons", "公安")
        assert why == ("综合受理B区·公安户政：10人等候，预计平均等候约"
                       f"{why.split('约')[1].split('分钟')[0]}分钟。 "
                       "其他在岗窗口都不会办理此类事项，只能安排具备该技能的人员上岗。"), why
        item = browser.find_element(By.CSS_SELECTOR, "#line-reasons li")
        assert item.get_attribute("data-reason") == "no_skilled_window"
        browser.save_screenshot(str(SCREENSHOTS / "console-long-line-why.png"))
        logged = [e for e in browser.get_log("browser") if e["source"] != "network"]
        assert logged == []                                              # no script error
        browser.get(f"{url}/manage?lang=en")
        english = page.shown("line-reasons", "Household registration")
        assert "only staff with this skill can help" in english, english
    finally:
        browser.quit()


@needs_chromium
def test_the_console_shows_which_windows_wait_for_the_next_citizen(live_server, tmp_path):
    """待叫: window 1 pressed "call next" with nobody waiting; the windows table says so,
    and the number called there by itself replaces it."""
    pytest.importorskip("selenium")
    from selenium.webdriver.common.by import By

    from tests.browser import Page, chromium
    from tests.conftest import SCREENSHOTS, clerk_token

    url = live_server.url
    seed_demo_people(live_server.app.extensions["yichuang.service"])
    clerk = HallClient(url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    ready = clerk.call_next(1).window.ready
    browser = chromium(tmp_path / "chromium", 1400, 1000)
    try:
        page = Page(browser)
        browser.get(f"{url}/manage")
        page.log_in("manager01", DEMO_PASSWORD)
        row = 'tr[data-window="1"]'
        page.wait.until(lambda b: f"待叫（{ready}起）" in b.find_element(By.CSS_SELECTOR,
                                                                        row).text)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.execute_script("arguments[0].scrollIntoView()",
                               browser.find_element(By.CSS_SELECTOR, row))
        browser.save_screenshot(str(SCREENSHOTS / "console-ready-window.png"))
        number = HallClient(url, TOKENS["kiosk"]).issue_ticket("SS-0101").number
        page.wait.until(lambda b: number in b.find_element(By.CSS_SELECTOR, row).text,
                        message="the console's refresh shows the number called there")
        assert "待叫" not in browser.find_element(By.CSS_SELECTOR, row).text
    finally:
        browser.quit()
