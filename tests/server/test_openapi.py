"""The OpenAPI document: generated from the app, served, valid, and equal to docs/api.md.

docs/api.md's route tables give, per route, its roles and in the body column its
body fields (`name`, `name`? when optional), query parameters (`?name=…`) and
headers (header `Name`?); words in parentheses are comments. Its Limits table
gives each text's limit. This test holds both to the document, and the document
to the app's own URL map.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.openapi import document

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (\S+)` \|(.*)$", re.M)
LIMIT_ROW = re.compile(r"^\| `([\w-]+)` \| (\d+)(?: each, (\d+) items)?\b", re.M)
TOKEN = re.compile(r"(header )?`([^`]+)`(\?)?")
METHODS = ("get", "post", "put", "patch", "delete")


def _cells(rest: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", rest)]


def _outside_parentheses(text: str) -> str:
    kept, depth = [], 0
    for char in text:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")" and depth > 0
    return "".join(kept)


def _doc_path(path: str) -> str:
    return re.sub(r"<(\w+)>", lambda m: "{number}" if m.group(1) == "n" else
                  "{" + m.group(1) + "}", path)


def documented() -> dict[tuple[str, str], dict]:
    """(method, OpenAPI path) -> roles, body fields {name: optional}, query, headers."""
    routes = {}
    for method, path, rest in ROW.findall(API_DOC.read_text(encoding="utf-8")):
        cells = _cells(rest)
        roles, body = cells[0], cells[1]
        fields, query, headers = {}, set(), set()
        for header, token, optional in TOKEN.findall(_outside_parentheses(body)):
            if header:
                headers.add(token)
            elif token.startswith("?"):
                query.add(token[1:].split("=")[0])
            else:
                fields[token] = bool(optional)
        routes[(method.lower(), _doc_path(path))] = {
            "roles": {r.strip() for r in roles.split(",")},
            "body": fields, "query": query, "headers": headers}
    return routes


def documented_limits() -> dict[str, tuple[int, int | None]]:
    text = API_DOC.read_text(encoding="utf-8").split("## Limits", 1)[1].split("\n## ", 1)[0]
    return {name: (int(length), int(items) if items else None)
            for name, length, items in LIMIT_ROW.findall(text)}


@pytest.fixture
def spec(app) -> dict:
    return document(app)


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def test_the_document_is_served_to_anyone_and_is_the_generated_one(app, spec):
    answer = app.test_client().get("/api/openapi.json")
    assert answer.status_code == 200 and answer.json == spec
    assert spec["openapi"].startswith("3.1")


def test_the_document_is_valid_openapi(app, spec):
    schemathesis = pytest.importorskip("schemathesis")
    loaded = schemathesis.openapi.from_dict(spec)
    loaded.validate()
    assert len(list(loaded.get_all_operations())) == len(list(operations(spec)))


def test_the_document_lists_exactly_the_routes_of_the_app(app, spec):
    actual = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            actual[(method.lower(), path)] = set(app.view_functions[rule.endpoint].roles)
    listed = {(method, path): set(op["x-roles"]) for method, path, op in operations(spec)}
    assert listed == actual
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids))


def test_roles_and_security_agree(spec):
    for method, path, op in operations(spec):
        public = op["x-roles"] == ["public"]
        assert (op["security"] == []) == public, (method, path)
        codes = set(op["responses"])
        assert public or {"401", "403"} <= codes, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "422"} <= codes, (method, path)
        assert not codes - {"200", "201", "400", "401", "403", "404", "409", "413", "422",
                            "429", "503"}


def _declared(op: dict) -> dict:
    body = {}
    if "requestBody" in op:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        required = set(schema.get("required", ()))
        body = {name: name not in required for name in schema["properties"]}
        assert schema["additionalProperties"] is False
    params = op.get("parameters", [])
    return {"body": body,
            "query": {p["name"] for p in params if p["in"] == "query"},
            # every POST takes an Idempotency-Key: docs/api.md says so once, in Conventions
            "headers": {p["name"] for p in params if p["in"] == "header"} - {COMMON_HEADER}}


COMMON_HEADER = "Idempotency-Key"


def test_every_post_takes_an_idempotency_key_and_the_conventions_say_so(spec):
    for method, path, op in operations(spec):
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert (COMMON_HEADER in headers) == (method == "post"), (method, path)
    conventions = API_DOC.read_text(encoding="utf-8").split("## Conventions", 1)[1]
    assert f"`{COMMON_HEADER}:" in conventions.split("\n## ", 1)[0]


def test_docs_api_md_lists_every_route_its_roles_and_its_fields(spec):
    docs = documented()
    listed = {(method, path): op for method, path, op in operations(spec)}
    assert sorted(set(listed) - set(docs)) == [], "routes missing from docs/api.md"
    assert sorted(set(docs) - set(listed)) == [], "docs/api.md lists routes that do not exist"
    wrong = {}
    for route, op in listed.items():
        declared = _declared(op)
        written = {k: docs[route][k] for k in ("body", "query", "headers")}
        if docs[route]["roles"] != set(op["x-roles"]):
            wrong[route] = ("roles", docs[route]["roles"], op["x-roles"])
        elif written != declared:
            wrong[route] = ("fields (name: optional)", written, declared)
    assert wrong == {}


def _limits(spec: dict):
    """(name, max length, max items) of every text the API reads."""
    for _, _, op in operations(spec):
        for param in op.get("parameters", []):
            if "maxLength" in param["schema"]:
                yield param["name"], param["schema"]["maxLength"], None
        if "requestBody" in op:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            for name, field in schema["properties"].items():
                if "maxLength" in field:
                    yield name, field["maxLength"], None
                elif "items" in field:
                    yield name, field["items"]["maxLength"], field["maxItems"]
                elif isinstance(field.get("additionalProperties"), dict):   # a mapping
                    yield name, field["additionalProperties"]["maxLength"], \
                        field["maxProperties"]


def test_every_text_has_one_limit_and_docs_api_md_gives_it(spec):
    limits: dict[str, set] = {}
    for name, length, items in _limits(spec):
        limits.setdefault(name, set()).add((length, items))
    assert {n: v for n, v in limits.items() if len(v) > 1} == {}, "one limit per name"
    in_code = {name: next(iter(v)) for name, v in limits.items()}
    assert documented_limits() == in_code


def test_every_text_field_and_string_parameter_is_bounded(spec):
    for method, path, op in operations(spec):
        for param in op.get("parameters", []):
            schema = param["schema"]
            assert schema["type"] != "string" or "maxLength" in schema or "enum" in schema, \
                (method, path, param["name"])
        if "requestBody" in op:
            body = op["requestBody"]["content"]["application/json"]["schema"]
            for name, field in body["properties"].items():
                kinds = field["type"] if isinstance(field["type"], list) else [field["type"]]
                if "string" in kinds:
                    assert "maxLength" in field, (method, path, name)
                if "array" in kinds:
                    assert "maxItems" in field and "maxLength" in field["items"], (path, name)
