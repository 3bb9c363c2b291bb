"""Printed lines (`core.printing.PrintLine`) turned into one ESC/POS job, in two modes.

    job = render_job(lines, mode="image", columns=48)      # -> bytes for the printer

* `gb18030`: text as GB18030 bytes, the way Chinese-market printers take it (their
  default code table), sized with `GS !`, aligned with `ESC a`, bold with `ESC E`; the
  QR printed by the printer itself (`GS ( k`, python-escpos `qr(native=True)`). Small
  (about 1 KB a ticket) and fast on a 9600 baud line; needs a printer with a Chinese font.
* `image`: the whole ticket drawn with Pillow in the CJK font and sent as one raster
  image (`GS v 0`); the QR made with the qrcode package. Prints Chinese on any ESC/POS
  printer (and every character the font has), at about 100 KB a ticket.

Every job starts with `ESC @` and ends with a feed and a cut. The bytes are built in a
python-escpos `Dummy`, so what is sent is exactly python-escpos's encoding.
"""
from __future__ import annotations

from functools import lru_cache

import qrcode
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from core.printing import CENTER, RIGHT, PrintLine

__all__ = ["MODES", "FONT_PATH", "DOTS_PER_COLUMN", "render_job", "draw_lines",
           "qr_image", "cjk_font", "check_mode", "check_columns"]

MODES = ("image", "gb18030")
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
DOTS_PER_COLUMN = 12           # font A: 12 dots wide, 24 high; a Hanzi is 24 x 24
PROFILE = "TM-T20II"           # an 80 mm (576-dot) profile: only python-escpos's checks use it
COLUMN_CHOICES = (32, 42, 48)  # 58 mm, 80 mm with font B margins, 80 mm
QR_MODULE_DOTS = {32: 6, 42: 7, 48: 8}    # native QR module size, in dots
INITIALISE = b"\x1b@"
CHINESE_MODE = b"\x1c&"        # FS &: Chinese character mode (the default on GB18030 printers)

# image mode: text heights in dots for each size, and the line pitch
_FONT_DOTS = {1: 24, 2: 48, 4: 104}
_LINE_DOTS = {1: 32, 2: 60, 4: 120}
_RULE_DOTS = 18
_MARGIN_DOTS = 8


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"printer mode {mode!r}: expected one of {', '.join(MODES)}")
    return mode


def check_columns(columns: int) -> int:
    if columns not in COLUMN_CHOICES:
        raise ValueError(f"columns={columns}: expected one of {COLUMN_CHOICES} "
                         "(32 for 58 mm paper, 48 for 80 mm)")
    return columns


def render_job(lines: list[PrintLine], mode: str, columns: int) -> bytes:
    """The ESC/POS bytes that print `lines` and cut the paper."""
    check_mode(mode)
    check_columns(columns)
    printer = Dummy(profile=PROFILE)
    printer._raw(INITIALISE)
    if mode == "image":
        printer.image(draw_lines(lines, columns), impl="bitImageRaster")
    else:
        _text_job(printer, lines, columns)
    printer.cut()
    return printer.output


# ------------------------------------------------------------------ GB18030 text

def _text_job(printer: Dummy, lines: list[PrintLine], columns: int) -> None:
    printer._raw(CHINESE_MODE)
    for line in lines:
        printer.set(align=line.align, bold=line.bold, custom_size=True,
                    width=line.magnification, height=line.magnification)
        if line.kind == "qr":
            printer.qr(line.qr, native=True, size=QR_MODULE_DOTS[columns],
                       ec=1)   # 1 = level M: survives a smudge, still small
            printer._raw(b"\n")
        elif line.kind == "rule":
            printer._raw(b"-" * columns + b"\n")
        else:
            printer._raw(line.text.encode("gb18030") + b"\n")
    printer.set(align="left", bold=False, custom_size=True, width=1, height=1)


# ------------------------------------------------------------------ drawn image

@lru_cache(maxsize=16)
def cjk_font(size: int, monospaced: bool = False) -> ImageFont.FreeTypeFont:
    """WenQuanYi Micro Hei; its second face is monospaced (ASCII half a Hanzi wide), as
    a printer's own font is."""
    return ImageFont.truetype(FONT_PATH, size, index=1 if monospaced else 0)


def qr_image(content: str, width: int = 0, module: int = 0) -> Image.Image:
    """A QR code of `content`, black on white (error correction M, a quiet zone of four
    modules): `module` dots a module, or as close to `width` dots wide as whole modules
    allow."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(content)
    code.make(fit=True)
    matrix = code.get_matrix()           # includes the quiet zone
    module = module or max(2, width // len(matrix))
    image = Image.new("1", (len(matrix) * module,) * 2, 1)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle((x * module, y * module, (x + 1) * module - 1,
                                (y + 1) * module - 1), fill=0)
    return image


def _x(align: str, width: int, paper: int) -> int:
    if align == CENTER:
        return (paper - width) // 2
    if align == RIGHT:
        return paper - width - _MARGIN_DOTS
    return _MARGIN_DOTS


def _text_piece(line: PrintLine, paper: int) -> tuple[Image.Image, int]:
    """One text line drawn on its own strip: (strip, left edge on the paper)."""
    size = _FONT_DOTS[line.magnification]
    font = cjk_font(size)
    room = paper - 2 * _MARGIN_DOTS
    width = font.getlength(line.text)
    if width > room:                       # a proportional font ran wider than its columns
        size = max(12, int(size * room / width))
        font, width = cjk_font(size), room
    pitch = _LINE_DOTS[line.magnification] * size // _FONT_DOTS[line.magnification]
    strip = Image.new("L", (paper, pitch), 255)
    draw = ImageDraw.Draw(strip)
    ascent, descent = font.getmetrics()
    top = (pitch - ascent - descent) // 2
    draw.text((_x(line.align, int(width), paper), top), line.text, font=font, fill=0,
              stroke_width=max(1, size // 24) if line.bold else 0, stroke_fill=0)
    return strip, 0


def draw_lines(lines: list[PrintLine], columns: int) -> Image.Image:
    """The whole ticket as one black-and-white image, `columns` x 12 dots wide."""
    paper = columns * DOTS_PER_COLUMN
    pieces: list[tuple[Image.Image, int]] = []
    for line in lines:
        if line.kind == "qr":
            code = qr_image(line.qr, paper * 11 // 20)
            pieces.append((code, _x(line.align, code.width, paper)))
        elif line.kind == "rule":
            rule = Image.new("L", (paper, _RULE_DOTS), 255)
            ImageDraw.Draw(rule).line((0, _RULE_DOTS // 2, paper, _RULE_DOTS // 2),
                                      fill=0, width=2)
            pieces.append((rule, 0))
        elif not line.text:
            pieces.append((Image.new("L", (paper, _LINE_DOTS[1] // 2), 255), 0))
        else:
            pieces.append(_text_piece(line, paper))
    height = sum(piece.height for piece, _left in pieces)
    ticket = Image.new("L", (paper, height), 255)
    top = 0
    for piece, left in pieces:
        ticket.paste(piece.convert("L"), (left, top))
        top += piece.height
    # thermal paper has no grey: anti-aliased edges go black or white
    return ticket.point(lambda value: 255 if value >= 128 else 0).convert("1")

