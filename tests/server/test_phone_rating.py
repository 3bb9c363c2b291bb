"""好差评 on the citizen's phone page, in a real headless Chromium against the real server:
the finish brings the rating block without a reload; a bad level asks a reason from the
hall's `[ratings] reasons`; one rating per service, whoever gave it (the phone or the
window's pad), and the page says so in the citizen's language."""
from __future__ import annotations

import sqlite3

import pytest

from core.settings.ratings import RatingSettings
from server.client import ApiError, HallClient
from tests.browser import chromium, needs_chromium
from tests.conftest import TOKENS
from tests.server.test_phone_page import screenshot, text_of, wait_for_text

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "chromium", 420, 900)
    yield driver
    driver.quit()


@pytest.fixture
def served(live_server):
    """A ticket of window 1 being served: (its ticket, the clerk's client)."""
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, "demo-clerk-01")
    clerk.log_in(1)
    clerk.open_window(1)
    ticket = kiosk.issue_ticket("SS-0101")
    clerk.call_next(1)
    clerk.start_service(1)
    return ticket, clerk


def click(browser, selector: str, text: str = "") -> None:
    from selenium.webdriver.common.by import By
    buttons = [b for b in browser.find_elements(By.CSS_SELECTOR, selector)
               if b.is_displayed() and (not text or b.text == text)]
    assert buttons, f"no {selector} showing {text!r}"
    buttons[0].click()


def test_a_bad_rating_from_the_phone_asks_a_reason_and_is_kept_once(
        served, live_server, browser, tmp_path):
    ticket, clerk = served
    browser.get(f"{live_server.url}/t/{ticket.phone_token}")
    wait_for_text(browser, "status", "办理")
    assert text_of(browser, "rate-card") == ""          # not before the finish
    clerk.finish_service(1)                              # pushed: no reload
    assert "请对本次服务评价" in wait_for_text(browser, "rate-card", "非常满意")
    assert text_of(browser, "levels") == "非常满意满意基本满意不满意非常不满意"
    assert text_of(browser, "why") == ""
    click(browser, "#levels button", "非常不满意")
    reasons = wait_for_text(browser, "reasons", "其他")
    assert reasons == "".join(RatingSettings().reasons)  # the hall's [ratings] reasons
    click(browser, "#send")                              # no reason chosen yet
    assert wait_for_text(browser, "rate-answer", "原因") == "请选择不满意的原因，以便我们跟进改进。"
    click(browser, "#levels button", "不满意")
    click(browser, "#reasons button", "等候时间长")
    browser.find_element("id", "more").send_keys("等了一个小时")
    screenshot(browser, "rating-reasons")
    click(browser, "#send")
    assert wait_for_text(browser, "rated", "感谢") == "感谢您的评价！"
    assert text_of(browser, "rate-card") == ""
    screenshot(browser, "rating-thanks")

    with sqlite3.connect(tmp_path / "live.db") as db:
        kept = db.execute("SELECT level, reason, window FROM ratings").fetchall()
    assert kept == [(2, "等候时间长：等了一个小时", 1)]
    manager = HallClient(live_server.url, TOKENS["manager"])
    assert manager.stats()["ratings"]["by_level"]["2"] == 1
    status = manager.request("GET", f"/api/public/tickets/{ticket.phone_token}")
    assert (status["rated"], status["rating"], status["rating_name"]) == (True, 2, "不满意")

    with pytest.raises(ApiError) as again:               # one rating per service
        manager.request("POST", f"/api/public/tickets/{ticket.phone_token}/rating",
                        {"level": 5})
    assert again.value.status == 409 and again.value.code == "already_rated"
    browser.refresh()                                    # the page knows it was rated
    assert wait_for_text(browser, "rated", "已评价") == "本次服务已评价：不满意。感谢您的评价！"
    assert text_of(browser, "rate-card") == ""


def test_a_service_the_pad_rated_first_shows_rated(served, live_server, browser):
    ticket, clerk = served
    clerk.finish_service(1)
    browser.get(f"{live_server.url}/t/{ticket.phone_token}")
    wait_for_text(browser, "rate-card", "非常满意")       # offered: not rated yet
    pad = HallClient(live_server.url, TOKENS["rating_pad"])
    pad.submit_rating(ticket.number, 4)                  # the window's pad, meanwhile
    click(browser, "#levels button", "非常满意")
    click(browser, "#send")
    assert wait_for_text(browser, "rated", "已评价") == "本次服务已评价，谢谢。"
    assert text_of(browser, "rate-card") == ""
    screenshot(browser, "rating-by-the-pad")
    browser.get(f"{live_server.url}/t/{ticket.phone_token}?lang=en")
    assert wait_for_text(browser, "rated", "rated") == \
        "This service has been rated: Satisfied. Thank you."


def test_no_rating_at_the_pad_is_not_good_and_closes_the_rating(served, live_server, browser):
    ticket, clerk = served
    clerk.finish_service(1)
    HallClient(live_server.url, TOKENS["rating_pad"]).submit_rating(ticket.number, 0)
    browser.get(f"{live_server.url}/t/{ticket.phone_token}")
    assert wait_for_text(browser, "rated", "未评价") == "窗口评价器已记录本次服务为未评价。"
    assert text_of(browser, "rate-card") == ""
