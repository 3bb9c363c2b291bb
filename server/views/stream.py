"""GET /api/events: a snapshot first, then every event with an increasing id.

Each role gets its audience's stream (`server.event_log`): clerks and managers every
event whole, kiosks only calls, counts and waits, displays (and a pads bridge, which
invites a rating on each ServiceFinished) only what a board draws; the board's
stream is also open without a token for the web board.

What a reconnecting client gets (replay or snapshot) is decided by the event log
(`server.event_log.EventLog.follow`). A comment line every KEEPALIVE_SECONDS keeps
proxies and clients from timing the connection out.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g

from server.auth import public, requires
from server.event_log import AUDIENCE_OF_ROLE
from server.payloads import Values, accepts, integer
from server.views.common import service

blueprint = Blueprint("stream", __name__, url_prefix="/api")
KEEPALIVE_SECONDS = 15.0


RESUME = dict(required=False, minimum=0, doc="resume after this event id")


@blueprint.get("/events")
@requires("kiosk", "clerk", "manager", "display", "helper", "rating_pad")
@accepts(query=[integer("last_event_id", **RESUME)],
         headers=[integer("Last-Event-ID", **RESUME)], media_type="text/event-stream")
def events(query: Values, headers: Values):
    return _stream(query, headers, AUDIENCE_OF_ROLE[g.principal.role])


@blueprint.get("/public/board/events")
@public
@accepts(query=[integer("last_event_id", **RESUME)],
         headers=[integer("Last-Event-ID", **RESUME)], media_type="text/event-stream")
def board_events(query: Values, headers: Values):
    """The board's stream without a token, for the web board (/board) on any TV: what
    the hall's big screen shows anyway, and nothing else (`core.events.for_board`)."""
    return _stream(query, headers, "board")


def _stream(query: Values, headers: Values, audience: str) -> Response:
    last_event_id = headers["Last-Event-ID"]
    if last_event_id is None:
        last_event_id = query["last_event_id"]
    keepalive = current_app.config.get("SSE_KEEPALIVE_SECONDS", KEEPALIVE_SECONDS)
    stream = service().event_log.follow(last_event_id, keepalive, audience)
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
