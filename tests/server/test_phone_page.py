"""The citizen's phone page, in a real headless Chromium against the real server."""
from __future__ import annotations

import pytest

from server.client import HallClient
from tests.browser import chromium, needs_chromium
from tests.conftest import TOKENS, clerk_token

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "chromium", 420, 820)
    yield driver
    driver.quit()


def wait_for_text(browser, element_id: str, words: str, timeout: float = 10) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, timeout).until(
        lambda b: words in b.find_element(By.ID, element_id).text)
    return browser.find_element(By.ID, element_id).text


def test_phone_page_shows_place_in_line_then_the_call(live_server, browser, tmp_path):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    kiosk.issue_ticket("SS-0102")
    mine = kiosk.issue_ticket("SS-0102")      # same matter: strictly behind the first
    browser.get(f"{live_server.url}/t/{mine.phone_token}")
    assert wait_for_text(browser, "number", mine.number) == mine.number
    status = wait_for_text(browser, "status", "前面还有")
    assert "前面还有 1 人" in status.replace("\n", "") and "预计等候" in status
    materials = wait_for_text(browser, "materials", mine.materials[0])
    assert tuple(materials.splitlines()) == mine.materials
    browser.save_screenshot(str(tmp_path / "phone-waiting.png"))
    clerk.call_next(1)
    clerk.call_next(1)
    browser.refresh()
    assert "请到 1号窗口 办理" in wait_for_text(browser, "status", "请到").replace("\n", "")
    browser.save_screenshot(str(tmp_path / "phone-called.png"))


def test_an_unknown_token_says_so(live_server, browser):
    browser.get(f"{live_server.url}/t/not-a-real-token")
    assert "unknown" in wait_for_text(browser, "status", "unknown")
