"""Window routes: staffing a window, and every clerk action at it.

One vocabulary: each view is named after the core action it runs
(`core.actions.staffing` or `core.actions.serving`), and `server.client.HallClient`
has a method of the same name; the URL is the action's short name (see the table
in docs/api.md; a test keeps the three in step).
"""
from __future__ import annotations

from flask import Blueprint, g

from core.actions import serving, staffing
from core.actions.cases import CaseRequest
from server.auth import requires
from server.payloads import Payload
from server.views.common import act_at_window, service

blueprint = Blueprint("windows", __name__, url_prefix="/api/windows")


@blueprint.get("")
@requires("kiosk", "clerk", "manager", "display")
def list_windows():
    windows = service().read(lambda hall, now: [w.public() for w in hall.windows.values()])
    return {"windows": windows}


# --- staffing -------------------------------------------------------------------------

@blueprint.post("/<int:number>/login")
@requires("clerk")
def log_in(number: int):
    Payload.from_request().done()
    principal = g.principal
    return act_at_window(number, lambda hall, now: staffing.log_in(
        hall, number, principal.name, principal.display_name), check_clerk=False)


@blueprint.post("/<int:number>/logout")
@requires("clerk", "manager")
def log_out(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: staffing.log_out(hall, number))


@blueprint.post("/<int:number>/open")
@requires("clerk", "manager")
def open_window(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: staffing.open_window(hall, number))


@blueprint.post("/<int:number>/close")
@requires("clerk", "manager")
def close_window(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: staffing.close_window(hall, number))


@blueprint.post("/<int:number>/pause")
@requires("clerk", "manager")
def pause_window(number: int):
    payload = Payload.from_request()
    reason = payload.text("reason")
    payload.done()
    return act_at_window(number, lambda hall, now: staffing.pause_window(hall, number, reason))


@blueprint.post("/<int:number>/resume")
@requires("clerk", "manager")
def resume_window(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: staffing.resume_window(hall, number))


@blueprint.post("/<int:number>/move")
@requires("manager")
def move_window(number: int):
    payload = Payload.from_request()
    pool = payload.text("pool")
    payload.done()
    return act_at_window(number, lambda hall, now: staffing.move_window(hall, number, pool),
                         check_clerk=False)


# --- serving --------------------------------------------------------------------------

def _clerk_action(number: int, action):
    Payload.from_request().done()
    return act_at_window(number, action)


@blueprint.post("/<int:number>/call-next")
@requires("clerk")
def call_next(number: int):
    return _clerk_action(number, lambda hall, now: serving.call_next(hall, number, now))


@blueprint.post("/<int:number>/recall")
@requires("clerk")
def recall(number: int):
    return _clerk_action(number, lambda hall, now: serving.recall(hall, number, now))


@blueprint.post("/<int:number>/start")
@requires("clerk")
def start_service(number: int):
    return _clerk_action(number, lambda hall, now: serving.start_service(hall, number, now))


@blueprint.post("/<int:number>/no-show")
@requires("clerk")
def mark_no_show(number: int):
    return _clerk_action(number, lambda hall, now: serving.mark_no_show(hall, number, now))


@blueprint.post("/<int:number>/call")
@requires("clerk")
def call_ticket(number: int):
    payload = Payload.from_request()
    ticket = payload.text("number")
    payload.done()
    return act_at_window(number, lambda hall, now: serving.call_ticket(
        hall, number, ticket, now))


@blueprint.post("/<int:number>/finish")
@requires("clerk")
def finish_service(number: int):
    payload = Payload.from_request()
    case = None
    if payload.flag("open_case"):
        case = CaseRequest(missing_materials=tuple(payload.texts("missing_materials")),
                           supply_by=payload.day("supply_by"))
    payload.done()
    return act_at_window(number, lambda hall, now: serving.finish_service(
        hall, number, now, case))


@blueprint.post("/<int:number>/transfer")
@requires("clerk")
def transfer(number: int):
    payload = Payload.from_request()
    request = serving.TransferRequest(
        note=payload.text("note"), to_pool=payload.text("to_pool", required=False),
        to_window=payload.integer("to_window", required=False),
        subject=payload.text("subject", required=False))
    payload.done()
    return act_at_window(number, lambda hall, now: serving.transfer(
        hall, number, request, now))


@blueprint.post("/<int:number>/park")
@requires("clerk")
def park(number: int):
    payload = Payload.from_request()
    note = payload.text("note", required=False)
    payload.done()
    return act_at_window(number, lambda hall, now: serving.park(hall, number, note, now))


@blueprint.post("/<int:number>/resume-ticket")
@requires("clerk")
def resume_ticket(number: int):
    payload = Payload.from_request()
    ticket = payload.text("number")
    payload.done()
    return act_at_window(number, lambda hall, now: serving.resume_ticket(
        hall, number, ticket, now))


@blueprint.post("/<int:number>/call-case")
@requires("clerk")
def call_case(number: int):
    payload = Payload.from_request()
    case_number = payload.text("case_number")
    payload.done()
    token = service().new_phone_token()
    return act_at_window(number, lambda hall, now: serving.call_case(
        hall, number, case_number, token, now))
