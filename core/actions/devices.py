"""Device health reports: the latest state per device, an alarm when one turns faulty.

Who may report for a device: the device itself (a kiosk, display or rating pad
reports under its own credential name), or the app that drives it: a `[[devices]]`
entry whose `owner` is the reporting credential (kiosk-1 drives kiosk-1-printer).
So a kiosk cannot report a display's screen, nor another kiosk's printer.

A change ok -> fault (or a first report that is a fault) raises one `AlarmRaised`
(kind `device_fault`) and a `DeviceHealthChanged`; a repeated report of the same
state and code only renews `last_report` (and the detail); another fault code while
faulty is a `DeviceHealthChanged` without a second alarm; fault -> ok records the
recovery (`DeviceHealthChanged`).
"""
from __future__ import annotations

from datetime import datetime

from core.actions.alarms import raise_alarm
from core.devices import CODE, DETAIL_LENGTH, STATES, UNKNOWN, DeviceHealth
from core.errors import Forbidden, Invalid
from core.events import DeviceHealthChanged, Event
from core.hall import Hall

TABLE = "devices"


def device_row(health: DeviceHealth) -> dict:
    return {"device": health.device, "state": health.state, "code": health.code,
            "detail": health.detail, "since": health.since.isoformat(),
            "last_report": health.last_report.isoformat(),
            "reported_by": health.reported_by}


def device_from_row(row: dict) -> DeviceHealth:
    return DeviceHealth(device=row["device"], state=row["state"], code=row["code"] or "",
                        detail=row["detail"] or "",
                        since=datetime.fromisoformat(row["since"]),
                        last_report=datetime.fromisoformat(row["last_report"]),
                        reported_by=row["reported_by"] or "")


def may_report(hall: Hall, reporter: str, device: str) -> bool:
    """The device is the reporter itself, or a configured device it owns."""
    if device == reporter:
        return True
    return any(d.name == device and d.owner == reporter
               for d in hall.settings.devices)


def device_kind(hall: Hall, device: str) -> str:
    return next((d.kind for d in hall.settings.devices if d.name == device), "")


def report_device(hall: Hall, reporter: str, device: str, state: str, code: str,
                  detail: str, now: datetime) -> list[Event]:
    device, code, detail = device.strip(), code.strip(), detail.strip()
    if not may_report(hall, reporter, device):
        raise Forbidden(f"{reporter} may report only for itself or for the devices it "
                        f"drives ([[devices]] owner = \"{reporter}\"), not for {device}",
                        device=device, code="device_not_yours")
    if state not in STATES:
        raise Invalid(f"state must be one of {list(STATES)}", field="state")
    if code and not CODE.fullmatch(code):
        raise Invalid(f"code {code!r} must be lowercase ASCII letters, digits and '_'",
                      field="code", code="device_code_invalid")
    if state == "fault" and not code:
        raise Invalid("a fault needs a code (paper_out, cover_open, offline ...)",
                      field="code", code="device_code_invalid")
    if len(detail) > DETAIL_LENGTH:
        raise Invalid(f"detail is at most {DETAIL_LENGTH} characters", field="detail",
                      max_length=DETAIL_LENGTH)
    before = hall.devices.get(device)
    previous = before.state if before else UNKNOWN
    # the same state and code again (a changed detail included) is no news
    same = before is not None and (before.state, before.code) == (state, code)
    health = DeviceHealth(device=device, state=state, code=code, detail=detail,
                          since=before.since if same else now, last_report=now,
                          reported_by=reporter)
    hall.devices[device] = health
    hall.record_row(TABLE, device, device_row(health))
    if same or (before is None and state == "ok"):
        return []                   # nothing new to tell: no event, no alarm
    events: list[Event] = [DeviceHealthChanged(device=device, state=state, code=code,
                                               detail=detail, previous_state=previous)]
    if state == "fault" and previous != "fault":
        message = f"{device}: {code}" + (f" ({detail})" if detail else "")
        events += raise_alarm(hall, device, "device_fault", message, now)
    return events
