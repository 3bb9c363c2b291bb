"""The figures a hall lives by, computed from a simulated (or recorded) day.

Waits are in minutes, from issue to call, over served tickets. Category
fairness: the worst category's mean wait over the overall mean, and Jain's
index over category means ((sum x)^2 / (n sum x^2), 1 = perfectly even).
Utilisation spread: per pool, the highest minus the lowest share of working
time a window spent serving, averaged over pools with two windows or more.
ETA errors are estimate minus actual wait (positive = too pessimistic).
"""
from __future__ import annotations

from typing import Sequence

from core.figures import percentile
from core.forecast.availability import working_minutes
from core.settings.schema import HallSettings


def jain(values: Sequence[float]) -> float:
    values = [v for v in values]
    total = sum(values)
    squares = sum(v * v for v in values)
    return 1.0 if squares == 0 else total * total / (len(values) * squares)


def _category_means(served) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for r in served:
        sums.setdefault(r.category, []).append(r.wait_minutes)
    return {c: sum(v) / len(v) for c, v in sums.items()}


def utilisation_spread(results, hall: HallSettings) -> float:
    busy: dict[int, float] = {}
    for r in results:
        if r.window is not None and r.finished is not None:
            busy[r.window] = busy.get(r.window, 0.0) + (r.finished - r.called) / 60.0
    spreads = []
    for pool in {w.pool for w in hall.windows}:
        shares = [busy.get(w.number, 0.0) / max(working_minutes(hall.hours, w), 1.0)
                  for w in hall.windows if w.pool == pool]
        if len(shares) > 1:
            spreads.append(max(shares) - min(shares))
    return sum(spreads) / len(spreads) if spreads else 0.0


def eta_errors(served, attribute: str) -> dict[str, float]:
    errors = [getattr(r, attribute) - r.wait_minutes for r in served
              if getattr(r, attribute) is not None]
    if not errors:
        return {"mae": float("nan"), "bias": float("nan"), "within5": float("nan")}
    return {
        "mae": sum(abs(e) for e in errors) / len(errors),
        "bias": sum(errors) / len(errors),
        "within5": sum(1 for e in errors if abs(e) <= 5.0) / len(errors),
    }


def summarize(results, hall: HallSettings) -> dict[str, float]:
    """Every figure of the benchmark table for one simulated day."""
    served = [r for r in results if r.outcome == "served"]
    waits = [r.wait_minutes for r in served]
    mean = sum(waits) / len(waits) if waits else 0.0
    cats = _category_means(served)
    ours, base = eta_errors(served, "eta_minutes"), eta_errors(served, "eta_baseline_minutes")
    return {
        "tickets": float(len(results)),
        "mean": mean,
        "p50": percentile(waits, 50),
        "p95": percentile(waits, 95),
        "max": max(waits, default=0.0),
        "worst_ratio": (max(cats.values()) / mean) if mean > 0 and cats else 1.0,
        "jain": jain(list(cats.values())) if cats else 1.0,
        "util_spread": utilisation_spread(results, hall),
        "eta_mae": ours["mae"], "eta_bias": ours["bias"], "eta_within5": ours["within5"],
        "base_mae": base["mae"], "base_bias": base["bias"], "base_within5": base["within5"],
        "unserved": float(sum(1 for r in results if r.called is None)),
    }
