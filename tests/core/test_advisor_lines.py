"""What the manager is told about every long line (core/advisor_lines.py): relieved by an
advice, nobody else knows its matters, the windows that know them cannot be spared, or
nothing tried would shorten the waits."""
from __future__ import annotations

from core.advisor import AdvisorSettings, assess_many
from core.advisor_lines import LineReason, suffering_report
from tests.core.test_advisor import NOW, expected, facts, mismatched


def report(windows, waiting, **options):
    decisions = assess_many(waiting, windows, NOW, "balanced", expected, facts(windows),
                            **options)
    return suffering_report(decisions, windows)


def test_a_line_an_advice_relieves_names_its_window():
    windows, waiting = mismatched()
    [line] = report(windows, waiting)
    assert (line.pool, line.category, line.reason) == ("a", "x", LineReason.RELIEVED)
    assert line.window in (4, 5) and line.waiting == 24 and line.mean_minutes > 20
    assert line.as_dict() == {"pool": "a", "category": "x", "waiting": 24,
                              "mean_minutes": round(line.mean_minutes, 1),
                              "reason": "relieved", "window": line.window}


def test_a_line_nobody_else_knows():
    windows, waiting = mismatched()
    # without windows 4 and 5 only the green window 7 knows x, and it serves a already
    windows = [w for w in windows if w.view.number not in (4, 5)]
    [line] = report(windows, waiting)
    assert (line.reason, line.window) == (LineReason.NO_SKILLED_WINDOW, None)


def test_a_line_whose_skilled_windows_cannot_be_spared():
    windows, waiting = mismatched()
    [line] = report(windows, waiting, keep={4, 5})        # moved a short while ago
    assert line.reason is LineReason.CANNOT_SPARE
    busy_b = {"a": 60.0, "b": 4 * 60.0}                    # pool b full with its own work
    [line] = report(windows, waiting, recent_work=busy_b,
                    settings=AdvisorSettings(helps=False))
    assert line.reason is LineReason.CANNOT_SPARE


def test_a_line_no_tried_window_would_shorten():
    windows, waiting = mismatched()
    [line] = report(windows, waiting, settings=AdvisorSettings(min_gain_minutes=10_000.0))
    assert line.reason is LineReason.NO_GAIN


def test_a_balanced_hall_has_no_long_line():
    windows, waiting = mismatched()
    assert report(windows, waiting[-2:]) == []
    assert suffering_report([], windows) == []
