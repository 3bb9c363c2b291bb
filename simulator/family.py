"""A family of days: many different halls' days, each drawn from (hall size, seed).

A policy or an estimate tuned to one generator is tuned to nothing; the
benchmark (bench/allocation-family, docs/allocation.md) runs it over days
drawn here instead. A day is `Day(size, seed, hall, trace, true_means, plan)`:
the hall's settings for that day (the base hall, sometimes with one category's
skill taken away from all but 2-3 windows), the citizens who come, every
matter's real mean service time, and the `DayPlan` it was drawn from (its
`description()` is plain JSON-able data). The same (size, seed) always gives
the same day; `Day.history()` is another day drawn from the same plan (the
hall's previous day, which the service-time model learns from).

Hall sizes: "small" and "large" (the 6- and 60-window halls of
`simulator.halls`) and "demo" (the 15 windows of config/demo-hall.toml).

What varies (all from `random.Random(f"family-{size}-{seed}")`):

* the hall's mean offered load, uniform in 0.7-0.9, and each pool's in
  0.4-1.1 around it (sometimes one pool is pushed to 1.0-1.1 and the others
  carry less); offered load is the generator's: expected work (tickets x true
  mean service, no-shows included) over the pool's capacity
  (`simulator.generator._pool_capacity`, lunch breaks taken off);
* the category mix: each pool's work split over its categories by a
  Dirichlet(1) draw (`random.gammavariate`), except that no category gets
  more than 85% of the working time of the windows able to serve it (half a
  window's time when it only helps that pool; a day no
  allocation could serve is a layout problem, not an allocation one; the
  excess goes to the pool's other categories);
* true service means drawn independently of the config: a factor per
  category, log-uniform in 0.5-2.5 (each matter within +-15% of it, kept in
  0.5-2.5), and a lognormal spread per category, sigma uniform in 0.3-0.9;
* scarce long categories (60% of days; 1-2 in the large hall): a category of
  one pool is served by 2 or 3 windows only (its skill is taken away from the
  others, the hall staying valid) and its matters' mean is >= 15 minutes; it
  takes 25-60% of its servers' working time (at most 60% of its pool's work);
* surges (35% of days): 30-60% of one acceptance category's tickets come
  within 90 minutes (starting 09:30-15:00); the pool's load is unchanged;
* elderly and appointment shares 0-25% each, green 0-5%, no-shows 0-12%;
* one day in ten is today's generator itself (`generate_trace` at a load
  drawn in 0.7-0.9, without surge): the family contains it.

Seeds 0-999 are the tuning set; reports use seeds from 10_000 on
(`REPORTING_SEED_START`), so a policy is never reported on days it was tuned on.
"""
from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path

from core.forecast.availability import working_minutes
from core.settings.checks import Report, check_hall
from core.settings.schema import HallSettings, PoolKind, Priority
from simulator.generator import (
    _arrival_times,
    _poisson,
    _pool_capacity,
    generate_trace,
    true_means,
)
from simulator.halls import synthetic_hall
from simulator.trace import TraceTicket

HALL_SIZES = ("small", "demo", "large")
DEMO_HALL = Path(__file__).resolve().parents[1] / "config" / "demo-hall.toml"
TUNING_SEEDS = range(0, 1000)
REPORTING_SEED_START = 10_000

HALL_LOAD = (0.7, 0.9)
POOL_LOAD = (0.4, 1.1)
HOT_POOL_LOAD = (1.0, 1.1)
MEAN_FACTOR = (0.5, 2.5)
MATTER_JITTER = 0.15
SIGMA = (0.3, 0.9)
SHARE = (0.0, 0.25)          # elderly, and appointment
GREEN_SHARE = (0.0, 0.05)
NO_SHOW = (0.0, 0.12)
SCARCE_MINUTES = 15.0
SCARCE_WINDOWS = (2, 3)
SCARCE_TIME_SHARE = (0.25, 0.6)
SCARCE_POOL_SHARE = 0.6
GROUP_CAP = 0.85             # of its servers' working time, at most, for a category
HELPER_SHARE = 0.5           # of a helping window's time counted for the pool it helps
SURGE_SHARE = (0.3, 0.6)
SURGE_MINUTES = 90

REPLICA_VARIANT = 1000       # Day.replica(k) draws variant 1000 + k; history days are 1, 2, ...

GENERATOR_DAYS, HOT_POOL_DAYS, SCARCE_DAYS, SURGE_DAYS = 0.10, 0.5, 0.6, 0.35


