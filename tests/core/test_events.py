"""Events keep their type on the way through storage and the wire."""
from __future__ import annotations

from dataclasses import fields

import pytest

from core.events import EVENT_TYPES, LoggedEvent, TicketIssued, event_from_dict

SAMPLES = {"str": "甲A001", "int": 7, "bool": True, "float | None": 12.5, "tuple": ("身份证",),
           "int | None": 3, "str | None": "2026-11-30", "float": 61.5}


def sample(cls):
    return cls(**{f.name: SAMPLES[f.type] for f in fields(cls)})


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_event_survives_encoding_and_decoding(name):
    event = sample(EVENT_TYPES[name])
    logged = LoggedEvent.encode(41, "2026-11-23T09:00:00+08:00", event)
    back = LoggedEvent.decode(41, name, logged.json)
    assert back == logged and back.event == event and type(back.event) is type(event)
    assert back.data() == {"at": "2026-11-23T09:00:00+08:00"} | event.payload()


def test_unknown_payload_keys_are_ignored_and_unknown_types_refused():
    event = event_from_dict("TicketIssued", sample(TicketIssued).payload() | {"extra": 1})
    assert isinstance(event, TicketIssued)
    with pytest.raises(KeyError):
        event_from_dict("TicketTeleported", {})
