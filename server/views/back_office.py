"""The back office (审批): cases in review for a department, one case opened, a part
approved or returned for correction (补正); the correction brought back at the front
desk; the back office's web page (/office).

A back_office person decides the parts of their own department (their `department` in
the people table, which must be one of the hall's [[departments]]); a manager decides
any part. A hall that lists no departments lets its back office decide every part.
docs/cases.md has the rules (并联审批, 补正期间不计入承诺时限).
"""
from __future__ import annotations

import secrets

from flask import Blueprint, g, make_response, render_template

from core.actions import back_office as decisions
from core.actions.back_office import case_detail, case_summary, office_cases
from core.actions.cases import received_materials
from core.cases import CaseStatus
from core.errors import Forbidden
from server.auth import public, requires
from server.payloads import Values, accepts, flag, text
from server.security import content_security_policy
from server.sessions import find_person
from server.views.common import CASE_NUMBER, NOTE, act, events_json, service, settings
from server.web.back_office import office_refusals, office_texts
from server.web.texts import language_of

blueprint = Blueprint("back_office", __name__)

MATTER = text("matter", 32, doc="a matter code: one part of the case", example="SS-0101")
RETURN_REASON = text("reason", 200, doc="what the citizen must correct or bring (补正)",
                     example="股东会决议缺少全体股东签字")
LANGUAGE = text("lang", 2, required=False, choices=["zh", "en"],
                doc="the language of names (zh)")
STATUS = text("status", 16, required=False, choices=[s.value for s in CaseStatus],
              doc="only cases of this status")


def deciding_department() -> str | None:
    """The department whose parts the caller decides; None: every part (a manager, or any
    back-office person of a hall without departments). 403 `department_unknown` for a
    back-office person whose department the hall does not list."""
    principal = g.principal
    if principal.role == "manager" or not settings().departments:
        return None
    person = service().with_people(lambda conn, now: find_person(conn, principal.name))
    department = person.department if person else ""
    if settings().department(department) is None:
        raise Forbidden(f"department {department!r} is not one of the hall's departments",
                        code="department_unknown", department=department)
    return department


@blueprint.get("/api/office/cases")
@requires("back_office", "manager")
@accepts(query=[STATUS, text("matter", 32, required=False, doc="only cases with this "
                             "matter (a part's, or the case's own subject)"),
                flag("overdue", doc="1: only overdue cases (past the promised date, or 容缺 "
                                    "materials past their date)"), LANGUAGE])
def office_list(query: Values):
    department = deciding_department()
    language = language_of(query["lang"] or "")

    def pick(hall, now):
        cases = office_cases(hall, department, now.date(), query["status"] or "",
                             query["matter"] or "", bool(query["overdue"]))
        return [case_summary(hall.settings, c, now.date(), language) for c in cases]
    found = settings().department(department) if department else None
    return {"department": department, "department_name": found.label(language) if found else "",
            "cases": service().read(pick)}


@blueprint.get("/api/office/cases/<case_number>")
@requires("back_office", "manager")
@accepts(path=[CASE_NUMBER], query=[LANGUAGE])
def office_case(case_number: str, query: Values):
    department = deciding_department()
    language = language_of(query["lang"] or "")

    def look(hall, now):
        case = hall.case(case_number)
        if department is not None and not any(p.department == department for p in case.parts):
            raise Forbidden(f"no part of case {case.number} is decided by {department!r}",
                            code="case_other_department")
        return case_detail(hall.settings, case, now.date(),
                           received_materials(hall.settings, case, language), language)
    return {"case": service().read(look)}


@blueprint.post("/api/office/cases/<case_number>/parts/<matter>/approve")
@requires("back_office", "manager")
@accepts(body=[], path=[CASE_NUMBER, MATTER])
def approve_part(case_number: str, matter: str, body: Values):
    """Approve one part (its department's person, or a manager); the case is ready for
    pickup once every part is approved (`CaseApproved` then follows)."""
    department, by = deciding_department(), g.principal.name
    stored = act(lambda hall, now: decisions.approve_part(hall, case_number, matter, by,
                                                     department, now))
    return {"events": events_json(stored)}


@blueprint.post("/api/office/cases/<case_number>/parts/<matter>/return")
@requires("back_office", "manager")
@accepts(body=[RETURN_REASON], path=[CASE_NUMBER, MATTER])
def return_part(case_number: str, matter: str, body: Values):
    """补正: return one part to the citizen with the reason; the clock stops."""
    department, by, reason = deciding_department(), g.principal.name, body["reason"]
    stored = act(lambda hall, now: decisions.return_part(hall, case_number, matter, reason, by,
                                                    department, now))
    return {"events": events_json(stored)}


@blueprint.post("/api/cases/<case_number>/parts/<matter>/resubmit")
@requires("clerk", "manager")
@accepts(body=[NOTE], path=[CASE_NUMBER, MATTER])
def resubmit_part(case_number: str, matter: str, body: Values):
    """The citizen brought the correction to the front desk: the part is in review again
    and, when no part is left returned, the promised date moves."""
    by, note = g.principal.name, body["note"] or ""
    stored = act(lambda hall, now: decisions.resubmit_part(hall, case_number, matter, note, by,
                                                      now))
    return {"events": events_json(stored)}


@blueprint.get("/office")
@public
@accepts(query=[LANGUAGE], media_type="text/html", ignore_unknown_query=True)
def office_page(query: Values):
    """The back office's page: log in, the department's cases, approve or return."""
    nonce = secrets.token_urlsafe(16)
    language = language_of(query["lang"] or "")
    page = make_response(render_template(
        "back_office.html", hall=settings().name_en if language == "en" else settings().name,
        nonce=nonce, language=language,
        texts=office_texts(language), refusals=office_refusals(language)))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    page.headers["Cache-Control"] = "no-store"
    return page
