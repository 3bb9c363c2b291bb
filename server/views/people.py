"""People's log-in: a user name and password give a session token that ends
(server/sessions.py); log-out; a person's own password change. Devices keep their
tokens from the hall's TOML and never log in here."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request

from core.people import PASSWORD_MAX_LENGTH
from server.auth import public, requires
from server.payloads import Values, accepts, text
from server.sessions import Sessions

blueprint = Blueprint("people", __name__, url_prefix="/api")

PEOPLE = ("clerk", "manager", "helper", "back_office")
USER_NAME = text("user_name", 32, doc="the person's user name (case does not matter)",
                 example="clerk01")
PASSWORD = text("password", PASSWORD_MAX_LENGTH, doc="the person's password",
                example="demo1234")
OLD_PASSWORD = text("old_password", PASSWORD_MAX_LENGTH, doc="the password today",
                    example="demo1234")
NEW_PASSWORD = text("new_password", PASSWORD_MAX_LENGTH,
                    doc="the new password ([people] password_min_length characters or more, "
                        "not the user name)", example="a-new-password-2026")


def sessions() -> Sessions:
    return current_app.extensions["yichuang.sessions"]


@blueprint.post("/login")
@public
@accepts(body=[USER_NAME, PASSWORD])
def log_in(body: Values):
    """A session token for a right user name and password (401 `wrong_password` for a
    wrong one, whether or not the name exists; 429 `too_many_log_ins` with Retry-After
    after repeated wrong ones)."""
    return sessions().log_in(body["user_name"], body["password"], request.remote_addr or "")


log_in.rate_limited = "log-in"     # server.openapi: may answer 401 and 429


@blueprint.post("/logout")
@requires(*PEOPLE)
@accepts(body=[])
def log_out(body: Values):
    """End the session that presents this token (403 `not_a_person` for a device)."""
    sessions().log_out(g.principal)
    return {"logged_out": True}


@blueprint.post("/password")
@requires(*PEOPLE)
@accepts(body=[OLD_PASSWORD, NEW_PASSWORD])
def change_password(body: Values):
    """The person's own new password; their other sessions end, this one stays."""
    sessions().change_password(g.principal, body["old_password"], body["new_password"],
                               request.remote_addr or "")
    return {"changed": True}
