"""Events as the hall's log keeps them: the registry of types, decoding a stored
payload, `LoggedEvent` and the stream's first message, `Snapshot`."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

# Every event module, so that the registry below knows every type.
import core.events.advice  # noqa: F401
import core.events.bookings  # noqa: F401
import core.events.cases  # noqa: F401
import core.events.hall  # noqa: F401
import core.events.tickets  # noqa: F401
import core.events.windows  # noqa: F401
from core.events.base import Event

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls for cls in Event.__subclasses__()
}


def event_from_dict(type_name: str, payload: dict) -> Event:
    """The typed event from its type name and JSON payload (unknown keys ignored,
    JSON arrays back to tuples); KeyError for an unknown type."""
    cls = EVENT_TYPES[type_name]
    values = {}
    for f in fields(cls):
        if f.name in payload:
            value = payload[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the hall's log holds it: its id on the stream, when it happened.

    `json` is its stored encoding (`{"at": ..., **payload}`), made once when it is
    written and reused for every stream frame.
    """

    id: int
    at: str                    # ISO 8601, the hall's local time
    event: Event
    json: str = field(default="", compare=False, repr=False)

    @property
    def type(self) -> str:
        return self.event.type

    def data(self) -> dict:
        return {"at": self.at} | self.event.payload()

    @classmethod
    def encode(cls, event_id: int, at: str, event: Event) -> LoggedEvent:
        text = json.dumps({"at": at} | event.payload(), ensure_ascii=False,
                          separators=(",", ":"))
        return cls(event_id, at, event, text)

    @classmethod
    def decode(cls, event_id: int, type_name: str, text: str) -> LoggedEvent:
        data = json.loads(text)
        return cls(event_id, data.get("at", ""), event_from_dict(type_name, data), text)


@dataclass(frozen=True)
class Snapshot:
    """The whole hall at one moment (the stream's first message): `picture` as
    `core.hall.Hall.snapshot` draws it, up to and including event `id`."""

    id: int
    picture: dict

    @property
    def type(self) -> str:
        return "snapshot"
