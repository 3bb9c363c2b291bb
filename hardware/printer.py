"""The ticket printer: ESC/POS through python-escpos, opened from a device URL.

    printer = open_printer("serial:///dev/ttyUSB0?baudrate=115200", mode="image", columns=48)
    printer.status()                    # -> PrinterStatus(ok=True, code="ok")
    sent = printer.print_ticket(ticket) # -> the bytes sent; or PrinterFault(code, message)

URLs: `serial://`, `tcp://host:9100` and `file://` go through `hardware.ports`;
`usb://VVVV:PPPP` through python-escpos's `Usb` (it needs pyusb); `fake://NAME` is the
shipped `FakePrinter`, whose state (`?state=paper_out`, or `set_state()` at run time)
a demo or a test chooses. The job's bytes are built by `hardware.ticket_render`.

Status is the printer's own real-time answer to `DLE EOT 1`, `DLE EOT 2` and `DLE EOT 4`
(printer, offline cause, paper roll sensor) where the transport can read (serial, tcp,
fake); `unknown` where it cannot (file, usb). A printer that does not answer within
`status_timeout` is `offline`. Printing checks the status first and raises
`PrinterFault` rather than sending a ticket into a printer that cannot print it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from core.printing import PrintLine, ReceiptPrint, TicketPrint, receipt_lines, ticket_lines
from hardware.fakes import FakeDevice
from hardware.ports import Port, PortError, fake, open_port, parse_port_url
from hardware.ticket_render import check_columns, check_mode, render_job

__all__ = [
    "STATUS_CODES", "STATUS_QUERY", "PrinterStatus", "PrinterFault", "TicketPrinter",
    "FakePrinter", "open_printer", "read_status", "status_answer", "fake_printer",
]

STATUS_CODES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")
PRINTABLE = frozenset({"ok", "paper_low", "unknown"})
# DLE EOT n, real-time status: n=1 printer, n=2 offline cause, n=4 paper roll sensor
STATUS_QUERY = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12      # bits 1 and 4 set, 0 and 7 clear, in every answer
_OFFLINE = 0x08                           # DLE EOT 1: the printer is offline
_COVER_OPEN, _PAPER_STOP, _ERROR = 0x04, 0x20, 0x40      # DLE EOT 2: why
_PAPER_NEAR_END, _PAPER_END = 0x0C, 0x60                # DLE EOT 4: the roll
_QUERYABLE = ("serial", "tcp", "fake", "loop")
_MESSAGES = {
    "paper_out": "the printer is out of paper",
    "cover_open": "the printer's cover is open",
    "offline": "the printer does not answer",
}


@dataclass(frozen=True)
class PrinterStatus:
    ok: bool            # a ticket can be printed now
    code: str           # one of STATUS_CODES
    detail: str = ""    # for the log: what the printer said, or why it said nothing


class PrinterFault(Exception):
    """The printer cannot print: `code` is paper_out, cover_open or offline."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# ------------------------------------------------------------------ pure status

def read_status(answer: bytes) -> PrinterStatus:
    """The status the printer's answers to STATUS_QUERY (three bytes) say."""
    if len(answer) < 3:
        return PrinterStatus(False, "offline", f"{len(answer)} of 3 status bytes came")
    printer, cause, paper = answer[:3]
    if any(byte & _FIXED_MASK != _FIXED_BITS for byte in (printer, cause, paper)):
        return PrinterStatus(True, "unknown", f"not a status answer: {answer[:3].hex()}")
    if cause & _COVER_OPEN:
        return PrinterStatus(False, "cover_open", _MESSAGES["cover_open"])
    if paper & _PAPER_END == _PAPER_END or cause & _PAPER_STOP:
        return PrinterStatus(False, "paper_out", _MESSAGES["paper_out"])
    if printer & _OFFLINE or cause & _ERROR:
        return PrinterStatus(False, "offline", f"the printer reports an error "
                             f"({answer[:3].hex()})")
    if paper & _PAPER_NEAR_END:
        return PrinterStatus(True, "paper_low", "the paper roll is near its end")
    return PrinterStatus(True, "ok")


