"""Window routes: staffing, opening, and every clerk action at a window."""
from __future__ import annotations

from flask import Blueprint, g

from core import calling, window_admin
from core.casework import CaseRequest
from core.pickup import call_case
from server.auth import requires
from server.payloads import Payload
from server.views.common import act_at_window, service

blueprint = Blueprint("windows", __name__, url_prefix="/api/windows")


@blueprint.get("")
@requires("kiosk", "clerk", "manager", "display")
def list_windows():
    windows = service().read(lambda hall, now: [w.public() for w in hall.windows.values()])
    return {"windows": windows}


@blueprint.post("/<int:number>/login")
@requires("clerk")
def log_in(number: int):
    Payload.from_request().done()
    principal = g.principal
    return act_at_window(number, lambda hall, now: window_admin.log_in(
        hall, number, principal.name, principal.display_name), check_clerk=False)


@blueprint.post("/<int:number>/logout")
@requires("clerk", "manager")
def log_out(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: window_admin.log_out(hall, number))


@blueprint.post("/<int:number>/open")
@requires("clerk", "manager")
def open_window(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: window_admin.open_window(
        hall, number))


@blueprint.post("/<int:number>/close")
@requires("clerk", "manager")
def close_window(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: window_admin.close(hall, number))


@blueprint.post("/<int:number>/pause")
@requires("clerk", "manager")
def pause(number: int):
    payload = Payload.from_request()
    reason = payload.text("reason")
    payload.done()
    return act_at_window(number, lambda hall, now: window_admin.pause(
        hall, number, reason))


@blueprint.post("/<int:number>/resume")
@requires("clerk", "manager")
def resume_window(number: int):
    Payload.from_request().done()
    return act_at_window(number, lambda hall, now: window_admin.resume_window(
        hall, number))


@blueprint.post("/<int:number>/move")
@requires("manager")
def move(number: int):
    payload = Payload.from_request()
    pool = payload.text("pool")
    payload.done()
    return act_at_window(number, lambda hall, now: window_admin.move_to_pool(hall, number, pool),
                         check_clerk=False)


def _clerk_action(number: int, action):
    Payload.from_request().done()
    return act_at_window(number, action)


@blueprint.post("/<int:number>/call-next")
@requires("clerk")
def call_next(number: int):
    return _clerk_action(number, lambda hall, now: calling.call_next(hall, number, now))


@blueprint.post("/<int:number>/recall")
@requires("clerk")
def recall(number: int):
    return _clerk_action(number, lambda hall, now: calling.recall(hall, number, now))


@blueprint.post("/<int:number>/start")
@requires("clerk")
def start(number: int):
    return _clerk_action(number, lambda hall, now: calling.start_service(hall, number, now))


@blueprint.post("/<int:number>/no-show")
@requires("clerk")
def no_show(number: int):
    return _clerk_action(number, lambda hall, now: calling.mark_no_show(hall, number, now))


@blueprint.post("/<int:number>/call")
@requires("clerk")
def call_ticket(number: int):
    payload = Payload.from_request()
    ticket = payload.text("number")
    payload.done()
    return act_at_window(number, lambda hall, now: calling.call_ticket(
        hall, number, ticket, now))


@blueprint.post("/<int:number>/finish")
@requires("clerk")
def finish(number: int):
    payload = Payload.from_request()
    case = None
    if payload.flag("open_case"):
        case = CaseRequest(missing_materials=tuple(payload.texts("missing_materials")),
                           supply_by=payload.day("supply_by"))
    payload.done()
    return act_at_window(number, lambda hall, now: calling.finish_service(
        hall, number, now, case))


@blueprint.post("/<int:number>/transfer")
@requires("clerk")
def transfer(number: int):
    payload = Payload.from_request()
    request = calling.TransferRequest(
        note=payload.text("note"), to_pool=payload.text("to_pool", required=False),
        to_window=payload.integer("to_window", required=False),
        subject=payload.text("subject", required=False))
    payload.done()
    return act_at_window(number, lambda hall, now: calling.transfer(
        hall, number, request, now))


@blueprint.post("/<int:number>/park")
@requires("clerk")
def park(number: int):
    payload = Payload.from_request()
    note = payload.text("note", required=False)
    payload.done()
    return act_at_window(number, lambda hall, now: calling.park(
        hall, number, note, now))


@blueprint.post("/<int:number>/resume-ticket")
@requires("clerk")
def resume_ticket(number: int):
    payload = Payload.from_request()
    ticket = payload.text("number")
    payload.done()
    return act_at_window(number, lambda hall, now: calling.resume(
        hall, number, ticket, now))


@blueprint.post("/<int:number>/call-case")
@requires("clerk")
def call_by_case(number: int):
    payload = Payload.from_request()
    case_number = payload.text("case_number")
    payload.done()
    token = service().new_phone_token()
    return act_at_window(number, lambda hall, now: call_case(
        hall, number, case_number, token, now))
