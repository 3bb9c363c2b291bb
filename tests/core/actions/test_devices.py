"""Device health: transitions, one alarm per fault, and who may report for a device."""
from __future__ import annotations

import pytest

from core.actions.devices import report_device
from core.errors import Forbidden, Invalid
from core.events import for_public
from tests.core.actions.helpers import NOW, at

PRINTER = "kiosk-1-printer"       # owner = "kiosk-1" in the demo hall


def _types(events) -> list[str]:
    return [e.type for e in events]


def test_a_first_ok_is_kept_but_tells_nobody(hall):
    assert report_device(hall, "kiosk-1", PRINTER, "ok", "", "", NOW) == []
    health = hall.devices[PRINTER]
    assert (health.state, health.since, health.last_report) == ("ok", NOW, NOW)
    assert hall.take_changes().rows[("devices", PRINTER)]["state"] == "ok"


def test_a_fault_raises_one_alarm_however_often_it_is_reported(hall):
    report_device(hall, "kiosk-1", PRINTER, "ok", "", "", NOW)
    events = report_device(hall, "kiosk-1", PRINTER, "fault", "paper_out", "纸仓空",
                           at(minutes=1))
    assert _types(events) == ["DeviceHealthChanged", "AlarmRaised"]
    changed, alarm = events
    assert (changed.state, changed.code, changed.previous_state) == ("fault", "paper_out", "ok")
    assert (alarm.source, alarm.kind) == (PRINTER, "device_fault")
    assert "paper_out" in alarm.message
    hall.take_changes()
    for minute in range(2, 6):      # the kiosk keeps saying so, the detail changing
        assert report_device(hall, "kiosk-1", PRINTER, "fault", "paper_out",
                             f"第{minute}次", at(minutes=minute)) == []
    health = hall.devices[PRINTER]
    assert health.since == at(minutes=1) and health.last_report == at(minutes=5)
    assert health.detail == "第5次"
    assert hall.take_changes().rows[("devices", PRINTER)]["last_report"] == \
        at(minutes=5).isoformat()


def test_another_fault_code_is_news_but_no_second_alarm(hall):
    report_device(hall, "kiosk-1", PRINTER, "fault", "paper_low", "", NOW)
    events = report_device(hall, "kiosk-1", PRINTER, "fault", "paper_out", "", at(minutes=9))
    assert _types(events) == ["DeviceHealthChanged"]
    assert events[0].previous_state == "fault"
    assert hall.devices[PRINTER].since == at(minutes=9)


def test_a_first_report_that_is_a_fault_alarms(hall):
    events = report_device(hall, "kiosk-1", PRINTER, "fault", "offline", "", NOW)
    assert _types(events) == ["DeviceHealthChanged", "AlarmRaised"]
    assert events[0].previous_state == "unknown"


def test_recovery_is_recorded_and_a_new_fault_alarms_again(hall):
    report_device(hall, "kiosk-1", PRINTER, "fault", "cover_open", "", NOW)
    events = report_device(hall, "kiosk-1", PRINTER, "ok", "", "", at(minutes=3))
    assert _types(events) == ["DeviceHealthChanged"]
    assert (events[0].state, events[0].previous_state) == ("ok", "fault")
    assert hall.devices[PRINTER].since == at(minutes=3)
    again = report_device(hall, "kiosk-1", PRINTER, "fault", "cover_open", "", at(minutes=8))
    assert _types(again) == ["DeviceHealthChanged", "AlarmRaised"]


@pytest.mark.parametrize("reporter, device", [
    ("kiosk-1", "hall-led-screen"),        # a kiosk for the display's screen
    ("kiosk-1", "kiosk-2-printer"),        # ... or another kiosk's printer
    ("kiosk-2", "kiosk-1"),                # ... or another kiosk itself
    ("hall-display", PRINTER),
    ("pad-01", "window-1-rating-pad"),     # a device with no owner: only itself
])
def test_a_device_reports_only_for_itself_and_what_it_owns(hall, reporter, device):
    with pytest.raises(Forbidden) as refused:
        report_device(hall, reporter, device, "fault", "offline", "", NOW)
    assert refused.value.code == "device_not_yours"
    assert not hall.changes and not hall.devices


@pytest.mark.parametrize("reporter, device", [
    ("kiosk-1", "kiosk-1"), ("kiosk-1", PRINTER), ("kiosk-1", "kiosk-1-id-reader"),
    ("hall-display", "hall-led-screen"), ("hall-display", "hall-display"),
    ("pad-01", "pad-01"),
])
def test_what_a_device_may_report(hall, reporter, device):
    assert _types(report_device(hall, reporter, device, "fault", "offline", "", NOW)) == [
        "DeviceHealthChanged", "AlarmRaised"]


@pytest.mark.parametrize("state, code, detail", [
    ("fault", "", ""),                    # a fault says what
    ("fault", "Paper Out", ""),           # codes are lowercase ASCII
    ("fault", "纸尽", ""),
    ("broken", "offline", ""),
    ("fault", "offline", "x" * 201),
])
def test_bad_reports_are_refused(hall, state, code, detail):
    with pytest.raises(Invalid):
        report_device(hall, "kiosk-1", PRINTER, state, code, detail, NOW)
    assert not hall.changes and not hall.devices


def test_device_health_never_reaches_the_public_stream(hall):
    events = report_device(hall, "kiosk-1", PRINTER, "fault", "paper_out", "", NOW)
    assert [for_public(e) for e in events] == [None, None]
