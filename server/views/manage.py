"""The manager's figures, and 好差评 ratings from the windows' rating pads."""
from __future__ import annotations

from flask import Blueprint, g

from core.actions.ratings import submit_rating
from core.figures import day_figures, help_figures
from server.auth import requires
from server.payloads import Values, accepts
from server.views.common import (
    LEVEL,
    REASON,
    TICKET_NUMBER,
    act,
    events_json,
    service,
)

blueprint = Blueprint("manage", __name__, url_prefix="/api")


@blueprint.get("/stats")
@requires("manager")
@accepts()
def stats():
    return service().read(lambda hall, now: day_figures(hall, now)
                          | {"help_requests": help_figures(hall, now)})


@blueprint.post("/ratings")
@requires("rating_pad")
@accepts(body=[TICKET_NUMBER, LEVEL, REASON], status=201)
def rate(body: Values):
    """A window's rating pad rates what that window served. (The citizen's phone rates
    through its own route; never a clerk, nor a kiosk anyone can walk up to.)"""
    number, level, reason = body["number"], body["level"], body["reason"]
    window = g.principal.window

    def action(hall, now):
        return submit_rating(hall, number, level, reason, now, window)
    return {"events": events_json(act(action))}, 201
