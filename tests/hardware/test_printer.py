"""hardware.printer: real ESC/POS bytes decoded back into paper and read with a real QR
decoder; the printer's status through a pty, a TCP socket and the shipped fake."""
from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from pyzbar.pyzbar import decode as read_qr_codes

from core.printing import ReceiptPrint, TicketPrint, ticket_lines
from hardware.escpos_image import decode
from hardware.ports import reset_fakes
from hardware.printer import (
    STATUS_QUERY,
    FakePrinter,
    PrinterFault,
    PrinterStatus,
    fake_printer,
    open_printer,
    read_status,
    status_answer,
)
from tests.conftest import SCREENSHOTS

IMAGES = SCREENSHOTS
URL = "http://192.168.1.10:8000/p/A001?key=9c41f0"
TICKET = TicketPrint(
    hall_name="西安市碑林区政务服务中心", number="A001", subject_name="户籍证明（个人）",
    people_ahead=3, eta_minutes=14.2, issued_at=datetime(2026, 11, 23, 9, 15),
    phone_url=URL, priority_label="老年人优先",
    materials=("居民身份证原件及复印件一份（正反面复印在同一页A4纸上）", "户口簿原件",
               "《户籍证明申请表》（现场填写）"))
RECEIPT = ReceiptPrint(
    hall_name="西安市碑林区政务服务中心", title="自助办理回执", case_number="ZZ20261123-0012",
    subject_name="个体工商户营业执照注销登记", submitted_at=datetime(2026, 11, 23, 10, 2),
    qr_data="http://192.168.1.10:8000/case/ZZ20261123-0012",
    lines=("申请人：王** 6101**********0428", "承诺办结：2026-11-27（3个工作日）"))


@pytest.fixture(autouse=True)
def fresh_fakes() -> Iterator[None]:
    reset_fakes()
    yield
    reset_fakes()


def qr_contents(image) -> list[str]:
    return [code.data.decode() for code in read_qr_codes(image.convert("L"))]


# ------------------------------------------------------------------ image mode

def test_an_image_ticket_decodes_to_paper_whose_qr_reads_the_phone_url():
    printer = open_printer("fake://printer", mode="image", columns=48)
    sent = printer.print_ticket(TICKET)
    assert sent == printer.fake.written
    assert sent.startswith(b"\x1b@\x1dv0")            # initialise, then a raster image
    printed = decode(sent, columns=48)
    assert printed.image.width == 576 and printed.cuts == 1
    assert printed.text == [] and printed.qr_codes == []   # nothing but the picture
    assert qr_contents(printed.image) == [URL]
    IMAGES.mkdir(parents=True, exist_ok=True)
    printed.image.save(IMAGES / "printed-ticket.png")


def test_a_58mm_image_ticket_is_384_dots_wide_and_still_reads():
    sent = open_printer("fake://printer", columns=32).print_ticket(TICKET)
    printed = decode(sent, columns=32)
    assert printed.image.width == 384
    assert qr_contents(printed.image) == [URL]


def test_an_image_receipt_reads_its_case_qr():
    sent = open_printer("fake://printer").print_receipt(RECEIPT)
    printed = decode(sent)
    assert qr_contents(printed.image) == [RECEIPT.qr_data]
    printed.image.save(IMAGES / "printed-receipt.png")


# ------------------------------------------------------------------ GB18030 mode

def test_gb18030_text_decodes_to_the_ticket_lines_and_the_printer_draws_the_qr():
    printer = open_printer("fake://printer", mode="gb18030", columns=48)
    sent = printer.print_ticket(TICKET)
    assert "前面还有 3 人".encode("gb18030") in sent
    assert "前面还有 3 人".encode("utf-8") not in sent
    printed = decode(sent)
    expected = [line.text if line.kind == "text" else "-" * 48
                for line in ticket_lines(TICKET, 48) if line.kind != "qr"]
    assert [text for text in printed.text if text] == [text for text in expected if text]
    assert printed.qr_codes == [URL]
    assert b"\x1d(k" in sent and URL.encode() in sent   # GS ( k: the printer's own QR
    assert qr_contents(printed.image) == [URL]
    printed.image.save(IMAGES / "printed-ticket-gb18030.png")


def test_gb18030_sizes_the_number_four_times_and_the_people_ahead_twice():
    sent = open_printer("fake://printer", mode="gb18030").print_ticket(TICKET)
    assert b"\x1d!\x33\x1bE\x01\x1ba\x01A001\n" in sent       # GS ! 4x4, bold, centred
    assert b"\x1d!\x11" + b"\x1bE\x01\x1ba\x01" + "前面还有 3 人".encode("gb18030") in sent


