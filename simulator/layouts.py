"""Layout-mismatch days: the family's days in a hall whose acceptance staff are
cross-trained (一窗综办, 全科 staff) but whose windows sit in the wrong pools for the day.

The pool advisor exists for this situation: a hall where any acceptance window could
serve any acceptance matter, but the day's work falls unevenly on its acceptance pools
(one at an offered load of 1.0 or more, another with room to spare), so the layout, not
the skills, makes the long line. The family (`simulator.family`) rarely draws it: its
hot pools are often pickup, coordination or the green channel, or the hot pool's
categories have no skilled windows elsewhere, and no layout change fixes that.

    day = draw_day("demo", seed)
    if is_layout_mismatch(day):
        derived = layout_mismatch_day(day)   # same trace, same true means, same plan

`cross_trained(hall, skill)` gives each window at home in an acceptance pool a skill of
at least `skill` (default 0.6) for every category of every acceptance pool; windows of
the other pools (green channel, pickup, coordination) and every window's `also_serves`
are unchanged. The derived hall passes the config's checks (`settings_problems`).

The rule selecting the days (`is_layout_mismatch`): a family day (not one of
today's-generator days) whose plan puts one acceptance pool at an offered load of at
least `HOT_LOAD` (1.0) and another acceptance pool at most `SPARE_LOAD` (0.8), offered
load as the family defines it (`DayPlan.pool_loads`). A hall with a single acceptance
pool holding matters (the small hall) has no such day.
"""
from __future__ import annotations

from dataclasses import replace

from core.settings.schema import HallSettings, PoolKind
from simulator.family import Day, base_hall, draw_day

CROSS_SKILL = 0.6
HOT_LOAD = 1.0
SPARE_LOAD = 0.8


def acceptance_pools(hall: HallSettings) -> tuple[str, ...]:
    """The acceptance pools that hold matters or themes."""
    used = {s.pool for s in (*hall.matters, *hall.themes)}
    return tuple(p.code for p in hall.pools
                 if p.kind is PoolKind.ACCEPTANCE and p.code in used)


def cross_trained(hall: HallSettings, skill: float = CROSS_SKILL, *,
                  separate: bool = False) -> HallSettings:
    """The hall with every acceptance-pool window skilled (at least `skill`) for every
    category of every acceptance pool; other windows unchanged, and all `also_serves`
    too unless `separate`: then no acceptance window serves another acceptance pool."""
    pools = set(acceptance_pools(hall))
    categories = sorted({s.category for s in (*hall.matters, *hall.themes) if s.pool in pools})
    windows = []
    for w in hall.windows:
        if w.pool in pools:
            skills = dict(w.skills)
            for c in categories:
                skills[c] = max(skills.get(c, 0.0), skill)
            also = w.also_serves
            if separate:
                also = tuple(p for p in also if p not in pools)
            w = replace(w, skills=skills, also_serves=also)
        windows.append(w)
    return replace(hall, windows=tuple(windows))


def layout_mismatch(day: Day) -> tuple[str, str] | None:
    """(hot acceptance pool, the acceptance pool with the most spare capacity) when the
    day is a layout-mismatch day (module doc), else None."""
    if day.plan.kind != "family":
        return None
    loads = {p: day.plan.pool_loads[p] for p in acceptance_pools(day.hall)
             if p in day.plan.pool_loads}
    if len(loads) < 2:
        return None
    hot = max(loads, key=lambda p: (loads[p], p))
    spare = min(loads, key=lambda p: (loads[p], p))
    if loads[hot] >= HOT_LOAD and loads[spare] <= SPARE_LOAD:
        return hot, spare
    return None


def is_layout_mismatch(day: Day) -> bool:
    return layout_mismatch(day) is not None


def layout_mismatch_day(day: Day, skill: float = CROSS_SKILL, *,
                        separate: bool = False) -> Day:
    """The day in the cross-trained hall (`separate`: without `also_serves` between the
    acceptance pools): the same trace, true means and plan."""
    return replace(day, hall=cross_trained(day.hall, skill, separate=separate))


def layout_mismatch_seeds(size: str, count: int, seeds) -> list[int]:
    """The first `count` seeds of `seeds` whose day is a layout-mismatch day."""
    if len(acceptance_pools(base_hall(size))) < 2:
        return []
    found = []
    for seed in seeds:
        if len(found) == count:
            break
        if is_layout_mismatch(draw_day(size, seed)):
            found.append(seed)
    return found
