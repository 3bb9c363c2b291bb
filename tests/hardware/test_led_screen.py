"""hardware.led_screen: the frames byte by byte and as properties, screens played on
the far side of a real pty (one never answers, some garble their answers), a port that
disappears and comes back, and the shipped fake bus."""
from __future__ import annotations

import logging
import os
import select
import threading
import time
import tty
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.led_screen import (
    BAD_FRAME,
    BAD_TEXT,
    CLEAR,
    MAX_TEXT_BYTES,
    OK,
    SHOW_CALL,
    SHOW_IDLE,
    SHOW_TEXT,
    STATUS,
    BusError,
    DeviceSilent,
    FrameBuffer,
    FrameError,
    LedBus,
    LedTextError,
    ScreenReply,
    ScreenRequest,
    decode_reply,
    decode_request,
    decode_text,
    encode_reply,
    encode_request,
    encode_text,
    fake_led_bus,
    fit_text,
)
from hardware.ports import reset_fakes

# ------------------------------------------------------------------ bytes

def test_a_call_frame_byte_by_byte():
    # A5 | address 3 | SHOW_CALL | 8 bytes | 请 A 0 1 2 号 in GB2312 | checksum | 5A
    frame = encode_request(3, SHOW_CALL, "请A012号")
    assert frame == bytes.fromhex("a5 03 01 08 c7eb 41 30 31 32 bac5 11 5a")
    assert (3 + 1 + 8 + sum(frame[4:12])) % 256 == 0x11
    assert decode_request(frame) == ScreenRequest(3, SHOW_CALL, "请A012号")


def test_replies_byte_by_byte():
    assert encode_reply(3, SHOW_CALL) == bytes.fromhex("a5 03 81 01 00 85 5a")
    status = encode_reply(3, STATUS, OK, SHOW_IDLE, "1号窗口")
    assert status[:6] == bytes.fromhex("a5 03 85 09 00 03")     # 1 + 1 + 7 bytes
    assert decode_reply(status) == ScreenReply(3, STATUS, OK, SHOW_IDLE, "1号窗口")
    assert decode_reply(encode_reply(9, CLEAR, BAD_TEXT)).status == BAD_TEXT


@pytest.mark.parametrize(("frame", "says"), [
    (b"", "no bytes"),
    (bytes.fromhex("a5 03 01"), "truncated frame: 3 bytes"),
    (bytes.fromhex("a5 03 01 08 c7eb 41 30"), "truncated frame: 8 of its 14 bytes"),
    (bytes.fromhex("a5 03 01 08 c7eb 41 30 31 32 bac5 12 5a"), "checksum 12 does not match"),
    (bytes.fromhex("a5 03 01 08 c7eb 41 30 31 32 bac5 11 00"), "no end byte"),
    (bytes.fromhex("00 03 01 00 04 5a"), "starts 00"),
    (bytes.fromhex("a5 03 01 00 04 5a 5a"), "1 bytes after the frame's end"),
    (bytes.fromhex("a5 00 01 00 01 5a"), "address 0"),
    (bytes.fromhex("a5 03 09 00 0c 5a"), "unknown command 09"),
    (bytes.fromhex("a5 03 05 01 41 4a 5a"), "status with 1 data bytes"),
    (bytes.fromhex("a5 03 02 02 ff ff 05 5a"), "not GB2312 at byte 0"),
    (encode_reply(3, SHOW_CALL), "a reply (81), not a request"),
])
def test_a_bad_request_frame_says_what_is_wrong(frame, says):
    with pytest.raises(FrameError, match=says.replace("(", r"\(").replace(")", r"\)")):
        decode_request(frame)


def test_a_bad_reply_frame_says_what_is_wrong():
    with pytest.raises(FrameError, match="a request"):
        decode_reply(encode_request(3, STATUS))
    with pytest.raises(FrameError, match="without its status byte"):
        decode_reply(bytes.fromhex("a5 03 81 00 84 5a"))
    with pytest.raises(FrameError, match="without what the screen shows"):
        decode_reply(bytes.fromhex("a5 03 85 01 00 89 5a"))


