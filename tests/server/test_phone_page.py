"""The citizen's phone page, in a real headless Chromium against the real server: the
ticket's stream moves the page without a reload (calls large, a vibration, the warning
three places away), and without EventSource it falls back to asking every 10 s."""
from __future__ import annotations

import pytest

from server.client import HallClient
from tests.browser import chromium, needs_chromium
from tests.conftest import SCREENSHOTS, TOKENS, clerk_token

pytestmark = needs_chromium

# Counts the page's vibrations (headless Chromium has no motor to ask).
COUNT_VIBRATIONS = ("window.vibrations = []; navigator.vibrate = "
                    "pattern => { window.vibrations.push(pattern); return true; };")


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "chromium", 420, 820)
    yield driver
    driver.quit()


@pytest.fixture
def hall(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    return kiosk, clerk


def wait_until(browser, check, timeout: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, timeout).until(lambda b: check(b))


def text_of(browser, element_id: str) -> str:
    from selenium.webdriver.common.by import By
    element = browser.find_element(By.ID, element_id)
    return element.text.replace("\n", "") if element.is_displayed() else ""


def wait_for_text(browser, element_id: str, words: str, timeout: float = 10) -> str:
    wait_until(browser, lambda b: words in text_of(b, element_id), timeout)
    return text_of(browser, element_id)


def screenshot(browser, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"phone-{name}.png"))


def test_the_call_reaches_the_open_page_large_with_a_vibration(hall, live_server, browser):
    kiosk, clerk = hall
    kiosk.issue_ticket("SS-0102")
    mine = kiosk.issue_ticket("SS-0102")      # same matter: strictly behind the first
    browser.get(f"{live_server.url}/t/{mine.phone_token}")
    assert wait_for_text(browser, "number", mine.number) == mine.number
    status = wait_for_text(browser, "status", "前面还有")
    assert "前面还有 1 人" in status and "预计等候" in status
    assert wait_for_text(browser, "materials", mine.materials[0]) == "".join(mine.materials)
    assert "叫号时自动更新" in text_of(browser, "asof")       # listening, not polling
    assert "快轮到您了" in wait_for_text(browser, "near", "前面还有 1 人")  # within 3 places
    assert text_of(browser, "turn") == ""
    browser.execute_script(COUNT_VIBRATIONS)
    screenshot(browser, "waiting")

    clerk.call_next(1)                        # the one ahead: mine is next
    assert "下一位就是您" in wait_for_text(browser, "near", "下一位")
    clerk.call_next(1)                        # mine, seen without a reload
    turn = wait_for_text(browser, "turn", "请到")
    assert turn == f"轮到您了{mine.number}请到 1号窗口 办理"
    assert "请到 1号窗口 办理" in text_of(browser, "status")
    assert text_of(browser, "near") == ""
    assert browser.execute_script("return window.vibrations.length") == 1
    assert browser.title.startswith(f"轮到您了 {mine.number}")
    screenshot(browser, "called")

    live_server.clock.advance(seconds=20)     # a recall waits 15 s after the call
    clerk.recall(1)
    wait_for_text(browser, "turn", "再次呼叫")
    assert browser.execute_script("return window.vibrations.length") == 2
    assert browser.execute_script("return window.vibrations[0]") == [500, 200, 500, 200, 500]


def test_the_warning_comes_at_three_places_away(hall, live_server, browser):
    kiosk, clerk = hall
    for _ in range(4):
        kiosk.issue_ticket("SS-0102")
    mine = kiosk.issue_ticket("SS-0102")      # 4 ahead: no warning yet
    browser.get(f"{live_server.url}/t/{mine.phone_token}")
    assert "前面还有 4 人" in wait_for_text(browser, "status", "前面还有")
    assert text_of(browser, "near") == ""
    clerk.call_next(1)
    near = wait_for_text(browser, "near", "快轮到您了")
    assert near == "快轮到您了：前面还有 3 人，请到窗口附近留意叫号"
    assert "前面还有 3 人" in text_of(browser, "status")
    screenshot(browser, "near")


def test_without_event_source_the_page_asks_every_ten_seconds(hall, live_server, browser):
    kiosk, _ = hall
    mine = kiosk.issue_ticket("SS-0101")
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                            {"source": "delete window.EventSource;"})
    browser.get(f"{live_server.url}/t/{mine.phone_token}")
    assert "前面还有 0 人" in wait_for_text(browser, "status", "前面还有")
    assert "每10秒自动刷新" in text_of(browser, "asof")
    assert "下一位就是您" in text_of(browser, "near")


def test_the_page_speaks_english_on_request(hall, live_server, browser):
    kiosk, _ = hall
    mine = kiosk.issue_ticket("SS-0101")
    browser.get(f"{live_server.url}/t/{mine.phone_token}?lang=en&from=wechat")
    assert "0 people ahead of you" in wait_for_text(browser, "status", "people ahead")
    assert "You are next" in text_of(browser, "near")


def test_an_unknown_token_says_so(live_server, browser):
    browser.get(f"{live_server.url}/t/not-a-real-token")
    assert wait_for_text(browser, "status", "无效") == "此排号链接无效，或不是今天的号"
