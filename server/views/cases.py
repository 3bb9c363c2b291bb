"""Case routes (受审分离): the back office approves, the front desk records materials;
the acceptance slip to print again; the citizen's case page (/c/<token>) and its JSON.

The case page's token is made by the server when the case opens and kept with it; the
page never shows the ticket's phone token, and the 好差评 it offers is posted to
`/api/public/cases/<token>/rating`, which finds the ticket server-side.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, g, make_response, render_template

from core.actions.cases import (
    acceptance_slip,
    approve_case,
    case_status,
    overdue_cases,
    supply_materials,
)
from core.actions.ratings import submit_rating
from core.cases import Case, CaseStatus
from core.errors import NotFound
from core.hall import Hall
from core.tickets import TicketState
from server.auth import public, requires
from server.payloads import Values, accepts, flag, like, text, texts
from server.security import content_security_policy
from server.views.common import (
    CASE_NUMBER,
    LEVEL,
    MATERIALS,
    PAGE_LANGUAGE,
    PHONE_TOKEN,
    REASON,
    act,
    events_json,
    service,
    settings,
)
from server.web.case_page import case_texts
from server.web.phone import phone_refusals
from server.web.texts import language_of

blueprint = Blueprint("cases", __name__, url_prefix="/api/cases")
pages = Blueprint("case_pages", __name__)
CASE_TOKEN = like(PHONE_TOKEN, doc="the case page's token, from the acceptance slip's QR code")


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
    staff = g.principal.role in ("clerk", "manager")
    return {"case": service().read(lambda hall, now: hall.case(case_number).public(staff))}


@blueprint.get("/<case_number>/slip")
@requires("clerk", "manager")
@accepts(path=[CASE_NUMBER], query=[PAGE_LANGUAGE])
def get_slip(case_number: str, query: Values):
    """The acceptance slip (受理通知书) of an open case, to print it again."""
    language = language_of(query["lang"] or "")
    public_url = settings().server.public_url

    def slip(hall, now):
        return acceptance_slip(hall, hall.case(case_number), public_url, "",
                               language).to_dict()
    return {"slip": service().read(slip)}


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


# --- the citizen's case page -------------------------------------------------------------

def unknown_case() -> NotFound:
    return NotFound("this case link is unknown", code="case_link_unknown")


def _open_case(hall: Hall, token: str) -> Case | None:
    return next((c for c in hall.cases.values() if c.token == token), None)


def _rateable_ticket(hall: Hall, case: Case) -> str:
    """The case's ticket number if it is today's, finished and not rated yet, else ""."""
    day, _, number = case.ticket_id.partition("/")
    ticket = hall.tickets.get(number) if day == hall.service_day else None
    if ticket is None or ticket.state is not TicketState.FINISHED:
        return ""
    return "" if any(h.action == "rated" for h in ticket.history) else ticket.number


def public_case(token: str) -> dict:
    """The case page's JSON, from the live hall or (picked up) from the database."""
    def look(hall, now):
        case = _open_case(hall, token)
        return case and case_status(hall.settings, case, now.date(),
                                    bool(_rateable_ticket(hall, case)))
    found = service().read(look) if token else None
    if found:
        return found
    stored = service().stored_case(token) if token else None
    if stored is None:
        raise unknown_case()
    return service().read(lambda hall, now: case_status(
        hall.settings, stored, now.date(), bool(_rateable_ticket(hall, stored))))


@pages.get("/api/public/cases/<token>")
@public
@accepts(path=[CASE_TOKEN])
def case_page_status(token: str):
    return public_case(token)


@pages.post("/api/public/cases/<token>/rating")
@public
@accepts(body=[LEVEL, REASON], path=[CASE_TOKEN], status=201)
def rate_case(token: str, body: Values):
    """好差评 from the case page: the service that accepted the case."""
    level, reason = body["level"], body["reason"]

    case = service().read(lambda hall, now: _open_case(hall, token)) if token else None
    case = case or (service().stored_case(token) if token else None)
    if case is None:
        raise unknown_case()
    number = case.ticket_id          # "day/number": another day's ticket is refused, not
    #                                  mistaken for today's ticket of the same number
    stored = act(lambda hall, now: submit_rating(hall, number, level, reason, now))
    return {"events": events_json(stored)}, 201


@pages.get("/c/<token>")
@public
@accepts(path=[CASE_TOKEN], query=[PAGE_LANGUAGE], media_type="text/html",
         ignore_unknown_query=True)
def case_page(token: str, query: Values):
    nonce = secrets.token_urlsafe(16)
    language = language_of(query["lang"] or "")
    page = make_response(render_template(
        "case.html", token=token, hall=settings().name, nonce=nonce, language=language,
        texts=case_texts(language), refusals=phone_refusals(language)))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    return page
