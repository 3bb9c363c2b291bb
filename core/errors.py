"""The refusals of the hall's rules: what a request may be told when it is turned down.

Every action raises one of these (never a bare exception) when it refuses. `kind`
is the broad class (it picks the HTTP status); `code` names the refusal itself,
stably (`id_daily_limit`, `outside_hours` ...), so a kiosk can say it in the
citizen's language from its message catalogue; `details` carries the values it
needs to do so. The English message is for logs and developers, never for a screen.
"""
from __future__ import annotations


class HallError(Exception):
    """A request the hall refuses; `kind` says why, the message says what to do."""

    kind = "invalid"

    def __init__(self, message: str, *, code: str = "", **details) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.kind
        self.details = details


class Invalid(HallError):
    kind = "invalid"          # the request itself is wrong


class NotFound(HallError):
    kind = "not_found"


class Conflict(HallError):
    kind = "conflict"         # right request, wrong moment (state)


class Forbidden(HallError):
    kind = "forbidden"
