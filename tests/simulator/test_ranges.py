"""The simulator's 80% ranges: calibrated online as the day goes, after a history day,
they hold close to 80% of actual waits; the results CSV carries them after the point."""
from __future__ import annotations

import csv
import io

from core.forecast.ranges import RangeCalibrator
from core.forecast.service_times import ServiceTimeModel
from simulator.engine import Simulation
from simulator.family import draw_day, tuning_seeds
from simulator.generator import generate_trace
from simulator.halls import synthetic_hall
from simulator.trace import RESULT_FIELDS, write_results


def _model(day, history) -> ServiceTimeModel:
    model = ServiceTimeModel.from_settings(day.hall)
    model.observe_many((t.matter, t.service_minutes) for t in history if not t.no_show)
    return model


def test_ranges_cover_about_eighty_percent_of_simulated_waits():
    inside = total = 0
    for seed in tuning_seeds(4):
        day = draw_day("small", seed)
        history = day.history()
        calibrator = RangeCalibrator()
        Simulation(day.hall, history, "balanced", model=_model(day, history),
                   calibrator=calibrator).run()
        seeded = calibrator.recorded
        results = Simulation(day.hall, day.trace, "balanced", model=_model(day, history),
                             calibrator=calibrator).run()
        assert seeded > 100 and calibrator.recorded > seeded     # it learnt the day too
        for r in results:
            if r.outcome == "served" and r.eta_minutes is not None:
                assert 0 <= r.eta_low <= r.eta_minutes <= r.eta_high
                inside += r.eta_low <= r.wait_minutes <= r.eta_high
                total += 1
    assert total > 500
    assert 0.74 <= inside / total <= 0.87, inside / total


def test_the_results_csv_has_the_range_right_after_the_estimate():
    hall = synthetic_hall("small")
    results = Simulation(hall, generate_trace(hall, seed=3, load=0.8)[:150], "balanced").run()
    buffer = io.StringIO()
    write_results(buffer, results)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == RESULT_FIELDS
    at = rows[0].index("eta_minutes")
    assert rows[0][at + 1:at + 3] == ["eta_low", "eta_high"]
    for row in rows[1:]:
        low, point, high = (float(row[at + 1]), float(row[at]), float(row[at + 2]))
        assert low <= point <= high
