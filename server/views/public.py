"""The citizen's phone page, reached from the ticket's QR code by an unguessable token."""
from __future__ import annotations

import secrets

from flask import Blueprint, make_response, render_template

from core.actions.ratings import submit_rating
from core.actions.tickets import cancel_ticket
from core.errors import NotFound
from core.forecast.live import estimate_waits
from server.auth import public
from server.payloads import Values, accepts
from server.security import content_security_policy
from server.views.common import LEVEL, PHONE_TOKEN, REASON, act, events_json, service, settings

blueprint = Blueprint("public", __name__)


def _ticket_for(hall, token: str):
    ticket = hall.by_phone_token.get(token)
    if ticket is None:
        raise NotFound("this ticket link is unknown or from an earlier day")
    return ticket


@blueprint.get("/api/public/tickets/<token>")
@public
@accepts(path=[PHONE_TOKEN])
def ticket_status(token: str):
    def picture(hall, now):
        ticket = _ticket_for(hall, token)
        ahead, minutes = estimate_waits(hall, now).get(ticket.number, (0, None))
        window = hall.windows.get(ticket.window) if ticket.window else None
        subject = hall.settings.subject(ticket.subject)
        return {"ticket": ticket.public(), "subject_name": subject.name,
                "materials": list(hall.settings.material_labels(subject.code)),
                "people_ahead": ahead, "eta_minutes": minutes,
                "window_name": window.name if window else None,
                "hall": hall.settings.name, "as_of": now.isoformat(timespec="seconds")}
    return service().read(picture)


@blueprint.post("/api/public/tickets/<token>/cancel")
@public
@accepts(body=[], path=[PHONE_TOKEN])
def cancel(token: str, body: Values):
    number = service().read(lambda hall, now: _ticket_for(hall, token).number)
    stored = act(lambda hall, now: cancel_ticket(hall, number, "by_citizen", now))
    return {"events": events_json(stored)}


@blueprint.post("/api/public/tickets/<token>/rating")
@public
@accepts(body=[LEVEL, REASON], path=[PHONE_TOKEN], status=201)
def rate(token: str, body: Values):
    level, reason = body["level"], body["reason"]
    number = service().read(lambda hall, now: _ticket_for(hall, token).number)
    stored = act(lambda hall, now: submit_rating(hall, number, level, reason, now))
    return {"events": events_json(stored)}, 201


@blueprint.get("/t/<token>")
@public
@accepts(path=[PHONE_TOKEN], media_type="text/html", ignore_unknown_query=True)
def phone_page(token: str):
    nonce = secrets.token_urlsafe(16)
    page = make_response(render_template("phone.html", token=token, hall=settings().name,
                                         nonce=nonce))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    return page
