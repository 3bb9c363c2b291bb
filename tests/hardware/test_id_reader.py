"""hardware.id_reader: the frames byte by byte, a reader played through a pty, a crossed
loopback, and the shipped fake whose card is a file; the number never shows in full."""
from __future__ import annotations

import json
import os
import select
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from core.id_cards import read as read_number
from hardware.id_reader import (
    DONE,
    FIND_CARD,
    FOUND,
    NO_CARD,
    READ_FAILED,
    READ_TEXT,
    SELECT_CARD,
    TEXT_BYTES,
    IdCardRead,
    ReaderFault,
    card_from_json,
    decode_card_text,
    decode_request,
    decode_response,
    encode_card_text,
    encode_request,
    encode_response,
    frame_length,
    open_reader,
)
from hardware.ports import open_port, reset_fakes

CARDS = Path(__file__).resolve().parents[2] / "config" / "cards"
ELDERLY = IdCardRead("610103195003070428", "王秀兰", "女", date(1950, 3, 7),
                     "陕西省西安市碑林区南大街12号3单元401室", "汉")


@pytest.fixture(autouse=True)
def fresh_fakes() -> Iterator[None]:
    reset_fakes()
    yield
    reset_fakes()


# ------------------------------------------------------------------ frames, pure

def test_the_find_card_request_is_the_sam_frame_byte_for_byte():
    assert encode_request(FIND_CARD) == bytes.fromhex("aaaaaa9669 0003 2001 22")
    assert encode_request(SELECT_CARD) == bytes.fromhex("aaaaaa9669 0003 2002 21")
    assert encode_request(READ_TEXT) == bytes.fromhex("aaaaaa9669 0003 3001 32")
    assert encode_response(NO_CARD) == bytes.fromhex("aaaaaa9669 0004 000080 84")


def test_frames_decode_back_and_a_damaged_one_is_refused():
    assert decode_request(encode_request(READ_TEXT, b"xy")) == (READ_TEXT, b"xy")
    assert decode_response(encode_response(DONE, b"\x01\x02")) == (DONE, b"\x01\x02")
    assert frame_length(encode_response(DONE, b"abc")) == len(encode_response(DONE, b"abc"))
    frame = bytearray(encode_response(DONE, b"abc"))
    frame[-2] ^= 0x01
    with pytest.raises(ValueError, match="checksum"):
        decode_response(bytes(frame))
    with pytest.raises(ValueError, match="length"):
        decode_response(encode_response(DONE, b"abc")[:-1])
    with pytest.raises(ValueError, match="AA AA AA 96 69"):
        decode_response(b"\x00" * 12)


def test_the_card_text_is_256_bytes_of_ucs2_and_reads_back():
    block = encode_card_text(ELDERLY)
    assert len(block) == TEXT_BYTES
    assert block[:6] == "王秀兰".encode("utf-16-le")
    assert block[30:32] == "2".encode("utf-16-le")                  # 女
    assert block[32:36] == "01".encode("utf-16-le")                 # 汉
    assert block[122:158] == ELDERLY.number.encode("utf-16-le")
    assert decode_card_text(block) == ELDERLY


def test_a_card_whose_number_fails_its_check_digit_is_refused():
    bad = IdCardRead("610103195003070420", "王秀兰", "女", date(1950, 3, 7))
    with pytest.raises(ValueError, match="check digit"):
        decode_card_text(encode_card_text(bad))


def test_the_number_never_shows_in_full():
    assert repr(ELDERLY) == ("IdCardRead(number='6101**********0428', name='王秀兰', "
                             "sex='女', born='1950-03-07')")
    assert ELDERLY.number not in f"{ELDERLY} {ELDERLY!s} {[ELDERLY]}"
    assert ELDERLY.masked_number == "6101**********0428"


@pytest.mark.parametrize("file", ["elderly-1950.json", "young-1998.json"])
def test_the_sample_cards_are_valid(file):
    card = card_from_json((CARDS / file).read_text(encoding="utf-8"))
    assert read_number(card.number, date(2026, 11, 23)).born == card.born
    assert decode_card_text(encode_card_text(card)) == card


# ------------------------------------------------------------------ the fake reader

def test_the_fake_reader_reads_the_card_in_its_file(tmp_path):
    card_file = tmp_path / "card.json"
    with open_reader(f"fake://reader?file={card_file}") as reader:
        assert reader.read(timeout=0) is None                      # no file: no card
        card_file.write_text("")
        assert reader.read(timeout=0) is None                      # empty: no card
        shutil.copy(CARDS / "elderly-1950.json", card_file)
        assert reader.read(timeout=0) == ELDERLY
        shutil.copy(CARDS / "young-1998.json", card_file)
        young = reader.read(timeout=0)
        assert (young.name, young.sex, young.born, young.ethnicity) == (
            "李明", "男", date(1998, 8, 16), "回")
        card_file.unlink()
        assert reader.read(timeout=0) is None


