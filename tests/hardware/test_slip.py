"""受理通知书: the acceptance slip printed with the kiosk's printer code (image and GB18030
modes) through the shipped fake printer, decoded back to paper, its QR read back."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from pyzbar.pyzbar import decode as read_qr_codes

from core.printing import SlipPrint, slip_lines
from hardware.escpos_image import decode
from hardware.ports import reset_fakes
from hardware.printer import open_printer
from tests.conftest import SCREENSHOTS

URL = "http://192.168.1.10:8750/c/Xq3Cw1YlU0bq3hC8xVJp0A"
SLIP = SlipPrint(
    hall_name="西安市碑林区政务服务中心", case_number="WH20261123-0001",
    subject_name="公司变更登记",
    received=("营业执照正本及副本", "《公司变更登记申请书》（原件 1 份）",
              "法定代表人身份证（复印件 1 份）"),
    missing=("公司章程修正案（原件 1 份）",), supply_by="2026-11-25", due_date="2026-11-26",
    time_limit_days=3, page_url=URL, accepted_at=datetime(2026, 11, 23, 10, 12),
    window_name="3号窗口", clerk_name="王小明")


@pytest.fixture(autouse=True)
def fresh_fakes() -> Iterator[None]:
    reset_fakes()
    yield
    reset_fakes()


def qr_contents(image) -> list[str]:
    return [code.data.decode() for code in read_qr_codes(image.convert("L"))]


def test_the_slip_says_everything_in_order():
    texts = [line.text for line in slip_lines(SLIP, 48) if line.kind == "text"]
    joined = "\n".join(texts)
    order = ["受理通知书", "WH20261123-0001", "公司变更登记", "承诺办结：2026-11-26（3个工作日）",
             "已收材料：", "营业执照正本及副本", "容缺受理，请于 2026-11-25 前补齐：",
             "公司章程修正案", "受理时间：2026-11-23 10:12", "受理窗口：3号窗口", "受理人：王小明"]
    positions = [joined.index(part) for part in order]
    assert positions == sorted(positions)
    assert [line.qr for line in slip_lines(SLIP, 48) if line.kind == "qr"] == [URL]


def test_an_english_slip():
    texts = [line.text for line in slip_lines(SlipPrint(**{**SLIP.__dict__, "language": "en"}))]
    assert "Acceptance notice" in texts and any("2026-11-26 (3 working days)" in t
                                                 for t in texts)


def test_an_image_slip_decodes_to_paper_whose_qr_is_the_case_page():
    printer = open_printer("fake://window-3-printer", mode="image", columns=48)
    sent = printer.print_lines(slip_lines(SLIP, 48))
    printed = decode(sent, columns=48)
    assert printed.image.width == 576 and printed.cuts == 1
    assert qr_contents(printed.image) == [URL]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    printed.image.save(SCREENSHOTS / "printed-acceptance-slip.png")


def test_a_58mm_gb18030_slip_reads_back_its_lines_and_its_qr():
    printer = open_printer("fake://window-3-printer", mode="gb18030", columns=32)
    sent = printer.print_lines(slip_lines(SLIP, 32))
    assert "受理通知书".encode("gb18030") in sent
    printed = decode(sent, columns=32)
    expected = [line.text for line in slip_lines(SLIP, 32) if line.kind == "text" and line.text]
    assert [t for t in printed.text if t and set(t) != {"-"}] == expected
    assert printed.qr_codes == [URL] and qr_contents(printed.image) == [URL]
    printed.image.save(SCREENSHOTS / "printed-acceptance-slip-58mm.png")
