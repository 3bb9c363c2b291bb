"""hardware.rating_pad: the frames byte by byte and as properties, a pad played on the
far side of a real pty (a whole rating with a reason, an invitation that times out, a
pad that goes silent, a cable pulled), and the shipped fake."""
from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.ports import reset_fakes
from hardware.rating_pad import (
    ASK_REASON,
    IDLE,
    INVITE,
    MAX_REASONS,
    OK,
    POLL,
    THANK,
    BusError,
    EventKind,
    FrameError,
    Level,
    PadEvent,
    PadReply,
    PadRequest,
    PadSilent,
    RatingPad,
    RatingPadBus,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    fake_rating_pads,
    frame_buffer,
)
from tests.hardware.scripted_pty import ScriptedLine

REASONS = ["等候时间长", "态度不好", "材料要求不清", "办理太慢"]

# ------------------------------------------------------------------ bytes


def test_an_invitation_and_an_event_byte_by_byte():
    # A7 | address 1 | INVITE | 6 bytes | invitation 9, 30 s, "A012" | checksum | 5A
    invite = encode_request(1, INVITE, invitation=9, timeout=30, text="A012")
    assert invite == bytes.fromhex("a7 01 21 06 09 1e 41 30 31 32 23 5a")
    assert decode_request(invite) == PadRequest(1, INVITE, invitation=9, timeout=30,
                                                text="A012")
    # a poll's answer: ok, sequence 4, invitation 9, LEVEL, 2 (不满意)
    event = encode_reply(1, POLL, OK, 4, 9, EventKind.LEVEL, 2)
    assert event == bytes.fromhex("a7 01 a0 05 00 04 09 01 02 b6 5a")
    assert decode_reply(event) == PadReply(1, POLL, OK, 4, 9, EventKind.LEVEL, 2)
    assert encode_reply(1, INVITE) == bytes.fromhex("a7 01 a1 01 00 a3 5a")


def test_reasons_are_length_prefixed_gb2312():
    frame = encode_request(2, ASK_REASON, invitation=9, timeout=20, reasons=["慢", "乱"])
    assert frame[4:-2] == bytes.fromhex("09 14 02 02 c2fd 02 c2d2")
    assert decode_request(frame).reasons == ("慢", "乱")


def test_levels_are_the_documented_ones():
    assert [(level.value, level.bad) for level in Level] == [
        (5, False), (4, False), (3, False), (2, True), (1, True)]


def _raw(command: int, data: str, address: int = 1) -> bytes:
    """A frame with a right checksum around whatever `data` is (hex)."""
    body = bytes.fromhex(data)
    total = (address + command + len(body) + sum(body)) & 0xFF
    return bytes((0xA7, address, command, len(body))) + body + bytes((total, 0x5A))


@pytest.mark.parametrize(("frame", "says"), [
    (bytes.fromhex("a7 01 21 06 09 1e 41 30"), "truncated frame: 8 of its 12 bytes"),
    (bytes.fromhex("a7 01 21 06 09 1e 41 30 31 32 24 5a"), "checksum 24 does not match"),
    (bytes.fromhex("a6 01 21 00 22 5a"), "not a rating pad frame"),
    (_raw(INVITE, "09"), "invite without its invitation and seconds"),
    (_raw(INVITE, "00 1e 41"), "invite without its invitation and seconds"),
    (_raw(ASK_REASON, "09 14 00"), r"ask reason with 0 reasons \(1-6\)"),
    (_raw(ASK_REASON, "09 14 01 05 41"), "reason 1 runs past"),
    (_raw(ASK_REASON, "09 14 01 01 41 41"), "1 bytes after the last reason"),
    (_raw(THANK, "ff ff"), "not GB2312"),
    (_raw(0x29, ""), "unknown command 29"),
    (_raw(POLL | 0x80, "00"), "a reply"),
])
def test_a_bad_request_frame_says_what_is_wrong(frame, says):
    with pytest.raises(FrameError, match=says):
        decode_request(frame)


@pytest.mark.parametrize(("data", "says"), [
    ("00 04 09 04 01", "unknown event 04"),
    ("00 04 09 01 06", "level with value 6"),
    ("00 04 09 02 07", "reason with value 7"),
    ("00 00 09 01 02", "sequence or invitation 0"),
    ("00 04 09 01", "a poll reply with 4 data bytes"),
])
def test_a_bad_event_says_what_is_wrong(data, says):
    with pytest.raises(FrameError, match=says):
        decode_reply(_raw(POLL | 0x80, data))


def test_what_a_pad_cannot_take_is_refused():
    with pytest.raises(ValueError, match="1-6 reasons, not 7"):
        encode_request(1, ASK_REASON, invitation=1, timeout=9, reasons=["a"] * 7)
    with pytest.raises(ValueError, match="1-255 seconds, not 0"):
        encode_request(1, INVITE, invitation=1, timeout=0, text="A1")
    with pytest.raises(ValueError, match="at most 24"):
        encode_request(1, ASK_REASON, invitation=1, timeout=9, reasons=["慢" * 13])


