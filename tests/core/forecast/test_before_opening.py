"""Tickets taken before the first window opens (numbers from 08:00, windows at 08:30):
people ahead count as they will be called, and the wait runs from the opening."""
from __future__ import annotations

from datetime import datetime

from core.actions.tickets import TicketRequest, issue_ticket
from core.forecast.live import WaitEstimator, estimate_waits
from core.hall import Hall
from tests.conftest import ZONE

EIGHT = datetime(2026, 11, 23, 8, 0, tzinfo=ZONE)


def test_three_tickets_before_opening_have_0_1_2_ahead_and_wait_for_the_opening(settings):
    hall = Hall(settings, "2026-11-23", WaitEstimator())
    issued = [issue_ticket(hall, TicketRequest("SS-0101", f"t{n}"), EIGHT)[0]
              for n in range(3)]
    assert [e.people_ahead for e in issued] == [0, 1, 2]
    # nobody is called before 08:30: every wait is at least the 30 minutes to the opening
    assert all(e.eta_minutes is not None and e.eta_minutes >= 30 for e in issued)
    assert issued[0].eta_minutes == 30.0
    later = estimate_waits(hall, EIGHT)
    assert [later[e.number][0] for e in issued] == [0, 1, 2]


def test_after_opening_with_no_window_staffed_people_ahead_still_count(settings):
    hall = Hall(settings, "2026-11-23", WaitEstimator())
    nine = EIGHT.replace(hour=9)
    issued = [issue_ticket(hall, TicketRequest("SS-0101", f"t{n}"), nine)[0]
              for n in range(3)]
    assert [e.people_ahead for e in issued] == [0, 1, 2]
    assert [e.eta_minutes for e in issued] == [None, None, None]    # no window open: no ETA
