"""呼叫帮办: a kiosk calls a floor helper; helpers take the calls and mark them done."""
from __future__ import annotations

from flask import Blueprint, g

from core.actions import help as helping
from core.help_requests import REASONS, WHERE_LENGTH, HelpState
from server.auth import requires
from server.payloads import Values, accepts, like, text
from server.views.common import NOTE, REASON, act, events_json, service

blueprint = Blueprint("help", __name__, url_prefix="/api/help")

REQUEST_ID = text("request_id", 16, doc="a help request's id", example="H20261123-001")
WHERE = text("where", WHERE_LENGTH, doc="where the citizen waits: the kiosk's place",
             example="1号自助取号机旁")
WHY = like(REASON, required=True, choices=REASONS, example="needs_assistance",
           doc="why: " + ", ".join(REASONS))
STATES = {"open": (HelpState.OPEN,), "taken": (HelpState.TAKEN,),
          "active": (HelpState.OPEN, HelpState.TAKEN), "done": (HelpState.DONE,),
          "cancelled": (HelpState.CANCELLED,), "all": tuple(HelpState)}


def _answer(request_id: str, action, status: int = 200):
    def picture(hall):
        return helping.find_help(hall, request_id).public(service().clock())
    logged, request = act(action, picture)
    return {"help_request": request, "events": events_json(logged)}, status


@blueprint.post("")
@requires("kiosk")
@accepts(body=[WHERE, WHY, NOTE], status=201)
def request_help(body: Values):
    """A kiosk calls a floor helper to where the citizen waits."""
    where, reason, note, kiosk = body["where"], body["reason"], body["note"], g.principal.name
    made: list[str] = []

    def action(hall, now):
        events = helping.request_help(hall, where, reason, note, kiosk, now)
        made.append(events[0].id)
        return events

    def picture(hall):          # (a retry with the same Idempotency-Key gets the first)
        return helping.find_help(hall, made[-1]).public(service().clock())
    logged, request = act(action, picture)
    return {"help_request": request, "events": events_json(logged)}, 201


@blueprint.get("")
@requires("helper", "manager")
@accepts(query=[text("state", 16, required=False, default="open", choices=list(STATES),
                     doc="open (default), taken, active (open or taken), done, "
                         "cancelled, all")])
def help_requests(query: Values):
    """Today's calls for help, oldest first, each with the minutes it waited so far."""
    wanted = STATES[query["state"]]
    return {"help_requests": service().read(lambda hall, now: [
        r.public(now) for r in sorted(hall.help_requests.values(), key=lambda r: r.id)
        if r.state in wanted])}


@blueprint.post("/<request_id>/take")
@requires("helper")
@accepts(body=[], path=[REQUEST_ID])
def take_help(request_id: str, body: Values):
    """A helper takes an open call (nobody else can after them)."""
    helper = g.principal.name
    return _answer(request_id,
                   lambda hall, now: helping.take_help(hall, request_id, helper, now))


@blueprint.post("/<request_id>/finish")
@requires("helper")
@accepts(body=[], path=[REQUEST_ID])
def finish_help(request_id: str, body: Values):
    """The helper who took the call marks it done."""
    helper = g.principal.name
    return _answer(request_id,
                   lambda hall, now: helping.finish_help(hall, request_id, helper, now))
