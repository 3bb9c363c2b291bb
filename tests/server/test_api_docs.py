"""docs/api.md lists every route with its roles, and every event with its payload."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from core.events import EVENT_TYPES

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|DELETE) (\S+)` \| ([^|]+) \|", re.M)
EVENT_ROW = re.compile(r"^\| `([A-Z]\w+)` \| (.+) \|$", re.M)


def documented_routes() -> dict[tuple[str, str], set[str]]:
    text = API_DOC.read_text(encoding="utf-8")
    return {(method, path): {r.strip() for r in roles.split(",")}
            for method, path, roles in ROW.findall(text)}


def app_routes(app) -> dict[tuple[str, str], set[str]]:
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<int:number>", "<n>", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(method, path)] = set(app.view_functions[rule.endpoint].roles)
    return routes


def test_every_route_is_documented_with_its_roles(app):
    documented, actual = documented_routes(), app_routes(app)
    assert sorted(set(actual) - set(documented)) == [], "routes missing from docs/api.md"
    assert sorted(set(documented) - set(actual)) == [], "docs/api.md lists routes that do not exist"
    wrong = {route: (documented[route], roles) for route, roles in actual.items()
             if documented[route] != roles}
    assert wrong == {}


def test_every_event_is_documented_with_its_payload():
    rows = dict(EVENT_ROW.findall(API_DOC.read_text(encoding="utf-8")))
    assert sorted(set(EVENT_TYPES) - set(rows)) == []
    for name, cls in EVENT_TYPES.items():
        documented = set(re.findall(r"`(\w+)`", rows[name]))
        missing = {f.name for f in fields(cls)} - documented
        assert not missing, f"{name}: payload fields {missing} not in docs/api.md"
