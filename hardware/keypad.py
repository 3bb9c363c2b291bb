"""Caller keypads (呼叫器) on an RS-485 bus: one small keypad with a screen at each window.

    bus = KeypadBus("serial:///dev/ttyUSB0?baud=9600", addresses=(1, 2, 3),
                    on_status=report)            # DeviceStatus(address, "ok"|"offline", why)
    for press in bus.presses(stop):              # KeyPress(address, Key.CALL_NEXT, sequence)
        bus.show(press.address, "A012", Style.CALLED)    # may raise KeypadSilent/BusError

Several keypads share one pair of wires, each at its own address (1-254, set on the
keypad); which window an address belongs to is the hall's config. The bridge is the
bus master and polls every address in turn: the keypad answers with its oldest press
not yet acknowledged, or with nothing. A press carries a sequence number (1-255) and
stays the keypad's answer until a later poll acknowledges it, so a reply lost on the
line is asked for again and never turns into two presses (the bus drops a sequence it
has already seen). The frame (docs/hardware.md gives it byte by byte):

    A6 | address | command | length | data | checksum | 5A

POLL (10) carries the last sequence the master got from that address; its reply (90)
is a status byte, then nothing, or the sequence and the key code. SHOW (11) carries a
style and GB2312 text for the keypad's screen; its reply (91) a status byte. Encoding
and decoding are pure functions; `KeypadBus` is `hardware.rs485.PolledBus` (bounded
answers, retries, silent keypads marked offline, a pulled cable reopened with backoff).

`fake://NAME` is the shipped `FakeKeypads`: a keypad answers at every address (but
those in `silent`), presses come from `press()` or from a script file
(`fake://keypad?script=PATH`), and what each screen shows is kept and logged.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from hardware.fakes import FakeDevice
from hardware.ports import PortSpec, fake
from hardware.rs485 import (
    BAD_FRAME,
    BAD_TEXT,
    OK,
    REPLY,
    STATUSES,
    UNKNOWN_COMMAND,
    BusError,
    DeviceSilent,
    DeviceStatus,
    FrameBuffer,
    FrameError,
    Framing,
    PolledBus,
    decode_text,
    encode_text,
    fit_text,
)

__all__ = [
    "START", "POLL", "SHOW", "COMMANDS", "MAX_TEXT_BYTES", "OK", "BAD_FRAME",
    "UNKNOWN_COMMAND", "BAD_TEXT", "STATUSES", "Key", "Style", "FRAMING", "FrameError",
    "KeypadRequest", "KeypadReply", "KeyPress", "encode_request", "decode_request",
    "encode_reply", "decode_reply", "frame_buffer", "fit_screen_text", "KeypadSilent",
    "BusError", "DeviceStatus", "KeypadBus", "FakeKeypads", "fake_keypads", "read_script",
]

log = logging.getLogger("yichuang.keypad")

START = 0xA6
POLL = 0x10           # data: the last sequence received from this address (0: none)
SHOW = 0x11           # data: style, then the text in GB2312
COMMANDS = {POLL: "poll", SHOW: "show"}
MAX_TEXT_BYTES = 32   # two lines of 8 Hanzi (16 ASCII characters each)
FRAMING = Framing(START, 1 + MAX_TEXT_BYTES, "keypad")
KeypadSilent = DeviceSilent


class Key(IntEnum):
    """The keys of a caller keypad and the code each sends."""

    CALL_NEXT = 0x01   # 呼叫 / 下一位
    RECALL = 0x02      # 重呼
    START = 0x03       # 开始办理
    FINISH = 0x04      # 办结
    NO_SHOW = 0x05     # 过号
    PAUSE = 0x06       # 暂停
    RESUME = 0x07      # 恢复
    TRANSFER = 0x08    # 转移
    EVALUATE = 0x09    # 评价: invite the citizen to rate


class Style(IntEnum):
    """How the keypad's screen shows a text."""

    TEXT = 0x00        # steady (a state: 暂停, 办理中 A012)
    CALLED = 0x01      # the called number, flashing three times, one short beep
    ERROR = 0x02       # steady, two beeps (无人等候, a refusal)


@dataclass(frozen=True)
class KeypadRequest:
    address: int
    command: int
    ack: int = 0                   # POLL: the last sequence received
    style: int = Style.TEXT        # SHOW
    text: str = ""                 # SHOW


