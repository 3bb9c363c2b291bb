"""Trace records and the realistic day generator.

A trace is the list of citizens who come on a day: when they take a number,
for which matter, in which priority class, how long their service would take
and whether they fail to show up when called. The generator draws one with
`random.Random(seed)`:

* arrivals follow a two-peak day (around 10:00 and 15:00) with a lunch dip,
  thinned from an inhomogeneous Poisson process;
* each pool's offered work is `load` times the working minutes of its windows
  (lunch breaks taken off); a green window's minutes count for the acceptance
  pools it helps, and a coordination window's own matters take 40% of its
  minutes, the rest counting for the acceptance pools it helps;
* service times are lognormal (sigma 0.5) around each matter's true mean,
  which differs from the config's `service_minutes` by a fixed per-hall factor
  in [0.75, 1.3] (the reason service times are learned from history);
* priorities 80% normal, 10% elderly, 7% appointment, 3% green; about 6% no-shows;
* a surge day adds a spike: 25% more tickets of one acceptance category
  between 10:00 and 11:30.
"""
from __future__ import annotations

import math
import random

from core.forecast.availability import working_minutes
from core.settings.schema import HallSettings, PoolKind, Priority
from simulator.trace import TraceTicket

PRIORITY_MIX = ((Priority.NORMAL, 0.80), (Priority.ELDERLY, 0.10),
                (Priority.APPOINTMENT, 0.07), (Priority.GREEN, 0.03))
NO_SHOW_RATE = 0.06
SERVICE_SIGMA = 0.5


def true_means(hall: HallSettings, hall_seed: int = 0) -> dict[str, float]:
    """Each matter's real mean service time: the config's guess times a fixed factor."""
    rng = random.Random(f"true-means-{hall.code}-{hall_seed}")
    return {m.code: m.service_minutes * rng.uniform(0.75, 1.3) for m in hall.matters}


# Share of a coordination window's minutes its own matters take; it helps with the rest.
COORDINATION_OWN_SHARE = 0.4


def _pool_capacity(hall: HallSettings) -> dict[str, float]:
    matter_pools = {m.pool for m in hall.matters}
    capacity = {p: 0.0 for p in matter_pools}
    accepting = sorted(p for p in matter_pools if _is_kind(hall, p, PoolKind.ACCEPTANCE))
    acceptance = accepting or sorted(matter_pools)
    for w in hall.windows:
        minutes = working_minutes(hall.hours, w)
        own = w.pool in capacity
        share = (COORDINATION_OWN_SHARE if own and _is_kind(hall, w.pool, PoolKind.COORDINATION)
                 else float(own))
        if own:
            capacity[w.pool] += share * minutes
        helped = [p for p in w.also_serves if p in accepting]
        helped = helped if own else (helped or acceptance)
        for p in helped:
            capacity[p] += (1.0 - share) * minutes / len(helped)
    return capacity


def _is_kind(hall: HallSettings, pool: str, kind: PoolKind) -> bool:
    return hall.has("pool", pool) and hall.pool(pool).kind is kind


def _intensity(minute: float, hall: HallSettings) -> float:
    """Relative arrival intensity over the day: two peaks and a lunch dip."""
    h = hall.hours
    peak = lambda centre, width: math.exp(-0.5 * ((minute - centre) / width) ** 2)  # noqa: E731
    level = 0.35 + peak(600, 60) + 0.85 * peak(900, 70)
    if h.lunch_start <= minute < h.lunch_end:
        level *= 0.45
    return level


def _arrival_times(rng: random.Random, hall: HallSettings, count: int,
                   start: float, end: float) -> list[float]:
    top = max(_intensity(m, hall) for m in range(int(start), int(end) + 1))
    times: list[float] = []
    while len(times) < count:
        minute = rng.uniform(start, end)
        if rng.random() * top <= _intensity(minute, hall):
            times.append(minute * 60.0)
    return times


def _matter_weights(rng: random.Random, hall: HallSettings, pool: str) -> dict[str, float]:
    # Short matters are asked for more often; the rest is the hall's own mix.
    return {m.code: rng.uniform(0.5, 1.5) / math.sqrt(m.service_minutes)
            for m in hall.matters if m.pool == pool}


def _draw(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _priority(rng: random.Random) -> Priority:
    return rng.choices([p for p, _ in PRIORITY_MIX], weights=[w for _, w in PRIORITY_MIX])[0]


def generate_trace(hall: HallSettings, seed: int, load: float = 0.8,
                   surge: bool = False, hall_seed: int = 0) -> list[TraceTicket]:
    """A realistic day for `hall` at `load` (offered work / window capacity)."""
    rng = random.Random(seed)
    means = true_means(hall, hall_seed)
    mix_rng = random.Random(f"mix-{hall.code}-{hall_seed}")
    start, end = hall.hours.open - 10, hall.hours.close - 20
    draws: list[tuple[float, str]] = []
    for pool, capacity in sorted(_pool_capacity(hall).items()):
        weights = _matter_weights(mix_rng, hall, pool)
        if not weights or capacity <= 0:
            continue
        total = sum(weights.values())
        mean = sum(weights[c] * means[c] for c in weights) / total
        count = _poisson(rng, load * capacity / mean)
        for t in _arrival_times(rng, hall, count, start, end):
            draws.append((t, _draw(rng, weights)))
    if surge:
        draws.extend(_surge(rng, hall, len(draws) // 4))
    draws.sort()
    return [_ticket(rng, i, t, code, means[code]) for i, (t, code) in enumerate(draws, 1)]


def _surge(rng: random.Random, hall: HallSettings, count: int) -> list[tuple[float, str]]:
    acceptance = ([m for m in hall.matters if _is_kind(hall, m.pool, PoolKind.ACCEPTANCE)]
                  or list(hall.matters))
    category = rng.choice(sorted({m.category for m in acceptance}))
    codes = [m.code for m in acceptance if m.category == category]
    return [(rng.uniform(600, 690) * 60.0, rng.choice(codes)) for _ in range(count)]


def _ticket(rng: random.Random, index: int, arrival: float, matter: str,
            mean: float) -> TraceTicket:
    mu = math.log(mean) - SERVICE_SIGMA ** 2 / 2
    minutes = round(rng.lognormvariate(mu, SERVICE_SIGMA), 2)
    return TraceTicket(f"T{index:05d}", round(arrival), matter, _priority(rng),
                       max(minutes, 0.2), rng.random() < NO_SHOW_RATE)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (normal approximation above 50, exact below)."""
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
