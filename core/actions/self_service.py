"""自助办理: a citizen submits a self-service form at a kiosk and a case opens.

No ticket and no window: the case goes straight to the back office (in review),
promised by the matter's time limit in the hall's working days (holidays and 调休
count as at a window: `core.opening.working_days_after`). The hall
keeps only what the case needs: the checked values with every ID number masked
(`core.forms.stored_values`), a keyed digest of the card (made by the server, who
holds the key) and whether a reader read it. Never an ID number in clear.

`case_progress` is the kiosk's 办件查询: a case by its number, with no personal data.
"""
from __future__ import annotations

import json
from datetime import datetime

from core.actions.back_office import case_parts
from core.cases import Case, CaseStatus
from core.errors import NotFound
from core.events import CaseOpened, Event
from core.forms import stored_values, validate
from core.hall import Hall
from core.opening import working_days_after
from core.settings.forms import Form

TABLE = "self_service"


def submit_self_service(hall: Hall, form: Form, values: dict, id_card_hash: str,
                        now: datetime, kiosk: str = "",
                        id_card_read: bool = False) -> list[Event]:
    """Check the form's values (`core.forms.validate`: Invalid `form_field_invalid`
    before anything changes) and open a case for the form's matter."""
    if not hall.settings.has("matter", form.matter):
        raise NotFound(f"form {form.code} is for matter {form.matter}, which this hall "
                       "does not have", form=form.code, code="unknown_form")
    checked = validate(form, values, now.date())
    matter = hall.settings.subject(form.matter)
    hall.case_counter += 1
    number = f"{hall.settings.code}{now:%Y%m%d}-{hall.case_counter:04d}"
    case = Case(number=number, ticket_id="", subject=form.matter, window=0, clerk="",
                opened_at=now,
                due_date=working_days_after(hall.settings, now.date(),
                                            matter.time_limit_days),
                parts=case_parts(hall.settings, form.matter))
    hall.cases[number] = case
    hall.touch(case)
    hall.record_row(TABLE, number, {
        "case_number": number, "form": form.code, "kiosk": kiosk,
        "submitted_at": now.isoformat(),
        "fields": json.dumps(stored_values(form, checked), ensure_ascii=False),
        "id_card_hash": id_card_hash, "id_card_read": int(bool(id_card_read))})
    return [CaseOpened(case_number=number, ticket_number="", subject=form.matter, window=0,
                       missing_materials=(), supply_by=None,
                       due_date=case.due_date.isoformat(), form=form.code)]


def case_progress(hall: Hall, case_number: str) -> dict:
    """办件查询 by case number: where the case stands, with no personal data (no clerk,
    no window, no form values). NotFound `unknown_case` once it is picked up."""
    case = hall.case(case_number)
    subject = hall.settings.subject(case.subject) if hall.settings.has(
        "subject", case.subject) else None
    return {
        "number": case.number,
        "status": case.status.value,
        "subject": case.subject,
        "subject_name": subject.name if subject else case.subject,
        "subject_name_en": subject.name_en if subject else case.subject,
        "opened_on": case.opened_at.date().isoformat(),
        "due_date": case.due_date.isoformat(),
        "missing_materials": list(case.missing_materials),
        "supply_by": case.supply_by.isoformat() if case.supply_by else None,
        "ready_for_pickup": case.status is CaseStatus.READY,
    }
