"""Bad input is a 4xx that changes nothing: the audit's list, one test each.

Each test asserts the status, the error kind and that the database is unchanged
(every table, so also no new event); none may log a traceback.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3

import pytest

from core.id_cards import check_digit
from tests.conftest import TOKENS, staff_window

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def fingerprint(db_path: str) -> str:
    """A digest of every row of every table: equal means the database is unchanged."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        tables = [name for (name,) in conn.execute(
            "select name from sqlite_master where type = 'table' "
            "and name not like 'sqlite_%' order by name")]
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(f'select * from "{table}" order by rowid'):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def id_card(born: str, serial: str = "123") -> str:
    first17 = f"610502{born}{serial}"
    return first17 + check_digit(first17)


class Unchanged:
    """`unchanged(response, status, kind, field)` after a refused request: the answer
    is that refusal, in UTF-8, nothing was logged as an error, and the database is as
    it was at the fixture's start (or at the last `mark()`)."""

    def __init__(self, db_path: str, caplog) -> None:
        self.db_path, self.caplog = db_path, caplog
        self.mark()

    def mark(self) -> None:
        self.before = fingerprint(self.db_path)
        self.caplog.clear()

    def __call__(self, response, status: int, kind: str, field: str | None = None) -> dict:
        response.get_data().decode("utf-8")             # the answer itself is UTF-8
        body = response.get_json()
        assert (response.status_code, body["error"]) == (status, kind), body
        if field is not None:
            assert body["details"]["field"] == field, body
        assert fingerprint(self.db_path) == self.before, "a refused request changed the database"
        errors = [r for r in self.caplog.records if r.levelno >= logging.ERROR or r.exc_info]
        assert not errors, errors
        return body


@pytest.fixture
def unchanged(db_path, caplog) -> Unchanged:
    caplog.set_level(logging.INFO)
    return Unchanged(db_path, caplog)


def raw(client_api, path: str, body: bytes):
    return client_api.post(path, data=body, content_type="application/json")


def finished_ticket(api) -> tuple[str, str]:
    """A ticket served and finished at window 1: (number, phone token)."""
    clerk = staff_window(api, 1)
    issued = api.post("/api/tickets", json={"subject": "SS-0101"}).json
    assert clerk.post("/api/windows/1/call-next").json["ticket"]["number"] == \
        issued["ticket"]["number"]
    assert clerk.post("/api/windows/1/finish").status_code == 200
    return issued["ticket"]["number"], issued["phone_token"]


# --- JSON that is no JSON object ------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"[" * 2000 + b"]" * 2000,
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b'{"subject": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    b'{"subject": "SS-0101", "x": ' + b"[" * 20 + b"]" * 20 + b"}",
], ids=["arrays", "objects", "in a field", "20 deep in an unknown field"])
def test_json_nested_2000_deep_is_a_400(api, unchanged, body):
    body_ = unchanged(raw(api, "/api/tickets", body), 400, "bad_json")
    assert "nested deeper than 8 levels" in body_["message"]


def test_json_nested_2000_deep_without_a_token_is_a_400(api, unchanged):
    _, token = finished_ticket(api)
    unchanged.mark()
    answer = raw(api.as_(None), f"/api/public/tickets/{token}/rating",
                 b'{"level": ' + b"[" * 2000 + b"]" * 2000 + b"}")
    unchanged(answer, 400, "bad_json")


