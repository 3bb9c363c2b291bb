"""The Flask app factory: one hall, one SQLite file, one writer."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from core.errors import HallError
from core.settings.schema import HallSettings
from server.auth import Credentials, Unauthorized, WrongRole
from server.payloads import BadJson
from server.service import HallService

STATUS = {"invalid": 422, "not_found": 404, "conflict": 409, "forbidden": 403}


def create_app(settings: HallSettings, *, database: str | None = None,
               clock: Callable[[], datetime] | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    service = HallService(settings, database or settings.server.database, clock)
    app.extensions["yichuang.service"] = service
    app.extensions["yichuang.credentials"] = Credentials(settings.credentials)
    _register_blueprints(app)
    _register_errors(app)
    logging.getLogger("yichuang").setLevel(logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    from server.views import cases, hall, manage, public, stream, tickets, windows
    for module in (hall, tickets, windows, cases, manage, stream, public):
        app.register_blueprint(module.blueprint)


def _error(status: int, kind: str, message: str, **details):
    body = {"error": kind, "message": message}
    if details:
        body["details"] = details
    return jsonify(body), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HallError)
    def hall_error(error: HallError):
        return _error(STATUS[error.kind], error.kind, error.message, **error.details)

    @app.errorhandler(BadJson)
    def bad_json(error: BadJson):
        return _error(400, "bad_json", f"the request body is not valid JSON: {error}")

    @app.errorhandler(Unauthorized)
    def unauthorized(_error_):
        return _error(401, "unauthorized", "a valid token is required "
                                           "(Authorization: Bearer <token>)")

    @app.errorhandler(WrongRole)
    def wrong_role(error: WrongRole):
        role, allowed = error.args
        return _error(403, "wrong_role", f"role '{role}' may not do this; allowed: "
                                         f"{', '.join(sorted(allowed))}")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error(error.code or 500, error.name.lower().replace(" ", "_"),
                      error.description or error.name)
