"""Hall layouts for tests and the benchmark, built from the config dataclasses.

`synthetic_hall("small")` is a Huazhou-sized hall (4 comprehensive acceptance
windows, 1 pickup, 1 coordination); `synthetic_hall("large")` a district hall
of 60 windows in five pools. `layout_windows` builds the same kind of layout
over any hall's categories and matters (the benchmark uses it on the demo
hall), and `full_pooling` the reference where every window serves everything.
"""
from __future__ import annotations

import random
from dataclasses import replace

from core.settings.schema import (
    Category,
    HallSettings,
    Hours,
    Matter,
    Pool,
    PoolKind,
    Rules,
    ServerSettings,
    WindowSpec,
)

_CATEGORIES = (
    ("business", "A", "企业开办", "Business", "acceptance_a"),
    ("tax", "B", "税务", "Tax", "acceptance_a"),
    ("construction", "C", "工程建设", "Construction", "acceptance_a"),
    ("realty", "D", "不动产", "Real estate", "acceptance_b"),
    ("social", "E", "社保医保", "Social insurance", "acceptance_b"),
    ("police", "F", "公安户政", "Police", "acceptance_b"),
    ("theme", "G", "一件事", "One thing", "coordination"),
    ("pickup", "H", "出件", "Pickup", "pickup"),
)
_MATTERS = {
    "business": (("company_setup", 25), ("business_change", 12), ("business_cancel", 15),
                 ("individual_business", 10)),
    "tax": (("tax_register", 8), ("invoice", 4), ("tax_clearance", 10)),
    "construction": (("construction_permit", 22), ("completion_filing", 18), ("qualification", 15)),
    "realty": (("realty_transfer", 20), ("mortgage_register", 15), ("realty_certificate", 8),
               ("realty_query", 4)),
    "social": (("pension_transfer", 10), ("medical_insurance", 6), ("social_card", 5),
               ("unemployment", 8)),
    "police": (("residence_permit", 8), ("hukou_move", 12), ("id_card", 5)),
    "theme": (("open_restaurant", 35), ("birth_event", 20), ("death_event", 18)),
    "pickup": (("pickup_certificate", 2), ("pickup_license", 3)),
}
_POOLS = (
    ("acceptance_a", "综合受理A区", "Acceptance A", PoolKind.ACCEPTANCE),
    ("acceptance_b", "综合受理B区", "Acceptance B", PoolKind.ACCEPTANCE),
    ("pickup", "统一出件", "Pickup", PoolKind.PICKUP),
    ("coordination", "协调联络", "Coordination", PoolKind.COORDINATION),
    ("green", "绿色通道", "Green channel", PoolKind.GREEN),
)
# Windows per pool for each size.
SIZES = {
    "small": {"acceptance_a": 4, "pickup": 1, "coordination": 1},
    "large": {"acceptance_a": 22, "acceptance_b": 24, "pickup": 6, "coordination": 4, "green": 4},
}
SMALL_CATEGORIES = ("business", "tax", "realty", "social", "theme", "pickup")


def _base_hall(category_codes) -> HallSettings:
    categories, matters = [], []
    for code, prefix, name, name_en, pool in _CATEGORIES:
        if code not in category_codes:
            continue
        categories.append(Category(code, prefix, name, name_en))
        for matter_code, minutes in _MATTERS[code]:
            matters.append(Matter(matter_code, matter_code, matter_code.replace("_", " "),
                                  code, pool, ("ID card",), 5, float(minutes), code != "pickup"))
    return HallSettings(
        name="演示大厅", name_en="Synthetic hall", code="SYN", timezone="Asia/Shanghai",
        language="zh", hours=Hours(540, 1020, 720, 810, True, None), rules=Rules(),
        server=ServerSettings(), categories=tuple(categories), matters=tuple(matters),
        themes=(), pools=tuple(Pool(*p) for p in _POOLS), windows=())


def synthetic_hall(size: str = "small", seed: int = 0) -> HallSettings:
    """A realistic hall of the given size ("small": 6 windows, "large": 60)."""
    if size == "small":
        # A county hall merged all acceptance into one pool.
        hall = _base_hall(SMALL_CATEGORIES)
        matters = tuple(replace(m, pool="acceptance_a") if m.pool == "acceptance_b" else m
                        for m in hall.matters)
        hall = replace(hall, matters=matters)
    else:
        hall = _base_hall({c[0] for c in _CATEGORIES})
    return replace(hall, windows=layout_windows(hall, SIZES[size], seed))


def _pool_categories(hall: HallSettings) -> dict[str, list[str]]:
    by_pool: dict[str, list[str]] = {}
    for m in hall.matters:
        cats = by_pool.setdefault(m.pool, [])
        if m.category not in cats:
            cats.append(m.category)
    return by_pool


def _lunch(index: int, hours: Hours) -> tuple[int, int]:
    """Staggered breaks: alternate windows take the first or second hour."""
    start = hours.lunch_start - 30 if index % 2 == 0 else hours.lunch_start + 30
    return (start, start + 60)


def layout_windows(hall: HallSettings, counts: dict[str, int], seed: int = 0) -> tuple:
    """Windows for `counts` (pool code -> number), skills drawn with `seed`.

    Each window's primary category (weight 1.0) rotates through its pool's
    categories so the pre-reform `dedicated` layout has a line for each; it
    knows each other category of its pool with probability 0.75 at weight
    0.5-0.9. Coordination windows also help the acceptance pools and pickup;
    every fourth acceptance window helps pickup and a quarter help the other
    acceptance pool; green windows serve green and elderly tickets of every
    acceptance category and of pickup.
    """
    rng = random.Random(seed)
    by_pool = _pool_categories(hall)
    acceptance = [p for p in by_pool if p.startswith("acceptance")]
    all_acceptance_cats = [c for p in acceptance for c in by_pool[p]]
    windows, number = [], 1
    for pool, count in counts.items():
        for i in range(count):
            own = by_pool.get(pool) or all_acceptance_cats
            primary = own[i % len(own)]
            skills = {primary: 1.0}
            for cat in own:
                if cat != primary and rng.random() < 0.75:
                    skills[cat] = rng.choice((0.5, 0.7, 0.9))
            also = _helping(pool, i, acceptance, rng)
            for helped in also:
                for cat in by_pool.get(helped, ())[:2 if helped in acceptance else 1]:
                    skills.setdefault(cat, 0.5)
            if pool in ("coordination", "green"):
                skills.update({c: 0.5 for c in all_acceptance_cats if c not in skills})
            windows.append(WindowSpec(number, f"{number}号窗口", pool, skills, also,
                                      _lunch(number, hall.hours)))
            number += 1
    return tuple(windows)


def _helping(pool: str, index: int, acceptance: list[str], rng: random.Random) -> tuple:
    """The pools a window helps besides its own."""
    if pool == "coordination":
        return tuple(acceptance) + ("pickup",)
    if pool == "green":
        return ("pickup",)
    if pool not in acceptance:
        return ()
    helps = [p for p in acceptance if p != pool and rng.random() < 0.25]
    if index % 4 == 3:
        helps.append("pickup")
    return tuple(helps)


def full_pooling(hall: HallSettings) -> HallSettings:
    """The reference layout: every window serves every matter of every pool."""
    categories = {c.code: 1.0 for c in hall.categories}
    pools = tuple(p.code for p in hall.pools)
    windows = tuple(replace(w, skills=dict(categories), also_serves=pools) for w in hall.windows)
    return replace(hall, windows=windows)
