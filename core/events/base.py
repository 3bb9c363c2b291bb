"""The base of every event: a frozen dataclass whose type is its class name."""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache


@dataclass(frozen=True)
class Event:
    @property
    def type(self) -> str:
        return type(self).__name__

    def payload(self) -> dict:
        return {name: getattr(self, name) for name in _field_names(type(self))}


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))
