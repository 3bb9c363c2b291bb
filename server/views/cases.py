"""Case routes (受审分离): the back office approves, the front desk records materials."""
from __future__ import annotations

from flask import Blueprint

from core.actions.cases import approve_case, overdue_cases, supply_materials
from core.cases import CaseStatus
from server.auth import requires
from server.payloads import Values, accepts, flag, text, texts
from server.views.common import CASE_NUMBER, MATERIALS, act, events_json, service

blueprint = Blueprint("cases", __name__, url_prefix="/api/cases")


@blueprint.get("")
@requires("clerk", "manager")
@accepts(query=[text("status", 16, required=False, choices=[s.value for s in CaseStatus]),
                flag("overdue", doc="1: only cases whose materials are past their date")])
def list_cases(query: Values):
    status, overdue = query["status"], query["overdue"]

    def pick(hall, now):
        cases = overdue_cases(hall, now.date()) if overdue else hall.cases.values()
        return [c.public() for c in cases if not status or c.status.value == status]
    return {"cases": service().read(pick)}


@blueprint.get("/<case_number>")
@requires("kiosk", "clerk", "manager")
@accepts(path=[CASE_NUMBER])
def get_case(case_number: str):
    return {"case": service().read(lambda hall, now: hall.case(case_number).public())}


@blueprint.post("/<case_number>/approve")
@requires("manager")
@accepts(body=[], path=[CASE_NUMBER])
def approve(case_number: str, body: Values):
    stored = act(lambda hall, now: approve_case(hall, case_number, now))
    return {"events": events_json(stored)}


@blueprint.post("/<case_number>/supply")
@requires("clerk", "manager")
@accepts(body=[texts("materials", *MATERIALS, required=True, doc="the materials brought",
                     example=["公司章程"])],
         path=[CASE_NUMBER])
def supply(case_number: str, body: Values):
    materials = body["materials"]
    stored = act(lambda hall, now: supply_materials(hall, case_number, materials, now))
    return {"events": events_json(stored)}
