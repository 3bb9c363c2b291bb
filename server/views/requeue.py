"""过号: a no-show ticket put back in line, once, behind `[rules] requeue_after` people.

A clerk or a manager names the ticket's number; a kiosk sends the phone token it read
from the ticket's own QR code (the citizen scanned their ticket), so a kiosk cannot
put back an arbitrary number.
"""
from __future__ import annotations

from flask import Blueprint, g

from core.actions.requeue import requeue_by_token, requeue_ticket
from server.auth import requires
from server.payloads import Values, accepts, like
from server.views.common import PHONE_TOKEN, TICKET_NUMBER, act, events_json

blueprint = Blueprint("requeue", __name__)


@blueprint.post("/api/tickets/<number>/requeue")
@requires("clerk", "manager")
@accepts(body=[], path=[TICKET_NUMBER])
def requeue_ticket_view(number: str, body: Values):
    by = g.principal.name
    stored = act(lambda hall, now: requeue_ticket(hall, number, by, now))
    return {"events": events_json(stored)}


@blueprint.post("/api/requeue")      # not under /api/tickets/<number>: no number here
@requires("kiosk")
@accepts(body=[like(PHONE_TOKEN, doc="the phone token of the ticket's QR code "
                                     "(/t/<token>), scanned at the kiosk")])
def requeue_by_token_view(body: Values):
    token = body["token"]
    stored = act(lambda hall, now: requeue_by_token(hall, token, now))
    return {"events": events_json(stored)}
