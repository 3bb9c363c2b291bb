"""The booking page (/book) in a real headless Chromium on a phone-sized screen, against
the real server: a citizen books, the code is read off the page, a kiosk checks in with
it and gets an appointment ticket. Screenshots go to docs/images/book-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.client import HallClient
from tests.browser import chromium, needs_chromium
from tests.conftest import SCREENSHOTS, TOKENS

pytestmark = needs_chromium
IMAGES = SCREENSHOTS
CARD = "610503198001011235"
PHONE = (390, 844)


@pytest.fixture
def phone(tmp_path):
    driver = chromium(tmp_path / "chromium", *PHONE, "--hide-scrollbars",
                      "--force-device-scale-factor=1")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True})
    yield driver
    driver.quit()


def shot(driver, name: str, whole: bool = False) -> Path:
    """The phone's screen (or the whole page, `whole`) as docs/images/book-<name>.png."""
    import base64
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"book-{name}.png"
    options = {"format": "png"}
    if whole:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        options |= {"captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": PHONE[0], "height": height, "scale": 1}}
    data = driver.execute_cdp_cmd("Page.captureScreenshot", options)["data"]
    path.write_bytes(base64.b64decode(data))
    return path


def find(driver, css: str, timeout: float = 10):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout).until(
        shown.visibility_of_element_located((By.CSS_SELECTOR, css)))


def tap(driver, css: str) -> None:
    element = find(driver, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_book_on_the_phone_then_check_in_at_the_kiosk(live_server, phone):
    from selenium.webdriver.support.ui import WebDriverWait
    phone.get(f"{live_server.url}/book")
    assert "预约办事" in find(phone, "h1").text
    first = find(phone, "details[open] .choice")
    assert first.size["height"] >= 44 and first.size["width"] >= 300       # tap targets
    shot(phone, "1-matters")
    tap(phone, 'a.choice[href*="subject=SS-0101"]')
    assert find(phone, "#subject").text == "有限责任公司设立登记"
    assert "公司章程" in find(phone, "#materials").text                     # 一次性告知
    shot(phone, "2-day")
    tap(phone, 'a.choice[data-day="2026-11-23"]')                          # today, Monday
    find(phone, "#book")
    shot(phone, "3-time", whole=True)
    tap(phone, 'input[value="10:00"] + .choice')
    phone.find_element("id", "id_card").send_keys(CARD)
    tap(phone, "#confirm")
    WebDriverWait(phone, 10).until(lambda d: "/book/" in d.current_url)
    code = find(phone, "#code").text
    assert len(code) == 8 and phone.find_element("css selector", "svg.qr")
    assert "11月23日" in find(phone, "#when").text and "10:00" in find(phone, "#when").text
    assert find(phone, "#state").text == "已预约"
    shot(phone, "4-booking")
    shot(phone, "4-booking-whole", whole=True)

    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    issued = kiosk.check_in_booking(code=code)
    assert issued.ticket.priority == "appointment" and issued.ticket.subject == "SS-0101"
    phone.refresh()
    assert find(phone, "#state").text == "已签到"

    # the same card cannot book a second time today: said in Chinese, on the page
    phone.get(f"{live_server.url}/book?subject=SS-0102&day=2026-11-23")
    tap(phone, 'input[value="11:00"] + .choice')
    phone.find_element("id", "id_card").send_keys(CARD)
    tap(phone, "#confirm")
    refusal = find(phone, "#error")
    assert "该身份证在 2026-11-23 已有预约" in refusal.text
    shot(phone, "5-refused")


def test_change_and_cancel_on_the_booking_page_in_english(live_server, phone):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait
    citizen = HallClient(live_server.url)
    booking = citizen.book("BDC-0401", "2026-11-24", "09:30", CARD)
    phone.get(f"{live_server.url}/book/{booking.code}?lang=en")
    assert find(phone, "h1").text == "Your booking"
    assert find(phone, "#language").text == "中文"
    shot(phone, "6-english")
    tap(phone, "#change summary")
    tap(phone, 'a.choice[data-day="2026-11-25"]')
    tap(phone, 'input[value="14:00"] + .choice')
    shot(phone, "7-change")
    tap(phone, "#confirm-change")
    # the page reloads with the answer: an element found just before is stale
    settled = WebDriverWait(phone, 10, ignored_exceptions=(StaleElementReferenceException,))
    settled.until(lambda d: "14:00" in d.find_element("id", "when").text)
    moved = citizen.booking(booking.code)
    assert (moved.day, moved.start, moved.state) == ("2026-11-25", "14:00", "booked")
    tap(phone, "#cancel")
    phone.switch_to.alert.accept()
    settled.until(lambda d: d.find_element("id", "state").text == "Cancelled")
    assert citizen.booking(booking.code).state == "cancelled"
