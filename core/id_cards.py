"""Reading a resident ID card number (居民身份证号码, GB 11643): checksum and birth date."""
from __future__ import annotations

from datetime import date

from core.errors import Invalid

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def birth_date(number: str) -> date:
    """The holder's birth date; Invalid if the number is malformed or its checksum fails."""
    number = number.strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise Invalid("an ID card number has 18 characters: 17 digits and a digit or X",
                      field="id_card")
    if check_digit(number[:17]) != number[17]:
        raise Invalid("the ID card number's check digit is wrong; please re-read the card",
                      field="id_card")
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise Invalid("the ID card number holds no valid birth date", field="id_card") from None


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
