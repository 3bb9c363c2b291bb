"""The API as an OpenAPI 3.1 document, made from the app itself: its URL map, each
view's roles (`server.auth`) and its declaration (`server.payloads.accepts`).

Served at GET /api/openapi.json; `tests/server/test_openapi.py` keeps it equal to
docs/api.md and `tests/server/test_fuzz.py` fuzzes every route from it.
"""
from __future__ import annotations

import re
from importlib import metadata

from flask import Blueprint, Flask, current_app, jsonify

from server.auth import public
from server.payloads import (
    BOOLEAN,
    DATE,
    IDEMPOTENCY_KEY,
    INTEGER,
    MAPPING,
    MAPPING_KEY_LENGTH,
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_INTEGER,
    TEXT,
    TEXTS,
    Field,
    Spec,
    accepts,
)

blueprint = Blueprint("openapi", __name__)

ERRORS = {
    400: "`bad_json`: the body is not one UTF-8 JSON object, or is nested too deep",
    401: "`unauthorized`: no token or an unknown token",
    403: "`wrong_role`: the role may not call this route; `forbidden`: not here",
    404: "`not_found`: an unknown ticket, window, case, matter, pool or link",
    409: "`conflict`: the right request at the wrong moment",
    413: f"`too_large`: the body is larger than {MAX_BODY_BYTES} bytes",
    422: "`invalid`: a field or parameter missing, unknown, of the wrong type, too long, "
         "or holding what no text may hold",
    429: "`too_many_requests`: too many wrong tokens from this address, or too many "
         "numbers from this device, or booking requests from this address (`Retry-After`)",
    503: "`service_unavailable`: the hall database cannot be written now",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                   "details": {"type": "object"}},
}
SUCCESS = {200: "OK", 201: "Created"}
ANSWER_SCHEMAS = {
    "application/json": {"type": "object"},
    # each event of the stream: `id: N`, `event: Type`, `data: {json}` (docs/api.md)
    "text/event-stream": {"type": "object", "properties": {
        "id": {"type": "string"}, "event": {"type": "string"}, "data": {"type": "string"}}},
}
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def field_schema(spec: Field, nullable: bool | None = None) -> dict:
    """The JSON Schema of one declared field, as the parser reads it."""
    if spec.kind == TEXT:
        schema = {"type": "string", "maxLength": spec.max_length}
        if spec.choices is not None:
            schema["enum"] = list(spec.choices)
    elif spec.kind == INTEGER:
        schema = {"type": "integer",
                  "minimum": -MAX_INTEGER if spec.minimum is None else spec.minimum,
                  "maximum": MAX_INTEGER if spec.maximum is None else spec.maximum}
    elif spec.kind == BOOLEAN:
        schema = {"type": "boolean"}
    elif spec.kind == DATE:
        schema = {"type": "string", "format": "date", "maxLength": spec.max_length}
    elif spec.kind == TEXTS:
        schema = {"type": "array", "items": {"type": "string", "maxLength": spec.max_length},
                  "maxItems": spec.max_items}
    elif spec.kind == MAPPING:
        schema = {"type": "object", "maxProperties": spec.max_items,
                  "propertyNames": {"maxLength": MAPPING_KEY_LENGTH},
                  "additionalProperties": {"type": "string", "maxLength": spec.max_length}}
    else:
        raise AssertionError(spec.kind)
    schema = {k: v for k, v in schema.items() if v is not None}
    if nullable if nullable is not None else not spec.required:
        schema["type"] = [schema["type"], "null"]     # null is read as absent
        if "enum" in schema:
            schema["enum"] = schema["enum"] + [None]
    if spec.default is not None:
        schema["default"] = spec.default
    if spec.doc:
        schema["description"] = spec.doc
    if spec.example is not None:
        schema["examples"] = [spec.example]
    return schema


def _parameter(spec: Field, where: str) -> dict:
    parameter = {"name": spec.name, "in": where, "required": where == "path" or spec.required,
                 "schema": field_schema(spec, nullable=False)}
    if spec.example is not None:
        parameter["example"] = spec.example
    if where == "query" and not spec.required:
        parameter["allowEmptyValue"] = True         # `?state=` is no filter at all
    return parameter