def test_text_gb2312_lacks_is_refused_by_name_or_substituted():
    with pytest.raises(LedTextError, match=r"'䶮' \(U\+4DAE\) at position 2"):
        encode_text("请王䶮到窗口")
    with pytest.raises(LedTextError, match="not in GB2312"):
        encode_request(1, SHOW_TEXT, "😀")
    assert encode_text("王䶮", substitute="□") == "王□".encode("gb2312")
    assert fit_text("请王䶮到窗口") == "请王□到窗口"
    with pytest.raises(LedTextError, match="66 bytes in GB2312; a screen holds at most 64"):
        encode_text("窗" * 33)
    assert fit_text("窗" * 40) == "窗" * 32
    assert fit_text("A" + "窗" * 40) == "A" + "窗" * 31          # never half a Hanzi
    with pytest.raises(FrameError, match="not GB2312 at byte 1"):
        decode_text(b"A\xff\xff")
    with pytest.raises(ValueError, match="carries no text"):
        encode_request(1, CLEAR, "x")
    with pytest.raises(ValueError, match="address 255"):
        encode_request(255, CLEAR)


# ------------------------------------------------------------------ properties

def _gb2312_characters() -> list[str]:
    found = [chr(c) for c in range(0x20, 0x7F)]
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return found


GB2312 = _gb2312_characters()
texts = st.text(st.sampled_from(GB2312), max_size=40).filter(
    lambda text: len(text.encode("gb2312")) <= MAX_TEXT_BYTES)
addresses = st.integers(1, 254)
requests = st.one_of(
    st.builds(ScreenRequest, addresses, st.sampled_from([SHOW_CALL, SHOW_TEXT, SHOW_IDLE]),
              texts),
    st.builds(ScreenRequest, addresses, st.sampled_from([CLEAR, STATUS])))
replies = st.one_of(
    st.builds(ScreenReply, addresses, st.sampled_from([SHOW_CALL, SHOW_IDLE, CLEAR]),
              st.sampled_from([OK, BAD_FRAME, BAD_TEXT])),
    st.builds(ScreenReply, addresses, st.just(STATUS), st.just(OK),
              st.sampled_from([0, SHOW_CALL, SHOW_TEXT, SHOW_IDLE]), texts))


def _encode(request: ScreenRequest) -> bytes:
    return encode_request(request.address, request.command, request.text)


@given(requests)
def test_a_request_round_trips(request):
    assert decode_request(_encode(request)) == request


@given(replies)
def test_a_reply_round_trips(reply):
    frame = encode_reply(reply.address, reply.command, reply.status, reply.shown_command,
                         reply.shown_text)
    assert decode_reply(frame) == reply


@given(requests, st.data())
def test_any_one_byte_changed_or_cut_off_is_caught(request, data):
    frame = _encode(request)
    at = data.draw(st.integers(0, len(frame) - 1))
    changed = bytearray(frame)
    changed[at] = data.draw(st.integers(0, 255).filter(lambda b: b != frame[at]))
    with pytest.raises(FrameError):
        decode_request(bytes(changed))
    with pytest.raises(FrameError):
        decode_request(frame[:data.draw(st.integers(0, len(frame) - 1))])


@given(st.lists(requests, min_size=1, max_size=5),
       st.lists(st.binary(max_size=4).map(lambda b: b.replace(b"\xa5", b"")), min_size=6,
                max_size=6),
       st.lists(st.integers(1, 30), max_size=10))
def test_frames_come_out_of_any_stream_whatever_the_noise_and_the_chunks(frames, noise, cuts):
    between = noise[:len(frames)] + noise[-1:]
    stream = b"".join(n + _encode(f) for n, f in zip(between, frames)) + between[-1]
    buffer, found, at = FrameBuffer(), [], 0
    for cut in cuts + [len(stream)]:
        found += buffer.feed(stream[at:at + cut])
        at += cut
    assert [decode_request(frame) for frame in found] == frames
    assert buffer.garbled == [] and buffer.noise == sum(map(len, between))


def test_a_garbled_frame_is_dropped_and_the_next_one_found():
    good = encode_request(2, CLEAR)
    bad = bytearray(encode_request(1, SHOW_TEXT, "A001"))
    bad[-2] ^= 0xFF
    buffer = FrameBuffer()
    assert buffer.feed(bytes(bad) + good) == [good]
    assert len(buffer.garbled) == 1 and "checksum" in buffer.garbled[0]


# ------------------------------------------------------------------ screens on a pty

