"""People and their sessions: log-in, log-out, password changes, and what a session token
means to `server.auth`.

People live in the hall database's `people` table (an argon2 hash of the password,
never the password) and their sessions in `sessions` (the SHA-256 of each random
session token, never the token); both outside the hall's day state and event log,
read and written under the hall lock through `HallService.with_people`. The rules
(names, passwords, lock-outs, expiry) are pure, in core/people.py.

Every log-in try counts as a wrong password until the password proves right, so
tries sent all at once cannot slip past the count; wrong passwords are counted per
user name (in the table; in memory for names nobody has, so that the answer is the
same) and per network address (in memory). A right password forgets its name's
count, and its own try from the address's.
"""
from __future__ import annotations

import math
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.people import (
    PERSON_ROLES,
    Attempts,
    after_failure,
    check_new_password,
    locked_seconds,
    session_expires_at,
    session_live,
)
from server.auth import PersonRefused, Principal, hash_token
from server.passwords import hash_password, needs_rehash, password_matches, stand_in_hash

SEEN_EVERY = timedelta(seconds=60)     # a session's last_seen is written at most this often
FORGET_ENDED_AFTER = timedelta(days=1)  # ended sessions are kept a day (to say "expired")
REMEMBERED = 10_000                    # names and addresses counted in memory, at most


