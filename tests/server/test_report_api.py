"""The day report on the real server (127.0.0.1) and a real SQLite file: today's from the
live hall, Monday's read back from the database once Tuesday has begun, the spreadsheet
(CSV with a byte-order mark, Chinese headers and words, or English), and the refusals:
a day still to come, a malformed day, anyone but a manager."""
from __future__ import annotations

import csv
import io
import urllib.request

import pytest

from core.messages.refusals import explain
from server.client import ApiError, HallClient
from tests.conftest import TOKENS, clerk_token


def served_two(url: str) -> dict:
    kiosk = HallClient(url, TOKENS["kiosk"])
    clerk = HallClient(url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    numbers = [kiosk.issue_ticket(subject).ticket.number for subject in ("SS-0101", "SW-0301")]
    first = clerk.call_next(1).ticket.number
    clerk.start_service(1)
    clerk.finish_service(1)
    kiosk.issue_ticket("SS-0101")
    return {"numbers": numbers, "first": first}


def csv_of(url: str, query: str = "", token: str = TOKENS["manager"]) -> tuple[dict, str]:
    request = urllib.request.Request(f"{url}/api/report.csv{query}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return dict(answer.headers), answer.read().decode("utf-8")


def test_today_and_an_earlier_day_and_the_spreadsheet(live_server):
    url = live_server.url
    played = served_two(url)
    manager = HallClient(url, TOKENS["manager"])
    today = manager.request("GET", "/api/report")
    assert today["service_day"] == "2026-11-23" and today["issued"] == 3
    assert today["by_state"]["finished"] == 1 and today["by_state"]["waiting"] == 2
    assert [w["window"] for w in today["by_window"]] == [1]
    assert today["by_hour"][0]["hour"] == 9 and today["by_hour"][0]["issued"] == 3
    assert manager.request("GET", "/api/report?day=2026-11-23") == today

    headers, text = csv_of(url, "?day=2026-11-23")
    assert text.startswith("\ufeff") and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="report-2026-11-23.csv"' in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["号码", "事项编码", "事项", "类别"] and len(rows) == 4
    first = next(dict(zip(rows[0], row)) for row in rows[1:] if row[0] == played["first"])
    assert first["号码状态"] == "已办结" and first["事项编码"] in ("SS-0101", "SW-0301")
    assert [row[0] for row in rows[1:3]] == played["numbers"]          # oldest first
    assert first["窗口"] == "1" and first["优先类别"] == "普通"
    assert first["取号方式"] == "自助取号机"
    _, english = csv_of(url, "?lang=en")
    header = next(csv.reader(io.StringIO(english[1:])))
    assert header[:3] == ["Number", "Matter code", "Matter"] and "Ticket state" in header

    # Tuesday: Monday's tickets are in the database; its waiting ones were cancelled
    live_server.clock.advance(days=1)
    HallClient(url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    monday = manager.day_report("2026-11-23")
    assert monday["issued"] == 3 and monday["by_state"]["finished"] == 1
    assert monday["by_state"]["cancelled"] == 2 and monday["by_state"]["waiting"] == 0
    assert monday["by_window"][0]["finished"] == 1
    tuesday = manager.day_report()
    assert tuesday["service_day"] == "2026-11-24" and tuesday["issued"] == 1
    assert manager.request("GET", "/api/report?day=2026-11-01")["issued"] == 0


def test_refusals(live_server):
    url = live_server.url
    manager = HallClient(url, TOKENS["manager"])
    with pytest.raises(ApiError) as future:
        manager.request("GET", "/api/report?day=2026-11-24")
    assert future.value.status == 422 and future.value.code == "report_day_in_future"
    assert future.value.details == {"day": "2026-11-24"}
    assert explain(future.value.code, future.value.details) == (
        "2026-11-24尚未到来：日报只能查看今天或之前的日期。")      # as the console says it
    with pytest.raises(ApiError) as malformed:
        manager.request("GET", "/api/report?day=23.11.2026")
    assert malformed.value.status == 422
    for token in (clerk_token(1), TOKENS["kiosk"], TOKENS["display"]):
        with pytest.raises(ApiError) as refused:
            HallClient(url, token).request("GET", "/api/report")
        assert refused.value.status == 403
    with pytest.raises(urllib.error.HTTPError) as clerk:
        csv_of(url, token=clerk_token(1))
    assert clerk.value.code == 403
