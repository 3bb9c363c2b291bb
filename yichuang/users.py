"""`yichuang user add | passwd | list | disable | enable`: people in the hall database.

People (clerks, managers, helpers, the back office) log in with a user name and a
password (docs/configuration.md, "People"); devices keep their tokens in the hall's
TOML. These commands work on the database directly, also while the server runs
(SQLite takes one writer at a time; a disabled person's sessions end at once).
Passwords are asked twice on the terminal, or read from standard input with
`--password-stdin` (one line; leading and trailing spaces are ignored, as at log-in).
"""
from __future__ import annotations

import getpass
import sqlite3
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from core.errors import Invalid
from core.people import PERSON_ROLES, check_department, check_new_password, check_role, user_name


class UserError(Exception):
    """The command cannot do what was asked; the message says why."""


def add_user_commands(commands, demo_hall: str) -> None:
    user = commands.add_parser("user", help="manage the people who log in (docs/configuration.md)")
    actions = user.add_subparsers(dest="user_command", required=True)

    def action(name: str, help_text: str, password: bool = False):
        command = actions.add_parser(name, help=help_text)
        command.add_argument("--hall", default=demo_hall, help="the hall's TOML configuration")
        command.add_argument("--database", help="the database (default: from the config)")
        if name != "list":
            command.add_argument("name", help="the user name")
        if password:
            command.add_argument("--password-stdin", action="store_true",
                                 help="read the password from standard input (one line)")
        command.set_defaults(run=run, user_action=name)
        return command
    add = action("add", "add a person", password=True)
    add.add_argument("--role", required=True, choices=PERSON_ROLES)
    add.add_argument("--display-name", default="", help="the name shown (张三)")
    add.add_argument("--department", default="", help="a back_office person's department")
    action("passwd", "set a person's password", password=True)
    action("list", "list the people")
    action("disable", "stop a person logging in (their sessions end)")
    action("enable", "let a disabled person log in again")


def run(args) -> int:
    from server.startup import StartError, read_hall
    from server.storage import Store, StoreError
    try:
        settings = read_hall(args.hall)
        store = Store(args.database or settings.server.database)
    except (StartError, StoreError) as error:
        print(f"yichuang: {error}", file=sys.stderr)
        return 2
    now = datetime.now(ZoneInfo(settings.timezone))
    try:
        for line in _ACTIONS[args.user_action](store.conn, args, settings, now):
            print(line)
        return 0
    except (UserError, Invalid) as error:
        print(f"yichuang: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2
    finally:
        store.close()


def _password(args, name: str, settings) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n").strip()
    else:
        password = getpass.getpass(f"password for {name}: ").strip()
        if getpass.getpass("the same again: ").strip() != password:
            raise UserError("the two passwords differ; nothing changed")
    check_new_password(password, name, settings.people)
    return password


def _add(conn, args, settings, now):
    from server.passwords import hash_password
    from server.sessions import add_person
    name = user_name(args.name)
    role = check_role(args.role)
    department = check_department(role, args.department)
    if department and settings.departments and settings.department(department) is None:
        known = ", ".join(d.code for d in settings.departments)
        raise UserError(f"{department!r} is not one of the hall's [[departments]] ({known})")
    if name in {credential.name.lower() for credential in settings.credentials}:
        raise UserError(f"{name!r} is a device's or person's credential name in {args.hall}; "
                        "choose another user name")
    password = _password(args, name, settings)
    password_hash = hash_password(password)
    try:
        _in_one_transaction(conn, lambda: add_person(
            conn, name, args.display_name.strip(), role, department, password_hash, now))
    except sqlite3.IntegrityError:
        raise UserError(f"there is already a person {name!r}; "
                        f"`yichuang user passwd {name}` sets a new password") from None
    return [f"yichuang: added {name} ({role}{', ' + department if department else ''})"]


def _in_one_transaction(conn, work) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        work()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _existing(conn, raw: str):
    from server.sessions import find_person
    person = find_person(conn, (raw or "").strip().lower())
    if person is None:
        raise UserError(f"there is no person {raw!r} (`yichuang user list`)")
    return person


def _passwd(conn, args, settings, now):
    from server.passwords import hash_password
    from server.sessions import set_password
    person = _existing(conn, args.name)
    password_hash = hash_password(_password(args, person.user_name, settings))
    _in_one_transaction(conn, lambda: set_password(conn, person.user_name, password_hash, now))
    return [f"yichuang: new password for {person.user_name}; their sessions have ended"]


def _active(active: bool):
    def change(conn, args, settings, now):
        from server.sessions import set_active
        person = _existing(conn, args.name)
        _in_one_transaction(conn, lambda: set_active(conn, person.user_name, active, now))
        word = "enabled" if active else "disabled (their sessions have ended)"
        return [f"yichuang: {person.user_name} {word}"]
    return change


def _list(conn, args, settings, now):
    from server.sessions import list_people
    rows = [f"{'user name':<16} {'role':<12} {'department':<12} {'active':<7} "
            f"{'changed':<20} display name"]
    for person in list_people(conn):
        rows.append(f"{person.user_name:<16} {person.role:<12} {person.department or '-':<12} "
                    f"{'yes' if person.active else 'no':<7} {person.changed_at[:19]:<20} "
                    f"{person.display_name}")
    return rows


_ACTIONS = {"add": _add, "passwd": _passwd, "list": _list, "disable": _active(False),
            "enable": _active(True)}
