"""The forward projection with citizens still to come and windows opening or closing."""
import heapq
from collections import deque
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from core.allocation import POLICIES, get_policy
from core.allocation.interface import HallContext
from core.forecast.arrivals import ArrivalModel, is_virtual
from core.forecast.eta import WindowState, _free_at, forecast
from core.settings.schema import Priority
from tests.core.allocation.factory import CATEGORY, POOL, SERVICE, ticket, window

MATTERS = sorted(SERVICE)
ACCEPTANCE = ["invoice", "open_company", "transfer"]     # the acceptance_a pool's
ALL_SKILLS = {"business": 1.0, "tax": 1.0, "realty": 1.0, "pickup": 1.0, "theme": 1.0}


def place(matter):
    return CATEGORY[matter], POOL[matter]


def full_list_forecast(waiting, windows, now, policy, arrivals, no_show_rate=0.06,
                       no_show_seconds=45.0):
    """The projection without the group-heads trick: the policy sees every ticket."""
    chooser = get_policy(policy)
    context = HallContext(tuple(s.view for s in windows), SERVICE.get, 600.0, {})
    line = list(waiting)
    coming = deque(arrivals)
    heap = [(_free_at(s, now, s.busy_until), s.view.number, i) for i, s in enumerate(windows)]
    heapq.heapify(heap)
    calls, left = {}, len(waiting)
    while heap and left:
        at, _, i = heapq.heappop(heap)
        state = windows[i]
        if state.closes is not None and at >= state.closes:
            continue
        while coming and coming[0].queue_since <= at:
            line.append(coming.popleft())
        chosen = chooser.choose(state.view, line, at, context)
        if chosen is None:
            later = next((t.queue_since for t in coming if chooser.may_serve(state.view, t)),
                         None)
            if later is not None:
                heapq.heappush(heap, (_free_at(state, at, later), state.view.number, i))
            continue
        line.remove(chosen)
        if not is_virtual(chosen.ticket_id):
            calls[chosen.ticket_id] = at
            left -= 1
        seconds = 60.0 * SERVICE[chosen.matter]
        seconds = (1.0 - no_show_rate) * seconds + no_show_rate * no_show_seconds
        heapq.heappush(heap, (_free_at(state, at, at + seconds), state.view.number, i))
    return calls


rows = st.tuples(st.sampled_from(MATTERS), st.sampled_from(list(Priority)),
                 st.integers(0, 3000))
HALL_WINDOWS = [window(1, skills={"tax": 1.0, "business": 0.5}, dedicated="tax"),
                window(2, "pickup", {"pickup": 1.0, "realty": 0.5}, also=("acceptance_a",)),
                window(3, "coordination", dict(ALL_SKILLS), also=("acceptance_a", "pickup"))]


def _arrivals(rows_, start):
    found = [ticket(f"~{i}", m, since=start + s, priority=p,
                    slot=(start + s + 900.0) if p is Priority.APPOINTMENT else None)
             for i, (m, p, s) in enumerate(rows_)]
    return sorted(found, key=lambda t: (t.queue_since, t.ticket_id))


@settings(max_examples=60, deadline=None)
@given(st.lists(rows, min_size=1, max_size=40), st.lists(rows, max_size=40),
       st.sampled_from(sorted(POLICIES)), st.lists(st.integers(0, 1500), min_size=3,
                                                   max_size=3))
def test_group_heads_with_arrivals_give_the_same_calls_as_the_full_list(waiting_rows,
                                                                          coming_rows, policy,
                                                                          busy):
    now = 3000.0
    waiting = [ticket(f"T{i}", m, since=s, priority=p) for i, (m, p, s) in
               enumerate(waiting_rows)]
    arrivals = _arrivals(coming_rows, now + 1)
    windows = [WindowState(w, busy_until=now + b) for w, b in zip(HALL_WINDOWS, busy)]
    projected = forecast(waiting, windows, now, policy, SERVICE.get, arrivals=arrivals)
    expected = full_list_forecast(waiting, windows, now, policy, arrivals)
    assert {k: e.call_at for k, e in projected.items() if e.call_at is not None} == expected
    assert not any(is_virtual(k) for k in projected)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ACCEPTANCE),
       st.lists(st.integers(0, 3000), min_size=1, max_size=40),
       st.lists(st.tuples(st.sampled_from([Priority.GREEN, Priority.ELDERLY]),
                          st.integers(0, 4000)), min_size=1, max_size=20),
       st.lists(st.integers(0, 1500), min_size=3, max_size=3))
