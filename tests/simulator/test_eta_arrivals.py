"""The ETA's arrival model, learned from simulated days, and the simulator using it."""
import statistics
from collections import Counter

from core.forecast.arrivals import ArrivalModel
from core.forecast.service_times import ServiceTimeModel
from core.settings.schema import Priority
from simulator.engine import matter_place, simulate
from simulator.family import draw_day
from simulator.generator import generate_trace
from simulator.halls import synthetic_hall

HALL = synthetic_hall("small")


def _records(day, trace):
    return [(day, t.arrival, t.matter, t.priority, t.appointment_slot) for t in trace]


def test_rates_learned_from_two_days_are_the_mean_count_per_hour():
    one, two = generate_trace(HALL, seed=1, load=0.8), generate_trace(HALL, seed=2, load=0.8)
    model = ArrivalModel.from_records(_records("d1", one) + _records("d2", two))
    assert model.days == 2
    counts = Counter((t.matter, t.priority, int(t.arrival // 3600)) for t in one + two)
    for (matter, priority, hour), count in counts.items():
        assert model.rate(matter, priority, hour) == count / 2
    hours = Counter(int(t.arrival // 3600) for t in one + two)
    for hour in range(24):
        learned = sum(model.rate(m, p, hour) for m, p in model.streams())
        assert learned == hours.get(hour, 0) / 2
    elderly = sum(t.priority is Priority.ELDERLY for t in one + two) / 2
    assert sum(model.rate(m, p, h) for m, p in model.streams() for h in range(24)
               if p is Priority.ELDERLY) == elderly
    leads = [t.appointment_slot - t.arrival for t in one + two if t.appointment_slot]
    assert abs(model.appointment_lead_seconds - statistics.fmean(leads)) < 1e-6


def test_the_expected_day_has_about_the_learned_number_of_tickets_in_each_hour():
    trace = generate_trace(HALL, seed=3, load=0.8)
    model = ArrivalModel.from_records(_records("d", trace))
    schedule = model.schedule(lambda code: matter_place(HALL, code))
    assert abs(len(schedule.tickets) - len(trace)) <= 0.05 * len(trace)
    expected = Counter(int(t.arrival // 3600) for t in trace)
    virtual = Counter(int(t.queue_since // 3600) for t in schedule.tickets)
    for hour, count in expected.items():
        if count >= 20:
            assert abs(virtual[hour] - count) <= 0.25 * count, (hour, virtual[hour], count)
    assert [t.queue_since for t in schedule.tickets] == sorted(
        t.queue_since for t in schedule.tickets)


def _run(day, arrivals):
    model = ServiceTimeModel.from_settings(day.hall)
    model.observe_many((t.matter, t.service_minutes) for t in day.history() if not t.no_show)
    return simulate(day.hall, day.trace, "balanced", model=model, arrivals=arrivals)


def test_expecting_later_citizens_removes_most_of_the_forecasts_low_bias():
    day = draw_day("demo", 2)
    learned = ArrivalModel.from_records(_records("history", day.history()))
    without, with_arrivals = _run(day, None), _run(day, learned)
    assert [r.ticket_id for r in with_arrivals] == [t.ticket_id for t in day.trace]

    def errors(results):
        return [r.eta_minutes - r.wait_minutes for r in results
                if r.outcome == "served" and r.eta_minutes is not None]
    before, after = errors(without), errors(with_arrivals)
    assert statistics.fmean(before) < -1.0          # the bias the issue describes
    assert abs(statistics.fmean(after)) < 0.7 * abs(statistics.fmean(before))
    assert statistics.fmean(map(abs, after)) < statistics.fmean(map(abs, before))
    # the calls themselves do not depend on the estimate
    assert [r.called for r in without] == [r.called for r in with_arrivals]
