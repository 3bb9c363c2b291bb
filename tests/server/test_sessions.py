"""Sessions end: after `[people] session_hours`, after `idle_minutes` without a request,
at log-out, and (all but the one that did it) at a password change. And the client's
side, against the real server."""
from __future__ import annotations

import pytest

from server.client import ApiError, HallClient
from tests.conftest import TOKENS
from tests.server.people_support import PASSWORD, add_people, bearer, log_in


@pytest.fixture
def client(app):
    add_people(app)
    return app.test_client()


def whoami(client, token: str):
    return client.get("/api/whoami", headers=bearer(token))


def test_a_session_ends_after_its_hours_however_busy(client, clock):
    token = log_in(client).json["token"]
    for _ in range(14):                               # a request every 50 minutes ...
        clock.advance(minutes=50)
        assert whoami(client, token).status_code == 200
    clock.advance(minutes=20)                         # ... 12 h after the log-in: ended
    expired = whoami(client, token)
    assert expired.status_code == 401
    assert expired.json["code"] == "session_expired"
    assert expired.json["message"] == "登录已过期，请重新登录。"


def test_a_session_idle_too_long_ends(client, clock):
    token = log_in(client).json["token"]
    clock.advance(minutes=59)
    assert whoami(client, token).status_code == 200
    clock.advance(minutes=59)                         # the request above counted
    assert whoami(client, token).status_code == 200
    clock.advance(minutes=60)
    refused = client.post("/api/windows/3/login", json={}, headers=bearer(token))
    assert refused.status_code == 401 and refused.json["code"] == "session_expired"


def test_a_page_refreshing_itself_does_not_keep_the_session_alive(client, clock):
    """The manager's console refreshes every few seconds with X-Yichuang-Background: 1;
    those requests are answered but do not count as the person's (server.auth)."""
    token = log_in(client).json["token"]
    background = {**bearer(token), "X-Yichuang-Background": "1"}
    for _ in range(11):                               # 55 minutes of refreshes
        clock.advance(minutes=5)
        assert client.get("/api/whoami", headers=background).status_code == 200
    clock.advance(minutes=5)                          # an hour after the person's last
    refused = client.get("/api/whoami", headers=background)
    assert refused.status_code == 401 and refused.json["code"] == "session_expired"

    token = log_in(client).json["token"]              # the person's own request counts
    clock.advance(minutes=55)
    assert whoami(client, token).status_code == 200
    clock.advance(minutes=55)
    assert client.get("/api/whoami", headers={**bearer(token),
                                              "X-Yichuang-Background": "1"}).status_code == 200


def test_a_logged_out_session_is_refused(client):
    first, second = log_in(client).json["token"], log_in(client).json["token"]
    answer = client.post("/api/logout", json={}, headers=bearer(first))
    assert answer.status_code == 200 and answer.json == {"logged_out": True}
    refused = whoami(client, first)
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    assert whoami(client, second).status_code == 200        # another session holds


def test_a_device_token_is_not_a_person(client):
    for path, body in (("/api/logout", {}),
                       ("/api/password", {"old_password": "x" * 8, "new_password": "y" * 8})):
        refused = client.post(path, json=body, headers=bearer(TOKENS["clerk"]))
        assert refused.status_code == 403 and refused.json["code"] == "not_a_person"


def test_a_password_change_ends_the_old_password_and_other_sessions(client):
    token, other = log_in(client).json["token"], log_in(client).json["token"]
    changed = client.post("/api/password", headers=bearer(token),
                          json={"old_password": PASSWORD, "new_password": "a-new-one-2026"})
    assert changed.status_code == 200 and changed.json == {"changed": True}
    assert whoami(client, token).status_code == 200          # this session stays
    assert whoami(client, other).status_code == 401          # the others end
    assert log_in(client, password=PASSWORD).status_code == 401
    assert log_in(client, password="a-new-one-2026").status_code == 200


@pytest.mark.parametrize("old, new, status, code", [
    ("wrong-old-password", "a-new-one-2026", 403, "wrong_password"),
    (PASSWORD, "short", 422, "password_too_short"),
    (PASSWORD, PASSWORD, 422, "password_unchanged"),
])
def test_a_password_change_is_refused(client, old, new, status, code):
    token = log_in(client).json["token"]
    refused = client.post("/api/password", headers=bearer(token),
                          json={"old_password": old, "new_password": new})
    assert (refused.status_code, refused.json["code"]) == (status, code)
    assert log_in(client).status_code == 200                 # the password stays


def test_the_password_may_not_be_the_user_name(app, client):
    from server.passwords import hash_password
    from server.sessions import add_person
    app.extensions["yichuang.service"].with_people(lambda conn, now: add_person(
        conn, "longname", "", "clerk", "", hash_password(PASSWORD), now), write=True)
    token = log_in(client, "longname").json["token"]
    refused = client.post("/api/password", headers=bearer(token),
                          json={"old_password": PASSWORD, "new_password": "LongName"})
    assert refused.json["code"] == "password_is_user_name"


def test_the_client_logs_a_person_in_works_and_logs_out(live_server):
    add_people(live_server.app)
    clerk = HallClient(live_server.url)
    with pytest.raises(ApiError) as wrong:
        clerk.log_in_person("zhang", "not-it")
    assert (wrong.value.status, wrong.value.code) == (401, "wrong_password")
    session = clerk.log_in_person("zhang", PASSWORD)
    assert (session.user_name, session.role, clerk.token) == ("zhang", "clerk", session.token)
    assert clerk.log_in(5).window.clerk == "zhang"           # the window log-in, as before
    assert clerk.whoami().window == 5
    clerk.change_password(PASSWORD, "a-new-one-2026")
    other = HallClient(live_server.url, clerk.token)
    assert other.whoami().name == "zhang"
    clerk.log_out_person()
    assert clerk.token == ""
    with pytest.raises(ApiError) as ended:
        other.whoami()
    assert ended.value.status == 401
    live_server.clock.advance(hours=13)
    late = HallClient(live_server.url)
    late.log_in_person("zhang", "a-new-one-2026")
    live_server.clock.advance(hours=13)
    with pytest.raises(ApiError) as expired:
        late.whoami()
    assert (expired.value.status, expired.value.code) == (401, "session_expired")
