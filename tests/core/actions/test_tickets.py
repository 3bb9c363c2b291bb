"""Taking a number, on the hall itself: issue (kiosk, staff, appointment, pickup), cancel,
and a new service day."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.actions.serving import call_next, finish_service, park
from core.actions.staffing import log_out, pause_window
from core.actions.tickets import (
    cancel_ticket,
    issue_pickup_ticket,
    issue_ticket,
    pickup_matter,
    start_day,
)
from core.cases import CaseStatus
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import DayStarted, TicketCancelled, TicketIssued
from core.settings.schema import Priority
from core.tickets import Origin, TicketState
from core.windows import WindowStatus
from tests.core.actions.helpers import (
    NOW,
    TODAY,
    at,
    called,
    opened_case,
    ready_case,
    request,
    served,
    serving,
    staffed,
    take,
    touched,
)

TOMORROW = "2026-11-24"


def issue(hall, subject="SS-0101", now=NOW, **fields) -> TicketIssued:
    events = issue_ticket(hall, request(subject, **fields), now)
    assert len(events) == 1 and isinstance(events[0], TicketIssued)
    return events[0]


def priority_of(hall, **fields) -> Priority:
    return hall.tickets[issue(hall, **fields).number].priority


# --- issue: matters, themes, numbering ---------------------------------------------

def test_a_matter_ticket_waits_in_the_matters_pool(hall):
    event = issue(hall, "SS-0101")
    assert event == TicketIssued(
        number="A001", subject="SS-0101", is_theme=False, category="business",
        pool="acceptance_a", priority="normal", origin="kiosk", people_ahead=0,
        eta_minutes=None, case_number="")
    ticket = hall.tickets["A001"]
    assert ticket.state is TicketState.WAITING and ticket.service_day == TODAY
    assert ticket.issued_at == ticket.queue_since == NOW
    assert [(h.action, h.note) for h in ticket.history] == [("issued", "kiosk")]
    assert ticket.ticket_id == "2026-11-23/A001"
    assert touched(hall) == ({"A001"}, set(), set())
    assert list(hall.waiting_numbers()) == ["A001"]


def test_a_theme_ticket_is_one_ticket_of_the_theme_category(hall, settings):
    event = issue(hall, "YJS-02")
    theme = settings.theme("YJS-02")
    assert (event.number, event.subject, event.is_theme) == ("T001", "YJS-02", True)
    assert (event.category, event.pool) == (theme.category, theme.pool) == ("theme",
                                                                             "acceptance_b")
    assert hall.tickets["T001"].is_theme


def test_numbers_run_per_category_prefix(hall):
    subjects = ("SS-0101", "SS-0102", "BDC-0401", "SS-0105", "BDC-0402", "YJS-01", "SB-0501",
                "YJS-05", "CJ-9001")
    numbers = [issue(hall, s).number for s in subjects]
    assert numbers == ["A001", "A002", "B001", "A003", "B002", "T001", "C001", "T002", "Q001"]
    assert hall.counters == {"A": 3, "B": 2, "T": 2, "C": 1, "Q": 1}


def test_an_unknown_subject_is_not_found_and_takes_no_number(hall):
    with pytest.raises(NotFound) as refused:
        issue(hall, "NOPE-1")
    assert refused.value.details == {"subject": "NOPE-1"}
    assert "unknown matter or theme 'NOPE-1'" in refused.value.message
    assert not hall.take_changes() and hall.tickets == {}
    assert issue(hall, "SS-0101").number == "A001"


# --- issue: priorities --------------------------------------------------------------

@pytest.mark.parametrize("origin", [Origin.KIOSK, Origin.STAFF])
def test_only_staff_may_give_the_green_channel(hall, origin):
    with pytest.raises(Forbidden) as refused:
        issue(hall, origin=origin, priority=Priority.GREEN)
    assert "only staff" in refused.value.message
    assert not hall.take_changes() and hall.tickets == {}


def test_staff_give_the_green_channel(hall):
    event = issue(hall, origin=Origin.STAFF, priority=Priority.GREEN, by_staff=True)
    assert (event.priority, event.origin) == ("green", "staff")
    assert hall.tickets[event.number].priority is Priority.GREEN


@pytest.mark.parametrize("age, expected", [
    (None, Priority.NORMAL), (30, Priority.NORMAL), (64, Priority.NORMAL),
    (65, Priority.ELDERLY), (90, Priority.ELDERLY)])
def test_elderly_priority_comes_from_the_age_on_a_card_read_by_the_reader(hall, settings, age,
                                                                        expected):
    assert settings.rules.elderly_age == 65
    assert priority_of(hall, age=age, id_card_read=True) is expected


@pytest.mark.parametrize("age", [65, 90])
def test_a_typed_id_number_gives_no_elderly_priority(hall, age):
    """Any invented number with a valid check digit would do: typed numbers are untrusted."""
    assert priority_of(hall, age=age) is Priority.NORMAL
    assert priority_of(hall, age=age, origin=Origin.STAFF, by_staff=True) is Priority.ELDERLY


def test_age_does_not_lower_a_green_channel(hall):
    assert priority_of(hall, age=80, priority=Priority.GREEN, by_staff=True) is Priority.GREEN


@pytest.mark.parametrize("origin, by_staff", [(Origin.KIOSK, False), (Origin.STAFF, True)])
def test_an_appointment_priority_comes_only_from_a_check_in(hall, origin, by_staff):
    with pytest.raises(Invalid) as refused:
        issue(hall, origin=origin, by_staff=by_staff, priority=Priority.APPOINTMENT)
    assert "appointment check-in" in refused.value.message
    assert not hall.take_changes() and hall.tickets == {}


def test_an_elderly_citizen_cannot_claim_an_appointment_without_a_check_in(hall):
    with pytest.raises(Invalid):
        issue(hall, priority=Priority.APPOINTMENT, age=70)


# --- issue: appointment check-in ----------------------------------------------------

@pytest.mark.parametrize("slot_offset", [
    timedelta(minutes=120), timedelta(minutes=45), timedelta(0), timedelta(minutes=-30)])
def test_an_appointment_checks_in_from_before_to_after_its_slot(hall, settings, slot_offset):
    rules = settings.rules
    assert (rules.appointment_check_in_opens_minutes,
            rules.appointment_check_in_closes_minutes) == (120, 30)
    slot = NOW + slot_offset
    event = issue(hall, "BDC-0401", origin=Origin.APPOINTMENT, appointment_slot=slot)
    assert (event.priority, event.origin, event.number) == ("appointment", "appointment", "B001")
    assert hall.tickets["B001"].appointment_slot == slot
    assert hall.waiting_view("B001").appointment_slot == 9 * 3600 + slot_offset.total_seconds()


@pytest.mark.parametrize("slot_offset, words", [
    (timedelta(minutes=120, seconds=1), "check-in opens 120 minutes before the slot at 11:00"),
    (timedelta(minutes=-30, seconds=-1), "has passed by more than 30 minutes"),
    (timedelta(hours=-3), "has passed by more than 30 minutes")])
def test_an_appointment_outside_its_check_in_window_is_refused(hall, slot_offset, words):
    with pytest.raises(Conflict) as refused:
        issue(hall, "BDC-0401", origin=Origin.APPOINTMENT, appointment_slot=NOW + slot_offset)
    assert words in refused.value.message
    assert not hall.take_changes() and hall.tickets == {}


@pytest.mark.parametrize("days", [1, -1])
def test_an_appointment_of_another_day_is_refused(hall, days):
    slot = NOW + timedelta(days=days)
    with pytest.raises(Conflict) as refused:
        issue(hall, "BDC-0401", origin=Origin.APPOINTMENT, appointment_slot=slot)
    assert f"is for {slot.date().isoformat()}, not today" in refused.value.message
    assert hall.tickets == {}


def test_an_appointment_check_in_needs_its_slot(hall):
    with pytest.raises(Invalid):
        issue(hall, "BDC-0401", origin=Origin.APPOINTMENT)


def test_an_appointment_check_in_is_an_appointment_even_for_the_elderly(hall):
    # The check-in decides: an elderly citizen who booked ranks as an appointment.
    assert priority_of(hall, subject="BDC-0401", origin=Origin.APPOINTMENT, age=80,
                       appointment_slot=NOW) is Priority.APPOINTMENT


# --- issue: one ID card's daily limit (防黄牛) -------------------------------------------

def test_one_id_card_takes_at_most_the_daily_limit(hall, settings):
    limit = settings.rules.tickets_per_id_per_day
    assert limit == 5
    subjects = ["SS-0101", "BDC-0401", "YJS-01", "SB-0501", "SS-0102"]
    for subject in subjects[:limit]:
        issue(hall, subject, id_card_hash="card-1")
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        issue(hall, "GA-0703", id_card_hash="card-1")
    assert f"taken {limit} tickets today; the limit is {limit}" in refused.value.message
    assert not hall.take_changes() and len(hall.tickets) == limit
    assert issue(hall, "GA-0703", id_card_hash="card-2").number == "D001"
    assert issue(hall, "GA-0703").number == "D002"          # no ID card: no limit


def test_a_cancelled_ticket_still_counts_against_the_id_card(hall, settings):
    numbers = [take(hall, id_card_hash="card-1")
               for _ in range(settings.rules.tickets_per_id_per_day)]
    cancel_ticket(hall, numbers[0], "changed my mind", NOW)
    with pytest.raises(Conflict):
        issue(hall, id_card_hash="card-1")


def test_the_id_card_limit_starts_again_each_day(hall, settings):
    for _ in range(settings.rules.tickets_per_id_per_day):
        take(hall, id_card_hash="card-1")
    start_day(hall, TOMORROW, at(days=1))
    assert issue(hall, now=at(days=1), id_card_hash="card-1").number == "A001"


# --- issue: the estimate the citizen is told ----------------------------------------

def test_no_estimate_while_no_open_window_serves_the_ticket(hall):
    staffed(hall, 13)                                       # a pickup window only
    take(hall)
    event = issue(hall)
    assert event.eta_minutes is None
    # people_ahead counts only those an open window able to serve it could call: none here
    assert event.people_ahead == 0


def test_estimates_grow_along_one_line(hall):
    staffed(hall, 1)
    first, second, third = issue(hall), issue(hall), issue(hall)
    assert (first.people_ahead, first.eta_minutes) == (0, 0.0)
    assert (second.people_ahead, third.people_ahead) == (1, 2)
    assert 0 < second.eta_minutes < third.eta_minutes


# --- pickup tickets ---------------------------------------------------------------

def test_a_pickup_ticket_is_bound_to_a_ready_case(hall, settings):
    case = ready_case(hall)
    events = issue_pickup_ticket(hall, case.lower(), "phone-1", NOW)
    assert pickup_matter(hall) == "CJ-9001"
    assert events == [TicketIssued(
        number="Q001", subject="CJ-9001", is_theme=False, category="pickup", pool="pickup",
        priority="normal", origin="kiosk", people_ahead=0, eta_minutes=None,
        case_number=case)]
    assert hall.tickets["Q001"].case_number == case
    assert hall.by_phone_token["phone-1"] is hall.tickets["Q001"]
    assert touched(hall) == ({"Q001"}, set(), set())       # the case itself is unchanged
    assert hall.cases[case].status is CaseStatus.READY


def test_a_case_in_review_gives_no_pickup_ticket(hall):
    case = opened_case(hall)
    with pytest.raises(Conflict) as refused:
        issue_pickup_ticket(hall, case, "phone-1", NOW)
    assert "still in review" in refused.value.message
    assert not hall.take_changes()


def test_an_unknown_case_gives_no_pickup_ticket(hall):
    with pytest.raises(NotFound) as refused:
        issue_pickup_ticket(hall, "WH20261123-0099", "phone-1", NOW)
    assert refused.value.details == {"case_number": "WH20261123-0099"}


def test_a_case_has_one_open_pickup_ticket_at_a_time(hall):
    case = ready_case(hall)
    issue_pickup_ticket(hall, case, "phone-1", NOW)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        issue_pickup_ticket(hall, case, "phone-2", NOW)
    assert "already has a pickup ticket" in refused.value.message
    assert not hall.take_changes() and "Q002" not in hall.tickets
    cancel_ticket(hall, "Q001", "lost it", NOW)              # once that one is over ...
    assert issue_pickup_ticket(hall, case, "phone-2", NOW)[0].number == "Q002"


# --- cancel --------------------------------------------------------------------------

def test_cancel_a_waiting_ticket_records_why(hall):
    staffed(hall, 1)
    first, second = take(hall), take(hall)
    assert cancel_ticket(hall, first.lower(), "等不及了", at(minutes=3)) == [
        TicketCancelled(number=first, reason="等不及了", by="citizen")]
    ticket = hall.tickets[first]
    assert ticket.state is TicketState.CANCELLED
    assert (ticket.history[-1].action, ticket.history[-1].note,
            ticket.history[-1].at) == ("cancelled", "等不及了 (citizen)", at(minutes=3))
    assert touched(hall) == ({first}, set(), set())
    assert list(hall.waiting_numbers()) == [second]
    assert call_next(hall, 1, at(minutes=4))[-1].number == second


def test_staff_who_cancel_are_recorded(hall):
    number = take(hall)
    assert cancel_ticket(hall, number, "重复取号", NOW, by="manager")[0].by == "manager"
    assert hall.tickets[number].history[-1].note == "重复取号 (manager)"


def test_only_a_waiting_ticket_can_be_cancelled(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    with pytest.raises(Conflict) as refused:
        cancel_ticket(hall, number, "x", NOW)
    assert "is called; only a waiting ticket can be cancelled" in refused.value.message
    assert not hall.take_changes() and hall.tickets[number].state is TicketState.CALLED


def test_a_ticket_is_cancelled_once(hall):
    number = take(hall)
    cancel_ticket(hall, number, "x", NOW)
    hall.take_changes()
    with pytest.raises(Conflict):
        cancel_ticket(hall, number, "again", NOW)
    assert not hall.take_changes()


def test_cancel_an_unknown_or_yesterdays_ticket(hall):
    take(hall)
    with pytest.raises(NotFound):
        cancel_ticket(hall, "A002", "x", NOW)
    with pytest.raises(Conflict) as refused:
        cancel_ticket(hall, "2026-11-22/A001", "x", NOW)
    assert refused.value.details == {"number": "A001", "day": "2026-11-22"}
    assert hall.tickets["A001"].state is TicketState.WAITING


# --- a new service day --------------------------------------------------------------

def test_a_new_day_expires_open_tickets_and_closes_every_window(hall):
    staffed(hall, 1, 2, 3)
    parked = serving(hall, 1)                               # A001: parked at window 1
    park(hall, 1, "去复印", NOW)
    finished, _ = served(hall, 2)                           # A002: finished at window 2
    take(hall)                                              # A003: called at window 1
    calling = called(hall, 1)
    waiting = take(hall, "BDC-0401")                        # B001: waiting
    pause_window(hall, 3, "开会")
    hall.take_changes()
    old = dict(hall.tickets)

    events = start_day(hall, TOMORROW, at(days=1))

    assert events == [DayStarted(service_day=TOMORROW, expired=3)]
    expired = {parked, calling, waiting}
    tickets, windows, cases = touched(hall)
    assert (tickets, cases) == (expired, set()) and {1, 2, 3} <= windows
    for number in expired:
        assert old[number].state is TicketState.CANCELLED
        assert (old[number].history[-1].action, old[number].history[-1].note) == (
            "cancelled", "day_ended")
    assert old[finished].state is TicketState.FINISHED
    for window in hall.windows.values():
        assert (window.status, window.clerk, window.current, window.parked,
                window.served_today) == (WindowStatus.CLOSED, "", "", [], 0)
    assert hall.service_day == TOMORROW and hall.tickets == {} and hall.counters == {}
    assert list(hall.waiting_numbers()) == [] and hall.by_phone_token == {}


def test_numbering_starts_again_each_day(hall):
    take(hall)
    take(hall, "BDC-0401")
    start_day(hall, TOMORROW, at(days=1))
    hall.take_changes()
    event = issue(hall, "SS-0101", at(days=1))
    assert event.number == "A001" and issue(hall, "BDC-0401", at(days=1)).number == "B001"
    assert hall.tickets["A001"].service_day == TOMORROW


def test_a_quiet_day_ends_with_nothing_to_expire(hall):
    assert start_day(hall, TOMORROW, at(days=1)) == [DayStarted(TOMORROW, expired=0)]
    assert touched(hall) == (set(), set(), set())


def test_cases_outlive_the_day_but_their_pickup_tickets_do_not(hall):
    case = ready_case(hall)
    issue_pickup_ticket(hall, case, "phone-1", NOW)
    start_day(hall, TOMORROW, at(days=1))
    assert hall.cases[case].status is CaseStatus.READY
    assert issue_pickup_ticket(hall, case, "phone-2", at(days=1))[0].number == "Q001"


def test_a_new_day_clears_a_pause_reason(hall):
    staffed(hall, 3)
    pause_window(hall, 3, "开会")
    start_day(hall, TOMORROW, at(days=1))
    assert hall.windows[3].pause_reason == ""


def test_a_new_day_touches_every_window_whose_count_it_resets(hall):
    staffed(hall, 2)
    served(hall, 2)
    log_out(hall, 2)
    hall.take_changes()
    start_day(hall, TOMORROW, at(days=1))
    assert hall.windows[2].served_today == 0
    assert 2 in touched(hall)[1]


def test_yesterdays_called_pickup_ticket_expires_and_its_case_stays_ready(hall):
    # Yesterday's called pickup ticket is expired, so its window is free and idle.
    case = ready_case(hall)
    staffed(hall, 13)
    issue_pickup_ticket(hall, case, "phone-1", NOW)
    called(hall, 13)
    start_day(hall, TOMORROW, at(days=1))
    staffed(hall, 13)
    with pytest.raises(Conflict):
        finish_service(hall, 13, at(days=1))
    assert hall.cases[case].status is CaseStatus.READY


# --- 实名取号 and alarms -----------------------------------------------------------------

def test_a_real_name_matter_needs_an_id_card(settings):
    from dataclasses import replace

    from core.hall import Hall
    matters = tuple(replace(m, real_name=True) if m.code == "SS-0101" else m
                    for m in settings.matters)
    hall = Hall(replace(settings, matters=matters), "2026-11-23")
    with pytest.raises(Invalid) as refused:
        issue(hall, subject="SS-0101")
    assert refused.value.details == {"field": "id_card", "subject": "SS-0101"}
    assert "实名" in refused.value.message and not hall.take_changes()
    assert issue(hall, subject="SS-0101", id_card_hash="digest").number == "A001"
    theme = next(t.code for t in hall.settings.themes if "SS-0101" in t.matters)
    assert hall.settings.subject(theme).real_name, "a theme needs it when one matter does"


def test_an_alarm_changes_nothing():
    from core.actions.alarms import raise_alarm
    from core.events import AlarmRaised
    assert raise_alarm(None, "kiosk-1", "issue_rate", "40 a minute", NOW) == [
        AlarmRaised(source="kiosk-1", kind="issue_rate", message="40 a minute")]
