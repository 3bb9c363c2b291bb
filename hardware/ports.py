"""Byte ports opened from the device URLs in a hall's config.

    port = open_port("serial:///dev/ttyUSB0?baudrate=9600")
    port.write(b"...")          # -> number of bytes written
    port.read(4)                # -> up to 4 bytes; b"" when nothing came within the timeout

Every device driver opens its port here and sees only `Port`; which kind of port it
got (a serial line, pyserial's loopback, a TCP socket, a capture file, an in-memory
fake) is the config's business. Every failure is a `PortError` naming the URL.
"""
from __future__ import annotations

import errno
import os
import re
import termios
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import serial

from hardware.fakes import FakeDevice, fake, reset_fakes

__all__ = [
    "SCHEMES", "Port", "PortError", "PortSpec", "SerialPort", "FilePort", "FakePort",
    "FakeDevice", "parse_port_url", "tcp_address", "open_port", "fake", "reset_fakes",
]

SCHEMES = ("serial", "loop", "tcp", "file", "fake")
DEFAULT_BAUDRATE = 9600


class PortError(Exception):
    """A device URL that cannot be opened, or a port that failed in use."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


# ------------------------------------------------------------------ URLs

@dataclass(frozen=True)
class PortSpec:
    """A parsed device URL.

    `target` is everything between `://` and `?`, percent-decoded: the device path for
    serial:// and file:// (a relative file path is relative to the working directory),
    host:port for tcp://, the name for fake://, a label for loop://. `options` holds every
    query option as written, including those meant for the device (such as `address=3`);
    `line` holds the serial line settings among them as pyserial keyword arguments.
    """

    url: str
    scheme: str
    target: str
    options: Mapping[str, str] = field(default_factory=dict)
    line: Mapping[str, Any] = field(default_factory=dict)


_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^?#]*)(?:\?([^#]*))?")
_EXAMPLES = {
    "serial": "serial:///dev/ttyUSB0?baudrate=9600",
    "tcp": "tcp://192.168.1.50:9100",
    "file": "file:///var/lib/yichuang/tickets.bin",
    "fake": "fake://printer/kiosk-1",
}


def parse_port_url(url: str) -> PortSpec:
    """Parse and check a device URL without touching any device; raises PortError."""
    match = _URL.fullmatch(url.strip())
    if not match:
        raise PortError(url, "not a device URL; expected scheme://target such as "
                        f"{_EXAMPLES['serial']!r}")
    scheme = match[1].lower()
    if scheme not in SCHEMES:
        raise PortError(url, f"unknown scheme {match[1]!r} (supported: {', '.join(SCHEMES)})")
    options = _query_options(url, match[3] or "")
    spec = PortSpec(url, scheme, unquote(match[2]), options, _line_settings(url, options))
    _check_target(spec)
    if spec.line and scheme in ("tcp", "file"):
        names = ", ".join(name for name in options if name in _LINE_OPTIONS)
        hint = "; set a serial-to-TCP converter's line on the converter" if scheme == "tcp" else ""
        raise PortError(url, f"{names}: serial line settings apply only to serial:// "
                        f"and loop:// ports{hint}")
    return spec


def _query_options(url: str, query: str) -> dict[str, str]:
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise PortError(url, f"malformed options {query!r}; expected name=value pairs "
                        "joined by '&'") from None
    options: dict[str, str] = {}
    for name, value in pairs:
        if name in options:
            raise PortError(url, f"option {name!r} is given twice")
        options[name] = value
    return options


def _check_target(spec: PortSpec) -> None:
    if spec.scheme == "tcp":
        tcp_address(spec)
    elif spec.scheme != "loop" and not spec.target:
        raise PortError(spec.url, f"{spec.scheme}:// needs a "
                        f"{'name' if spec.scheme == 'fake' else 'path'}, "
                        f"e.g. {_EXAMPLES[spec.scheme]!r}")


def tcp_address(spec: PortSpec) -> tuple[str, int]:
    """(host, port) of a tcp:// URL; raises PortError when either is missing or bad."""
    usage = f"tcp:// needs host:port, e.g. {_EXAMPLES['tcp']!r}"
    parts = urlsplit("//" + spec.target)
    try:
        port = parts.port
    except ValueError:
        raise PortError(spec.url, f"bad TCP port; {usage}") from None
    if not parts.hostname or port is None or parts.path or parts.username:
        raise PortError(spec.url, usage)
    return parts.hostname, port