def status_answer(code: str) -> bytes:
    """The three bytes a printer in state `code` answers to STATUS_QUERY (for fakes and
    tests); an offline printer answers nothing."""
    printer, cause, paper = _FIXED_BITS, _FIXED_BITS, _FIXED_BITS
    if code == "offline":
        return b""
    if code == "cover_open":
        printer, cause = printer | _OFFLINE, cause | _COVER_OPEN
    elif code == "paper_out":
        printer, cause, paper = printer | _OFFLINE, cause | _PAPER_STOP, paper | _PAPER_END
    elif code == "paper_low":
        paper |= _PAPER_NEAR_END
    elif code != "ok":
        raise ValueError(f"no printer answers with state {code!r}")
    return bytes((printer, cause, paper))


# ------------------------------------------------------------------ the fake

class FakePrinter(FakeDevice):
    """The far end of `fake://NAME` for a printer: records every job (in `written`) and
    answers the status query as a printer in `state` would; offline, it says nothing."""

    STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline")

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.state = "ok"
        self.status_queries = 0

    def set_state(self, state: str) -> None:
        if state not in self.STATES:
            raise ValueError(f"fake printer state {state!r}: expected one of {self.STATES}")
        self.state = state

    def record(self, data: bytes) -> int:
        if data == STATUS_QUERY:
            self._fail_if_unplugged()
            self.status_queries += 1
            self.feed(status_answer(self.state))
            return len(data)
        if self.state == "offline":      # switched off: the bytes go nowhere
            self._fail_if_unplugged()
            return len(data)
        return super().record(data)


def fake_printer(name: str = "printer") -> FakePrinter:
    """The fake printer called `name` (created on first use), to read what it printed or
    to change its state."""
    device = fake(name, FakePrinter)
    assert isinstance(device, FakePrinter)
    return device


# ------------------------------------------------------------------ transports

class _PortTransport:
    """serial://, tcp://, file://, fake:// through `hardware.ports`, opened when first
    needed and again after a failure (a printer switched back on, a cable put back)."""

    def __init__(self, url: str, scheme: str, status_timeout: float,
                 write_timeout: float | None) -> None:
        self.url, self.can_query = url, scheme in _QUERYABLE
        self._timeout, self._write_timeout = status_timeout, write_timeout
        self._port: Port | None = None

    def _opened(self) -> Port:
        if self._port is None:
            self._port = open_port(self.url, timeout=self._timeout,
                                   write_timeout=self._write_timeout)
        return self._port

    def write(self, data: bytes) -> None:
        try:
            self._opened().write(data)
        except PortError:
            self.close()
            raise

    def query(self, request: bytes, size: int) -> bytes:
        try:
            port = self._opened()
            port.discard_input()   # a printer also answers a DLE EOT met in image data
            port.write(request)
            answer = port.read(size)
        except PortError:
            self.close()
            raise
        if len(answer) < size:
            self.close()        # a late answer must not be read as the next one's
        return answer

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except PortError:
                pass


