"""Reading a JSON request body field by field, with an error that names the field."""
from __future__ import annotations

import difflib
import json
from datetime import date

from flask import request

from core.errors import Invalid


class BadJson(Exception):
    pass


class Payload:
    def __init__(self, data: dict) -> None:
        self._data = data
        self._read: set[str] = set()

    @classmethod
    def from_request(cls) -> Payload:
        body = request.get_data()
        if not body.strip():
            return cls({})
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadJson(str(error)) from None
        if not isinstance(data, dict):
            raise BadJson("the body must be a JSON object")
        return cls(data)

    def _get(self, name: str, required: bool):
        self._read.add(name)
        if name not in self._data or self._data[name] is None:
            if required:
                unread = [k for k in self._data if k not in self._read]
                close = difflib.get_close_matches(name, unread, n=1)
                hint = f" (the body has '{close[0]}': a typo?)" if close else ""
                raise Invalid(f"field '{name}' is required{hint}", field=name)
            return None
        return self._data[name]

    def text(self, name: str, required: bool = True, default: str = "") -> str:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise Invalid(f"field '{name}' must be a string", field=name)
        return value.strip()

    def integer(self, name: str, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"field '{name}' must be an integer", field=name)
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        value = self.text(name, required)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"field '{name}' must be a date like 2026-11-30", field=name) from None

    def texts(self, name: str, required: bool = False) -> list[str]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid(f"field '{name}' must be a list of strings", field=name)
        return [v.strip() for v in value if v.strip()]

    def flag(self, name: str) -> bool:
        value = self._get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise Invalid(f"field '{name}' must be true or false", field=name)
        return value

    def done(self) -> None:
        """Refuse fields nobody read: a typo must not be silently ignored."""
        for name in self._data:
            if name not in self._read:
                close = difflib.get_close_matches(name, self._read, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise Invalid(f"unknown field '{name}'{hint}", field=name)
