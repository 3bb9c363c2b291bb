"""Case routes (受审分离): the back office approves, the front desk records materials."""
from __future__ import annotations

from flask import Blueprint, request

from core.actions.cases import approve_case, overdue_cases, supply_materials
from server.auth import requires
from server.payloads import Payload
from server.views.common import events_json, service

blueprint = Blueprint("cases", __name__, url_prefix="/api/cases")


@blueprint.get("")
@requires("clerk", "manager")
def list_cases():
    status = request.args.get("status", "")
    overdue = request.args.get("overdue") == "1"

    def pick(hall, now):
        cases = overdue_cases(hall, now.date()) if overdue else hall.cases.values()
        return [c.public() for c in cases if not status or c.status.value == status]
    return {"cases": service().read(pick)}


@blueprint.get("/<case_number>")
@requires("kiosk", "clerk", "manager")
def get_case(case_number: str):
    return {"case": service().read(lambda hall, now: hall.case(case_number).public())}


@blueprint.post("/<case_number>/approve")
@requires("manager")
def approve(case_number: str):
    Payload.from_request().done()
    stored = service().act(lambda hall, now: approve_case(hall, case_number, now))
    return {"events": events_json(stored)}


@blueprint.post("/<case_number>/supply")
@requires("clerk", "manager")
def supply(case_number: str):
    payload = Payload.from_request()
    materials = payload.texts("materials", required=True)
    payload.done()
    stored = service().act(lambda hall, now: supply_materials(hall, case_number, materials, now))
    return {"events": events_json(stored)}
