"""People log in with a user name and password: wrong passwords, lock-outs per name and
per address, what a person may do with their session, and how passwords are stored."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import TOKENS
from tests.server.people_support import PASSWORD, add_people, bearer, log_in


@pytest.fixture
def client(app):
    add_people(app)
    return app.test_client()


def test_a_right_password_gives_a_session_that_speaks_as_the_person(client):
    answer = log_in(client, "  ZHANG ")         # the name is folded, as typed at a log-in
    assert answer.status_code == 200, answer.json
    session = answer.json
    assert (session["user_name"], session["role"], session["display_name"]) == \
        ("zhang", "clerk", "张三")
    assert session["expires_at"].startswith("2026-11-23T21:00")   # 09:00 + 12 h
    who = client.get("/api/whoami", headers=bearer(session["token"]))
    assert who.status_code == 200
    assert who.json == {"name": "zhang", "role": "clerk", "display_name": "张三",
                        "window": None}


def test_a_wrong_password_and_an_unknown_name_are_refused_alike(client):
    wrong = log_in(client, "zhang", "not-the-password")
    nobody = log_in(client, "nobody", "not-the-password")
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json == nobody.json
    assert wrong.json["code"] == "wrong_password"
    assert wrong.json["message"] == "用户名或密码错误，请重新输入。"
    assert "token" not in wrong.json


def test_a_disabled_person_is_refused_like_a_wrong_password(app, client):
    from server.sessions import set_active
    app.extensions["yichuang.service"].with_people(
        lambda conn, now: set_active(conn, "li", False, now), write=True)
    answer = log_in(client, "li")
    assert answer.status_code == 401 and answer.json["code"] == "wrong_password"


def test_five_wrong_passwords_lock_the_name_then_a_right_one_works_after_the_wait(
        client, clock):
    for n in range(5):
        assert log_in(client, "zhang", f"guess-{n}", address=f"10.0.1.{n}").status_code == 401
    locked = log_in(client, "zhang", PASSWORD, address="10.0.2.1")   # per name: any address
    assert locked.status_code == 429
    assert locked.json["code"] == "too_many_log_ins"
    assert locked.headers["Retry-After"] == "60"
    assert "60 秒后再试" in locked.json["message"]
    assert log_in(client, "li", address="10.0.1.0").status_code == 200   # others are not
    clock.advance(seconds=30)
    assert log_in(client, "zhang", PASSWORD).headers["Retry-After"] == "30"
    clock.advance(seconds=31)
    assert log_in(client, "zhang", PASSWORD, address="10.0.2.1").status_code == 200


def test_each_wrong_password_after_a_lock_out_doubles_the_wait(client, clock):
    for n in range(5):
        log_in(client, "zhang", f"guess-{n}")
    waits = []
    for n in range(4):
        refused = log_in(client, "zhang", "another-guess")
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(seconds=waits[-1] + 1)
        assert log_in(client, "zhang", f"more-{n}").status_code == 401
    assert waits == [60, 120, 240, 480]
    assert log_in(client, "zhang").headers["Retry-After"] == "900"    # capped: 15 minutes


def test_a_quiet_spell_forgets_the_wrong_passwords(client, clock):
    for n in range(4):
        log_in(client, "zhang", f"guess-{n}")
    clock.advance(minutes=16)
    for n in range(4):
        assert log_in(client, "zhang", f"again-{n}").status_code == 401
    assert log_in(client, "zhang").status_code == 200


def test_an_unknown_name_locks_out_the_same_way(client):
    answers = [log_in(client, "nobody", f"guess-{n}").status_code for n in range(6)]
    assert answers == [401] * 5 + [429]


def test_one_address_trying_many_names_is_locked_out(client):
    for n in range(20):
        assert log_in(client, f"name{n}", "guess", address="10.9.9.9").status_code == 401
    assert log_in(client, "zhang", address="10.9.9.9").status_code == 429
    assert log_in(client, "zhang", address="10.9.9.8").status_code == 200


def test_a_right_password_takes_back_only_its_own_try_from_the_address(client):
    for n in range(19):
        log_in(client, f"name{n}", "guess", address="10.9.9.9")
    assert log_in(client, "zhang", address="10.9.9.9").status_code == 200
    assert log_in(client, "nobody", "guess", address="10.9.9.9").status_code == 401
    assert log_in(client, "li", address="10.9.9.9").status_code == 429


def test_a_back_office_person_may_not_call_nor_staff_a_window(client):
    token = log_in(client, "shen").json["token"]
    assert client.get("/api/whoami", headers=bearer(token)).json["role"] == "back_office"
    for action in ("login", "call-next"):
        refused = client.post(f"/api/windows/3/{action}", json={}, headers=bearer(token))
        assert refused.status_code == 403 and refused.json["error"] == "wrong_role"


def test_a_clerk_acts_only_at_the_window_they_logged_in_at(client):
    zhang = bearer(log_in(client, "zhang").json["token"])
    li = bearer(log_in(client, "li").json["token"])
    assert client.post("/api/windows/3/login", json={}, headers=zhang).status_code == 200
    assert client.post("/api/windows/3/open", json={}, headers=zhang).status_code == 200
    assert client.post("/api/windows/4/login", json={}, headers=li).status_code == 200
    assert client.post("/api/windows/4/open", json={}, headers=li).status_code == 200
    kiosk = bearer(TOKENS["kiosk"])
    assert client.post("/api/tickets", json={"subject": "SS-0101"},
                       headers=kiosk).status_code == 201
    elsewhere = client.post("/api/windows/4/call-next", json={}, headers=zhang)
    assert elsewhere.status_code == 403 and elsewhere.json["error"] == "forbidden"
    assert client.get("/api/whoami", headers=zhang).json["window"] == 3
    called = client.post("/api/windows/3/call-next", json={}, headers=zhang)
    assert called.status_code == 200 and called.json["window"]["clerk"] == "zhang"


def test_passwords_are_argon2_and_never_in_the_database_file(app, client):
    token = log_in(client).json["token"]
    database = app.extensions["yichuang.service"].database_path
    with sqlite3.connect(database) as conn:
        hashes = [row[0] for row in conn.execute("SELECT password_hash FROM people")]
        sessions = [row[0] for row in conn.execute("SELECT token_hash FROM sessions")]
    assert hashes and all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes)
    assert sessions and all(s.startswith("sha256:") for s in sessions)
    stored = b"".join(Path(p).read_bytes() for p in (database, database + "-wal")
                      if Path(p).exists())
    assert PASSWORD.encode() not in stored and token.encode() not in stored
