"""People's passwords: argon2id (argon2-cffi), never a fast hash such as SHA-256.

A verify costs ~0.1 s of CPU and 64 MiB by design. Under the gevent server that would
stop every other connection for that long, so hashing and verifying run in gevent's
thread pool when gevent has patched the process (argon2-cffi releases the GIL), and at
most two at once, whatever the number of log-ins arriving.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from typing import Callable, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

T = TypeVar("T")
_HASHER = PasswordHasher()          # argon2id, RFC 9106's low-memory parameters
_AT_ONCE = threading.BoundedSemaphore(2)


def _off_the_loop(work: Callable[[], T]) -> T:
    try:
        from gevent import get_hub
        from gevent.monkey import is_module_patched
        patched = is_module_patched("threading")
    except ImportError:          # pragma: no cover - gevent is a server dependency
        patched = False
    if patched:
        with _AT_ONCE:
            return get_hub().threadpool.apply(work)
    with _AT_ONCE:
        return work()


def hash_password(password: str) -> str:
    """The stored form: "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>"."""
    return _off_the_loop(lambda: _HASHER.hash(password))


def password_matches(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed; False for a damaged or foreign hash."""
    def verify() -> bool:
        try:
            return _HASHER.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return _off_the_loop(verify)


def needs_rehash(password_hash: str) -> bool:
    """Made with weaker parameters than today's: hash again at the next log-in."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


@lru_cache(maxsize=1)
def stand_in_hash() -> str:
    """A hash to verify against for a user name that does not exist (or is disabled),
    so that its answer takes as long as a real one's."""
    return _HASHER.hash("no such person: this hash matches no password anyone types")


def is_argon2(password_hash: str) -> bool:
    return password_hash.startswith("$argon2id$")
