"""Invariants of allocation on random traces, through the simulator."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.allocation import POLICIES, can_serve
from core.settings.schema import Priority
from simulator.engine import Simulation
from simulator.halls import synthetic_hall
from simulator.trace import TraceTicket

HALL = synthetic_hall("small", seed=3)
MATTERS = [m.code for m in HALL.matters]

tickets = st.tuples(
    st.floats(min_value=0, max_value=9 * 3600),        # arrival, after 08:50
    st.sampled_from(MATTERS),
    st.sampled_from(list(Priority)),
    st.floats(min_value=0.2, max_value=40),            # service minutes
    st.booleans(),
)
traces = st.lists(tickets, min_size=1, max_size=70).map(lambda rows: [
    TraceTicket(f"T{i:03d}", round(530 * 60 + a), m, p, s, ns and i % 3 == 0)
    for i, (a, m, p, s, ns) in enumerate(rows)])
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class CheckedSimulation(Simulation):
    """Checks after every event that no open idle window could serve a waiting ticket."""

    def _arrive(self, t):
        super()._arrive(t)
        assert not self.idle_violations()

    def _window_free(self, number):
        super()._window_free(number)
        assert not self.idle_violations()

    def _call_next(self, number):
        view, waiting, now, context = self.decision_inputs(number)
        before = {t.ticket_id: t for t in waiting}
        super()._call_next(number)
        if self.calls and self.calls[-1][:2] == (now, number) and self.calls[-1][2] in before:
            assert can_serve(view, before[self.calls[-1][2]])


def _run(trace, policy):
    sim = CheckedSimulation(HALL, trace, policy, eta="none")
    return sim, sim.run()


@PROPERTY
@given(traces, st.sampled_from(sorted(POLICIES)))
def test_windows_get_only_tickets_they_are_skilled_for(trace, policy):
    sim, results = _run(trace, policy)
    for _, number, ticket_id in sim.calls:
        r = next(r for r in results if r.ticket_id == ticket_id)
        assert sim.windows[number].view.skills.get(r.category, 0) > 0


@PROPERTY
@given(traces, st.sampled_from(sorted(POLICIES)))
def test_each_ticket_called_once_and_none_starves(trace, policy):
    sim, results = _run(trace, policy)
    called = [ticket_id for _, _, ticket_id in sim.calls]
    assert len(called) == len(set(called)) == len(trace)
    assert all(r.called is not None and r.called >= r.issued for r in results)
    assert not sim.waiting


@PROPERTY
@given(traces, st.sampled_from(["aging", "balanced"]))
def test_waits_are_bounded(trace, policy):
    # All the day's work could be done by the smallest pool's single window
    # after everyone arrived: a wait longer than that means someone was starved.
    _, results = _run(trace, policy)
    work = sum(t.service_minutes for t in trace) * 60 + 45 * len(trace)
    last_arrival = max(t.arrival for t in trace)
    lunch = 3600
    for r in results:
        assert r.called <= max(last_arrival, 540 * 60) + work + lunch


@PROPERTY
@given(traces, st.sampled_from(sorted(POLICIES)))
def test_service_never_overlaps_on_a_window(trace, policy):
    _, results = _run(trace, policy)
    by_window = {}
    for r in results:
        by_window.setdefault(r.window, []).append((r.called, r.finished))
    for spans in by_window.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start


@PROPERTY
@given(traces)
def test_lunch_breaks_are_respected(trace):
    _, results = _run(trace, "balanced")
    for r in results:
        lunch = HALL.window(r.window).lunch_break
        start, end = lunch[0] * 60, lunch[1] * 60
        assert not (start < r.called < end) or r.called == start
