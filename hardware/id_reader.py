"""The ID card reader at the kiosk (二代身份证阅读器), opened from a device URL.

    reader = open_reader("serial:///dev/ttyUSB1?baudrate=115200")
    card = reader.read(timeout=5.0)     # -> IdCardRead, or None when no card came
    reader.close()

One protocol, modelled on the SAM frames most 二代证 readers speak (docs/hardware.md
gives it byte by byte): every frame starts `AA AA AA 96 69`, then a two-byte length, then
a command (request) or three status bytes (response), data, and an XOR checksum. A read
is three exchanges: find a card (20 01), select it (20 02), read its text (30 01): 256
bytes of UCS-2 in fixed fields. The photo is ignored. Frame encoding and decoding are
pure functions; `IdCardReader` only moves bytes through a `hardware.ports` port.

`fake://NAME?file=PATH` is the shipped `FakeIdReader`: it plays the reader's side of the
same frames with the card described in the JSON file at PATH (absent or empty: no card
on the reader), so a demo or a test puts a card down by writing the file.

The ID number lives only in memory: `IdCardRead`'s repr masks it, and nothing here logs.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.id_cards import check_digit, mask
from hardware.fakes import FakeDevice
from hardware.ports import Port, PortError, fake, open_port, parse_port_url

__all__ = [
    "IdCardRead", "IdCardReader", "ReaderFault", "FakeIdReader", "open_reader",
    "encode_request", "decode_request", "encode_response", "decode_response",
    "encode_card_text", "decode_card_text", "card_from_json", "frame_length",
    "PREAMBLE", "FIND_CARD", "SELECT_CARD", "READ_TEXT",
]

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
FIND_CARD, SELECT_CARD, READ_TEXT = (0x20, 0x01), (0x20, 0x02), (0x30, 0x01)
FOUND, DONE = 0x9F, 0x90                   # SW3 of a found card, of any other success
NO_CARD, SELECT_FAILED, READ_FAILED = 0x80, 0x81, 0x41
BAD_CHECKSUM, BAD_LENGTH, BAD_COMMAND = 0x10, 0x11, 0x21
DEFAULT_BAUDRATE = 115200
TEXT_BYTES = 256
# (field, bytes) of the card's text block, UCS-2 little-endian, padded with spaces
TEXT_FIELDS = (("name", 30), ("sex", 2), ("ethnicity", 4), ("born", 16), ("address", 70),
               ("number", 36), ("authority", 30), ("valid_from", 16), ("valid_until", 16),
               ("new_address", 36))
SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
# GB 3304 codes 01-56, in order; 97 and 98 below
ETHNICITIES = tuple(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
    .split())
OTHER_ETHNICITIES = {"97": "其他", "98": "外国血统中国籍人士"}


@dataclass(frozen=True)
class IdCardRead:
    """What the reader read from a card. `number` stays in memory: never log it, print
    or show it only through `mask()` (the repr does)."""

    number: str
    name: str
    sex: str            # as on the card: 男 or 女
    born: date
    address: str = ""
    ethnicity: str = ""  # as on the card, e.g. 汉

    def __repr__(self) -> str:
        return (f"IdCardRead(number={mask(self.number)!r}, name={self.name!r}, "
                f"sex={self.sex!r}, born={self.born.isoformat()!r})")

    __str__ = __repr__

    @property
    def masked_number(self) -> str:
        return mask(self.number)


class ReaderFault(Exception):
    """The reader cannot give a card: `code` is "unreadable" (the card: put it down again)
    or "offline" (the reader: no answer, a broken link, garbled frames)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# ------------------------------------------------------------------ frames (pure)

def _checksum(data: bytes) -> int:
    result = 0
    for byte in data:
        result ^= byte
    return result


def _frame(body: bytes) -> bytes:
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes((_checksum(length + body),))


def _body(frame: bytes) -> bytes:
    """The frame's body (between the length and the checksum), checked; ValueError."""
    if not frame.startswith(PREAMBLE) or len(frame) < len(PREAMBLE) + 3:
        raise ValueError("not a frame: it must start AA AA AA 96 69")
    length = int.from_bytes(frame[5:7], "big")
    if len(frame) != 7 + length or length < 1:
        raise ValueError(f"frame length {length} does not match its {len(frame) - 7} bytes")
    if _checksum(frame[5:-1]) != frame[-1]:
        raise ValueError("frame checksum does not match")
    return frame[7:-1]


