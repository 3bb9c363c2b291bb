"""ID card numbers: one card however it is typed; look-alikes and impossible dates refused."""
from __future__ import annotations

from datetime import date

import pytest

from core.errors import Invalid
from core.id_cards import age_on, birth_date, check_digit, mask, normalise, read

TODAY = date(2026, 11, 23)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def card(born: str, serial: str = "123") -> str:
    first17 = f"610502{born}{serial}"
    return first17 + check_digit(first17)


def test_a_good_number_gives_its_birth_date_and_age():
    number = card("19900101")
    assert read(number, TODAY) == (number, date(1990, 1, 1))
    assert birth_date(number, TODAY) == date(1990, 1, 1)
    assert age_on(date(1990, 1, 1), TODAY) == 36
    assert age_on(date(1990, 11, 24), TODAY) == 35


def test_a_full_width_digit_is_the_same_card():
    number = card("19900101")
    one_full_width = number[:3] + number[3].translate(FULL_WIDTH) + number[4:]
    assert one_full_width != number
    assert normalise(one_full_width) == number
    assert normalise(number.translate(FULL_WIDTH)) == number
    assert read("\u3000" + number.translate(FULL_WIDTH) + " ", TODAY).number == number


def test_a_lower_or_full_width_x_is_an_upper_case_x():
    first17 = next(f"61050219900101{n:03d}" for n in range(1000)
                   if check_digit(f"61050219900101{n:03d}") == "X")
    assert normalise(first17 + "x") == normalise(first17 + "ｘ") == first17 + "X"
    assert read(first17 + "Ｘ", TODAY).number == first17 + "X"


@pytest.mark.parametrize("number, words", [
    ("²" * 17 + "1", "U+00B2"),                               # superscript: NFKC would fold it
    ("61050219900101123" + "¹", "U+00B9"),
    ("①" + card("19900101")[1:], "U+2460"),                    # circled digit
    ("٦" + card("19900101")[1:], "U+0666"),                    # Arabic-Indic digit
    (card("19900101")[:6] + " " + card("19900101")[6:], "U+0020"),
    ("6105021990010112X3", "18 characters"),                   # X before the end
    ("12345", "18 characters"),
    (card("19900101") + "1", "18 characters"),
    ("", "18 characters"),
])
def test_anything_but_ascii_digits_and_a_final_x_is_refused(number, words):
    with pytest.raises(Invalid) as refused:
        read(number, TODAY)
    assert words in refused.value.message
    assert refused.value.details == {"field": "id_card"}


def test_a_wrong_check_digit_is_refused():
    number = card("19900101")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(Invalid, match="check digit"):
        read(wrong, TODAY)


@pytest.mark.parametrize("born, words", [
    ("20990101", "after today"),          # the audit's 2099
    ("20261124", "after today"),          # tomorrow
    ("18960101", "more than 130 years"),
    ("18961122", "more than 130 years"),  # 130 years and a day
    ("19901301", "no valid birth date"),
    ("19900230", "no valid birth date"),
])
def test_impossible_birth_dates_are_refused(born, words):
    with pytest.raises(Invalid, match=words):
        read(card(born), TODAY)


@pytest.mark.parametrize("born", ["20261123", "18961123", "19000101"])
def test_the_edges_of_a_possible_life_are_accepted(born):
    assert read(card(born), TODAY).born.isoformat().replace("-", "") == born


def test_the_130_years_count_from_29_february():
    leap_day = date(2028, 2, 29)
    assert read(card("18980228"), leap_day).born == date(1898, 2, 28)
    with pytest.raises(Invalid, match="130 years"):
        read(card("18980227"), leap_day)


def test_a_number_is_masked_to_its_first_and_last_four():
    assert mask("610103198001011234") == "6101**********1234"
    assert mask(" 61010319800101123X ") == "6101**********123X"
    assert mask("610103800101123") == "6101*******1123"    # an old 15-digit number
    assert mask("12345678") == "********"                   # too short to show any of it
    assert mask("") == ""
