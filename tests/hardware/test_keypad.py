"""hardware.keypad: the frames byte by byte and as properties, keypads played on the far
side of a real pty (several addresses, one silent, some garbling their answers, noise
and strangers on the line), a cable pulled and put back, and the shipped fake."""
from __future__ import annotations

import logging
import threading
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.keypad import (
    BAD_FRAME,
    MAX_TEXT_BYTES,
    OK,
    POLL,
    SHOW,
    BusError,
    DeviceStatus,
    FrameError,
    Key,
    KeypadBus,
    KeypadReply,
    KeypadRequest,
    KeypadSilent,
    KeyPress,
    Style,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    fake_keypads,
    fit_screen_text,
    frame_buffer,
    read_script,
)
from hardware.led_screen import encode_request as led_request
from hardware.ports import reset_fakes
from hardware.rs485 import TextError
from tests.hardware.scripted_pty import ScriptedLine

# ------------------------------------------------------------------ bytes

def test_a_poll_and_its_answers_byte_by_byte():
    # A6 | address 3 | POLL | 1 byte | acknowledged sequence 0 | checksum | 5A
    assert encode_request(3, POLL) == bytes.fromhex("a6 03 10 01 00 14 5a")
    assert encode_request(3, POLL, ack=7) == bytes.fromhex("a6 03 10 01 07 1b 5a")
    # nothing pressed: status ok only; a press: status, sequence 7, key 01 (call next)
    assert encode_reply(3, POLL) == bytes.fromhex("a6 03 90 01 00 94 5a")
    press = encode_reply(3, POLL, OK, 7, Key.CALL_NEXT)
    assert press == bytes.fromhex("a6 03 90 03 00 07 01 9e 5a")
    assert decode_reply(press) == KeypadReply(3, POLL, OK, 7, Key.CALL_NEXT)
    assert decode_reply(press).key is Key.CALL_NEXT


def test_a_show_frame_byte_by_byte():
    frame = encode_request(2, SHOW, style=Style.CALLED, text="A012")
    assert frame == bytes.fromhex("a6 02 11 05 01 41 30 31 32 ed 5a")
    assert decode_request(frame) == KeypadRequest(2, SHOW, style=Style.CALLED, text="A012")
    assert decode_request(encode_request(2, SHOW, style=Style.ERROR, text="无人等候")).text \
        == "无人等候"
    assert encode_reply(2, SHOW) == bytes.fromhex("a6 02 91 01 00 94 5a")


def test_key_codes_are_the_documented_ones():
    assert [(key.name, key.value) for key in Key] == [
        ("CALL_NEXT", 1), ("RECALL", 2), ("START", 3), ("FINISH", 4), ("NO_SHOW", 5),
        ("PAUSE", 6), ("RESUME", 7), ("TRANSFER", 8), ("EVALUATE", 9)]


@pytest.mark.parametrize(("frame", "says"), [
    (b"", "no bytes"),
    (bytes.fromhex("a6 03 10"), "truncated frame: 3 bytes"),
    (bytes.fromhex("a6 02 11 05 01 41 30"), "truncated frame: 7 of its 11 bytes"),
    (bytes.fromhex("a6 03 10 01 00 15 5a"), "checksum 15 does not match"),
    (bytes.fromhex("a6 03 10 01 00 14 00"), "no end byte"),
    (bytes.fromhex("a5 03 10 01 00 14 5a"), "not a keypad frame: it starts A5"),
    (bytes.fromhex("a6 03 10 01 00 14 5a 5a"), "1 bytes after the frame's end"),
    (bytes.fromhex("a6 00 10 01 00 11 5a"), "address 0"),
    (bytes.fromhex("a6 03 12 00 15 5a"), "unknown command 12"),
    (bytes.fromhex("a6 03 10 00 13 5a"), "a poll with 0 data bytes"),
    (bytes.fromhex("a6 03 11 00 14 5a"), "without its style byte"),
    (bytes.fromhex("a6 03 11 01 07 1c 5a"), "unknown style 07"),
    (bytes.fromhex("a6 03 11 03 00 ff ff 15 5a"), "not GB2312 at byte 0"),
    (bytes.fromhex("a6 03 11 ff") + bytes(257), "length 255 is more than a frame holds"),
    (encode_reply(3, POLL), "a reply (90), not a request"),
])
def test_a_bad_request_frame_says_what_is_wrong(frame, says):
    with pytest.raises(FrameError, match=says.replace("(", r"\(").replace(")", r"\)")):
        decode_request(frame)