# ------------------------------------------------------------------ properties

CHARACTERS = [chr(c) for c in range(0x20, 0x7F)] + list("谢等候时间长态度不好材料办理慢")
def _short(max_bytes):
    return st.text(st.sampled_from(CHARACTERS), max_size=12).filter(
        lambda text: len(text.encode("gb2312")) <= max_bytes)


addresses, numbers = st.integers(1, 254), st.integers(1, 255)
requests = st.one_of(
    st.builds(PadRequest, addresses, st.just(POLL), ack=st.integers(0, 255)),
    st.builds(PadRequest, addresses, st.just(INVITE), invitation=numbers, timeout=numbers,
              text=_short(16)),
    st.builds(PadRequest, addresses, st.just(ASK_REASON), invitation=numbers,
              timeout=numbers, reasons=st.lists(_short(24), min_size=1,
                                                max_size=MAX_REASONS).map(tuple)),
    st.builds(PadRequest, addresses, st.sampled_from([THANK, IDLE]), text=_short(32)))
events = st.sampled_from([(EventKind.LEVEL, v) for v in range(1, 6)]
                         + [(EventKind.REASON, v) for v in range(1, 7)]
                         + [(EventKind.TIMED_OUT, 0), (EventKind.TIMED_OUT, 1)])
replies = st.one_of(
    st.builds(lambda a, s, i, e: PadReply(a, POLL, OK, s, i, *e), addresses, numbers,
              numbers, events),
    st.builds(PadReply, addresses, st.sampled_from([POLL, INVITE, ASK_REASON, THANK, IDLE]),
              st.sampled_from([0, 1, 2, 3])))


def _encode(request: PadRequest) -> bytes:
    return encode_request(request.address, request.command, ack=request.ack,
                          invitation=request.invitation, timeout=request.timeout,
                          text=request.text, reasons=request.reasons)


def _reply_frame(reply: PadReply) -> bytes:
    return encode_reply(reply.address, reply.command, reply.status, reply.sequence,
                        reply.invitation, reply.event, reply.value)


@given(requests)
def test_a_request_round_trips(request):
    assert decode_request(_encode(request)) == request


@given(replies)
def test_a_reply_round_trips(reply):
    assert decode_reply(_reply_frame(reply)) == reply


@given(st.one_of(requests.map(_encode), replies.map(_reply_frame)), st.data())
def test_any_one_byte_changed_or_cut_off_is_caught(frame, data):
    decode = decode_reply if frame[2] & 0x80 else decode_request
    at = data.draw(st.integers(0, len(frame) - 1))
    changed = bytearray(frame)
    changed[at] = data.draw(st.integers(0, 255).filter(lambda b: b != frame[at]))
    with pytest.raises(FrameError):
        decode(bytes(changed))
    with pytest.raises(FrameError):
        decode(frame[:data.draw(st.integers(0, len(frame) - 1))])


# ------------------------------------------------------------------ a pad on a pty

class ScriptedPad:
    """A pad on the far side of a real pty, played with the module's own frames. The
    test presses its buttons with `events` (each kept until acknowledged); `silent`
    makes it stop answering; `shown` is what it was last told to show."""

    def __init__(self, tmp_path) -> None:
        self.events: list[tuple[int, int, int, int]] = []
        self.requests: list[PadRequest] = []
        self.silent = False
        self.answering = {1}
        self.line = ScriptedLine(tmp_path / "ttyPAD", frame_buffer().framing, self._answer)

    def send(self, *event) -> None:
        with self.line.changed:
            self.events.append(event)

    def _answer(self, frame: bytes) -> bytes:
        request = decode_request(frame)
        with self.line.changed:
            self.requests.append(request)
            if self.silent or request.address not in self.answering:
                return b""
            if request.command != POLL:
                return encode_reply(request.address, request.command)
            if self.events and self.events[0][0] == request.ack:
                self.events.pop(0)
            return encode_reply(request.address, POLL, OK, *self.events[0]) if self.events \
                else encode_reply(request.address, POLL)


@pytest.fixture
def pad(tmp_path):
    scripted = ScriptedPad(tmp_path)
    yield scripted
    scripted.line.close()


def _next_events(bus: RatingPadBus, count: int) -> list[PadEvent]:
    found: list[PadEvent] = []
    stop = threading.Event()
    watchdog = threading.Timer(10, stop.set)          # a test that fails, not one that hangs
    watchdog.start()
    for event in bus.events(stop):
        found.append(event)
        if len(found) == count:
            stop.set()
    watchdog.cancel()
    return found


