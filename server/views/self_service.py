"""自助办理: self-service forms submitted at a kiosk open cases; 办件查询 by case number."""
from __future__ import annotations

from flask import Blueprint, g

from core.actions.self_service import case_progress, submit_self_service
from core.errors import NotFound
from core.forms import id_numbers, validate
from core.id_cards import read
from core.settings.forms import MAX_FIELDS, VALUE_LENGTH, find_form
from server.auth import requires
from server.payloads import Values, accepts, mapping, text
from server.views.common import (
    CASE_NUMBER,
    ID_CARD,
    ID_CARD_READ,
    act,
    events_json,
    service,
    settings,
)

blueprint = Blueprint("self_service", __name__, url_prefix="/api")

FORM = text("form", 32, doc="a self-service form's code ([[forms]])",
            example="medical-filing")
FIELDS = mapping("fields", VALUE_LENGTH, MAX_FIELDS, required=True,
                 doc="the form's field names and their values as typed or read from the "
                     "ID card; checked by core.forms.validate",
                 example={"phone": "13800138000"})


def _form(code: str):
    form = find_form(settings().forms, code)
    if form is None:
        raise NotFound(f"no self-service form {code!r} in this hall", form=code,
                       code="unknown_form")
    return form


@blueprint.get("/self-service")
@requires("kiosk", "manager")
@accepts()
def forms():
    """The hall's self-service forms, for a kiosk to draw and check them."""
    return {"forms": [form.to_dict() for form in settings().forms]}


@blueprint.post("/self-service/<form>")
@requires("kiosk")
@accepts(body=[FIELDS, ID_CARD, ID_CARD_READ], path=[FORM], status=201)
def submit_form(form: str, body: Values):
    """A citizen submits a form: a case opens for its matter (no ticket, no window)."""
    spec = _form(form)
    today = service().clock().date()
    checked = validate(spec, body["fields"], today)     # 422 form_field_invalid, nothing kept
    card = body["id_card"]
    number = read(card, today).number if card else next(iter(id_numbers(spec, checked)), "")
    digest = service().case_id_card_digest(number) if number else ""
    kiosk, card_read = g.principal.name, bool(card and body["id_card_read"])
    made: list[str] = []

    def action(hall, now):
        events = submit_self_service(hall, spec, checked, digest, now, kiosk, card_read)
        made.append(events[0].case_number)
        return events
    logged, case = act(action, lambda hall: hall.case(made[-1]).public())
    return {"case": case, "events": events_json(logged)}, 201


@blueprint.get("/cases/<case_number>/progress")
@requires("kiosk", "clerk", "manager")
@accepts(path=[CASE_NUMBER])
def progress(case_number: str):
    """办件查询: where a case stands, with no personal data (a kiosk is a public place)."""
    return {"progress": service().read(lambda hall, now: case_progress(hall, case_number))}
