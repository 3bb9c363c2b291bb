"""The `[[forms]]` section: self-service matters (自助办理) as forms filled at a kiosk.

A form opens a case for one matter (`matter`) when a citizen submits it at a
kiosk. Its fields say what to ask and how to check it (`core.forms.validate`, the
same function on the kiosk and on the server): a type (text, digits, choice, date,
phone, id_number), whether it is required, its length, a pattern, its choices
(shown as buttons), and which part of the ID card fills it (`from_id_card`), so
the citizen types as little as possible. docs/configuration.md describes every key.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from core.settings.checks import Path, Report, _check_ref, _codes, _items, check_unique
from core.settings.values import (
    BAD,
    Key,
    _expect,
    boolean,
    choice,
    code,
    non_negative_int,
    optional_text,
    positive_int,
    read_table,
    text,
)

FIELD_TYPES = ("text", "digits", "choice", "date", "phone", "id_number")
ID_CARD_PARTS = ("name", "number", "born", "sex", "address")
# which field types each part of the ID card may fill
ID_CARD_TYPES = {"name": ("text",), "number": ("id_number",), "born": ("date",),
                 "sex": ("choice", "text"), "address": ("text",)}
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
VALUE_LENGTH = 200          # the longest value any field takes (the API's limit too)
MAX_FIELDS = 40
DEFAULT_MAX_LENGTH = {"text": 100, "digits": 32}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    label_en: str = ""
    type: str = "text"
    required: bool = True
    choices: tuple[Choice, ...] = ()
    min_length: int = 0
    max_length: int | None = None     # None: the type's own rule (a date, a phone ...)
    pattern: str = ""                 # a regular expression the whole value must match
    from_id_card: str = ""            # name, number, born, sex, address; "" = typed

    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class Form:
    code: str
    name: str
    name_en: str
    matter: str                       # the matter code of the case it opens
    fields: tuple[FormField, ...]

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Form:
        """The form from its JSON (`GET /api/self-service`), for a kiosk to validate with."""
        made = []
        for item in data["fields"]:
            values = {f.name: item[f.name] for f in fields(FormField) if f.name in item}
            values["choices"] = tuple(Choice(**c) for c in item.get("choices", ()))
            made.append(FormField(**values))
        return cls(data["code"], data["name"], data["name_en"], data["matter"], tuple(made))


def find_form(forms: tuple[Form, ...], code_: str) -> Form | None:
    return next((f for f in forms if f.code == code_), None)


# ------------------------------------------------------------------ reading

def _field_name(report: Report, path: Path, value: Any) -> Any:
    if text(report, path, value) is BAD:
        return BAD
    if not FIELD_NAME.fullmatch(value):
        report.add(path, f"{value!r} is not a field name (lowercase ASCII letters, digits "
                   "and '_', starting with a letter, at most 32)")
        return BAD
    return value


def _regex(report: Report, path: Path, value: Any) -> Any:
    if not _expect(report, path, value, (str,), "a regular expression"):
        return BAD
    try:
        re.compile(value)
    except re.error as error:
        report.add(path, f"{value!r} is not a regular expression: {error}")
        return BAD
    return value


def _length(report: Report, path: Path, value: Any) -> Any:
    found = positive_int(report, path, value)
    if found is not BAD and found > VALUE_LENGTH:
        report.add(path, f"must be at most {VALUE_LENGTH} (the longest value a form takes)")
        return BAD
    return found


def _tables(schema: dict[str, Key], noun: str):
    def check(report: Report, path: Path, value: Any) -> Any:
        if not _expect(report, path, value, (list,), f"an array of {noun} tables"):
            return BAD
        return tuple(read_table(report, path + (i,), item, schema)
                     for i, item in enumerate(value))
    return check


CHOICE_SCHEMA = {"value": Key(code), "label": Key(text), "label_en": Key(optional_text, "")}
FIELD_SCHEMA = {
    "name": Key(_field_name), "label": Key(text), "label_en": Key(optional_text, ""),
    "type": Key(choice(FIELD_TYPES, "field type"), "text"), "required": Key(boolean, True),
    "choices": Key(_tables(CHOICE_SCHEMA, "choice"), ()),
    "min_length": Key(non_negative_int, 0), "max_length": Key(_length, None),
    "pattern": Key(_regex, ""),
    "from_id_card": Key(choice(ID_CARD_PARTS, "ID card part"), ""),
}


def _check_field(report: Report, path: Path, item: dict) -> None:
    kind = item.get("type", "text")
    if kind == "choice" and not item.get("choices"):
        report.add(path + ("choices",), "a choice field needs its choices")
    if kind != "choice" and item.get("choices"):
        report.add(path + ("choices",), f"only a choice field has choices (this is {kind})")
    values = [c.get("value") for c in item.get("choices", ()) if isinstance(c, dict)]
    for j, value in enumerate(values):
        if value in values[:j]:
            report.add(path + ("choices", j, "value"), f"choice {value!r} is listed twice")
    part = item.get("from_id_card", "")
    if part and kind not in ID_CARD_TYPES[part]:
        report.add(path + ("from_id_card",), f"the card's {part} fills a field of type "
                   f"{' or '.join(ID_CARD_TYPES[part])}, not {kind}")
    low, high = item.get("min_length", 0), item.get("max_length")
    if high is not None and low > high:
        report.add(path + ("min_length",), f"{low} is more than max_length {high}")


def _form_fields(report: Report, path: Path, value: Any) -> Any:
    items = _tables(FIELD_SCHEMA, "field")(report, path, value)
    if items is BAD:
        return BAD
    if not items:
        report.add(path, "a form needs at least one field ([[forms.fields]])")
    if len(items) > MAX_FIELDS:
        report.add(path, f"a form has at most {MAX_FIELDS} fields")
    names = [item.get("name") for item in items]
    for i, item in enumerate(items):
        if item.get("name") is not None and item["name"] in names[:i]:
            report.add(path + (i, "name"), f"field {item['name']!r} is listed twice")
        _check_field(report, path + (i,), item)
    return items


FORM_SCHEMA = {"code": Key(code), "name": Key(text), "name_en": Key(optional_text, ""),
               "matter": Key(code), "fields": Key(_form_fields)}


def check_forms(report: Report, data: dict) -> None:
    """Across the hall: form codes are unique and each names a matter of the hall."""
    check_unique(report, data, "forms", "code")
    matters = _codes(data, "matters")
    for i, form in _items(data, "forms"):
        if "matter" in form:
            _check_ref(report, ("forms", i, "matter"), form["matter"], matters, "matter")


def build_forms(items: list[dict]) -> tuple[Form, ...]:
    """The dataclasses, from tables that passed every check."""
    made = []
    for item in items:
        form_fields = tuple(
            FormField(**{**f, "choices": tuple(Choice(**c) for c in f["choices"])})
            for f in item["fields"])
        made.append(Form(item["code"], item["name"], item["name_en"], item["matter"],
                         form_fields))
    return tuple(made)
