"""The 80% range around a wait estimate, calibrated from the hall's own recorded errors.

A split-conformal calibrator, online. Each time a ticket is called the hall records
what it had been told at issue (the point estimate in minutes, the people ahead, the
hour of day) and how long it actually waited (`record`). For a new estimate,
`range_for` takes the recorded errors of the matching bucket and returns the
estimate moved by their lower and upper percentiles (for an 80% range; taken at a
central mass of `LEVEL` = 0.84, see below):

    calibrator = RangeCalibrator()
    calibrator.record(predicted=12.0, actual=15.5, people_ahead=6, hour=9)
    low, high = calibrator.range_for(12.0, people_ahead=6, hour=10)

Errors are log-ratios with an additive floor, `log((actual + F) / (predicted + F))`
(F = `floor_minutes`): a wait of 40 minutes is as uncertain in proportion as one of
10, while near zero the floor keeps a 1-minute estimate from claiming "0.5-2
minutes". (Measured against raw residuals on the family's tuning seeds:
docs/allocation.md, "The 80% range".)

Buckets, finest first: (predicted-wait band, hour of day) when `by_hour`, then the wait
band alone, then every record. Hour buckets are off by default: on the tuning seeds
they split the records too thinly and covered less. A bucket speaks when it holds at
least `min_records`; otherwise the next coarser one does. With no history at all the
range is the `prior`: a wide default (the estimate plus the floor, × 0.4 … × 2.2),
said as such in the docs.

Online: each bucket keeps only its last `keep` records (a bounded deque), so the
range follows the hall's recent days and the current day as it goes. And the
level itself adapts (adaptive conformal inference, Gibbs and Candès 2021): each
recorded wait is checked against the range the calibrator gives now, and the level
moves by `adapt_rate` × (missed − 20%), so a hall whose errors run wider than its
records (or narrower) drifts to the level that covers 80% of its own waits. The range
always contains the point: 0 <= low <= point <= high. Pure: no I/O, no clock.
"""
from __future__ import annotations

import bisect
import math
from collections import deque
from typing import Iterable

# upper edges, in minutes, of the predicted-wait bands (the last band is open)
WAIT_BANDS = (2.0, 5.0, 10.0, 20.0, 35.0, 60.0)
FLOOR_MINUTES = 2.0
MIN_RECORDS = 40
KEEP = 300
# The range is meant to hold 80% of waits. Its quantiles are taken at a central mass of
# 0.84: the day's errors run a little wider than those already recorded (the hall
# drifts; a replayed history's model knew that day). Tuned on the family's tuning seeds
# so the day's coverage is 0.80 at the median (docs/allocation.md, "The 80% range").
LEVEL = 0.84
TARGET = 0.80          # the share of waits the range is meant to hold
ADAPT_RATE = 0.01      # how fast the level follows the recorded misses (0: fixed level)
LEVEL_LIMITS = (0.5, 0.98)
# log-ratio quantiles used when the hall has recorded nothing (wide on purpose)
PRIOR = (math.log(0.4), math.log(2.2))


def wait_band(predicted: float) -> int:
    """The band of a predicted wait: 0 for under 2 minutes ... len(WAIT_BANDS) for 60+."""
    return bisect.bisect_right(WAIT_BANDS, predicted)


def quantile(ordered, q: float) -> float:
    """The q-quantile (0..1) of sorted values, linear between order statistics."""
    if not ordered:
        raise ValueError("no values")
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