def test_a_bad_reply_frame_says_what_is_wrong():
    with pytest.raises(FrameError, match="a request"):
        decode_reply(encode_request(3, POLL))
    with pytest.raises(FrameError, match="without its status byte"):
        decode_reply(bytes.fromhex("a6 03 90 00 93 5a"))
    with pytest.raises(FrameError, match="a poll reply with 2 data bytes"):
        decode_reply(bytes.fromhex("a6 03 90 02 00 07 9c 5a"))
    with pytest.raises(FrameError, match="sequence 0"):
        decode_reply(bytes.fromhex("a6 03 90 03 00 00 01 97 5a"))
    with pytest.raises(FrameError, match="a reply to show with 2 data bytes"):
        decode_reply(bytes.fromhex("a6 03 91 02 00 00 96 5a"))
    with pytest.raises(FrameError, match="unknown command 15"):
        decode_reply(bytes.fromhex("a6 03 95 01 00 99 5a"))


def test_an_unknown_key_is_kept_not_a_frame_error():
    reply = decode_reply(encode_reply(4, POLL, OK, 1, 0x42))
    assert (reply.key_code, reply.key) == (0x42, None)


def test_screen_text_gb2312_lacks_is_refused_by_name_or_fitted():
    with pytest.raises(TextError, match=r"'䶮' \(U\+4DAE\) at position 1"):
        encode_request(1, SHOW, text="王䶮")
    with pytest.raises(TextError, match="34 bytes in GB2312; at most 32"):
        encode_request(1, SHOW, text="号" * 17)
    assert fit_screen_text("王䶮") == "王□"
    assert fit_screen_text("A" + "号" * 20) == "A" + "号" * 15
    with pytest.raises(ValueError, match="address 255"):
        encode_request(255, POLL)
    with pytest.raises(ValueError, match="no text"):
        encode_request(1, POLL, text="x")


# ------------------------------------------------------------------ properties

GB2312 = [chr(c) for c in range(0x20, 0x7F)] + list("请号窗口暂停无人等候办理中过重呼转移评价谢")
texts = st.text(st.sampled_from(GB2312), max_size=20).filter(
    lambda text: len(text.encode("gb2312")) <= MAX_TEXT_BYTES)
addresses = st.integers(1, 254)
requests = st.one_of(
    st.builds(KeypadRequest, addresses, st.just(POLL), ack=st.integers(0, 255)),
    st.builds(KeypadRequest, addresses, st.just(SHOW), style=st.sampled_from(list(Style)),
              text=texts))
replies = st.one_of(
    st.builds(KeypadReply, addresses, st.just(POLL), st.just(OK), st.integers(1, 255),
              st.integers(0, 255)),
    st.builds(KeypadReply, addresses, st.sampled_from([POLL, SHOW]),
              st.sampled_from([OK, BAD_FRAME, 2, 3])))


def _encode(request: KeypadRequest) -> bytes:
    if request.command == POLL:
        return encode_request(request.address, POLL, ack=request.ack)
    return encode_request(request.address, SHOW, style=request.style, text=request.text)


@given(requests)
def test_a_request_round_trips(request):
    assert decode_request(_encode(request)) == request


@given(replies)
def test_a_reply_round_trips(reply):
    frame = encode_reply(reply.address, reply.command, reply.status, reply.sequence,
                         reply.key_code)
    assert decode_reply(frame) == reply


