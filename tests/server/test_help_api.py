"""呼叫帮办 over HTTP: a kiosk calls, a helper takes and finishes, the manager watches."""
from __future__ import annotations

import sqlite3

from core.events import LoggedEvent, Snapshot
from core.help_requests import HelpRequestInfo
from server.app import create_app
from server.client import ApiError, HallClient
from tests.conftest import TOKENS
from tests.server.hall_compare import differences

CALL = {"where": "1号自助取号机旁", "reason": "needs_assistance", "note": "老人不会操作"}


def test_a_kiosk_calls_a_helper_takes_it_and_a_kiosk_cannot(api):
    raised = api.post("/api/help", json=CALL)
    assert raised.status_code == 201
    request = raised.json["help_request"]
    assert (request["state"], request["raised_by"], request["where"]) == (
        "open", "kiosk-1", "1号自助取号机旁")
    assert [e["type"] for e in raised.json["events"]] == ["HelpRequested"]
    path = f"/api/help/{request['id']}"
    refused = api.post(f"{path}/take")
    assert refused.status_code == 403 and refused.json["error"] == "wrong_role"
    assert api.as_(TOKENS["manager"]).post(f"{path}/take").status_code == 403
    helper = api.as_(TOKENS["helper"])
    taken = helper.post(f"{path}/take")
    assert taken.status_code == 200 and taken.json["help_request"]["taken_by"] == "helper-1"
    again = api.as_("demo-helper-2").post(f"{path}/take")
    assert again.status_code == 409 and again.json["code"] == "help_already_taken"
    assert again.json["details"]["taken_by"] == "helper-1"
    not_theirs = api.as_("demo-helper-2").post(f"{path}/finish")
    assert not_theirs.status_code == 403 and not_theirs.json["code"] == "help_taken_by_other"
    done = helper.post(f"{path}/finish")
    assert done.status_code == 200 and done.json["help_request"]["state"] == "done"


def test_a_second_press_at_the_same_kiosk_is_refused_while_a_helper_is_awaited(api):
    assert api.post("/api/help", json=CALL).status_code == 201
    again = api.post("/api/help", json=CALL | {"reason": "other"})
    assert again.status_code == 409 and again.json["code"] == "help_already_requested"
    assert again.json["details"]["where"] == "1号自助取号机旁"
    assert api.as_("demo-kiosk-2").post("/api/help", json=CALL).status_code == 201


def test_a_bad_reason_is_refused(api):
    refused = api.post("/api/help", json=CALL | {"reason": "bored"})
    assert refused.status_code == 422 and refused.json["details"]["field"] == "reason"


def test_the_manager_sees_open_calls_with_the_minutes_they_waited(api, clock):
    first = api.post("/api/help", json=CALL).json["help_request"]["id"]
    clock.advance(minutes=4)
    second = api.as_("demo-kiosk-2").post(
        "/api/help", json=CALL | {"where": "2号机", "reason": "cannot_find_matter"}
    ).json["help_request"]["id"]
    clock.advance(minutes=6)
    manager = api.as_(TOKENS["manager"])
    listed = manager.get("/api/help").json["help_requests"]
    assert [(r["id"], r["waited_minutes"]) for r in listed] == [(first, 10.0), (second, 6.0)]
    api.as_(TOKENS["helper"]).post(f"/api/help/{first}/take")
    clock.advance(minutes=5)
    assert [r["id"] for r in manager.get("/api/help").json["help_requests"]] == [second]
    taken = manager.get("/api/help?state=taken").json["help_requests"]
    assert [(r["id"], r["waited_minutes"]) for r in taken] == [(first, 10.0)]
    assert len(manager.get("/api/help?state=all").json["help_requests"]) == 2
    assert api.get("/api/help").status_code == 403              # not a kiosk's business
    figures = manager.get("/api/stats").json["help_requests"]
    assert figures["raised"] == 2 and figures["open_now"] == 1
    assert figures["longest_open_minutes"] == 11.0
    assert figures["waits"]["count"] == 1 and figures["waits"]["max_minutes"] == 10.0


def test_calls_survive_a_restart_and_the_hall_reloads_equal(settings, db_path, clock, api):
    first = api.post("/api/help", json=CALL).json["help_request"]["id"]
    api.as_("demo-kiosk-2").post("/api/help", json=CALL)
    api.as_(TOKENS["helper"]).post(f"/api/help/{first}/take")
    live = api.client.application.extensions["yichuang.service"].hall
    again = create_app(settings, database=db_path, clock=clock)
    try:
        reloaded = again.extensions["yichuang.service"].hall
        assert differences(live, reloaded) == []
        assert reloaded.help_counter == 2
        third = again.test_client().post("/api/help", json=CALL | {"where": "3号"},
                                         headers={"Authorization": "Bearer demo-kiosk-1"})
        assert third.json["help_request"]["id"].endswith("-003")
    finally:
        again.extensions["yichuang.service"].close()


def test_the_next_day_cancels_what_was_left(api, clock, db_path):
    left = api.post("/api/help", json=CALL).json["help_request"]["id"]
    clock.advance(days=1)
    today = api.post("/api/help", json=CALL).json["help_request"]["id"]   # the day rolls over
    assert today == "H20261124-001"
    listed = api.as_(TOKENS["manager"]).get("/api/help?state=all").json["help_requests"]
    assert [r["id"] for r in listed] == [today]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select state from help_requests where id = ?",
                            (left,)).fetchone() == ("cancelled",)


def test_the_clients_on_a_real_server(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    helper = HallClient(live_server.url, TOKENS["helper"])
    stream = helper.events()
    items = iter(stream)
    assert isinstance(next(items), Snapshot)
    raised = kiosk.request_help("1号自助取号机旁", "device_problem", "打印机没纸了")
    assert isinstance(raised, HelpRequestInfo) and raised.state == "open"
    heard = next(items)
    assert isinstance(heard, LoggedEvent) and heard.type == "HelpRequested"
    assert heard.event.note == "打印机没纸了"          # a helper's stream hears what was said
    assert [r.id for r in helper.help_requests()] == [raised.id]
    taken = helper.take_help(raised.id)
    assert taken.state == "taken" and taken.taken_by == "helper-1"
    assert next(items).type == "HelpTaken"
    try:
        kiosk.take_help(raised.id)
        raise AssertionError("a kiosk took a call for help")
    except ApiError as error:
        assert error.status == 403
    assert helper.finish_help(raised.id).state == "done"
    assert helper.help_requests() == [] and len(helper.help_requests("done")) == 1
    assert helper.whoami().role == "helper"
    stream.close()


def test_a_kiosk_s_stream_hears_its_call_was_taken_but_not_by_whom(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    helper = HallClient(live_server.url, TOKENS["helper"])
    stream = kiosk.events()
    items = iter(stream)
    next(items)
    raised = kiosk.request_help("1号自助取号机旁", "other", "私事")
    helper.take_help(raised.id)
    heard = [next(items), next(items)]
    assert [e.type for e in heard] == ["HelpRequested", "HelpTaken"]
    assert heard[0].event.note == "" and heard[1].event.taken_by == ""
    assert heard[1].event.id == raised.id
    stream.close()