@dataclass(frozen=True)
class Person:
    user_name: str
    display_name: str
    role: str
    department: str
    password_hash: str
    active: bool
    created_at: str
    changed_at: str
    attempts: Attempts = Attempts()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _text(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


# --- the rows (used by the server and by `yichuang user`) --------------------------------

def find_person(conn: sqlite3.Connection, name: str) -> Person | None:
    row = conn.execute(
        "SELECT user_name, display_name, role, department, password_hash, active, created_at, "
        "changed_at, failures, last_failure, locked_until FROM people WHERE user_name = ?",
        (name,)).fetchone()
    if row is None:
        return None
    return Person(*row[:5], bool(row[5]), row[6], row[7],
                  Attempts(row[8] or 0, _time(row[9]), _time(row[10])))


def list_people(conn: sqlite3.Connection) -> list[Person]:
    names = [row[0] for row in conn.execute("SELECT user_name FROM people ORDER BY user_name")]
    return [find_person(conn, name) for name in names]


def add_person(conn: sqlite3.Connection, name: str, display_name: str, role: str,
               department: str, password_hash: str, now: datetime) -> None:
    """A new person (sqlite3.IntegrityError if the name is taken)."""
    assert role in PERSON_ROLES
    conn.execute("INSERT INTO people (user_name, display_name, role, department, "
                 "password_hash, active, created_at, changed_at, failures, last_failure, "
                 "locked_until) VALUES (?, ?, ?, ?, ?, 1, ?, ?, 0, '', '')",
                 (name, display_name or name, role, department, password_hash,
                  now.isoformat(), now.isoformat()))


def set_password(conn: sqlite3.Connection, name: str, password_hash: str, now: datetime,
                 keep_session: str = "") -> None:
    """The new hash; the count of wrong passwords forgotten; every session of the person
    ended but `keep_session` (the one that changed it)."""
    conn.execute("UPDATE people SET password_hash = ?, changed_at = ?, failures = 0, "
                 "last_failure = '', locked_until = '' WHERE user_name = ?",
                 (password_hash, now.isoformat(), name))
    conn.execute("DELETE FROM sessions WHERE user_name = ? AND token_hash != ?",
                 (name, keep_session))


def set_active(conn: sqlite3.Connection, name: str, active: bool, now: datetime) -> None:
    """Enable or disable a person; disabling ends their sessions at once."""
    conn.execute("UPDATE people SET active = ?, changed_at = ? WHERE user_name = ?",
                 (int(active), now.isoformat(), name))
    if not active:
        conn.execute("DELETE FROM sessions WHERE user_name = ?", (name,))


def _save_attempts(conn: sqlite3.Connection, name: str, attempts: Attempts) -> None:
    conn.execute("UPDATE people SET failures = ?, last_failure = ?, locked_until = ? "
                 "WHERE user_name = ?", (attempts.failures, _text(attempts.last_failure),
                                         _text(attempts.locked_until), name))


# --- the server's side ---------------------------------------------------------------------

class Sessions:
    """Log-ins and sessions of one hall (`service`: its HallService)."""

    def __init__(self, service) -> None:
        self.service = service
        self.rules = service.settings.people
        # touched only under the hall lock (inside `with_people`)
        self._by_address: dict[str, Attempts] = {}
        self._unknown_names: dict[str, Attempts] = {}

    # --- log-in ----------------------------------------------------------------------
    def log_in(self, raw_name: str, password: str, address: str) -> dict:
        """A new session for a right user name and password; PersonRefused(401,
        "wrong_password") otherwise, whether or not the name exists, and (429,
        "too_many_log_ins") while the name or the address is locked out."""
        name = (raw_name or "").strip().lower()
        person, undo = self.service.with_people(
            lambda conn, now: self._count_try(conn, name, address, now),
            write=True, durable=False)
        usable = person is not None and person.active
        right = password_matches(person.password_hash if usable else stand_in_hash(),
                                 password)
        if not (usable and right):
            raise PersonRefused(401, "wrong_password")
        rehashed = hash_password(password) if needs_rehash(person.password_hash) else ""
        return self.service.with_people(
            lambda conn, now: self._open_session(conn, person, undo, rehashed, now),
            write=True)

    def _count_try(self, conn, name: str, address: str, now: datetime):
        """Refuse a locked name or address; else count this try as wrong for now."""
        person = find_person(conn, name)
        by_address = self._by_address.get(address, Attempts())
        by_name = person.attempts if person else self._unknown_names.get(name, Attempts())
        wait = max(locked_seconds(by_address, now), locked_seconds(by_name, now))
        if wait:
            raise PersonRefused(429, "too_many_log_ins", wait, seconds=math.ceil(wait))
        counted = after_failure(by_address, now, self.rules.address_failures_allowed,
                                self.rules)
        self._by_address[address] = counted
        named = after_failure(by_name, now, self.rules.failures_allowed, self.rules)
        if person is not None:
            _save_attempts(conn, name, named)
        else:
            self._unknown_names[name] = named
        for remembered in (self._by_address, self._unknown_names):
            if len(remembered) > REMEMBERED:          # forget the oldest half
                for key in list(remembered)[:REMEMBERED // 2]:
                    del remembered[key]
        return person, (address, counted, by_address)

    def _open_session(self, conn, person: Person, undo, rehashed: str,
                      now: datetime) -> dict:
        address, counted, before = undo
        if self._by_address.get(address) is counted:      # no other try since: take ours back
            self._by_address[address] = before
        _save_attempts(conn, person.user_name, Attempts())
        if rehashed:
            conn.execute("UPDATE people SET password_hash = ? WHERE user_name = ?",
                         (rehashed, person.user_name))
        token = secrets.token_urlsafe(32)
        expires_at = session_expires_at(now, self.rules)
        conn.execute("INSERT INTO sessions (token_hash, user_name, created_at, expires_at, "
                     "last_seen) VALUES (?, ?, ?, ?, ?)",
                     (hash_token(token), person.user_name, now.isoformat(),
                      expires_at.isoformat(), now.isoformat()))
        conn.execute("DELETE FROM sessions WHERE expires_at < ?",
                     ((now - FORGET_ENDED_AFTER).isoformat(),))
        return {"token": token, "expires_at": expires_at.isoformat(),
                "idle_minutes": self.rules.idle_minutes, "user_name": person.user_name,
                "display_name": person.display_name, "role": person.role,
                "department": person.department}

    # --- a session's token ---------------------------------------------------------------
    def principal_for(self, token: str, active: bool = True) -> Principal | None:
        """The person behind a session token; None for a token that is no session (or one
        of a disabled person, or logged out); PersonRefused(401, "session_expired") for
        a session that has ended. A request the person did not make (`active` False: a
        page refreshing itself) does not keep the session from idling out."""
        token_hash = hash_token(token)
        principal, touch = self.service.with_people(
            lambda conn, now: self._look_up(conn, token_hash, now))
        if touch and active:
            self.service.with_people(lambda conn, now: conn.execute(
                "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                (now.isoformat(), token_hash)), write=True, durable=False)
        return principal

    def _look_up(self, conn, token_hash: str, now: datetime):
        row = conn.execute(
            "SELECT s.user_name, s.expires_at, s.last_seen, p.role, p.display_name, p.active "
            "FROM sessions s JOIN people p ON p.user_name = s.user_name "
            "WHERE s.token_hash = ?", (token_hash,)).fetchone()
        if row is None or not row[5]:
            return None, False
        name, expires_at, last_seen, role, display_name, _ = row
        last_seen = datetime.fromisoformat(last_seen)
        if not session_live(datetime.fromisoformat(expires_at), last_seen, now, self.rules):
            raise PersonRefused(401, "session_expired")
        return (Principal(name, role, display_name or name, session=token_hash),
                now - last_seen >= SEEN_EVERY)

    # --- log-out and password ------------------------------------------------------------
    def log_out(self, principal: Principal) -> None:
        _a_person(principal)
        self.service.with_people(lambda conn, now: conn.execute(
            "DELETE FROM sessions WHERE token_hash = ?", (principal.session,)), write=True)

    def change_password(self, principal: Principal, old: str, new: str, address: str) -> None:
        """The person's own password, given the old one (wrong old passwords count as
        wrong log-ins); every other session of theirs ends."""
        _a_person(principal)
        name = principal.name
        check_new_password(new, name, self.rules, old_password=old)
        person, undo = self.service.with_people(
            lambda conn, now: self._count_try(conn, name, address, now),
            write=True, durable=False)
        if person is None or not password_matches(person.password_hash, old):
            raise PersonRefused(403, "wrong_password", field="old_password")
        new_hash = hash_password(new)

        def store(conn, now):
            address, counted, before = undo
            if self._by_address.get(address) is counted:
                self._by_address[address] = before
            set_password(conn, name, new_hash, now, keep_session=principal.session)
        self.service.with_people(store, write=True)


def _a_person(principal: Principal) -> None:
    if not principal.session:
        raise PersonRefused(403, "not_a_person")


# --- the demo hall's people (DEMO ONLY: docs/configuration.md publishes the password) -----

DEMO_PASSWORD = "demo1234"
DEMO_PEOPLE = (
    [(f"clerk{n:02d}", name, "clerk", "") for n, name in enumerate(
        ("王丽", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强",
         "徐慧", "孙浩", "马晓燕", "朱军", "胡雪"), start=1)]
    + [("manager01", "张建国（值班长）", "manager", ""),
       ("helper01", "刘芳（帮办员）", "helper", ""),
       ("backoffice01", "郑磊（商事审批）", "back_office", "business"),
       ("backoffice02", "何静（不动产审批）", "back_office", "realty")])


def seed_demo_people(service) -> int:
    """The demo hall's people, when the hall has nobody yet; how many were added. One
    argon2 hash serves them all: they share the published password anyway."""
    if service.with_people(lambda conn, now: conn.execute(
            "SELECT count(*) FROM people").fetchone()[0]):
        return 0
    shared = hash_password(DEMO_PASSWORD)

    def add(conn, now):
        for name, display_name, role, department in DEMO_PEOPLE:
            add_person(conn, name, display_name, role, department, shared, now)
        return len(DEMO_PEOPLE)
    return service.with_people(add, write=True)


def people_with_demo_password(conn: sqlite3.Connection) -> list[str]:
    """Active people of the demo's names whose password is still the published one."""
    names = {name for name, *_ in DEMO_PEOPLE}
    found, verdicts = [], {}
    for person in list_people(conn):
        if person.user_name in names and person.active:
            if person.password_hash not in verdicts:
                verdicts[person.password_hash] = password_matches(person.password_hash,
                                                                  DEMO_PASSWORD)
            if verdicts[person.password_hash]:
                found.append(person.user_name)
    return found
