import time
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from core.allocation import POLICIES, choose
from core.allocation.balanced import line_work
from core.forecast.eta import WindowState, _groups, baseline_eta, forecast, people_ahead
from core.forecast.service_times import ServiceTimeModel
from core.settings.schema import Priority
from tests.core.allocation.factory import SERVICE, context, ticket, window

MATTERS = sorted(SERVICE)
ALL_SKILLS = {"business": 1.0, "tax": 1.0, "realty": 1.0, "pickup": 1.0, "theme": 1.0}


def test_one_window_serves_in_order_with_expected_times():
    w = window(skills={"tax": 1.0})
    waiting = [ticket("A1", "invoice", since=0), ticket("A2", "invoice", since=10)]
    result = forecast(waiting, [WindowState(w, busy_until=120.0)], 100.0, "fcfs",
                      SERVICE.get, no_show_rate=0.0)
    assert result["A1"].wait_seconds == 20.0 and result["A1"].people_ahead == 0
    assert result["A2"].wait_seconds == 20.0 + 240.0 and result["A2"].people_ahead == 1


def test_lunch_break_delays_the_projection():
    w = window(skills={"tax": 1.0})
    result = forecast([ticket("A1", "invoice")], [WindowState(w, 0.0, lunch=(100.0, 3700.0))],
                      200.0, "fcfs", SERVICE.get)
    assert result["A1"].call_at == 3700.0


def test_ticket_no_window_can_serve_has_no_estimate():
    result = forecast([ticket("H1", "pickup")], [WindowState(window())], 0.0, "balanced",
                      SERVICE.get)
    assert result["H1"].call_at is None


def test_baseline_is_position_times_mean_over_windows():
    ws = [window(1), window(2)]
    waiting = [ticket(f"A{i}", "invoice", since=i) for i in range(5)]
    assert people_ahead(waiting[4], waiting, ws, 10.0) == 4
    assert baseline_eta(waiting[4], waiting, ws, 10.0, mean_minutes=6.0) == 12.0


crowds = st.lists(st.tuples(st.sampled_from(MATTERS), st.sampled_from(list(Priority)),
                            st.integers(0, 5000), st.booleans()), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(crowds, st.sampled_from(sorted(POLICIES)), st.integers(3000, 9000))
def test_group_heads_give_the_same_choice_as_the_full_list(rows, policy, now):
    waiting = [ticket(f"T{i}", m, since=s, priority=p,
                      slot=(s + 1200.0) if p is Priority.APPOINTMENT and appt else None)
               for i, (m, p, s, appt) in enumerate(rows)]
    windows = [window(1, skills={"tax": 1.0, "business": 0.5}, dedicated="tax"),
               window(2, "pickup", {"pickup": 1.0, "realty": 0.5}, also=("acceptance_a",)),
               window(3, "coordination", dict(ALL_SKILLS), also=("acceptance_a", "pickup"))]
    ctx = context(windows)
    # What the forecast hands the policy with the heads: the work waiting in each line,
    # which heads alone cannot give (`HallContext.line_work`).
    kept = replace(ctx, line_work=line_work(waiting, ctx.service_minutes))
    heads = [group[0] for group in _groups(waiting).values()]
    for w in windows:
        assert choose(policy, w, waiting, now, ctx) == choose(policy, w, heads, now, kept)


def test_service_time_model_shrinks_towards_history():
    model = ServiceTimeModel({"invoice": 4.0}, prior_weight=5)
    assert model.expected("invoice") == 4.0
    for _ in range(45):
        model.observe("invoice", 8.0)
    assert 7.0 < model.expected("invoice") < 8.0
    model.observe("invoice", 600.0)          # a clerk forgot to press "finish"
    assert model.expected("invoice") < 9.0
    assert model.expected("unknown") == 8.0


def test_forecast_for_100_waiting_and_15_windows_takes_a_few_ms():
    windows = [WindowState(window(n, also=("pickup", "coordination"), skills=dict(ALL_SKILLS)),
                           busy_until=100.0 + 30 * n) for n in range(1, 16)]
    waiting = [ticket(f"T{i}", MATTERS[i % 5], since=i * 9.0,
                      priority=list(Priority)[i % 4] if i % 5 == 0 else Priority.NORMAL)
               for i in range(100)]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        result = forecast(waiting, windows, 1000.0, "balanced", SERVICE.get)
        best = min(best, time.perf_counter() - started)
    assert len(result) == 100
    assert best < 0.02


def test_windows_free_at_one_moment_take_work_in_the_policy_s_ready_order():
    """Windows 1 (tax and realty, the only realty) and 2 (tax) are free at 100. Under
    `balanced` the window the hall would miss least (2) takes the old tax ticket first,
    so window 1 calls the realty ticket at once; in window order (fcfs's, longest idle
    alike) window 1 takes the tax ticket and the realty ticket waits for it."""
    scarce, common = window(1, skills={"tax": 1.0, "realty": 1.0}), window(2, skills={"tax": 1.0})
    waiting = [ticket("T1", "invoice", since=-3000.0), ticket("R1", "transfer", since=0.0)]
    states = [WindowState(scarce, busy_until=100.0), WindowState(common, busy_until=100.0)]
    balanced = forecast(waiting, states, 0.0, "balanced", SERVICE.get, no_show_rate=0.0)
    assert balanced["R1"].call_at == 100.0 and balanced["T1"].call_at == 100.0
    plain = forecast(waiting, states, 0.0, "fcfs", SERVICE.get, no_show_rate=0.0)
    assert plain["T1"].call_at == 100.0 and plain["R1"].call_at == 100.0 + 4 * 60.0
