"""取号 at the kiosk, driven by touches offscreen against the real server: a matter
found by its pinyin initials, a 一件事 theme, the materials first, the ticket on
screen with its QR; English on the switch."""
from __future__ import annotations

import math

from core.messages.refusals import explain
from server.client import HallClient
from tests.conftest import TOKENS, clerk_token
from tests.kiosk.conftest import manager


def opened(driver):
    """The kiosk after it has heard the hall's hours."""
    driver.wait_until(lambda: driver.kiosk.opening is not None, what="opening hours")
    driver.pump()
    return driver


def test_a_matter_found_by_pinyin_initials(hall_server, make_kiosk, settings, clock):
    driver = opened(make_kiosk(hall_server.url, clock=clock))
    driver.touch("取号")
    assert driver.find_text("商事登记")
    driver.touch("搜索事项")
    driver.type_keys("gsdj")
    found = [b for b in driver.buttons() if getattr(b, "subject", "")]
    assert found[0].text == "公司变更登记"
    driver.touch(found[0])
    assert driver.kiosk.screen.name == "materials"
    subject = settings.subject("SS-0103")
    for line in [n.label("zh") for n in subject.checklist]:
        assert driver.find_text(line), line
    driver.screenshot(driver.shots / "materials.png")
    driver.touch("材料已带齐，取号")
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket", what="the ticket")
    assert driver.find_text("A001")
    assert driver.find_text("公司变更登记")
    assert driver.find_text("前面还有 0 人")
    assert driver.find_text("请用手机拍下号码和二维码")       # no printer at this kiosk
    qr = [w for w in driver.widgets() if getattr(w, "qr_data", "")]
    assert qr and qr[0].qr_data.startswith(settings.server.public_url)
    driver.screenshot(driver.shots / "ticket.png")
    tickets = manager(hall_server.url).tickets()
    assert [(t.number, t.subject, t.origin) for t in tickets] == [("A001", "SS-0103", "kiosk")]
    assert qr[0].qr_data == driver.kiosk.screen.issued.phone_url


def test_full_pinyin_and_hanzi_find_the_same_matter(hall_server, make_kiosk):
    driver = opened(make_kiosk(hall_server.url))
    search = driver.kiosk.search
    assert search.search("gongsi")[0] == search.search("公司")[0] == "SS-0103"
    driver.touch("取号")
    driver.touch("搜索事项")
    driver.type_keys("gong")
    driver.touch(next(b for b in driver.buttons() if b.text == "公"))   # a candidate
    driver.type_keys("si")
    driver.touch(next(b for b in driver.buttons() if b.text == "司"))
    assert driver.find_text("公司")
    assert [b.text for b in driver.buttons() if getattr(b, "subject", "")][0] == "公司变更登记"


def test_a_theme_lists_each_material_once(hall_server, make_kiosk, settings):
    driver = opened(make_kiosk(hall_server.url))
    driver.touch("一件事")
    driver.touch("身后事")
    lines = [t for t in driver.texts() if t[:1].isdigit() and ". " in t]
    names = [t.split(". ", 1)[1] for t in lines]
    assert names == [n.label("zh") for n in settings.subject("YJS-03").checklist]
    assert len(names) == len(set(names))
    driver.touch("材料已带齐，取号")
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket")
    number = driver.kiosk.screen.issued.number
    assert number.startswith("T") and driver.find_text(number)
    assert driver.find_text("身后事")
    ticket = manager(hall_server.url).tickets()[0]
    assert (ticket.subject, ticket.is_theme) == ("YJS-03", True)
    driver.screenshot(driver.shots / "theme-ticket.png")


def test_english_on_the_switch_and_chinese_again_for_the_next_citizen(hall_server,
                                                                     make_kiosk):
    driver = opened(make_kiosk(hall_server.url))
    driver.touch("English")
    assert driver.find_text("Take a number") and not driver.find_text("取号")
    driver.touch("Take a number")
    assert driver.find_text("Business registration")
    driver.touch("Done" if driver.find_text("Done") else "Home")
    driver.kiosk.reset()
    driver.pump()
    assert driver.find_text("取号")


def test_a_refusal_is_said_in_chinese_with_the_next_step(hall_server, make_kiosk, settings):
    """The server refuses (this kiosk's token is wrong): its refusal in plain Chinese."""
    driver = opened(make_kiosk(hall_server.url))
    from kiosk.screens.take import MaterialsScreen
    real_name = next(m for m in settings.matters if not m.real_name)
    screen = MaterialsScreen(real_name.code)
    driver.kiosk.show(screen)
    driver.kiosk.client.token = "not-a-token"
    driver.touch("材料已带齐，取号")
    driver.wait_until(lambda: driver.kiosk.screen.name == "notice")
    message = [w.text for w in driver.widgets() if getattr(w, "is_notice", False)][0]
    assert message == explain("unauthorized", {}, "unauthorized")
    assert message.startswith("本设备") or "服务器" in message     # Chinese, not English


def test_the_ticket_screen_says_the_estimate_and_its_range(hall_server, make_kiosk, clock):
    """With a window calling, the estimate has its calibrated range, said on the screen
    as the ticket answer gave it (the range around the rounded point)."""
    clerk = HallClient(hall_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    other = HallClient(hall_server.url, TOKENS["kiosk"])
    for _ in range(3):
        other.issue_ticket("SS-0103")
    driver = opened(make_kiosk(hall_server.url, clock=clock))
    driver.touch("取号")
    driver.touch("搜索事项")
    driver.type_keys("gsdj")
    driver.touch(next(b for b in driver.buttons() if getattr(b, "subject", "")))
    driver.touch("材料已带齐，取号")
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket", what="the ticket")
    issued = driver.kiosk.screen.issued
    assert issued.eta_minutes is not None and issued.eta_low is not None
    assert issued.eta_low <= issued.eta_minutes <= issued.eta_high
    minutes = max(1, round(issued.eta_minutes))
    low, high = min(math.floor(issued.eta_low), minutes), max(math.ceil(issued.eta_high), minutes)
    assert driver.find_text(f"预计等待约 {minutes} 分钟，{low}–{high} 分钟"), str(driver.texts())