def test_priority_arrivals_never_make_a_normal_ticket_earlier(matter, waiting_rows, coming_rows,
                                                              busy):
    """Among tickets of one matter (one service time). With service times that differ,
    the claim is false: adding work ahead can change which window takes which ticket
    and call a later one sooner (Graham's list-scheduling anomaly; hypothesis found
    such a case for fcfs with three windows)."""
    now = 3000.0
    waiting = [ticket(f"T{i}", matter, since=s) for i, s in enumerate(waiting_rows)]
    coming_rows = [(matter, priority, at) for priority, at in coming_rows]
    windows = [WindowState(window(n, skills=dict(ALL_SKILLS)), busy_until=now + b,
                           lunch=(now + 3600.0, now + 5400.0) if n == 2 else None)
               for n, b in zip((1, 2, 3), busy)]
    arrivals = _arrivals(coming_rows, now + 1)
    without = forecast(waiting, windows, now, "fcfs", SERVICE.get)
    with_them = forecast(waiting, windows, now, "fcfs", SERVICE.get, arrivals=arrivals)
    assert set(without) == set(with_them)
    for number, estimate in without.items():
        assert with_them[number].call_at >= estimate.call_at
        assert with_them[number].people_ahead == estimate.people_ahead


def test_a_green_ticket_coming_before_the_window_is_free_goes_first_under_every_policy():
    w = WindowState(window(skills={"tax": 1.0}), busy_until=600.0)
    waiting = [ticket("A1", "invoice", since=0.0)]
    coming = [ticket("~g", "invoice", since=300.0, priority=Priority.GREEN)]
    for policy in sorted(POLICIES):
        alone = forecast(waiting, [w], 100.0, policy, SERVICE.get, no_show_rate=0.0)
        later = forecast(waiting, [w], 100.0, policy, SERVICE.get, no_show_rate=0.0,
                         arrivals=coming)
        assert alone["A1"].call_at == 600.0
        assert later["A1"].call_at == 600.0 + 240.0, policy
        assert set(later) == {"A1"} and later["A1"].people_ahead == 0


def test_an_idle_window_waits_for_the_next_ticket_it_may_serve():
    tax = window(1, skills={"tax": 1.0})
    waiting = [ticket("A1", "invoice", since=0.0), ticket("A2", "invoice", since=5.0)]
    coming = [ticket("~p", "pickup", since=200.0), ticket("~i", "invoice", since=400.0,
                                                          priority=Priority.ELDERLY)]
    # the window is free now; A1 and A2 are called back to back, the elderly citizen
    # coming at 400 s goes before nothing: the line was empty by then
    result = forecast(waiting, [WindowState(tax, busy_until=100.0)], 100.0, "fcfs",
                      SERVICE.get, no_show_rate=0.0, arrivals=coming)
    assert result["A1"].call_at == 100.0 and result["A2"].call_at == 340.0


def test_a_window_opening_later_takes_its_share():
    waiting = [ticket(f"A{i}", "invoice", since=float(i)) for i in range(6)]
    now_open = WindowState(window(1, skills={"tax": 1.0}), busy_until=0.0)
    opens_later = WindowState(window(2, skills={"tax": 1.0}), busy_until=600.0)
    alone = forecast(waiting, [now_open], 0.0, "fcfs", SERVICE.get, no_show_rate=0.0)
    both = forecast(waiting, [now_open, opens_later], 0.0, "fcfs", SERVICE.get,
                    no_show_rate=0.0)
    assert alone["A5"].call_at == 5 * 240.0
    assert both["A3"].call_at == 600.0          # the second window's first call, at opening
    assert both["A5"].call_at < alone["A5"].call_at


def test_a_window_calls_nobody_after_it_closes():
    waiting = [ticket(f"A{i}", "invoice", since=float(i)) for i in range(4)]
    closing = WindowState(window(1, skills={"tax": 1.0}), busy_until=0.0, closes=400.0)
    staying = WindowState(window(2, skills={"tax": 1.0}), busy_until=1000.0)
    result = forecast(waiting, [closing, staying], 0.0, "fcfs", SERVICE.get, no_show_rate=0.0)
    assert result["A0"].call_at == 0.0 and result["A1"].call_at == 240.0
    assert result["A2"].call_at == 1000.0 and result["A3"].call_at == 1240.0
    alone = forecast(waiting[:1], [closing], 500.0, "fcfs", SERVICE.get)
    assert alone["A0"].call_at is None


