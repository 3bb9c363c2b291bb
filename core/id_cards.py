"""Reading a resident ID card number (居民身份证号码, GB 11643): checksum and birth date.

A typed number is normalised before anything else: full-width characters (全角, what
a Chinese input method types: `６１０５…` or `Ｘ`) are folded to ASCII by NFKC, so
one card is one card however it was typed (the daily limit counts the normalised
form). Every other look-alike is refused, not folded: superscript or circled digits,
other scripts' digits. What remains must be 17 ASCII digits and a digit or X, with a
right check digit and a birth date that can be real on the service day.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from typing import NamedTuple

from core.errors import Invalid

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")
OLDEST_YEARS = 130      # a birth date further back than this is a typo, not a citizen


class IdCard(NamedTuple):
    number: str         # the normalised number: 17 ASCII digits and a digit or X
    born: date


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def _is_width_form(char: str) -> bool:
    """ASCII, or a full-width form (全角) whose NFKC is its ASCII twin."""
    return char.isascii() or unicodedata.decomposition(char).startswith("<wide>")


def normalise(number: str) -> str:
    """The number as the hall keeps it: full-width forms folded by NFKC, upper-case X.

    Invalid unless it is then 17 ASCII digits and a digit or X (no checksum here).
    Other compatibility characters (superscript ², circled ①) are refused, not folded.
    """
    number = number.strip()
    stray = next((c for c in number if not _is_width_form(c)), None)
    if stray is None:
        number = unicodedata.normalize("NFKC", number).strip().upper()
        stray = next((c for c in number if c not in _DIGITS and c != "X"), None)
    if stray is not None:
        raise Invalid(f"an ID card number holds only the digits 0-9 and a final X; "
                      f"found U+{ord(stray):04X}", field="id_card", code="id_card_invalid")
    if len(number) != 18 or "X" in number[:17]:
        raise Invalid("an ID card number has 18 characters: 17 digits and a digit or X",
                      field="id_card", code="id_card_invalid")
    return number


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:          # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def read(number: str, today: date) -> IdCard:
    """The normalised number and the holder's birth date, checked against `today`
    (the service day): Invalid if malformed, if the check digit fails, or if the
    birth date is no date, is after today, or is more than 130 years before it."""
    number = normalise(number)
    if check_digit(number[:17]) != number[17]:
        raise Invalid("the ID card number's check digit is wrong; please re-read the card",
                      field="id_card", code="id_card_invalid")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise Invalid("the ID card number holds no valid birth date", field="id_card",
                      code="id_card_invalid") from None
    if born > today:
        raise Invalid(f"the ID card number's birth date {born.isoformat()} is after today "
                      f"({today.isoformat()}); please re-read the card", field="id_card",
                      code="id_card_invalid")
    if born < _years_before(today, OLDEST_YEARS):
        raise Invalid(f"the ID card number's birth date {born.isoformat()} is more than "
                      f"{OLDEST_YEARS} years ago; please re-read the card", field="id_card",
                      code="id_card_invalid")
    return IdCard(number, born)


def birth_date(number: str, today: date) -> date:
    """The holder's birth date (see `read`)."""
    return read(number, today).born


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def mask_name(name: str) -> str:
    """A holder's name as a hall screen may show it: the first and last characters,
    every other one a `*` ("张三" -> "张*", "张小三" -> "张*三", "欧阳小明" -> "欧**明");
    a one-character name is a single `*`."""
    name = "".join(name.split())
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask(number: str) -> str:
    """The number as it may be shown or printed: the first four and last four characters,
    every other one a `*` ("610103198001011234" -> "6101**********1234"). A number of
    eight characters or fewer is all stars, so no input is ever shown in full."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