class _UsbTransport:
    """usb://VVVV:PPPP through python-escpos's Usb printer (needs pyusb); no status."""

    can_query = False

    def __init__(self, url: str, vendor: int, product: int, options: dict[str, str]) -> None:
        self.url, self._ids = url, (vendor, product)
        self._endpoints = {name: int(options[name], 0)
                           for name in ("in_ep", "out_ep") if name in options}
        self._printer: Any = None

    def write(self, data: bytes) -> None:
        from escpos.printer import Usb
        if not Usb.is_usable():
            raise PortError(self.url, "USB printing needs the pyusb package (pip install "
                            "pyusb) and libusb; or connect the printer by serial or tcp")
        try:
            if self._printer is None:
                self._printer = Usb(*self._ids, **self._endpoints)
                self._printer.open()
            self._printer._raw(data)
        except Exception as exc:   # pyusb's USBError, escpos's DeviceNotFoundError, no pyusb
            self.close()
            raise PortError(self.url, f"USB: {exc}") from exc

    def query(self, request: bytes, size: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except Exception:      # already gone with its cable
                pass


# ------------------------------------------------------------------ the printer

class TicketPrinter:
    """A ticket printer: its status, and tickets and receipts printed only when it can."""

    def __init__(self, url: str, transport: Any, mode: str, columns: int,
                 device: FakePrinter | None = None) -> None:
        self.url, self.mode, self.columns = url, mode, columns
        self._transport = transport
        self._lock = threading.Lock()
        self.fake = device          # the FakePrinter behind a fake:// URL, else None

    def __repr__(self) -> str:
        return f"<TicketPrinter {self.url} {self.mode} {self.columns} columns>"

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        if not self._transport.can_query:
            return PrinterStatus(True, "unknown", "this connection cannot read the status")
        for attempt in (1, 2):    # a stale connection (printer restarted) gets one retry
            try:
                return read_status(self._transport.query(STATUS_QUERY, 3))
            except PortError as exc:
                if attempt == 2:
                    return PrinterStatus(False, "offline", exc.reason)
        raise AssertionError("not reached")

    def print_ticket(self, t: TicketPrint) -> bytes:
        return self.print_lines(ticket_lines(t, self.columns))

    def print_receipt(self, r: ReceiptPrint) -> bytes:
        return self.print_lines(receipt_lines(r, self.columns))

    def print_lines(self, lines: list[PrintLine]) -> bytes:
        """Print `lines` and cut; returns the bytes sent. PrinterFault if it cannot."""
        job = render_job(lines, self.mode, self.columns)
        with self._lock:
            status = self._status()
            if not status.ok:
                raise PrinterFault(status.code, status.detail or _MESSAGES[status.code])
            try:
                self._transport.write(job)
            except PortError as exc:
                raise PrinterFault("offline", exc.reason) from exc
        return job

    def close(self) -> None:
        with self._lock:
            self._transport.close()

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_printer(url: str, mode: str = "image", columns: int = 48, *,
                 status_timeout: float = 0.5,
                 write_timeout: float | None = None) -> TicketPrinter:
    """The printer a device URL names; nothing is opened until the first status or print,
    so a printer switched off at start-up is `offline`, not a crash. A malformed URL, mode
    or column count is a ValueError. `write_timeout` bounds one job's write (default: none
    on a serial line, where an image at 9600 baud takes a minute; 10 s on tcp)."""
    check_mode(mode)
    check_columns(columns)
    if url.lower().startswith("usb://"):
        return TicketPrinter(url, _usb_transport(url), mode, columns)
    try:
        spec = parse_port_url(url)
    except PortError as exc:
        raise ValueError(str(exc)) from None
    if spec.scheme == "tcp" and write_timeout is None:
        write_timeout = 10.0
    transport = _PortTransport(url, spec.scheme, status_timeout, write_timeout)
    device = None
    if spec.scheme == "fake":
        device = fake_printer(spec.target)
        if "state" in spec.options:
            device.set_state(spec.options["state"])
    return TicketPrinter(url, transport, mode, columns, device)


def _usb_transport(url: str) -> _UsbTransport:
    target, _, query = url[len("usb://"):].partition("?")
    vendor, _, product = target.partition(":")
    try:
        ids = int(vendor, 16), int(product, 16)
        options = dict(pair.split("=", 1) for pair in query.split("&") if pair)
        for name in ("in_ep", "out_ep"):
            if name in options:
                int(options[name], 0)
    except ValueError:
        raise ValueError(f"{url}: expected usb://VENDOR:PRODUCT in hex, e.g. "
                         "'usb://04b8:0202', optionally ?in_ep=0x82&out_ep=0x01") from None
    return _UsbTransport(url, *ids, options)
