"""Checking a self-service form (自助办理), the same on the kiosk and on the server.

`validate(form, values)` gives the values normalised (full-width digits folded,
dates as 2026-11-23, phones as digits, ID numbers upper-case) or raises
`core.errors.Invalid` with code `form_field_invalid` and the details a kiosk needs
to say what is wrong in plain words: `field`, `label`, `label_en`, `reason_code`
(one of REASON_CODES) and, for lengths, `min_length`/`max_length`. The kiosk
calls it (or `check_field`, one field at a time) before sending, for instant
feedback; the server calls it again, so nothing unchecked is kept.

`stored_values` is what the hall keeps of a submission: an ID number only masked
(6105**********1235), never in clear; the server keeps a keyed digest beside it.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from core.errors import Invalid
from core.id_cards import check_digit, mask, normalise
from core.settings.forms import Form, FormField

REASON_CODES = ("required", "too_short", "too_long", "not_digits", "not_a_choice",
                "not_a_date", "pattern", "not_a_phone", "id_number_invalid")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# area codes: 010 and 02x have three digits, every other (03xx to 09xx) four
_LANDLINE = re.compile(r"(0(?:10|2[0-9]|[3-9][0-9]{2}))-?([0-9]{7,8})(?:-([0-9]{1,6}))?")
_DATE = re.compile(r"([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?")


def _problem(spec: FormField, reason: str, message: str, **extra) -> Invalid:
    return Invalid(f"{spec.label} ({spec.name}): {message}", code="form_field_invalid",
                   field=spec.name, label=spec.label, label_en=spec.label_en or spec.name,
                   reason_code=reason, **extra)


def _folded(value: str) -> str:
    """Full-width digits, letters and punctuation (全角) as their ASCII twins."""
    return unicodedata.normalize("NFKC", value)


def _digits(spec: FormField, value: str) -> str:
    value = _folded(value).replace(" ", "")
    if not value.isascii() or not value.isdigit():
        raise _problem(spec, "not_digits", "only the digits 0-9 are allowed")
    return value


def _date(spec: FormField, value: str) -> str:
    match = _DATE.fullmatch(_folded(value).replace(" ", ""))
    try:
        if match is None:
            raise ValueError(value)
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        raise _problem(spec, "not_a_date", "expected a date like 2026-11-23") from None


def _phone(spec: FormField, value: str) -> str:
    value = re.sub(r"^\((0[0-9]{2,3})\)", r"\1-", re.sub(r"\s", "", _folded(value)))
    value = value.removeprefix("+86")
    if _MOBILE.fullmatch(value):
        return value
    landline = _LANDLINE.fullmatch(value)
    if landline:
        return "-".join(part for part in landline.groups() if part)
    raise _problem(spec, "not_a_phone", "expected a mobile number (11 digits) or a "
                   "landline with its area code (029-88886666)")


def _id_number(spec: FormField, value: str, today: date | None) -> str:
    try:
        number = normalise(value)
        if check_digit(number[:17]) != number[17]:
            raise ValueError("check digit")
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        if today is not None and not date(today.year - 130, 1, 1) <= born <= today:
            raise ValueError("birth date")
    except (Invalid, ValueError):
        raise _problem(spec, "id_number_invalid", "not a valid ID card number") from None
    return number


def _choice(spec: FormField, value: str) -> str:
    if value in spec.choice_values():
        return value
    by_label = {c.label: c.value for c in spec.choices} | {
        c.label_en: c.value for c in spec.choices if c.label_en}
    if value in by_label:
        return by_label[value]
    raise _problem(spec, "not_a_choice", f"must be one of {list(spec.choice_values())}",
                   choices=list(spec.choice_values()))


def check_field(spec: FormField, value: object, today: date | None = None) -> str:
    """One field's value normalised ("" when it is optional and empty); Invalid with
    code form_field_invalid otherwise. `today` (the service day) also checks that an
    ID number's birth date is no later than today."""
    text = "" if value is None else str(value).strip()
    if not text:
        if spec.required:
            raise _problem(spec, "required", "is required")
        return ""
    if spec.type == "digits":
        text = _digits(spec, text)
    elif spec.type == "choice":
        return _choice(spec, text)
    elif spec.type == "date":
        text = _date(spec, text)
    elif spec.type == "phone":
        text = _phone(spec, text)
    elif spec.type == "id_number":
        text = _id_number(spec, text, today)
    if len(text) < spec.min_length:
        raise _problem(spec, "too_short", f"needs at least {spec.min_length} characters",
                       min_length=spec.min_length)
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _problem(spec, "too_long", f"takes at most {spec.max_length} characters",
                       max_length=spec.max_length)
    if spec.pattern and re.fullmatch(spec.pattern, text) is None:
        raise _problem(spec, "pattern", "is not in the expected form", pattern=spec.pattern)
    return text


def validate(form: Form, values: dict, today: date | None = None) -> dict[str, str]:
    """Every field of the form checked in the form's order; the normalised values of
    those filled in. A name the form does not have is refused (`form_field_unknown`)."""
    unknown = sorted(name for name in values if form.field(str(name)) is None)
    if unknown:
        raise Invalid(f"form {form.code} has no field {unknown[0]!r}",
                      code="form_field_unknown", field=str(unknown[0]), form=form.code)
    checked = {}
    for spec in form.fields:
        value = check_field(spec, values.get(spec.name), today)
        if value:
            checked[spec.name] = value
    return checked


def mask_id_number(number: str) -> str:
    """An ID number as it may be shown or kept: 6105**********1235 (`core.id_cards.mask`)."""
    return mask(number)


def stored_values(form: Form, checked: dict[str, str]) -> dict[str, str]:
    """What the hall keeps of checked values: ID numbers masked, the rest as given."""
    return {name: mask(value) if form.field(name).type == "id_number" else value
            for name, value in checked.items()}


def id_numbers(form: Form, checked: dict[str, str]) -> list[str]:
    """The ID numbers among checked values (the server keeps their keyed digests)."""
    return [value for name, value in checked.items() if form.field(name).type == "id_number"]