# ------------------------------------------------------------------ status, pure

@pytest.mark.parametrize("code", ["ok", "paper_low", "paper_out", "cover_open"])
def test_each_answer_reads_back_as_its_status(code):
    status = read_status(status_answer(code))
    assert status.code == code
    assert status.ok == (code in ("ok", "paper_low"))


def test_real_printer_answers_read_as_expected():
    # bytes as an Epson-style printer sends them (fixed bits 0x12 in each)
    assert read_status(b"\x16\x12\x12") == PrinterStatus(True, "ok")
    assert read_status(b"\x1e\x16\x12").code == "cover_open"     # offline, cover open
    assert read_status(b"\x1e\x32\x72").code == "paper_out"      # stopped, roll end
    assert read_status(b"\x16\x12\x1e").code == "paper_low"
    assert read_status(b"\x1e\x52\x12").code == "offline"        # an error
    assert read_status(b"\x16").code == "offline"                # half an answer
    assert read_status(b"ABC") .code == "unknown"                # not a status at all


# ------------------------------------------------------------------ the fake's states

@pytest.mark.parametrize("state", ["paper_out", "cover_open", "offline"])
def test_the_fake_printer_refuses_in_each_fault_state_and_prints_nothing(state):
    printer = open_printer(f"fake://printer?state={state}", status_timeout=0.1)
    assert printer.status() == PrinterStatus(False, state, printer.status().detail)
    with pytest.raises(PrinterFault) as fault:
        printer.print_ticket(TICKET)
    assert fault.value.code == state
    assert fake_printer().written == b""


def test_the_fake_printers_state_changes_at_run_time():
    printer = open_printer("fake://kiosk-1/printer", status_timeout=0.1)
    device = fake_printer("kiosk-1/printer")
    assert printer.fake is device and isinstance(device, FakePrinter)
    assert printer.status().code == "ok"
    device.set_state("paper_low")
    assert printer.status() == PrinterStatus(True, "paper_low", "the paper roll is near its end")
    assert printer.print_ticket(TICKET) == device.written         # low paper still prints
    device.set_state("paper_out")
    with pytest.raises(PrinterFault, match="paper_out"):
        printer.print_ticket(TICKET)
    device.set_state("ok")
    device.clear()
    assert printer.print_ticket(TICKET) == device.written
    with pytest.raises(ValueError):
        device.set_state("on_fire")


def test_a_pulled_cable_is_offline_and_a_replaced_one_prints_again():
    printer = open_printer("fake://printer")
    assert printer.status().code == "ok"
    fake_printer().unplug()
    assert printer.status().code == "offline"
    with pytest.raises(PrinterFault) as fault:
        printer.print_receipt(RECEIPT)
    assert fault.value.code == "offline"
    fake_printer().plug_in()
    assert printer.print_receipt(RECEIPT) == fake_printer().written


# ------------------------------------------------------------------ file, usb, bad config

def test_a_file_printer_has_no_status_and_gets_the_job(tmp_path):
    path = tmp_path / "spool" / "kiosk-1.bin"
    printer = open_printer(f"file://{path}", mode="gb18030")
    assert printer.status() == PrinterStatus(True, "unknown", printer.status().detail)
    sent = printer.print_ticket(TICKET)
    printer.close()
    assert path.read_bytes() == sent


def test_a_usb_printer_without_its_device_is_offline_not_a_crash():
    printer = open_printer("usb://04b8:0202")
    assert printer.status().code == "unknown"
    with pytest.raises(PrinterFault) as fault:
        printer.print_ticket(TICKET)
    assert fault.value.code == "offline"


@pytest.mark.parametrize(("url", "mode", "columns"), [
    ("usb://epson", "image", 48), ("lpt://1", "image", 48), ("fake://printer", "pdf", 48),
    ("fake://printer", "image", 40), ("fake://printer?state=melted", "image", 48)])
def test_bad_configuration_is_a_value_error(url, mode, columns):
    with pytest.raises(ValueError):
        open_printer(url, mode=mode, columns=columns)


def test_the_decoder_refuses_bytes_it_does_not_understand():
    with pytest.raises(ValueError, match="unknown command"):
        decode(b"\x1b@\x1b\x99")


# ------------------------------------------------------------------ tcp (a network printer)

class NetworkPrinter:
    """A printer on a loopback TCP port: answers status queries, keeps everything else."""

    def __init__(self, state: str = "ok") -> None:
        self.state, self.received = state, bytearray()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            while data := connection.recv(65536):
                if data == STATUS_QUERY:
                    connection.sendall(status_answer(self.state))
                else:
                    self.received += data
        self.done.set()