def frame_length(head: bytes) -> int:
    """The whole frame's size from its first seven bytes (preamble and length)."""
    if head[:5] != PREAMBLE:
        raise ValueError("not a frame: it must start AA AA AA 96 69")
    return 7 + int.from_bytes(head[5:7], "big")


def encode_request(command: tuple[int, int], data: bytes = b"") -> bytes:
    return _frame(bytes(command) + data)


def decode_request(frame: bytes) -> tuple[tuple[int, int], bytes]:
    body = _body(frame)
    if len(body) < 2:
        raise ValueError("a request frame holds a command and its parameter")
    return (body[0], body[1]), body[2:]


def encode_response(status: int, data: bytes = b"") -> bytes:
    return _frame(bytes((0, 0, status)) + data)


def decode_response(frame: bytes) -> tuple[int, bytes]:
    """(SW3, data) of a response frame; ValueError if it is not one."""
    body = _body(frame)
    if len(body) < 3:
        raise ValueError("a response frame holds three status bytes")
    return body[2], body[3:]


def encode_card_text(card: IdCardRead) -> bytes:
    """The 256-byte text block a card holds, for the fake reader and the tests."""
    sex = next((code for code, word in SEXES.items() if word == card.sex), "0")
    values = {"name": card.name, "sex": sex, "ethnicity": _ethnicity_code(card.ethnicity),
              "born": card.born.strftime("%Y%m%d"), "address": card.address,
              "number": card.number}
    block = b""
    for name, size in TEXT_FIELDS:
        encoded = values.get(name, "").encode("utf-16-le")[:size]
        block += encoded + " ".encode("utf-16-le") * ((size - len(encoded)) // 2)
    return block


def decode_card_text(block: bytes) -> IdCardRead:
    """The card a 256-byte text block describes; ValueError if it cannot be one."""
    if len(block) < TEXT_BYTES:
        raise ValueError(f"the card's text is {len(block)} bytes, not {TEXT_BYTES}")
    values, at = {}, 0
    for name, size in TEXT_FIELDS:
        values[name] = block[at:at + size].decode("utf-16-le").strip(" \x00")
        at += size
    number = values["number"].upper()
    if len(number) != 18 or not number[:17].isdigit() or check_digit(number[:17]) != number[17]:
        raise ValueError("the card's number fails its check digit")
    born = date(int(values["born"][:4]), int(values["born"][4:6]), int(values["born"][6:8]))
    return IdCardRead(number, values["name"], SEXES.get(values["sex"], "未知"), born,
                      values["address"], _ethnicity_name(values["ethnicity"]))


def _ethnicity_code(name: str) -> str:
    if name in ETHNICITIES:
        return f"{ETHNICITIES.index(name) + 1:02d}"
    return next((code for code, word in OTHER_ETHNICITIES.items() if word == name), "97")


def _ethnicity_name(code: str) -> str:
    if code.isdigit() and 1 <= int(code) <= len(ETHNICITIES):
        return ETHNICITIES[int(code) - 1]
    return OTHER_ETHNICITIES.get(code, "")


def card_from_json(text: str) -> IdCardRead | None:
    """The card a fake reader's file describes: None when it is empty; ValueError when it
    is not a card (`{"unreadable": true}` says so on purpose)."""
    if not text.strip():
        return None
    fields = json.loads(text)
    if not isinstance(fields, dict) or fields.get("unreadable"):
        raise ValueError("the card cannot be read")
    number = str(fields["number"]).upper()
    born = fields.get("born") or f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    sex = fields.get("sex") or ("男" if number[16:17] in "13579" else "女")   # GB 11643
    return IdCardRead(number, fields["name"], sex,
                      date.fromisoformat(born), fields.get("address", ""),
                      fields.get("ethnicity", "汉"))


# ------------------------------------------------------------------ the reader

class IdCardReader:
    """Finds, selects and reads the card on the reader, over one port."""

    def __init__(self, port: Port, answer_timeout: float = 1.0, poll: float = 0.2) -> None:
        self._port, self._answer_timeout, self._poll = port, answer_timeout, poll

    def read(self, timeout: float) -> IdCardRead | None:
        """The card on the reader, waiting up to `timeout` seconds for one to be put
        down; None if none came. ReaderFault if the card or the reader fails."""
        deadline = time.monotonic() + timeout
        while True:
            status, _data = self._exchange(FIND_CARD)
            if status == FOUND:
                break
            if status != NO_CARD:
                raise ReaderFault("offline", f"the reader answered {status:#04x} to find")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self._poll, left))
        status, _data = self._exchange(SELECT_CARD)
        if status != DONE:
            raise ReaderFault("unreadable", f"the card could not be selected ({status:#04x})")
        status, data = self._exchange(READ_TEXT)
        if status != DONE:
            raise ReaderFault("unreadable", f"the card could not be read ({status:#04x})")
        try:
            text_size = int.from_bytes(data[:2], "big")
            return decode_card_text(data[4:4 + text_size])
        except ValueError as exc:
            raise ReaderFault("unreadable", str(exc)) from None

    def _exchange(self, command: tuple[int, int]) -> tuple[int, bytes]:
        try:
            self._port.discard_input()       # a late answer to an earlier request
            self._port.write(encode_request(command))
            head = self._port.read(7)
            if len(head) < 7:
                raise ReaderFault("offline", "the reader does not answer")
            frame = head + self._port.read(frame_length(head) - 7)
            return decode_response(frame)
        except PortError as exc:
            raise ReaderFault("offline", exc.reason) from exc
        except ValueError as exc:      # garbled: wrong speed, noise, not a reader
            raise ReaderFault("offline", f"garbled answer: {exc}") from None

    def close(self) -> None:
        try:
            self._port.close()
        except PortError:
            pass

    def __enter__(self) -> IdCardReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class FakeIdReader(FakeDevice):
    """The far end of `fake://NAME?file=PATH`: a reader whose card is the one the JSON
    file at `card_file` describes, read afresh at every find."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.card_file: Path | None = None
        self._selected = False

    def record(self, data: bytes) -> int:
        self._fail_if_unplugged()
        try:
            command, _data = decode_request(data)
        except ValueError:
            self.feed(encode_response(BAD_CHECKSUM))
            return len(data)
        self.feed(self._answer(command))
        return len(data)

    def _card(self) -> IdCardRead | None:
        if self.card_file is None or not self.card_file.exists():
            return None
        return card_from_json(self.card_file.read_text(encoding="utf-8"))

    def _answer(self, command: tuple[int, int]) -> bytes:
        try:
            card = self._card()
        except (ValueError, KeyError, TypeError):
            card = "unreadable"
        if command == FIND_CARD:
            self._selected = card is not None
            return encode_response(FOUND if self._selected else NO_CARD)
        if command == SELECT_CARD:
            return encode_response(DONE if self._selected else SELECT_FAILED)
        if command == READ_TEXT:
            if not self._selected or not isinstance(card, IdCardRead):
                return encode_response(READ_FAILED)
            text = encode_card_text(card)
            return encode_response(DONE, len(text).to_bytes(2, "big") + b"\0\0" + text)
        return encode_response(BAD_COMMAND)


def open_reader(url: str, *, answer_timeout: float = 1.0) -> IdCardReader:
    """The reader a device URL names (serial:// at 115200 baud unless the URL says
    otherwise, tcp://, loop://, or fake://NAME?file=PATH). ReaderFault("offline") if its
    port cannot be opened; ValueError for a malformed URL."""
    try:
        spec = parse_port_url(url)
    except PortError as exc:
        raise ValueError(str(exc)) from None
    if spec.scheme == "fake":
        device = fake(spec.target, FakeIdReader)
        assert isinstance(device, FakeIdReader)
        if "file" in spec.options:
            device.card_file = Path(spec.options["file"])
    try:
        port = open_port(url, timeout=answer_timeout, baudrate=DEFAULT_BAUDRATE)
    except PortError as exc:
        raise ReaderFault("offline", exc.reason) from exc
    return IdCardReader(port, answer_timeout)
