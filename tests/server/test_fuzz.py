"""Every route fuzzed from the app's own OpenAPI document (schemathesis, in-process WSGI).

For each operation schemathesis tries its documented examples, the edges of every
declared field (lengths, types, missing and unknown fields) and random requests,
valid and invalid, with a token of a role the route allows. Whatever it sends:
- no answer is a 5xx;
- the status, content type and (for errors) the body's shape are the documented ones;
- an invalid request is refused;
- a refused request (4xx) leaves every table of the database as it was.
"""
from __future__ import annotations

import json
import zlib

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings

from server.app import _register_blueprints
from server.openapi import document
from tests.conftest import TOKENS, clerk_token, staff_window
from tests.server.test_bad_input import fingerprint

EXAMPLES = 50           # per operation and phase; the whole file runs in about a minute
CONFIG = schemathesis.Config.from_dict({
    # Tokens are ours (one of the route's roles, below): dropping them is the role
    # matrix's test, and wrong tokens would soon be throttled (429) for the address.
    # Deterministic, so CI fails the same way twice; raise EXAMPLES locally to dig.
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True,
                   "with-security-parameters": False},
    "request-timeout": 0.3,                  # how long an event stream is read
    "max-stream-events": 3,
})
CHECKS = [schemathesis.checks.not_a_server_error,
          schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance,
          schemathesis.checks.response_schema_conformance,
          schemathesis.checks.negative_data_rejection,
          schemathesis.checks.unsupported_method,           # 405, with Allow
          schemathesis.checks.allow_header_conformance]
ROLE_TOKENS = {"kiosk": TOKENS["kiosk"], "manager": TOKENS["manager"],
               "display": TOKENS["display"], "clerk": clerk_token(1),
               "rating_pad": TOKENS["rating_pad"], "helper": TOKENS["helper"],
               "keypad": TOKENS["keypad"]}


@pytest.fixture
def busy_hall(app, api):
    """A hall with something in it: window 1 staffed, one ticket served, a case open,
    others waiting, so examples like A001 or WH20261123-0001 find something."""
    clerk = staff_window(api, 1)
    staff_window(api, 6)
    for subject in ("SS-0101", "SS-0101", "BDC-0401", "SS-0102"):
        assert api.post("/api/tickets", json={"subject": subject}).status_code == 201
    clerk.post("/api/windows/1/call-next")
    clerk.post("/api/windows/1/finish", json={
        "open_case": True, "missing_materials": ["公司章程"], "supply_by": "2026-11-24"})
    clerk.post("/api/windows/1/call-next")
    return app


def _routes_only() -> Flask:
    """The app's routes without a hall: enough to make the document at import time
    (the test below checks it is the one a real app serves). Schemathesis' lazy
    `from_fixture` loader does not run under pytest 9, so the schema is loaded here
    and each call is sent to the test's own app (`case.call(app=...)`)."""
    bare = Flask("openapi")
    _register_blueprints(bare)
    return bare


DOCUMENT = document(_routes_only())
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def test_the_fuzzed_document_is_the_one_the_app_serves(app):
    assert app.test_client().get("/api/openapi.json").json == DOCUMENT


def token_for(case) -> str | None:
    """A token of one of the roles the route allows, varied from case to case."""
    roles = [r for r in case.operation.definition.raw["x-roles"] if r in ROLE_TOKENS]
    if not roles:
        return None
    key = repr((case.path_parameters, case.query, case.body)).encode("utf-8", "replace")
    return ROLE_TOKENS[roles[zlib.crc32(key) % len(roles)]]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_5xx_and_a_refusal_changes_nothing(case, busy_hall, db_path):
    token = token_for(case)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    before = fingerprint(db_path)
    response = case.call(app=busy_hall, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    if 400 <= response.status_code < 500:
        assert fingerprint(db_path) == before, (
            f"{case.method} {case.formatted_path} -> {response.status_code} changed the "
            f"database: {response.text[:300]}")


# --- what the fuzzer cannot send: lone surrogates (it draws only encodable text) --------

def _text_fields():
    """(method, path, field, is a list) of every text a body carries."""
    for path, item in DOCUMENT["paths"].items():
        for method, op in item.items():
            if "requestBody" not in op:
                continue
            body = op["requestBody"]["content"]["application/json"]["schema"]
            for name, field in body["properties"].items():
                kinds = field["type"] if isinstance(field["type"], list) else [field["type"]]
                if "string" in kinds or "array" in kinds:
                    yield pytest.param(method, path, op, name, "array" in kinds,
                                       id=f"{method.upper()} {path} {name}")


def _concrete(path: str, op: dict) -> str:
    for param in op.get("parameters", []):
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(param["example"]))
    return path


def _example_body(op: dict) -> dict:
    body = op["requestBody"]["content"]["application/json"]["schema"]
    return {name: field["examples"][0] for name, field in body["properties"].items()
            if name in body.get("required", ()) and "examples" in field}


@pytest.mark.parametrize("method, path, op, name, is_list", list(_text_fields()))
@pytest.mark.parametrize("bad", ["\ud800", "ok\udfff", "\uffff", "\x00"])
def test_every_text_refuses_what_no_text_may_hold(busy_hall, db_path, method, path, op,
                                                  name, is_list, bad):
    roles = [r for r in op["x-roles"] if r in ROLE_TOKENS]
    headers = {"Authorization": f"Bearer {ROLE_TOKENS[roles[0]]}"} if roles else {}
    body = _example_body(op) | {name: [bad] if is_list else bad}
    data = json.dumps(body).encode()                # ensure_ascii: "\ud800" as an escape
    before = fingerprint(db_path)
    answer = busy_hall.test_client().open(_concrete(path, op), method=method.upper(),
                                          data=data, headers=headers,
                                          content_type="application/json")
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.json["details"]["field"] == name
    assert fingerprint(db_path) == before
