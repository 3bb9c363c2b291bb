"""hardware.ports: device URLs, and real ports where a hall would have real ones."""
from __future__ import annotations

import os
import select
import socket
import termios
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hardware.ports import (
    FakePort,
    FilePort,
    PortError,
    SerialPort,
    fake,
    open_port,
    parse_port_url,
    reset_fakes,
    tcp_address,
)

ENQ, ACK = b"\x05", b"\x06"


@pytest.fixture(autouse=True)
def fresh_fakes() -> Iterator[None]:
    reset_fakes()
    yield
    reset_fakes()


# ------------------------------------------------------------ parsing, no I/O

def test_serial_url_gives_the_path_line_settings_and_device_options():
    spec = parse_port_url("serial:///dev/ttyUSB0?baudrate=19200&parity=even&stopbits=2"
                          "&bytesize=7&rtscts=yes&address=3")
    assert (spec.scheme, spec.target) == ("serial", "/dev/ttyUSB0")
    assert spec.line == {"baudrate": 19200, "parity": "E", "stopbits": 2, "bytesize": 7,
                         "rtscts": True}
    assert spec.options["address"] == "3"


def test_baud_is_an_alias_of_baudrate_as_in_the_configuration_docs():
    assert parse_port_url("serial:///dev/ttyUSB0?baud=9600&address=3").line == {
        "baudrate": 9600}


def test_stopbits_one_and_a_half():
    assert parse_port_url("serial:///dev/ttyS0?stopbits=1.5").line == {"stopbits": 1.5}


def test_file_target_is_everything_after_the_scheme():
    assert parse_port_url("file:///var/out.bin").target == "/var/out.bin"
    assert parse_port_url("file://var/tickets/kiosk-2").target == "var/tickets/kiosk-2"


def test_fake_and_loop_names():
    assert parse_port_url("fake://printer/kiosk-1").target == "printer/kiosk-1"
    spec = parse_port_url("loop://rs485-led?address=1")
    assert (spec.target, spec.options, spec.line) == ("rs485-led", {"address": "1"}, {})
    assert parse_port_url("loop://").target == ""


def test_tcp_address():
    assert tcp_address(parse_port_url("tcp://192.168.1.50:9100")) == ("192.168.1.50", 9100)
    assert tcp_address(parse_port_url("tcp://[::1]:9100")) == ("::1", 9100)


@pytest.mark.parametrize("url, reason", [
    ("usb://printer", "unknown scheme 'usb' (supported: serial, loop, tcp, file, fake)"),
    ("/dev/ttyUSB0", "not a device URL"),
    ("serial://", "serial:// needs a path"),
    ("file://", "file:// needs a path"),
    ("fake://", "fake:// needs a name"),
    ("tcp://192.168.1.50", "tcp:// needs host:port"),
    ("tcp://192.168.1.50:printer", "bad TCP port"),
    ("tcp://192.168.1.50:70000", "bad TCP port"),
    ("tcp://192.168.1.50:9100/x", "tcp:// needs host:port"),
    ("serial:///dev/ttyUSB0?baudrate=fast", "bad option baudrate='fast'"),
    ("serial:///dev/ttyUSB0?baudrate=0", "bad option baudrate='0'"),
    ("serial:///dev/ttyUSB0?baudrate=", "bad option baudrate=''"),
    ("serial:///dev/ttyUSB0?parity=Q", "bad option parity='Q'"),
    ("serial:///dev/ttyUSB0?bytesize=9", "bad option bytesize='9'"),
    ("serial:///dev/ttyUSB0?stopbits=3", "bad option stopbits='3'"),
    ("serial:///dev/ttyUSB0?rtscts=maybe", "bad option rtscts='maybe'"),
    ("serial:///dev/ttyUSB0?baudrate", "malformed options 'baudrate'"),
    ("serial:///dev/ttyUSB0?baud=9600&baudrate=9600", "give baudrate or baud, not both"),
    ("serial:///dev/ttyUSB0?address=1&address=2", "option 'address' is given twice"),
    ("tcp://192.168.1.50:9100?baudrate=9600", "serial line settings apply only to serial://"),
    ("file:///tmp/x.bin?parity=E", "serial line settings apply only to serial://"),
])
def test_bad_urls_are_port_errors_naming_the_url(url, reason):
    with pytest.raises(PortError) as caught:
        parse_port_url(url)
    assert str(caught.value).startswith(f"{url}: ")
    assert reason in caught.value.reason
    assert caught.value.url == url