class ScriptedBus:
    """Screens on the master side of a real pty, answering with the module's own frames.

    The line appears at `link` (a symlink, as /dev/serial/by-id/... is), so a test can
    pull the cable (`pull()`) and put another one in (`plug_in()`). `answering` are the
    addresses that answer; `misbehave[address]` holds one-shot faults used up in order:
    "corrupt" (a bad checksum), "truncate" (half a reply), "silent"; `echo` plays an
    adapter that hears its own transmission.
    """

    def __init__(self, link: Path, answering: set[int], echo: bool = False) -> None:
        self.link, self.answering, self.echo = link, set(answering), echo
        self.misbehave: dict[int, list[str]] = {}
        self.requests: list[ScreenRequest] = []
        self.shown: dict[int, str] = {}
        self.changed = threading.Condition()
        self.thread: threading.Thread | None = None
        self.plug_in()

    @property
    def url(self) -> str:
        return f"serial://{self.link}"

    def count(self, address: int) -> int:
        return Counter(r.address for r in self.requests)[address]

    def plug_in(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        if self.link.is_symlink():
            self.link.unlink()
        self.link.symlink_to(os.ttyname(self.slave))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def pull(self) -> None:
        if self.stop.is_set():
            return
        self.stop.set()
        self.thread.join(2)
        for fd in (self.master, self.slave):
            os.close(fd)

    def wait_for(self, condition, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: condition(self), timeout)

    def _run(self) -> None:
        buffer = FrameBuffer()
        while not self.stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            try:
                data = os.read(self.master, 1024)
            except OSError:
                return
            for frame in buffer.feed(data):
                request = decode_request(frame)
                with self.changed:
                    self.requests.append(request)
                    self.changed.notify_all()
                os.write(self.master, (frame if self.echo else b"") + self._answer(request))

    def _answer(self, request: ScreenRequest) -> bytes:
        address = request.address
        faults = self.misbehave.get(address)
        fault = faults.pop(0) if faults else ""
        if address not in self.answering or fault == "silent":
            return b""
        if request.command in (SHOW_CALL, SHOW_TEXT, SHOW_IDLE):
            with self.changed:
                self.shown[address] = request.text
                self.changed.notify_all()
        reply = (encode_reply(address, STATUS, OK, SHOW_TEXT, self.shown.get(address, ""))
                 if request.command == STATUS else encode_reply(address, request.command))
        if fault == "corrupt":
            return reply[:-2] + bytes(((reply[-2] + 1) % 256,)) + reply[-1:]
        if fault == "truncate":
            return reply[:len(reply) // 2]
        return reply

    def close(self) -> None:
        self.pull()
        self.link.unlink()


@pytest.fixture
def screens(tmp_path):
    bus = ScriptedBus(tmp_path / "ttyLED", answering={1, 2, 4})
    yield bus
    bus.close()


def test_screens_at_several_addresses_answer_and_a_dead_one_is_reported(screens):
    with LedBus(screens.url, answer_timeout=0.3, retries=2) as bus:
        assert bus.send(1, SHOW_CALL, "请A001号").ok
        assert bus.send(2, SHOW_IDLE, "2号窗口").ok
        with pytest.raises(DeviceSilent) as silent:
            bus.send(3, SHOW_TEXT, "暂停服务")
        assert bus.send(4, SHOW_TEXT, "暂停服务").ok          # the bus still works
        assert bus.status(1) == ScreenReply(1, STATUS, OK, SHOW_TEXT, "请A001号")
    assert (silent.value.address, silent.value.attempts) == (3, 3)
    assert silent.value.reason == "no answer" and "screen 3 does not answer" in str(silent.value)
    assert screens.shown == {1: "请A001号", 2: "2号窗口", 4: "暂停服务"}
    assert [screens.count(a) for a in (1, 2, 3, 4)] == [2, 1, 3, 1]    # decoded there
    assert screens.requests[2] == ScreenRequest(3, SHOW_TEXT, "暂停服务")
    assert (bus.attempts[3], bus.retried[3], bus.retried[1]) == (3, 2, 0)


def test_a_silent_screen_can_be_tried_once(screens):
    with LedBus(screens.url, answer_timeout=0.3, retries=2) as bus, \
            pytest.raises(DeviceSilent) as silent:
        bus.send(3, SHOW_TEXT, "暂停服务", retries=0)
    assert silent.value.attempts == 1 and screens.count(3) == 1


@pytest.mark.parametrize(("faults", "reason"), [
    (["corrupt"], "garbled answer: checksum"),
    (["truncate"], "truncated answer: 3 bytes, then nothing"),
    (["silent"], "no answer"),
])
def test_a_corrupt_or_truncated_answer_is_tried_again(screens, faults, reason):
    screens.misbehave[2] = faults * 4
    with LedBus(screens.url, answer_timeout=0.3, retries=1) as bus:
        with pytest.raises(DeviceSilent) as silent:
            bus.send(2, SHOW_CALL, "请A002号")
        assert silent.value.reason.startswith(reason) and screens.count(2) == 2
        assert bus.statuses[2].code == "offline"
        screens.misbehave[2] = list(faults)                # once more, then well
        with pytest.raises(DeviceSilent):                  # an offline screen: one try
            bus.send(2, SHOW_CALL, "请A003号")
        screens.misbehave[2] = list(faults)
        assert bus.send(2, SHOW_CALL, "请A003号", retries=1).ok
        assert bus.retried[2] == 2 and screens.count(2) == 5 and bus.statuses[2].ok


def test_an_adapter_that_echoes_what_it_sends_is_heard_through(tmp_path):
    screens = ScriptedBus(tmp_path / "ttyECHO", answering={5}, echo=True)
    try:
        with LedBus(screens.url, answer_timeout=0.3, retries=0) as bus:
            assert bus.send(5, SHOW_CALL, "请B001号").ok
            with pytest.raises(DeviceSilent):           # its own request is not an answer
                bus.send(6, SHOW_CALL, "请B002号")
    finally:
        screens.close()


def test_a_port_that_disappears_fails_and_is_opened_again(screens):
    with LedBus(screens.url, [1, 2], answer_timeout=0.3, retries=0,
                reopen_after=(0.2, 0.4)) as bus:
        assert bus.send(1, SHOW_TEXT, "A001 办理中").ok
        screens.pull()                                     # the USB adapter pulled out
        with pytest.raises(BusError):
            bus.send(1, SHOW_TEXT, "A001 办理中")
        assert not bus.is_open and 0 < bus.reopen_in() <= 0.2
        assert {a: s.code for a, s in bus.statuses.items()} == {1: "offline", 2: "offline"}
        with pytest.raises(BusError, match="tried again in"):
            bus.send(1, SHOW_TEXT, "A001 办理中")      # within the pause: not even tried
        time.sleep(bus.reopen_in())
        with pytest.raises(BusError, match="cannot open"):
            bus.send(1, SHOW_TEXT, "A001 办理中")      # still gone: opening fails
        assert 0.2 < bus.reopen_in() <= 0.4                # the pause doubled
        screens.plug_in()                                  # put back: a new pty, same link
        time.sleep(bus.reopen_in())
        assert bus.send(1, SHOW_IDLE, "1号窗口").ok
        assert bus.statuses[1].ok and bus.reopen_in() == 0
    assert screens.shown[1] == "1号窗口"


def test_a_bad_url_is_a_config_mistake():
    with pytest.raises(ValueError, match="unknown scheme"):
        LedBus("rs485://ttyUSB0")


# ------------------------------------------------------------------ the shipped fake

def test_the_fake_bus_answers_every_address_and_logs_what_it_shows(caplog):
    reset_fakes()
    fake = fake_led_bus("led-test")
    fake.silent.add(7)
    caplog.set_level(logging.INFO, "yichuang.led")
    with LedBus("fake://led-test", retries=1, answer_timeout=0.05) as bus:
        assert bus.send(3, SHOW_CALL, "请A012号").ok
        assert bus.status(3) == ScreenReply(3, STATUS, OK, SHOW_CALL, "请A012号")
        assert bus.send(3, CLEAR).ok and bus.status(3).shown_text == ""
        with pytest.raises(DeviceSilent):
            bus.send(7, SHOW_CALL, "请A013号")
        fake.unplug()
        with pytest.raises(BusError):
            bus.send(3, SHOW_CALL, "请A012号")
    assert fake.requests[0] == ScreenRequest(3, SHOW_CALL, "请A012号")
    assert [r.address for r in fake.requests].count(7) == 2
    assert "screen 3 (show call): 请A012号" in caplog.text
    reset_fakes()
