"""The family of days (simulator/family.py): reproducible, within its ranges, a
superset of today's generator, and made of halls the config checks accept."""
from dataclasses import replace

import pytest

from bench.allocation_family import (
    AgingWithOffsets,
    day_ratios,
    pooled_within5,
    print_size,
    run_day,
)
from core.settings.schema import Priority
from simulator.engine import simulate
from simulator.family import (
    GROUP_CAP,
    HALL_SIZES,
    MEAN_FACTOR,
    _server_minutes,
    base_hall,
    draw_day,
    matter_pools,
    offered_loads,
    reporting_seeds,
    settings_problems,
    tuning_seeds,
)
from simulator.generator import generate_trace, true_means

EPSILON = 1e-9
SEEDS = {"small": range(150), "demo": range(100), "large": range(40)}


@pytest.fixture(scope="module")
def days():
    return {size: [draw_day(size, seed) for seed in SEEDS[size]] for size in HALL_SIZES}


@pytest.mark.parametrize("size", HALL_SIZES)
def test_a_day_is_reproducible_from_its_seed(size):
    first, again = draw_day(size, 10_003), draw_day(size, 10_003)
    assert first.trace == again.trace
    assert first.description() == again.description()
    assert first.hall.windows == again.hall.windows
    assert first.history() == again.history() != list(first.trace)
    assert draw_day(size, 10_004).trace != first.trace


@pytest.mark.parametrize("size", HALL_SIZES)
def test_previous_days_are_other_citizens_of_the_same_plan(size):
    day = draw_day(size, 10_003)
    before, earlier = day.history(1), day.history(2)
    assert before == day.history() and earlier == draw_day(size, 10_003).history(2)
    assert earlier != before and earlier != list(day.trace)
    matters = {m.code for m in day.hall.matters} | {t.code for t in day.hall.themes}
    assert {t.matter for t in earlier} <= matters
    with pytest.raises(ValueError):
        day.history(0)


def _within(value, low, high):
    return low - EPSILON <= value <= high + EPSILON


def test_loads_stay_within_their_ranges(days):
    hot = 0
    for size, drawn in days.items():
        for day in drawn:
            plan = day.plan
            assert _within(plan.hall_load, 0.7, 0.9)
            assert plan.pool_capacity == matter_pools(day.hall)
            assert all(_within(load, 0.4, 1.1) for load in plan.pool_loads.values())
            weighted = sum(plan.pool_capacity[p] * load for p, load in plan.pool_loads.items())
            assert weighted / sum(plan.pool_capacity.values()) == pytest.approx(plan.hall_load)
            hot += max(plan.pool_loads.values()) >= 1.0
            for shares in plan.category_shares.values():
                assert sum(shares.values()) == pytest.approx(1.0)
                assert all(share >= 0 for share in shares.values())
    assert hot >= 20   # a pool well above the others happens


def test_no_category_gets_more_work_than_its_windows_can_do(days):
    """Unless every category of the pool is at its cap (the pool's load wins then)."""
    capped = 0
    for drawn in days.values():
        for day in drawn:
            scarce = {(s.pool, s.category) for s in day.plan.scarce}
            for pool, shares in day.plan.category_shares.items():
                work = day.plan.pool_loads[pool] * day.plan.pool_capacity[pool]
                ratios = [share * work / (GROUP_CAP * _server_minutes(day.hall, pool, c))
                          for c, share in shares.items() if (pool, c) not in scarce]
                if any(r > 1 + 1e-9 for r in ratios):
                    assert all(r >= 1 - 1e-9 for r in ratios), (day.seed, pool)
                capped += sum(abs(r - 1) < 1e-9 for r in ratios)
    assert capped >= 10


def test_offered_load_is_measured_as_the_generator_defines_it(days):
    hall = base_hall("small")
    generated = [offered_loads(hall, generate_trace(hall, seed, 0.8), true_means(hall))
                 for seed in range(20)]
    for pool in matter_pools(hall):
        assert sum(g[pool] for g in generated) / 20 == pytest.approx(0.8, rel=0.08)
    for size, drawn in days.items():
        planned = realised = 0.0
        for day in drawn:
            loads = offered_loads(day.hall, day.trace, day.true_means)
            for pool, load in day.plan.pool_loads.items():
                planned += load * day.plan.pool_capacity[pool]
                realised += loads[pool] * day.plan.pool_capacity[pool]
        assert realised / planned == pytest.approx(1.0, rel=0.03), size


