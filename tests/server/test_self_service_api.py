"""自助办理 over HTTP: a form opens a case, a bad field is a 422 that keeps nothing,
the ID number never reaches the database in clear, and 办件查询 shows nothing personal."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.cases import CaseInfo
from core.forms import validate
from server.client import ApiError, CaseProgress, HallClient
from tests.conftest import TOKENS
from tests.server.test_bad_input import fingerprint

CARD = "610503198001011235"
FULL_WIDTH = "６１０５０３１９８００１０１１２３５"
FIELDS = {"holder_name": "张三", "id_number": CARD, "filing_kind": "temporary",
          "destination": "北京市", "start_date": "2026-12-01", "phone": "13800138000"}
PATH = "/api/self-service/medical-filing"


def _post_once(api, body: dict, key: str):
    """POST the form with an Idempotency-Key."""
    return api.client.post(PATH, json=body, headers={
        "Authorization": f"Bearer {api.token}", "Idempotency-Key": key})


def test_a_form_opens_a_case_and_its_progress_is_shown_to_a_kiosk(api):
    answer = api.post(PATH, json={"fields": FIELDS, "id_card": CARD, "id_card_read": True})
    assert answer.status_code == 201, answer.json
    case = answer.json["case"]
    assert (case["number"], case["subject"], case["status"], case["window"]) == (
        "WH20261123-0001", "YB-0604", "in_review", 0)
    assert case["due_date"] == "2026-11-23"
    assert answer.json["events"][0]["data"]["form"] == "medical-filing"
    progress = api.get(f"/api/cases/{case['number']}/progress")
    assert progress.status_code == 200
    shown = progress.json["progress"]
    assert shown["subject_name"] == "异地就医备案" and shown["ready_for_pickup"] is False
    assert not {"window", "clerk", "fields"} & set(shown)
    assert "张三" not in progress.get_data(as_text=True)
    assert api.as_(TOKENS["display"]).get(
        f"/api/cases/{case['number']}/progress").status_code == 403


@pytest.mark.parametrize("bad, field, reason", [
    ({"phone": "12345"}, "phone", "not_a_phone"),
    ({"filing_kind": "forever"}, "filing_kind", "not_a_choice"),
    ({"id_number": CARD[:-1] + "4"}, "id_number", "id_number_invalid"),
    ({"start_date": "明天"}, "start_date", "not_a_date"),
    ({"destination": "京"}, "destination", "too_short"),
])
def test_a_bad_field_is_a_422_naming_it_and_nothing_is_kept(api, db_path, bad, field, reason):
    before = fingerprint(db_path)
    refused = api.post(PATH, json={"fields": FIELDS | bad})
    assert refused.status_code == 422
    body = refused.json
    assert body["code"] == "form_field_invalid"
    assert body["details"]["field"] == field and body["details"]["reason_code"] == reason
    assert body["details"]["label"]
    assert fingerprint(db_path) == before


def test_a_missing_field_an_unknown_one_and_an_unknown_form(api, db_path):
    before = fingerprint(db_path)
    missing = api.post(PATH, json={"fields": {k: v for k, v in FIELDS.items()
                                              if k != "phone"}})
    assert missing.json["details"]["reason_code"] == "required"
    unknown = api.post(PATH, json={"fields": FIELDS | {"salary": "100"}})
    assert unknown.status_code == 422 and unknown.json["code"] == "form_field_unknown"
    nowhere = api.post("/api/self-service/no-such-form", json={"fields": FIELDS})
    assert nowhere.status_code == 404 and nowhere.json["code"] == "unknown_form"
    not_texts = api.post(PATH, json={"fields": FIELDS | {"phone": 13800138000}})
    assert not_texts.status_code == 422 and not_texts.json["details"]["field"] == "fields"
    too_many = api.post(PATH, json={"fields": {f"f{i}": "x" for i in range(41)}})
    assert too_many.status_code == 422 and too_many.json["details"]["max_items"] == 40
    assert fingerprint(db_path) == before


def test_only_a_kiosk_submits_forms(api):
    for role in ("manager", "clerk", "display", "helper"):
        assert api.as_(TOKENS[role]).post(PATH, json={"fields": FIELDS}).status_code == 403


def _database_bytes(db_path: str) -> bytes:
    return b"".join(p.read_bytes() for p in Path(db_path).parent.glob(Path(db_path).name + "*"))


def test_the_database_never_holds_the_id_number_in_clear(api, db_path):
    for n, typed in enumerate((CARD, FULL_WIDTH)):
        answer = _post_once(api, {"fields": FIELDS | {"id_number": typed},
                                  "id_card": typed, "id_card_read": True}, f"key-{n}")
        assert answer.status_code == 201
    pension = {"holder_name": "张三", "id_number": CARD, "sex": "男", "born": "1980-01-01",
               "address": "华州区某街1号", "contribution_grade": "500",
               "phone": "13800138000"}
    assert api.post("/api/self-service/pension-enrolment",
                    json={"fields": pension}).status_code == 201
    stored = _database_bytes(db_path)                     # the file and its WAL
    for form in (CARD, FULL_WIDTH, CARD[6:14] + CARD[14:]):
        for encoding in ("utf-8", "utf-16-le"):
            assert form.encode(encoding) not in stored
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select fields, id_card_hash, id_card_read from self_service "
                            "order by case_number").fetchall()
    assert len(rows) == 3 and all('"6105**********1235"' in r[0] for r in rows)
    digests = {r[1] for r in rows}
    assert len(digests) == 1 and len(digests.pop()) == 64     # one card, however typed
    assert [r[2] for r in rows] == [1, 1, 0]


def test_a_retried_submission_opens_one_case(api):
    first = _post_once(api, {"fields": FIELDS}, "same")
    again = _post_once(api, {"fields": FIELDS}, "same")
    assert first.status_code == again.status_code == 201
    assert first.json["case"] == again.json["case"]
    assert len(api.as_(TOKENS["manager"]).get("/api/cases").json["cases"]) == 1


def test_the_clients_on_a_real_server(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    forms = {f.code: f for f in kiosk.forms()}
    form = forms["fund-withdrawal-check"]
    fields = {"holder_name": "李四", "id_number": CARD, "fund_account": "１２３４５６７８",
              "contract_number": "XA-2026-001", "bank_card": "6222020200112233",
              "phone": "029-88886666"}
    checked = validate(form, fields)           # what the kiosk checks before sending
    case = kiosk.submit_form(form.code, fields, id_card=CARD, id_card_read=True)
    assert isinstance(case, CaseInfo) and case.subject == "GJJ-0902"
    progress = kiosk.case_progress(case.number)
    assert isinstance(progress, CaseProgress) and progress.status == "in_review"
    assert progress.subject_name == "住房公积金提取（购买自住住房）"
    assert checked["fund_account"] == "12345678"
    with pytest.raises(ApiError) as refused:
        kiosk.submit_form(form.code, fields | {"bank_card": "62220"})
    assert refused.value.code == "form_field_invalid"
    assert refused.value.details["reason_code"] == "too_short"
    assert refused.value.details["field"] == "bank_card"
