"""Roles and credentials: every route says who may call it; tokens are stored hashed.

A request presents `Authorization: Bearer <token>` (or `?token=` for a browser's
EventSource, which cannot set headers). A clerk may act only at the window they
are logged in at.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request

from core.settings.schema import ROLES


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


class Unauthorized(Exception):
    pass


class WrongRole(Exception):
    pass


class Credentials:
    def __init__(self, credentials) -> None:
        self._by_hash = {c.token_hash: Principal(c.name, c.role, c.display_name or c.name)
                         for c in credentials}

    def principal_for(self, token: str) -> Principal | None:
        # A lookup by hash leaks nothing useful by its timing: finding a token from
        # its SHA-256 is out of reach, so no constant-time comparison is needed.
        return self._by_hash.get(hash_token(token)) if token else None



def _presented_token() -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return request.args.get("token", "")


def requires(*roles: str):
    """Only these roles may call the view; the principal lands in `g.principal`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_app.extensions["yichuang.credentials"].principal_for(
                _presented_token())
            if principal is None:
                raise Unauthorized()
            if principal.role not in roles:
                raise WrongRole(principal.role, roles)
            g.principal = principal
            return view(*args, **kwargs)
        guarded.roles = frozenset(roles)
        return guarded
    return decorate


def public(view):
    """Open to anyone: the phone page (behind its unguessable token) and the health check."""
    view.roles = frozenset({"public"})
    return view