def test_service_times_shares_and_no_shows_stay_within_their_ranges(days):
    for drawn in days.values():
        for day in drawn:
            plan = day.plan
            for matter in day.hall.matters:
                ratio = plan.true_means[matter.code] / matter.service_minutes
                assert _within(ratio, *MEAN_FACTOR) if plan.kind == "family" else \
                    _within(ratio, 0.75, 1.3)
            assert all(_within(s, 0.3, 0.9) for s in plan.sigmas.values())
            assert _within(plan.elderly_share, 0.0, 0.25)
            assert _within(plan.appointment_share, 0.0, 0.25)
            assert _within(plan.no_show_rate, 0.0, 0.12)
    day = next(d for d in days["demo"] if d.plan.kind == "family"
               and d.plan.elderly_share > 0.15)
    elderly = sum(t.priority is Priority.ELDERLY for t in day.trace) / len(day.trace)
    assert elderly == pytest.approx(day.plan.elderly_share, abs=0.05)


def test_scarce_categories_are_few_windows_and_long(days):
    found = {size: 0 for size in days}
    for size, drawn in days.items():
        for day in drawn:
            for scarce in day.plan.scarce:
                found[size] += 1
                skilled = [w.number for w in day.hall.windows
                           if w.skills.get(scarce.category, 0) > 0]
                assert 1 <= len(skilled) <= 3 and tuple(skilled) == scarce.windows
                matters = [m for m in day.hall.matters if m.category == scarce.category]
                weights = {m.code: day.plan.matter_weights[m.code] for m in matters}
                mean = sum(w * day.true_means[c] for c, w in weights.items()) \
                    / sum(weights.values())
                assert mean >= 15.0 - EPSILON
                assert mean == pytest.approx(scarce.mean_minutes)
                assert {m.pool for m in matters} == {scarce.pool}
                base = base_hall(size)
                assert len([w for w in base.windows if w.skills.get(scarce.category)]) \
                    >= len(skilled)
    assert all(count >= 10 for count in found.values()), found


def test_surges_come_within_their_window(days):
    surges = [d for d in days["small"] if d.plan.surge is not None]
    assert len(surges) >= 20
    for day in surges:
        surge = day.plan.surge
        codes = {m.code for m in day.hall.matters if m.category == surge.category}
        of_it = [t for t in day.trace if t.matter in codes]
        inside = sum(surge.start * 60 <= t.arrival <= surge.end * 60 for t in of_it)
        assert inside >= surge.share * len(of_it) - 1


def test_todays_generator_is_a_member_of_the_family(days):
    for size, drawn in days.items():
        members = [d for d in drawn if d.plan.kind == "generator"]
        assert members, size
        for day in members[:2]:
            hall = base_hall(size)
            assert day.hall == hall
            assert list(day.trace) == generate_trace(hall, day.plan.generator_seed,
                                                     day.plan.hall_load)
            assert day.true_means == true_means(hall)


def test_the_days_halls_pass_the_settings_checks(days):
    assert settings_problems(base_hall("demo")) == []
    for size, drawn in days.items():
        for day in drawn:
            problems = settings_problems(day.hall)
            if size != "demo":   # the synthetic halls name materials by bare names
                problems = [p for p in problems if ".materials[" not in p]
            assert problems == [], (size, day.seed)


def test_the_settings_checks_catch_a_broken_hall():
    hall = base_hall("demo")
    orphan = replace(hall, windows=tuple(
        replace(w, skills={c: s for c, s in w.skills.items() if c != "construction"})
        for w in hall.windows))
    assert any("no window can serve matter" in p for p in settings_problems(orphan))
    empty = replace(hall, windows=(replace(hall.windows[0], skills={}),) + hall.windows[1:])
    assert any("skills" in p for p in settings_problems(empty))


def test_a_derived_hall_runs_in_the_simulator(days):
    day = next(d for d in days["small"] if d.plan.scarce)
    results = simulate(day.hall, day.trace, "balanced", eta="none")
    assert {r.outcome for r in results} == {"served", "no_show"}
    scarce = day.plan.scarce[0]
    assert {r.window for r in results if r.category == scarce.category} \
        <= set(scarce.windows)


def test_tuning_and_reporting_seeds_are_apart():
    assert not set(tuning_seeds(1000)) & set(reporting_seeds(5000))
    with pytest.raises(ValueError):
        tuning_seeds(1001)


