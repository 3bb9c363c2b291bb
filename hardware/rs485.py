"""What the polled RS-485 devices share: their frames, GB2312 text, and the bus master.

The LED window screens (`hardware.led_screen`), the caller keypads (`hardware.keypad`) and
the 好差评 pads (`hardware.rating_pad`) speak one family of frames, told apart by their
start byte (docs/hardware.md):

    start | address | command | length | data (length bytes) | checksum | 5A

checksum = (address + command + length + every data byte) mod 256; screens start A5,
keypads A6, pads A7. A reply carries the request's command | 0x80 and
begins with a status byte. `Framing` and `FrameBuffer` are pure (bytes in, checked frames
out); `PolledBus` is the master that moves them through a `hardware.ports` port: one
request, one reply within a bounded time, retries, a device that stops answering marked
`offline` (and then tried once every `probe_seconds`), a port that fails reopened with a
growing pause, and every change of a device's status handed to `on_status`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from hardware.fakes import FakeDevice
from hardware.ports import Port, PortError, PortSpec, fake, open_port, parse_port_url

__all__ = [
    "END", "REPLY", "OK", "BAD_FRAME", "UNKNOWN_COMMAND", "BAD_TEXT", "STATUSES", "ADDRESSES",
    "FrameError", "TextError", "Framing", "FrameBuffer", "encode_text", "decode_text",
    "fit_text", "DeviceStatus", "DeviceSilent", "BusError", "PolledBus",
]

log = logging.getLogger("yichuang.rs485")

END = 0x5A
REPLY = 0x80                   # a reply's command: the request's | 0x80
OK, BAD_FRAME, UNKNOWN_COMMAND, BAD_TEXT = 0x00, 0x01, 0x02, 0x03
STATUSES = {OK: "ok", BAD_FRAME: "bad frame", UNKNOWN_COMMAND: "unknown command",
            BAD_TEXT: "text not shown"}
ADDRESSES = range(1, 255)      # 0 and 255 are reserved (factory default, broadcast)
HEAD = 4                       # start, address, command, length
SUBSTITUTE = "□"


class FrameError(ValueError):
    """Bytes that are not a whole, correct frame (truncated, bad checksum, noise)."""


class TextError(ValueError):
    """Text a device cannot show: a character GB2312 lacks, or too long."""


# ------------------------------------------------------------------ text (pure)

def encode_text(text: str, max_bytes: int) -> bytes:
    """`text` in GB2312; TextError naming a character GB2312 lacks, or a text too long."""
    encoded = bytearray()
    for position, character in enumerate(text):
        try:
            encoded += character.encode("gb2312")
        except UnicodeEncodeError:
            raise TextError(f"{character!r} (U+{ord(character):04X}) at position {position} "
                            f"of {text!r} is not in GB2312") from None
    if len(encoded) > max_bytes:
        raise TextError(f"{text!r} is {len(encoded)} bytes in GB2312; at most {max_bytes}")
    return bytes(encoded)


def decode_text(data: bytes) -> str:
    try:
        return data.decode("gb2312")
    except UnicodeDecodeError as error:
        raise FrameError(f"text is not GB2312 at byte {error.start}: "
                         f"{data[error.start:error.start + 2].hex(' ')}") from None


def fit_text(text: str, max_bytes: int) -> str:
    """`text` made showable: characters GB2312 lacks replaced by □, cut to `max_bytes`
    bytes at a character's edge."""
    kept, size = [], 0
    for character in text:
        try:
            width = len(character.encode("gb2312"))
        except UnicodeEncodeError:
            character, width = SUBSTITUTE, 2
        if size + width > max_bytes:
            break
        kept.append(character)
        size += width
    return "".join(kept)


# ------------------------------------------------------------------ frames (pure)

