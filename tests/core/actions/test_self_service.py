"""自助办理: a submitted form opens a case with no ticket; 办件查询 shows no personal data."""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.actions.cases import approve_case
from core.actions.self_service import case_progress, submit_self_service
from core.errors import Invalid
from core.settings.forms import find_form
from tests.core.actions.helpers import NOW, at

CARD = "610503198001011235"
FILLED = {"holder_name": "张三", "id_number": CARD, "filing_kind": "temporary",
          "destination": "北京市", "start_date": "2026-12-01", "phone": "138 0013 8000"}


@pytest.fixture
def form(hall):
    return find_form(hall.settings.forms, "medical-filing")


def test_a_form_opens_a_case_for_its_matter_without_a_ticket(hall, form):
    events = submit_self_service(hall, form, FILLED, "digest-1", NOW, "kiosk-1", True)
    assert [e.type for e in events] == ["CaseOpened"]
    opened = events[0]
    assert opened.form == "medical-filing" and opened.ticket_number == "" and opened.window == 0
    case = hall.cases[opened.case_number]
    assert case.number == "WH20261123-0001" and case.subject == "YB-0604"
    assert case.status.value == "in_review" and case.ticket_id == ""
    assert case.due_date == date(2026, 11, 23)          # YB-0604 is promised the same day
    changes = hall.take_changes()
    assert set(changes.cases) == {case.number}
    row = changes.rows[("self_service", case.number)]
    assert row["form"] == "medical-filing" and row["kiosk"] == "kiosk-1"
    assert row["id_card_hash"] == "digest-1" and row["id_card_read"] == 1
    kept = json.loads(row["fields"])
    assert kept["id_number"] == "6105**********1235" and kept["phone"] == "13800138000"
    assert CARD not in json.dumps(row, ensure_ascii=False)


def test_the_promised_date_follows_the_matter_s_time_limit(hall):
    form = find_form(hall.settings.forms, "fund-withdrawal-check")
    filled = {"holder_name": "李四", "id_number": CARD, "fund_account": "12345678",
              "contract_number": "XA-2026-001", "bank_card": "6222020200112233",
              "phone": "029-88886666"}
    friday = at(days=4)
    case_number = submit_self_service(hall, form, filled, "", friday)[0].case_number
    assert hall.cases[case_number].due_date == date(2026, 12, 2)   # 3 working days later
    before_national_day = at(days=-54)                              # Wednesday 30 September
    case_number = submit_self_service(hall, form, filled, "", before_national_day)[0] \
        .case_number
    # 1-7 October are holidays, Saturday 10 October is worked (调休)
    assert hall.cases[case_number].due_date == date(2026, 10, 10)


def test_a_bad_field_is_refused_before_anything_changes(hall, form):
    with pytest.raises(Invalid) as refused:
        submit_self_service(hall, form, FILLED | {"phone": "12345"}, "", NOW)
    assert refused.value.code == "form_field_invalid"
    assert refused.value.details["field"] == "phone"
    assert refused.value.details["reason_code"] == "not_a_phone"
    assert not hall.changes and not hall.cases and hall.case_counter == 0


def test_case_numbers_are_shared_with_cases_opened_at_windows(hall, form):
    first = submit_self_service(hall, form, FILLED, "", NOW)[0].case_number
    second = submit_self_service(hall, form, FILLED, "", at(minutes=1))[0].case_number
    assert (first, second) == ("WH20261123-0001", "WH20261123-0002")


def test_case_progress_says_where_a_case_stands_and_nothing_personal(hall, form):
    case_number = submit_self_service(hall, form, FILLED, "digest", NOW, "kiosk-1")[0] \
        .case_number
    progress = case_progress(hall, case_number.lower())
    assert progress == {
        "number": case_number, "status": "in_review", "subject": "YB-0604",
        "subject_name": "异地就医备案",
        "subject_name_en": "Filing for medical treatment in another city",
        "opened_on": "2026-11-23", "due_date": "2026-11-23", "missing_materials": [],
        "supply_by": None, "ready_for_pickup": False}
    approve_case(hall, case_number, at(hours=2))
    assert case_progress(hall, case_number)["ready_for_pickup"] is True
    shown = json.dumps(progress, ensure_ascii=False)
    assert "张三" not in shown and "kiosk-1" not in shown and "1235" not in shown
