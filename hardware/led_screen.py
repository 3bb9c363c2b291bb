"""LED window screens (窗口屏) on an RS-485 bus: one small screen above each window.

    bus = LedBus("serial:///dev/ttyUSB0?baudrate=9600")
    bus.send(3, SHOW_CALL, "请A012号")   # -> ScreenReply; DeviceSilent if screen 3 does not
    bus.status(3)                        #    answer after its retries; BusError if the
    bus.close()                          #    port itself fails (cable pulled, no device)

Several screens share one pair of wires; each has an address (1-254, set on the screen
with its DIP switches or remote). The bridge is the bus master: it sends one request
frame, the addressed screen answers with one reply frame, and nobody else speaks. The
frame (docs/hardware.md gives it byte by byte):

    A5 | address | command | length | data (length bytes) | checksum | 5A

checksum = (address + command + length + every data byte) mod 256. Requests carry
commands 01-05 and GB2312 text; a reply carries the request's command | 0x80 and a
status byte (STATUS's reply also what the screen shows). Frame encoding and decoding
are pure functions; `FrameBuffer` cuts a byte stream into checked frames (no I/O);
`LedBus` is the shared bus master (`hardware.rs485.PolledBus`) sending the screens' frames.

`fake://NAME` is the shipped `FakeLedBus`: every address answers (unless made silent)
and what each screen shows is kept and logged, so the demo runs with no screens.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from hardware.fakes import FakeDevice
from hardware.ports import fake
from hardware.rs485 import (
    ADDRESSES,
    BAD_FRAME,
    BAD_TEXT,
    END,
    OK,
    REPLY,
    STATUSES,
    UNKNOWN_COMMAND,
    BusError,
    DeviceSilent,
    FrameError,
    Framing,
    PolledBus,
    TextError,
    decode_text,
)
from hardware.rs485 import FrameBuffer as SharedFrameBuffer
from hardware.rs485 import encode_text as shared_encode_text
from hardware.rs485 import fit_text as shared_fit_text

__all__ = [
    "START", "END", "ADDRESSES", "STATUSES", "SHOW_CALL", "SHOW_TEXT", "SHOW_IDLE", "CLEAR",
    "STATUS", "COMMANDS",
    "REPLY", "OK", "BAD_FRAME", "UNKNOWN_COMMAND", "BAD_TEXT", "MAX_TEXT_BYTES",
    "FrameError", "LedTextError", "ScreenRequest", "ScreenReply", "FrameBuffer",
    "encode_text", "decode_text", "fit_text", "checksum", "frame_length",
    "encode_request", "decode_request", "encode_reply", "decode_reply",
    "DeviceSilent", "BusError", "LedBus", "FakeLedBus", "fake_led_bus",
]

log = logging.getLogger("yichuang.led")

START = 0xA5        # the start byte of an LED screen's frames (keypads A6, pads A7)
SHOW_CALL = 0x01    # show the text flashing (three times, with the screen's beep), then steady
SHOW_TEXT = 0x02    # show the text steady
SHOW_IDLE = 0x03    # show the text as the idle picture (the screen's dim brightness)
CLEAR = 0x04        # blank the screen
STATUS = 0x05       # ask what the screen shows
COMMANDS = {SHOW_CALL: "show call", SHOW_TEXT: "show text", SHOW_IDLE: "show idle",
            CLEAR: "clear", STATUS: "status"}
SHOWING = (SHOW_CALL, SHOW_TEXT, SHOW_IDLE)
MAX_TEXT_BYTES = 64           # 32 Hanzi: the screens' text buffer
MAX_DATA = MAX_TEXT_BYTES + 2  # a status reply: status, what it shows, the text
DEFAULT_BAUDRATE = 9600
# the frame layer the screens share with the keypads and the pads (hardware.rs485)
FRAMING = Framing(START, MAX_DATA, "screen")


class LedTextError(TextError):
    """Text a screen cannot show: a character GB2312 lacks, or too long."""


@dataclass(frozen=True)
class ScreenRequest:
    address: int
    command: int
    text: str = ""


@dataclass(frozen=True)
class ScreenReply:
    address: int
    command: int              # the request's command (without REPLY)
    status: int = OK
    shown_command: int = 0    # STATUS only: SHOW_CALL/TEXT/IDLE, or 0 when blank
    shown_text: str = ""      # STATUS only

    @property
    def ok(self) -> bool:
        return self.status == OK


# ------------------------------------------------------------------ text (pure)

def encode_text(text: str, substitute: str | None = None) -> bytes:
    """`text` in GB2312. A character GB2312 lacks is a LedTextError naming it, or, with
    `substitute`, replaced by it. Longer than MAX_TEXT_BYTES is a LedTextError."""
    if substitute is not None:
        text = "".join(c if _in_gb2312(c) else substitute for c in text)
    try:
        encoded = shared_encode_text(text, len(text) * 2)
    except TextError as error:
        raise LedTextError(f"{error}; an LED screen cannot show it") from None
    if len(encoded) > MAX_TEXT_BYTES:
        raise LedTextError(f"{text!r} is {len(encoded)} bytes in GB2312; a screen holds "
                           f"at most {MAX_TEXT_BYTES}")
    return encoded


def _in_gb2312(character: str) -> bool:
    try:
        character.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def fit_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """`text` made showable: characters GB2312 lacks replaced by □, cut to `max_bytes`
    bytes at a character's edge."""
    return shared_fit_text(text, max_bytes)