def test_a_network_printer_gets_the_job_over_tcp():
    device = NetworkPrinter()
    printer = open_printer(f"tcp://127.0.0.1:{device.port}")
    assert printer.status().code == "ok"
    sent = printer.print_ticket(TICKET)
    printer.close()
    assert device.done.wait(5)
    assert bytes(device.received) == sent
    assert qr_contents(decode(sent).image) == [URL]


def test_a_network_printer_out_of_paper_gets_nothing():
    device = NetworkPrinter("paper_out")
    printer = open_printer(f"tcp://127.0.0.1:{device.port}")
    with pytest.raises(PrinterFault, match="paper_out"):
        printer.print_ticket(TICKET)
    printer.close()
    assert device.done.wait(5)
    assert device.received == b""


def test_a_refused_connection_is_offline():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]            # closed again: nothing listens there
    printer = open_printer(f"tcp://127.0.0.1:{port}")
    assert printer.status().code == "offline"
    with pytest.raises(PrinterFault) as fault:
        printer.print_ticket(TICKET)
    assert fault.value.code == "offline"
    assert "refused" in fault.value.message.lower()


# ------------------------------------------------------------------ serial (a pty)

class PtyPrinter:
    """A serial printer on the master side of a pty."""

    def __init__(self, state: str, stray: bytes = b"") -> None:
        self.state, self.received, self.queries = state, bytearray(), 0
        self.stray = stray        # sent after the first answer, as a late second answer
        self.master, self.slave = os.openpty()
        self.url = f"serial://{os.ttyname(self.slave)}?baudrate=115200"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pending = bytearray()
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            pending += os.read(self.master, 65536)
            while STATUS_QUERY in pending:
                before, _, pending = bytes(pending).partition(STATUS_QUERY)
                pending = bytearray(pending)
                self.received += before
                self.queries += 1
                os.write(self.master, status_answer(self.state)
                         + (self.stray if self.queries == 1 else b""))
            keep = next((size for size in range(len(STATUS_QUERY) - 1, 0, -1)
                         if pending.endswith(STATUS_QUERY[:size])), 0)   # a query's start
            self.received += pending[:len(pending) - keep]
            del pending[:len(pending) - keep]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(1)
        for fd in (self.master, self.slave):
            os.close(fd)


@pytest.fixture
def pty_printer(request) -> Iterator[PtyPrinter]:
    device = PtyPrinter(request.param)
    yield device
    device.close()


@pytest.mark.parametrize("pty_printer", ["paper_out"], indirect=True)
def test_a_serial_printer_out_of_paper_raises_paper_out_and_gets_no_job(pty_printer):
    printer = open_printer(pty_printer.url, mode="gb18030")
    with pytest.raises(PrinterFault) as fault:
        printer.print_ticket(TICKET)
    printer.close()
    assert fault.value.code == "paper_out"
    assert pty_printer.queries == 1 and pty_printer.received == b""


@pytest.mark.parametrize("pty_printer", ["ok"], indirect=True)
def test_a_serial_printer_that_is_ready_gets_the_job(pty_printer):
    printer = open_printer(pty_printer.url, mode="gb18030")
    sent = printer.print_ticket(TICKET)
    printer.close()
    deadline = time.monotonic() + 5       # the device thread drains what is in the pty
    while len(pty_printer.received) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pty_printer.queries == 1
    assert bytes(pty_printer.received) == sent


def test_a_serial_printer_that_says_nothing_is_offline():
    master, slave = os.openpty()           # nobody reads the master: a switched-off printer
    try:
        printer = open_printer(f"serial://{os.ttyname(slave)}", status_timeout=0.2)
        assert printer.status().code == "offline"
        printer.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_fake_name_holding_another_kind_of_fake_is_refused():
    from hardware.ports import fake
    fake("printer")                        # a plain FakeDevice took the name first
    with pytest.raises(TypeError, match="not a FakePrinter"):
        open_printer("fake://printer")


def test_a_late_answer_left_in_the_line_is_not_read_as_the_next_one():
    # Image data can hold the bytes of DLE EOT n, which a printer answers like a query.
    device = PtyPrinter("ok", stray=b"\x12")
    try:
        printer = open_printer(device.url, status_timeout=1)
        assert printer.status().code == "ok"
        device.state = "paper_out"
        assert printer.status().code == "paper_out"
        printer.close()
    finally:
        device.close()
