"""core.printing: what a ticket and a receipt say, in Chinese and English, wrapped to the
paper; every line fits its columns whatever the text."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.printing import (
    BIG,
    CENTER,
    DOUBLE,
    MAGNIFICATION,
    PrintLine,
    ReceiptPrint,
    TicketPrint,
    display_width,
    receipt_lines,
    ticket_lines,
    wrap,
)

ISSUED = datetime(2026, 11, 23, 9, 15)
URL = "http://hall.example/p/A001?key=3f9a"
TICKET = TicketPrint(
    hall_name="西安市碑林区政务服务中心", number="A001", subject_name="户籍证明（个人）",
    people_ahead=3, eta_minutes=14.2, issued_at=ISSUED, phone_url=URL,
    materials=("居民身份证原件及复印件一份（正反面复印在同一页A4纸上）", "户口簿原件"),
    priority_label="绿色通道")
RECEIPT = ReceiptPrint(
    hall_name="西安市碑林区政务服务中心", title="自助办理回执", case_number="ZZ20261123-0012",
    subject_name="个体工商户营业执照注销登记", submitted_at=ISSUED,
    qr_data="http://hall.example/case/ZZ20261123-0012", lines=("承诺办结：2026-11-27",))


def texts(lines: list[PrintLine]) -> list[str]:
    return [line.text for line in lines if line.kind == "text"]


def fits(lines: list[PrintLine], columns: int) -> bool:
    return all(display_width(line.text) * MAGNIFICATION[line.size] <= columns
               for line in lines)


def test_a_ticket_says_number_matter_people_ahead_wait_and_materials_in_chinese():
    lines = ticket_lines(TICKET)
    said = texts(lines)
    number = next(line for line in lines if line.text == "A001")
    assert (number.size, number.align, number.bold) == (BIG, CENTER, True)
    assert "您的排队号" in said
    assert PrintLine("户籍证明（个人）", DOUBLE, CENTER, True) in lines
    assert "【绿色通道】" in said
    assert PrintLine("前面还有 3 人", DOUBLE, CENTER, True) in lines
    assert "预计等候约 15 分钟" in said                 # 14.2 minutes, rounded up
    assert "所需材料（请提前备好）：" in said
    assert said.index("所需材料（请提前备好）：") < said.index("2. 户口簿原件")
    assert "取号时间：2026-11-23 09:15" in said
    assert [line.qr for line in lines if line.kind == "qr"] == [URL]
    assert fits(lines, 48)


def test_a_long_material_wraps_under_its_number():
    said = texts(ticket_lines(TICKET, columns=32))
    first = said.index("1. 居民身份证原件及复印件一份")
    assert said[first + 1] == "   （正反面复印在同一页A4纸上）"  # the bracket moves down
    assert fits(ticket_lines(TICKET, columns=32), 32)


def test_a_ticket_in_english():
    ticket = TicketPrint(**{**TICKET.__dict__, "language": "en", "eta_minutes": 125})
    said = texts(ticket_lines(ticket))
    assert "Your number" in said
    assert "3 people ahead of you" in said
    assert "Expected wait: about 2 h 5 min" in said
    assert "Issued: 2026-11-23 09:15" in said
    assert "[绿色通道]" in said                 # the label comes in the kiosk's language


@pytest.mark.parametrize(("ahead", "eta", "expected"), [
    (0, 0.0, ["前面没有人等候", "预计等候不到 1 分钟"]),
    (12, None, ["前面还有 12 人", "等候时间请留意叫号屏"]),
    (40, 100.0, ["前面还有 40 人", "预计等候约 1 小时 40 分钟"]),
])
def test_people_ahead_and_the_wait_are_said_plainly(ahead, eta, expected):
    ticket = TicketPrint(**{**TICKET.__dict__, "people_ahead": ahead, "eta_minutes": eta})
    said = texts(ticket_lines(ticket))
    assert all(text in said for text in expected), said


@pytest.mark.parametrize(("language", "eta", "low", "high", "expected"), [
    ("zh", 11.3, 7.6, 17.2, "预计等候约 12 分钟，7–18 分钟"),
    ("en", 11.3, 7.6, 17.2, "Expected wait: about 12 minutes, 7–18 minutes"),
    ("zh", 0.2, 0.0, 3.4, "预计等候不到 1 分钟，0–4 分钟"),
    ("zh", 100.0, 70.0, 150.0, "预计等候约 1 小时 40 分钟，70–150 分钟"),
])
def test_the_wait_line_gives_the_range_when_there_is_one(language, eta, low, high, expected):
    ticket = TicketPrint(**{**TICKET.__dict__, "language": language, "eta_minutes": eta,
                            "eta_low": low, "eta_high": high})
    lines = ticket_lines(ticket)
    assert expected in texts(lines), texts(lines)
    assert fits(lines, 48) and fits(ticket_lines(ticket, columns=32), 32)


def test_a_ticket_without_materials_has_no_materials_heading():
    ticket = TicketPrint(**{**TICKET.__dict__, "materials": (), "priority_label": ""})
    said = texts(ticket_lines(ticket))
    assert "所需材料（请提前备好）：" not in said
    assert not any("【" in text for text in said)


def test_a_receipt_says_the_case_number_and_its_qr():
    lines = receipt_lines(RECEIPT, columns=32)
    said = texts(lines)
    assert PrintLine("ZZ20261123-0012", DOUBLE, CENTER, True) in lines
    assert "办件编号" in said and "自助办理回执" in said
    assert "办理事项：个体工商户营业执照注销" in said      # wrapped, hanging under the value
    assert "          登记" in said
    assert "提交时间：2026-11-23 09:15" in said and "承诺办结：2026-11-27" in said
    assert [line.qr for line in lines if line.kind == "qr"] == [RECEIPT.qr_data]
    assert fits(lines, 32)
    english = texts(receipt_lines(ReceiptPrint(**{**RECEIPT.__dict__, "language": "en"})))
    assert "Case number" in english and "Submitted: 2026-11-23 09:15" in english


def test_too_narrow_paper_and_bad_lines_are_refused():
    with pytest.raises(ValueError):
        ticket_lines(TICKET, columns=16)
    with pytest.raises(ValueError):
        PrintLine("x", size="huge")
    with pytest.raises(ValueError):
        PrintLine("x", align="middle")


def test_widths_count_a_hanzi_as_two_columns():
    assert display_width("A001") == 4
    assert display_width("前面还有 3 人") == 13
    assert display_width("（）：") == 6


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation():
    lines = wrap("请携带身份证原件，户口簿原件，以及《申请表》（需签字）。", 12)
    assert all(line[0] not in "，。）》" and line[-1] not in "（《" for line in lines), lines


TEXT = st.text(alphabet=st.sampled_from(list("户籍证明材料，。（）《》 abcdefghij-0123456789")),
               max_size=120)


@given(text=TEXT, width=st.integers(min_value=8, max_value=48),
       indent=st.integers(min_value=0, max_value=4))
def test_wrapped_lines_fit_and_lose_nothing(text, width, indent):
    lines = wrap(text, width, indent)
    assert all(display_width(line) <= width for line in lines), lines
    assert all(line.startswith(" " * indent) for line in lines[1:])
    assert "".join(text.split()) == "".join("".join(lines).split())


@pytest.mark.parametrize(("language", "window", "expected"), [
    ("zh", "5号窗口", "已叫号，请直接到5号窗口办理"),
    ("en", "Window 5", "Called now: please go to Window 5"),
])
def test_a_ticket_called_as_it_was_issued_says_where_to_go_not_how_long(language, window,
                                                                       expected):
    """待叫: a window was waiting, so the number is called before it is printed."""
    ticket = TicketPrint(**{**TICKET.__dict__, "language": language, "called_to": window,
                            "people_ahead": 0, "eta_minutes": 0.0})
    lines = ticket_lines(ticket)
    said = "".join(texts(lines))
    assert expected.replace(" ", "") in said.replace(" ", "")
    assert "前面" not in said and "预计等候" not in said and "ahead" not in said
    assert fits(lines, 48) and fits(ticket_lines(ticket, columns=32), 32)
