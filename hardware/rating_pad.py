"""好差评 rating pads: five buttons and a small screen at each window.

    pad = RatingPad("serial:///dev/ttyUSB2")     # address 1, or the URL's ?address=N
    invitation = pad.invite("A012", timeout=30)  # shows A012; the pad gives up after 30 s
    for event in pad.events(stop):               # PadEvent(address, invitation, kind, value)
        ...  # LEVEL: event.level (bad: pad.ask_reason(invitation, reasons)); REASON:
             # event.reason (1-based); TIMED_OUT: no rating, never "good"; pad.thank("谢谢")

Pads have RS-485 addresses, so they may share a bus (`RatingPadBus(url, addresses)`) or
have a port each (`RatingPad`); the bridge polls, as with the keypads (`A7` frames, a
sequenced event kept until acknowledged; docs/hardware.md). The bus keeps each
address's open invitation: an event for an invitation not open (a second press, a press
from before a restart) is dropped, so a service is rated at most once, and an
invitation whose pad stays silent past `timeout + grace_seconds` is reported TIMED_OUT
by the bus (`by_pad=False`). `fake://NAME` is `FakeRatingPads` (`?level=N&reason=M`
rates every invitation at once, for the demo).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from hardware.fakes import FakeDevice
from hardware.ports import PortSpec, fake
from hardware.rs485 import (
    BAD_FRAME,
    BAD_TEXT,
    OK,
    REPLY,
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
    "START", "POLL", "INVITE", "ASK_REASON", "THANK", "IDLE", "COMMANDS", "MAX_REASONS",
    "MAX_REASON_BYTES", "MAX_NUMBER_BYTES", "MAX_TEXT_BYTES", "OK", "BAD_FRAME",
    "UNKNOWN_COMMAND", "BAD_TEXT", "FRAMING", "Level", "EventKind", "FrameError",
    "PadRequest", "PadReply", "PadEvent", "encode_request", "decode_request",
    "encode_reply", "decode_reply", "frame_buffer", "PadSilent", "BusError", "DeviceStatus",
    "RatingPadBus", "RatingPad", "FakeRatingPads", "fake_rating_pads",
]

log = logging.getLogger("yichuang.rating_pad")

START = 0xA7
POLL, INVITE, ASK_REASON, THANK, IDLE = 0x20, 0x21, 0x22, 0x23, 0x24
COMMANDS = {POLL: "poll", INVITE: "invite", ASK_REASON: "ask reason", THANK: "thank",
            IDLE: "idle"}
MAX_REASONS = 6
MAX_REASON_BYTES = 24          # 12 Hanzi a reason
MAX_NUMBER_BYTES = 16          # the ticket number shown with an invitation
MAX_TEXT_BYTES = 32            # THANK and IDLE
FRAMING = Framing(START, 3 + MAX_REASONS * (1 + MAX_REASON_BYTES), "rating pad")
PadSilent = DeviceSilent


class Level(IntEnum):
    """The five buttons, with the level each gives (core.actions.ratings.LEVELS)."""

    VERY_SATISFIED = 5        # 非常满意
    SATISFIED = 4             # 满意
    BASICALLY_SATISFIED = 3   # 基本满意
    DISSATISFIED = 2          # 不满意
    VERY_DISSATISFIED = 1     # 非常不满意

    @property
    def bad(self) -> bool:
        """不满意 and 非常不满意 ask for a reason."""
        return self <= Level.DISSATISFIED


class EventKind(IntEnum):
    LEVEL = 0x01              # value: the level, 1-5
    REASON = 0x02             # value: the reason's number, 1-6
    TIMED_OUT = 0x03          # value: 0 no level came, 1 no reason came


@dataclass(frozen=True)
class PadRequest:
    address: int
    command: int
    ack: int = 0                          # POLL
    invitation: int = 0                   # INVITE, ASK_REASON
    timeout: int = 0                      # INVITE, ASK_REASON: seconds, 1-255
    text: str = ""                        # INVITE: the ticket number; THANK, IDLE
    reasons: tuple[str, ...] = ()         # ASK_REASON


@dataclass(frozen=True)
class PadReply:
    address: int
    command: int                          # the request's command (without REPLY)
    status: int = OK
    sequence: int = 0                     # POLL: 0 = no event
    invitation: int = 0
    event: int = 0                        # an EventKind's code
    value: int = 0


@dataclass(frozen=True)
class PadEvent:
    address: int
    invitation: int
    kind: EventKind
    value: int
    by_pad: bool = True                   # False: the bus gave up on a silent pad

    @property
    def level(self) -> Level | None:
        return Level(self.value) if self.kind is EventKind.LEVEL else None

    @property
    def reason(self) -> int | None:
        """The chosen reason's number, 1 for the first one offered."""
        return self.value if self.kind is EventKind.REASON else None


