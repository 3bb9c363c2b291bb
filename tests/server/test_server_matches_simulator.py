"""The server and the simulator make identical choices for the same state."""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.actions.tickets import TicketRequest, issue_ticket
from core.allocation import POLICIES
from core.id_cards import check_digit
from core.settings.loader import load_settings
from core.settings.schema import Priority
from core.tickets import Origin
from server.app import create_app
from simulator.engine import Simulation
from simulator.trace import TraceTicket
from tests.conftest import DEMO_HALL, TOKENS, ZONE, FakeClock, clerk_token, without_issue_limits

OPENING = 8 * 3600 + 30 * 60
SETTINGS = without_issue_limits(load_settings(DEMO_HALL))
SUBJECTS = sorted(m.code for m in SETTINGS.matters) + sorted(t.code for t in SETTINGS.themes)
WINDOWS = [w.number for w in SETTINGS.windows]

arrivals = st.lists(
    st.tuples(st.integers(0, 1799), st.sampled_from(SUBJECTS), st.sampled_from(list(Priority))),
    min_size=1, max_size=25, unique_by=lambda row: row[0])
presses = st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=12)


def at(seconds: float) -> datetime:
    whole = int(seconds)
    return datetime(2026, 11, 23, whole // 3600, whole // 60 % 60, whole % 60, tzinfo=ZONE)


def elderly_card(serial: int) -> str:
    first17 = f"610503195001{serial % 28 + 1:02d}{serial:03d}"
    return first17 + check_digit(first17)


def issue_on_server(client, clock, second: int, subject: str, priority: Priority, serial: int):
    clock.now = at(second)
    kiosk = {"Authorization": f"Bearer {TOKENS['kiosk']}"}
    if priority is Priority.APPOINTMENT:
        # an appointment ticket as a booking's check-in issues it (the booking itself,
        # its slots and capacities, are tests/server/test_bookings_api.py's business)
        slot = at(math.ceil(second / 900) * 900)
        token = f"appointment-{serial}"
        request = TicketRequest(subject=subject, phone_token=token, origin=Origin.APPOINTMENT,
                                appointment_slot=slot)
        service = client.application.extensions["yichuang.service"]
        service.act(lambda hall, now: issue_ticket(hall, request, now))
        return service.read(lambda hall, now: hall.by_phone_token[token].number)
    elif priority is Priority.GREEN:
        answer = client.post("/api/tickets", json={"subject": subject, "priority": "green"},
                             headers={"Authorization": f"Bearer {TOKENS['manager']}"})
    elif priority is Priority.ELDERLY:
        answer = client.post("/api/tickets", headers=kiosk, json={
            "subject": subject, "id_card": elderly_card(serial), "id_card_read": True})
    else:
        answer = client.post("/api/tickets", json={"subject": subject}, headers=kiosk)
    assert answer.status_code == 201, answer.json
    return answer.json["ticket"]["number"]


@hypothesis_settings(max_examples=12, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow,
                                            HealthCheck.function_scoped_fixture])
@given(arrivals, presses, st.sampled_from(sorted(POLICIES)))
def test_the_same_state_gives_the_same_choice(tmp_path_factory, rows, windows, policy):
    hall = replace(SETTINGS, rules=replace(SETTINGS.rules, policy=policy))
    clock = FakeClock(at(OPENING - 1800))
    app = create_app(hall, database=str(tmp_path_factory.mktemp("same") / "hall.db"),
                     clock=clock)
    client = app.test_client()
    trace, number_of = [], {}
    for serial, (offset, subject, priority) in enumerate(sorted(rows)):
        second = OPENING - 1800 + offset
        number_of[f"T{serial:03d}"] = issue_on_server(client, clock, second, subject, priority,
                                                      serial)
        trace.append(TraceTicket(f"T{serial:03d}", second, subject, priority, 5.0))
    clock.now = at(OPENING)
    for window in WINDOWS:
        token = {"Authorization": f"Bearer {clerk_token(window)}"}
        client.post(f"/api/windows/{window}/login", headers=token)
        client.post(f"/api/windows/{window}/open", headers=token)
    simulation = Simulation(hall, trace, policy, eta="none")
    for ticket in simulation.trace:
        simulation.arrive(ticket)
    for window in windows:
        expected = simulation.call_next(window, OPENING)
        answer = client.post(f"/api/windows/{window}/call-next",
                             headers={"Authorization": f"Bearer {clerk_token(window)}"})
        called = answer.json["ticket"]["number"] if answer.json["ticket"] else None
        if called is not None and answer.json["ticket"]["state"] != "called":
            called = None
        assert called == (number_of[expected] if expected else None), (window, policy)
    app.extensions["yichuang.service"].close()


def estimates_from_1120(tmp_path, hall, windows=(1,)) -> tuple[list, list]:
    """Eight SS-0101 numbers from 11:20, two seconds apart (a full forecast for each),
    with `windows` open: what the server prints and what the simulator estimates."""
    clock = FakeClock(at(11 * 3600 + 20 * 60))
    app = create_app(hall, database=str(tmp_path / "hall.db"), clock=clock)
    client = app.test_client()
    for number in windows:
        token = {"Authorization": f"Bearer {clerk_token(number)}"}
        client.post(f"/api/windows/{number}/login", headers=token)
        client.post(f"/api/windows/{number}/open", headers=token)
    simulation = Simulation(hall, [], "balanced")
    printed, simulated = [], []
    for serial in range(8):
        second = 11 * 3600 + 20 * 60 + 2 * serial
        clock.now = at(second)
        answer = client.post("/api/tickets", json={"subject": "SS-0101"},
                             headers={"Authorization": f"Bearer {TOKENS['kiosk']}"})
        printed.append(answer.json["eta_minutes"])
        simulation.arrive(TraceTicket(f"T{serial}", second, "SS-0101", Priority.NORMAL, 20.0))
        simulated.append(simulation.results[f"T{serial}"].eta_minutes)
    app.extensions["yichuang.service"].close()
    return printed, [None if m is None else round(m, 1) for m in simulated]


def test_the_server_and_the_simulator_agree_on_a_windows_shift_end(tmp_path):
    """Window 1's clerk leaves at 11:40 (`shift`): from then on only window 2 calls, in
    the server's estimate and in the simulator alike."""
    windows = (replace(SETTINGS.window(1), shift=(8 * 60 + 30, 11 * 60 + 40)),
               replace(SETTINGS.window(2), lunch_break=None))
    all_day = replace(SETTINGS, windows=(replace(windows[0], shift=None), windows[1]))
    leaving = replace(SETTINGS, windows=windows)
    printed, simulated = estimates_from_1120(tmp_path / "leaving", leaving, (1, 2))
    assert printed == simulated
    staying, _ = estimates_from_1120(tmp_path / "staying", all_day, (1, 2))
    assert printed[:2] == staying[:2] and printed[-1] > staying[-1] + 10


def test_the_server_and_the_simulator_agree_on_the_hall_lunch(tmp_path):
    """With `lunchtime_service = false` and no break of its own, a window takes the hall's
    lunch in the server's estimate and in the simulator alike (one availability rule)."""
    window = replace(SETTINGS.window(1), lunch_break=None)
    hall = replace(SETTINGS, hours=replace(SETTINGS.hours, lunchtime_service=False),
                   windows=(window,))
    printed, simulated = estimates_from_1120(tmp_path, hall)
    assert printed == simulated
    lunch = (hall.hours.lunch_end - hall.hours.lunch_start)
    assert printed[-1] > lunch, "the last ticket's wait spans the hall's lunch"
