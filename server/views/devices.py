"""Device health: devices report their state, managers see every device's."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, g

from core.actions.devices import device_kind, report_device
from core.devices import DETAIL_LENGTH, FAULT_CODES, STATES, never_reported
from server.auth import requires
from server.payloads import Values, accepts, text
from server.views.common import act, events_json, service

blueprint = Blueprint("devices", __name__, url_prefix="/api/devices")

DEVICE = text("device", 64, doc="the device's name: the caller's own, or a [[devices]] "
                                "entry it owns", example="kiosk-1-printer")


@blueprint.post("/<device>/health")
@requires("kiosk", "display", "rating_pad", "keypad")
@accepts(body=[text("state", 16, choices=STATES, example="fault"),
               text("code", 32, required=False,
                    doc="why, for a fault: " + ", ".join(FAULT_CODES) + " …",
                    example="paper_out"),
               text("detail", DETAIL_LENGTH, required=False, doc="free text",
                    example="纸仓空")],
         path=[DEVICE])
def report(device: str, body: Values):
    """A device (or the app that drives it) reports its state; a new fault alarms."""
    reporter, state, code, detail = g.principal.name, body["state"], body["code"], body["detail"]

    def action(hall, now):
        return report_device(hall, reporter, device, state, code, detail, now)

    def picture(hall):
        return hall.devices[device.strip()].public(device_kind(hall, device.strip()))
    logged, health = act(action, picture)
    return {"device": health, "events": events_json(logged)}


@blueprint.get("")
@requires("manager")
@accepts()
def devices():
    """Every configured or reporting device with its last reported health."""
    def picture(hall, now):
        listed = [hall.devices[d.name].public(d.kind) if d.name in hall.devices
                  else asdict(never_reported(d.name, d.kind)) for d in hall.settings.devices]
        configured = {d.name for d in hall.settings.devices}
        listed += [h.public(device_kind(hall, name)) for name, h in sorted(hall.devices.items())
                   if name not in configured]
        return listed
    return {"devices": service().read(picture)}
