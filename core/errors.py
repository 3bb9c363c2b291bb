"""The refusals of the hall's rules: what a request may be told when it is turned down.

Every action raises one of these (never a bare exception) when it refuses; `kind`
is stable and machine-readable, the message says what to do, and `details` carries
the values a client needs to say it in its own words.
"""
from __future__ import annotations


class HallError(Exception):
    """A request the hall refuses; `kind` says why, the message says what to do."""

    kind = "invalid"

    def __init__(self, message: str, **details) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(HallError):
    kind = "invalid"          # the request itself is wrong


class NotFound(HallError):
    kind = "not_found"


class Conflict(HallError):
    kind = "conflict"         # right request, wrong moment (state)


class Forbidden(HallError):
    kind = "forbidden"
