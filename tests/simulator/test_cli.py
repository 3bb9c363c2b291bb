import csv

import pytest

from simulator.cli import main
from simulator.replay import trace_from_rows
from simulator.trace import RESULT_FIELDS, TRACE_FIELDS, TraceError

HALL = "synthetic:small"


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_generate_then_simulate_writes_the_documented_formats(tmp_path, capsys):
    trace, out = tmp_path / "t.csv", tmp_path / "r.csv"
    assert main(["--hall", HALL, "--generate", "--seed", "4", "--load", "0.7",
                 "--out", str(trace)]) == 0
    rows = _rows(trace)
    assert tuple(rows[0]) == TRACE_FIELDS and len(rows) > 100
    assert main(["--hall", HALL, "--trace", str(trace), "--policy", "balanced",
                 "--out", str(out), "--progress"]) == 0
    results = _rows(out)
    assert tuple(results[0]) == RESULT_FIELDS and len(results) == len(rows)
    first = dict(zip(results[0], results[1]))
    assert first["outcome"] in ("served", "no_show")
    assert len(first["called"]) == 8 and first["called"][2] == ":"
    float(first["eta_minutes"])
    err = capsys.readouterr().err
    assert "wait mean" in err and "#" in err


@pytest.mark.parametrize("row, message", [
    ("T1,09:00:00,no_such_matter,normal,5,0", "line 2: unknown matter"),
    ("T1,9h00,invoice,normal,5,0", "line 2: arrival: bad time"),
    ("T1,09:00:00,invoice,vip,5,0", "line 2: bad priority"),
    ("T1,09:00:00,invoice,normal,5,yes", "line 2: bad no_show"),
])
def test_bad_rows_are_named_by_line(tmp_path, capsys, row, message):
    trace = tmp_path / "bad.csv"
    trace.write_text(",".join(TRACE_FIELDS) + "\n" + row + "\n", encoding="utf-8")
    assert main(["--hall", HALL, "--trace", str(trace), "--out", str(tmp_path / "r.csv")]) == 2
    assert message in capsys.readouterr().err


def test_demo_hall_runs_when_present(tmp_path):
    from pathlib import Path
    demo = Path(__file__).resolve().parents[2] / "config" / "demo-hall.toml"
    if not demo.exists():
        pytest.skip("no demo hall yet")
    trace = tmp_path / "t.csv"
    assert main(["--hall", str(demo), "--generate", "--seed", "1", "--out", str(trace)]) == 0
    assert main(["--hall", str(demo), "--trace", str(trace), "--out", str(tmp_path / "r.csv"),
                 "--no-progress"]) == 0


def test_trace_from_database_rows():
    rows = [{"ticket_id": "A2", "issued_at": "09:10:00", "matter": "invoice",
             "priority": "elderly", "service_seconds": 300, "no_show": False},
            {"ticket_id": "A1", "issued_at": "09:00:00", "matter": "invoice",
             "priority": "normal", "service_seconds": None, "no_show": True}]
    trace = trace_from_rows(rows)
    assert [t.ticket_id for t in trace] == ["A1", "A2"]
    assert trace[1].service_minutes == 5.0 and trace[0].no_show
    with pytest.raises(TraceError, match="row 1"):
        trace_from_rows([{"ticket_id": "X", "issued_at": "late", "matter": "m",
                          "priority": "normal"}])
