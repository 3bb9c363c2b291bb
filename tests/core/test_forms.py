"""Checking self-service forms (core.forms): every reason code, normalising, masking,
and what a citizen is told."""
from __future__ import annotations

from datetime import date

import pytest

from core.errors import Invalid
from core.forms import (
    REASON_CODES,
    check_field,
    id_numbers,
    stored_values,
    validate,
)
from core.messages.refusals import FIELD_PROBLEMS, explain
from core.settings.forms import Choice, Form, FormField

CARD = "610503198001011235"
TODAY = date(2026, 11, 23)
FORM = Form("test", "测试表", "Test form", "YB-0604", (
    FormField("holder_name", "姓名", "Name", max_length=4),
    FormField("id_number", "公民身份号码", "ID card number", type="id_number"),
    FormField("account", "账号", "Account", type="digits", min_length=8, max_length=12),
    FormField("kind", "类型", "Kind", type="choice",
              choices=(Choice("a", "甲", "A"), Choice("b", "乙", "B"))),
    FormField("start", "开始日期", "From", type="date"),
    FormField("phone", "联系电话", "Phone", type="phone"),
    FormField("contract", "合同编号", "Contract", pattern="[A-Z]{2}-[0-9]+"),
    FormField("remark", "备注", "Remark", required=False, max_length=20),
))
GOOD = {"holder_name": "张三", "id_number": CARD, "account": "12345678", "kind": "a",
        "start": "2026-12-01", "phone": "13800138000", "contract": "XA-001"}


def _refusal(values: dict, today: date | None = TODAY) -> Invalid:
    with pytest.raises(Invalid) as refused:
        validate(FORM, values, today)
    return refused.value


def test_good_values_come_back_normalised_and_optional_empties_left_out():
    assert validate(FORM, GOOD | {"remark": "  "}, TODAY) == GOOD


@pytest.mark.parametrize("field, value, reason", [
    ("holder_name", "", "required"),
    ("holder_name", None, "required"),
    ("account", "1234567", "too_short"),
    ("holder_name", "欧阳娜娜娜", "too_long"),
    ("account", "1234567a", "not_digits"),
    ("account", "１２３４５６７８٣", "not_digits"),      # Arabic-Indic digits are no digits
    ("kind", "c", "not_a_choice"),
    ("start", "2026-02-30", "not_a_date"),
    ("start", "next week", "not_a_date"),
    ("contract", "xa-001", "pattern"),
    ("phone", "12345", "not_a_phone"),
    ("phone", "23800138000", "not_a_phone"),
    ("id_number", "610503198001011234", "id_number_invalid"),    # check digit
    ("id_number", "61050319800101123", "id_number_invalid"),     # 17 characters
    ("id_number", "610503203001011238", "id_number_invalid"),    # born after today
])
def test_every_reason_code(field, value, reason):
    refusal = _refusal(GOOD | {field: value})
    assert refusal.code == "form_field_invalid"
    spec = FORM.field(field)
    assert refusal.details["field"] == field and refusal.details["label"] == spec.label
    assert refusal.details["label_en"] == spec.label_en
    assert refusal.details["reason_code"] == reason


def test_the_reason_codes_above_are_all_of_them():
    assert set(REASON_CODES) == {
        "required", "too_short", "too_long", "not_digits", "not_a_choice", "not_a_date",
        "pattern", "not_a_phone", "id_number_invalid"}


def test_lengths_are_given_with_their_refusal():
    assert _refusal(GOOD | {"account": "123"}).details["min_length"] == 8
    assert _refusal(GOOD | {"account": "1" * 13}).details["max_length"] == 12


def test_fields_are_checked_in_the_form_s_order():
    refusal = _refusal(GOOD | {"phone": "1", "account": "x"})
    assert refusal.details["field"] == "account"


def test_a_name_the_form_does_not_have_is_refused():
    refusal = _refusal(GOOD | {"salary": "1000"})
    assert refusal.code == "form_field_unknown" and refusal.details["field"] == "salary"


@pytest.mark.parametrize("field, typed, kept", [
    ("account", "１２３４ ５６７８", "12345678"),                  # full-width, a space
    ("start", "20261201", "2026-12-01"),
    ("start", "2026/12/1", "2026-12-01"),
    ("start", "2026年12月1日", "2026-12-01"),
    ("phone", "+86 138-0013-8000".replace("-", " "), "13800138000"),
    ("phone", "（029）88886666", "029-88886666"),
    ("phone", "029-88886666-123", "029-88886666-123"),
    ("id_number", "61050319800101123x".replace("123x", "1235"), CARD),
    ("id_number", "６１０５０３１９８００１０１１２３５", CARD),
    ("kind", "乙", "b"),                                            # a button's label
    ("kind", "B", "b"),
])
def test_values_are_normalised(field, typed, kept):
    assert validate(FORM, GOOD | {field: typed}, TODAY)[field] == kept


def test_an_x_check_digit_is_read_in_either_case():
    first17 = "11010519491231002"
    assert check_field(FORM.field("id_number"), first17 + "x", TODAY) == first17 + "X"


def test_without_today_the_kiosk_still_checks_the_number():
    assert validate(FORM, GOOD, None)["id_number"] == CARD
    assert _refusal(GOOD | {"id_number": CARD[:-1] + "4"}, None).details["reason_code"] == \
        "id_number_invalid"


def test_what_is_kept_masks_every_id_number():
    checked = validate(FORM, GOOD, TODAY)
    kept = stored_values(FORM, checked)
    assert kept["id_number"] == "6105**********1235" and kept["holder_name"] == "张三"
    assert CARD not in kept.values()
    assert id_numbers(FORM, checked) == [CARD]


@pytest.mark.parametrize("reason", REASON_CODES)
def test_each_reason_is_said_plainly_in_chinese_and_english(reason):
    assert reason in FIELD_PROBLEMS
    details = {"field": "phone", "label": "联系电话", "label_en": "Phone",
               "reason_code": reason, "min_length": 8, "max_length": 12}
    chinese = explain("form_field_invalid", details)
    english = explain("form_field_invalid", details, language="en")
    assert "联系电话" in chinese and "…" not in chinese and chinese != english
    assert "Phone" in english and "联系电话" not in english


def test_a_form_travels_as_json_and_back():
    assert Form.from_dict(FORM.to_dict()) == FORM