@pytest.mark.parametrize("body, words", [
    ('{"subject": "SS-0101"}'.encode("utf-16"), "not UTF-8"),
    (b'{"subject": "SS-0101\xff"}', "not UTF-8"),
    (b'{"subject": "\xed\xa0\x80"}', "not UTF-8"),            # a surrogate encoded as UTF-8
    (b'{"subject": NaN}', "not valid JSON"),
    (b'{"subject": "SS-0101"', "line 1"),
    (b'"SS-0101"', "must be a JSON object"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"level": 1' + b"0" * 5000 + b"}", "not valid JSON"),   # past Python's int digits
], ids=["utf-16", "latin-1 byte", "encoded surrogate", "NaN", "cut short", "a string",
        "an array", "a 5001-digit number"])
def test_a_body_that_is_not_one_utf8_json_object_is_a_400(api, unchanged, body, words):
    assert words in unchanged(raw(api, "/api/tickets", body), 400, "bad_json")["message"]


# --- lone surrogates, noncharacters, control characters ---------------------------------

def test_a_lone_surrogate_in_a_public_rating_needs_no_token_and_is_a_422(api, unchanged):
    _, token = finished_ticket(api)
    unchanged.mark()
    citizen = api.as_(None)
    answer = raw(citizen, f"/api/public/tickets/{token}/rating",
                 b'{"level": 1, "reason": "\\ud800"}')
    body = unchanged(answer, 422, "invalid")
    assert body["details"] == {"field": "reason", "character": "U+D800"}
    assert "'reason'" in body["message"] and "surrogate" in body["message"]
    good = citizen.post(f"/api/public/tickets/{token}/rating",
                        json={"level": 1, "reason": "等太久"})
    assert good.status_code == 201


def test_a_lone_surrogate_in_a_cancel_reason_is_a_422(api, unchanged):
    number = api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
    unchanged.mark()
    answer = raw(api.as_(TOKENS["manager"]), f"/api/tickets/{number}/cancel",
                 b'{"reason": "x\\udfff"}')
    unchanged(answer, 422, "invalid", "reason")


def test_a_lone_surrogate_in_a_transfer_note_is_a_422(api, unchanged):
    clerk = staff_window(api, 1)
    api.post("/api/tickets", json={"subject": "SS-0101"})
    clerk.post("/api/windows/1/call-next")
    unchanged.mark()
    answer = raw(clerk, "/api/windows/1/transfer",
                 b'{"to_pool": "acceptance_b", "note": "\\ud83d call 138"}')
    unchanged(answer, 422, "invalid", "note")


def test_a_lone_surrogate_in_a_subject_is_a_422(api, unchanged):
    answer = raw(api, "/api/tickets", b'{"subject": "SS-0101\\ud800"}')
    assert "U+D800" in unchanged(answer, 422, "invalid", "subject")["message"]


@pytest.mark.parametrize("text, character", [
    ("\uffff", "U+FFFF"), ("\ufdd0", "U+FDD0"), ("\U0010fffe", "U+10FFFE"),
    ("a\x00b", "U+0000"), ("\x1b[2J", "U+001B"), ("\x85", "U+0085"),
])
def test_noncharacters_and_control_characters_are_a_422(api, unchanged, text, character):
    answer = api.post("/api/tickets", json={"subject": text})
    assert unchanged(answer, 422, "invalid", "subject")["details"]["character"] == character


def test_tabs_and_newlines_are_text(api):
    clerk = staff_window(api, 1)
    api.post("/api/tickets", json={"subject": "SS-0101"})
    clerk.post("/api/windows/1/call-next")
    answer = clerk.post("/api/windows/1/park", json={"note": "复印\t身份证\n正反面"})
    assert answer.status_code == 200, answer.json


def test_an_unknown_field_with_a_lone_surrogate_in_its_name_is_a_422(api, unchanged):
    answer = raw(api, "/api/tickets", b'{"subject": "SS-0101", "\\ud800x": 1}')
    body = unchanged(answer, 422, "invalid")
    assert "unknown field '\\ud800x'" in body["message"]


def test_a_lone_surrogate_in_a_list_item_is_a_422(api, unchanged):
    clerk = staff_window(api, 1)
    api.post("/api/tickets", json={"subject": "SS-0101"})
    clerk.post("/api/windows/1/call-next")
    unchanged.mark()
    answer = raw(clerk, "/api/windows/1/finish",
                 b'{"open_case": true, "missing_materials": ["ok", "\\ud800"], '
                 b'"supply_by": "2026-11-27"}')
    unchanged(answer, 422, "invalid", "missing_materials")


# --- sizes --------------------------------------------------------------------------

def test_a_20_mb_reason_is_a_413(api, unchanged):
    number = api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
    unchanged.mark()
    body = json.dumps({"reason": "x" * 20_000_000}).encode()
    answer = raw(api.as_(TOKENS["manager"]), f"/api/tickets/{number}/cancel", body)
    assert unchanged(answer, 413, "too_large")["details"] == {"max_bytes": 65536}


def test_a_201_character_reason_is_a_422_naming_reason_and_200(api, unchanged):
    number = api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
    manager = api.as_(TOKENS["manager"])
    unchanged.mark()
    answer = manager.post(f"/api/tickets/{number}/cancel", json={"reason": "等" * 201})
    body = unchanged(answer, 422, "invalid", "reason")
    assert body["details"] == {"field": "reason", "max_length": 200}
    assert "'reason'" in body["message"] and "at most 200" in body["message"]
    fits = manager.post(f"/api/tickets/{number}/cancel", json={"reason": " 等" * 100 + " "})
    assert fits.status_code == 200, fits.json          # 200 after stripping: fits


@pytest.mark.parametrize("path, body, field, limit", [
    ("/api/tickets", {"subject": "S" * 33}, "subject", 32),
    ("/api/tickets", {"subject": "SS-0101", "id_card": "1" * 33}, "id_card", 32),
    ("/api/bookings", {"subject": "SS-0101", "day": "2026-11-24", "start": "09:30:00",
                       "id_card": "610503198001011235"}, "start", 5),
])
def test_every_text_has_a_limit(api, unchanged, path, body, field, limit):
    answer = unchanged(api.post(path, json=body), 422, "invalid", field)
    assert answer["details"]["max_length"] == limit


def test_a_list_has_a_limit_on_its_items_and_their_length(api, db_path):
    clerk = staff_window(api, 1)
    api.post("/api/tickets", json={"subject": "SS-0101"})
    clerk.post("/api/windows/1/call-next")
    before = fingerprint(db_path)
    many = clerk.post("/api/windows/1/finish", json={
        "open_case": True, "missing_materials": ["公司章程"] * 51, "supply_by": "2026-11-27"})
    assert (many.status_code, many.json["details"]) == (
        422, {"field": "missing_materials", "max_items": 50})
    long = clerk.post("/api/windows/1/finish", json={
        "open_case": True, "missing_materials": ["章" * 101], "supply_by": "2026-11-27"})
    assert (long.status_code, long.json["details"]) == (
        422, {"field": "missing_materials", "max_length": 100})
    assert fingerprint(db_path) == before


# --- path and query parameters --------------------------------------------------------

@pytest.mark.parametrize("path, status", [
    ("/api/tickets/" + "A" * 5000, 422),
    ("/api/tickets/%F0%9F%98%80", 404),            # an emoji
    ("/api/tickets/%ED%A0%80", 404),               # a surrogate's bytes: not UTF-8
    ("/api/tickets/%00", 422),
    ("/api/tickets/A001%0A", 404),
    ("/api/cases/" + "W" * 5000, 422),
    ("/api/cases/%FF%FE", 404),
    ("/api/windows/" + "9" * 5000, 404),
    ("/api/public/tickets/" + "t" * 5000, 422),
    ("/api/public/tickets/%C0%80", 404),
    ("/t/" + "t" * 5000, 422),
])
def test_absurd_path_parameters_are_a_4xx(api, unchanged, path, status):
    manager = api.as_(TOKENS["manager"])
    answer = manager.get(path)
    assert answer.status_code == status, answer.get_data(as_text=True)[:200]
    unchanged(answer, status, "invalid" if status == 422 else "not_found")


@pytest.mark.parametrize("path", [
    "/api/tickets/" + "A" * 5000 + "/cancel",
    "/api/cases/" + "W" * 500 + "/approve",
    "/api/public/tickets/" + "t" * 5000 + "/cancel",
    "/api/windows/" + "9" * 5000 + "/open",
])
def test_absurd_path_parameters_of_a_write_change_nothing(api, unchanged, path):
    answer = api.as_(TOKENS["manager"]).post(path)
    assert 400 <= answer.status_code < 500
    unchanged(answer, answer.status_code, answer.json["error"])


@pytest.mark.parametrize("query, field", [
    ("state=waitng", "state"), ("stat=waiting", "stat"), ("state=" + "w" * 5000, "state"),
])
def test_query_parameters_are_checked_too(api, unchanged, query, field):
    answer = api.as_(TOKENS["manager"]).get(f"/api/tickets?{query}")
    unchanged(answer, 422, "invalid", field)


@pytest.mark.parametrize("headers, query", [
    ({"Last-Event-ID": "9" * 40}, ""), ({"Last-Event-ID": "abc"}, ""),
    ({}, "?last_event_id=-1"), ({}, "?last_event_id=１２"),
])
def test_a_bad_resume_point_is_a_422_not_a_broken_stream(app, headers, query):
    answer = app.test_client().get(f"/api/events{query}", buffered=False, headers={
        "Authorization": f"Bearer {TOKENS['display']}", **headers})
    assert answer.status_code == 422 and answer.json["error"] == "invalid"
    answer.close()


# --- ID cards -----------------------------------------------------------------------

def test_an_id_card_of_superscript_digits_is_a_422(api, unchanged):
    answer = api.post("/api/tickets", json={"subject": "SS-0101", "id_card": "²" * 17 + "1"})
    assert "U+00B2" in unchanged(answer, 422, "invalid", "id_card")["message"]


def test_a_full_width_digit_is_the_same_card_toward_the_daily_limit(api, settings, unchanged):
    card = id_card("19800101")
    limit = settings.rules.tickets_per_id_per_day
    for _ in range(limit):
        assert api.post("/api/tickets", json={"subject": "SS-0101", "id_card": card}
                        ).status_code == 201
    unchanged.mark()
    full_width = card[:3] + card[3].translate(FULL_WIDTH) + card[4:]      # 610５02...
    assert full_width != card
    refused = api.post("/api/tickets", json={"subject": "SS-0101", "id_card": full_width})
    assert f"limit is {limit}" in unchanged(refused, 409, "conflict")["message"]
    every_digit = api.post("/api/tickets", json={"subject": "SS-0101",
                                                 "id_card": card.translate(FULL_WIDTH)})
    unchanged(every_digit, 409, "conflict")


def test_a_birth_year_of_2099_is_a_422(api, unchanged):
    answer = api.post("/api/tickets", json={"subject": "SS-0101",
                                            "id_card": id_card("20990101")})
    assert "after today" in unchanged(answer, 422, "invalid", "id_card")["message"]


def test_a_birth_date_more_than_130_years_back_is_a_422(api, unchanged):
    answer = api.post("/api/bookings", json={
        "subject": "BDC-0401", "day": "2026-11-24", "start": "09:00",
        "id_card": id_card("18900101")})
    assert "130 years" in unchanged(answer, 422, "invalid", "id_card")["message"]
