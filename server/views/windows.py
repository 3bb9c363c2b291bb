"""Window routes: staffing a window, and every clerk action at it.

One vocabulary: each view is named after the core action it runs
(`core.actions.staffing` or `core.actions.serving`), and `server.client.HallClient`
has a method of the same name; the URL is the action's short name (see the table
in docs/api.md; a test keeps the three in step).
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from core.actions import serving, staffing
from core.actions.cases import CaseRequest, acceptance_slip
from core.errors import Invalid
from core.settings.values import parse_time
from server.auth import requires
from server.payloads import Values, accepts, day, flag, integer, like, text, texts
from server.views.common import (
    CASE_NUMBER,
    MATERIALS,
    NOTE,
    POOL,
    REASON,
    SUBJECT,
    TICKET_NUMBER,
    act,
    act_at_window,
    at_window,
    events_json,
    service,
    settings,
    window_picture,
)

blueprint = Blueprint("windows", __name__, url_prefix="/api/windows")


@blueprint.get("")
@requires("kiosk", "clerk", "manager", "display", "keypad")
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
@requires("clerk", "manager", "keypad")
@accepts(body=[like(REASON, required=True, doc="why, shown on the window's screen",
                    example="午休")])
def pause_window(number: int, body: Values):
    reason = body["reason"]
    return act_at_window(number, lambda hall, now: staffing.pause_window(hall, number, reason,
                                                                         now))


@blueprint.post("/<int:number>/resume")
@requires("clerk", "manager", "keypad")
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


@blueprint.post("/<int:number>/help")
@requires("manager")
@accepts(body=[like(POOL, doc="the pool the window also serves, keeping its own"),
               text("until", 5, required=False, doc="HH:MM it stops helping; absent: "
                                                    "the rest of the day", example="11:30")])
def help_pool(number: int, body: Values):
    """协同: the window keeps its home pool and also serves another's line for a while."""
    pool, until, manager = body["pool"], _clock_seconds(body["until"]), g.principal.name
    return act_at_window(number, lambda hall, now: staffing.help_pool(
        hall, number, pool, until, now, by=manager), check_clerk=False)


@blueprint.post("/<int:number>/stop-helping")
@requires("manager")
@accepts(body=[like(POOL, doc="the pool it helps")])
def stop_helping(number: int, body: Values):
    pool, manager = body["pool"], g.principal.name
    return act_at_window(number, lambda hall, now: staffing.stop_helping(
        hall, number, pool, by=manager), check_clerk=False)


def _clock_seconds(value: str | None) -> float | None:
    if not value:
        return None
    minutes = parse_time(value)
    if minutes is None:
        raise Invalid(f"{value!r} is not a time of day: expected HH:MM", field="until")
    return minutes * 60.0


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
@requires("clerk", "keypad")
@accepts(body=[])
def call_next(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.call_next(hall, number, now))


@blueprint.post("/<int:number>/recall")
@requires("clerk", "keypad")
@accepts(body=[])
def recall(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.recall(hall, number, now))


@blueprint.post("/<int:number>/start")
@requires("clerk", "keypad")
@accepts(body=[])
def start_service(number: int, body: Values):
    return _clerk_action(number, lambda hall, now: serving.start_service(hall, number, now))


@blueprint.post("/<int:number>/no-show")
@requires("clerk", "keypad")
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
@requires("clerk", "keypad")
@accepts(body=[flag("open_case", doc="kept for old callers: the matter's opens_case decides "
                                     "(true for a matter that opens no case is refused)"),
               texts("missing_materials", *MATERIALS, doc="容缺: accepted while missing",
                     example=["公司章程"]),
               day("supply_by", doc="when the missing materials are due: a working day "
                                    "after today, not after the promised date",
                   example="2026-11-27")])
def finish_service(number: int, body: Values):
    """Finish; a case-opening matter opens its case (受审分离), answered with the case
    (its page token) and the acceptance slip (受理通知书) for the window's printer."""
    case = CaseRequest(missing_materials=tuple(body["missing_materials"]),
                       supply_by=body["supply_by"], requested=bool(body["open_case"]),
                       token=service().new_phone_token())
    clerk_name = g.principal.display_name
    if g.principal.role == "keypad":        # the keypad acts as the window's clerk
        clerk = service().read(lambda hall, now: hall.window(number).clerk)
        clerk_name = next((c.display_name for c in settings().credentials
                           if c.name == clerk and c.display_name), clerk)
    public_url = settings().server.public_url
    done: list = []

    def finish(hall, now):
        events = serving.finish_service(hall, number, now, case)
        done.extend(events)
        return events

    def picture(hall):
        window, ticket = window_picture(number)(hall)
        opened = next((e.case_number for e in done if e.type == "CaseOpened"), "")
        if not opened or opened not in hall.cases:
            return window, ticket, None, None
        accepted = hall.cases[opened]
        return (window, ticket, accepted.public(with_token=True),
                acceptance_slip(hall, accepted, public_url, clerk_name).to_dict())

    logged, (window, ticket, opened, slip) = act(at_window(number, finish), picture)
    return jsonify({"events": events_json(logged), "window": window, "ticket": ticket,
                    "case": opened, "slip": slip})


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
