"""GET /api/events: a snapshot first, then every event with an increasing id.

What a reconnecting client gets (replay or snapshot) is decided by the event log
(`server.event_log.EventLog.follow`). A comment line every KEEPALIVE_SECONDS keeps
proxies and clients from timing the connection out.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from server.auth import requires
from server.views.common import service

blueprint = Blueprint("stream", __name__, url_prefix="/api")
KEEPALIVE_SECONDS = 15.0


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@blueprint.get("/events")
@requires("kiosk", "clerk", "manager", "display")
def events():
    keepalive = current_app.config.get("SSE_KEEPALIVE_SECONDS", KEEPALIVE_SECONDS)
    stream = service().event_log.follow(_last_event_id(), keepalive)
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
