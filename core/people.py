"""People's log-in, the pure rules: names, passwords, lock-outs and session expiry.

People (clerks, managers, floor helpers, the back office) log in with a user name and
a password and get a session that ends `session_hours` after the log-in or
`idle_minutes` after its last request (core/settings/people.py). Wrong passwords are
slowed down: `failures_allowed` wrong tries for one user name (or
`address_failures_allowed` from one address), each within `failure_window_minutes` of
the one before, lock the name (or the address) for `lock_minutes`; every further wrong
try after a lock-out doubles it, up to `max_lock_minutes`. A quiet spell of a window's
length after the last try (or the lock's end) forgets the count; a right password
forgets the name's count. The server stores hashes and counts; nothing here knows of
hashing or SQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import Invalid
from core.settings.people import PeopleSettings

# The roles a person may have; devices (kiosk, display, rating_pad) hold tokens instead.
PERSON_ROLES = ("clerk", "manager", "helper", "back_office")
USER_NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
PASSWORD_MAX_LENGTH = 128
DISPLAY_NAME_MAX_LENGTH = 40
DEPARTMENT = re.compile(r"[A-Za-z0-9_.-]{1,32}")


def user_name(raw: str) -> str:
    """The user name as stored: trimmed and lower-cased; Invalid unless it is 2 to 32
    ASCII letters, digits, '.', '_' or '-', starting with a letter."""
    name = (raw or "").strip().lower()
    if not USER_NAME.fullmatch(name):
        raise Invalid(f"{raw!r} is not a user name: 2 to 32 letters, digits, '.', '_' or '-', "
                      "starting with a letter", code="user_name_invalid", field="user_name")
    return name


def check_new_password(password: str, name: str, rules: PeopleSettings,
                       old_password: str | None = None) -> None:
    """Invalid (with a code) if `password` may not be `name`'s new password."""
    if len(password) < rules.password_min_length:
        raise Invalid(f"a password needs at least {rules.password_min_length} characters",
                      code="password_too_short", field="new_password",
                      min_length=rules.password_min_length)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise Invalid(f"a password takes at most {PASSWORD_MAX_LENGTH} characters",
                      code="password_too_long", field="new_password",
                      max_length=PASSWORD_MAX_LENGTH)
    if password.strip().lower() == name:
        raise Invalid("the password must not be the user name", code="password_is_user_name",
                      field="new_password")
    if old_password is not None and password == old_password:
        raise Invalid("the new password must differ from the old one",
                      code="password_unchanged", field="new_password")


def check_role(role: str) -> str:
    if role not in PERSON_ROLES:
        raise Invalid(f"a person's role is one of {', '.join(PERSON_ROLES)}, not {role!r}",
                      code="person_role_invalid", field="role")
    return role


def check_department(role: str, department: str) -> str:
    """The back office's department code ("" for every other role)."""
    department = (department or "").strip()
    if role != "back_office":
        if department:
            raise Invalid("only back_office people have a department",
                          code="department_not_back_office", field="department")
        return ""
    if not DEPARTMENT.fullmatch(department):
        raise Invalid("a back_office person needs a department code (letters, digits, "
                      "'_', '.', '-', up to 32)", code="department_required",
                      field="department")
    return department


# --- wrong passwords ---------------------------------------------------------------------

@dataclass(frozen=True)
class Attempts:
    """Wrong passwords in a row for one user name or one address."""

    failures: int = 0
    last_failure: datetime | None = None
    locked_until: datetime | None = None


def locked_seconds(attempts: Attempts, now: datetime) -> float:
    """How long tries stay refused (0.0 when they are allowed)."""
    if attempts.locked_until is None or attempts.locked_until <= now:
        return 0.0
    return (attempts.locked_until - now).total_seconds()


def after_failure(attempts: Attempts, now: datetime, allowed: int,
                  rules: PeopleSettings) -> Attempts:
    """The count after one more wrong password; past `allowed`, a lock-out that doubles
    with each further failure."""
    failures = attempts.failures
    quiet_since = max(filter(None, (attempts.last_failure, attempts.locked_until)),
                      default=None)
    if quiet_since is None or now - quiet_since > timedelta(
            minutes=rules.failure_window_minutes):
        failures = 0
    failures += 1
    locked_until = None
    if failures >= allowed:
        doublings = min(failures - allowed, 20)
        minutes = min(rules.lock_minutes * 2 ** doublings, rules.max_lock_minutes)
        locked_until = now + timedelta(minutes=minutes)
    return Attempts(failures, now, locked_until)


# --- sessions -----------------------------------------------------------------------------

def session_expires_at(created: datetime, rules: PeopleSettings) -> datetime:
    """When a session ends at the latest, however busy its person."""
    return created + timedelta(hours=rules.session_hours)


def session_live(expires_at: datetime, last_seen: datetime, now: datetime,
                 rules: PeopleSettings) -> bool:
    """Whether a session still holds: before its end and not idle too long."""
    return now < expires_at and now - last_seen < timedelta(minutes=rules.idle_minutes)
