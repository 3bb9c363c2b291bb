"""Turn a hall's TOML configuration into `core.settings.schema.HallSettings`.

`parse_settings(text)` checks everything and either returns the settings or
raises one `SettingsError` listing every problem, each as
``source:LINE: FIELD: message``, e.g.::

    config/demo-hall.toml:214: matters[7].pool: unknown pool 'acceptence'
    (did you mean 'acceptance_a'?)        <- all on one line

Pure: standard library only, and no file I/O except `load_settings(path)`.
The schema is here, the per-value checks in `core.settings.values`; checks across the whole hall are
in `core.settings.checks`. docs/configuration.md describes every key.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

from core.allocation import POLICIES
from core.settings.advisor import ADVISOR_SCHEMA, build_advisor
from core.settings.board import BOARD_SCHEMA, build_board, check_board
from core.settings.calendar import (
    BOOKING_SCHEMA,
    CALENDAR_SCHEMA,
    build_booking,
    build_calendar,
    check_calendar,
)
from core.settings.checks import Problem, Report, check_hall, did_you_mean
from core.settings.departments import DEPARTMENT_SCHEMA, build_departments, check_departments
from core.settings.forms import FORM_SCHEMA, build_forms, check_forms
from core.settings.kiosk import KIOSK_SCHEMA, build_kiosk, check_kiosk
from core.settings.materials import FORMS, MATERIAL_ID, Material
from core.settings.people import PEOPLE_SCHEMA, build_people
from core.settings.ratings import RATINGS_SCHEMA, build_ratings, check_ratings
from core.settings.schema import (
    ROLES,
    Category,
    Credential,
    Device,
    HallSettings,
    Hours,
    Matter,
    Pool,
    PoolKind,
    Rules,
    ServerSettings,
    Theme,
    WindowSpec,
)
from core.settings.values import (  # noqa: F401  (parse_time, the kinds: re-exported)
    BAD,
    DEVICE_KINDS,
    REQUIRED,
    SYNCHRONOUS,
    URL_SCHEMES,
    WEEKDAYS,
    Key,
    _defaults,
    _expect,
    boolean,
    choice,
    code,
    device_url,
    hall_code,
    language,
    non_negative_int,
    optional_text,
    parse_time,
    port,
    positive_int,
    positive_number,
    prefix,
    public_url,
    read_table,
    skills,
    span,
    text,
    text_list,
    time_of_day,
    timezone,
    token_hash,
)
from core.settings.voice import VOICE_SCHEMA, build_voice, check_voice

__all__ = [
    "DEVICE_KINDS",
    "URL_SCHEMES",
    "Problem",
    "SettingsError",
    "load_settings",
    "parse_settings",
    "parse_time",
]

class SettingsError(ValueError):
    """Every problem found in one configuration text."""

    def __init__(self, problems: list[Problem], source: str = "<config>") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        self.source = source
        super().__init__("\n".join(p.format(source) for p in self.problems))


# ------------------------------------------------------------------ schema

def material_id(report, path, value):
    if text(report, path, value) is BAD:
        return BAD
    if not MATERIAL_ID.fullmatch(value):
        report.add(path, f"{value!r} is not a material id (lowercase ASCII letters, digits "
                   "and '_', starting with a letter, e.g. 'death_certificate')")
        return BAD
    return value


_NAMES = {"code": Key(code), "name": Key(text), "name_en": Key(text)}
SCHEMA: dict[str, dict[str, Key]] = {
    "hall": {"name": Key(text), "name_en": Key(text), "code": Key(hall_code),
             "timezone": Key(timezone), "language": Key(language)},
    "hours": {"open": Key(time_of_day), "close": Key(time_of_day),
              "lunch_start": Key(time_of_day), "lunch_end": Key(time_of_day),
              "lunchtime_service": Key(boolean, False), "extended_until": Key(time_of_day, None),
              "weekend_days": Key(text_list(choice(WEEKDAYS, "weekday")), ()),
              "tickets_before_open_minutes": Key(non_negative_int, 0),
              "ticket_cutoff_minutes": Key(non_negative_int, 0),
              "closed_weekdays": Key(text_list(choice(WEEKDAYS, "weekday")), None),
              "refuse_outside_hours": Key(boolean, True)},
    "rules": _defaults(Rules, {
        "recall_cooldown_seconds": positive_int, "max_recalls": positive_int,
        "tickets_per_id_per_day": positive_int, "elderly_age": positive_int,
        "tickets_per_device_per_minute": positive_int,
        "tickets_per_address_per_minute": positive_int,
        "appointment_call_early_minutes": positive_int,
        "appointment_check_in_opens_minutes": positive_int,
        "appointment_check_in_closes_minutes": positive_int,
        "policy": choice(tuple(POLICIES), "policy"), "requeue_after": non_negative_int,
        "max_wait_guard_minutes": positive_int, "ready_minutes": non_negative_int}),
    "server": _defaults(ServerSettings, {
        "host": text, "port": port, "database": text, "threads": positive_int,
        "synchronous": choice(SYNCHRONOUS, "synchronous mode"), "public_url": public_url,
        "key_file": optional_text}),
    "categories": {**_NAMES, "prefix": Key(prefix)},
    "matters": {**_NAMES, "category": Key(code), "pool": Key(code),
                "materials": Key(text_list()), "time_limit_days": Key(non_negative_int),
                "service_minutes": Key(positive_number), "opens_case": Key(boolean, True),
                "real_name": Key(boolean, False)},
    "themes": {**_NAMES, "matters": Key(text_list(code)), "category": Key(code),
               "pool": Key(code)},
    "pools": {**_NAMES, "kind": Key(choice(tuple(k.value for k in PoolKind), "pool kind"))},
    "windows": {"number": Key(positive_int), "name": Key(text), "pool": Key(code),
                "skills": Key(skills), "also_serves": Key(text_list(code), ()),
                "lunch_break": Key(span, None), "shift": Key(span, None)},
    "devices": {"name": Key(text), "kind": Key(choice(DEVICE_KINDS, "device kind")),
                "url": Key(device_url), "window": Key(positive_int, None),
                "owner": Key(optional_text, "")},
    "materials": {"id": Key(material_id), "name": Key(text), "name_en": Key(optional_text, ""),
                  "form": Key(choice(FORMS, "material form"), ""),
                  "count": Key(positive_int, 1), "produced_by": Key(text_list(code), ())},
    "credentials": {"name": Key(text), "role": Key(choice(ROLES, "role")),
                    "token_hash": Key(token_hash), "display_name": Key(optional_text, ""),
                    "window": Key(positive_int, None)},
    "kiosk": KIOSK_SCHEMA,
    "calendar": CALENDAR_SCHEMA,
    "booking": BOOKING_SCHEMA,
    "forms": FORM_SCHEMA,
    "board": BOARD_SCHEMA,
    "voice": VOICE_SCHEMA,
    "people": PEOPLE_SCHEMA,
    "departments": DEPARTMENT_SCHEMA,
    "ratings": RATINGS_SCHEMA,
    "advisor": ADVISOR_SCHEMA,
}
ARRAYS = ("categories", "matters", "themes", "pools", "windows", "devices", "credentials",
          "materials", "forms", "departments")
OPTIONAL_SECTIONS = ("rules", "server", "themes", "devices", "credentials", "materials",
                     "kiosk", "calendar", "booking", "forms", "voice", "board", "people",
                     "departments", "ratings", "advisor")


def read_array(report: Report, name: str, raw: Any) -> list[dict]:
    if isinstance(raw, dict):
        report.add((name,), f"expected an array of tables: write each entry under its own "
                   f"[[{name}]] header, not [{name}]")
        return []
    if not _expect(report, (name,), raw, (list,), f"an array of tables ([[{name}]])"):
        return []
    return [read_table(report, (name, i), item, SCHEMA[name]) for i, item in enumerate(raw)]


def read_document(report: Report, doc: dict) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, raw in doc.items():
        if key not in SCHEMA:
            report.add((key,), f"unknown table {key!r}{did_you_mean(key, list(SCHEMA), 'tables')}")
        elif key in ARRAYS:
            data[key] = read_array(report, key, raw)
        else:
            data[key] = read_table(report, (key,), raw, SCHEMA[key])
    for key, schema in SCHEMA.items():
        if key in data:
            continue
        if key not in OPTIONAL_SECTIONS:
            header = f"[[{key}]]" if key in ARRAYS else f"[{key}]"
            report.add_at(None, key, f"missing required table {header}")
            data[key] = [] if key in ARRAYS else {}
        else:
            data[key] = [] if key in ARRAYS else read_table(report, (key,), {}, schema)
    for key in ("categories", "matters", "pools", "windows"):
        if key in doc and not data[key] and isinstance(doc[key], list):
            report.add((key,), f"at least one [[{key}]] entry is needed")
    return data


# ------------------------------------------------------------------ building

def build(data: dict[str, Any]) -> HallSettings:
    """The dataclasses, from values that passed every check."""
    hall = data["hall"]

    def each(section: str, cls: type, **convert: Callable) -> tuple:
        return tuple(cls(**{k: convert.get(k, _same)(v) for k, v in item.items()})
                     for item in data[section])

    return HallSettings(
        name=hall["name"], name_en=hall["name_en"], code=hall["code"],
        timezone=hall["timezone"], language=hall["language"],
        hours=Hours(**data["hours"]), rules=Rules(**data["rules"]),
        server=ServerSettings(**data["server"]),
        categories=each("categories", Category), matters=each("matters", Matter),
        themes=each("themes", Theme), pools=each("pools", Pool, kind=PoolKind),
        windows=each("windows", WindowSpec), devices=each("devices", Device),
        credentials=each("credentials", Credential),
        kiosk=build_kiosk(data["kiosk"]),
        materials=each("materials", Material),
        calendar=build_calendar(data["calendar"]), booking=build_booking(data["booking"]),
        forms=build_forms(data["forms"]),
        board=build_board(data["board"]),
        voice=build_voice(data["voice"]),
        people=build_people(data["people"]),
        departments=build_departments(data["departments"]),
        ratings=build_ratings(data["ratings"]),
        advisor=build_advisor(data["advisor"]),
    )


def _same(value: Any) -> Any:
    return value


_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _syntax_problem(error: tomllib.TOMLDecodeError, text: str) -> Problem:
    message = str(error)
    match = _TOML_AT.search(message)
    if match is None:
        return Problem(None, "toml", message)
    line = int(match[1]) if match[1] else max(1, len(text.splitlines()))
    where = f" (column {match[2]})" if match[2] else " (at the end of the file)"
    return Problem(line, "toml", f"syntax error: {message[:match.start()]}{where}")


def parse_settings(text: str, source: str = "<config>") -> HallSettings:
    """The hall described by TOML `text`; `SettingsError` lists every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError([_syntax_problem(error, text)], source) from None
    report = Report(text)
    data = read_document(report, doc)
    check_hall(report, data)
    check_kiosk(report, data)
    check_calendar(report, data)
    check_forms(report, data)
    check_board(report, data)
    check_voice(report, data)
    check_departments(report, data)
    check_ratings(report, data)
    if report.problems:
        raise SettingsError(report.problems, source)
    return build(data)


def load_settings(path: str) -> HallSettings:
    """Read and parse a configuration file (UTF-8, a byte-order mark is allowed)."""
    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read()
    return parse_settings(text, source=str(path))