@pytest.mark.parametrize("content", ['{"unreadable": true}', "{not json", '{"name": "x"}'])
def test_a_card_the_fake_cannot_read_is_unreadable(tmp_path, content):
    card_file = tmp_path / "card.json"
    card_file.write_text(content)
    with pytest.raises(ReaderFault) as fault:
        open_reader(f"fake://reader?file={card_file}").read(timeout=0)
    assert fault.value.code == "unreadable"


def test_a_card_put_down_while_waiting_is_read(tmp_path):
    card_file = tmp_path / "card.json"
    reader = open_reader(f"fake://reader?file={card_file}")
    placed = threading.Timer(0.3, shutil.copy, (CARDS / "elderly-1950.json", card_file))
    placed.start()
    try:
        assert reader.read(timeout=10) == ELDERLY
    finally:
        placed.cancel()


def test_an_unplugged_fake_reader_is_offline(tmp_path):
    from hardware.ports import fake
    reader = open_reader(f"fake://reader?file={tmp_path / 'card.json'}")
    fake("reader").unplug()
    with pytest.raises(ReaderFault) as fault:
        reader.read(timeout=0)
    assert fault.value.code == "offline"


# ------------------------------------------------------------------ a serial reader (pty)

class PtyReader:
    """A reader on the master side of a pty, answering with the module's own frames."""

    def __init__(self, card: IdCardRead | None, answer: str = "frames") -> None:
        self.card, self.answer, self.requests = card, answer, []
        self.master, self.slave = os.openpty()
        self.url = f"serial://{os.ttyname(self.slave)}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pending = b""
        while not self.stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            pending += os.read(self.master, 1024)
            while len(pending) >= 7 and len(pending) >= frame_length(pending[:7]):
                size = frame_length(pending[:7])
                command, _ = decode_request(pending[:size])
                pending = pending[size:]
                self.requests.append(command)
                os.write(self.master, self._reply(command))

    def _reply(self, command) -> bytes:
        if self.answer == "silent":
            return b""
        if self.answer == "garbled":
            frame = bytearray(encode_response(FOUND))
            frame[-1] ^= 0xFF
            return bytes(frame)
        if command == FIND_CARD:
            return encode_response(FOUND if self.card else NO_CARD)
        if command == SELECT_CARD:
            return encode_response(DONE)
        if self.answer == "read_fails":
            return encode_response(READ_FAILED)
        text = encode_card_text(self.card)
        return encode_response(DONE, len(text).to_bytes(2, "big") + b"\x04\x00" + text
                               + bytes(1024))               # and a photo, ignored

    def close(self) -> None:
        self.stop.set()
        self.thread.join(1)
        for fd in (self.master, self.slave):
            os.close(fd)


@pytest.fixture
def pty_reader(request) -> Iterator[PtyReader]:
    card, answer = request.param
    device = PtyReader(card, answer)
    yield device
    device.close()


@pytest.mark.parametrize("pty_reader", [(ELDERLY, "frames")], indirect=True)
def test_a_serial_reader_finds_selects_and_reads_the_card(pty_reader):
    with open_reader(pty_reader.url) as reader:
        assert reader.read(timeout=1) == ELDERLY
    assert pty_reader.requests == [FIND_CARD, SELECT_CARD, READ_TEXT]


@pytest.mark.parametrize("pty_reader", [(None, "frames")], indirect=True)
def test_a_serial_reader_with_no_card_gives_none(pty_reader):
    with open_reader(pty_reader.url) as reader:
        assert reader.read(timeout=0) is None
    assert pty_reader.requests == [FIND_CARD]


@pytest.mark.parametrize(("pty_reader", "code"), [
    ((ELDERLY, "read_fails"), "unreadable"),
    ((ELDERLY, "silent"), "offline"),
    ((ELDERLY, "garbled"), "offline"),
], indirect=["pty_reader"])
def test_a_serial_reader_fault_says_what_failed(pty_reader, code):
    with open_reader(pty_reader.url, answer_timeout=0.2) as reader:
        with pytest.raises(ReaderFault) as fault:
            reader.read(timeout=0)
    assert fault.value.code == code


# ------------------------------------------------------------------ loop:// and tcp://

def test_frames_cross_a_loopback_whole():
    with open_port("loop://", timeout=1) as port:
        frame = encode_response(DONE, encode_card_text(ELDERLY))
        port.write(frame)
        head = port.read(7)
        assert decode_response(head + port.read(frame_length(head) - 7)) == (
            DONE, encode_card_text(ELDERLY))


def test_crossed_wires_echoing_the_request_are_not_a_reader():
    with open_reader("loop://") as reader, pytest.raises(ReaderFault) as fault:
        reader.read(timeout=0)
    assert fault.value.code == "offline" and "garbled" in fault.value.message


def test_a_reader_that_cannot_be_reached_is_offline():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(ReaderFault) as fault:
        open_reader(f"tcp://127.0.0.1:{port}")
    assert fault.value.code == "offline"
    with pytest.raises(ValueError):
        open_reader("reader://1")


def test_the_fake_file_format_is_plain_json(tmp_path):
    card = card_from_json(json.dumps({"number": "610103199808160111", "name": "李明"}))
    assert (card.born, card.sex, card.ethnicity) == (date(1998, 8, 16), "男", "汉")
    assert card_from_json("  \n") is None
