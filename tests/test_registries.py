"""Lists kept once: a policy, a role or a pool kind is declared in one place, and
everything that offers a choice of them reads that place."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bench.allocation import POLICY_ROWS
from core.allocation import POLICIES
from core.settings.loader import SettingsError, parse_settings
from core.settings.schema import ROLES
from server import auth
from tests.conftest import DEMO_HALL

DEMO = DEMO_HALL.read_text(encoding="utf-8")


def test_every_registered_policy_is_benchmarked():
    assert set(POLICY_ROWS) == set(POLICIES)


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_every_registered_policy_is_a_choice_of_the_config(policy):
    text = DEMO.replace('policy = "balanced"', f'policy = "{policy}"')
    assert parse_settings(text).rules.policy == policy


def test_the_config_offers_no_policy_that_is_not_registered():
    with pytest.raises(SettingsError, match="unknown policy 'lottery'"):
        parse_settings(DEMO.replace('policy = "balanced"', 'policy = "lottery"'))


def test_one_list_of_roles():
    assert auth.ROLES is ROLES


def test_a_green_channel_is_known_by_its_kind_not_its_code():
    from core.allocation import can_serve, window_view_of
    from core.allocation.interface import WaitingTicket
    from core.settings.loader import load_settings
    from core.settings.schema import Priority
    hall = load_settings(DEMO_HALL)
    green = next(p for p in hall.pools if p.kind.value == "green")
    renamed = replace(green, code="priority_lane")
    pools = tuple(renamed if p is green else p for p in hall.pools)
    spec = next(w for w in hall.windows if w.pool == green.code)
    hall = replace(hall, pools=pools, windows=tuple(
        replace(w, pool="priority_lane") if w is spec else w for w in hall.windows))
    view = window_view_of(replace(spec, pool="priority_lane"), hall)
    category = next(iter(spec.skills))
    elsewhere = next(p.code for p in hall.pools
                     if p.code not in spec.also_serves and p.code != "priority_lane")
    elderly = WaitingTicket("A001", "x", category, elsewhere, Priority.ELDERLY, 0.0)
    normal = replace(elderly, priority=Priority.NORMAL)
    assert can_serve(view, elderly) and not can_serve(view, normal)
