"""过号重新排队 at the kiosk, offscreen against the real server: a ticket a clerk called
and marked no-show is scanned at the kiosk and goes back in line behind
`[rules] requeue_after` people; a second scan, a ticket still waiting, a QR that is no
ticket and an unknown ticket each get their plain answer; touch targets and the idle
time as everywhere."""
from __future__ import annotations

import pytest

from core.kiosk_flow import target_pixels, ticket_token_from_scan
from server.client import HallClient
from tests.conftest import TOKENS, clerk_token
from tests.kiosk.conftest import manager
from tests.kiosk.test_take_number import opened


def test_the_token_is_read_from_the_tickets_link():
    token = "kq3Cw1YlU0bq3hC8xVJp0A"
    assert ticket_token_from_scan(f"https://hall.example.cn/t/{token}") == token
    assert ticket_token_from_scan(f"  http://127.0.0.1:8750/t/{token}/ \n") == token
    assert ticket_token_from_scan(f"http://h/t/{token}?lang=en") == token
    assert ticket_token_from_scan("http://h/t/aB-_x9ZZ") == "aB-_x9ZZ"      # case kept
    for not_a_ticket in ("", "hello", "A001", "WH20261123-0001", "http://h/c/abcdefgh12",
                         "http://h/t/", "http://h/t/short", "http://h/t/ab cd efgh",
                         f"http://h/t/{token}/more"):
        assert ticket_token_from_scan(not_a_ticket) == "", not_a_ticket


