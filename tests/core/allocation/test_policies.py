import statistics
import time

import pytest

from core.allocation import (
    POLICIES,
    can_serve,
    choose,
    dedicated_category_of,
    effective_rank,
    get_policy,
)
from core.settings.schema import Priority, WindowSpec
from tests.core.allocation.factory import context, ticket, window

G, E, A, N = Priority.GREEN, Priority.ELDERLY, Priority.APPOINTMENT, Priority.NORMAL


def test_can_serve_needs_skill_and_pool():
    w = window(skills={"tax": 1.0}, also=("pickup",))
    assert can_serve(w, ticket("A1", "invoice"))
    assert not can_serve(w, ticket("A2", "open_company"))          # no business skill
    assert not can_serve(w, ticket("A3", "pickup"))                 # no pickup skill
    assert can_serve(window(skills={"pickup": 0.5}, also=("pickup",)), ticket("H1", "pickup"))
    assert not can_serve(window(skills={"tax": 0.0}), ticket("A4", "invoice"))


def test_green_window_serves_green_and_elderly_of_any_pool():
    w = window(pool="green", skills={"tax": 1.0})
    assert can_serve(w, ticket("A1", "invoice", priority=E))
    assert can_serve(w, ticket("A2", "invoice", priority=G))
    assert not can_serve(w, ticket("A3", "invoice", priority=N))


def test_pinned_ticket_goes_to_its_window_only():
    t = ticket("A1", "invoice", pinned=7)
    assert not can_serve(window(1), t)
    assert can_serve(window(7, skills={}), t)


def test_dedicated_category_is_the_highest_weight_skill():
    spec = WindowSpec(3, "3", "acceptance_a", {"tax": 0.5, "realty": 1.0, "business": 1.0})
    assert dedicated_category_of(spec) == "realty"


def test_appointment_ranks_as_priority_only_near_its_slot():
    t = ticket("A1", slot=10_000.0, priority=A)
    assert effective_rank(t, 9_000.0, 600.0) == N.rank
    assert effective_rank(t, 9_400.0, 600.0) == A.rank


@pytest.mark.parametrize("name", list(POLICIES))
def test_no_servable_ticket_gives_none(name):
    w = window(skills={"tax": 1.0}, dedicated="tax")
    assert choose(name, w, [ticket("H1", "pickup")], 100.0, context([w])) is None
    assert choose(name, w, [], 100.0, context([w])) is None


def test_fcfs_strict_classes_then_oldest():
    waiting = [ticket("A1", since=0), ticket("A2", since=50, priority=E), ticket("A3", since=10)]
    assert choose("fcfs", window(), waiting, 100.0, context()).ticket_id == "A2"
    assert choose("fcfs", window(), waiting[::2], 100.0, context()).ticket_id == "A1"


def test_dedicated_calls_only_its_category():
    w = window(dedicated="realty")
    waiting = [ticket("A1", "invoice", since=0), ticket("B1", "transfer", since=50)]
    assert choose("dedicated", w, waiting, 100.0, context([w])).ticket_id == "B1"


def test_aging_credit_speeds_up_but_does_not_starve():
    elderly = ticket("A2", since=3000, priority=E)
    recent = ticket("A1", since=2500)
    assert choose("aging", window(), [recent, elderly], 3100.0, context()).ticket_id == "A2"
    old = ticket("A0", since=0)
    assert choose("aging", window(), [old, elderly], 3100.0, context()).ticket_id == "A0"


def test_gcmu_prefers_short_matters_at_equal_wait():
    waiting = [ticket("A1", "open_company", since=0), ticket("A2", "invoice", since=0)]
    assert choose("gcmu", window(), waiting, 600.0, context()).ticket_id == "A2"


def test_balanced_serves_scarce_work_first():
    # Window 6 is the only open window for themes; the invoice has two windows able to take it.
    coordination = window(6, "coordination", {"theme": 1.0, "tax": 0.5}, also=("acceptance_a",))
    acceptance = window(1, skills={"tax": 1.0})
    ctx = context([coordination, acceptance])
    waiting = [ticket("A1", "invoice", since=400), ticket("G1", "birth", since=300)]
    assert choose("balanced", coordination, waiting, 600.0, ctx).ticket_id == "G1"
    assert choose("gcmu", coordination, waiting, 600.0, ctx).ticket_id == "A1"   # shortness
    # With only window 6 open both are equally scarce and the short invoice goes first.
    alone = context([coordination])
    assert choose("balanced", coordination, waiting, 600.0, alone).ticket_id == "A1"


def test_balanced_shortness_counts_more_within_a_category_than_between():
    # Within tax: invoice (4 min) before tax registration (15 min), though it came later.
    within = [ticket("A1", "register_tax", since=0), ticket("A2", "invoice", since=120)]
    assert choose("balanced", window(), within, 600.0, context()).ticket_id == "A2"
    # Between categories the long matter keeps its lead: a 20-minute realty transfer that
    # came 400 s earlier beats a 4-minute invoice that a c-mu index would call first.
    between = [ticket("B1", "transfer", since=0), ticket("A2", "invoice", since=400)]
    assert choose("balanced", window(), between, 600.0, context()).ticket_id == "B1"
    assert choose("gcmu", window(), between, 600.0, context()).ticket_id == "A2"