@dataclass(frozen=True)
class KeypadReply:
    address: int
    command: int                   # the request's command (without REPLY)
    status: int = OK
    sequence: int = 0              # POLL: 0 = nothing pressed, else the press's 1-255
    key_code: int = 0              # POLL: the key's code

    @property
    def key(self) -> Key | None:
        """The key pressed; None when nothing was, or for a code this module lacks."""
        try:
            return Key(self.key_code) if self.sequence else None
        except ValueError:
            return None


@dataclass(frozen=True)
class KeyPress:
    address: int
    key: Key
    sequence: int


# ------------------------------------------------------------------ frames (pure)

def fit_screen_text(text: str) -> str:
    """`text` made showable on a keypad: □ for what GB2312 lacks, cut to 32 bytes."""
    return fit_text(text, MAX_TEXT_BYTES)


def encode_request(address: int, command: int, *, ack: int = 0, style: int = Style.TEXT,
                   text: str = "") -> bytes:
    """POLL (with `ack`) or SHOW (with `style` and `text`; TextError if GB2312 lacks a
    character or it is over 32 bytes)."""
    if command == POLL:
        if not 0 <= ack <= 255 or text:
            raise ValueError("a poll carries an acknowledged sequence 0-255 and no text")
        return FRAMING.frame(address, POLL, bytes((ack,)))
    if command == SHOW:
        return FRAMING.frame(address, SHOW, bytes((Style(style),))
                             + encode_text(text, MAX_TEXT_BYTES))
    raise ValueError(f"unknown command {command:#04x}")


def decode_request(frame: bytes) -> KeypadRequest:
    """The request a frame holds; FrameError if it is not a correct request frame."""
    address, command, data = FRAMING.checked(frame)
    if command & REPLY:
        raise FrameError(f"a reply ({command:02X}), not a request")
    if command == POLL:
        if len(data) != 1:
            raise FrameError(f"a poll with {len(data)} data bytes, not 1")
        return KeypadRequest(address, POLL, ack=data[0])
    if command == SHOW:
        if not data:
            raise FrameError("a show without its style byte")
        if data[0] not in tuple(Style):
            raise FrameError(f"unknown style {data[0]:02X}")
        return KeypadRequest(address, SHOW, style=Style(data[0]), text=decode_text(data[1:]))
    raise FrameError(f"unknown command {command:02X}")


def encode_reply(address: int, command: int, status: int = OK, sequence: int = 0,
                 key_code: int = 0) -> bytes:
    """A keypad's reply: its status; POLL's also the press (sequence, key) if any."""
    data = bytes((status,))
    if command == POLL and status == OK and sequence:
        data += bytes((sequence, key_code))
    return FRAMING.frame(address, command | REPLY, data)


def decode_reply(frame: bytes) -> KeypadReply:
    """The reply a frame holds; FrameError if it is not a correct reply frame. A key
    code this module does not know is kept (`key` is then None), not an error."""
    address, command, data = FRAMING.checked(frame)
    if not command & REPLY:
        raise FrameError(f"a request ({command:02X}), not a reply")
    command &= ~REPLY
    if command not in COMMANDS:
        raise FrameError(f"a reply to unknown command {command:02X}")
    if not data:
        raise FrameError("a reply without its status byte")
    if command == POLL and data[0] == OK and len(data) != 1:
        if len(data) != 3:
            raise FrameError(f"a poll reply with {len(data)} data bytes (1 or 3)")
        if data[1] == 0:
            raise FrameError("a press with sequence 0")
        return KeypadReply(address, POLL, OK, data[1], data[2])
    if len(data) != 1:
        raise FrameError(f"a reply to {COMMANDS[command]} with {len(data)} data bytes")
    return KeypadReply(address, command, data[0])


def frame_buffer() -> FrameBuffer:
    """A FrameBuffer that cuts a byte stream into checked keypad frames."""
    return FrameBuffer(FRAMING)


# ------------------------------------------------------------------ the fake keypads

def read_script(path: Path) -> list[tuple[float, int, Key]]:
    """A press script: one press a line, `SECONDS ADDRESS KEY` (seconds after the bus
    starts; KEY a Key name such as call_next); blank lines and # comments skipped.
    ValueError naming the line for anything else."""
    script = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = line.split("#")[0].split()
        if not words:
            continue
        try:
            seconds, address, key = words
            script.append((float(seconds), int(address), Key[key.upper()]))
        except (ValueError, KeyError):
            raise ValueError(f"{path}:{number}: {line.strip()!r} is not "
                             "'SECONDS ADDRESS KEY' (e.g. '2.5 1 call_next')") from None
    return sorted(script, key=lambda step: step[0])


