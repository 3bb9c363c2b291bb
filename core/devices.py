"""Device health: what each device of the hall last said about itself.

A kiosk reports its printer out of paper, a display its screen offline. The hall
keeps the latest state per device (since when, and when it last reported); a
device that turns faulty raises an alarm for the managers once, not at every
repeated report, and its recovery is recorded.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime

STATES = ("ok", "fault")
UNKNOWN = "unknown"             # configured, never reported
# The codes the shipped devices report; a driver may add its own (same spelling rule).
FAULT_CODES = ("paper_out", "paper_low", "cover_open", "offline", "unreadable",
               "jammed", "cutter_error", "overheated", "not_found")
CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
DETAIL_LENGTH = 200


@dataclass(frozen=True)
class DeviceHealthInfo:
    """A device's health as clients see it (JSON on the wire)."""

    device: str
    kind: str            # from the config's [[devices]], "" for a device not listed there
    state: str           # ok, fault, unknown
    code: str
    detail: str
    since: str | None    # when it entered this state
    last_report: str | None
    reported_by: str

    @classmethod
    def from_dict(cls, data: dict) -> DeviceHealthInfo:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass
class DeviceHealth:
    device: str
    state: str
    code: str
    detail: str
    since: datetime
    last_report: datetime
    reported_by: str

    def info(self, kind: str = "") -> DeviceHealthInfo:
        return DeviceHealthInfo(self.device, kind, self.state, self.code, self.detail,
                                self.since.isoformat(), self.last_report.isoformat(),
                                self.reported_by)

    def public(self, kind: str = "") -> dict:
        return asdict(self.info(kind))


def never_reported(device: str, kind: str) -> DeviceHealthInfo:
    return DeviceHealthInfo(device, kind, UNKNOWN, "", "", None, None, "")