def test_a_recheck_skips_the_reporting_days_already_seen():
    assert reporting_seeds(3, skip=200) == range(10_200, 10_203)
    from bench.advisor import mismatched_seeds
    first = mismatched_seeds("demo", 4, tuning=False)
    assert mismatched_seeds("demo", 2, tuning=False, skip=2) == first[2:]


def test_the_benchmark_reports_a_day(capsys):
    size, seed, figures = run_day(("small", 10_000))
    assert set(figures) == {"fcfs", "aging", "gcmu", "balanced", "aging~5s", "aging~30s"}
    ratios = day_ratios(figures)
    assert ratios["bal/fcfs mean"] == pytest.approx(
        figures["balanced"]["mean"] / figures["fcfs"]["mean"])
    assert 0 <= ratios["ETA ±5 min"] <= 1
    print_size("small", [(seed, figures)], guard=120.0)
    out = capsys.readouterr().out
    assert 0 <= ratios["80% range coverage"] <= 1       # the estimates carry their range
    assert "80% range coverage" in out and "worst" in out
    assert "no range yet" not in out
    assert "aging~30s/aging p95" in out and "noise floor" in out
    assert figures["balanced"]["mean"] <= 20          # a day the ±5 bar counts:
    assert "ETA ±5 pooled" in out                     # its pooled line is printed


def test_the_pooled_five_minute_share_counts_estimates_not_days():
    """"≥ 75% within ±5 min on days whose mean wait is ≤ 20 min", read literally: every
    estimate of those days counts once; a day past 20 minutes counts not at all."""
    def day(mean, within5, estimated):
        return {"balanced": {"mean": mean, "within5": within5, "estimated": estimated}}
    days = [day(10.0, 0.5, 100.0), day(15.0, 1.0, 300.0), day(25.0, 0.0, 1000.0)]
    share, count, counted = pooled_within5(days)
    assert (count, counted) == (400, 2)
    assert share == pytest.approx((50 + 300) / 400)      # not the mean of days, 0.75
    assert pooled_within5([day(25.0, 1.0, 10.0)]) is None


def test_the_noise_floor_rule_is_aging_moved_by_seconds():
    """The bench's reference for the p95 bar's noise floor: aging with per-ticket offsets
    below N seconds. Its offsets stay below N (a ticket older by N wins as under aging),
    and with N = 0 it calls exactly as aging does all day."""
    day = draw_day("small", 10_002)
    aging = simulate(day.hall, day.trace, "aging", eta="none")
    same = simulate(day.hall, day.trace, AgingWithOffsets(0.0), eta="none")
    assert [(r.ticket_id, r.called, r.window) for r in same] == [
        (r.ticket_id, r.called, r.window) for r in aging]
    moved = simulate(day.hall, day.trace, AgingWithOffsets(30.0), eta="none")
    assert [r.called for r in moved] != [r.called for r in aging]   # a few choices change
    assert len(moved) == len(aging) and all(r.outcome for r in moved)
    with pytest.raises(ValueError, match="eta='none'"):
        simulate(day.hall, day.trace, AgingWithOffsets(5.0))


def test_the_formula_can_be_given_the_true_means():
    day = draw_day("small", 10_001)
    slow = {code: 10 * minutes for code, minutes in day.true_means.items()}
    plain = simulate(day.hall, day.trace[:60], "balanced", eta="baseline")
    given = simulate(day.hall, day.trace[:60], "balanced", eta="baseline", baseline_means=slow)
    pairs = [(p.eta_baseline_minutes, g.eta_baseline_minutes) for p, g in zip(plain, given)
             if p.eta_baseline_minutes]
    assert pairs and all(g > p for p, g in pairs)


def test_the_benchmark_writes_every_day_s_figures(tmp_path, capsys):
    import json

    from bench.allocation_family import main
    out = tmp_path / "days.json"
    assert main(["--days", "2", "--sizes", "small", "--processes", "1", "--json", str(out)]) == 0
    days = json.loads(out.read_text(encoding="utf-8"))["small"]
    assert [d["seed"] for d in days] == [10_000, 10_001]
    assert all(set(d["figures"]) >= {"fcfs", "aging", "balanced", "aging~5s"} for d in days)
    printed = capsys.readouterr().out
    assert "aging~5s/aging mean" in printed and "reporting seeds 10000-10001" in printed
