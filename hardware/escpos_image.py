"""An ESC/POS byte stream read back into what the paper would show: for tests and docs.

    printed = decode(job_bytes, columns=48)
    printed.image          # a Pillow image of the paper, 12 dots a column
    printed.text           # the text lines, decoded as GB18030 (the printer's code table)
    printed.qr_codes       # the contents of the QR codes the printer draws (GS ( k)
    printed.cuts           # how many cuts

It understands what python-escpos and `hardware.ticket_render` send: raster images
(`GS v 0`), text with its size (`GS !`, `ESC !`), alignment (`ESC a`), bold (`ESC E`),
native QR codes (`GS ( k`, drawn again with the qrcode package so a decoder can read
them), feeds and cuts, and the settings it may ignore. Any other command raises
`ValueError`: a test must not pass over bytes nobody understood. The text is drawn with
the CJK font, roughly as a printer's own font would print it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from core.printing import display_width
from hardware.ticket_render import DOTS_PER_COLUMN, cjk_font, qr_image

__all__ = ["Printed", "decode"]

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LINE_DOTS = 30             # the default line pitch (ESC 2)
# commands that change nothing we draw, by their bytes after the prefix: argument count
_ESC_IGNORED = {0x40: 0, 0x32: 0, 0x33: 1, 0x2D: 1, 0x4D: 1, 0x74: 1, 0x47: 1, 0x7B: 1,
                0x56: 1, 0x20: 1, 0x52: 1, 0x63: 2}
_GS_IGNORED = {0x42: 1, 0x62: 1, 0x4C: 2, 0x57: 2, 0x48: 1, 0x66: 1, 0x68: 1, 0x77: 1}
_FS_IGNORED = {0x26: 0, 0x2E: 0, 0x43: 1, 0x57: 1, 0x21: 1}
_ALIGNMENTS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass
class Printed:
    image: Image.Image
    text: list[str] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    cuts: int = 0


@dataclass
class _State:
    align: str = "left"
    bold: bool = False
    width: int = 1          # character magnification
    height: int = 1
    qr_module: int = 3
    qr_data: bytes = b""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, count: int) -> bytes:
        if self.at + count > len(self.data):
            raise ValueError(f"ESC/POS stream ends inside a command at byte {self.at}")
        piece = self.data[self.at:self.at + count]
        self.at += count
        return piece

    def byte(self) -> int:
        return self.take(1)[0]


def decode(data: bytes, columns: int = 48) -> Printed:
    """What the bytes print, on paper `columns` x 12 dots wide (wider if an image is)."""
    paper = columns * DOTS_PER_COLUMN
    pieces: list[tuple[Image.Image, str]] = []
    printed = Printed(Image.new("1", (1, 1), 1))
    state, line, reader = _State(), bytearray(), _Reader(data)

    def end_line() -> None:
        text = bytes(line).decode("gb18030")
        line.clear()
        printed.text.append(text)
        pieces.append((_text_strip(text, state), state.align))

    while reader.at < len(data):
        byte = reader.byte()
        if byte == 0x0A:
            end_line()
        elif byte == 0x0D:
            continue
        elif byte == ESC:
            _escape(reader, state, pieces, line, end_line)
        elif byte == GS:
            _group(reader, state, pieces, printed, line, end_line)
        elif byte == FS:
            command = reader.byte()
            if command not in _FS_IGNORED:
                raise ValueError(f"unknown command FS {command:#04x} at byte {reader.at - 2}")
            reader.take(_FS_IGNORED[command])
        elif byte == DLE:
            reader.take(2)                       # DLE EOT n / DLE ENQ n: a query, no ink
        elif byte < 0x20:
            raise ValueError(f"unknown control byte {byte:#04x} at byte {reader.at - 1}")
        else:
            line.append(byte)
    if line:
        end_line()
    printed.image = _paper(pieces, paper)
    return printed


def _escape(reader: _Reader, state: _State, pieces, line, end_line) -> None:
    command = reader.byte()
    if command == 0x61:                                   # ESC a n: alignment
        state.align = _ALIGNMENTS.get(reader.byte(), "left")
    elif command == 0x45:                                 # ESC E n: bold
        state.bold = bool(reader.byte() & 1)
    elif command == 0x21:                                 # ESC ! n: print mode
        mode = reader.byte()
        state.bold = bool(mode & 0x08)
        state.height, state.width = (2 if mode & 0x10 else 1), (2 if mode & 0x20 else 1)
    elif command == 0x64:                                 # ESC d n: print and feed n lines
        if line:
            end_line()
        count = reader.byte()
        if count:
            pieces.append((Image.new("1", (1, LINE_DOTS * count), 1), "left"))
    elif command == 0x4A:                                 # ESC J n: feed n dots
        pieces.append((Image.new("1", (1, max(1, reader.byte())), 1), "left"))
    elif command in _ESC_IGNORED:
        reader.take(_ESC_IGNORED[command])
    else:
        raise ValueError(f"unknown command ESC {command:#04x} at byte {reader.at - 2}")


def _group(reader: _Reader, state: _State, pieces, printed: Printed, line, end_line) -> None:
    command = reader.byte()
    if command == 0x21:                                   # GS ! n: character size
        size = reader.byte()
        state.width, state.height = (size >> 4) + 1, (size & 0x0F) + 1
    elif command == 0x76:                                 # GS v 0 m xL xH yL yH d...
        if reader.byte() != 0x30:
            raise ValueError(f"unknown GS v variant at byte {reader.at - 1}")
        reader.byte()                                     # m: density, drawn at 1:1
        width_bytes = int.from_bytes(reader.take(2), "little")
        rows = int.from_bytes(reader.take(2), "little")
        raster = reader.take(width_bytes * rows)
        pieces.append((Image.frombytes("1", (width_bytes * 8, rows), raster, "raw", "1;I"),
                       state.align))
    elif command == 0x28 and reader.data[reader.at:reader.at + 1] == b"k":   # GS ( k
        reader.take(1)
        body = reader.take(int.from_bytes(reader.take(2), "little"))
        _two_d_code(body, state, pieces, printed)
    elif command == 0x56:                                 # GS V m [n]: cut
        if line:
            end_line()
        if reader.byte() in (65, 66, 97, 98, 103, 104):
            reader.byte()
        printed.cuts += 1
    elif command in _GS_IGNORED:
        reader.take(_GS_IGNORED[command])
    else:
        raise ValueError(f"unknown command GS {command:#04x} at byte {reader.at - 2}")


def _two_d_code(body: bytes, state: _State, pieces, printed: Printed) -> None:
    if len(body) < 2 or body[0] != 0x31:                  # cn = '1': QR code
        raise ValueError(f"unsupported GS ( k symbol {body[:2]!r}")
    function = body[1]
    if function == 67:                                    # module size in dots
        state.qr_module = body[2]
    elif function == 80:                                  # store the data (after m = '0')
        state.qr_data = body[3:]
    elif function == 81:                                  # print what was stored
        content = state.qr_data.decode("utf-8")
        printed.qr_codes.append(content)
        pieces.append((qr_image(content, module=state.qr_module), state.align))


def _text_strip(text: str, state: _State) -> Image.Image:
    """One printed text line: 24 dots a line (12 a half-width character) times the
    magnification; a printer's line pitch of 30 dots leaves the rest blank."""
    height = LINE_DOTS * state.height
    if not text:
        return Image.new("1", (1, height), 1)
    font = cjk_font(24 * state.height, monospaced=True)
    width = max(1, int(font.getlength(text)))
    strip = Image.new("L", (width, height), 255)
    ImageDraw.Draw(strip).text((0, 3 * state.height), text, font=font, fill=0,
                               stroke_width=state.height if state.bold else 0,
                               stroke_fill=0)
    # a printer gives each character its cell: 12 dots (ASCII) or 24, times the width
    cells = display_width(text) * DOTS_PER_COLUMN * state.width
    if cells != width:
        strip = strip.resize((cells, height))
    return strip.point(lambda value: 255 if value >= 128 else 0).convert("1")


def _paper(pieces: list[tuple[Image.Image, str]], paper: int) -> Image.Image:
    width = max([paper] + [piece.width for piece, _align in pieces])
    image = Image.new("1", (width, max(1, sum(p.height for p, _align in pieces))), 1)
    top = 0
    for piece, align in pieces:
        left = {"center": (width - piece.width) // 2, "right": width - piece.width}.get(align, 0)
        image.paste(piece, (max(0, left), top))
        top += piece.height
    return image
