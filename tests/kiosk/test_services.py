"""The rest of the home screen against the real server: out of hours (the 24-hour
zone), a floor helper called and taken, a self-service form filled from the card,
booking check-in by a scanned QR, and the server lost and back."""
from __future__ import annotations

import shutil
from pathlib import Path

from server.client import HallClient
from tests.conftest import TOKENS
from tests.kiosk.conftest import manager
from tests.kiosk.test_devices import CARDS, take_number
from tests.kiosk.test_take_number import opened


def test_out_of_hours_offers_only_the_24_hour_zone(hall_server, make_kiosk, clock):
    clock.advance(hours=11)                                  # Monday 20:00
    driver = opened(make_kiosk(hall_server.url, clock=clock))
    choices = [b.choice for b in driver.buttons() if getattr(b, "choice", "")]
    assert choices == ["booking", "case_query", "self_service"]
    assert driver.find_text("现在是窗口下班时间")
    opens = driver.kiosk.opening.next_opening[11:16]          # 08:00: tickets before 08:30
    assert driver.find_text(f"现在是窗口下班时间。窗口明天 {opens} 开始办理。")
    driver.screenshot(driver.shots / "closed.png")
    take_number(driver)                                      # a number anyway: refused
    driver.wait_until(lambda: driver.kiosk.screen.name == "notice")
    assert not any("outside" in t for t in driver.texts())
    assert driver.find_text("用手机扫码预约")
    assert manager(hall_server.url).tickets() == []


def test_extended_hours_keep_pickup_and_helpers(hall_server, make_kiosk, clock):
    clock.advance(hours=9)                                   # Monday 18:00, until 19:00
    driver = opened(make_kiosk(hall_server.url, clock=clock))
    choices = [b.choice for b in driver.buttons() if getattr(b, "choice", "")]
    assert "pickup" in choices and "help" in choices and "take" not in choices


def test_a_help_request_reaches_the_helpers(hall_server, make_kiosk, settings):
    driver = opened(make_kiosk(hall_server.url))
    driver.touch("呼叫帮办")
    driver.touch("不会操作或不会填表")
    driver.wait_until(lambda: driver.find_text("工作人员马上就到"), what="the answer")
    assert driver.find_text(settings.kiosk.where)
    requests = manager(hall_server.url).help_requests("open")
    assert [(r.where, r.reason) for r in requests] == [(settings.kiosk.where,
                                                        "needs_assistance")]
    helper = HallClient(hall_server.url, "demo-helper-1")
    assert helper.take_help(requests[0].id).state == "taken"


def test_a_self_service_form_filled_from_the_card(hall_server, make_kiosk, tmp_path,
                                                   settings):
    from hardware.id_reader import open_reader
    card = tmp_path / "card.json"
    shutil.copy(CARDS / "young-1998.json", card)
    reader = open_reader(f"fake://reader-form?file={card}")
    driver = opened(make_kiosk(hall_server.url, reader=reader))
    driver.touch("自助办理")
    driver.touch("异地就医备案")
    driver.touch("刷身份证自动填写")
    driver.wait_until(lambda: driver.kiosk.screen.name == "form", what="the first question")
    driver.touch("异地长期居住")                               # a choice: one touch
    for letters, hanzi in (("xi", "西"), ("an", "安")):        # free text: pinyin
        driver.type_keys(letters)
        driver.touch(next(b for b in driver.buttons() if b.text == hanzi))
    driver.touch("下一步")
    driver.type_keys("20261201")
    driver.touch("下一步")
    driver.type_keys("123")                                   # not a phone number
    driver.touch("下一步")
    assert driver.find_text("请输入11位手机号码")
    driver.type_keys("⌫⌫⌫13912345678")
    driver.touch("下一步")
    assert driver.find_text("请核对后提交")
    assert driver.find_text("李明") and driver.find_text("西安")
    assert not any("19980816" in t and "*" not in t for t in driver.texts())
    driver.screenshot(driver.shots / "review.png")
    driver.touch("提交")
    driver.wait_until(lambda: driver.kiosk.screen.name == "receipt", what="the receipt")
    number = driver.kiosk.screen.case.number
    assert driver.find_text(number)
    progress = HallClient(hall_server.url, TOKENS["kiosk"]).case_progress(number)
    assert progress.subject == "YB-0604"


def test_booking_check_in_by_its_scanned_qr(hall_server, make_kiosk, clock, settings):
    kiosk_client = HallClient(hall_server.url, TOKENS["kiosk"])
    subject = "BDC-0402"
    today = clock().date().isoformat()
    slot = next(s for s in kiosk_client.booking_slots(subject, today)
                if s.start >= "09:00")
    booking = HallClient(hall_server.url).book(subject, today, slot.start,
                                               "610103199808160111")
    driver = opened(make_kiosk(hall_server.url, clock=clock))
    driver.touch("预约签到")
    driver.scan("NOPE-NOT-A-CODE")
    assert driver.find_text("这个二维码不是本大厅的预约码")
    driver.scan(f"{settings.server.public_url}/book/{booking.code}")
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket", what="the ticket")
    assert driver.find_text("签到成功")
    ticket = manager(hall_server.url).tickets()[0]
    assert (ticket.origin, ticket.subject) == ("appointment", subject)
    assert driver.find_text(ticket.number)


def test_server_lost_and_back_issues_the_ticket_once(settings, tmp_path, clock,
                                                     make_kiosk):
    from server.app import create_app
    from server.wsgi import BackgroundServer, free_port
    database, port = str(tmp_path / "hall.db"), free_port()

    def start():
        app = create_app(settings, database=database, clock=clock)
        return BackgroundServer(app, threads=8, port=port).__enter__()
    server = start()
    driver = opened(make_kiosk(server.url, clock=clock))
    server.__exit__(None, None, None)
    server.app.extensions["yichuang.service"].close()
    take_number(driver)
    driver.wait_until(lambda: driver.find_text("暂时连不上大厅服务器"), what="the message")
    assert driver.kiosk.screen.name == "materials"
    driver.screenshot(driver.shots / "server-lost.png")
    attempt = driver.kiosk._asking
    driver.wait_until(lambda: attempt.tries >= 3, what="retries")
    server = start()
    try:
        driver.wait_until(lambda: driver.kiosk.screen.name == "ticket", what="the ticket")
        assert driver.find_text("A001") and not driver.find_text("连不上")
        assert [t.number for t in manager(server.url).tickets()] == ["A001"]
    finally:
        server.__exit__(None, None, None)
        server.app.extensions["yichuang.service"].close()
    assert Path(database).exists()