# ------------------------------------------------------------------ frames (pure)

def _seconds(timeout: int) -> int:
    if not 1 <= timeout <= 255:
        raise ValueError(f"a pad's timeout is 1-255 seconds, not {timeout}")
    return timeout


def _invitation(invitation: int) -> int:
    if not 1 <= invitation <= 255:
        raise ValueError(f"an invitation is numbered 1-255, not {invitation}")
    return invitation


def encode_request(address: int, command: int, *, ack: int = 0, invitation: int = 0,
                   timeout: int = 0, text: str = "", reasons: Sequence[str] = ()) -> bytes:
    """A request frame; ValueError (TextError for text) for what a pad cannot take."""
    if command == POLL:
        data = bytes((ack,))
    elif command == INVITE:
        data = (bytes((_invitation(invitation), _seconds(timeout)))
                + encode_text(text, MAX_NUMBER_BYTES))
    elif command == ASK_REASON:
        if not 1 <= len(reasons) <= MAX_REASONS:
            raise ValueError(f"1-{MAX_REASONS} reasons, not {len(reasons)}")
        data = bytes((_invitation(invitation), _seconds(timeout), len(reasons)))
        for reason in reasons:
            encoded = encode_text(reason, MAX_REASON_BYTES)
            data += bytes((len(encoded),)) + encoded
    elif command in (THANK, IDLE):
        data = encode_text(text, MAX_TEXT_BYTES)
    else:
        raise ValueError(f"unknown command {command:#04x}")
    return FRAMING.frame(address, command, data)


def decode_request(frame: bytes) -> PadRequest:
    """The request a frame holds; FrameError if it is not a correct request frame."""
    address, command, data = FRAMING.checked(frame)
    if command & REPLY:
        raise FrameError(f"a reply ({command:02X}), not a request")
    if command == POLL:
        if len(data) != 1:
            raise FrameError(f"a poll with {len(data)} data bytes, not 1")
        return PadRequest(address, POLL, ack=data[0])
    if command in (THANK, IDLE):
        return PadRequest(address, command, text=_text(data, MAX_TEXT_BYTES))
    if command not in (INVITE, ASK_REASON):
        raise FrameError(f"unknown command {command:02X}")
    if len(data) < 2 or not data[0] or not data[1]:
        raise FrameError(f"{COMMANDS[command]} without its invitation and seconds")
    invitation, timeout = data[0], data[1]
    if command == INVITE:
        return PadRequest(address, INVITE, invitation=invitation, timeout=timeout,
                          text=_text(data[2:], MAX_NUMBER_BYTES))
    if len(data) < 3 or not 1 <= data[2] <= MAX_REASONS:
        raise FrameError(f"ask reason with {data[2] if len(data) > 2 else 'no'} reasons "
                         f"(1-{MAX_REASONS})")
    reasons, at = [], 3
    for _ in range(data[2]):
        if at >= len(data) or at + 1 + data[at] > len(data):
            raise FrameError(f"reason {len(reasons) + 1} runs past the frame's data")
        reasons.append(_text(data[at + 1:at + 1 + data[at]], MAX_REASON_BYTES))
        at += 1 + data[at]
    if at != len(data):
        raise FrameError(f"{len(data) - at} bytes after the last reason")
    return PadRequest(address, ASK_REASON, invitation=invitation, timeout=timeout,
                      reasons=tuple(reasons))


