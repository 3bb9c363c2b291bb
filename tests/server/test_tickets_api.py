"""Taking a number: numbering, materials, priorities, limits, check-in, cancel, days."""
from __future__ import annotations

import sqlite3

import pytest

from core.id_cards import check_digit
from tests.conftest import TOKENS, staff_window


def id_card(born: str, serial: str = "123") -> str:
    first17 = f"610503{born}{serial}"
    return first17 + check_digit(first17)


def issue(api, subject="SS-0101", **extra):
    return api.post("/api/tickets", json={"subject": subject, **extra})


def event_count(db_path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select count(*) from events").fetchone()[0]


def test_numbers_run_per_category_prefix(api):
    numbers = [issue(api, s).json["ticket"]["number"]
               for s in ("SS-0101", "SS-0102", "BDC-0401", "SS-0105", "BDC-0402")]
    assert numbers == ["A001", "A002", "B001", "A003", "B002"]


def test_ticket_answer_carries_materials_and_phone_link(api, settings):
    answer = issue(api, "SS-0101").json
    assert answer["materials"] == list(settings.matter("SS-0101").materials)
    assert answer["phone_url"].endswith("/t/" + answer["phone_token"])
    assert len(answer["phone_token"]) >= 22 and "A001" not in answer["phone_token"]
    assert answer["ticket"]["origin"] == "kiosk" and answer["ticket"]["state"] == "waiting"


def test_theme_ticket_has_one_merged_checklist(api, settings):
    answer = issue(api, "YJS-01").json
    theme = settings.theme("YJS-01")
    every = [m for code in theme.matters for m in settings.material_labels(code)]
    assert answer["ticket"]["number"].startswith("T")
    assert answer["materials"] == list(settings.material_labels("YJS-01"))
    assert len(answer["materials"]) == len(set(answer["materials"])) < len(every)
    # 开办企业 issues the business licence itself: the founder is not asked for it
    assert "营业执照副本（复印件1份）" in every
    assert "营业执照副本（复印件1份）" not in answer["materials"]


@pytest.mark.parametrize("body, status, error, words", [
    ({"subject": "NOPE-1"}, 404, "not_found", "unknown matter or theme 'NOPE-1'"),
    ({}, 422, "invalid", "field 'subject' is required"),
    ({"subjct": "SS-0101"}, 422, "invalid", "'subjct': a typo?"),
    ({"subject": "SS-0101", "colour": "red"}, 422, "invalid", "unknown field 'colour'"),
    ({"subject": 7}, 422, "invalid", "'subject' must be a string"),
    ({"subject": "SS-0101", "priority": "vip"}, 422, "invalid", "priority must be one of"),
    ({"subject": "SS-0101", "priority": "green"}, 403, "forbidden", "only staff"),
    ({"subject": "SS-0101", "id_card": "12345"}, 422, "invalid", "18 characters"),
    ({"subject": "SS-0101", "id_card": "61050319500101123X"}, 422, "invalid", "check digit"),
])
def test_bad_requests_are_refused_and_change_nothing(api, db_path, body, status, error, words):
    before = event_count(db_path)
    answer = api.post("/api/tickets", json=body)
    assert (answer.status_code, answer.json["error"]) == (status, error)
    assert words in answer.json["message"]
    assert event_count(db_path) == before


def test_malformed_json_is_a_clear_400(api, db_path):
    before = event_count(db_path)
    answer = api.post("/api/tickets", data=b'{"subject": "SS-0101"',
                      content_type="application/json")
    assert answer.status_code == 400 and answer.json["error"] == "bad_json"
    assert "line 1" in answer.json["message"]
    assert api.post("/api/tickets", data=b"[1, 2]").json["error"] == "bad_json"
    assert event_count(db_path) == before


def test_elderly_priority_comes_from_a_card_the_reader_read(api):
    old = issue(api, id_card=id_card("19500101"), id_card_read=True).json["ticket"]
    young = issue(api, id_card=id_card("19900101"), id_card_read=True).json["ticket"]
    assert (old["priority"], young["priority"]) == ("elderly", "normal")


def test_a_typed_id_number_gives_no_elderly_priority(api):
    """Any invented number with a valid check digit would do: typed numbers are untrusted."""
    typed = issue(api, id_card=id_card("19500101")).json["ticket"]
    assert typed["priority"] == "normal"
    clerk = api.as_(TOKENS["manager"])
    checked = clerk.post("/api/tickets", json={"subject": "SS-0101",
                                               "id_card": id_card("19500102")})
    assert checked.json["ticket"]["priority"] == "elderly", "staff check the card by hand"


def test_staff_may_give_green_channel(api):
    manager = api.as_(TOKENS["manager"])
    answer = manager.post("/api/tickets", json={"subject": "SS-0101", "priority": "green"})
    assert answer.status_code == 201
    assert answer.json["ticket"]["priority"] == "green"
    assert answer.json["ticket"]["origin"] == "staff"


def test_one_id_card_takes_at_most_the_daily_limit(api, settings):
    card = id_card("19800101")
    limit = settings.rules.tickets_per_id_per_day
    for _ in range(limit):
        assert issue(api, id_card=card).status_code == 201
    refused = issue(api, id_card=card)
    assert refused.status_code == 409 and f"limit is {limit}" in refused.json["message"]
    assert issue(api, id_card=id_card("19800101", "456")).status_code == 201


def test_id_card_is_never_stored_in_clear(api, db_path):
    card = id_card("19800101")
    issue(api, id_card=card)
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert card not in dump and card[:17] not in dump


def test_an_appointment_needs_a_booking(api):
    """Claiming a slot at a kiosk gives no priority: the old check-in route is gone, and
    a kiosk cannot ask for appointment priority itself."""
    assert api.post("/api/appointments/check-in",
                    json={"subject": "BDC-0401", "slot": "09:00"}).status_code == 404
    answer = issue(api, "BDC-0401", priority="appointment")
    assert answer.status_code == 422, answer.json


def test_staff_cancel_a_waiting_ticket_and_are_recorded(api):
    number = issue(api).json["ticket"]["number"]
    manager = api.as_(TOKENS["manager"])
    answer = manager.post(f"/api/tickets/{number}/cancel", json={"reason": "重复取号"})
    assert answer.status_code == 200
    assert answer.json["events"][0]["data"]["by"] == "manager"
    again = manager.post(f"/api/tickets/{number}/cancel")
    assert again.status_code == 409 and "cancelled" in again.json["message"]


def test_a_kiosk_cannot_cancel_anyones_ticket(api):
    number = issue(api).json["ticket"]["number"]
    refused = api.post(f"/api/tickets/{number}/cancel")
    assert refused.status_code == 403 and refused.json["error"] == "wrong_role"


def test_the_citizen_cancels_their_own_by_its_phone_token(api):
    issued = issue(api).json
    citizen = api.as_(None)
    answer = citizen.post(f"/api/public/tickets/{issued['phone_token']}/cancel")
    assert answer.status_code == 200 and answer.json["events"][0]["data"]["by"] == "citizen"


def test_a_ticket_from_yesterday_is_refused_by_name(api, clock):
    first = issue(api).json["ticket"]
    clock.advance(days=1)
    clerk = staff_window(api, 1)
    answer = clerk.post("/api/windows/1/call",
                        json={"number": f"{first['service_day']}/{first['number']}"})
    assert answer.status_code == 409
    assert "from 2026-11-23" in answer.json["message"] and "today is 2026-11-24" in answer.json[
        "message"]


def test_a_new_day_expires_open_tickets_and_numbers_start_again(api, clock, db_path):
    assert issue(api).json["ticket"]["number"] == "A001"
    staff_window(api, 1)
    clock.advance(days=1)
    assert issue(api).json["ticket"]["number"] == "A001"
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select service_day, state from tickets order by id").fetchall()
        days = conn.execute("select data from events where type='DayStarted'").fetchall()
    assert rows == [("2026-11-23", "cancelled"), ("2026-11-24", "waiting")]
    assert len(days) == 1 and '"expired":1' in days[0][0]
    windows = api.as_(TOKENS["manager"]).get("/api/windows").json["windows"]
    assert all(w["status"] == "closed" and not w["clerk"] for w in windows)


def test_ticket_lookup_shows_history_and_estimate(api):
    staff_window(api, 1)
    issue(api)
    second = issue(api).json["ticket"]["number"]
    answer = api.get(f"/api/tickets/{second}").json
    assert answer["people_ahead"] == 1 and answer["eta_minutes"] > 0
    assert [h["action"] for h in answer["history"]] == ["issued"]
    assert api.get("/api/tickets/Z999").status_code == 404
