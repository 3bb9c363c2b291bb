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
from core.errors import Invalid
from server.auth import requires
from server.payloads import Values, accepts, day, flag, integer, like, texts
from server.views.common import (
    CASE_NUMBER,
    MATERIALS,
    NOTE,
    POOL,
    REASON,
    SUBJECT,
    TICKET_NUMBER,
    act_at_window,
    service,
)

blueprint = Blueprint("windows", __name__, url_prefix="/api/windows")


@blueprint.get("")
@requires("kiosk", "clerk", "manager", "display")
@accepts()
def list_windows():
    windows = service().read(lambda hall, now: [w.public() for w in hall.windows.values()])
    return {"windows": windows}


# --- staffing -------------------------------------------------------------------------

@blueprint.post("/<int:number>/login")
@requires("clerk")
@accepts(body=[])
def log_in(number: int, body: Values):
    principal = g.principal
    return act_at_window(number, lambda hall, now: staffing.log_in(
        hall, number, principal.name, principal.display_name), check_clerk=False)


@blueprint.post("/<int:number>/logout")
@requires("clerk", "manager")
@accepts(body=[])
def log_out(number: int, body: Values):
    return act_at_window(number, lambda hall, now: staffing.log_out(hall, number))


@blueprint.post("/<int:number>/open")
@requires("clerk", "manager")
@accepts(body=[])
def open_window(number: int, body: Values):
    return act_at_window(number, lambda hall, now: staffing.open_window(hall, number))


@blueprint.post("/<int:number>/close")
@requires("clerk", "manager")
@accepts(body=[])
def close_window(number: int, body: Values):
    return act_at_window(number, lambda hall, now: staffing.close_window(hall, number))


@blueprint.post("/<int:number>/pause")
@requires("clerk", "manager")
@accepts(body=[like(REASON, required=True, doc="why, shown on the window's screen",
                    example="午休")])
def pause_window(number: int, body: Values):
    reason = body["reason"]
    return act_at_window(number, lambda hall, now: staffing.pause_window(hall, number, reason))


@blueprint.post("/<int:number>/resume")
@requires("clerk", "manager")
@accepts(body=[])
def resume_window(number: int, body: Values):
    return act_at_window(number, lambda hall, now: staffing.resume_window(hall, number))


@blueprint.post("/<int:number>/move")
@requires("manager")
@accepts(body=[POOL])
def move_window(number: int, body: Values):
    pool = body["pool"]
    return act_at_window(number, lambda hall, now: staffing.move_window(hall, number, pool),
                         check_clerk=False)


@blueprint.post("/<int:number>/release")
@requires("manager")
@accepts(body=[])
def release_window(number: int, body: Values):
    """The clerk left with tickets at the window: they wait again in their places."""
    manager = g.principal.name
    return act_at_window(number, lambda hall, now: staffing.release_window(
        hall, number, manager, now), check_clerk=False)


# --- serving --------------------------------------------------------------------------

def _clerk_action(number: int, action):
    return act_at_window(number, action)


@blueprint.post("/<int:number>/call-next")
@requires("clerk")
@accepts(body=[])
def call_next(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.call_next(hall, number, now))


@blueprint.post("/<int:number>/recall")
@requires("clerk")
@accepts(body=[])
def recall(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.recall(hall, number, now))


@blueprint.post("/<int:number>/start")
@requires("clerk")
@accepts(body=[])
def start_service(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.start_service(hall, number, now))


@blueprint.post("/<int:number>/no-show")
@requires("clerk")
@accepts(body=[])
def mark_no_show(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.mark_no_show(hall, number, now))


@blueprint.post("/<int:number>/call")
@requires("clerk")
@accepts(body=[TICKET_NUMBER])
def call_ticket(number: int, body: Values):
    ticket = body["number"]
    return act_at_window(number, lambda hall, now: serving.call_ticket(
        hall, number, ticket, now))


@blueprint.post("/<int:number>/finish")
@requires("clerk")
@accepts(body=[flag("open_case", doc="open a case (受审分离)"),
               texts("missing_materials", *MATERIALS, doc="容缺: accepted while missing",
                     example=["公司章程"]),
               day("supply_by", doc="when the missing materials are due",
                   example="2026-11-27")])
def finish_service(number: int, body: Values):
    case = None
    if body["open_case"]:
        case = CaseRequest(missing_materials=tuple(body["missing_materials"]),
                           supply_by=body["supply_by"])
    else:
        given = [name for name in ("missing_materials", "supply_by") if body[name]]
        if given:
            raise Invalid(f"field '{given[0]}' applies only with open_case: true",
                          field=given[0])
    return act_at_window(number, lambda hall, now: serving.finish_service(
        hall, number, now, case))


@blueprint.post("/<int:number>/transfer")
@requires("clerk")
@accepts(body=[like(NOTE, required=True),
               like(POOL, name="to_pool", required=False),
               integer("to_window", required=False, doc="a window number", example=2),
               like(SUBJECT, required=False, doc="the matter it really is")])
def transfer(number: int, body: Values):
    request = serving.TransferRequest(
        note=body["note"], to_pool=body["to_pool"], to_window=body["to_window"],
        subject=body["subject"])
    return act_at_window(number, lambda hall, now: serving.transfer(
        hall, number, request, now))


@blueprint.post("/<int:number>/park")
@requires("clerk")
@accepts(body=[NOTE])
def park(number: int, body: Values):
    note = body["note"]
    return act_at_window(number, lambda hall, now: serving.park(hall, number, note, now))


@blueprint.post("/<int:number>/resume-ticket")
@requires("clerk")
@accepts(body=[TICKET_NUMBER])
def resume_ticket(number: int, body: Values):
    ticket = body["number"]
    return act_at_window(number, lambda hall, now: serving.resume_ticket(
        hall, number, ticket, now))


@blueprint.post("/<int:number>/call-case")
@requires("clerk")
@accepts(body=[CASE_NUMBER])
def call_case(number: int, body: Values):
    case_number = body["case_number"]
    token = service().new_phone_token()
    return act_at_window(number, lambda hall, now: serving.call_case(
        hall, number, case_number, token, now))