def _text(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise FrameError(f"{len(data)} text bytes; at most {max_bytes}")
    return decode_text(data)


_VALUES = {EventKind.LEVEL: range(1, 6), EventKind.REASON: range(1, MAX_REASONS + 1),
           EventKind.TIMED_OUT: range(0, 2)}


def encode_reply(address: int, command: int, status: int = OK, sequence: int = 0,
                 invitation: int = 0, event: int = 0, value: int = 0) -> bytes:
    """A pad's reply: its status; POLL's also its event (sequence, invitation, kind,
    value) if it has one."""
    data = bytes((status,))
    if command == POLL and status == OK and sequence:
        data += bytes((sequence, invitation, event, value))
    return FRAMING.frame(address, command | REPLY, data)


def decode_reply(frame: bytes) -> PadReply:
    """The reply a frame holds; FrameError if it is not a correct reply frame (an
    unknown event, a level outside 1-5 ...)."""
    address, command, data = FRAMING.checked(frame)
    if not command & REPLY:
        raise FrameError(f"a request ({command:02X}), not a reply")
    command &= ~REPLY
    if command not in COMMANDS:
        raise FrameError(f"a reply to unknown command {command:02X}")
    if not data:
        raise FrameError("a reply without its status byte")
    if command == POLL and data[0] == OK and len(data) != 1:
        if len(data) != 5:
            raise FrameError(f"a poll reply with {len(data)} data bytes (1 or 5)")
        sequence, invitation, event, value = data[1:]
        if not sequence or not invitation:
            raise FrameError("an event with sequence or invitation 0")
        if event not in _VALUES:
            raise FrameError(f"unknown event {event:02X}")
        if value not in _VALUES[EventKind(event)]:
            raise FrameError(f"{EventKind(event).name.lower()} with value {value}")
        return PadReply(address, POLL, OK, sequence, invitation, event, value)
    if len(data) != 1:
        raise FrameError(f"a reply to {COMMANDS[command]} with {len(data)} data bytes")
    return PadReply(address, command, data[0])


def frame_buffer() -> FrameBuffer:
    return FrameBuffer(FRAMING)


# ------------------------------------------------------------------ the fake pads

@dataclass
class _FakePad:
    showing: str = "idle"                 # idle, invite, reasons, thanks
    text: str = ""
    reasons: tuple[str, ...] = ()
    invitation: int = 0
    until: float = 0.0
    events: list[tuple[int, int, int, int]] = field(default_factory=list)
    sequence: int = 0


class FakeRatingPads(FakeDevice):
    """The far end of `fake://NAME`: a pad answers at every address (but `silent`).
    `press(address, level)` and `choose(address, number)` are the citizen; the pad
    gives up on its own after the seconds it was sent. `auto_level`/`auto_reason` rate
    every invitation at once. `pads[address].showing/text/reasons` is what it shows."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.silent: set[int] = set()
        self.pads: dict[int, _FakePad] = {}
        self.requests: list[PadRequest] = []
        self.auto_level: int | None = None
        self.auto_reason: int | None = None
        self._frames = frame_buffer()

    def press(self, address: int, level: int) -> bool:
        """A button pressed; False when the pad was not inviting (it ignores it)."""
        with self._changed:
            return self._event(address, "invite", EventKind.LEVEL, Level(level))

    def choose(self, address: int, number: int) -> bool:
        with self._changed:
            return self._event(address, "reasons", EventKind.REASON, number)

    def _event(self, address: int, showing: str, kind: EventKind, value: int) -> bool:
        pad = self.pads.setdefault(address, _FakePad())
        if pad.showing != showing or (kind is EventKind.REASON
                                      and not 1 <= value <= len(pad.reasons)):
            return False
        pad.sequence = pad.sequence % 255 + 1
        pad.events.append((pad.sequence, pad.invitation, kind, value))
        pad.showing = "wait"
        return True

    def record(self, data: bytes) -> int:
        written = super().record(data)
        for frame in self._frames.feed(data):
            try:
                request = decode_request(frame)
            except FrameError:
                continue
            self.requests.append(request)
            if request.address not in self.silent:
                with self._changed:
                    answer = self._answer(request)
                self.feed(answer)
        return written

    def _answer(self, request: PadRequest) -> bytes:
        pad = self.pads.setdefault(request.address, _FakePad())
        if request.command == POLL:
            if pad.showing in ("invite", "reasons") and time.monotonic() >= pad.until:
                self._event(request.address, pad.showing, EventKind.TIMED_OUT,
                            int(pad.showing == "reasons"))
            if pad.events and pad.events[0][0] == request.ack:
                pad.events.pop(0)
            if pad.events:
                return encode_reply(request.address, POLL, OK, *pad.events[0])
            return encode_reply(request.address, POLL)
        pad.text, pad.reasons, pad.invitation = request.text, request.reasons, request.invitation
        pad.until = time.monotonic() + request.timeout
        pad.showing = {INVITE: "invite", ASK_REASON: "reasons", THANK: "thanks"}.get(
            request.command, "idle")
        log.info("rating pad %s, %d (%s): %s", self.name, request.address,
                 COMMANDS[request.command], " / ".join(request.reasons) or request.text)
        if pad.showing == "invite" and self.auto_level is not None:
            self._event(request.address, "invite", EventKind.LEVEL, self.auto_level)
        if pad.showing == "reasons" and self.auto_reason is not None:
            self._event(request.address, "reasons", EventKind.REASON, self.auto_reason)
        return encode_reply(request.address, request.command)


def fake_rating_pads(name: str) -> FakeRatingPads:
    """The fake pads `fake://NAME` reaches (created on first use)."""
    device = fake(name, FakeRatingPads)
    assert isinstance(device, FakeRatingPads)
    return device


# ------------------------------------------------------------------ the bus

@dataclass
class _Open:
    invitation: int
    phase: str                    # "level", "rated" (waiting for the bridge), "reason"
    deadline: float | None


class RatingPadBus(PolledBus):
    """The master of pads on one port (hardware.rs485.PolledBus gives the timeouts,
    retries, statuses and reopening). Commands raise PadSilent or BusError; `events()`
    is the bridge's loop and never raises for them."""

    framing = FRAMING
    fake_kind = FakeRatingPads

    def __init__(self, url: str, addresses=(), *, grace_seconds: float = 3.0,
                 **options) -> None:
        super().__init__(url, addresses, **options)
        self.grace_seconds = grace_seconds
        self.stale_events = 0
        self._seen: dict[int, int] = {}
        self._invitations: dict[int, _Open] = {}
        self._numbers: dict[int, int] = {}

    def _configure_fake(self, device: FakeDevice, spec: PortSpec) -> None:
        assert isinstance(device, FakeRatingPads)
        for option in ("level", "reason"):
            if option in spec.options:
                setattr(device, f"auto_{option}", int(spec.options[option]))

    def _send(self, address: int, command: int, **fields) -> PadReply:
        frame = encode_request(address, command, **fields)
        return self.exchange(frame, address, command, decode_reply)

    def invite(self, address: int, number: str, timeout: int = 30) -> int:
        """Invite a rating of the service of ticket `number`; returns the invitation's
        number, which its events carry. Whatever was open at the pad is dropped."""
        invitation = self._numbers.get(address, int(time.time()) % 255) % 255 + 1
        self._numbers[address] = invitation
        # open before sending: the pad may answer at the very next poll, from another thread
        self._invitations[address] = _Open(invitation, "level", self._deadline(timeout))
        try:
            self._send(address, INVITE, invitation=invitation, timeout=timeout,
                       text=fit_text(number, MAX_NUMBER_BYTES))
        except Exception:
            self._invitations.pop(address, None)
            raise
        return invitation

    def ask_reason(self, address: int, invitation: int, reasons: Sequence[str],
                   timeout: int = 30) -> None:
        """After a bad level: show `reasons` (the first MAX_REASONS, fitted) as choices."""
        shown = [fit_text(reason, MAX_REASON_BYTES) for reason in reasons[:MAX_REASONS]]
        self._invitations[address] = _Open(invitation, "reason", self._deadline(timeout))
        self._send(address, ASK_REASON, invitation=invitation, timeout=timeout,
                   reasons=shown)

    def thank(self, address: int, text: str) -> None:
        """Show `text` (谢谢) and close the invitation; the pad goes idle by itself."""
        self._invitations.pop(address, None)
        self._send(address, THANK, text=fit_text(text, MAX_TEXT_BYTES))

    def idle(self, address: int, text: str) -> None:
        self._invitations.pop(address, None)
        self._send(address, IDLE, text=fit_text(text, MAX_TEXT_BYTES))

    def open_invitation(self, address: int) -> int | None:
        opened = self._invitations.get(address)
        return opened.invitation if opened else None

    def _deadline(self, timeout: int) -> float:
        return time.monotonic() + timeout + self.grace_seconds

    def poll(self, address: int, *, retries: int | None = None) -> PadEvent | None:
        """Ask `address` for its event; None when it has none, repeats one already
        received, or its event is for an invitation not open (dropped, counted)."""
        frame = encode_request(address, POLL, ack=self._seen.get(address, 0))
        try:
            reply = self.exchange(frame, address, POLL, decode_reply, retries=retries)
        except DeviceSilent:
            self._seen.pop(address, None)
            raise
        if not reply.sequence or self._seen.get(address) == reply.sequence:
            return None
        self._seen[address] = reply.sequence
        event = PadEvent(address, reply.invitation, EventKind(reply.event), reply.value)
        opened = self._invitations.get(address)
        wanted = {EventKind.LEVEL: ("level",), EventKind.REASON: ("reason",),
                  EventKind.TIMED_OUT: ("level", "reason")}[event.kind]
        if opened is None or opened.invitation != event.invitation or \
                opened.phase not in wanted:
            self.stale_events += 1
            log.warning("%s, pad %d: %s for invitation %d, which is not open; dropped",
                        self.url, address, event.kind.name.lower(), event.invitation)
            return None
        if event.kind is EventKind.LEVEL:
            self._invitations[address] = _Open(event.invitation, "rated", None)
        else:
            del self._invitations[address]
        return event

    def expired(self) -> list[PadEvent]:
        """TIMED_OUT for each open invitation whose pad has said nothing past its time."""
        now, found = time.monotonic(), []
        for address, opened in list(self._invitations.items()):
            if opened.deadline is not None and now >= opened.deadline:
                del self._invitations[address]
                found.append(PadEvent(address, opened.invitation, EventKind.TIMED_OUT,
                                      int(opened.phase == "reason"), by_pad=False))
        return found

    def events(self, stop: threading.Event | None = None) -> Iterator[PadEvent]:
        """Every event of every pad on the bus until `stop` is set."""
        def poll(address: int) -> list[PadEvent]:
            event = self.poll(address)
            return [] if event is None else [event]
        return self.rounds(poll, stop, self.expired)


class RatingPad:
    """One pad on its own port (address 1, or the URL's `address=`): the bus's
    commands without the address."""

    def __init__(self, url: str, **options) -> None:
        self.bus = RatingPadBus(url, **options)
        self.address = self.bus.addresses[0]

    def invite(self, number: str, timeout: int = 30) -> int:
        return self.bus.invite(self.address, number, timeout)

    def ask_reason(self, invitation: int, reasons: Sequence[str], timeout: int = 30) -> None:
        self.bus.ask_reason(self.address, invitation, reasons, timeout)

    def thank(self, text: str) -> None:
        self.bus.thank(self.address, text)

    def idle(self, text: str) -> None:
        self.bus.idle(self.address, text)

    def events(self, stop: threading.Event | None = None) -> Iterator[PadEvent]:
        return self.bus.events(stop)

    @property
    def status(self) -> DeviceStatus | None:
        return self.bus.statuses.get(self.address)

    def close(self) -> None:
        self.bus.close()

    def __enter__(self) -> RatingPad:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
