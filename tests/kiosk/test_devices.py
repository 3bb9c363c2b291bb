"""The kiosk with its printer and ID card reader (the shipped fakes, driven by the real
drivers): the printed ticket decoded back, the printer out of paper, elderly priority
from a card, and the per-card daily limit (防黄牛)."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from core.messages.refusals import explain
from tests.kiosk.conftest import manager
from tests.kiosk.test_take_number import opened

CARDS = Path(__file__).resolve().parents[2] / "config" / "cards"


@pytest.fixture
def printer(request):
    from hardware.printer import fake_printer, open_printer
    name = f"kiosk-test-{request.node.name}"
    device = fake_printer(name)
    device.set_state("ok")
    return open_printer(f"fake://{name}", mode="image", columns=48), device


@pytest.fixture
def card_file(tmp_path):
    return tmp_path / "card.json"


@pytest.fixture
def reader(card_file, request):
    from hardware.id_reader import open_reader
    return open_reader(f"fake://reader-{request.node.name}?file={card_file}")


def take_number(driver, matter: str = "SS-0103", with_card: bool = False):
    from kiosk.screens.take import MaterialsScreen
    driver.kiosk.show(MaterialsScreen(matter))
    driver.touch("刷身份证取号" if with_card else "材料已带齐，取号")


def test_the_ticket_is_printed_with_its_qr(hall_server, make_kiosk, printer):
    from pyzbar.pyzbar import decode as zbar

    from hardware.escpos_image import decode
    ticket_printer, device = printer
    driver = opened(make_kiosk(hall_server.url, printer=ticket_printer))
    take_number(driver)
    driver.wait_until(lambda: driver.find_text("请取走打印的号票"), what="printed")
    screen = driver.kiosk.screen
    printed = decode(screen.printed)
    read = [code.data.decode() for code in zbar(printed.image.convert("L"))]
    assert read == [screen.issued.phone_url]                  # a real decoder reads it
    assert device.written.endswith(screen.printed)
    driver.shots.mkdir(parents=True, exist_ok=True)
    printed.image.save(driver.shots / "printed.png")


def test_printer_out_of_paper_still_gives_the_number_and_tells_the_server_once(
        hall_server, make_kiosk, printer, settings):
    ticket_printer, device = printer
    device.set_state("paper_out")
    hall = replace(settings, kiosk=replace(settings.kiosk, printer="kiosk-1-printer"))
    driver = opened(make_kiosk(hall_server.url, printer=ticket_printer, hall=hall))
    take_number(driver)
    driver.wait_until(lambda: driver.find_text("打印机故障"), what="the printer fault")
    screen = driver.kiosk.screen
    assert driver.find_text(screen.issued.number)
    qr = [w for w in driver.widgets() if getattr(w, "qr_data", "")][0]
    assert qr.qr_data == screen.issued.phone_url
    assert qr.width >= driver.kiosk.style.mm(90)                 # large, to photograph
    driver.screenshot(driver.shots / "printer-down.png")
    take_number(driver)                                          # a second citizen
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket"
                      and driver.find_text("打印机故障"))
    boss = manager(hall_server.url)

    def reported():
        return [d for d in boss.devices() if d.device == "kiosk-1-printer"]
    found = driver.wait_until(reported, what="the device report")
    assert found[0].state == "fault" and found[0].code == "paper_out"
    assert len([t for t in boss.tickets()]) == 2
    assert driver.kiosk.reported_faults == {"paper_out"}       # told once, not per ticket


def test_elderly_priority_from_the_card_on_the_reader(hall_server, make_kiosk, reader,
                                                      card_file):
    shutil.copy(CARDS / "elderly-1950.json", card_file)
    driver = opened(make_kiosk(hall_server.url, reader=reader))
    take_number(driver, with_card=True)
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket", what="the ticket")
    assert driver.find_text("老年人优先")
    assert not any("610103195003070428" in t for t in driver.texts())
    ticket = manager(hall_server.url).tickets()[0]
    assert ticket.priority == "elderly"
    driver.screenshot(driver.shots / "elderly.png")


def test_an_unreadable_card_says_put_it_down_again(hall_server, make_kiosk, reader,
                                                   card_file):
    shutil.copy(CARDS / "unreadable.json", card_file)
    driver = opened(make_kiosk(hall_server.url, reader=reader))
    take_number(driver, with_card=True)
    driver.wait_until(lambda: driver.find_text("没有读出来"), what="the card problem")
    shutil.copy(CARDS / "young-1998.json", card_file)           # placed again, readable
    driver.wait_until(lambda: driver.kiosk.screen.name == "ticket", what="the ticket")
    assert manager(hall_server.url).tickets()[0].priority == "normal"


def test_the_daily_limit_per_card(hall_server, make_kiosk, reader, card_file, settings):
    card_file.write_text((CARDS / "young-1998.json").read_text(encoding="utf-8"),
                         encoding="utf-8")
    limit = settings.rules.tickets_per_id_per_day
    driver = opened(make_kiosk(hall_server.url, reader=reader))
    for _ in range(limit):
        take_number(driver, with_card=True)
        driver.wait_until(lambda: driver.kiosk.screen.name == "ticket")
        driver.kiosk.home()
    take_number(driver, with_card=True)
    driver.wait_until(lambda: driver.kiosk.screen.name == "notice", what="the refusal")
    assert driver.find_text("今日取号已达上限")
    assert driver.find_text("可预约明日办理")
    assert driver.find_text(explain("id_daily_limit", {"limit": limit}))
    assert driver.find_text("用手机扫码预约")                 # the next step: book
    driver.screenshot(driver.shots / "daily-limit.png")
    assert len(manager(hall_server.url).tickets()) == limit
    json.loads(card_file.read_text(encoding="utf-8"))


def test_a_number_called_as_it_is_taken_says_which_window_on_screen_and_paper(
        hall_server, make_kiosk, printer):
    """待叫: window 1's clerk pressed "call next" with nobody waiting, so the citizen's
    number is called the moment it is taken; the screen and the ticket say where to go."""
    from hardware.escpos_image import decode
    from server.client import HallClient
    from tests.conftest import clerk_token
    clerk = HallClient(hall_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    assert clerk.call_next(1).window.ready
    ticket_printer, device = printer
    driver = opened(make_kiosk(hall_server.url, printer=ticket_printer))
    take_number(driver)
    driver.wait_until(lambda: driver.find_text("请取走打印的号票"), what="printed")
    screen = driver.kiosk.screen
    assert (screen.issued.ticket.state, screen.issued.ticket.window) == ("called", 1)
    assert driver.find_text("已叫号，请直接到1号窗口办理")
    assert not driver.find_text("前面还有")
    assert screen.ticket_print(driver.kiosk).called_to == "1号窗口"
    printed = decode(screen.printed)
    driver.shots.mkdir(parents=True, exist_ok=True)
    printed.image.save(driver.shots / "printed-called-now.png")
    driver.screenshot(driver.shots / "ticket-called-now.png")
    assert device.written.endswith(screen.printed)