def test_a_bad_rating_asks_for_a_reason_and_gets_it(pad):
    with RatingPad(pad.line.url, answer_timeout=0.3, round_seconds=0.01) as rating:
        invitation = rating.invite("A012", timeout=30)
        pad.send(1, invitation, EventKind.LEVEL, Level.DISSATISFIED)
        [level] = _next_events(rating.bus, 1)
        assert level == PadEvent(1, invitation, EventKind.LEVEL, 2)
        assert level.level is Level.DISSATISFIED and level.level.bad
        rating.ask_reason(invitation, REASONS, timeout=30)
        pad.send(2, invitation, EventKind.REASON, 3)
        [reason] = _next_events(rating.bus, 1)
        assert reason.reason == 3 and REASONS[reason.reason - 1] == "材料要求不清"
        rating.thank("谢谢")
        assert rating.bus.open_invitation(1) is None
        pad.send(3, invitation, EventKind.LEVEL, 5)              # pressed again: dropped
        assert rating.bus.poll(1) is None and rating.bus.stale_events == 1
    commands = [r.command for r in pad.requests if r.command != POLL]
    assert commands == [INVITE, ASK_REASON, THANK]
    assert pad.requests[0] == PadRequest(1, INVITE, invitation=invitation, timeout=30,
                                         text="A012")
    assert [r for r in pad.requests if r.command == ASK_REASON][0].reasons == tuple(REASONS)


def test_an_invitation_the_pad_gives_up_on_is_no_rating(pad):
    with RatingPad(pad.line.url, answer_timeout=0.3, round_seconds=0.01) as rating:
        invitation = rating.invite("A013", timeout=5)
        pad.send(1, invitation, EventKind.TIMED_OUT, 0)
        [event] = _next_events(rating.bus, 1)
    assert event.kind is EventKind.TIMED_OUT and event.by_pad
    assert event.level is None and event.reason is None          # none, not "good"


def test_a_pad_that_goes_silent_is_timed_out_by_the_bus(pad):
    seen = []
    with RatingPad(pad.line.url, answer_timeout=0.1, retries=0, round_seconds=0.01,
                   grace_seconds=0.0, probe_seconds=0.1, on_status=seen.append) as rating:
        invitation = rating.invite("A014", timeout=1)
        pad.silent = True
        [event] = _next_events(rating.bus, 1)
    assert event == PadEvent(1, invitation, EventKind.TIMED_OUT, 0, by_pad=False)
    assert [s.code for s in seen] == ["ok", "offline"]


def test_a_cable_pulled_fails_commands_and_the_pad_is_used_again(pad):
    with RatingPad(pad.line.url, answer_timeout=0.3, reopen_after=(0.05, 0.1)) as rating:
        rating.idle("3号窗口")
        pad.line.pull()
        with pytest.raises(BusError):
            rating.invite("A015")
        assert rating.bus.open_invitation(1) is None and rating.status.code == "offline"
        pad.line.plug_in()
        assert pad.line.wait_for(lambda: rating.bus.reopen_in() == 0, 5)
        invitation = rating.invite("A015")
        pad.send(1, invitation, EventKind.LEVEL, 5)
        assert _next_events(rating.bus, 1)[0].level is Level.VERY_SATISFIED


def test_pads_share_a_bus_by_address(pad):
    pad.answering = {1, 2}
    with RatingPadBus(pad.line.url, (1, 2, 3), answer_timeout=0.2, retries=0) as bus:
        first, second = bus.invite(1, "A016"), bus.invite(2, "A017")
        with pytest.raises(PadSilent):
            bus.invite(3, "A018")                        # nobody at address 3
        assert bus.open_invitation(3) is None
        pad.send(1, first % 255 + 1, EventKind.LEVEL, 4)
        assert bus.poll(1) is None                     # not the invitation open there
        assert (bus.poll(2), bus.open_invitation(1), bus.open_invitation(2)) == \
            (None, first, second)
    assert {r.address for r in pad.requests} == {1, 2, 3}


# ------------------------------------------------------------------ the shipped fake

def test_the_fake_pad_rates_and_gives_up():
    reset_fakes()
    fake = fake_rating_pads("pad-test")
    with RatingPad("fake://pad-test?address=3", answer_timeout=0.05,
                   round_seconds=0.01) as rating:
        assert not fake.press(3, 4)                  # not inviting: the button does nothing
        invitation = rating.invite("A020", timeout=1)
        assert fake.pads[3].showing == "invite" and fake.pads[3].text == "A020"
        assert fake.press(3, 1) and not fake.press(3, 5)     # one press an invitation
        assert _next_events(rating.bus, 1)[0].level is Level.VERY_DISSATISFIED
        rating.ask_reason(invitation, REASONS)
        assert fake.pads[3].reasons == tuple(REASONS) and fake.choose(3, 2)
        assert _next_events(rating.bus, 1)[0].reason == 2
        rating.thank("谢谢")
        rating.invite("A021", timeout=1)             # nobody presses: the pad gives up
        [event] = _next_events(rating.bus, 1)
        assert event.kind is EventKind.TIMED_OUT and event.by_pad
    with RatingPad("fake://pad-auto?level=2&reason=1", answer_timeout=0.05) as rating:
        invitation = rating.invite("A022")
        assert _next_events(rating.bus, 1)[0].level is Level.DISSATISFIED
        rating.ask_reason(invitation, REASONS)
        assert _next_events(rating.bus, 1)[0].reason == 1
        fake_rating_pads("pad-auto").unplug()
        with pytest.raises(BusError):
            rating.thank("谢谢")
    reset_fakes()