class RangeCalibrator:
    """Conformal 80% (by default) ranges for wait estimates; see the module doc."""

    def __init__(self, level: float = LEVEL, *, floor_minutes: float = FLOOR_MINUTES,
                 min_records: int = MIN_RECORDS, keep: int = KEEP,
                 prior: tuple[float, float] = PRIOR, by_hour: bool = False,
                 target: float = TARGET, adapt_rate: float = ADAPT_RATE) -> None:
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, not {level!r}")
        if floor_minutes <= 0 or min_records < 1 or keep < min_records:
            raise ValueError("floor_minutes > 0 and 1 <= min_records <= keep, please")
        self.level, self.floor_minutes = level, floor_minutes
        self.min_records, self.keep, self.prior = min_records, keep, prior
        self.by_hour, self.target, self.adapt_rate = by_hour, target, adapt_rate
        self._buckets: dict[tuple, deque[float]] = {}
        self._sorted: dict[tuple, list[float]] = {}   # cache: each bucket's errors, sorted
        self.recorded = 0

    # --- learning ------------------------------------------------------------
    def error_of(self, predicted: float, actual: float) -> float:
        floor = self.floor_minutes
        return math.log((max(0.0, actual) + floor) / (max(0.0, predicted) + floor))

    def record(self, predicted: float, actual: float, people_ahead: int | None = None,
               hour: int | None = None) -> None:
        """One ticket's estimate at issue and its actual wait (minutes) when called."""
        if not (_finite(predicted) and _finite(actual)):
            return
        error = self.error_of(predicted, actual)
        if self.adapt_rate and self._errors_for(max(0.0, predicted), hour) is not None:
            low, high = self.range_for(predicted, people_ahead, hour)
            missed = 0.0 if low - 1e-9 <= max(0.0, actual) <= high + 1e-9 else 1.0
            self.level += self.adapt_rate * (missed - (1.0 - self.target))
            self.level = min(max(self.level, LEVEL_LIMITS[0]), LEVEL_LIMITS[1])
        for key in self._keys(predicted, hour):
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = deque(maxlen=self.keep)
            bucket.append(error)
            self._sorted.pop(key, None)
        self.recorded += 1

    def record_many(self, records: Iterable[tuple]) -> None:
        """(predicted, actual, people ahead, hour) tuples, oldest first."""
        for predicted, actual, people_ahead, hour in records:
            self.record(predicted, actual, people_ahead, hour)

    # --- answering -----------------------------------------------------------
    def range_for(self, predicted: float, people_ahead: int | None = None,
                  hour: int | None = None) -> tuple[float, float]:
        """(low, high) in minutes around `predicted`: 0 <= low <= predicted <= high.

        A wait is never below zero: when at least the lower tail's share of the bucket's
        errors would put the actual wait at zero (a short estimate, a hall that often
        calls at once), the range starts at 0 and its whole miss is taken at the top.
        """
        if not _finite(predicted):
            raise ValueError(f"no range for an estimate of {predicted!r}")
        point, floor = max(0.0, predicted), self.floor_minutes
        tail = (1.0 - self.level) / 2.0
        errors = self._errors_for(point, hour)
        if errors is None:
            low_error, high_error = self.prior
        else:
            at_zero = bisect.bisect_right(errors, math.log(floor / (point + floor)) + 1e-12)
            if at_zero >= tail * len(errors):
                low_error, high_error = -math.inf, quantile(errors, self.level)
            else:
                low_error, high_error = quantile(errors, tail), quantile(errors, 1.0 - tail)
        low = (point + floor) * math.exp(low_error) - floor
        high = (point + floor) * math.exp(high_error) - floor
        return max(0.0, min(low, point)), max(high, point)

    def _errors_for(self, predicted: float, hour: int | None) -> list[float] | None:
        """The sorted errors of the finest bucket with enough records; None: use the prior."""
        for key in self._keys(predicted, hour):
            bucket = self._buckets.get(key)
            if bucket is not None and len(bucket) >= self.min_records:
                found = self._sorted.get(key)
                if found is None:
                    found = self._sorted[key] = sorted(bucket)
                return found
        return None

    def source_of(self, predicted: float, hour: int | None = None) -> str:
        """Which bucket answers for this estimate: 'band+hour', 'band', 'all' or 'prior'."""
        names = ("band+hour", "band", "all") if self._with_hour(hour) else ("band", "all")
        for name, key in zip(names, self._keys(predicted, hour)):
            bucket = self._buckets.get(key)
            if bucket is not None and len(bucket) >= self.min_records:
                return name
        return "prior"

    def _with_hour(self, hour: int | None) -> bool:
        return self.by_hour and hour is not None

    def _keys(self, predicted: float, hour: int | None) -> list[tuple]:
        band = wait_band(max(0.0, predicted))
        keys = [("band", band), ("all",)]
        if self._with_hour(hour):
            keys.insert(0, ("band+hour", band, int(hour)))
        return keys


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