def test_every_device_url_of_the_demo_hall_parses():
    demo = Path(__file__).resolve().parents[2] / "config" / "demo-hall.toml"
    devices = tomllib.loads(demo.read_text(encoding="utf-8"))["devices"]
    specs = [parse_port_url(device["url"]) for device in devices]
    assert len(specs) == len(devices) > 0


def test_open_port_parses_with_the_same_rules():
    with pytest.raises(PortError, match="^usb://x: unknown scheme"):
        open_port("usb://x")


# ------------------------------------------------------------------ loop://

def test_loop_echoes_writes():
    with open_port("loop://hall-screen?address=1", timeout=0.5) as port:
        assert isinstance(port, SerialPort)
        assert port.write(b"\x02A001\x03") == 6
        assert port.read(6) == b"\x02A001\x03"


def test_loop_read_returns_what_came_when_the_timeout_passes():
    with open_port("loop://", timeout=0.1) as port:
        port.write(b"ab")
        started = time.monotonic()
        assert port.read(5) == b"ab"
        assert port.read() == b""
        assert 0.15 <= time.monotonic() - started < 1.0


def test_a_closed_port_refuses_io_and_closing_twice_is_harmless():
    port = open_port("loop://")
    with port:
        pass
    assert port.closed
    port.close()
    with pytest.raises(PortError, match=r"^loop://: cannot write: the port is closed"):
        port.write(b"x")
    with pytest.raises(PortError, match=r"^loop://: cannot read: the port is closed"):
        port.read()


# ------------------------------------------------------- serial:// on a pty

