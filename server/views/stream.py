"""GET /api/events: a snapshot first, then every event with an increasing id.

A client reconnecting with Last-Event-ID gets what it missed: from the live
buffer, else from the database (same service day, up to REPLAY_LIMIT events),
else a fresh snapshot. A comment line every KEEPALIVE_SECONDS keeps proxies
and clients from timing the connection out.
"""
from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, request

from server.auth import requires
from server.event_bus import sse_frame
from server.views.common import service

blueprint = Blueprint("stream", __name__, url_prefix="/api")
KEEPALIVE_SECONDS = 15.0
# Under load a subscriber writes at most once per this interval, taking every
# event since in one write: 100 subscribers x 200 events a second would
# otherwise cost 20,000 thread wake-ups a second. A quiet hall is not delayed.
COALESCE_SECONDS = 0.025
REPLAY_LIMIT = 5_000
RETRY_MILLISECONDS = 2_000


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _snapshot_frame(hall_service) -> tuple[bytes, int]:
    picture, last_id = hall_service.snapshot()
    data = json.dumps(picture, ensure_ascii=False, separators=(",", ":"))
    return sse_frame(last_id, "snapshot", data), last_id


def _needs_snapshot(hall_service, last_id: int | None) -> bool:
    """Replay only what is missed of today, and not too much of it; else start afresh."""
    if last_id is None or last_id > hall_service.bus.last_id:
        return True
    if last_id == hall_service.bus.last_id:
        return False
    first_today = hall_service.first_event_id_today
    return (first_today is None or last_id + 1 < first_today
            or hall_service.bus.last_id - last_id > REPLAY_LIMIT)


def _catch_up(hall_service, last_id: int | None) -> tuple[list[bytes], int]:
    if _needs_snapshot(hall_service, last_id):
        frame, cursor = _snapshot_frame(hall_service)
        return [frame], cursor
    buffered = hall_service.bus.frames_after(last_id)
    if buffered is not None:
        return buffered
    rows = hall_service.read(lambda hall, now: hall_service.store.events_after(
        last_id, REPLAY_LIMIT))
    frames = [sse_frame(*row) for row in rows]
    return frames, rows[-1][0] if rows else last_id


def event_stream(hall_service, last_id: int | None, keepalive: float):
    frames, cursor = _catch_up(hall_service, last_id)
    yield f"retry: {RETRY_MILLISECONDS}\n\n".encode() + b"".join(frames)
    bus = hall_service.bus
    last_write = 0.0
    while not bus.closed:
        if not bus.wait(cursor, keepalive):
            yield b": keep-alive\n\n"
            continue
        pause = last_write + COALESCE_SECONDS - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        last_write = time.monotonic()
        more = bus.frames_after(cursor)
        if more is None:         # fell out of the buffer: start again from a snapshot
            frame, cursor = _snapshot_frame(hall_service)
            yield frame
            continue
        frames, cursor = more
        if frames:
            yield b"".join(frames)


@blueprint.get("/events")
@requires("kiosk", "clerk", "manager", "display")
def events():
    hall_service = service()
    keepalive = current_app.config.get("SSE_KEEPALIVE_SECONDS", KEEPALIVE_SECONDS)
    stream = event_stream(hall_service, _last_event_id(), keepalive)
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