@dataclass(frozen=True)
class Framing:
    """One device kind's frames: its start byte and the most data a frame holds."""

    start: int
    max_data: int
    device: str                  # "keypad": said in errors

    def frame(self, address: int, command: int, data: bytes = b"") -> bytes:
        if address not in ADDRESSES:
            raise ValueError(f"address {address} is not a {self.device}'s (1-254)")
        if len(data) > self.max_data:
            raise ValueError(f"{len(data)} data bytes; a frame holds at most {self.max_data}")
        total = (address + command + len(data) + sum(data)) & 0xFF
        return bytes((self.start, address, command, len(data))) + data + bytes((total, END))

    def frame_length(self, head: bytes) -> int:
        """The whole frame's size from its first four bytes; FrameError if they are not a
        frame's head."""
        if len(head) < HEAD or head[0] != self.start:
            raise FrameError(f"not a frame's head: {bytes(head[:HEAD]).hex(' ')!r}")
        if head[3] > self.max_data:
            raise FrameError(f"length {head[3]} is more than a frame holds ({self.max_data})")
        return HEAD + head[3] + 2

    def checked(self, frame: bytes) -> tuple[int, int, bytes]:
        """(address, command, data) of a whole frame, every byte checked; FrameError."""
        if not frame:
            raise FrameError("no frame: no bytes")
        if frame[0] != self.start:
            raise FrameError(f"not a {self.device} frame: it starts {frame[0]:02X}, "
                             f"not {self.start:02X}")
        if len(frame) < HEAD + 2:
            raise FrameError(f"truncated frame: {len(frame)} bytes, a frame has at least "
                             f"{HEAD + 2}")
        size = self.frame_length(frame)
        if len(frame) < size:
            raise FrameError(f"truncated frame: {len(frame)} of its {size} bytes")
        if len(frame) > size:
            raise FrameError(f"{len(frame) - size} bytes after the frame's end")
        address, command, data = frame[1], frame[2], bytes(frame[HEAD:-2])
        if frame[-1] != END:
            raise FrameError(f"no end byte: {frame[-1]:02X} where 5A belongs")
        expected = (address + command + len(data) + sum(data)) & 0xFF
        if frame[-2] != expected:
            raise FrameError(f"checksum {frame[-2]:02X} does not match the bytes "
                             f"({expected:02X})")
        if address not in ADDRESSES:
            raise FrameError(f"address {address} is not a {self.device}'s (1-254)")
        return address, command, data


class FrameBuffer:
    """Bytes from the line in, whole checked frames out (pure: no I/O).

    Noise before a start byte is dropped and counted (`noise`); a frame that begins but
    is wrong is dropped from its start byte, in case a real frame starts inside it, and
    said in `garbled`.
    """

    def __init__(self, framing: Framing) -> None:
        self.framing = framing
        self._pending = bytearray()
        self.noise = 0
        self.garbled: list[str] = []

    @property
    def pending(self) -> bytes:
        return bytes(self._pending)

    @property
    def needed(self) -> int:
        """How many more bytes the frame begun needs (at least 1)."""
        if len(self._pending) < HEAD:
            return HEAD - len(self._pending)
        return max(1, HEAD + self._pending[3] + 2 - len(self._pending))

    def feed(self, data: bytes) -> list[bytes]:
        self._pending += data
        frames = []
        while self._pending:
            start = self._pending.find(self.framing.start)
            if start < 0:
                self.noise += len(self._pending)
                self._pending.clear()
                break
            self.noise += start
            del self._pending[:start]
            if len(self._pending) < HEAD:
                break
            try:
                size = self.framing.frame_length(self._pending)
                if len(self._pending) < size:
                    break
                candidate = bytes(self._pending[:size])
                self.framing.checked(candidate)
            except FrameError as error:
                self.garbled.append(str(error))
                del self._pending[:1]
                continue
            frames.append(candidate)
            del self._pending[:size]
        return frames


# ------------------------------------------------------------------ the bus

class Reply(Protocol):
    address: int
    command: int
    status: int


R = TypeVar("R", bound=Reply)
T = TypeVar("T")


@dataclass(frozen=True)
class DeviceStatus:
    """A device's state as the bus sees it: `code` "ok" or "offline" (the device-health
    codes of core.devices), and why."""

    address: int
    code: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.code == "ok"


class DeviceSilent(Exception):
    """A device gave no good answer after every try (no answer, truncated, garbled):
    `address`, `attempts`, `reason` (the last try's)."""

    def __init__(self, url: str, address: int, attempts: int, reason: str,
                 device: str = "address") -> None:
        super().__init__(f"{url}: {device} {address} does not answer after {attempts} "
                         f"{'try' if attempts == 1 else 'tries'} ({reason})")
        self.url, self.address, self.attempts, self.reason = url, address, attempts, reason


