"""Roles and credentials: every route says who may call it; tokens are stored hashed.

A keypad bridge (role `keypad`) acts only at the windows whose [[devices]] of kind
keypad it owns, and only while a clerk is logged in there, as that clerk
(`server.views.common.at_window`). A request presents `Authorization: Bearer
<token>`; only the event stream's GET also takes `?token=` (a browser's EventSource
cannot set headers), so a token never rides in the URL of a write. A clerk may act
only at the window they are logged in at. A bearer token is a device's (its hash in
the hall's TOML) or a person's live session (server/sessions.py: `POST /api/login`).
Wrong tokens are logged, and an address that keeps presenting them is refused (429)
for a while, whatever it presents: guessing is slowed to a few a minute.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from werkzeug.exceptions import TooManyRequests

from core.settings.schema import ROLES
from server.limits import RateLimit

log = logging.getLogger("yichuang.auth")
WRONG_TOKENS_PER_MINUTE = 10
STREAM_ENDPOINT = "stream.events"      # the one route that takes ?token=
# A page refreshing itself sends this header with "1": such a request does not keep a
# person's session from idling out (a console left open is not a person at work).
BACKGROUND_HEADER = "X-Yichuang-Background"


def hash_token(token: str) -> str:
    """The stored form of a device's or person's token: "sha256:<64 hex>".

    Tokens are long random strings, so an unsalted SHA-256 cannot be brute-forced
    the way a short password could (people's passwords need a slow hash).
    """
    if not token:
        raise ValueError("a token must not be empty")
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    """Whether `token` is the one `token_hash` was made from (constant time)."""
    if not token or not isinstance(token_hash, str):
        return False
    return hmac.compare_digest(hash_token(token).encode(), token_hash.encode("utf-8"))


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    display_name: str
    window: int | None = None       # a rating pad's window
    session: str = ""               # a person's session: its token's hash ("" for a device)


class Unauthorized(Exception):
    pass


class Refused(TooManyRequests):
    """429 with a Retry-After header: too many tries from one address or device."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(description=message)
        self.retry_after = max(1, round(retry_after))

    def get_headers(self, environ=None, scope=None):
        return super().get_headers(environ, scope) + [("Retry-After", str(self.retry_after))]


class WrongRole(Exception):
    pass


class PersonRefused(Exception):
    """A person's log-in or session refused: the HTTP status, a stable refusal `code`
    (its words in core/messages/refusals.py) and, for 429, the seconds to wait."""

    def __init__(self, status: int, code: str, retry_after: float = 0, **details) -> None:
        super().__init__(code)
        self.status, self.code, self.details = status, code, details
        self.retry_after = max(1, round(retry_after)) if retry_after else 0


class Credentials:
    def __init__(self, credentials, sessions=None) -> None:
        self.sessions = sessions        # server.sessions.Sessions: people's tokens
        self._by_hash = {c.token_hash: Principal(c.name, c.role, c.display_name or c.name,
                                                 c.window)
                         for c in credentials}
        self._wrong = RateLimit(per_minute=WRONG_TOKENS_PER_MINUTE, burst=WRONG_TOKENS_PER_MINUTE)
        self._blocked: dict[str, float] = {}      # address -> refused until (monotonic)

    def principal_for(self, token: str) -> Principal | None:
        # A lookup by hash leaks nothing useful by its timing: finding a token from
        # its SHA-256 is out of reach, so no constant-time comparison is needed.
        return self._by_hash.get(hash_token(token)) if token else None

    def check(self, token: str, address: str, active: bool = True) -> Principal:
        """The principal of a presented token; Unauthorized, or Refused while the
        address is paying for too many wrong tokens (even with a right one: else its
        guesses would still tell right from wrong). `active` False: a background
        refresh, which does not count as a person's request for their session's idling."""
        until = self._blocked.get(address, 0.0)
        if until > time.monotonic():
            raise Refused("too many wrong tokens from this address; try again later",
                          until - time.monotonic())
        principal = self.principal_for(token)
        if principal is None and token and self.sessions is not None:
            principal = self.sessions.principal_for(token, active)   # PersonRefused if ended
        if principal is not None:
            return principal
        log.warning("wrong or missing token from %s for %s %s", address, request.method,
                    request.path)
        wait = self._wrong.take(address)
        if wait > 0:
            self._blocked[address] = time.monotonic() + wait
            log.warning("ALARM: %s presents wrong tokens repeatedly; refused for %.0f s",
                        address, wait)
        raise Unauthorized()


def _presented_token() -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    if request.method == "GET" and request.endpoint == STREAM_ENDPOINT:
        return request.args.get("token", "")
    return ""


def requires(*roles: str):
    """Only these roles may call the view; the principal lands in `g.principal`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_app.extensions["yichuang.credentials"].check(
                _presented_token(), request.remote_addr or "",
                active=request.headers.get(BACKGROUND_HEADER) != "1")
            if principal.role not in roles:
                raise WrongRole(principal.role, roles)
            g.principal = principal
            return view(*args, **kwargs)
        guarded.roles = frozenset(roles)
        return guarded
    return decorate


def owned_windows(settings, owner: str, kind: str) -> frozenset[int]:
    """The windows whose [[devices]] of `kind` the credential `owner` drives: where a
    keypad bridge may act (as the clerk logged in there) and a pads bridge may rate."""
    return frozenset(d.window for d in settings.devices
                     if d.owner == owner and d.kind == kind and d.window is not None)


def public(view):
    """Open to anyone: the phone page (behind its unguessable token) and the health check."""
    view.roles = frozenset({"public"})
    return view
