"""The value checks of the settings loader: each converter reads one TOML value,
reports what is wrong with it (naming its path) and returns the value or `BAD`.

New sections of the configuration build their schemas from these.
"""
from __future__ import annotations

import datetime
import math
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from core.settings.checks import Path, Report, did_you_mean

DEVICE_KINDS = ("printer", "led", "keypad", "rating_pad", "id_reader", "speaker")
URL_SCHEMES = ("serial", "loop", "fake", "file", "tcp", "usb")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


_TOKEN_HASH = re.compile(r"sha256:[0-9a-f]{64}")


# ------------------------------------------------------------- value checks

BAD = object()   # a converter's answer when it has reported a problem
_TIME = re.compile(r"(\d{2}):(\d{2})")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(\S+)")
Converter = Callable[[Report, Path, Any], Any]


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table"}
    name = names.get(type(value), "a date/time")
    return f"{name} ({value!r})" if isinstance(value, (bool, int, float, str)) else name


def _expect(report: Report, path: Path, value: Any, types: tuple, what: str) -> bool:
    if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
        return True
    report.add(path, f"expected {what}, got {_kind(value)}")
    return False


def text(report: Report, path: Path, value: Any) -> Any:
    if not _expect(report, path, value, (str,), "a string"):
        return BAD
    if not value.strip():
        report.add(path, "must not be empty")
        return BAD
    return value


def optional_text(report: Report, path: Path, value: Any) -> Any:
    return value if _expect(report, path, value, (str,), "a string") else BAD


def code(report: Report, path: Path, value: Any) -> Any:
    if text(report, path, value) is BAD:
        return BAD
    if not _CODE.fullmatch(value):
        report.add(path, f"{value!r} is not a valid code (use up to 32 ASCII letters, "
                   "digits, '_', '-' or '.')")
        return BAD
    return value


def _pattern(regex: str, hint: str) -> Converter:
    def check(report: Report, path: Path, value: Any) -> Any:
        if text(report, path, value) is BAD:
            return BAD
        if not re.fullmatch(regex, value):
            report.add(path, f"{value!r} is not valid: {hint}")
            return BAD
        return value
    return check


prefix = _pattern(r"[A-Z]", "a ticket prefix is one uppercase letter A-Z")
hall_code = _pattern(r"[A-Z][A-Z0-9]{0,7}", "use 1-8 uppercase ASCII letters or digits, "
                     "starting with a letter")
language = _pattern(r"[a-z]{2}(-[A-Za-z]{2,4})?", "use a language tag such as 'zh' or 'en'")
public_url = _pattern(r"https?://\S+", "expected an http:// or https:// address")


def _number(low: float, low_open: bool, high: float | None, integer: bool) -> Converter:
    """A finite number above `low` (or from `low`, if not `low_open`), up to `high`."""
    what = "an integer" if integer else "a number"
    bound = ("greater than " if low_open else "at least ") + f"{low:g}"
    if high is not None:
        bound = f"in ({low:g}, {high:g}]" if low_open else f"in [{low:g}, {high:g}]"

    def check(report: Report, path: Path, value: Any) -> Any:
        types = (int,) if integer else (int, float)
        if not _expect(report, path, value, types, what):
            return BAD
        if not math.isfinite(value):
            report.add(path, f"must be a finite number, got {value!r}")
            return BAD
        if (value <= low if low_open else value < low) or (high is not None and value > high):
            report.add(path, f"must be {bound}, got {value!r}")
            return BAD
        return value if integer else float(value)
    return check


positive_int = _number(0, True, None, True)
non_negative_int = _number(0, False, None, True)
positive_number = _number(0, True, None, False)
weight = _number(0, True, 1, False)
port = _number(1, False, 65535, True)


def boolean(report: Report, path: Path, value: Any) -> Any:
    return value if _expect(report, path, value, (bool,), "true or false") else BAD


def choice(options: tuple[str, ...], noun: str) -> Converter:
    def check(report: Report, path: Path, value: Any) -> Any:
        if text(report, path, value) is BAD:
            return BAD
        if value not in options:
            report.add(path, f"unknown {noun} {value!r}{did_you_mean(value, options, noun + 's')}")
            return BAD
        return value
    return check


