"""The `[people]` section: how people (clerks, managers, helpers, the back office) log in.

People log in with a user name and a password (`POST /api/login`) and get a session
that ends `session_hours` after the log-in, or after `idle_minutes` without a request.
Wrong passwords are slowed down per user name and per network address
(core/people.py has the arithmetic). docs/configuration.md describes every key.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core.settings.values import Key, positive_int, positive_number


@dataclass(frozen=True)
class PeopleSettings:
    session_hours: float = 12.0          # a session ends this long after its log-in
    idle_minutes: float = 60.0           # ... or this long after its last request
    failures_allowed: int = 5            # wrong passwords for one user name in a row ...
    failure_window_minutes: float = 15.0  # ... each within this of the last (then forgotten)
    address_failures_allowed: int = 20   # wrong passwords from one network address, any names
    lock_minutes: float = 1.0            # the first lock-out; it doubles with each more failure
    max_lock_minutes: float = 15.0       # ... up to this
    password_min_length: int = 8


_CONVERT = {"session_hours": positive_number, "idle_minutes": positive_number,
            "failures_allowed": positive_int, "failure_window_minutes": positive_number,
            "address_failures_allowed": positive_int, "lock_minutes": positive_number,
            "max_lock_minutes": positive_number, "password_min_length": positive_int}
PEOPLE_SCHEMA: dict[str, Key] = {f.name: Key(_CONVERT[f.name], f.default)
                                 for f in fields(PeopleSettings)}


def build_people(values: dict[str, Any]) -> PeopleSettings:
    return PeopleSettings(**values)