# ----------------------------------------------------- serial line options

def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise ValueError("expected a positive whole number")
    return int(text)


def _bytesize(text: str) -> int:
    if text not in ("5", "6", "7", "8"):
        raise ValueError("expected 5, 6, 7 or 8")
    return int(text)


_PARITIES = {"n": "N", "none": "N", "e": "E", "even": "E", "o": "O", "odd": "O",
             "m": "M", "mark": "M", "s": "S", "space": "S"}


def _parity(text: str) -> str:
    if text.lower() not in _PARITIES:
        raise ValueError("expected N, E, O, M or S (none, even, odd, mark, space)")
    return _PARITIES[text.lower()]


def _stopbits(text: str) -> float:
    if text not in ("1", "1.5", "2"):
        raise ValueError("expected 1, 1.5 or 2")
    return float(text) if text == "1.5" else int(text)


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}


def _boolean(text: str) -> bool:
    if text.lower() not in _BOOLEANS:
        raise ValueError("expected true or false")
    return _BOOLEANS[text.lower()]


# URL option -> (pyserial keyword, converter). `baud` is what docs/configuration.md shows.
_LINE_OPTIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "baudrate": ("baudrate", _positive_int),
    "baud": ("baudrate", _positive_int),
    "bytesize": ("bytesize", _bytesize),
    "parity": ("parity", _parity),
    "stopbits": ("stopbits", _stopbits),
    "rtscts": ("rtscts", _boolean),
}


def _line_settings(url: str, options: Mapping[str, str]) -> dict[str, Any]:
    if "baud" in options and "baudrate" in options:
        raise PortError(url, "give baudrate or baud, not both")
    line: dict[str, Any] = {}
    for name, value in options.items():
        if name not in _LINE_OPTIONS:
            continue  # the device's own option, e.g. an RS-485 address
        keyword, convert = _LINE_OPTIONS[name]
        try:
            line[keyword] = convert(value)
        except ValueError as exc:
            raise PortError(url, f"bad option {name}={value!r}: {exc}") from None
    return line


# ------------------------------------------------------------------ ports

class Port(ABC):
    """A byte port. Subclasses give two primitives, `_write` and `_read` (and `_close`);
    the checks, the error wrapping and the context manager are written once, here."""

    def __init__(self, url: str, timeout: float | None) -> None:
        self.url = url
        self.timeout = timeout
        self._closed = False

    @abstractmethod
    def _write(self, data: bytes) -> int: ...

    @abstractmethod
    def _read(self, size: int) -> bytes: ...

    def _close(self) -> None:
        pass

    def _discard_input(self) -> None:
        pass

    @property
    def closed(self) -> bool:
        return self._closed

    def write(self, data: bytes) -> int:
        """Write all of `data`; returns its length. Raises PortError if the device fails."""
        self._check_open("write")
        try:
            return self._write(bytes(data))
        except OSError as exc:  # pyserial's SerialException is an OSError
            raise PortError(self.url, f"write failed: {_reason(exc)}") from exc

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes: returns once `size` bytes came, or with what came (maybe b"")
        when `timeout` seconds passed. Raises PortError if the device fails."""
        self._check_open("read")
        try:
            return self._read(size)
        except OSError as exc:
            raise PortError(self.url, f"read failed: {_reason(exc)}") from exc

    def discard_input(self) -> None:
        """Forget bytes that came and were not read (a late answer to an earlier
        question), so the next read is the answer to the next question."""
        self._check_open("discard input")
        try:
            self._discard_input()
        except OSError as exc:
            raise PortError(self.url, f"discard failed: {_reason(exc)}") from exc

    def close(self) -> None:
        """Close the port; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        try:
            self._close()
        except OSError as exc:
            raise PortError(self.url, f"close failed: {_reason(exc)}") from exc

    def __enter__(self) -> Port:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}{' closed' if self._closed else ''}>"

    def _check_open(self, action: str) -> None:
        if self._closed:
            raise PortError(self.url, f"cannot {action}: the port is closed")


