"""The day report (core/reports.py) over a small day played with the real actions: three
tickets served at two windows (one rated, one rated badly), a no-show, one still waiting;
the totals, waits and service times by category, window and hour, and the rows of the
spreadsheet in Chinese and English."""
from __future__ import annotations

import pytest

from core.actions.ratings import submit_rating
from core.actions.serving import call_ticket, finish_service, mark_no_show, start_service
from core.reports import REPORT_COLUMNS, day_report, report_rows
from tests.core.actions.helpers import TODAY, at, staffed, take


@pytest.fixture
def day(hall):
    """09:00 A(business) and B(tax) taken; window 1 calls the first at 09:05, serves it
    09:06-09:18 (rated 5); window 2 calls the second at 09:10, serves 09:10-09:14 (rated
    2, with a reason); at 10:00 two more: one called at 10:20 and a no-show, one still
    waiting."""
    staffed(hall, 1, 2)
    first = take(hall, "SS-0101", at())
    second = take(hall, "SW-0301", at())
    call_ticket(hall, 1, first, at(minutes=5))
    start_service(hall, 1, at(minutes=6))
    finish_service(hall, 1, at(minutes=18))
    call_ticket(hall, 2, second, at(minutes=10))
    start_service(hall, 2, at(minutes=10))
    finish_service(hall, 2, at(minutes=14))
    submit_rating(hall, first, 5, "", at(minutes=19), 1)
    submit_rating(hall, second, 2, "等太久", at(minutes=15), 2)
    gone = take(hall, "SS-0101", at(hours=1))
    waiting = take(hall, "SW-0301", at(hours=1, minutes=1))
    call_ticket(hall, 1, gone, at(hours=1, minutes=20))
    mark_no_show(hall, 1, at(hours=1, minutes=30))
    hall.take_changes()
    return {"first": first, "second": second, "gone": gone, "waiting": waiting}


def test_the_day_in_figures(hall, settings, day):
    report = day_report(TODAY, hall.tickets.values(), settings)
    assert report["service_day"] == TODAY and report["issued"] == 4
    assert report["by_state"]["finished"] == 2 and report["by_state"]["no_show"] == 1
    assert report["by_state"]["waiting"] == 1
    assert report["waits"]["count"] == 3                       # called: 5, 10 and 20 min
    assert report["waits"]["mean_minutes"] == pytest.approx(11.7)
    assert report["mean_service_minutes"] == 8.0                # 12 and 4 minutes
    assert report["ratings"]["rated"] == 2 and report["ratings"]["bad"] == 1
    windows = {w["window"]: w for w in report["by_window"]}
    assert windows[1] == {"window": 1, "name": "1号窗口", "finished": 1, "no_shows": 1,
                          "mean_service_minutes": 12.0, "rated": 1, "bad": 0,
                          "satisfied_share": 1.0}
    assert windows[2]["finished"] == 1 and windows[2]["satisfied_share"] == 0.0
    categories = {c["category"]: c for c in report["by_category"]}
    assert categories["business"]["name"] == "商事登记"
    assert categories["business"]["issued"] == 2 and categories["business"]["no_shows"] == 1
    assert categories["business"]["waits"]["mean_minutes"] == 12.5       # 5 and 20
    assert categories["tax"]["mean_service_minutes"] == 4.0
    assert report["by_hour"] == [{"hour": 9, "issued": 2, "mean_wait_minutes": 7.5},
                                 {"hour": 10, "issued": 2, "mean_wait_minutes": 20.0}]


def test_a_day_without_tickets_is_all_zeros(settings):
    report = day_report(TODAY, [], settings)
    assert report["issued"] == 0 and report["waits"] == {"count": 0, "mean_minutes": None,
                                                         "max_minutes": None}
    assert report["by_window"] == report["by_category"] == report["by_hour"] == []
    assert report["mean_service_minutes"] is None


def test_one_row_per_ticket_in_either_language(hall, settings, day):
    rows = report_rows(hall.tickets.values(), settings)
    assert [r["number"] for r in rows] == [day[k] for k in ("first", "second", "gone",
                                                             "waiting")]
    assert all(set(r) == set(REPORT_COLUMNS) for r in rows)
    first = rows[0]
    assert first["subject"] == "SS-0101" and first["category_name"] == "商事登记"
    assert first["pool_name"] == "综合受理A区"
    assert (first["issued_at"], first["called_at"], first["finished_at"]) == (
        "09:00:00", "09:05:00", "09:18:00")
    assert (first["wait_minutes"], first["service_minutes"], first["rating"]) == (
        "5.0", "12.0", "5")
    assert (first["window"], first["clerk"], first["state"]) == ("1", "clerk-01", "finished")
    assert rows[2]["state"] == "no_show" and rows[2]["service_minutes"] == ""
    assert rows[3]["called_at"] == rows[3]["window"] == rows[3]["wait_minutes"] == ""
    english = report_rows(hall.tickets.values(), settings, "en")[0]
    assert english["pool_name"] == "Comprehensive acceptance, area A (enterprises)"
    assert english["subject_name"] != first["subject_name"] and english["subject_name"]


@pytest.mark.parametrize("value, shown", [
    ("=HYPERLINK(\"http://x\",\"点此\")", "'=HYPERLINK(\"http://x\",\"点此\")"),
    ("+86 cmd", "'+86 cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tname", "'\tname"), ("\rname", "'\rname"),
    ("-1.5", "-1.5"), ("+3", "+3"), ("12.0", "12.0"), ("", ""), ("社保医保", "社保医保"),
    ("A001", "A001"), ("09:05:00", "09:05:00"),
])
def test_a_spreadsheet_cell_never_runs_as_a_formula(value, shown):
    from core.reports import spreadsheet_cell
    assert spreadsheet_cell(value) == shown
