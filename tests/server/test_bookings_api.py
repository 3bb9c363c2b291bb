"""Opening hours and appointments over HTTP: the hours refused with their codes, booking,
change, cancel and check-in through the routes, the limits, the pages, and the client
against the real server."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from core.events import BookingMade, for_public
from core.id_cards import check_digit
from server.client import ApiError, HallClient
from tests.conftest import TOKENS, ZONE, Api, staff_window

CARD = "610503198001011235"
OTHER_CARD = "11010519491231002X"
THIRD_CARD = "61050319900101" + "1230"[:3] + check_digit("61050319900101123")


def book(api, subject="SS-0102", day="2026-11-24", start="09:00", card=CARD):
    return api.as_(None).post("/api/bookings", json={"subject": subject, "day": day,
                                                     "start": start, "id_card": card})


def kiosk_check_in(api, **body):
    return api.as_(TOKENS["kiosk"]).post("/api/booking/check-in", json=body)


def test_opening_is_public_and_says_what_is_open(api, clock):
    answer = api.as_(None).get("/api/opening")
    assert answer.status_code == 200
    assert answer.json | {} == answer.json and answer.json["windows_open"] is True
    assert answer.json["cutoff_at"] == "2026-11-23T17:00+08:00"
    clock.now = clock.now.replace(hour=17, minute=10)
    later = api.as_(None).get("/api/opening").json
    assert (later["windows_open"], later["appointments_open"], later["reason"]) == (
        False, True, "after_cutoff")
    assert later["next_opening"] == "2026-11-24T08:00+08:00"


def test_window_tickets_stop_at_the_cutoff_but_staff_and_appointments_go_on(api, clock):
    mine = book(api, day="2026-11-23", start="17:30").json["booking"]["code"]
    clock.now = clock.now.replace(hour=17, minute=10)
    refused = api.post("/api/tickets", json={"subject": "SS-0102"})
    assert refused.status_code == 409
    assert (refused.json["code"], refused.json["details"]) == ("after_cutoff", {
        "cutoff": "17:00", "opens_at": "08:00", "day": "2026-11-24", "reason": "after_cutoff"})
    staff = api.as_(TOKENS["manager"]).post("/api/tickets", json={"subject": "SS-0102"})
    assert staff.status_code == 201                      # staff are not refused
    checked_in = kiosk_check_in(api, code=mine)
    assert checked_in.status_code == 201, checked_in.json
    assert checked_in.json["ticket"]["priority"] == "appointment"


def test_on_sunday_evening_no_window_ticket_and_when_they_start(api, clock):
    clock.now = datetime(2026, 11, 22, 20, 30, tzinfo=ZONE)
    refused = api.post("/api/tickets", json={"subject": "SS-0102"})
    assert refused.status_code == 409 and refused.json["code"] == "outside_hours"
    assert refused.json["details"] == {"reason": "closed_day", "opens_at": "08:00",
                                       "day": "2026-11-23"}


def test_slots_show_places_left(api):
    book(api, card=CARD)
    answer = api.as_(None).get("/api/booking/slots?subject=SS-0102&day=2026-11-24")
    assert answer.status_code == 200
    (day,) = answer.json["days"]
    nine = next(s for s in day["slots"] if s["start"] == "09:00")
    assert (nine["capacity"], nine["left"], day["kind"]) == (2, 1, "working")
    every = api.as_(None).get("/api/booking/slots?subject=SS-0102").json["days"]
    assert [d["day"] for d in every][:3] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert "2026-11-29" not in [d["day"] for d in every]          # Sunday: closed
    pickup = api.as_(None).get("/api/booking/slots?subject=CJ-0101")
    assert pickup.status_code in (404, 422)


def test_book_change_cancel_by_code_and_the_card_is_never_stored(api, db_path):
    made = book(api)
    assert made.status_code == 201, made.json
    code = made.json["booking"]["code"]
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", code)
    assert made.json["book_url"].endswith(f"/book/{code}") and made.json["materials"]
    assert [e["type"] for e in made.json["events"]] == ["BookingMade"]
    assert code not in str(made.json["events"])
    public = api.as_(None)
    assert public.get(f"/api/bookings/{code.lower()}").json["booking"]["state"] == "booked"
    moved = public.post(f"/api/bookings/{code}/change", json={"day": "2026-11-25",
                                                              "start": "10:30"})
    assert moved.status_code == 200, moved.json
    assert (moved.json["booking"]["day"], moved.json["booking"]["start"]) == (
        "2026-11-25", "10:30")
    cancelled = public.post(f"/api/bookings/{code}/cancel")
    assert cancelled.json["booking"]["state"] == "cancelled"
    again = public.post(f"/api/bookings/{code}/cancel")
    assert (again.status_code, again.json["code"]) == (409, "booking_not_active")
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert CARD not in dump and CARD[:17] not in dump and code in dump


def test_limits_per_card_and_full_slots_are_refused_with_codes(api):
    assert book(api).status_code == 201
    second = book(api, start="10:00")
    assert (second.status_code, second.json["code"]) == (409, "booking_daily_limit")
    assert book(api, card=OTHER_CARD).status_code == 201
    full = book(api, card=THIRD_CARD)
    assert (full.json["code"], full.json["details"]["start"]) == ("slot_full", "09:00")
    bad = book(api, card="123")
    assert bad.status_code == 422 and bad.json["details"]["field"] == "id_card"


def test_check_in_by_id_card_on_the_day(api, clock):
    book(api, day="2026-11-24", start="09:00")
    clock.now = datetime(2026, 11, 24, 8, 20, tzinfo=ZONE)
    answer = kiosk_check_in(api, id_card=CARD, id_card_read=True)
    assert answer.status_code == 201, answer.json
    assert answer.json["ticket"]["priority"] == "appointment"
    assert "BookingCheckedIn" in [e["type"] for e in answer.json["events"]]
    twice = kiosk_check_in(api, id_card=CARD, id_card_read=True)
    assert (twice.status_code, twice.json["code"]) == (404, "no_booking_today")
    nobody = kiosk_check_in(api, id_card=OTHER_CARD)
    assert nobody.json["code"] == "no_booking_today"
    empty = kiosk_check_in(api)
    assert (empty.status_code, empty.json["code"]) == (422, "booking_code_required")


def test_check_in_by_the_scanned_qr_code_and_too_early(api, clock):
    made = book(api, day="2026-11-24", start="11:00").json
    clock.now = datetime(2026, 11, 24, 8, 10, tzinfo=ZONE)
    early = kiosk_check_in(api, code=made["booking"]["code"])
    assert (early.status_code, early.json["code"]) == (409, "appointment_too_early")
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
    scanned = made["book_url"].replace("http://127.0.0.1:8750", "http://h")
    answer = kiosk_check_in(api, code=scanned)
    assert answer.status_code == 201, answer.json


def test_the_public_booking_routes_are_rate_limited(settings, db_path, clock):
    from server.app import create_app
    tight = replace(settings, booking=replace(settings.booking,
                                              requests_per_address_per_minute=6))
    app = create_app(tight, database=db_path, clock=clock)
    try:
        public = Api(app.test_client(), None)
        statuses = [public.get("/api/booking/slots?subject=SS-0102").status_code
                    for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
        guesser = app.test_client()
        answers = [guesser.get("/api/bookings/ZZZZZZZZ",
                               environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
                   for _ in range(3)]
        assert answers[0] == 404
    finally:
        app.extensions["yichuang.service"].close()


def test_unknown_codes_are_throttled(api):
    public = api.as_(None)
    answers = [public.get(f"/api/bookings/ZZZZZZ{n:02d}".replace("0", "Z").replace("1", "Y"))
               .status_code for n in range(12)]
    assert answers[0] == 404 and answers[-1] == 429


def test_booking_events_stay_off_the_public_stream():
    assert for_public(BookingMade("SS-0101", "2026-11-24", "09:00", "09:30")) is None


def test_the_booking_pages_speak_chinese_and_english(api):
    public = api.as_(None)
    first = public.get("/book")
    text = first.get_data(as_text=True)
    assert first.status_code == 200 and "预约办事" in text and "有限责任公司设立登记" in text
    assert "nonce-" in first.headers["Content-Security-Policy"]
    chosen = public.get("/book?subject=SS-0101&day=2026-11-24").get_data(as_text=True)
    assert "公司章程" in chosen and "③ 选择时段" in chosen and "余 4 个" in chosen
    english = public.get("/book?subject=SS-0101&lang=en").get_data(as_text=True)
    assert "Book an appointment" in english and "2 Choose the day" in english
    code = book(api).json["booking"]["code"]
    page = public.get(f"/book/{code}").get_data(as_text=True)
    assert code in page and "<svg" in page and "取消预约" in page and "已预约" in page
    missing = public.get("/book/ZZZZZZZZ").get_data(as_text=True)
    assert "未查到该预约码" in missing


def test_the_client_books_and_checks_in_against_the_real_server(live_server):
    citizen = HallClient(live_server.url)
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    assert kiosk.opening().windows_open is True
    slots = citizen.booking_slots("SS-0102", "2026-11-23")
    free = next(s for s in slots if s.start >= "10:00")
    booking = citizen.book("SS-0102", free.day, free.start, CARD)
    assert citizen.booking(booking.code).state == "booked"
    moved = citizen.change_booking(booking.code, free.day, "10:30")
    assert moved.start == "10:30"
    live_server.clock.now = datetime(2026, 11, 23, 10, 15, tzinfo=ZONE)
    issued = kiosk.check_in_booking(code=booking.code)
    assert issued.ticket.priority == "appointment" and issued.people_ahead == 0
    assert citizen.booking(booking.code).ticket == issued.number
    with pytest.raises(ApiError) as refused:
        kiosk.check_in_booking(code=booking.code)
    assert refused.value.code == "booking_checked_in"
    with pytest.raises(ApiError) as gone:
        citizen.cancel_booking(booking.code)
    assert gone.value.code == "booking_not_active"
    live_server.clock.advance(hours=7)                       # 17:15
    with pytest.raises(ApiError) as closed:
        kiosk.issue_ticket("SS-0102")
    assert closed.value.code == "after_cutoff"


def test_a_ticket_before_opening_counts_people_ahead(api, clock):
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=ZONE)
    answers = [api.post("/api/tickets", json={"subject": "SS-0101"}).json for _ in range(3)]
    assert [a["people_ahead"] for a in answers] == [0, 1, 2]
    assert answers[0]["eta_minutes"] == 30.0
    clock.now += timedelta(minutes=40)
    staff_window(api, 1)
    assert api.get(f"/api/tickets/{answers[2]['ticket']['number']}").json["people_ahead"] == 2