def parse_time(value: str) -> int | None:
    """"HH:MM" (00:00-23:59) as minutes after midnight, or None if malformed."""
    match = _TIME.fullmatch(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return int(match[1]) * 60 + int(match[2])


def time_of_day(report: Report, path: Path, value: Any) -> Any:
    if isinstance(value, datetime.time) and not (value.second or value.microsecond):
        return value.hour * 60 + value.minute   # an unquoted TOML local time, 08:30:00
    if not _expect(report, path, value, (str,), 'a time "HH:MM"'):
        return BAD
    minutes = parse_time(value)
    if minutes is None:
        report.add(path, f'{value!r} is not a time of day: expected "HH:MM", 00:00 to 23:59')
        return BAD
    return minutes


def span(report: Report, path: Path, value: Any) -> Any:
    if not _expect(report, path, value, (str,), 'a span "HH:MM-HH:MM"'):
        return BAD
    parts = [parse_time(p.strip()) for p in value.split("-")]
    if len(parts) != 2 or None in parts:
        report.add(path, f'{value!r} is not a span of time: expected "HH:MM-HH:MM"')
        return BAD
    if parts[0] >= parts[1]:
        report.add(path, f"{value!r} ends before it starts")
        return BAD
    return (parts[0], parts[1])


def text_list(item: Converter = text) -> Converter:
    def check(report: Report, path: Path, value: Any) -> Any:
        if not _expect(report, path, value, (list,), "an array of strings"):
            return BAD
        seen: list = []
        for i, element in enumerate(value):
            converted = item(report, path + (i,), element)
            if converted is not BAD and converted in seen:
                report.add(path + (i,), f"{element!r} is listed twice")
            elif converted is not BAD:
                seen.append(converted)
        return tuple(seen) if len(seen) == len(value) else BAD
    return check


def skills(report: Report, path: Path, value: Any) -> Any:
    if not _expect(report, path, value, (dict,), "a table of category code = weight"):
        return BAD
    if not value:
        report.add(path, "a window needs at least one skill, or it can call nobody")
        return BAD
    out = {k: weight(report, path + (k,), v) for k, v in value.items()}
    return out if BAD not in out.values() else BAD


def timezone(report: Report, path: Path, value: Any) -> Any:
    if text(report, path, value) is BAD:
        return BAD
    try:
        zoneinfo.ZoneInfo(value)
        return value
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        names = sorted(zoneinfo.available_timezones())
        report.add(path, f"unknown time zone {value!r}{did_you_mean(value, names, 'zones')}")
        return BAD


def token_hash(report: Report, path: Path, value: Any) -> Any:
    if text(report, path, value) is BAD:
        return BAD
    if not _TOKEN_HASH.fullmatch(value):
        report.add(path, 'expected "sha256:" and 64 lowercase hex digits; make one with '
                   "`yichuang hash-token TOKEN`")
        return BAD
    return value


def device_url(report: Report, path: Path, value: Any) -> Any:
    if text(report, path, value) is BAD:
        return BAD
    match = _URL.fullmatch(value)
    if not match:
        report.add(path, f"{value!r} is not a device URL such as 'serial:///dev/ttyUSB0'")
        return BAD
    if match[1] not in URL_SCHEMES:
        report.add(path, f"unsupported scheme {match[1]!r} (expected one of "
                   f"{', '.join(URL_SCHEMES)})")
        return BAD
    return value


# ------------------------------------------------------------------ tables

class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Key:
    convert: Converter
    default: Any = REQUIRED


def _defaults(cls: type, convert: dict[str, Converter]) -> dict[str, Key]:
    """Optional keys whose defaults are those of the dataclass `cls`."""
    return {f.name: Key(convert[f.name], f.default) for f in fields(cls)}


def read_table(report: Report, path: Path, raw: Any, schema: dict[str, Key]) -> dict:
    """The converted values of one table; problems reported, bad values left out."""
    if not _expect(report, path, raw, (dict,), "a table"):
        return {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in schema:
            report.add(path + (key,), f"unknown key {key!r}"
                       f"{did_you_mean(key, list(schema), 'keys here')}")
            continue
        converted = schema[key].convert(report, path + (key,), value)
        if converted is not BAD:
            out[key] = converted
    for key, spec in schema.items():
        if key not in raw and spec.default is REQUIRED:
            report.add(path + (key,), f"missing required key {key!r}")
        elif key not in raw:
            out[key] = spec.default
    return out