def test_schedule_spreads_a_stream_at_its_learned_rate():
    model = ArrivalModel()
    for day in ("d1", "d2"):
        for k in range(6):                       # 6 elderly invoices an hour, 9:00-10:00
            model.observe(day, 9 * 3600 + k * 600, "invoice", Priority.ELDERLY)
    model.observe("d1", 10 * 3600 + 60, "pickup", Priority.NORMAL)   # 0.5 a day
    assert model.rate("invoice", "elderly", 9) == 6.0
    assert model.rate("invoice", "elderly", 10) == 0.0
    assert model.rate("pickup", "normal", 10) == 0.5
    tickets = model.schedule(place).tickets
    elderly = [t.queue_since for t in tickets if t.priority is Priority.ELDERLY]
    assert len(elderly) == 6
    assert all(9 * 3600 <= at < 10 * 3600 for at in elderly)
    gaps = {round(b - a, 6) for a, b in zip(elderly, elderly[1:])}
    assert gaps == {600.0}
    schedule = model.schedule(place)
    assert schedule.after(9 * 3600 + 1800) == [t for t in schedule.tickets
                                               if t.queue_since > 9 * 3600 + 1800]


def test_bookings_come_before_their_slot_and_replace_learned_appointments():
    model = ArrivalModel.from_records([("d1", 3600.0 * 9, "invoice", "appointment", 9 * 3600 + 600),
                                       ("d1", 3600.0 * 10, "invoice", "appointment",
                                        10 * 3600 + 300)])
    assert model.appointment_lead_seconds == 450.0
    assert any(t.priority is Priority.APPOINTMENT for t in model.schedule(place).tickets)
    schedule = model.schedule(place, appointments=False)
    assert not schedule.tickets
    now = 11 * 3600.0
    coming = schedule.after(now, bookings=[(now + 3600.0, "invoice"), (now + 100.0, "pickup")])
    assert [(t.queue_since, t.appointment_slot, t.matter) for t in coming] == [
        (now, now + 100.0, "pickup"), (now + 3600.0 - 450.0, now + 3600.0, "invoice")]
    assert all(t.priority is Priority.APPOINTMENT and is_virtual(t.ticket_id) for t in coming)


def test_a_weekday_leans_on_its_own_past_days():
    """Mondays bring 12 elderly invoices at nine, Tuesdays 3: a Monday expects more than
    the all-days mean, a Tuesday less, a Wednesday (never seen) the all-days mean."""
    model = ArrivalModel()
    mondays = ("2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23")
    tuesdays = ("2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24")
    for days, count in ((mondays, 12), (tuesdays, 3)):
        for day in days:
            for k in range(count):
                model.observe(day, 9 * 3600 + k * 60, "invoice", Priority.ELDERLY)
    assert model.weekdays(0) == 4 and model.weekdays(1) == 4 and model.weekdays(2) == 0
    every_day = model.rate("invoice", "elderly", 9)
    assert every_day == 7.5
    # (4 Mondays x 12 + 2 x 7.5) / (4 + 2)
    assert model.rate("invoice", "elderly", 9, weekday=0) == (48 + 15) / 6
    assert model.rate("invoice", "elderly", 9, weekday=1) == (12 + 15) / 6
    assert model.rate("invoice", "elderly", 9, weekday=2) == every_day
    on = {weekday: sum(t.priority is Priority.ELDERLY
                       for t in model.schedule(place, weekday=weekday).tickets)
          for weekday in (0, 1, 2, None)}
    # 10.5, 4.5 and 7.5 expected: the stream's phase (0.382) rounds each half up
    assert on == {0: 11, 1: 5, 2: 8, None: 8}, on


def test_day_labels_that_are_not_dates_have_no_weekday():
    model = ArrivalModel()
    model.observe_day(1, [(9 * 3600.0, "invoice", "normal")])
    model.observe_day("d2", [])                    # a day with no ticket is still a day
    model.observe_day(date(2026, 11, 23), [(9 * 3600.0, "invoice", "normal")])
    assert model.days == 3 and model.weekdays(0) == 1
    assert model.rate("invoice", "normal", 9) == 2 / 3
    assert model.rate("invoice", "normal", 9, weekday=0) == (1 + 2 * 2 / 3) / 3
    assert model.rate("invoice", "normal", 9, weekday=4) == 2 / 3
    model.observe_day("2026-11-24", [])            # a Tuesday with no ticket at all
    assert model.days == 4 and model.weekdays(1) == 1
    assert model.rate("invoice", "normal", 9, weekday=1) == (0 + 2 * 2 / 4) / 3
