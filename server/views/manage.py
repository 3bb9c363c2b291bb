"""The manager's figures, and 好差评 ratings from pads, kiosks and clerks."""
from __future__ import annotations

from flask import Blueprint, g

from core.actions.ratings import submit_rating
from core.figures import day_figures
from server.auth import requires
from server.payloads import Payload
from server.views.common import clerk_window, events_json, service

blueprint = Blueprint("manage", __name__, url_prefix="/api")


@blueprint.get("/stats")
@requires("manager")
def stats():
    return service().read(lambda hall, now: day_figures(hall, now))


@blueprint.post("/ratings")
@requires("kiosk", "clerk")
def rate():
    payload = Payload.from_request()
    number, level = payload.text("number"), payload.integer("level")
    reason = payload.text("reason", required=False)
    payload.done()
    principal = g.principal

    def action(hall, now):
        window = clerk_window(hall, principal.name) if principal.role == "clerk" else None
        return submit_rating(hall, number, level, reason, now, window)
    return {"events": events_json(service().act(action))}, 201
