"""The Kivy caller offscreen against the real server: the log-in and its refusals in
Chinese, every action through its button and its shortcut, the recall cooldown, a
transfer with a note (refused without), pause and resume, 过号, a chosen number;
screenshots of the log-in, the compact bar and the full view (SCREENSHOTS)."""
from __future__ import annotations

from core.messages.refusals import explain
from server.client import HallClient
from tests.caller.conftest import logged_in
from tests.conftest import SCREENSHOTS, TOKENS
from tests.server.people_support import PASSWORD


def issue(url: str, *subjects: str) -> list[str]:
    kiosk = HallClient(url, TOKENS["kiosk"])
    return [kiosk.issue_ticket(subject).number for subject in subjects]


def ticket_of(url: str, number: str):
    return HallClient(url, TOKENS["manager"]).ticket(number)


def test_log_in_refusals_are_chinese_and_the_window_opens(hall, make_caller):
    driver = make_caller(hall.url, 1, clock=hall.clock)
    assert driver.find_text("1号窗口 · 请登录") and driver.find_text("登录")
    driver.screenshot(SCREENSHOTS / "caller-log-in.png")
    driver.log_in("zhang", "not-the-password")
    assert driver.caller.mode == "log_in"
    assert driver.find_text(explain("wrong_password"))
    driver.click("language")
    assert driver.find_text("please log in") and driver.has_button("log_in")
    driver.click("language")
    logged_in(driver)
    assert driver.caller.window.status == "open" and driver.caller.window.clerk == "zhang"
    assert driver.find_text("张三") and driver.find_text("服务中")


def test_every_action_by_button_and_key(hall, make_caller):
    first, second, third, fourth = issue(hall.url, "SS-0102", "SS-0102", "SS-0102",
                                         "SS-0102")
    driver = logged_in(make_caller(hall.url, 1, clock=hall.clock))
    caller = driver.caller
    driver.wait_until(lambda: len(caller.waiting.tickets) == 4, what="four waiting")
    assert driver.find_text("本窗口等候：4 人") and driver.find_text("最长等候")
    driver.screenshot(SCREENSHOTS / "caller-full-waiting.png")
    # call next (button), and the recall cooldown: disabled, the key says how long
    driver.click("call_next")
    driver.settle()
    assert caller.ticket.number == first and caller.ticket.state == "called"
    assert driver.button("recall").disabled and "重呼 1" in driver.button("recall").text
    driver.key("F2")
    assert "秒后可重呼" in caller.message and ticket_of(hall.url, first).ticket.recalls == 0
    hall.clock.advance(seconds=16)
    driver.wait_until(lambda: not driver.button("recall").disabled, what="the cooldown's end")
    driver.key("F2")
    driver.settle()
    assert caller.ticket.recalls == 1 and "已呼 2 次" in driver.button("recall").text
    # start (key), park (key), resume the parked number (key), finish (button)
    driver.key("F3")
    driver.settle()
    assert caller.ticket.state == "serving"
    driver.key("F7")
    driver.settle()
    assert caller.ticket is None and caller.window.parked == (first,)
    driver.wait_until(lambda: driver.find_text("已挂起：A001"), what="the parked number")
    driver.key("F8")
    driver.settle()
    assert caller.ticket.number == first and caller.ticket.state == "serving"
    driver.click("finish")
    driver.settle()
    assert caller.ticket is None and ticket_of(hall.url, first).ticket.state == "finished"
    # no-show (key), then 过号: put back in line (panel, Enter)
    driver.key("F1")
    driver.settle()
    assert caller.ticket.number == second
    driver.click("no_show")
    driver.settle()
    assert ticket_of(hall.url, second).ticket.state == "no_show"
    driver.key("F12")
    assert driver.caller.panel.number.text == second            # the last no-show, filled in
    driver.key("Enter")
    driver.settle()
    assert ticket_of(hall.url, second).ticket.state == "waiting"
    assert caller.message == f"{second} 号已重新排队。"
    # pause with a reason (panel), and resume with the same key
    driver.key("F9")
    driver.click("choose:lunch")
    driver.settle()
    assert caller.window.status == "paused" and caller.window.pause_reason == "lunch"
    assert driver.find_text("暂停服务：午休") and driver.button("call_next").disabled
    assert driver.find_text("恢复服务")
    driver.click("pause")
    driver.settle()
    assert caller.window.status == "open"
    # call a chosen number from the waiting list (F10)
    driver.wait_until(lambda: fourth in [t.number for t in caller.waiting.tickets])
    driver.key("F10")
    driver.click(f"choose:{fourth}")
    driver.settle()
    assert caller.ticket.number == fourth
    # the compact bar (Tab) and back
    driver.key("Tab")
    assert caller.compact and tuple(driver.window.size) == (1320, 120)
    assert driver.find_text(fourth) and driver.has_button("call_next")
    driver.screenshot(SCREENSHOTS / "caller-compact.png")
    driver.click("toggle")
    assert not caller.compact and driver.has_button("requeue")
    del third


