"""Replaying a recorded day from the hall's own database, as it is and as a what-if.

Through the launcher (`yichuang simulate`): it hands the simulator the server's
storage function that reads the day.
"""
from __future__ import annotations

import csv

from tests.conftest import DEMO_HALL, TOKENS, staff_window
from yichuang.cli import main as yichuang


def simulate(argv: list[str]) -> int:
    return yichuang(["simulate", *argv])


def record_a_morning(api, clock) -> list[str]:
    """A short real morning on the server: served tickets, a no-show, a cancellation."""
    clerk = staff_window(api, 6)
    numbers = []
    for subject in ("BDC-0401", "BDC-0402", "SB-0501", "BDC-0403"):
        numbers.append(api.post("/api/tickets", json={"subject": subject}).json["ticket"][
            "number"])
        clock.advance(minutes=2)
    left = api.post("/api/tickets", json={"subject": "BDC-0404"}).json["ticket"]["number"]
    api.as_(TOKENS["manager"]).post(f"/api/tickets/{left}/cancel")
    clerk.post("/api/windows/6/call-next")
    clerk.post("/api/windows/6/start")
    clock.advance(minutes=11)
    clerk.post("/api/windows/6/finish")
    clerk.post("/api/windows/6/call-next")
    clock.advance(minutes=1)
    clerk.post("/api/windows/6/no-show")
    return numbers


def read_results(path) -> dict:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["ticket_id"]: row for row in csv.DictReader(handle)}


def test_a_recorded_day_replays_under_another_policy(api, clock, db_path, tmp_path):
    numbers = record_a_morning(api, clock)
    out = tmp_path / "results.csv"
    code = simulate(["--hall", str(DEMO_HALL), "--from-db", db_path, "--policy", "fcfs",
                 "--out", str(out), "--no-progress"])
    assert code == 0
    results = read_results(out)
    assert sorted(results) == sorted(numbers)           # the cancelled ticket is not replayed
    assert [r["outcome"] for r in results.values()].count("no_show") == 1
    assert all(r["window"] and r["called"] >= r["issued"] for r in results.values())


def test_what_if_windows_served_another_pool(api, clock, db_path, tmp_path):
    record_a_morning(api, clock)
    as_recorded, what_if = tmp_path / "as-recorded.csv", tmp_path / "what-if.csv"
    assert simulate(["--hall", str(DEMO_HALL), "--from-db", db_path, "--out", str(as_recorded),
                 "--no-progress"]) == 0
    assert {"6", "7"} & {r["window"] for r in read_results(as_recorded).values()}
    assert simulate(["--hall", str(DEMO_HALL), "--from-db", db_path, "--day", "2026-11-23",
                 "--move", "6=pickup", "--move", "7=pickup", "--out", str(what_if),
                 "--no-progress"]) == 0
    moved = read_results(what_if)
    assert len(moved) == 4 and not {"6", "7"} & {r["window"] for r in moved.values()}


def test_bad_replay_requests_are_named(api, clock, db_path, tmp_path, capsys):
    record_a_morning(api, clock)
    assert simulate(["--hall", str(DEMO_HALL), "--from-db", db_path, "--day", "2026-01-01"]) == 2
    assert "no tickets on 2026-01-01" in capsys.readouterr().err
    assert simulate(["--hall", str(DEMO_HALL), "--from-db", db_path, "--move", "99=x"]) == 2
    assert "no window '99'" in capsys.readouterr().err
    assert simulate(["--hall", str(DEMO_HALL), "--from-db", str(tmp_path / "none.db")]) == 2
    assert "cannot read the hall database" in capsys.readouterr().err
