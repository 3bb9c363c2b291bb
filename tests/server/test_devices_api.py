"""Device health over HTTP: a fault raises one alarm, the manager sees every device."""
from __future__ import annotations

import sqlite3

from core.devices import DeviceHealthInfo
from server.app import create_app
from server.client import HallClient
from tests.conftest import TOKENS
from tests.server.hall_compare import differences

PRINTER = "/api/devices/kiosk-1-printer/health"
PAPER_OUT = {"state": "fault", "code": "paper_out", "detail": "纸仓空"}


def _alarms(db_path: str) -> list[tuple[str, str]]:
    with sqlite3.connect(db_path) as conn:
        return [(row[0], row[1]) for row in conn.execute(
            "select json_extract(data, '$.source'), json_extract(data, '$.kind') "
            "from events where type = 'AlarmRaised' order by id")]


def test_a_printer_out_of_paper_raises_one_alarm(api, db_path, clock):
    first = api.post(PRINTER, json=PAPER_OUT)
    assert first.status_code == 200
    assert [e["type"] for e in first.json["events"]] == ["DeviceHealthChanged", "AlarmRaised"]
    for _ in range(5):
        clock.advance(minutes=1)
        again = api.post(PRINTER, json=PAPER_OUT)
        assert again.status_code == 200 and again.json["events"] == []
    assert _alarms(db_path) == [("kiosk-1-printer", "device_fault")]
    device = again.json["device"]
    assert (device["state"], device["code"], device["kind"]) == ("fault", "paper_out", "printer")
    assert device["since"] < device["last_report"]
    recovered = api.post(PRINTER, json={"state": "ok"})
    assert [e["type"] for e in recovered.json["events"]] == ["DeviceHealthChanged"]
    assert recovered.json["events"][0]["data"]["previous_state"] == "fault"
    assert _alarms(db_path) == [("kiosk-1-printer", "device_fault")]


def test_a_kiosk_cannot_report_for_a_display_but_the_display_can(api, db_path):
    screen = "/api/devices/hall-led-screen/health"
    refused = api.post(screen, json={"state": "fault", "code": "offline"})
    assert refused.status_code == 403 and refused.json["code"] == "device_not_yours"
    other = api.post("/api/devices/kiosk-2-printer/health", json=PAPER_OUT)
    assert other.status_code == 403
    display = api.as_(TOKENS["display"])
    assert display.post(screen, json={"state": "fault", "code": "offline"}).status_code == 200
    assert api.post("/api/devices/kiosk-1/health", json={"state": "ok"}).status_code == 200
    assert api.as_(TOKENS["manager"]).post(screen, json={"state": "ok"}).status_code == 403
    assert _alarms(db_path) == [("hall-led-screen", "device_fault")]


def test_a_fault_needs_a_code_and_codes_are_codes(api, db_path):
    assert api.post(PRINTER, json={"state": "fault"}).json["code"] == "device_code_invalid"
    assert api.post(PRINTER, json={"state": "fault", "code": "Paper Out"}).status_code == 422
    assert api.post(PRINTER, json={"state": "broken"}).status_code == 422
    assert _alarms(db_path) == []


def test_the_manager_sees_every_device(api):
    api.post(PRINTER, json=PAPER_OUT)
    manager = api.as_(TOKENS["manager"])
    listed = {d["device"]: d for d in manager.get("/api/devices").json["devices"]}
    assert listed["kiosk-1-printer"]["state"] == "fault"
    assert listed["kiosk-2-printer"]["state"] == "unknown"
    assert listed["window-3-keypad"]["kind"] == "keypad"
    api.post("/api/devices/kiosk-1/health", json={"state": "ok"})    # not in [[devices]]
    listed = {d["device"]: d for d in manager.get("/api/devices").json["devices"]}
    assert listed["kiosk-1"]["state"] == "ok" and listed["kiosk-1"]["kind"] == ""
    assert api.get("/api/devices").status_code == 403


def test_health_survives_a_restart(settings, db_path, clock, api):
    api.post(PRINTER, json=PAPER_OUT)
    live = api.client.application.extensions["yichuang.service"].hall
    again = create_app(settings, database=db_path, clock=clock)
    try:
        assert differences(live, again.extensions["yichuang.service"].hall) == []
        repeated = again.test_client().post(PRINTER, json=PAPER_OUT, headers={
            "Authorization": f"Bearer {TOKENS['kiosk']}"})
        assert repeated.json["events"] == []       # still the same fault: no second alarm
    finally:
        again.extensions["yichuang.service"].close()


def test_the_clients_on_a_real_server(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    manager = HallClient(live_server.url, TOKENS["manager"])
    reported = kiosk.report_device("kiosk-1-printer", "fault", "cover_open", "盖子没关")
    assert isinstance(reported, DeviceHealthInfo) and reported.state == "fault"
    found = {d.device: d for d in manager.devices()}
    assert found["kiosk-1-printer"].code == "cover_open"
    assert kiosk.report_device("kiosk-1-printer", "ok").state == "ok"