@dataclass(frozen=True)
class Scarce:
    category: str
    pool: str
    windows: tuple[int, ...]   # the only windows left with a skill for it
    mean_minutes: float        # its true mean service time (ticket-weighted)
    work_minutes: float        # offered work planned for it


@dataclass(frozen=True)
class Surge:
    category: str
    pool: str
    start: float               # minutes after midnight
    end: float
    share: float               # of the category's tickets that come in the surge


@dataclass(frozen=True)
class DayPlan:
    """Everything drawn for a day except the citizens themselves."""

    kind: str                              # "family", or "generator" (generate_trace)
    hall_load: float
    pool_loads: dict[str, float]
    pool_capacity: dict[str, float]        # minutes, as the generator counts them
    category_shares: dict[str, dict[str, float]]   # pool -> category -> share of work
    matter_weights: dict[str, float]       # ticket weight of a matter within its category
    mean_factors: dict[str, float]         # category -> true mean / config
    true_means: dict[str, float]           # matter -> minutes
    sigmas: dict[str, float]               # category -> lognormal sigma
    scarce: tuple[Scarce, ...] = ()
    surge: Surge | None = None
    elderly_share: float = 0.10
    appointment_share: float = 0.07
    green_share: float = 0.03
    no_show_rate: float = 0.06
    generator_seed: int | None = None

    def description(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Day:
    size: str
    seed: int
    hall: HallSettings                     # the day's hall (skills may differ from the base)
    trace: tuple[TraceTicket, ...]
    plan: DayPlan

    @property
    def true_means(self) -> dict[str, float]:
        return self.plan.true_means

    def description(self) -> dict:
        return {"size": self.size, "seed": self.seed, **self.plan.description()}

    def history(self, days_back: int = 1) -> list[TraceTicket]:
        """A previous day of this hall (`days_back` days before; 1, the day before): the
        same plan, other citizens."""
        if days_back < 1:
            raise ValueError(f"a previous day is at least 1 day back, not {days_back}")
        return _citizens(self.size, self.seed, self.hall, self.plan, variant=days_back)

    def replica(self, draw: int) -> Day:
        """The same day type (plan and hall) with its citizens drawn again: draw 0 is this
        day; draw k >= 1 is another set of citizens, never a history day's. One plan
        replayed over several draws tells what a policy does on such a day from what
        one draw's chance did (bench/allocation-day-types)."""
        if draw < 0:
            raise ValueError(f"a draw is 0 (the day itself) or more, not {draw}")
        if draw == 0:
            return self
        trace = _citizens(self.size, self.seed, self.hall, self.plan,
                          variant=REPLICA_VARIANT + draw)
        return replace(self, trace=tuple(trace))


def reporting_seeds(days: int, skip: int = 0) -> range:
    """`days` reporting seeds after the first `skip` (a set nobody has looked at yet)."""
    start = REPORTING_SEED_START + skip
    return range(start, start + days)


def tuning_seeds(days: int) -> range:
    if days > len(TUNING_SEEDS):
        raise ValueError(f"the tuning set has {len(TUNING_SEEDS)} seeds")
    return TUNING_SEEDS[:days]


@lru_cache(maxsize=None)
def base_hall(size: str) -> HallSettings:
    """The hall a size's days start from (before a day takes skills away)."""
    if size == "demo":
        from core.settings.loader import load_settings
        return load_settings(str(DEMO_HALL))
    if size in ("small", "large"):
        return synthetic_hall(size)
    raise ValueError(f"unknown hall size {size!r} (one of {', '.join(HALL_SIZES)})")


def draw_day(size: str, seed: int) -> Day:
    """The day of the family for (size, seed); the same arguments give the same day."""
    hall = base_hall(size)
    rng = random.Random(f"family-{size}-{seed}")
    if rng.random() < GENERATOR_DAYS:
        plan = _generator_plan(hall, rng)
    else:
        hall, plan = _family_plan(size, hall, rng)
    trace = _citizens(size, seed, hall, plan, variant=0)
    return Day(size, seed, hall, tuple(trace), plan)


# -- loads ---------------------------------------------------------------------

def matter_pools(hall: HallSettings) -> dict[str, float]:
    """Capacity (minutes) of each pool that has matters, as the generator counts it."""
    return {p: c for p, c in _pool_capacity(hall).items() if c > 0}


def offered_loads(hall: HallSettings, trace, means: dict[str, float]) -> dict[str, float]:
    """Each pool's offered load in a trace: tickets x true mean over its capacity."""
    capacity = matter_pools(hall)
    work = {p: 0.0 for p in capacity}
    for t in trace:
        pool = hall.subject(t.matter).pool
        work[pool] = work.get(pool, 0.0) + means[t.matter]
    return {p: work[p] / capacity[p] for p in capacity}


def _pool_loads(rng: random.Random, capacity: dict[str, float], hall_load: float
                ) -> dict[str, float]:
    """Loads in POOL_LOAD whose capacity-weighted mean is `hall_load`."""
    low, high = POOL_LOAD
    loads = {p: rng.uniform(low, high) for p in sorted(capacity)}
    hot = None
    if len(loads) > 1 and rng.random() < HOT_POOL_DAYS:
        hot = rng.choice(sorted(loads))
        loads[hot] = rng.uniform(*HOT_POOL_LOAD)
    others = [p for p in loads if p != hot] if hot else list(loads)
    fixed = capacity[hot] * loads[hot] if hot else 0.0
    share = sum(capacity[p] for p in others)
    target = (hall_load * sum(capacity.values()) - fixed) / share
    if not low <= target <= high:   # the hot pool cannot be that hot: move every pool
        others, target = list(loads), hall_load
        share = sum(capacity.values())
    mean = sum(capacity[p] * loads[p] for p in others) / share
    for p in others:
        if mean < target:
            loads[p] += (target - mean) / (high - mean) * (high - loads[p])
        elif mean > target:
            loads[p] -= (mean - target) / (mean - low) * (loads[p] - low)
    return loads


# -- the plans -----------------------------------------------------------------

def _generator_plan(hall: HallSettings, rng: random.Random) -> DayPlan:
    load = rng.uniform(*HALL_LOAD)
    capacity = matter_pools(hall)
    means = true_means(hall)
    ratios: dict[str, list[float]] = {}
    for m in hall.matters:
        ratios.setdefault(m.category, []).append(means[m.code] / m.service_minutes)
    factors = {c: sum(r) / len(r) for c, r in ratios.items()}
    return DayPlan("generator", load, {p: load for p in capacity}, capacity, {}, {},
                   factors, means, {c: 0.5 for c in factors},
                   generator_seed=rng.randrange(2 ** 31))


def _family_plan(size: str, hall: HallSettings, rng: random.Random
                 ) -> tuple[HallSettings, DayPlan]:
    capacity = matter_pools(hall)
    hall_load = rng.uniform(*HALL_LOAD)
    loads = _pool_loads(rng, capacity, hall_load)
    groups = _groups(hall)
    weights = {m.code: rng.uniform(0.5, 1.5) / math.sqrt(m.service_minutes)
               for m in hall.matters}
    categories = sorted({c for _, c in groups})
    factors = {c: math.exp(rng.uniform(*map(math.log, MEAN_FACTOR))) for c in categories}
    sigmas = {c: rng.uniform(*SIGMA) for c in categories}
    means = {m.code: _clamp(m.service_minutes * factors[m.category]
                            * rng.uniform(1 - MATTER_JITTER, 1 + MATTER_JITTER),
                            *(m.service_minutes * f for f in MEAN_FACTOR))
             for m in hall.matters}
    scarce: list[Scarce] = []
    if rng.random() < SCARCE_DAYS:
        for _ in range(rng.choice((1, 2)) if size == "large" else 1):
            hall, found = _make_scarce(rng, hall, groups, weights, loads, capacity,
                                       {s.category for s in scarce})
            if found is None:
                break
            scarce.append(found)
            factors[found.category] = found.mean_minutes / _config_mean(
                groups[(found.pool, found.category)], weights)
            for m in groups[(found.pool, found.category)]:
                means[m.code] = m.service_minutes * factors[found.category]
    shares = _category_shares(rng, hall, groups, loads, capacity, scarce)
    surge = _surge(rng, hall, shares, scarce) if rng.random() < SURGE_DAYS else None
    elderly, appointment = rng.uniform(*SHARE), rng.uniform(*SHARE)
    plan = DayPlan("family", hall_load, loads, capacity, shares, weights, factors, means,
                   sigmas, tuple(scarce), surge, elderly, appointment,
                   rng.uniform(*GREEN_SHARE), rng.uniform(*NO_SHOW))
    return hall, plan


def _groups(hall: HallSettings) -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list] = {}
    for m in hall.matters:
        groups.setdefault((m.pool, m.category), []).append(m)
    return groups