class SerialPort(Port):
    """A port pyserial drives: serial://, loop:// and tcp:// (pyserial's socket://)."""

    def __init__(self, url: str, line: serial.SerialBase) -> None:
        super().__init__(url, line.timeout)
        self._line = line

    def _write(self, data: bytes) -> int:
        written = self._line.write(data)
        return len(data) if written is None else written

    def _read(self, size: int) -> bytes:
        return self._line.read(size)

    def _discard_input(self) -> None:
        try:
            self._line.reset_input_buffer()
        except termios.error as exc:    # pyserial lets tcflush's error through (device gone)
            raise OSError(*exc.args) from exc

    def _close(self) -> None:
        self._line.close()


class FilePort(Port):
    """file://: appends every write to a file; reads wait out the timeout and return b"",
    as a printer that never answers would."""

    def __init__(self, url: str, path: Path, timeout: float | None) -> None:
        super().__init__(url, timeout)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")
        self._closing = threading.Event()

    def _write(self, data: bytes) -> int:
        self._file.write(data)
        self._file.flush()  # so what was printed is on disk even if the process dies
        return len(data)

    def _read(self, size: int) -> bytes:
        self._closing.wait(self.timeout)
        return b""

    def _close(self) -> None:
        self._closing.set()
        self._file.close()


class FakePort(Port):
    """fake://NAME: a handle on the shared in-memory `FakeDevice` called NAME."""

    def __init__(self, url: str, device: FakeDevice, timeout: float | None) -> None:
        super().__init__(url, timeout)
        self.device = device

    @property
    def written(self) -> bytes:
        return self.device.written

    def feed(self, data: bytes) -> None:
        self.device.feed(data)

    def _write(self, data: bytes) -> int:
        return self.device.record(data)

    def _read(self, size: int) -> bytes:
        return self.device.take(size, self.timeout)

    def _discard_input(self) -> None:
        self.device.take(1 << 30, 0)


# ----------------------------------------------------------------- opening

def open_port(url: str, *, timeout: float | None = 1.0, baudrate: int = DEFAULT_BAUDRATE,
              write_timeout: float | None = None) -> Port:
    """Open the port a device URL names.

    `timeout` bounds each read (None waits for ever, 0 never waits). `baudrate` is the
    device's usual speed; a `baudrate=` (or `baud=`) in the URL overrides it.
    `write_timeout` bounds each write on pyserial ports (None: wait until written).
    """
    spec = parse_port_url(url)
    settings = {"timeout": timeout, "write_timeout": write_timeout, "baudrate": baudrate,
                **spec.line}
    try:
        return _OPENERS[spec.scheme](spec, settings)
    except (OSError, ValueError) as exc:  # pyserial raises ValueError for bad settings
        raise PortError(url, f"cannot open: {_reason(exc)}") from exc


def _open_serial(spec: PortSpec, settings: dict[str, Any]) -> Port:
    return SerialPort(spec.url, serial.Serial(spec.target, **settings))


def _open_loop(spec: PortSpec, settings: dict[str, Any]) -> Port:
    return SerialPort(spec.url, serial.serial_for_url("loop://", **settings))


def _open_tcp(spec: PortSpec, settings: dict[str, Any]) -> Port:
    settings = {key: settings[key] for key in ("timeout", "write_timeout")}
    return SerialPort(spec.url, serial.serial_for_url(f"socket://{spec.target}", **settings))


def _open_file(spec: PortSpec, settings: dict[str, Any]) -> Port:
    return FilePort(spec.url, Path(spec.target), settings["timeout"])


def _open_fake(spec: PortSpec, settings: dict[str, Any]) -> Port:
    device = fake(spec.target)
    if device.unplugged:
        raise OSError(errno.ENODEV, f"fake device {device.name!r} is unplugged")
    return FakePort(spec.url, device, settings["timeout"])


_OPENERS: dict[str, Callable[[PortSpec, dict[str, Any]], Port]] = {
    "serial": _open_serial, "loop": _open_loop, "tcp": _open_tcp,
    "file": _open_file, "fake": _open_fake,
}

_HINTS = {
    errno.EACCES: " (is the user in the dialout group?)",
    errno.EBUSY: " (is another program using it?)",
}


def _reason(exc: BaseException) -> str:
    """The operating system's words for an error, without pyserial's wrapping."""
    cause = exc
    # pyserial raises its own exception inside its OSError handler: the cause is the context.
    if isinstance(exc, serial.SerialException) and isinstance(exc.__context__, OSError):
        cause = exc.__context__
    if isinstance(cause, OSError) and cause.errno:
        return os.strerror(cause.errno) + _HINTS.get(cause.errno, "")
    return str(cause) or type(cause).__name__
