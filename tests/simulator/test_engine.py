import statistics

from core.allocation import choose
from core.forecast.availability import working_minutes
from core.settings.schema import Priority
from simulator.engine import Simulation, simulate
from simulator.generator import generate_trace
from simulator.halls import full_pooling, synthetic_hall
from simulator.metrics import jain, percentile, summarize
from simulator.trace import TraceTicket

HALL = synthetic_hall("small")


def test_generated_day_matches_the_requested_load_and_mix():
    trace = generate_trace(HALL, seed=5, load=0.8)
    again = generate_trace(HALL, seed=5, load=0.8)
    assert trace == again
    capacity = sum(working_minutes(HALL.hours, w) for w in HALL.windows)
    work = sum(t.service_minutes for t in trace)
    assert 0.6 < work / capacity < 1.0
    no_shows = sum(t.no_show for t in trace) / len(trace)
    assert 0.02 < no_shows < 0.12
    normal = sum(t.priority is Priority.NORMAL for t in trace) / len(trace)
    assert 0.7 < normal < 0.9
    lunch = [t for t in trace if 12 * 3600 <= t.arrival < 13.5 * 3600]
    morning = [t for t in trace if 9.5 * 3600 <= t.arrival < 11 * 3600]
    assert len(lunch) < len(morning)


def test_surge_day_has_more_tickets():
    assert len(generate_trace(HALL, 2, 0.8, surge=True)) > len(generate_trace(HALL, 2, 0.8))


def test_every_ticket_is_served_or_marked_no_show():
    trace = generate_trace(HALL, seed=1, load=0.8)
    results = simulate(HALL, trace, "balanced")
    assert {r.outcome for r in results} <= {"served", "no_show"}
    assert all(r.finished >= r.called >= r.issued for r in results)
    no_show = [r for r in results if r.outcome == "no_show"]
    assert all(r.finished - r.called == 45 for r in no_show)
    assert all(r.eta_minutes is not None for r in results)


def test_decision_inputs_are_what_choose_received():
    trace = generate_trace(HALL, seed=2, load=0.9)[:120]
    sim = Simulation(HALL, trace, "balanced", eta="none")
    seen = []
    original = sim._call_next

    def spy(number):
        inputs = sim.decision_inputs(number)
        expected = choose("balanced", *inputs)
        original(number)
        if expected is not None:
            seen.append(sim.calls[-1][2] == expected.ticket_id)
    sim._call_next = spy
    sim.run()
    assert seen and all(seen)


def test_pooling_beats_dedicated_lines():
    trace = generate_trace(HALL, seed=3, load=0.8)
    dedicated = summarize(simulate(HALL, trace, "dedicated", eta="none"), HALL)
    pooled = summarize(simulate(full_pooling(HALL), trace, "fcfs", eta="none"), HALL)
    assert pooled["mean"] < dedicated["mean"] / 2


def test_appointment_is_called_near_its_slot_not_before_others():
    early = TraceTicket("P1", 9 * 3600 + 60, "invoice", Priority.APPOINTMENT, 5.0)
    assert early.appointment_slot == 9 * 3600 + 900
    normal = [TraceTicket(f"N{i}", 9 * 3600 + i, "invoice", Priority.NORMAL, 5.0) for i in range(3)]
    results = {r.ticket_id: r for r in simulate(HALL, normal + [early], "fcfs", eta="none")}
    assert results["P1"].called >= results["N0"].called


def test_metrics():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert jain([2, 2, 2]) == 1.0
    assert statistics.mean([jain([1, 0])]) == 0.5



def test_a_ticket_arriving_at_an_idle_hall_goes_to_the_window_it_would_miss_least():
    """The simulator's idle windows are the server's ready windows (待叫): the first
    citizen of the day, whom several windows could serve, goes under `fcfs` to the
    longest idle (all alike at opening: the lowest number) and under `balanced` to the
    window whose skills the other open windows share most."""
    from core.settings.loader import load_settings
    from tests.conftest import DEMO_HALL
    hall = load_settings(DEMO_HALL)
    first = [TraceTicket("T1", 9 * 3600 + 30, "SB-0501", Priority.NORMAL, 5.0)]
    sim = Simulation(hall, first, "balanced", eta="none")
    views = [w.view for w in sim.windows.values()]     # the demo hall: all open at 09:00
    holders = {}
    for view in views:
        for category, skill in view.skills.items():
            holders[category] = holders.get(category, 0) + (skill > 0)

    def worth(view):
        return sum(1 / holders[c] for c, skill in view.skills.items() if skill > 0)
    sim.run()
    ticket = sim._trace_by_id["T1"]
    category, pool = "social", "acceptance_b"
    assert (ticket.matter, sim.results["T1"].category) == ("SB-0501", category)
    able = [v for v in views if v.skills.get(category, 0) > 0
            and (v.pool == pool or pool in v.also_serves)]
    least = min(able, key=lambda v: (worth(v), v.number))
    assert len(able) > 2 and least.number != min(v.number for v in able)
    assert sim.results["T1"].window == least.number
    plain = Simulation(hall, first, "fcfs", eta="none")
    plain.run()
    assert plain.results["T1"].window == min(v.number for v in able)