def _config_mean(matters, weights: dict[str, float]) -> float:
    total = sum(weights[m.code] for m in matters)
    return sum(weights[m.code] * m.service_minutes for m in matters) / total


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _make_scarce(rng, hall, groups, weights, loads, capacity, taken):
    """Take one category's skill away from all but 2-3 of its windows."""
    pools_of: dict[str, set] = {}
    for pool, category in groups:
        pools_of.setdefault(category, set()).add(pool)
    candidates = []
    for (pool, category), matters in sorted(groups.items(), key=lambda kv: kv[0]):
        if category in taken or len(pools_of[category]) > 1 or pool not in capacity:
            continue
        if hall.has("pool", pool) and hall.pool(pool).kind is PoolKind.PICKUP:
            continue
        if SCARCE_MINUTES / _config_mean(matters, weights) > 0.92 * MEAN_FACTOR[1]:
            continue
        skilled = [w for w in hall.windows if w.skills.get(category, 0) > 0]
        servers = [w for w in skilled if w.pool == pool or pool in w.also_serves]
        only = [w for w in skilled if set(w.skills) == {category}]
        if servers and len(only) <= SCARCE_WINDOWS[1] and all(w in servers for w in only):
            candidates.append((pool, category, servers, only))
    if not candidates:
        return hall, None
    pool, category, servers, only = rng.choice(candidates)
    count = min(len(servers), max(len(only), rng.choice(SCARCE_WINDOWS)))
    rest = [w for w in servers if w not in only]
    kept = {w.number for w in only} | {w.number for w in rng.sample(rest, count - len(only))}
    windows = tuple(w if w.number in kept or category not in w.skills else
                    replace(w, skills={c: s for c, s in w.skills.items() if c != category})
                    for w in hall.windows)
    hall = replace(hall, windows=windows)
    base = _config_mean(groups[(pool, category)], weights)
    mean = base * rng.uniform(max(MEAN_FACTOR[0], SCARCE_MINUTES / base), MEAN_FACTOR[1])
    minutes = sum(working_minutes(hall.hours, hall.window(n)) for n in kept)
    work = rng.uniform(*SCARCE_TIME_SHARE) * minutes
    pool_work = loads[pool] * capacity[pool]
    alone = [c for p, c in groups if p == pool] == [category]
    work = pool_work if alone else min(work, SCARCE_POOL_SHARE * pool_work)
    return hall, Scarce(category, pool, tuple(sorted(kept)), mean, work)