@dataclass
class PtyDevice:
    """Plays a device on the master side of a pty: records bytes, answers ENQ with ACK."""

    master: int
    slave: int
    received: bytearray = field(default_factory=bytearray)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    url: str = ""

    def __post_init__(self) -> None:
        self.url = f"serial://{os.ttyname(self.slave)}"

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def halt(self) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(1)

    def pull_cable(self) -> None:
        # The thread must be out of select() first: until then the kernel keeps the
        # master open, and the slave would not notice.
        self.halt()
        os.close(self.master)

    def _run(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                data = os.read(self.master, 1024)
                self.received += data
                os.write(self.master, ACK * data.count(ENQ))


@pytest.fixture
def pty_device() -> Iterator[PtyDevice]:
    master, slave = os.openpty()
    device = PtyDevice(master, slave)
    device.start()
    yield device
    device.halt()
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def test_serial_device_answers_through_a_pty(pty_device):
    with open_port(pty_device.url + "?baudrate=19200", timeout=1) as port:
        assert port.write(b"STATUS" + ENQ) == 7
        assert port.read(1) == ACK
    assert bytes(pty_device.received) == b"STATUS" + ENQ


def test_baudrate_in_the_url_beats_the_drivers_default(pty_device):
    with open_port(pty_device.url + "?baud=19200", baudrate=115200):
        assert termios.tcgetattr(pty_device.slave)[5] == termios.B19200
    with open_port(pty_device.url, baudrate=115200):
        assert termios.tcgetattr(pty_device.slave)[5] == termios.B115200


def test_a_pulled_cable_is_a_port_error(pty_device):
    """Closing the master is the pty's pulled cable: both a write and a read raise
    PortError (never a clean b""), so a driver learns the device is gone at once."""
    with open_port(pty_device.url, timeout=0.5) as port:
        port.write(ENQ)
        assert port.read(1) == ACK
        pty_device.pull_cable()
        with pytest.raises(PortError, match=f"^{pty_device.url}: write failed: "
                                            "Input/output error"):
            port.write(b"ticket")
        with pytest.raises(PortError, match=f"^{pty_device.url}: read failed"):
            port.read(1)


def test_missing_serial_device():
    with pytest.raises(PortError) as caught:
        open_port("serial:///dev/does-not-exist")
    assert str(caught.value) == "serial:///dev/does-not-exist: cannot open: " \
                                "No such file or directory"
    assert not isinstance(caught.value, OSError)


def test_a_directory_is_not_a_serial_device(tmp_path):
    with pytest.raises(PortError, match="cannot open: Is a directory"):
        open_port(f"serial://{tmp_path}")


# ------------------------------------------------------------------ tcp://

@pytest.fixture
def tcp_device() -> Iterator[tuple[int, bytearray]]:
    """A network device on 127.0.0.1 that records bytes and answers ENQ with ACK."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(2)  # accept() gives up if a test never connects
    received = bytearray()

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            connection.settimeout(2)
            while data := connection.recv(1024):
                received.extend(data)
                connection.sendall(ACK * data.count(ENQ))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    server.close()
    thread.join(2)


def test_tcp_talks_to_a_network_device(tcp_device):
    port_number, received = tcp_device
    with open_port(f"tcp://127.0.0.1:{port_number}", timeout=0.3) as port:
        assert port.write(b"\x1b@" + ENQ) == 3
        assert port.read(1) == ACK
        assert port.read(1) == b""
    assert bytes(received) == b"\x1b@" + ENQ


def test_a_network_device_that_hangs_up_is_a_port_error():
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(2)
    url = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    with server, open_port(url, timeout=1) as port:
        connection, _ = server.accept()
        connection.close()
        with pytest.raises(PortError, match=f"^{url}: read failed: socket disconnected$"):
            port.read(1)


def test_tcp_to_a_closed_port():
    probe = socket.create_server(("127.0.0.1", 0))
    closed = probe.getsockname()[1]
    probe.close()
    url = f"tcp://127.0.0.1:{closed}"
    with pytest.raises(PortError, match=f"^{url}: cannot open: Connection refused$"):
        open_port(url)


# ------------------------------------------------------------------ file://

def test_file_appends_writes_and_creates_folders(tmp_path):
    target = tmp_path / "tickets" / "kiosk-2" / "out.bin"
    url = f"file://{target}"
    with open_port(url) as port:
        assert isinstance(port, FilePort)
        assert port.write(b"A001\n") == 5
        assert target.read_bytes() == b"A001\n"  # flushed, not waiting for close
    with open_port(url) as port:
        port.write(b"A002\n")
    assert target.read_bytes() == b"A001\nA002\n"


def test_file_reads_nothing_after_the_timeout(tmp_path):
    with open_port(f"file://{tmp_path}/out.bin", timeout=0.1) as port:
        started = time.monotonic()
        assert port.read(10) == b""
        assert 0.09 <= time.monotonic() - started < 1.0


def test_a_relative_file_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_port("file://var/tickets/kiosk-2") as port:
        port.write(b"x")
    assert (tmp_path / "var" / "tickets" / "kiosk-2").read_bytes() == b"x"


def test_a_directory_is_not_a_file_port(tmp_path):
    with pytest.raises(PortError, match=f"^file://{tmp_path}: cannot open: Is a directory"):
        open_port(f"file://{tmp_path}")


# ------------------------------------------------------------------ fake://

def test_two_opens_of_one_name_reach_one_fake():
    with open_port("fake://printer/kiosk-1") as first, \
            open_port("fake://printer/kiosk-1") as second:
        assert isinstance(first, FakePort)
        first.write(b"A001")
        second.write(b"A002")
        assert first.written == second.written == b"A001A002"
    assert fake("printer/kiosk-1").written == b"A001A002"
    assert fake("printer/kiosk-2").written == b""


def test_fed_bytes_are_read_by_the_driver():
    pad = fake("rating-pad/1")  # before the driver opens it: a test sets the scene first
    pad.feed(b"\x02OK")
    with open_port("fake://rating-pad/1", timeout=0.1) as port:
        assert port.read(2) == b"\x02O"
        port.feed(b"\x03")
        assert port.read(5) == b"K\x03"
        assert port.read() == b""


def test_a_fake_read_wakes_when_the_device_answers():
    with open_port("fake://keypad/1", timeout=1) as port:
        threading.Timer(0.05, fake("keypad/1").feed, args=(b"7",)).start()
        started = time.monotonic()
        assert port.read(1) == b"7"
        assert time.monotonic() - started < 0.5


def test_clear_forgets_what_was_written():
    with open_port("fake://led/3") as port:
        port.write(b"old")
        fake("led/3").clear()
        port.write(b"new")
        assert port.written == b"new"


def test_an_unplugged_fake_fails_like_a_device():
    device = fake("printer/kiosk-1")
    with open_port("fake://printer/kiosk-1", timeout=1) as port:
        device.unplug()
        with pytest.raises(PortError, match="^fake://printer/kiosk-1: write failed: "):
            port.write(b"A001")
        with pytest.raises(PortError, match="^fake://printer/kiosk-1: read failed: "):
            port.read()
        with pytest.raises(PortError, match="^fake://printer/kiosk-1: cannot open: "):
            open_port("fake://printer/kiosk-1")
        device.plug_in()
        port.write(b"A002")
    assert device.written == b"A002"


def test_reset_fakes_starts_every_fake_afresh():
    fake("x").feed(b"stale")
    reset_fakes()
    with open_port("fake://x", timeout=0) as port:
        assert port.read(5) == b""