@given(replies, st.data())
def test_any_one_byte_changed_or_cut_off_is_caught(reply, data):
    frame = encode_reply(reply.address, reply.command, reply.status, reply.sequence,
                         reply.key_code)
    at = data.draw(st.integers(0, len(frame) - 1))
    changed = bytearray(frame)
    changed[at] = data.draw(st.integers(0, 255).filter(lambda b: b != frame[at]))
    with pytest.raises(FrameError):
        decode_reply(bytes(changed))
    with pytest.raises(FrameError):
        decode_reply(frame[:data.draw(st.integers(0, len(frame) - 1))])


@given(st.lists(requests, min_size=1, max_size=5),
       st.lists(st.binary(max_size=4).map(lambda b: b.replace(b"\xa6", b"")), min_size=6,
                max_size=6),
       st.lists(st.integers(1, 30), max_size=10))
def test_frames_come_out_of_any_stream_whatever_the_noise_and_the_chunks(frames, noise, cuts):
    between = noise[:len(frames)] + noise[-1:]
    stream = b"".join(n + _encode(f) for n, f in zip(between, frames)) + between[-1]
    buffer, found, at = frame_buffer(), [], 0
    for cut in cuts + [len(stream)]:
        found += buffer.feed(stream[at:at + cut])
        at += cut
    assert [decode_request(frame) for frame in found] == frames
    assert buffer.garbled == [] and buffer.noise == sum(map(len, between))


# ------------------------------------------------------------------ keypads on a pty