def _category_shares(rng, hall, groups, loads, capacity, scarce
                     ) -> dict[str, dict[str, float]]:
    """Each pool's work split over its categories: Dirichlet(1), scarce ones fixed, and no
    category given more than GROUP_CAP of the working time of the windows able to serve it
    (the excess goes to the pool's other categories)."""
    fixed = {(s.pool, s.category): s.work_minutes for s in scarce}
    shares: dict[str, dict[str, float]] = {}
    for pool in sorted(capacity):
        cats = sorted(c for p, c in groups if p == pool)
        if not cats:
            continue
        pool_work = loads[pool] * capacity[pool]
        given = {c: fixed[(pool, c)] / pool_work for c in cats if (pool, c) in fixed}
        free = [c for c in cats if c not in given]
        draws = {c: rng.gammavariate(1.0, 1.0) for c in free}
        total = sum(draws.values()) or 1.0
        left = 1.0 - sum(given.values())
        free_shares = {c: left * d / total for c, d in draws.items()}
        caps = {c: GROUP_CAP * _server_minutes(hall, pool, c) / pool_work for c in free}
        shares[pool] = {**given, **_water_fill(free_shares, caps)}
    return shares


def _server_minutes(hall: HallSettings, pool: str, category: str) -> float:
    """Working minutes of the windows able to serve the category in the pool; a window
    only helping the pool (it serves its home pool first) counts for HELPER_SHARE."""
    return sum(working_minutes(hall.hours, w) * (1.0 if w.pool == pool else HELPER_SHARE)
               for w in hall.windows
               if (w.pool == pool or pool in w.also_serves) and w.skills.get(category, 0) > 0)


def _water_fill(shares: dict[str, float], caps: dict[str, float]) -> dict[str, float]:
    """`shares` with none above its cap, the excess spread over the others in proportion
    (kept where it was when every share is at its cap)."""
    shares = dict(shares)
    for _ in range(len(shares)):
        excess = sum(max(0.0, shares[c] - caps[c]) for c in shares)
        room = [c for c in shares if shares[c] < caps[c]]
        if excess <= 1e-12 or not room:
            break
        for c in shares:
            shares[c] = min(shares[c], caps[c])
        total = sum(shares[c] for c in room)
        for c in room:
            shares[c] += excess * (shares[c] / total if total > 0 else 1.0 / len(room))
    return shares