# ------------------------------------------------------------------ frames (pure)

def checksum(address: int, command: int, data: bytes) -> int:
    return (address + command + len(data) + sum(data)) & 0xFF


def frame_length(head: bytes) -> int:
    """The whole frame's size from its first four bytes; FrameError if they are not a
    frame's head."""
    return FRAMING.frame_length(head)


_frame, _checked = FRAMING.frame, FRAMING.checked


def encode_request(address: int, command: int, text: str = "") -> bytes:
    """A request frame. The SHOW commands carry `text` (GB2312, LedTextError if it
    cannot be); CLEAR and STATUS carry nothing."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command:#04x}")
    if command not in SHOWING and text:
        raise ValueError(f"{COMMANDS[command]} carries no text")
    return _frame(address, command, encode_text(text))


def decode_request(frame: bytes) -> ScreenRequest:
    """The request a frame holds; FrameError if it is not a correct request frame."""
    address, command, data = _checked(frame)
    if command & REPLY:
        raise FrameError(f"a reply ({command:02X}), not a request")
    if command not in COMMANDS:
        raise FrameError(f"unknown command {command:02X}")
    if command not in SHOWING and data:
        raise FrameError(f"{COMMANDS[command]} with {len(data)} data bytes")
    if len(data) > MAX_TEXT_BYTES:
        raise FrameError(f"{len(data)} text bytes; a screen holds {MAX_TEXT_BYTES}")
    return ScreenRequest(address, command, decode_text(data))


def encode_reply(address: int, command: int, status: int = OK, shown_command: int = 0,
                 shown_text: str = "") -> bytes:
    """A screen's reply to `command`: its status; STATUS's also what it shows."""
    data = bytes((status,))
    if command == STATUS and status == OK:
        data += bytes((shown_command,)) + encode_text(shown_text)
    return _frame(address, command | REPLY, data)


def decode_reply(frame: bytes) -> ScreenReply:
    """The reply a frame holds; FrameError if it is not a correct reply frame."""
    address, command, data = _checked(frame)
    if not command & REPLY:
        raise FrameError(f"a request ({command:02X}), not a reply")
    command &= ~REPLY
    if command not in COMMANDS:
        raise FrameError(f"a reply to unknown command {command:02X}")
    if not data:
        raise FrameError("a reply without its status byte")
    status = data[0]
    if command == STATUS and status == OK:
        if len(data) < 2:
            raise FrameError("a status reply without what the screen shows")
        return ScreenReply(address, command, status, data[1], decode_text(data[2:]))
    if len(data) != 1:
        raise FrameError(f"a reply to {COMMANDS[command]} with {len(data)} data bytes")
    return ScreenReply(address, command, status)


class FrameBuffer(SharedFrameBuffer):
    """Bytes from the line in, whole checked screen frames out (pure: no I/O); noise
    dropped and counted, a wrong frame dropped from its start byte (hardware.rs485)."""

    def __init__(self) -> None:
        super().__init__(FRAMING)


# ------------------------------------------------------------------ the bus

class LedBus(PolledBus):
    """The master of one RS-485 bus of screens, over one port: `hardware.rs485.PolledBus`
    (which the keypads and the pads drive too) speaking the screens' frames.

    Every request waits at most `answer_timeout` seconds for its reply and is sent
    `retries` more times when none (or a garbled one) comes: a screen that never
    answers costs at most (retries + 1) x answer_timeout, and a screen already known to
    be silent is tried once. A failed port raises BusError and is opened again after a
    pause that starts at `reopen_after[0]` and doubles up to `reopen_after[1]`, so a
    cable put back is simply used. `attempts[address]` and `retried[address]` count the
    frames sent and the retries; `statuses` each screen's last DeviceStatus.
    """

    framing = FRAMING

    def __init__(self, url: str, addresses: Iterable[int] = (), *,
                 answer_timeout: float = 0.2, retries: int = 2,
                 reopen_after: tuple[float, float] = (0.5, 5.0),
                 baudrate: int = DEFAULT_BAUDRATE) -> None:
        super().__init__(url, addresses, answer_timeout=answer_timeout, retries=retries,
                         reopen_after=reopen_after, baudrate=baudrate)

    def open(self) -> None:
        """Open the port now (else the first request does); BusError if it cannot."""
        with self._lock:
            self._open()

    def send(self, address: int, command: int, text: str = "", *,
             retries: int | None = None) -> ScreenReply:
        """Send one request and return the screen's reply (whatever its status, except
        BAD_FRAME, which is retried). DeviceSilent, BusError; LedTextError and
        ValueError for text or an address no screen could take."""
        return self.exchange(encode_request(address, command, text), address, command,
                             decode_reply, retries=retries)

    def status(self, address: int, *, retries: int | None = None) -> ScreenReply:
        return self.send(address, STATUS, retries=retries)


# ------------------------------------------------------------------ the fake screens

class FakeLedBus(FakeDevice):
    """The far end of `fake://NAME`: a bus on which a screen answers at every address
    (but those in `silent`), keeps what it shows in `shown` and logs it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.silent: set[int] = set()
        self.shown: dict[int, tuple[int, str]] = {}
        self.requests: list[ScreenRequest] = []
        self._frames = FrameBuffer()

    def record(self, data: bytes) -> int:
        written = super().record(data)
        for frame in self._frames.feed(data):
            try:
                request = decode_request(frame)
            except FrameError:
                continue
            self.requests.append(request)
            if request.address not in self.silent:
                self.feed(self._answer(request))
        return written

    def _answer(self, request: ScreenRequest) -> bytes:
        address, command = request.address, request.command
        if command in SHOWING:
            self.shown[address] = (command, request.text)
            log.info("LED %s, screen %d (%s): %s", self.name, address, COMMANDS[command],
                     request.text)
        elif command == CLEAR:
            self.shown.pop(address, None)
            log.info("LED %s, screen %d: cleared", self.name, address)
        else:
            shown_command, text = self.shown.get(address, (0, ""))
            return encode_reply(address, command, OK, shown_command, text)
        return encode_reply(address, command)


LedBus.fake_kind = FakeLedBus


def fake_led_bus(name: str) -> FakeLedBus:
    """The fake bus `fake://NAME` reaches (created on first use)."""
    device = fake(name, FakeLedBus)
    assert isinstance(device, FakeLedBus)
    return device
