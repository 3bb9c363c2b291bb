"""The citizen's phone page, reached from the ticket's QR code by an unguessable token.

`/t/<token>` is the page; it listens to `/api/public/tickets/<token>/events`, which
sends the ticket's status at once and again only when it changes
(`server.phone_watch`: one shared watcher for every phone of the hall). Once the
service is finished the page offers 好差评 (posted to `/api/public/tickets/<token>/rating`),
a bad level with the hall's `[ratings] reasons` to choose from.
"""
from __future__ import annotations

import secrets
import threading

from flask import Blueprint, Response, current_app, make_response, render_template

from core.actions.ratings import submit_rating
from core.actions.tickets import cancel_ticket
from server.auth import public
from server.payloads import Values, accepts
from server.phone_watch import WARN_AT, PhoneWatch, ticket_of
from server.phone_watch import ticket_status as status_now
from server.security import content_security_policy
from server.views.common import (
    LEVEL,
    PAGE_LANGUAGE,
    PHONE_TOKEN,
    REASON,
    act,
    events_json,
    service,
    settings,
)
from server.web.case_page import case_status_texts
from server.web.phone import phone_refusals, phone_texts
from server.web.texts import language_of

blueprint = Blueprint("public", __name__)
KEEPALIVE_SECONDS = 15.0
_starting = threading.Lock()


def phone_watch() -> PhoneWatch:
    """The app's one watcher of phone streams, made on the first phone that listens."""
    extensions = current_app.extensions
    with _starting:
        watch = extensions.get("yichuang.phone_watch")
        if watch is None or watch.service is not service():
            keepalive = current_app.config.get("SSE_KEEPALIVE_SECONDS", KEEPALIVE_SECONDS)
            watch = extensions["yichuang.phone_watch"] = PhoneWatch(service(), keepalive)
    return watch


@blueprint.get("/api/public/tickets/<token>")
@public
@accepts(path=[PHONE_TOKEN])
def ticket_status(token: str):
    return service().read(lambda hall, now: status_now(hall, token, now))


@blueprint.get("/api/public/tickets/<token>/events")
@public
@accepts(path=[PHONE_TOKEN], media_type="text/event-stream")
def ticket_events(token: str):
    stream = phone_watch().subscribe(token)         # 404 here, before anything is sent
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@blueprint.post("/api/public/tickets/<token>/cancel")
@public
@accepts(body=[], path=[PHONE_TOKEN])
def cancel(token: str, body: Values):
    number = service().read(lambda hall, now: ticket_of(hall, token).number)
    stored = act(lambda hall, now: cancel_ticket(hall, number, "by_citizen", now))
    return {"events": events_json(stored)}


@blueprint.post("/api/public/tickets/<token>/rating")
@public
@accepts(body=[LEVEL, REASON], path=[PHONE_TOKEN], status=201)
def rate(token: str, body: Values):
    level, reason = body["level"], body["reason"]
    number = service().read(lambda hall, now: ticket_of(hall, token).number)
    stored = act(lambda hall, now: submit_rating(hall, number, level, reason, now))
    return {"events": events_json(stored)}, 201


@blueprint.get("/t/<token>")
@public
@accepts(path=[PHONE_TOKEN], query=[PAGE_LANGUAGE], media_type="text/html",
         ignore_unknown_query=True)
def phone_page(token: str, query: Values):
    nonce = secrets.token_urlsafe(16)
    language = language_of(query["lang"] or "")
    hall = settings()
    page = make_response(render_template(
        "phone.html", token=token, hall=hall.name, nonce=nonce, language=language,
        texts=phone_texts(language) | case_status_texts(language), warn_at=WARN_AT,
        reasons=list(hall.ratings.reasons), refusals=phone_refusals(language)))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    return page
