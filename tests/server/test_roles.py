"""The role matrix: every route x every role, from the app's own URL map."""
from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import TOKENS

ROLES = ["kiosk", "clerk", "manager", "display", "rating_pad", "helper", "keypad"]
CALLERS = ROLES + ["nobody", "forged"]
SAMPLE = {"number": "1", "case_number": "WH20261123-0001", "token": "unknown-token",
          "request_id": "H20261123-001", "form": "medical-filing", "device": "kiosk-1",
          "code": "K7M2P9QX", "matter": "SS-0101", "advice_id": "unknown-advice"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE[m.group(1)], rule.rule)
            yield method, rule.rule, path, view


def test_every_route_declares_who_may_call_it(app):
    undeclared = [rule for _, rule, _, view in routes(app) if not hasattr(view, "roles")]
    assert undeclared == []


_addresses = iter(range(1, 10**6))


def call(app, method, path, caller):
    """One request from an address of its own (127.0.x.y), so that the wrong tokens of
    `nobody` and `forged` are not throttled as one guesser's (tests/server/test_tokens.py)."""
    n = next(_addresses)
    environ = {"REMOTE_ADDR": f"127.0.{n // 250 % 250}.{n % 250 + 1}"}
    headers = {}
    if caller == "forged":
        headers["Authorization"] = "Bearer demo-manager-but-not-really"
    elif caller != "nobody":
        headers["Authorization"] = f"Bearer {TOKENS[caller]}"
    client = app.test_client()
    if method == "GET" and path == "/api/events":
        response = client.get(path, headers=headers, buffered=False, environ_base=environ)
        status, body = response.status_code, None
        if status != 200:
            body = response.get_json()
        response.close()
        return status, body
    response = client.open(path, method=method, headers=headers, environ_base=environ,
                           json={} if method == "POST" else None)
    return response.status_code, response.get_json(silent=True)


@pytest.mark.parametrize("caller", CALLERS)
def test_role_matrix(app, db_path, caller):
    checked = 0
    for method, rule, path, view in routes(app):
        status, body = call(app, method, path, caller)
        where = f"{caller} {method} {rule} -> {status} {body}"
        if "public" in view.roles:
            assert status not in (401, 403) or body["error"] == "forbidden", where
        elif caller in ("nobody", "forged"):
            assert status == 401 and body["error"] == "unauthorized", where
        elif caller in view.roles:
            assert status != 401 and not (status == 403 and body["error"] == "wrong_role"), where
        else:
            assert status == 403 and body["error"] == "wrong_role", where
            assert caller in body["message"]
        checked += 1
    assert checked > 35
    with sqlite3.connect(db_path) as conn:       # refused calls wrote nothing
        assert conn.execute("select count(*) from tickets").fetchone()[0] == 0


def test_tokens_are_stored_only_as_hashes(settings, db_path, app):
    config_text = open("config/demo-hall.toml", encoding="utf-8").read()
    hashed_lines = [line for line in config_text.splitlines() if "token" in line
                    and "=" in line and not line.lstrip().startswith("#")]
    assert hashed_lines and all('"sha256:' in line for line in hashed_lines)
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert all(token not in dump for token in TOKENS.values())


def test_query_token_works_for_a_browser_event_source(app):
    response = app.test_client().get(f"/api/events?token={TOKENS['display']}", buffered=False)
    assert response.status_code == 200
    first = next(iter(response.response))
    assert b"event: snapshot" in first
    response.close()
