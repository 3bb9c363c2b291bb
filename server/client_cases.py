"""The typed client's calls for 过号 (a no-show back in line), the acceptance slip and
the citizen's case page: part of `server.client.HallClient` (a module of its own to
keep each file short). Standard library and core only.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

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

    def requeue_ticket(self, number: str) -> tuple[LoggedEvent, ...]:
        """过号: a clerk or manager puts no-show `number` back in line (once)."""
        return _logged(self.request("POST", f"/api/tickets/{quote(number)}/requeue",
                                    {})["events"])

    def requeue_by_token(self, phone_token: str) -> tuple[LoggedEvent, ...]:
        """过号 at a kiosk: the citizen scanned their ticket (its QR's phone token)."""
        return _logged(self.request("POST", "/api/requeue",
                                    {"token": phone_token})["events"])

    def acceptance_slip(self, case_number: str, language: str = "zh") -> SlipPrint:
        """受理通知书 of an open case, to print it again."""
        answer = self.request("GET", f"/api/cases/{quote(case_number)}/slip?lang={language}")
        return SlipPrint.from_dict(answer["slip"])

    def public_case(self, case_token: str) -> dict:
        """What the citizen's case page shows (GET /api/public/cases/<token>)."""
        return self.request("GET", f"/api/public/cases/{quote(case_token)}")