def test_balanced_short_first_then_long_catches_up():
    waiting = [ticket("A1", "open_company", since=0), ticket("A2", "invoice", since=0)]
    assert choose("balanced", window(), waiting, 300.0, context()).ticket_id == "A2"
    # A 20-minute matter waiting 50 minutes beats a fresh 4-minute one (before the guard).
    late = [ticket("A1", "transfer", since=0), ticket("A2", "invoice", since=3000)]
    assert choose("balanced", window(), late, 3000.0, context()).ticket_id == "A1"


def test_balanced_a_line_piling_up_goes_before_an_equally_scarce_quiet_one():
    # Window 1 alone serves invoices of areas A and B: equally scarce lines, the same
    # matter. A's one invoice came 30 s before B's first of eight; B's work waiting for
    # its one window (8 x 4 min) weighs more than half a minute of age.
    one = window(1, skills={"tax": 1.0}, also=("acceptance_b",))
    waiting = [ticket("A1", "invoice", since=0)] + [
        ticket(f"B{i}", "invoice", since=30 + 10 * i, pool="acceptance_b") for i in range(8)]
    ctx = context([one])
    assert choose("balanced", one, waiting, 600.0, ctx).ticket_id == "B0"
    assert choose("aging", one, waiting, 600.0, ctx).ticket_id == "A1"
    # A quiet line of B (one invoice) does not jump the older A ticket.
    assert choose("balanced", one, waiting[:2], 600.0, ctx).ticket_id == "A1"
    # The forecast hands the line work over (HallContext.line_work): the policy uses it.
    from dataclasses import replace

    from core.allocation.balanced import line_work
    handed = replace(ctx, line_work=line_work(waiting, ctx.service_minutes))
    heads = [waiting[0], waiting[1]]                  # what the forecast shows: group heads
    assert choose("balanced", one, heads, 600.0, handed).ticket_id == "B0"


def test_balanced_a_long_wait_grows_faster_than_linearly():
    # A 20-minute transfer that has waited 60 minutes against a 4-minute invoice that has
    # waited 30: by its wait alone (the index before stop 20) the invoice goes first;
    # the urgency term, twice the index at 60 minutes and 1.25 times at 30, calls the
    # transfer before either reaches the guard.
    waiting = [ticket("B1", "transfer", since=0), ticket("A2", "invoice", since=1800)]
    assert choose("balanced", window(), waiting, 3600.0, context()).ticket_id == "B1"
    linear = context(params={"urgency_minutes": 1e9})
    assert choose("balanced", window(), waiting, 3600.0, linear).ticket_id == "A2"
    # Both fresh, shortness still decides: the invoice.
    fresh = [ticket("B1", "transfer", since=1800), ticket("A2", "invoice", since=1800)]
    assert choose("balanced", window(), fresh, 1860.0, context()).ticket_id == "A2"


def test_balanced_overdue_ticket_beats_scarce_work():
    # The guard is 90 minutes by default ([rules] max_wait_guard_minutes).
    coordination = window(6, "coordination", {"theme": 1.0, "tax": 0.5}, also=("acceptance_a",))
    waiting = [ticket("A1", "invoice", since=0), ticket("G1", "birth", since=5300)]
    ctx = context([coordination])
    assert choose("balanced", coordination, waiting, 5500.0, ctx).ticket_id == "A1"
    # Where the index alone would choose otherwise: a tax registration past the guard
    # against an invoice 10 minutes younger, which the index (shortness within tax)
    # would call first; the overdue tier calls the older one.
    tax = [ticket("A1", "register_tax", since=0), ticket("A2", "invoice", since=600)]
    assert choose("balanced", coordination, tax, 5500.0, ctx).ticket_id == "A1"
    no_guard = context([coordination], params={"guard_seconds": 1e9})
    assert choose("balanced", coordination, tax, 5500.0, no_guard).ticket_id == "A2"
    # A hall's own guard ([rules] max_wait_guard_minutes = 60) makes it overdue sooner.
    hour = context([coordination], params={"guard_seconds": 3600.0})
    assert choose("balanced", coordination, tax, 3700.0, hour).ticket_id == "A1"
    assert choose("balanced", coordination, tax, 3700.0, ctx).ticket_id == "A2"


def test_unknown_policy_names_the_known_ones():
    with pytest.raises(ValueError, match="balanced"):
        get_policy("fastest")


def _crowd(n):
    matters = ["open_company", "invoice", "transfer", "pickup", "birth"]
    priorities = [N, N, N, N, E, A, G]
    return [ticket(f"T{i}", matters[i % 5], since=i * 7.0, priority=priorities[i % 7],
                   slot=(i * 7.0 + 900) if i % 7 == 5 else None) for i in range(n)]


@pytest.mark.parametrize("name", list(POLICIES))
def test_decision_time_with_500_waiting_is_under_5ms(name):
    windows = [window(n, also=("pickup", "coordination"),
                      skills={"business": 1, "tax": 1, "realty": 1, "pickup": 1, "theme": 1},
                      dedicated="tax") for n in range(1, 16)]
    ctx, waiting = context(windows), _crowd(500)
    times = []
    for _ in range(15):
        start = time.perf_counter()
        choose(name, windows[0], waiting, 4000.0, ctx)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.005