def _surge(rng, hall, shares, scarce) -> Surge | None:
    excluded = {s.category for s in scarce}
    options = sorted((p, c) for p, cats in shares.items() for c, share in cats.items()
                     if share > 0 and c not in excluded and hall.has("pool", p)
                     and hall.pool(p).kind is PoolKind.ACCEPTANCE)
    if not options:
        return None
    pool, category = rng.choice(options)
    last = min(900, hall.hours.close - 20 - SURGE_MINUTES)
    start = rng.uniform(max(570, hall.hours.open), max(last, hall.hours.open))
    return Surge(category, pool, start, start + SURGE_MINUTES, rng.uniform(*SURGE_SHARE))


# -- the citizens --------------------------------------------------------------

def _citizens(size: str, seed: int, hall: HallSettings, plan: DayPlan,
              variant: int) -> list[TraceTicket]:
    if plan.kind == "generator":
        return generate_trace(hall, plan.generator_seed + 7919 * variant, plan.hall_load)
    rng = random.Random(f"family-trace-{size}-{seed}-{variant}")
    start, end = hall.hours.open - 10, hall.hours.close - 20
    groups = _groups(hall)
    draws: list[tuple[float, str]] = []
    for pool, cats in sorted(plan.category_shares.items()):
        pool_work = plan.pool_loads[pool] * plan.pool_capacity[pool]
        for category, share in sorted(cats.items()):
            matters = groups[(pool, category)]
            weights = {m.code: plan.matter_weights[m.code] for m in matters}
            total = sum(weights.values())
            mean = sum(w * plan.true_means[c] for c, w in weights.items()) / total
            count = _poisson(rng, share * pool_work / mean)
            surge = plan.surge
            surging = 0
            if surge is not None and (surge.pool, surge.category) == (pool, category):
                surging = round(surge.share * count)
                draws.extend((rng.uniform(surge.start, surge.end) * 60.0,
                              _pick(rng, weights)) for _ in range(surging))
            for t in _arrival_times(rng, hall, count - surging, start, end):
                draws.append((t, _pick(rng, weights)))
    draws.sort()
    return [_ticket(rng, plan, hall, i, t, code) for i, (t, code) in enumerate(draws, 1)]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ticket(rng: random.Random, plan: DayPlan, hall: HallSettings, index: int,
            arrival: float, matter: str) -> TraceTicket:
    sigma = plan.sigmas[hall.matter(matter).category]
    mean = plan.true_means[matter]
    minutes = rng.lognormvariate(math.log(mean) - sigma ** 2 / 2, sigma)
    draw = rng.random()
    priority = Priority.NORMAL
    for kind, share in ((Priority.ELDERLY, plan.elderly_share),
                        (Priority.APPOINTMENT, plan.appointment_share),
                        (Priority.GREEN, plan.green_share)):
        if draw < share:
            priority = kind
            break
        draw -= share
    return TraceTicket(f"T{index:05d}", round(arrival), matter, priority,
                       max(round(minutes, 2), 0.2), rng.random() < plan.no_show_rate)


# -- checks --------------------------------------------------------------------

def settings_problems(hall: HallSettings) -> list[str]:
    """The config loader's whole-hall checks (references, servability, hours ...)
    run on a hall built in code, such as a day's derived hall."""
    def rows(items) -> list[dict]:
        return [asdict(item) for item in items]
    pools = [{**asdict(p), "kind": p.kind.value} for p in hall.pools]
    data = {"hall": {"name": hall.name, "code": hall.code}, "hours": asdict(hall.hours),
            "categories": rows(hall.categories), "matters": rows(hall.matters),
            "themes": rows(hall.themes), "pools": pools, "windows": rows(hall.windows),
            "devices": rows(hall.devices), "credentials": rows(hall.credentials),
            "materials": rows(hall.materials)}
    report = Report("")
    check_hall(report, data)
    problems = [f"{p.field}: {p.message}" for p in report.problems]
    for w in hall.windows:
        if not w.skills or not all(0 < s <= 1 for s in w.skills.values()):
            problems.append(f"window {w.number}: skills {w.skills} (need one, each in (0, 1])")
    return problems
