"""`yichuang user ...` through the real command, on a real hall database; the demo
hall's people, and `yichuang serve` refusing a hall where they keep the demo password."""
from __future__ import annotations

import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import DEMO_HALL, ROOT


def yichuang(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yichuang.cli", *args],
                          input=None if password is None else password + "\n",
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def on(database) -> list[str]:
    return ["--hall", str(DEMO_HALL), "--database", str(database)]


def log_in(app, name: str, password: str) -> int:
    return app.test_client().post("/api/login", json={"user_name": name,
                                                      "password": password}).status_code


@pytest.fixture
def database(tmp_path):
    return tmp_path / "hall.db"


def test_user_add_list_passwd_disable_through_the_command(settings, database, clock):
    added = yichuang("user", "add", "Zhang", "--role", "clerk", "--display-name", "张三",
                     "--password-stdin", *on(database), password="first-password-1")
    assert added.returncode == 0, added.stderr
    assert "added zhang (clerk)" in added.stdout
    again = yichuang("user", "add", "zhang", "--role", "clerk", "--password-stdin",
                     *on(database), password="first-password-1")
    assert again.returncode == 2 and "already a person 'zhang'" in again.stderr
    office = yichuang("user", "add", "shen", "--role", "back_office", "--department",
                      "business", "--password-stdin", *on(database), password="office-pass-1")
    assert office.returncode == 0, office.stderr
    listed = yichuang("user", "list", *on(database))
    assert re.search(r"^shen +back_office +business +yes ", listed.stdout, re.M)
    assert re.search(r"^zhang +clerk +- +yes .*张三$", listed.stdout, re.M)
    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT password_hash FROM people WHERE user_name = 'zhang'"
                              ).fetchone()[0]
    assert stored.startswith("$argon2id$") and "first-password-1" not in stored

    from server.app import create_app
    app = create_app(settings, database=str(database), clock=clock)
    try:
        assert log_in(app, "zhang", "first-password-1") == 200
        changed = yichuang("user", "passwd", "zhang", "--password-stdin", *on(database),
                           password="second-password-2")
        assert changed.returncode == 0, changed.stderr
        assert log_in(app, "zhang", "first-password-1") == 401
        assert log_in(app, "zhang", "second-password-2") == 200
        assert yichuang("user", "disable", "zhang", *on(database)).returncode == 0
        assert log_in(app, "zhang", "second-password-2") == 401
        assert yichuang("user", "enable", "zhang", *on(database)).returncode == 0
        assert log_in(app, "zhang", "second-password-2") == 200
    finally:
        app.extensions["yichuang.service"].close()


@pytest.mark.parametrize("args, password, complaint", [
    (["add", "x", "--role", "clerk"], "long-enough-1", "is not a user name"),
    (["add", "kiosk-1", "--role", "clerk"], "long-enough-1", "credential name"),
    (["add", "wang", "--role", "clerk"], "short", "at least 8 characters"),
    (["add", "wang", "--role", "back_office"], "long-enough-1", "needs a department"),
    (["add", "wang", "--role", "back_office", "--department", "harbour"], "long-enough-1",
     "not one of the hall's [[departments]]"),
    (["add", "wang", "--role", "clerk", "--department", "business"], "long-enough-1",
     "only back_office"),
    (["passwd", "nobody"], "long-enough-1", "there is no person 'nobody'"),
])
def test_user_commands_refuse_what_cannot_be(database, args, password, complaint):
    refused = yichuang("user", *args, "--password-stdin", *on(database), password=password)
    assert refused.returncode == 2 and complaint in refused.stderr


def test_the_password_is_asked_twice_on_the_terminal(database):
    def run(first: str, second: str) -> tuple[int, str]:
        argv = [sys.executable, "-m", "yichuang.cli", "user", "add", "wang", "--role",
                "manager", *on(database)]                     # made before the fork
        pid, terminal = pty.fork()
        if pid == 0:             # the child: the command at once, and nothing else ever
            try:
                os.chdir(ROOT)
                os.execv(sys.executable, argv)
            finally:
                os._exit(127)
        said, answers = b"", [first, second]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(terminal, 1024)
            except OSError:                                   # the child has ended
                break
            if not chunk:
                break
            said += chunk
            asked = said.count(b"password for wang: ") + said.count(b"the same again: ")
            if asked > 2 - len(answers):                      # a new prompt: answer it
                os.write(terminal, answers.pop(0).encode() + b"\n")
        else:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), said.decode(errors="replace")
    code, said = run("typed-password-1", "typed-password-2")
    assert code == 2 and "the two passwords differ" in said
    code, said = run("typed-password-1", "typed-password-1")
    assert code == 0 and "added wang (manager)" in said, said
    assert "typed-password-1" not in said                     # not echoed


def test_the_demo_people_log_in_and_serve_refuses_them(settings, database, clock, tmp_path):
    from server.app import create_app
    from server.auth import hash_token
    from server.sessions import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo_people
    from server.startup import StartError, refuse_demo_people
    app = create_app(settings, database=str(database), clock=clock)
    service = app.extensions["yichuang.service"]
    try:
        assert seed_demo_people(service) == len(DEMO_PEOPLE) == 19
        assert seed_demo_people(service) == 0                  # only into an empty table
        assert log_in(app, "clerk07", DEMO_PASSWORD) == 200
        assert log_in(app, "backoffice01", DEMO_PASSWORD) == 200
        with pytest.raises(StartError, match="19 person"):
            refuse_demo_people(service)
    finally:
        service.close()
    # `yichuang serve` itself, on a hall with tokens of its own
    hall = tmp_path / "hall.toml"
    text = DEMO_HALL.read_text(encoding="utf-8")
    tokens = iter(range(1000))
    hall.write_text(re.sub(r'token_hash = "sha256:[0-9a-f]{64}"', lambda _: (
        f'token_hash = "{hash_token(f"a-token-of-its-own-{next(tokens)}")}"'), text),
                    encoding="utf-8")
    refused = yichuang("serve", "--hall", str(hall), "--database", str(database),
                       "--port", "1")
    assert refused.returncode == 2
    assert "19 person(s) in the hall database still have the demo password" in refused.stderr
    for name, *_ in DEMO_PEOPLE:
        if name != "clerk01":
            assert yichuang("user", "disable", name, *on(database)).returncode == 0
    changed = yichuang("user", "passwd", "clerk01", "--password-stdin", *on(database),
                       password="a-real-password-1")
    assert changed.returncode == 0
    app = create_app(settings, database=str(database), clock=clock)
    try:
        refuse_demo_people(app.extensions["yichuang.service"])      # nobody left: starts
        assert log_in(app, "clerk01", "a-real-password-1") == 200
        assert log_in(app, "clerk02", DEMO_PASSWORD) == 401
    finally:
        app.extensions["yichuang.service"].close()