def test_a_transfer_needs_a_note_and_the_next_window_reads_it(hall, make_caller):
    (number,) = issue(hall.url, "SS-0102")
    li = HallClient(hall.url)
    li.log_in_person("li", PASSWORD)
    li.log_in(2)
    li.open_window(2)                                    # only an open window takes one
    driver = logged_in(make_caller(hall.url, 1, clock=hall.clock))
    driver.wait_until(lambda: any(w.number == 2 and w.status == "open"
                                  for w in driver.caller.windows))
    driver.key("F1")
    driver.settle()
    driver.key("F6")
    driver.click("choose:('window', 2)")
    driver.key("Enter")                                  # no note: refused on the spot
    assert driver.caller.message == "转办须填写说明，供下一窗口查看。"
    assert driver.caller.ticket.number == number and driver.caller.asking is None
    driver.type_into(driver.caller.panel.note, "需补充法人身份证复印件")
    driver.click("confirm")
    driver.settle()
    assert driver.caller.ticket is None, driver.caller.message
    status = ticket_of(hall.url, number)
    assert status.ticket.pinned_window == 2 and status.ticket.state == "waiting"
    assert status.history[-1].note == "需补充法人身份证复印件"
    driver.click("log_out")
    driver.settle()
    driver.close()
    other = logged_in(make_caller(hall.url, 2, clock=hall.clock), "li")
    other.key("F1")
    other.settle()
    assert other.caller.ticket.number == number
    assert other.wait_until(lambda: other.find_text("转办说明：需补充法人身份证复印件"))
    other.screenshot(SCREENSHOTS / "caller-full-transferred.png")


def test_a_window_read_begun_before_an_action_s_answer_does_not_undo_it(hall, make_caller):
    """The caller re-reads its window every 2 s in the background; a read that began
    before "call next" was answered (it saw no ticket) must not blank the ticket."""
    HallClient(hall.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    driver = logged_in(make_caller(hall.url, 1, clock=hall.clock))
    caller, client = driver.caller, driver.caller.client
    before = caller._answers
    windows = client.windows()                 # what a read begun now sees: no ticket
    stale = (next(w for w in windows if w.number == 1), None,
             client.tickets(state="waiting"), tuple(windows))
    driver.key("F1")
    driver.settle()
    number = caller.ticket.number
    caller._refreshed("answer", stale, answers=before)     # the slow read comes back
    driver.pump(2)
    assert caller.ticket is not None and caller.ticket.number == number
    assert driver.find_text(number)


def test_a_clerk_waiting_for_the_next_citizen_gets_them_without_pressing_again(hall,
                                                                                make_caller):
    """待叫: F1 with nobody waiting; the screen says the next citizen comes by itself, and
    the number a kiosk issues then appears here, called, without another press."""
    driver = logged_in(make_caller(hall.url, 1, clock=hall.clock))
    caller = driver.caller
    driver.key("F1")
    driver.settle()
    driver.wait_until(lambda: driver.find_text("待叫中：有人取号即自动呼叫到本窗口。"),
                      what="the waiting hint")
    driver.screenshot(SCREENSHOTS / "caller-ready.png")
    [number] = issue(hall.url, "SS-0101")
    driver.wait_until(lambda: caller.ticket is not None and caller.ticket.number == number,
                      what="the number called here by itself")
    assert caller.ticket.state == "called" and caller.window.ready is None
    assert ticket_of(hall.url, number).ticket.window == 1
