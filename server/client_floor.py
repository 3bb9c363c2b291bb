"""The typed client's calls for floor helpers (呼叫帮办), self-service forms (自助办理),
协同 (a window helping another pool) and the pool advisor's advice, case progress
(办件查询), device health and the day report (日报): part of `server.client.HallClient`
(kept in a module of its own to keep each file short). Standard library and core only.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from core.cases import CaseInfo
from core.devices import DeviceHealthInfo
from core.help_requests import HelpRequestInfo
from core.settings.forms import Form
from core.windows import WindowInfo


@dataclass(frozen=True)
class CaseProgress:
    """办件查询: where a case stands, with no personal data (`GET .../progress`)."""

    number: str
    status: str                 # in_review, ready
    subject: str
    subject_name: str
    subject_name_en: str
    opened_on: str
    due_date: str
    missing_materials: tuple[str, ...]
    supply_by: str | None
    ready_for_pickup: bool

    @classmethod
    def from_dict(cls, data: dict) -> CaseProgress:
        values = {f.name: data[f.name] for f in fields(cls)}
        values["missing_materials"] = tuple(values["missing_materials"])
        return cls(**values)


class FloorCalls:
    """Mixed into `HallClient`, whose `request` sends each call."""

    def request(self, method: str, path: str, body: dict | None = None,
                idempotency_key: str | None = None) -> Any:
        raise NotImplementedError

    # --- floor helpers (呼叫帮办) ---------------------------------------------------------
    def request_help(self, where: str, reason: str, note: str = "",
                     idempotency_key: str | None = None) -> HelpRequestInfo:
        """A kiosk calls a floor helper; `reason` is one of core.help_requests.REASONS."""
        body = {"where": where, "reason": reason, "note": note}
        answer = self.request("POST", "/api/help", body, idempotency_key)
        return HelpRequestInfo.from_dict(answer["help_request"])

    def help_requests(self, state: str = "open") -> list[HelpRequestInfo]:
        """Today's calls: open, taken, active (open or taken), done, cancelled or all."""
        found = self.request("GET", f"/api/help?state={quote(state)}")["help_requests"]
        return [HelpRequestInfo.from_dict(r) for r in found]

    def take_help(self, request_id: str) -> HelpRequestInfo:
        answer = self.request("POST", f"/api/help/{quote(request_id)}/take", {})
        return HelpRequestInfo.from_dict(answer["help_request"])

    def finish_help(self, request_id: str) -> HelpRequestInfo:
        answer = self.request("POST", f"/api/help/{quote(request_id)}/finish", {})
        return HelpRequestInfo.from_dict(answer["help_request"])

    # --- self-service (自助办理) and case progress (办件查询) ---------------------------------
    def forms(self) -> list[Form]:
        """The hall's self-service forms (check values with core.forms.validate)."""
        return [Form.from_dict(f) for f in self.request("GET", "/api/self-service")["forms"]]

    def submit_form(self, form: str, fields: dict, id_card: str | None = None,
                    id_card_read: bool = False,
                    idempotency_key: str | None = None) -> CaseInfo:
        """Submit a form: the case it opened. A bad field is an ApiError with code
        form_field_invalid and details field, label, label_en, reason_code."""
        body: dict = {"fields": dict(fields)}
        if id_card:
            body["id_card"], body["id_card_read"] = id_card, id_card_read
        answer = self.request("POST", f"/api/self-service/{quote(form)}", body,
                              idempotency_key)
        return CaseInfo.from_dict(answer["case"])

    def case_progress(self, number: str) -> CaseProgress:
        body = self.request("GET", f"/api/cases/{quote(number)}/progress")["progress"]
        return CaseProgress.from_dict(body)

    # --- 好差评 from a window's rating pad ---------------------------------------------------
    def submit_rating(self, number: str, level: int, reason: str = "",
                      window: int | None = None, idempotency_key: str | None = None) -> tuple:
        """A rating pad's rating of a finished service (its LoggedEvents); level 0: the
        pad invited and no rating came (未评价). `window`: a pads bridge names the window
        (one whose pad it owns); a one-window pad's credential need not."""
        from server.client import _logged
        body: dict = {"number": number, "level": level}
        if reason:
            body["reason"] = reason
        if window is not None:
            body["window"] = window
        return _logged(self.request("POST", "/api/ratings", body, idempotency_key)["events"])

    # --- device health ------------------------------------------------------------------
    def report_device(self, device: str, state: str, code: str = "",
                      detail: str = "") -> DeviceHealthInfo:
        """A device's state (`ok` or `fault` with a code such as paper_out); reported for
        the caller itself or a [[devices]] entry it owns."""
        body = {"state": state, "code": code, "detail": detail}
        answer = self.request("POST", f"/api/devices/{quote(device, safe='')}/health", body)
        return DeviceHealthInfo.from_dict(answer["device"])

    def devices(self) -> list[DeviceHealthInfo]:
        return [DeviceHealthInfo.from_dict(d)
                for d in self.request("GET", "/api/devices")["devices"]]

    # --- 协同 and the pool advisor (managers) --------------------------------------------
    def _window(self, number: int, action: str, body: dict | None = None,
                key: str | None = None) -> Any:
        raise NotImplementedError

    def help_pool(self, window: int, pool: str, until: str | None = None,
                  idempotency_key: str | None = None) -> Any:
        """The window also serves `pool` until `until` ("HH:MM"; None: the rest of the
        day), keeping its home pool: a `WindowAnswer` whose window's `helping` shows it."""
        body = {"pool": pool} | ({"until": until} if until else {})
        return self._window(window, "help", body, key=idempotency_key)

    def stop_helping(self, window: int, pool: str,
                     idempotency_key: str | None = None) -> Any:
        return self._window(window, "stop-helping", {"pool": pool}, key=idempotency_key)

    def day_report(self, day: str | None = None) -> dict:
        """The day report of today or an earlier day, "YYYY-MM-DD" (`GET /api/report`)."""
        return self.request("GET", "/api/report" + (f"?day={day}" if day else ""))

    def advice(self, state: str = "open") -> dict:
        """Today's advice (`advice`: a list of dicts as docs/api.md gives them) and the
        last assessment's `projection`."""
        return self.request("GET", f"/api/advice?state={quote(state)}")

    def assess_advice(self) -> dict:
        """Assess the hall now: `advice` (the open one), `events`, `projection`."""
        answer = self.request("POST", "/api/advice/assess", {})
        return answer | {"events": _events(answer["events"])}

    def accept_advice(self, advice_id: str, idempotency_key: str | None = None) -> dict:
        """Apply the advice: `advice`, `window` (a WindowInfo) and `events`."""
        return self._decided(advice_id, "accept", idempotency_key)

    def dismiss_advice(self, advice_id: str, idempotency_key: str | None = None) -> dict:
        return self._decided(advice_id, "dismiss", idempotency_key)

    def _decided(self, advice_id: str, action: str, key: str | None) -> dict:
        answer = self.request("POST", f"/api/advice/{quote(advice_id, safe='')}/{action}",
                              {}, key)
        return answer | {"window": WindowInfo.from_dict(answer["window"]),
                         "events": _events(answer["events"])}


def _events(answer: list) -> Any:
    from server.client import _logged
    return _logged(answer)
