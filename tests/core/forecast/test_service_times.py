"""Service times learned from the hall's history (core.forecast.service_times): a
shrunk, clipped mean per matter, whose prior learns from the matter's category."""
from __future__ import annotations

import math

from core.forecast.service_times import ServiceTimeModel

PRIOR = {"invoice": 4.0, "register": 10.0, "clearance": 20.0, "query": 3.0}
CATEGORIES = {"invoice": "tax", "register": "tax", "clearance": "tax"}   # query: none


def test_a_matter_never_seen_learns_from_its_category():
    model = ServiceTimeModel(PRIOR, categories=CATEGORIES)
    for _ in range(40):                    # the tax windows run at twice the config
        model.observe("invoice", 8.0)
        model.observe("register", 20.0)
    ratio = (10 + 80 * 2.0) / (10 + 80)
    assert math.isclose(model.category_ratio("clearance"), ratio)
    assert math.isclose(model.expected("clearance"), 20.0 * ratio)      # never seen itself
    assert model.expected("query") == 3.0                               # no category
    plain = ServiceTimeModel(PRIOR)
    for _ in range(40):
        plain.observe("invoice", 8.0)
    assert plain.expected("clearance") == 20.0


def test_a_matter_seen_often_follows_its_own_observations():
    model = ServiceTimeModel(PRIOR, categories=CATEGORIES)
    for _ in range(200):
        model.observe("register", 30.0)    # 3x
        model.observe("invoice", 4.0)      # 1x: the category's ratio is about 2
    assert abs(model.expected("invoice") - 4.0) < 0.3
    assert abs(model.expected("register") - 30.0) < 1.0


def test_one_wild_observation_moves_the_category_little():
    model = ServiceTimeModel(PRIOR, categories=CATEGORIES)
    model.observe("invoice", 600.0)        # a clerk forgot to press finish
    assert model.category_ratio("clearance") <= (10 + 4.0) / 11        # clipped at 4x
