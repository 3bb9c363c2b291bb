"""Alarms for the managers: facts about the hall's devices worth a look right away."""
from __future__ import annotations

from datetime import datetime

from core.events import AlarmRaised, Event
from core.hall import Hall


def raise_alarm(hall: Hall, source: str, kind: str, message: str,
                now: datetime) -> list[Event]:
    """An alarm changes nothing in the hall; it is logged and streamed to staff only."""
    return [AlarmRaised(source=source, kind=kind, message=message)]