class ScriptedKeypads:
    """Keypads on the far side of a real pty, answering with the module's own frames.

    `answering` are the addresses that answer; `queued[address]` the presses a keypad
    holds (sequence, key code), each kept until a poll acknowledges it; `misbehave
    [address]` one-shot faults used in order: "corrupt" (a bad checksum), "truncate"
    (half a reply), "silent", "noise" (garbage and a stranger's frame before the reply).
    """

    def __init__(self, tmp_path, answering: set[int]) -> None:
        self.answering = set(answering)
        self.queued: dict[int, list[tuple[int, int]]] = {}
        self.misbehave: dict[int, list[str]] = {}
        self.requests: list[KeypadRequest] = []
        self.shown: dict[int, tuple[int, str]] = {}
        self.line = ScriptedLine(tmp_path / "ttyKEYS", frame_buffer().framing, self._answer)

    def press(self, address: int, key: int, sequence: int) -> None:
        with self.line.changed:
            self.queued.setdefault(address, []).append((sequence, key))

    def count(self, address: int) -> int:
        return Counter(r.address for r in self.requests)[address]

    def _answer(self, frame: bytes) -> bytes:
        request = decode_request(frame)
        with self.line.changed:
            self.requests.append(request)
            address = request.address
            faults = self.misbehave.get(address)
            fault = faults.pop(0) if faults else ""
            if address not in self.answering or fault == "silent":
                return b""
            if request.command == SHOW:
                self.shown[address] = (request.style, request.text)
                reply = encode_reply(address, SHOW)
            else:
                queue = self.queued.get(address, [])
                if queue and queue[0][0] == request.ack:
                    queue.pop(0)
                reply = encode_reply(address, POLL, OK, *queue[0]) if queue \
                    else encode_reply(address, POLL)
        if fault == "corrupt":
            return reply[:-2] + bytes(((reply[-2] + 1) % 256,)) + reply[-1:]
        if fault == "truncate":
            return reply[:len(reply) // 2]
        if fault == "noise":
            stranger = encode_reply(77, POLL, OK, 1, Key.CALL_NEXT)
            return b"\x00\xff\xa6\x13" + led_request(address, 4) + stranger + reply
        return reply


@pytest.fixture
def keypads(tmp_path):
    scripted = ScriptedKeypads(tmp_path, answering={1, 2, 4})
    yield scripted
    scripted.line.close()


def _poll_all(bus: KeypadBus) -> list[KeyPress]:
    return bus.sweep(lambda address: [p] if (p := bus.poll(address)) else [])


def test_keypads_at_several_addresses_are_polled_and_a_silent_one_reported(keypads):
    seen: list[DeviceStatus] = []
    keypads.press(1, Key.CALL_NEXT, 1)
    keypads.press(4, Key.PAUSE, 9)
    keypads.press(1, Key.START, 2)
    with KeypadBus(keypads.line.url, (1, 2, 3, 4), answer_timeout=0.3, retries=2,
                   probe_seconds=60, on_status=seen.append) as bus:
        assert _poll_all(bus) == [KeyPress(1, Key.CALL_NEXT, 1), KeyPress(4, Key.PAUSE, 9)]
        assert _poll_all(bus) == [KeyPress(1, Key.START, 2)]       # 3 not asked again yet
        assert _poll_all(bus) == []
        bus.show(1, "A012", Style.CALLED)
        bus.show(2, "无人等候", Style.ERROR)
        with pytest.raises(KeypadSilent) as silent:
            bus.show(3, "暂停")                       # offline: one try, not three
    assert keypads.queued == {1: [], 4: []}             # every press acknowledged
    assert keypads.shown == {1: (Style.CALLED, "A012"), 2: (Style.ERROR, "无人等候")}
    assert [keypads.count(a) for a in (1, 2, 3, 4)] == [4, 4, 4, 3]
    assert silent.value.attempts == 1
    assert bus.statuses[3] == DeviceStatus(3, "offline",
                                           f"no answer at address 3 on {keypads.line.url} "
                                           "(no answer)")
    assert [(s.address, s.code) for s in seen] == [(1, "ok"), (2, "ok"), (3, "offline"),
                                                   (4, "ok")]


@pytest.mark.parametrize(("fault", "reason"), [
    ("corrupt", "garbled answer: checksum"),
    ("truncate", "truncated answer: 4 bytes, then nothing"),
    ("silent", "no answer"),
])
def test_a_corrupt_or_truncated_answer_is_tried_again(keypads, fault, reason):
    keypads.press(2, Key.FINISH, 5)
    keypads.misbehave[2] = [fault] * 2
    with KeypadBus(keypads.line.url, (2,), answer_timeout=0.3, retries=1) as bus:
        with pytest.raises(KeypadSilent) as silent:
            bus.poll(2)
        assert silent.value.reason.startswith(reason) and bus.statuses[2].code == "offline"
        keypads.misbehave[2] = [fault]            # once more, then well: retried in time
        assert bus.poll(2, retries=1) == KeyPress(2, Key.FINISH, 5)
        assert bus.statuses[2].code == "ok" and bus.retried[2] == 2


def test_noise_and_frames_for_other_addresses_are_passed_over(keypads):
    keypads.press(1, Key.RECALL, 3)
    keypads.misbehave[1] = ["noise"]
    with KeypadBus(keypads.line.url, (1,), answer_timeout=0.3, retries=0) as bus:
        keypads.line.write(b"garbage before anyone asked")
        assert bus.poll(1) == KeyPress(1, Key.RECALL, 3)
        assert bus.attempts[1] == 1


def test_a_lost_acknowledgement_never_makes_two_presses(keypads):
    keypads.press(1, Key.CALL_NEXT, 200)
    with KeypadBus(keypads.line.url, (1,), answer_timeout=0.3, retries=0) as bus:
        assert bus.poll(1) == KeyPress(1, Key.CALL_NEXT, 200)
        keypads.requests.clear()
        keypads.queued[1].insert(0, (200, Key.CALL_NEXT))   # as if the ack never came
        assert bus.poll(1) is None
        assert keypads.requests[0].ack == 200
        keypads.press(1, Key.FINISH, 201)
        assert bus.poll(1) == KeyPress(1, Key.FINISH, 201)


def test_an_unknown_key_is_acknowledged_and_ignored(keypads, caplog):
    keypads.press(4, 0x42, 1)
    keypads.press(4, Key.EVALUATE, 2)
    with KeypadBus(keypads.line.url, (4,), answer_timeout=0.3) as bus:
        assert bus.poll(4) is None and bus.unknown_keys == 1
        assert bus.poll(4) == KeyPress(4, Key.EVALUATE, 2)
    assert "unknown key code 42 ignored" in caplog.text


@pytest.mark.parametrize("how", ["pull", "vanish"])
def test_a_cable_pulled_and_put_back_while_polling(keypads, how):
    seen: list[DeviceStatus] = []
    found: list[KeyPress] = []
    stop = threading.Event()
    bus = KeypadBus(keypads.line.url, (1, 2), answer_timeout=0.2, retries=0,
                    reopen_after=(0.05, 0.2), round_seconds=0.01, on_status=seen.append)

    def run() -> None:
        for press in bus.presses(stop):
            with keypads.line.changed:
                found.append(press)
                keypads.line.changed.notify_all()

    poller = threading.Thread(target=run)
    poller.start()
    try:
        keypads.press(1, Key.CALL_NEXT, 1)
        assert keypads.line.wait_for(lambda: len(found) == 1)
        getattr(keypads.line, how)()
        assert keypads.line.wait_for(lambda: bus.port_failures >= 2)  # tried again, failed
        assert {s.code for s in seen[-2:]} == {"offline"}
        assert "the bus's port failed" in bus.statuses[2].detail
        keypads.press(2, Key.NO_SHOW, 1)
        keypads.line.plug_in()
        assert keypads.line.wait_for(lambda: len(found) == 2)
    finally:
        stop.set()
        poller.join(5)
        bus.close()
    assert not poller.is_alive()
    assert found == [KeyPress(1, Key.CALL_NEXT, 1), KeyPress(2, Key.NO_SHOW, 1)]
    assert bus.statuses[1].ok and bus.statuses[2].ok


def test_a_bad_url_or_address_is_a_config_mistake():
    with pytest.raises(ValueError, match="unknown scheme"):
        KeypadBus("rs485://ttyUSB0")
    with pytest.raises(ValueError, match="address 0"):
        KeypadBus("loop://keys", (0,))
    assert KeypadBus("loop://keys?address=7").addresses == (7,)


# ------------------------------------------------------------------ the shipped fake

def test_the_fake_keypads_press_show_and_unplug(caplog):
    reset_fakes()
    fake = fake_keypads("keys-test")
    fake.silent.add(9)
    caplog.set_level(logging.INFO, "yichuang.keypad")
    with KeypadBus("fake://keys-test", (1, 9), answer_timeout=0.05, retries=0) as bus:
        assert fake.press(1, Key.CALL_NEXT) == 1
        assert _poll_all(bus) == [KeyPress(1, Key.CALL_NEXT, 1)]
        bus.show(1, "A012", Style.CALLED)
        assert fake.shown[1] == (Style.CALLED, "A012")
        assert bus.statuses[9].code == "offline"
        fake.unplug()
        with pytest.raises(BusError):
            bus.show(1, "A012")
        assert _poll_all(bus) == [] and bus.statuses[1].code == "offline"
    assert "keypad keys-test, 1 (called): A012" in caplog.text
    reset_fakes()


def test_the_fake_keypads_play_a_script(tmp_path):
    reset_fakes()
    script = tmp_path / "presses.txt"
    script.write_text("# seconds address key\n0 1 call_next\n0 2 finish  # window 2\n"
                      "3600 1 recall\n", encoding="utf-8")
    with KeypadBus(f"fake://keys-script?script={script}", (1, 2),
                   answer_timeout=0.05) as bus:
        assert _poll_all(bus) == [KeyPress(1, Key.CALL_NEXT, 1), KeyPress(2, Key.FINISH, 1)]
        assert _poll_all(bus) == []                       # the recall is an hour away
    script.write_text("0 1 call\n", encoding="utf-8")
    with pytest.raises(ValueError, match="presses.txt:1: '0 1 call' is not"):
        read_script(script)
    reset_fakes()