class FakeKeypads(FakeDevice):
    """The far end of `fake://NAME`: a keypad answers at every address (but those in
    `silent`) with the presses queued by `press()` or due in a script; `shown` keeps
    what each screen shows, `requests` every request heard."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.silent: set[int] = set()
        self.shown: dict[int, tuple[Style, str]] = {}
        self.requests: list[KeypadRequest] = []
        self._queues: dict[int, list[tuple[int, Key]]] = {}
        self._next: dict[int, int] = {}
        self._script: list[tuple[float, int, Key]] = []
        self._began = time.monotonic()
        self._frames = frame_buffer()

    def press(self, address: int, key: Key) -> int:
        """Queue a press at `address`; returns its sequence number."""
        with self._changed:
            sequence = self._next.get(address, 0) % 255 + 1
            self._next[address] = sequence
            self._queues.setdefault(address, []).append((sequence, key))
            return sequence

    def play(self, script: list[tuple[float, int, Key]]) -> None:
        """Press each (seconds, address, key) once `seconds` have passed from now."""
        with self._changed:
            self._script, self._began = list(script), time.monotonic()

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

    def _answer(self, request: KeypadRequest) -> bytes:
        address = request.address
        if request.command == SHOW:
            self.shown[address] = (Style(request.style), request.text)
            log.info("keypad %s, %d (%s): %s", self.name, address,
                     Style(request.style).name.lower(), request.text)
            return encode_reply(address, SHOW)
        elapsed = time.monotonic() - self._began
        while self._script and self._script[0][0] <= elapsed:
            _, at, key = self._script.pop(0)
            self.press(at, key)
        queue = self._queues.get(address, [])
        if queue and queue[0][0] == request.ack:
            queue.pop(0)
        if not queue:
            return encode_reply(address, POLL)
        sequence, key = queue[0]
        return encode_reply(address, POLL, OK, sequence, key)


def fake_keypads(name: str) -> FakeKeypads:
    """The fake keypad bus `fake://NAME` reaches (created on first use)."""
    device = fake(name, FakeKeypads)
    assert isinstance(device, FakeKeypads)
    return device


# ------------------------------------------------------------------ the bus

class KeypadBus(PolledBus):
    """The master of one RS-485 bus of keypads (hardware.rs485.PolledBus gives the
    timeouts, retries, statuses and reopening). `presses()` is the bridge's loop;
    `poll()` and `show()` are single exchanges (KeypadSilent, BusError)."""

    framing = FRAMING
    fake_kind = FakeKeypads

    def __init__(self, url: str, addresses=(), **options) -> None:
        super().__init__(url, addresses, **options)
        self._seen: dict[int, int] = {}          # address -> the last sequence received
        self.unknown_keys = 0

    def _configure_fake(self, device: FakeDevice, spec: PortSpec) -> None:
        if "script" in spec.options and isinstance(device, FakeKeypads):
            device.play(read_script(Path(spec.options["script"])))

    def poll(self, address: int, *, retries: int | None = None) -> KeyPress | None:
        """Ask `address` for its press; None when it has none (or repeats one already
        received, or sends a key this module does not know: logged)."""
        frame = encode_request(address, POLL, ack=self._seen.get(address, 0))
        try:
            reply = self.exchange(frame, address, POLL, decode_reply, retries=retries)
        except DeviceSilent:
            self._seen.pop(address, None)   # it may come back power-cycled, counting from 1
            raise
        if not reply.sequence:
            return None
        if self._seen.get(address) == reply.sequence:
            return None                     # our acknowledgement was lost: asked again
        self._seen[address] = reply.sequence
        if reply.key is None:
            self.unknown_keys += 1
            log.warning("%s, keypad %d: unknown key code %02X ignored", self.url, address,
                        reply.key_code)
            return None
        return KeyPress(address, reply.key, reply.sequence)

    def show(self, address: int, text: str, style: Style = Style.TEXT, *,
             retries: int | None = None) -> KeypadReply:
        """Show `text` (fitted to the screen) on the keypad at `address`."""
        frame = encode_request(address, SHOW, style=style, text=fit_screen_text(text))
        return self.exchange(frame, address, SHOW, decode_reply, retries=retries)

    def presses(self, stop: threading.Event | None = None) -> Iterator[KeyPress]:
        """Every press on the bus, in order, until `stop` is set; never raises for a
        silent keypad or a failed port (they go to `statuses` and `on_status`)."""
        def poll(address: int) -> list[KeyPress]:
            press = self.poll(address)
            return [] if press is None else [press]
        return self.rounds(poll, stop)
