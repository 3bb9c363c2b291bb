"""The typed client's calls for 过号 (a no-show back in line), the acceptance slip and
the citizen's case page: part of `server.client.HallClient` (a module of its own to
keep each file short). Standard library and core only.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from core.events import LoggedEvent, event_from_dict
from core.printing import SlipPrint


def _logged(items: list[dict]) -> tuple[LoggedEvent, ...]:
    return tuple(LoggedEvent(e["id"], e["data"].get("at", ""),
                             event_from_dict(e["type"], e["data"])) for e in items)


class CaseCalls:
    """Mixed into `HallClient`, whose `request` sends each call."""

    def request(self, method: str, path: str, body: dict | None = None,
                idempotency_key: str | None = None) -> Any:
        raise NotImplementedError

    def requeue_ticket(self, number: str,
                       idempotency_key: str | None = None) -> tuple[LoggedEvent, ...]:
        """过号: a clerk or manager puts no-show `number` back in line (once)."""
        return _logged(self.request("POST", f"/api/tickets/{quote(number)}/requeue",
                                    {}, idempotency_key)["events"])

    def requeue_by_token(self, phone_token: str,
                         idempotency_key: str | None = None) -> tuple[LoggedEvent, ...]:
        """过号 at a kiosk: the citizen scanned their ticket (its QR's phone token)."""
        return _logged(self.request("POST", "/api/requeue",
                                    {"token": phone_token}, idempotency_key)["events"])

    def acceptance_slip(self, case_number: str, language: str = "zh") -> SlipPrint:
        """受理通知书 of an open case, to print it again."""
        answer = self.request("GET", f"/api/cases/{quote(case_number)}/slip?lang={language}")
        return SlipPrint.from_dict(answer["slip"])

    def public_case(self, case_token: str) -> dict:
        """What the citizen's case page shows (GET /api/public/cases/<token>)."""
        return self.request("GET", f"/api/public/cases/{quote(case_token)}")

    # --- 审批 in the back office (server/views/back_office.py) -------------------------
    def office_cases(self, status: str = "", matter: str = "", overdue: bool = False,
                     language: str = "zh") -> dict:
        """The cases the caller's department decides a part of (a manager: all):
        `{"department", "cases": [...]}`."""
        query = {"lang": language, **({"status": status} if status else {}),
                 **({"matter": matter} if matter else {}), **({"overdue": "1"} if overdue else {})}
        return self.request("GET", f"/api/office/cases?{urlencode(query)}")

    def office_case(self, case_number: str, language: str = "zh") -> dict:
        """One case as the back office sees it: parts, materials, history."""
        path = f"/api/office/cases/{quote(case_number)}?lang={language}"
        return self.request("GET", path)["case"]

    def approve_part(self, case_number: str, matter: str) -> tuple[LoggedEvent, ...]:
        """Approve the part `matter` of a case (its department's person, or a manager)."""
        return _logged(self.request(
            "POST", f"/api/office/cases/{quote(case_number)}/parts/{quote(matter)}/approve",
            {})["events"])

    def return_part(self, case_number: str, matter: str,
                    reason: str) -> tuple[LoggedEvent, ...]:
        """补正: return the part `matter` to the citizen with `reason`."""
        return _logged(self.request(
            "POST", f"/api/office/cases/{quote(case_number)}/parts/{quote(matter)}/return",
            {"reason": reason})["events"])

    def resubmit_part(self, case_number: str, matter: str,
                      note: str = "") -> tuple[LoggedEvent, ...]:
        """The citizen brought the correction of the part `matter` (a clerk or manager)."""
        body = {"note": note} if note else {}
        return _logged(self.request(
            "POST", f"/api/cases/{quote(case_number)}/parts/{quote(matter)}/resubmit",
            body)["events"])