def missed(url: str, clock, others: int = 4):
    """A SS-0101 ticket called at window 1 and marked no-show, then `others` tickets of
    the same pool waiting; (the passed ticket, the others' numbers)."""
    kiosk_client = HallClient(url, TOKENS["kiosk"])
    clerk = HallClient(url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    passed = kiosk_client.issue_ticket("SS-0101")
    assert clerk.call_next(1).ticket.number == passed.number
    clerk.mark_no_show(1)
    numbers = []
    for _ in range(others):
        clock.advance(seconds=30)
        numbers.append(kiosk_client.issue_ticket("SS-0101").number)
    return passed, numbers


def requeue_screen(driver):
    driver.touch("过号重新排队")
    assert driver.kiosk.screen.name == "requeue"
    assert driver.find_text("请将号票上的二维码对准扫码口")
    return driver


def answered(driver, part: str) -> str:
    return driver.wait_until(lambda: not driver.kiosk.body.disabled and driver.find_text(part),
                             what=part)


def targets_at_least_15_mm(driver) -> None:
    style = driver.kiosk.style
    smallest = target_pixels(driver.kiosk.config.min_target_mm, style.dpi)
    driver.pump(3)
    buttons = driver.buttons()
    too_small = [(b.text, round(b.width), round(b.height)) for b in buttons
                 if b.width < smallest - 0.5 or b.height < smallest - 0.5]
    assert not too_small
    assert {"返回", "首页"} <= {b.text for b in buttons}
    assert not [b.text for b in buttons if b.y < -1 or b.top > driver.kiosk.root.top + 1]


def test_a_missed_number_goes_back_in_line_once(hall_server, make_kiosk, settings, clock):
    assert settings.rules.requeue_after == 3
    passed, others = missed(hall_server.url, clock)
    driver = requeue_screen(opened(make_kiosk(hall_server.url, clock=clock)))
    driver.scan(passed.phone_url)
    answered(driver, "您已重新排队")
    assert [w.text for w in driver.widgets() if getattr(w, "is_ticket_number", False)] == \
        [passed.number]
    assert driver.find_text("前面还有 3 人"), str(driver.texts())
    assert driver.find_text("预计等待约") or driver.find_text("窗口开始叫号后估算")
    targets_at_least_15_mm(driver)
    driver.screenshot(driver.shots / "requeue-back.png")
    status = manager(hall_server.url).ticket(passed.number)
    assert status.ticket.state == "waiting" and status.people_ahead == 3
    assert [h.action for h in status.history].count("requeued") == 1
    # the clerk calls the three ahead of it, then it
    clerk = HallClient(hall_server.url, clerk_token(1))
    called = []
    for turn in range(4):
        called.append(clerk.call_next(1).ticket.number)
        if turn < 3:
            clerk.start_service(1)
            clerk.finish_service(1)
    assert called == others[:3] + [passed.number]
    clerk.mark_no_show(1)
    # a second time: refused, in Chinese, with the way to a person
    driver.scan(passed.phone_url)
    answered(driver, "已重新排队过一次")
    assert driver.find_text(f"{passed.number} 号已重新排队过一次，请到服务台咨询。")
    assert not driver.find_text("您已重新排队")
    assert driver.button("呼叫帮办")
    targets_at_least_15_mm(driver)
    driver.screenshot(driver.shots / "requeue-once.png")
    assert manager(hall_server.url).ticket(passed.number).ticket.state == "no_show"
    driver.touch("呼叫帮办")
    assert driver.kiosk.screen.name == "help"


def test_people_ahead_right_after_the_requeue(hall_server, make_kiosk, clock):
    passed, _others = missed(hall_server.url, clock)
    driver = requeue_screen(opened(make_kiosk(hall_server.url, clock=clock)))
    driver.scan(passed.phone_url)               # the same second as the last forecast
    answered(driver, "您已重新排队")
    assert driver.find_text("前面还有 3 人"), str(driver.texts())


def test_a_waiting_number_is_still_valid(hall_server, make_kiosk, clock):
    kiosk_client = HallClient(hall_server.url, TOKENS["kiosk"])
    first = kiosk_client.issue_ticket("SS-0101")
    waiting = kiosk_client.issue_ticket("SS-0101")
    driver = requeue_screen(opened(make_kiosk(hall_server.url, clock=clock)))
    driver.scan(waiting.phone_url)
    answered(driver, "仍有效")
    assert driver.find_text(f"您的号码 {waiting.number} 仍有效，请留意叫号。")
    assert driver.find_text("前面还有 1 人")
    assert manager(hall_server.url).ticket(waiting.number).ticket.state == "waiting"
    driver.screenshot(driver.shots / "requeue-still-valid.png")
    assert first.number != waiting.number


def test_a_finished_number_is_told_to_take_a_new_one(hall_server, make_kiosk, clock):
    done = HallClient(hall_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    clerk = HallClient(hall_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    clerk.call_next(1)
    clerk.start_service(1)
    clerk.finish_service(1)
    driver = requeue_screen(opened(make_kiosk(hall_server.url, clock=clock)))
    driver.scan(done.phone_url)
    answered(driver, "已办结或已取消")
    driver.touch("取号")
    assert driver.kiosk.screen.name == "categories"


def test_what_is_no_ticket_says_so_plainly(hall_server, make_kiosk, settings, clock):
    driver = requeue_screen(opened(make_kiosk(hall_server.url, clock=clock)))
    driver.scan("WH20261123-0001")                          # an acceptance slip, say
    assert driver.find_text("这不是号票上的二维码，请扫描号票上印的二维码。")
    assert driver.kiosk.screen.name == "requeue"
    driver.screenshot(driver.shots / "requeue-not-a-ticket.png")
    public = settings.server.public_url.rstrip("/")
    driver.scan(f"{public}/t/NotATicketOfThisHall0")        # a ticket's link, unknown
    answered(driver, "这张号票不是本大厅今天的号票，请重新取号。")
    assert not driver.find_text("这不是号票上的二维码")
    assert driver.button("取号")
    assert manager(hall_server.url).tickets() == []


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-print"])
def test_english_and_large_print(hall_server, make_kiosk, clock, large):
    passed, _others = missed(hall_server.url, clock, others=1)
    driver = opened(make_kiosk(hall_server.url, clock=clock))
    driver.touch("English")
    if large:
        driver.touch("Large print")
        driver.touch("More services")
    driver.touch("Missed call: back in line")
    assert driver.kiosk.screen.name == "requeue"
    targets_at_least_15_mm_en = driver.kiosk.style.mm(driver.kiosk.config.min_target_mm)
    driver.scan(passed.phone_url)
    answered(driver, "You are back in line")
    assert driver.find_text("1 people ahead of you")
    assert min(min(b.width, b.height) for b in driver.buttons()) >= \
        targets_at_least_15_mm_en - 0.5
    driver.screenshot(driver.shots / f"requeue-en-{'large' if large else 'normal'}.png")
    driver.scan(passed.phone_url)
    answered(driver, f"Your number {passed.number} is still valid. Please watch for your call.")


def test_home_again_after_the_idle_time(hall_server, make_kiosk, settings, fake_time):
    driver = opened(make_kiosk(hall_server.url, now=fake_time))
    driver.touch("大字版")
    driver.touch("更多服务")
    driver.touch("过号重新排队")
    assert driver.kiosk.screen.name == "requeue"
    driver.scan("garbage")
    fake_time.seconds += settings.kiosk.large_print_idle_seconds + 1
    driver.kiosk.check_idle()
    assert driver.kiosk.screen.name == "home" and not driver.kiosk.large_print