class BusError(Exception):
    """The bus's port cannot be opened or failed in use (cable pulled, no adapter)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


class PolledBus:
    """The master of one RS-485 bus of one kind of device, over one port.

    Subclasses set `framing` and `fake_kind` (the FakeDevice a `fake://` URL reaches).
    `exchange` sends one request and returns the addressed device's reply, waiting at
    most `answer_timeout` seconds a try, `retries` more tries (none for a device already
    `offline`). `statuses` holds each address's last DeviceStatus; `on_status(status)`
    is called (outside the bus's lock; its exceptions logged) whenever one changes. A
    failed port is closed, every address marked offline, and it is not opened again
    before a pause that starts at `reopen_after[0]` and doubles up to `reopen_after[1]`.
    """

    framing: Framing
    fake_kind: type[FakeDevice] = FakeDevice

    def __init__(self, url: str, addresses: Iterable[int] = (), *,
                 answer_timeout: float = 0.1, retries: int = 1, probe_seconds: float = 5.0,
                 reopen_after: tuple[float, float] = (0.5, 5.0), round_seconds: float = 0.05,
                 on_status: Callable[[DeviceStatus], None] | None = None,
                 baudrate: int = 9600) -> None:
        try:
            spec = parse_port_url(url)
        except PortError as error:       # a mistake in the config, not a fault
            raise ValueError(str(error)) from None
        self.addresses = tuple(addresses) or _url_address(spec)
        for address in self.addresses:
            if address not in ADDRESSES:
                raise ValueError(f"{url}: address {address} is not a {self.framing.device}'s "
                                 "(1-254)")
        if spec.scheme == "fake":
            self._configure_fake(fake(spec.target, self.fake_kind), spec)
        self.url, self.answer_timeout, self.retries = url, answer_timeout, retries
        self.probe_seconds, self.reopen_after = probe_seconds, reopen_after
        self.round_seconds, self.on_status, self._baudrate = round_seconds, on_status, baudrate
        self.statuses: dict[int, DeviceStatus] = {}
        self.attempts: Counter[int] = Counter()
        self.retried: Counter[int] = Counter()
        self.port_failures = 0
        self._port: Port | None = None
        self._lock = threading.RLock()
        self._changes: list[DeviceStatus] = []
        self._next_probe: dict[int, float] = {}
        self._reopen_at = 0.0
        self._pause = reopen_after[0]

    def _configure_fake(self, device: FakeDevice, spec: PortSpec) -> None:
        """A subclass reads its fake's options (`fake://keypad?script=...`) here."""

    # ---------------------------------------------------------------- the port

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def _open(self) -> Port:
        if self._port is None:
            try:
                self._port = open_port(self.url, timeout=min(0.02, self.answer_timeout),
                                       baudrate=self._baudrate, write_timeout=1.0)
            except PortError as error:
                raise self._port_failed(error) from error
        return self._port

    def _port_failed(self, error: PortError) -> BusError:
        self._close()
        self.port_failures += 1
        self._reopen_at = time.monotonic() + self._pause
        self._pause = min(self._pause * 2, self.reopen_after[1])
        for address in self.addresses:
            self._set(address, "offline", f"the bus's port failed: {error.reason}")
        return BusError(self.url, error.reason)

    def reopen_in(self) -> float:
        """Seconds before the failed port is tried again (0: it may be tried now)."""
        return max(0.0, self._reopen_at - time.monotonic()) if self._port is None else 0.0

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except PortError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- exchanges

    def exchange(self, frame: bytes, address: int, command: int,
                 decode: Callable[[bytes], R], *, retries: int | None = None) -> R:
        """Send `frame` to `address` and return its reply to `command` (decoded, any status
        but BAD_FRAME, which is tried again). DeviceSilent, BusError."""
        if retries is None:
            offline = address in self.statuses and not self.statuses[address].ok
            retries = 0 if offline else self.retries
        try:
            with self._lock:
                return self._exchange(frame, address, command, decode, 1 + retries)
        finally:
            self._tell()

    def _exchange(self, frame: bytes, address: int, command: int,
                  decode: Callable[[bytes], R], tries: int) -> R:
        if self._port is None and self.reopen_in() > 0:
            raise BusError(self.url, f"the port failed; tried again in {self.reopen_in():.1f} s")
        reason = "no answer"
        for attempt in range(tries):
            if attempt:
                self.retried[address] += 1
            self.attempts[address] += 1
            port = self._open()
            try:
                port.discard_input()             # a late answer to an earlier request
                port.write(frame)
                reply, reason = self._answer(port, address, command, decode)
            except PortError as error:
                raise self._port_failed(error) from error
            if reply is not None:
                self._pause = self.reopen_after[0]
                self._set(address, "ok", "")
                return reply
        self._set(address, "offline", f"no answer at address {address} on {self.url} "
                                      f"({reason})")
        self._next_probe[address] = time.monotonic() + self.probe_seconds
        raise DeviceSilent(self.url, address, tries, reason, self.framing.device)

    def _answer(self, port: Port, address: int, command: int,
                decode: Callable[[bytes], R]) -> tuple[R | None, str]:
        buffer = FrameBuffer(self.framing)
        deadline = time.monotonic() + self.answer_timeout
        while time.monotonic() < deadline:
            data = port.read(buffer.needed)
            for frame in buffer.feed(data):
                try:
                    reply = decode(frame)
                except FrameError:
                    continue                     # our own request echoed by the adapter
                if (reply.address, reply.command) != (address, command):
                    continue                     # a late reply, another device's
                if reply.status == BAD_FRAME:
                    return None, f"the {self.framing.device} got a garbled request"
                return reply, ""
            if buffer.garbled and not data and not buffer.pending:
                # noise, then the line fell quiet: no good answer follows it
                return None, f"garbled answer: {buffer.garbled[0]}"
        if buffer.pending:
            return None, f"truncated answer: {len(buffer.pending)} bytes, then nothing"
        return None, "no answer"

    # ---------------------------------------------------------------- statuses

    def _set(self, address: int, code: str, detail: str) -> None:
        status = DeviceStatus(address, code, detail)
        if self.statuses.get(address) != status:
            self.statuses[address] = status
            self._changes.append(status)
            (log.info if code == "ok" else log.warning)(
                "%s, %s %d: %s%s", self.url, self.framing.device, address, code,
                f" ({detail})" if detail else "")

    def _tell(self) -> None:
        with self._lock:
            changes, self._changes = self._changes, []
        for status in changes:
            if self.on_status is not None:
                try:
                    self.on_status(status)
                except Exception:        # a bridge's bug must not stop the bus
                    log.exception("on_status failed for %s", status)

    # ---------------------------------------------------------------- polling

    def due(self, address: int) -> bool:
        """Whether a round polls `address` now: always, unless it is offline and its next
        probe is not yet due."""
        status = self.statuses.get(address)
        if status is None or status.ok or status.detail.startswith("the bus's port"):
            return True
        return time.monotonic() >= self._next_probe.get(address, 0.0)

    def sweep(self, poll: Callable[[int], list[T]]) -> list[T]:
        """One round: `poll(address)` for every address due; a silent address is marked
        and passed over, a failed port ends the round. Never raises DeviceSilent or
        BusError."""
        found: list[T] = []
        for address in self.addresses:
            if not self.due(address):
                continue
            try:
                found += poll(address)
            except DeviceSilent:
                continue
            except BusError:
                break
        return found

    def rounds(self, poll: Callable[[int], list[T]], stop: threading.Event | None = None,
               each_round: Callable[[], list[T]] | None = None) -> Iterator[T]:
        """Poll round after round (at most one each `round_seconds`) until `stop` is set,
        yielding what each round found (after what `each_round()` gives, which is asked
        even while the port is down); a failed port is waited out and opened again."""
        stop = stop or threading.Event()
        while not stop.is_set():
            began = time.monotonic()
            if each_round is not None:
                yield from each_round()
            if self.reopen_in() > 0:
                stop.wait(min(self.reopen_in(), 0.5))
                continue
            yield from self.sweep(poll)
            stop.wait(max(0.0, self.round_seconds - (time.monotonic() - began)))


def _url_address(spec: PortSpec) -> tuple[int, ...]:
    text = spec.options.get("address", "1")
    if not text.isdigit():
        raise ValueError(f"{spec.url}: address={text!r} is not a number (1-254)")
    return (int(text),)

