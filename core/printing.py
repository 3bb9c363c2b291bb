"""What a printed ticket and a printed receipt say, line by line: the pure layout.

    lines = ticket_lines(TicketPrint(...), columns=48)   # 80 mm paper; 32 for 58 mm
    lines = receipt_lines(ReceiptPrint(...), columns=48)
    lines = slip_lines(SlipPrint(...), columns=48)       # 受理通知书 at a window

Each `PrintLine` is one printed line: its text (already wrapped to the paper), its size
(`normal`, `double` = twice as wide and tall, `big` = four times, for the queue number),
its alignment and weight; or a QR code, or a rule across the paper. The printer driver
(`hardware/printer.py`) turns the lines into ESC/POS bytes, as GB18030 text or as one
drawn image; this module knows nothing of bytes.

Widths are counted in columns as a thermal printer counts them: an ASCII character is
one column (12 dots of 24), every other character (Hanzi, full-width punctuation) two,
because a Chinese-market printer prints every GB18030 multi-byte character full width.
A line of size `double` has half the columns, `big` a quarter. Every label comes from
the `printing` message catalogue, in the ticket's language.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import datetime

from core.messages import DEFAULT_LANGUAGE, translator

__all__ = [
    "NORMAL", "DOUBLE", "BIG", "LEFT", "CENTER", "RIGHT", "MAGNIFICATION",
    "PrintLine", "TicketPrint", "ReceiptPrint", "SlipPrint", "ticket_lines", "receipt_lines",
    "slip_lines", "display_width", "wrap",
]

NORMAL, DOUBLE, BIG = "normal", "double", "big"
LEFT, CENTER, RIGHT = "left", "center", "right"
MAGNIFICATION = {NORMAL: 1, DOUBLE: 2, BIG: 4}   # how many times wider and taller
SIZES = tuple(MAGNIFICATION)
ALIGNMENTS = (LEFT, CENTER, RIGHT)
DEFAULT_COLUMNS = 48                             # 80 mm paper, font A
SMALLEST_COLUMNS = 24
# Closing punctuation may not start a line (禁则): the character before it moves down too.
_NO_LINE_START = frozenset("，。、；：！？）》」』〉】”’,.;:!?)]}%")
# ... and opening punctuation may not end one: it moves down with what it opens.
_NO_LINE_END = frozenset("（《「『〈【“‘([{")


@dataclass(frozen=True)
class PrintLine:
    """One printed line. A QR line prints a QR code of `qr`; a rule line a rule across
    the paper; any other line prints `text` (an empty text feeds one blank line)."""

    text: str = ""
    size: str = NORMAL
    align: str = LEFT
    bold: bool = False
    qr: str = ""
    rule: bool = False

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"size {self.size!r}: expected one of {SIZES}")
        if self.align not in ALIGNMENTS:
            raise ValueError(f"align {self.align!r}: expected one of {ALIGNMENTS}")

    @property
    def kind(self) -> str:
        return "qr" if self.qr else "rule" if self.rule else "text"

    @property
    def magnification(self) -> int:
        return MAGNIFICATION[self.size]


@dataclass(frozen=True)
class TicketPrint:
    """Everything a printed queue ticket shows."""

    hall_name: str
    number: str
    subject_name: str                 # the matter or the theme (一件事)
    people_ahead: int
    eta_minutes: float | None         # None: no estimate (say so, do not guess)
    issued_at: datetime
    phone_url: str                    # the QR's content: the ticket's phone page
    materials: tuple[str, ...] = ()   # the checklist (一次性告知), in order
    priority_label: str = ""          # e.g. 绿色通道, already in the ticket's language
    note: str = ""                    # any further line, e.g. a window or floor
    language: str = DEFAULT_LANGUAGE
    eta_low: float | None = None      # the estimate's 80% range (minutes), when known:
    eta_high: float | None = None     # the wait line then says it ("约12分钟，8–18分钟")
    # 待叫: called already, to a window that was waiting (its name, e.g. 5号窗口): the
    # ticket says where to go instead of the wait
    called_to: str = ""


@dataclass(frozen=True)
class ReceiptPrint:
    """A self-service submission receipt or an acceptance slip (受理回执)."""

    hall_name: str
    title: str                        # e.g. 自助办理回执, already in its language
    case_number: str
    subject_name: str
    submitted_at: datetime
    qr_data: str                      # the QR's content: the case's query page
    lines: tuple[str, ...] = ()       # further lines, e.g. the promised date
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class SlipPrint:
    """The acceptance slip (受理通知书) a window prints when a case opens (受审分离):
    the server answers it with the finish (`slip` in its JSON), the caller prints it."""

    hall_name: str
    case_number: str
    subject_name: str
    received: tuple[str, ...]         # the checklist's materials handed in
    missing: tuple[str, ...]          # 容缺受理: still to supply ...
    supply_by: str                    # ... by this date ("YYYY-MM-DD", "" if none missing)
    due_date: str                     # 承诺办结: the promised completion date
    time_limit_days: int              # that many working days (holidays not counted)
    page_url: str                     # the QR's content: {public_url}/c/<token>
    accepted_at: datetime
    window_name: str = ""
    clerk_name: str = ""              # the clerk's display name
    language: str = DEFAULT_LANGUAGE

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["received"], data["missing"] = list(self.received), list(self.missing)
        data["accepted_at"] = self.accepted_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SlipPrint:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["received"], values["missing"] = tuple(data["received"]), tuple(data["missing"])
        values["accepted_at"] = datetime.fromisoformat(data["accepted_at"])
        return cls(**values)


# ------------------------------------------------------------------ widths

def char_width(char: str) -> int:
    return 1 if " " <= char <= "~" else 2


def display_width(text: str) -> int:
    """Columns `text` takes on the paper: ASCII one, anything else two."""
    return sum(char_width(c) for c in text)


def _units(text: str) -> list[str]:
    """The pieces a line may break between: ASCII words (with the spaces after them)
    stay whole; every other character stands alone."""
    units: list[str] = []
    word = ""
    for char in text:
        if char == " " or char_width(char) == 1:
            if word.endswith(" ") and char != " ":
                units.append(word)
                word = ""
            word += char
        else:
            if word:
                units.append(word)
                word = ""
            units.append(char)
    if word:
        units.append(word)
    return units


def _split_long(unit: str, width: int) -> list[str]:
    """A word longer than the line (a URL, a long code) broken at the line's end."""
    pieces, piece = [], ""
    for char in unit:
        if display_width(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return pieces + [piece] if piece else pieces


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """`text` broken into lines of at most `width` columns; lines after the first start
    with `indent` spaces (a hanging indent under a label or a list number)."""
    if width < 2 or indent > width - 2:
        raise ValueError(f"cannot wrap to {width} columns with an indent of {indent}")
    lines: list[list[str]] = [[]]
    room = width
    for unit in _units(" ".join(text.split())):
        for piece in _split_long(unit, width - indent) if display_width(unit) > width - indent \
                else [unit]:
            if display_width(piece.rstrip()) > room and lines[-1]:
                carried = []
                if piece[0] in _NO_LINE_START and len(lines[-1]) > 1:
                    carried = [lines[-1].pop()]
                if lines[-1] and lines[-1][-1][-1] in _NO_LINE_END and len(lines[-1]) > 1:
                    carried.insert(0, lines[-1].pop())
                if (sum(display_width(u) for u in carried) + display_width(piece.rstrip())
                        > width - indent):           # carrying would overflow the paper:
                    lines[-1].extend(carried)        # the punctuation rule gives way
                    carried = []
                lines.append(carried)
                room = width - indent - sum(display_width(u) for u in carried)
            lines[-1].append(piece)
            room -= display_width(piece)
    texts = ["".join(units).rstrip() for units in lines]
    return [texts[0]] + [" " * indent + line for line in texts[1:]]


# ------------------------------------------------------------------ layout helpers

def _check_columns(columns: int) -> None:
    if columns < SMALLEST_COLUMNS:
        raise ValueError(f"columns={columns}: a ticket needs at least {SMALLEST_COLUMNS}")


def _block(text: str, columns: int, size: str = NORMAL, align: str = LEFT,
           bold: bool = False, indent: int = 0) -> list[PrintLine]:
    """`text` wrapped to the columns a line of `size` has, one PrintLine a line."""
    if not text:
        return []
    width = columns // MAGNIFICATION[size]
    return [PrintLine(line, size, align, bold) for line in wrap(text, width, indent)]


def _labelled(label: str, value: str, columns: int, bold: bool = False) -> list[PrintLine]:
    """`label` then `value`, continuation lines hanging under the value when the label is
    short enough, else under the label's start."""
    indent = display_width(label)
    if indent > columns // 3:
        indent = 2
    return _block(label + value, columns, bold=bold, indent=indent)


def _rule() -> PrintLine:
    return PrintLine(rule=True)


def _wait_text(tr, eta_minutes: float | None, low: float | None = None,
               high: float | None = None) -> str:
    if eta_minutes is None:
        return tr("Please watch the calling screen for your number")
    ranged = low is not None and high is not None
    minutes = math.ceil(eta_minutes)
    if ranged:   # whole minutes, the range still around the printed point
        low, high = min(math.floor(low), minutes), max(math.ceil(high), minutes)
    if eta_minutes < 1:
        if ranged and high >= 2:
            return tr("Expected wait: under a minute, 0–{high} minutes", high=high)
        return tr("Expected wait: under a minute")
    if minutes < 90:
        if ranged:
            return tr("Expected wait: about {minutes} minutes, {low}–{high} minutes",
                      minutes=minutes, low=low, high=high)
        return tr("Expected wait: about {minutes} minutes", minutes=minutes)
    if ranged:
        return tr("Expected wait: about {hours} h {minutes} min, {low}–{high} minutes",
                  hours=minutes // 60, minutes=minutes % 60, low=low, high=high)
    return tr("Expected wait: about {hours} h {minutes} min",
              hours=minutes // 60, minutes=minutes % 60)


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ the ticket

def ticket_lines(t: TicketPrint, columns: int = DEFAULT_COLUMNS) -> list[PrintLine]:
    """The printed queue ticket: hall, the number in big print, the matter, people ahead
    and the wait, the materials to have ready, the QR to the phone page, the time."""
    _check_columns(columns)
    tr = translator("printing", t.language)
    lines = _block(t.hall_name, columns, DOUBLE, CENTER, bold=True)
    lines += [_rule(), PrintLine(tr("Your number"), align=CENTER)]
    lines += _block(t.number, columns, BIG, CENTER, bold=True)
    lines += _block(t.subject_name, columns, DOUBLE, CENTER, bold=True)
    if t.priority_label:
        lines += _block(tr("[{label}]", label=t.priority_label), columns, NORMAL, CENTER, bold=True)
    lines.append(PrintLine(""))
    if t.called_to:
        lines += _block(tr("Called now: please go to {window}", window=t.called_to), columns,
                        DOUBLE, CENTER, bold=True)
    else:
        ahead = (tr("No one is ahead of you") if t.people_ahead <= 0
                 else tr("{n} people ahead of you", n=t.people_ahead))
        lines += _block(ahead, columns, DOUBLE, CENTER, bold=True)
        lines += _block(_wait_text(tr, t.eta_minutes, t.eta_low, t.eta_high), columns,
                        NORMAL, CENTER)
    if t.materials:
        lines += [_rule(), *_block(tr("Please have these materials ready:"), columns,
                                   bold=True)]
        for number, material in enumerate(t.materials, start=1):
            prefix = f"{number}. "
            lines += _block(prefix + material, columns, indent=display_width(prefix))
    lines += [_rule(), PrintLine(qr=t.phone_url, align=CENTER)]
    lines += _block(tr("Scan to follow your place in line on your phone"), columns,
                    align=CENTER)
    lines += _block(t.note, columns)
    lines += _labelled(tr("Issued: "), _time(t.issued_at), columns)
    lines += _block(tr("Please listen for your number. If you miss it, ask at the "
                       "information desk."), columns)
    return lines


# ------------------------------------------------------------------ the receipt

def receipt_lines(r: ReceiptPrint, columns: int = DEFAULT_COLUMNS) -> list[PrintLine]:
    """The printed receipt of a submission: hall and title, the case number large, the
    matter, the time, the caller's further lines, the QR to follow the case."""
    _check_columns(columns)
    tr = translator("printing", r.language)
    lines = _block(r.hall_name, columns, DOUBLE, CENTER, bold=True)
    lines += _block(r.title, columns, DOUBLE, CENTER, bold=True)
    lines += [_rule(), PrintLine(tr("Case number"), align=CENTER)]
    lines += _block(r.case_number, columns, DOUBLE, CENTER, bold=True)
    lines.append(PrintLine(""))
    lines += _labelled(tr("Matter: "), r.subject_name, columns)
    lines += _labelled(tr("Submitted: "), _time(r.submitted_at), columns)
    for line in r.lines:
        lines += _block(line, columns)
    lines += [_rule(), PrintLine(qr=r.qr_data, align=CENTER)]
    lines += _block(tr("Scan to follow your case on your phone"), columns, align=CENTER)
    lines += _block(tr("Please keep this receipt until your case is finished."), columns)
    return lines


# ------------------------------------------------------------------ the acceptance slip

def slip_lines(p: SlipPrint, columns: int = DEFAULT_COLUMNS) -> list[PrintLine]:
    """受理通知书: hall and title, the case number large, the matter, the materials
    received, the ones missing with their date (容缺受理), the promised completion date,
    the QR to the case page, the time, window and clerk."""
    _check_columns(columns)
    tr = translator("printing", p.language)
    lines = _block(p.hall_name, columns, DOUBLE, CENTER, bold=True)
    lines += _block(tr("Acceptance notice"), columns, DOUBLE, CENTER, bold=True)
    lines += [_rule(), PrintLine(tr("Case number"), align=CENTER)]
    lines += _block(p.case_number, columns, DOUBLE, CENTER, bold=True)
    lines.append(PrintLine(""))
    lines += _labelled(tr("Matter: "), p.subject_name, columns)
    lines += _labelled(tr("Promised completion: "), tr(
        "{date} ({days} working days)", date=p.due_date, days=p.time_limit_days), columns,
        bold=True)
    if p.received:
        lines += [_rule(), *_block(tr("Materials received:"), columns, bold=True)]
        lines += _numbered(p.received, columns)
    if p.missing:
        lines += [_rule(), *_block(tr("Materials to supply by {date} (容缺受理):",
                                      date=p.supply_by), columns, bold=True)]
        lines += _numbered(p.missing, columns)
    lines += [_rule(), PrintLine(qr=p.page_url, align=CENTER)]
    lines += _block(tr("Scan to follow your case on your phone"), columns, align=CENTER)
    lines += _labelled(tr("Accepted: "), _time(p.accepted_at), columns)
    if p.window_name:
        lines += _labelled(tr("Window: "), p.window_name, columns)
    if p.clerk_name:
        lines += _labelled(tr("Clerk: "), p.clerk_name, columns)
    lines += _block(tr("Please keep this notice and bring it to collect your result."),
                    columns)
    return lines


def _numbered(items: tuple[str, ...], columns: int) -> list[PrintLine]:
    lines: list[PrintLine] = []
    for number, item in enumerate(items, start=1):
        prefix = f"{number}. "
        lines += _block(prefix + item, columns, indent=display_width(prefix))
    return lines
