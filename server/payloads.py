"""What each route accepts, declared once: the declaration parses the request and
feeds the OpenAPI document (`server/openapi.py`).

A view says what it reads with `@accepts(...)`, placed under `@requires`/`@public`
so the token is checked before the body is read:

    @blueprint.post("/tickets/<number>/cancel")
    @requires("kiosk", "manager")
    @accepts(body=[text("reason", 200, required=False, default="cancelled")],
             path=[TICKET_NUMBER])
    def cancel(number: str, body: Values): ...

The view gets `body=` (when it declares a body), `query=` and `headers=` (when it
declares any) as `Values`, holding every declared field (its default when absent).

The rules every request meets, whatever the route:
- the body is at most MAX_BODY_BYTES (Flask's MAX_CONTENT_LENGTH: 413 `too_large`),
  UTF-8, one JSON object nested at most MAX_DEPTH deep, else 400 `bad_json`;
- an unknown body field or query parameter is refused, naming a close match;
- every text is stripped, at most its field's `max_length` characters, and holds
  no lone surrogate, noncharacter or control character (tab and newlines allowed):
  422 `invalid` naming the field, `details.field` (and `details.max_length`).
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import wraps
from typing import Any, Sequence

from flask import request

from core.errors import Invalid

MAX_BODY_BYTES = 64 * 1024     # the largest honest body is well under 10 KiB
MAX_DEPTH = 8                  # our bodies are flat: an object, at most a list in it
MAX_INTEGER = 2 ** 53          # beyond this an integer is a probe (and no SQLite INTEGER)
AUTH_QUERY = frozenset({"token"})   # read by server.auth, never by a view

TEXT, INTEGER, BOOLEAN, DATE, TEXTS = "text", "integer", "boolean", "date", "texts"
MAPPING = "mapping"            # a JSON object of names to texts (a form's fields)
MAPPING_KEY_LENGTH = 32        # the longest name in a mapping

_NONCHARACTERS = "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}"
                         for plane in range(17))
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                       + re.escape(_NONCHARACTERS) + "]")


class BadJson(Exception):
    pass


@dataclass(frozen=True)
class Field:
    """One body field, query parameter, path parameter or header."""

    name: str
    kind: str = TEXT
    required: bool = True
    max_length: int | None = None       # of the text, or of each item of a list
    max_items: int | None = None        # of a list
    choices: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    doc: str = ""
    example: Any = None     # for the OpenAPI document (and so the fuzzer's first tries)

    def read(self, value: Any, where: str = "field") -> Any:
        """The value as the view gets it; Invalid naming the field if it is wrong."""
        if self.kind == TEXT:
            value = _text(self, value, where)
            if self.choices is not None and value not in self.choices:
                raise Invalid(f"{self.name} must be one of {list(self.choices)}; "
                              f"got {value!r}", field=self.name)
            return value
        if self.kind == INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise Invalid(f"{where} '{self.name}' must be an integer", field=self.name)
            low = -MAX_INTEGER if self.minimum is None else self.minimum
            high = MAX_INTEGER if self.maximum is None else self.maximum
            if not low <= value <= high:
                raise Invalid(f"{where} '{self.name}' must be from {low} to {high}",
                              field=self.name)
            return value
        if self.kind == BOOLEAN:
            if not isinstance(value, bool):
                raise Invalid(f"{where} '{self.name}' must be true or false", field=self.name)
            return value
        if self.kind == DATE:
            value = _text(self, value, where)
            if not value and self.required:
                raise Invalid(f"{where} '{self.name}' is required", field=self.name)
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise Invalid(f"{where} '{self.name}' must be a date like 2026-11-30",
                              field=self.name) from None
        if self.kind == TEXTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise Invalid(f"{where} '{self.name}' must be a list of strings",
                              field=self.name)
            if self.max_items is not None and len(value) > self.max_items:
                raise Invalid(f"{where} '{self.name}' has {len(value)} items; at most "
                              f"{self.max_items} are allowed", field=self.name,
                              max_items=self.max_items)
            items = [_text(self, v, where, item=True) for v in value]
            return [v for v in items if v]
        if self.kind == MAPPING:
            return self._mapping(value, where)
        raise AssertionError(f"unknown kind {self.kind}")

    def _mapping(self, value: Any, where: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise Invalid(f"{where} '{self.name}' must be an object of texts "
                          '({"name": "text", ...})', field=self.name)
        if self.max_items is not None and len(value) > self.max_items:
            raise Invalid(f"{where} '{self.name}' has {len(value)} entries; at most "
                          f"{self.max_items} are allowed", field=self.name,
                          max_items=self.max_items)
        names = Field(self.name, max_length=MAPPING_KEY_LENGTH)
        return {_text(names, k, where, item=True): _text(self, v, where, item=True)
                for k, v in value.items()}

    def absent(self) -> Any:
        if self.default is not None:
            return self.default
        return {TEXT: "", TEXTS: [], BOOLEAN: False}.get(self.kind)


def _text(spec: Field, value: Any, where: str, item: bool = False) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{where} '{spec.name}' must be a string", field=spec.name)
    bad = _NOT_TEXT.search(value)
    if bad:
        char = bad.group()
        what = ("a lone surrogate" if "\ud800" <= char <= "\udfff" else
                "a control character" if char.isascii() or char <= "\x9f" else
                "a noncharacter")
        raise Invalid(f"{where} '{spec.name}' holds U+{ord(char):04X}, {what}, which no "
                      f"text may hold", field=spec.name, character=f"U+{ord(char):04X}")
    value = value.strip()
    if spec.max_length is not None and len(value) > spec.max_length:
        what = f"has an item {len(value)}" if item else f"is {len(value)}"
        raise Invalid(f"{where} '{spec.name}' {what} characters long; at most "
                      f"{spec.max_length} are allowed", field=spec.name,
                      max_length=spec.max_length)
    return value


# --- declaring fields ------------------------------------------------------------------

def text(name: str, max_length: int, *, required: bool = True, choices=None,
         default: str | None = None, doc: str = "", example: str | None = None) -> Field:
    return Field(name, TEXT, required, max_length,
                 choices=tuple(choices) if choices is not None else None,
                 default=default, doc=doc, example=example)


def integer(name: str, *, required: bool = True, minimum: int | None = None,
            maximum: int | None = None, doc: str = "", example: int | None = None) -> Field:
    return Field(name, INTEGER, required, minimum=minimum, maximum=maximum, doc=doc,
                 example=example)


def flag(name: str, doc: str = "") -> Field:
    return Field(name, BOOLEAN, required=False, doc=doc)


def day(name: str, *, required: bool = False, doc: str = "",
        example: str | None = None) -> Field:
    return Field(name, DATE, required, max_length=10, doc=doc, example=example)


def texts(name: str, max_length: int, max_items: int, *, required: bool = False,
          doc: str = "", example: list[str] | None = None) -> Field:
    return Field(name, TEXTS, required, max_length, max_items, doc=doc, example=example)


def mapping(name: str, max_length: int, max_items: int, *, required: bool = False,
            doc: str = "", example: dict | None = None) -> Field:
    """A JSON object of names (at most MAPPING_KEY_LENGTH characters) to texts."""
    return Field(name, MAPPING, required, max_length, max_items, doc=doc, example=example)


def like(spec: Field, **changes) -> Field:
    """The same field under another name or requirement (`to_pool` is a `pool`)."""
    return replace(spec, **changes)


# --- the declaration of a route ---------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """What one view accepts and how it answers: read by `accepts` and by the OpenAPI."""

    body: tuple[Field, ...] | None = None      # None: the view reads no body
    query: tuple[Field, ...] = ()
    path: tuple[Field, ...] = ()               # text path parameters (ints: the converter)
    headers: tuple[Field, ...] = ()
    status: int = 200
    media_type: str = "application/json"
    ignore_unknown_query: bool = False


class Values(dict):
    """The declared fields of one part of a request, each present (default if absent)."""


def accepts(body: Sequence[Field] | None = None, *, query: Sequence[Field] = (),
            path: Sequence[Field] = (), headers: Sequence[Field] = (), status: int = 200,
            media_type: str = "application/json", ignore_unknown_query: bool = False):
    """Declare what the view reads; the view gets `body=`, `query=`, `headers=` Values."""
    spec = Spec(tuple(body) if body is not None else None, tuple(query), tuple(path),
                tuple(headers), status, media_type, ignore_unknown_query)
    _check_unique(spec)

    def decorate(view):
        @wraps(view)
        def parsed(*args, **kwargs):
            for param in spec.path:
                if param.name in kwargs:
                    kwargs[param.name] = param.read(kwargs[param.name], "path parameter")
            if spec.query:
                kwargs["query"] = read_query(spec)
            elif not spec.ignore_unknown_query:
                read_query(spec)
            if spec.headers:
                kwargs["headers"] = read_headers(spec.headers)
            if spec.body is not None:
                kwargs["body"] = read_fields(spec.body, request_json(), "field")
            return view(*args, **kwargs)
        parsed.spec = spec
        return parsed
    return decorate


def _check_unique(spec: Spec) -> None:
    for part in (spec.body or (), spec.query, spec.path, spec.headers):
        names = [f.name for f in part]
        if len(names) != len(set(names)):
            raise ValueError(f"a field is declared twice: {names}")


# --- reading ----------------------------------------------------------------------------

def shown(name: str, limit: int = 40) -> str:
    """A name from the request, safe to echo: cut short, unprintables escaped."""
    cut = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name[:limit])
    return cut + ("…" if len(name) > limit else "")


def request_json() -> dict:
    """The body as a JSON object ({} when empty); BadJson otherwise."""
    raw = request.get_data(cache=True)       # 413 past MAX_CONTENT_LENGTH, before reading
    return parse_json(raw)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    try:
        text_ = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadJson(f"the request body is not UTF-8 (byte {error.start})") from None
    try:
        data = json.loads(text_, parse_constant=_no_constant)
    except RecursionError:
        raise BadJson(f"the request body is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise BadJson(f"the request body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadJson("the request body must be a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise BadJson(f"the request body is nested deeper than {MAX_DEPTH} levels")
    return data


def _depth(value: Any) -> int:
    deepest, level = 0, [value]
    while level:
        deepest += 1
        level = [child for item in level
                 for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
    return deepest


def read_fields(specs: Sequence[Field], data: dict, where: str) -> Values:
    """Every declared field, in order; then any undeclared one is refused."""
    declared = {f.name for f in specs}
    unknown = [k for k in data if k not in declared]
    values = Values()
    for spec in specs:
        value = data.get(spec.name)
        if value is None or (where != "field" and value == ""):
            if spec.required:
                close = difflib.get_close_matches(spec.name, unknown, n=1)
                hint = f" (the {_part(where)} has '{shown(close[0])}': a typo?)" if close else ""
                raise Invalid(f"{where} '{spec.name}' is required{hint}", field=spec.name)
            values[spec.name] = spec.absent()
        else:
            values[spec.name] = spec.read(value, where)
    for name in unknown:
        close = difflib.get_close_matches(name, declared, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise Invalid(f"unknown {where} '{shown(name)}'{hint}", field=shown(name))
    return values


def _part(where: str) -> str:
    return "body" if where == "field" else "query"


def _from_text(spec: Field, raw: str, where: str) -> Any:
    """A query parameter's or header's text as the JSON value its kind reads."""
    if spec.kind == INTEGER:
        if not re.fullmatch(r"-?[0-9]{1,16}", raw):
            raise Invalid(f"{where} '{spec.name}' must be an integer", field=spec.name)
        return int(raw)
    if spec.kind == BOOLEAN:
        if raw not in ("1", "0", "true", "false"):
            raise Invalid(f"{where} '{spec.name}' must be 1 or 0", field=spec.name)
        return raw in ("1", "true")
    return raw


def read_query(spec: Spec) -> Values:
    args = {name: request.args.get(name) for name in request.args if name not in AUTH_QUERY}
    if spec.ignore_unknown_query:
        declared = {f.name for f in spec.query}
        args = {k: v for k, v in args.items() if k in declared}
    for param in spec.query:
        raw = args.get(param.name)
        if raw:
            _text(Field(param.name, max_length=param.max_length or 32), raw, "query parameter")
            args[param.name] = _from_text(param, raw.strip(), "query parameter")
    return read_fields(spec.query, args, "query parameter")


def read_headers(specs: Sequence[Field]) -> Values:
    values = Values()
    for spec in specs:
        raw = request.headers.get(spec.name, "")
        if not raw.strip():
            values[spec.name] = spec.absent()
            continue
        _text(Field(spec.name, max_length=spec.max_length or 32), raw, "header")
        values[spec.name] = spec.read(_from_text(spec, raw.strip(), "header"), "header")
    return values


# Every POST may carry one: a retried request with the same key gets the first answer
# (server.service.HallService.act); the OpenAPI document adds it to every POST.
IDEMPOTENCY_KEY = text("Idempotency-Key", 64, required=False,
                       doc="a new random key per request (a UUID); a retry with the same "
                           "key gets the first answer, even after a restart",
                       example="5f1c0f0e-2b8e-4c1e-9a57-0c7d1f6a9b2e")