def _body(fields: tuple[Field, ...]) -> dict:
    schema = {"type": "object", "additionalProperties": False,
              "properties": {f.name: field_schema(f) for f in fields}}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return {"required": bool(required),
            "description": f"one JSON object, at most {MAX_BODY_BYTES} bytes and "
                           f"{MAX_DEPTH} levels deep; an empty body is {{}}",
            "content": {"application/json": {"schema": schema}}}


def _path_and_parameters(rule, spec: Spec) -> tuple[str, list[dict]]:
    declared = {f.name: f for f in spec.path}
    parameters = []
    for converter, name in _ARGUMENT.findall(rule.rule):
        if converter == "int":
            parameters.append({"name": name, "in": "path", "required": True,
                               "schema": {"type": "integer", "minimum": 0}, "example": 1})
        elif name in declared:
            parameters.append(_parameter(declared[name], "path"))
        else:
            raise LookupError(f"{rule.rule}: path parameter '{name}' is not declared "
                              f"(@accepts(path=[...]))")
    path = _ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
    parameters += [_parameter(f, "query") for f in spec.query]
    parameters += [_parameter(f, "header") for f in spec.headers]
    return path, parameters


def _responses(method: str, spec: Spec, roles: frozenset[str], has_path: bool,
               limited: bool | str = False) -> dict:
    content = {"schema": ANSWER_SCHEMAS.get(spec.media_type, {"type": "string"})}
    responses = {str(spec.status): {"description": SUCCESS[spec.status],
                                    "content": {spec.media_type: content}}}
    codes = {422}
    if "public" not in roles:
        codes |= {401, 403, 429}
    if limited:                          # a public route with a rate limit (bookings)
        codes.add(429)
    if limited == "log-in":              # ... and one that refuses wrong passwords
        codes.add(401)
    if spec.body is not None:
        codes |= {400, 413}
    if has_path or spec.body:
        codes.add(404)
    if method == "POST":
        codes |= {403, 409, 503}
    for code in sorted(codes):
        responses[str(code)] = {"description": ERRORS[code],
                                "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    return responses


def _summary(view) -> str:
    doc = (view.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else view.__name__.replace("_", " ")


def document(app: Flask) -> dict:
    """The whole API: every route of the app, as the views declare it."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        spec: Spec | None = getattr(view, "spec", None)
        if spec is None:
            raise LookupError(f"{rule.rule}: the view declares nothing (@accepts)")
        roles = frozenset(view.roles)
        path, parameters = _path_and_parameters(rule, spec)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": rule.endpoint,
                "summary": _summary(view),
                "tags": [rule.endpoint.split(".")[0]],
                "x-roles": sorted(roles),
                "security": [] if "public" in roles else _security(rule.rule),
                "parameters": parameters,
                "responses": _responses(method, spec, roles,
                                        any(p["in"] == "path" for p in parameters),
                                        getattr(view, "rate_limited", False)),
            }
            if method == "POST":
                operation["parameters"] = parameters + [_parameter(IDEMPOTENCY_KEY, "header")]
            if spec.body is not None:
                operation["requestBody"] = _body(spec.body)
            if not operation["parameters"]:
                del operation["parameters"]
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Yichuang hall server", "version": _version(),
                 "description": "One hall's queue: tickets, windows, cases, ratings and "
                                "the event stream. Roles per operation are in `x-roles`."},
        "paths": paths,
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "a device's or person's token"},
            "query_token": {"type": "apiKey", "in": "query", "name": "token",
                            "description": "for a browser's EventSource, which cannot "
                                           "set headers"},
        }},
    }


def _security(rule: str) -> list[dict]:
    if rule == "/api/events":
        return [{"bearer": []}, {"query_token": []}]
    return [{"bearer": []}]


def _version() -> str:
    try:
        return metadata.version("yichuang")
    except metadata.PackageNotFoundError:
        return "0"


@blueprint.get("/api/openapi.json")
@public
@accepts()
def openapi_document():
    """This document."""
    made = current_app.extensions.get("yichuang.openapi")
    if made is None:
        made = current_app.extensions["yichuang.openapi"] = document(current_app)
    return jsonify(made)
