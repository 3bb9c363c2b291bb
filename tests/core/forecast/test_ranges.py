"""The 80% range's calibrator (core.forecast.ranges): conformal quantiles of the hall's
recorded errors, by bucket, with fallback and a prior; online and bounded."""
from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from core.forecast.ranges import PRIOR, RangeCalibrator, quantile, wait_band

minutes = st.floats(min_value=0.0, max_value=600.0, allow_nan=False)


def test_no_history_gives_the_wide_prior():
    calibrator = RangeCalibrator()
    low, high = calibrator.range_for(10.0)
    floor = calibrator.floor_minutes
    assert math.isclose(low, (10 + floor) * math.exp(PRIOR[0]) - floor)
    assert math.isclose(high, (10 + floor) * math.exp(PRIOR[1]) - floor)
    assert calibrator.source_of(10.0) == "prior"
    assert high - low > 10.0       # wide: wider than the estimate itself


def test_the_range_holds_the_recorded_share_of_errors():
    rng = random.Random(3)
    # At a fixed level (the adaptive level is tested below, on a stream).
    calibrator = RangeCalibrator(0.8, min_records=50, keep=2000, adapt_rate=0.0)
    records = []
    for _ in range(2000):
        predicted = 15.0
        actual = predicted * math.exp(rng.gauss(0.1, 0.3))
        records.append(actual)
        calibrator.record(predicted, actual)
    low, high = calibrator.range_for(15.0)
    inside = sum(low <= a <= high for a in records) / len(records)
    assert 0.78 <= inside <= 0.82
    assert low < 15.0 < high


def _online_coverage(calibrator: RangeCalibrator, seed: int) -> float:
    """Coverage of a stream whose errors widen as the day goes (the hall drifts): each
    wait is checked against the range given before it was recorded."""
    rng, inside, checked = random.Random(seed), 0, 0
    for i in range(4000):
        predicted = rng.uniform(5.0, 30.0)
        spread = 0.15 + 0.6 * i / 4000
        actual = predicted * math.exp(rng.gauss(0.0, spread))
        if i >= 500:
            low, high = calibrator.range_for(predicted)
            inside += low <= actual <= high
            checked += 1
        calibrator.record(predicted, actual)
    return inside / checked


def test_the_level_adapts_until_the_range_holds_80_percent_of_a_drifting_hall():
    for seed in (1, 2, 3):
        fixed = _online_coverage(RangeCalibrator(0.8, keep=300, adapt_rate=0.0), seed)
        adaptive = RangeCalibrator(0.8, keep=300)
        covered = _online_coverage(adaptive, seed)
        assert fixed < 0.77                       # the recorded errors run narrow
        assert 0.77 <= covered <= 0.83, (seed, fixed, covered)


def test_on_a_steady_hall_the_adaptive_level_covers_80_percent_as_it_goes():
    rng, calibrator, inside, checked = random.Random(5), RangeCalibrator(), 0, 0
    levels = []
    for i in range(3000):
        predicted = rng.uniform(2.0, 40.0)
        actual = max(0.0, predicted * math.exp(rng.gauss(0.1, 0.35)) - 1.0)
        if i >= 500:
            low, high = calibrator.range_for(predicted)
            assert low <= predicted <= high
            inside += low <= actual <= high
            checked += 1
            levels.append(calibrator.level)
        calibrator.record(predicted, actual)
    assert 0.77 <= inside / checked <= 0.83
    assert 0.7 <= min(levels) and max(levels) <= 0.95      # it wanders, within reason


def test_a_bucket_with_few_records_falls_back_to_a_coarser_one():
    calibrator = RangeCalibrator(min_records=10, keep=50, by_hour=True)
    for _ in range(10):                    # plenty at 9 o'clock, band of 10-20 minutes
        calibrator.record(12.0, 24.0, hour=9)
    assert calibrator.source_of(12.0, hour=9) == "band+hour"
    assert calibrator.source_of(12.0, hour=14) == "band"      # no records at 14:00
    assert calibrator.source_of(50.0, hour=9) == "all"        # none in the 35-60 band
    assert calibrator.range_for(12.0, hour=14)[1] > 12.0      # learned: it runs long


def test_it_follows_the_hall_keeping_only_recent_records():
    calibrator = RangeCalibrator(min_records=20, keep=40)
    for _ in range(200):
        calibrator.record(10.0, 30.0)      # long ago the hall ran three times late
    for _ in range(40):
        calibrator.record(10.0, 10.0)      # lately it keeps its word
    low, high = calibrator.range_for(10.0)
    assert low == high == 10.0


def test_a_range_starting_at_zero_takes_its_whole_miss_at_the_top():
    calibrator = RangeCalibrator(0.8, min_records=10, keep=100, adapt_rate=0.0)
    for i in range(100):                   # half called at once, half after 0-10 minutes
        calibrator.record(1.0, 0.0 if i % 2 else i / 10)
    low, high = calibrator.range_for(1.0)
    assert low == 0.0
    waits = [0.0 if i % 2 else i / 10 for i in range(100)]
    assert sum(w <= high for w in waits) / 100 <= 0.82       # not 90%: one-sided


def test_bad_values_are_not_recorded_and_a_bad_estimate_has_no_range():
    calibrator = RangeCalibrator(min_records=1, keep=5)
    calibrator.record(float("nan"), 3.0)
    calibrator.record(3.0, float("inf"))
    assert calibrator.recorded == 0
    try:
        calibrator.range_for(float("nan"))
    except ValueError:
        pass
    else:
        raise AssertionError("a NaN estimate got a range")


def test_wait_bands_and_quantile():
    assert [wait_band(m) for m in (0, 1.9, 2, 7, 90)] == [0, 0, 1, 2, 6]
    assert quantile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    assert quantile([0.0, 10.0], 0.25) == 2.5


@settings(max_examples=300, deadline=None)
@given(history=st.lists(st.tuples(minutes, minutes, st.integers(0, 23)), max_size=80),
       point=st.floats(min_value=-5.0, max_value=1000.0, allow_nan=False),
       hour=st.one_of(st.none(), st.integers(0, 23)),
       level=st.floats(min_value=0.05, max_value=0.99),
       by_hour=st.booleans(), min_records=st.integers(1, 30))
def test_the_range_always_contains_the_point(history, point, hour, level, by_hour,
                                             min_records):
    calibrator = RangeCalibrator(level, min_records=min_records, keep=40, by_hour=by_hour)
    for predicted, actual, at in history:
        calibrator.record(predicted, actual, hour=at)
    low, high = calibrator.range_for(point, hour=hour)
    assert 0.0 <= low <= max(0.0, point) <= high
    assert math.isfinite(high)
