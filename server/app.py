"""The Flask app factory: one hall, one SQLite file, one writer."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from core.errors import HallError
from core.settings.schema import HallSettings
from server.auth import Credentials, PersonRefused, Unauthorized, WrongRole
from server.payloads import MAX_BODY_BYTES, BadJson
from server.security import security_headers
from server.service import HallService

STATUS = {"invalid": 422, "not_found": 404, "conflict": 409, "forbidden": 403}


class JsonProvider(DefaultJSONProvider):
    """Chinese as itself, keys in the order written; and never a 500 for a text that
    cannot be UTF-8 (a lone surrogate that got past the checks is sent escaped)."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return super().dumps(obj, **{**kwargs, "ensure_ascii": True})
        return text


def create_app(settings: HallSettings, *, database: str | None = None,
               clock: Callable[[], datetime] | None = None) -> Flask:
    app = Flask(__name__)
    app.json = JsonProvider(app)
    # A second line in front of the WSGI server's own limit: a larger body is 413.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    service = HallService(settings, database or settings.server.database, clock)
    app.extensions["yichuang.service"] = service
    from server.advisor import PoolAdvisor
    # the pool advisor: assessed on request; the production server also runs it on a timer
    app.extensions["yichuang.advisor"] = PoolAdvisor(service, service.settings)
    from server.sessions import Sessions
    app.extensions["yichuang.sessions"] = Sessions(service)
    app.extensions["yichuang.credentials"] = Credentials(settings.credentials,
                                                         app.extensions["yichuang.sessions"])
    _register_blueprints(app)
    _register_errors(app)
    app.after_request(security_headers)
    logging.getLogger("yichuang").setLevel(logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    from server import openapi
    from server.views import (
        board,
        bookings,
        cases,
        devices,
        hall,
        help_requests,
        manage,
        people,
        public,
        self_service,
        stream,
        tickets,
        windows,
    )
    from server.web import booking as booking_page
    for module in (hall, tickets, windows, cases, manage, stream, public, openapi,
                   help_requests, self_service, devices, bookings, booking_page, board,
                   people):
        app.register_blueprint(module.blueprint)
    from server.views import requeue
    app.register_blueprint(cases.pages)         # the citizen's case page (/c/<token>)
    app.register_blueprint(requeue.blueprint)   # 过号: back in line
    from server.views import back_office
    app.register_blueprint(back_office.blueprint)   # 审批: the back office and /office
    from server.views import advice
    app.register_blueprint(advice.blueprint)        # the pool advisor's advice (managers)


def _error(status: int, kind: str, message: str, code: str = "", **details):
    body = {"error": kind, "code": code or kind, "message": message}
    if details:
        body["details"] = details
    return jsonify(body), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HallError)
    def hall_error(error: HallError):
        return _error(STATUS[error.kind], error.kind, error.message, error.code, **error.details)

    @app.errorhandler(BadJson)
    def bad_json(error: BadJson):
        return _error(400, "bad_json", str(error))

    @app.errorhandler(Unauthorized)
    def unauthorized(_error_):
        return _error(401, "unauthorized", "a valid token is required "
                                           "(Authorization: Bearer <token>)")

    @app.errorhandler(PersonRefused)
    def person_refused(error: PersonRefused):
        from core.messages.refusals import explain
        kinds = {401: "unauthorized", 403: "forbidden", 429: "too_many_requests"}
        response, status = _error(error.status, kinds[error.status],
                                  explain(error.code, error.details), error.code,
                                  **error.details)
        if error.retry_after:
            response.headers["Retry-After"] = str(error.retry_after)
        return response, status

    @app.errorhandler(WrongRole)
    def wrong_role(error: WrongRole):
        role, allowed = error.args
        return _error(403, "wrong_role", f"role '{role}' may not do this; allowed: "
                                         f"{', '.join(sorted(allowed))}")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error_):
        limit = app.config["MAX_CONTENT_LENGTH"]
        return _error(413, "too_large", f"the request body is larger than {limit} bytes",
                      max_bytes=limit)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response, status = _error(error.code or 500, error.name.lower().replace(" ", "_"),
                                  error.description or error.name)
        for name, value in error.get_headers():       # Allow (405), Retry-After (429) ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status
