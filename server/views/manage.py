"""The manager's figures, and 好差评 ratings from pads, kiosks and clerks."""
from __future__ import annotations

from flask import Blueprint, g

from core.hall_figures import day_figures
from core.ratings import submit_rating
from server.auth import requires
from server.payloads import Payload
from server.views.common import events_json, service

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
        window = None
        if principal.role == "clerk":
            window = next((w.number for w in hall.windows.values()
                           if w.clerk == principal.name), -1)
        return submit_rating(hall, number, level, reason, now, window)
    return {"events": events_json(service().act(action))}, 201
