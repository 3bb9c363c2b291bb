"""Taking a number: issuing, cancelling, and starting a new service day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.actions.help import cancel_unfinished_help
from core.bookings import expire_bookings
from core.cases import CaseStatus
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import DayStarted, Event, TicketCancelled, TicketIssued
from core.hall import Hall
from core.id_cards import mask_name
from core.opening import APPOINTMENT_TICKET, PICKUP, WINDOW, check_open_for
from core.settings.schema import PoolKind, Priority, Rules
from core.tickets import Origin, Ticket, TicketState
from core.windows import WindowStatus

STAFF_ONLY_PRIORITIES = (Priority.GREEN,)


@dataclass(frozen=True)
class TicketRequest:
    """What a kiosk, an appointment check-in or a member of staff asks for."""

    subject: str                     # a matter code or a theme code
    phone_token: str                 # made by the server: unguessable
    origin: Origin = Origin.KIOSK
    priority: Priority = Priority.NORMAL
    id_card_hash: str = ""
    age: int | None = None           # read from the ID card: elderly by rule
    appointment_slot: datetime | None = None
    case_number: str = ""
    by_staff: bool = False
    # the card was read by the kiosk's reader (or checked by staff): a typed number is
    # untrusted, it counts toward the daily limit but gives no elderly priority
    id_card_read: bool = False
    holder_name: str = ""            # as read from the card; the ticket keeps it masked


def issue_ticket(hall: Hall, request: TicketRequest, now: datetime) -> list[Event]:
    settings = hall.settings
    subject = subject_of(hall, request.subject)
    if subject.real_name and not request.id_card_hash:
        raise Invalid(f"{subject.name} needs an ID card to take a number (实名取号)",
                      field="id_card", subject=subject.code, code="id_card_required")
    if not request.by_staff:       # staff may issue outside hours (docs/configuration.md)
        check_open_for(settings, _kind_of(request), now)
    priority = _priority_for(hall, request, now)
    _check_id_card_limit(hall, request.id_card_hash)
    number = hall.next_number(settings.category(subject.category).prefix)
    ticket = Ticket(
        number=number, service_day=hall.service_day,
        subject=subject.code, is_theme=subject.is_theme, category=subject.category,
        pool=subject.pool,
        priority=priority, origin=request.origin, issued_at=now, queue_since=now,
        phone_token=request.phone_token, id_card_hash=request.id_card_hash,
        appointment_slot=request.appointment_slot, case_number=request.case_number,
        holder_name=mask_name(request.holder_name) if request.holder_name else "")
    ticket.record("issued", now, note=request.origin.value)
    hall.add_ticket(ticket)
    people_ahead, minutes = estimate_for(hall, ticket, now)
    ticket.eta_minutes, ticket.eta_people_ahead = minutes, people_ahead
    low, high = hall.wait_range((people_ahead, minutes), now)
    return [TicketIssued(number=ticket.number, subject=ticket.subject, is_theme=subject.is_theme,
                         category=ticket.category, pool=ticket.pool, priority=priority.value,
                         origin=request.origin.value, people_ahead=people_ahead,
                         eta_minutes=minutes, case_number=ticket.case_number,
                         holder_name=ticket.holder_name, eta_low=low, eta_high=high)]


def _kind_of(request: TicketRequest) -> str:
    """Which hours a ticket follows: appointments and pickups the extended ones."""
    if request.origin is Origin.APPOINTMENT:
        return APPOINTMENT_TICKET
    return PICKUP if request.case_number else WINDOW


def subject_of(hall: Hall, code: str):
    """The matter or 一件事 theme a request names; NotFound if it is neither."""
    if not hall.settings.has("subject", code):
        raise NotFound(f"unknown matter or theme '{code}'", subject=code,
                       code="unknown_subject")
    return hall.settings.subject(code)


def estimate_for(hall: Hall, ticket: Ticket, now: datetime) -> tuple[int, float | None]:
    """People ahead of a new ticket and its estimated wait in minutes."""
    return hall.estimator.for_new_ticket(hall, ticket, now)


def _priority_for(hall: Hall, request: TicketRequest, now: datetime) -> Priority:
    if request.priority in STAFF_ONLY_PRIORITIES and not request.by_staff:
        raise Forbidden(f"only staff may give priority '{request.priority.value}'",
                        code="staff_only_priority")
    if request.origin is Origin.APPOINTMENT:
        return _appointment_priority(hall.settings.rules, request.appointment_slot, now)
    if request.priority is Priority.APPOINTMENT:
        raise Invalid("an appointment ticket comes from an appointment check-in")
    trusted = request.id_card_read or request.by_staff
    if trusted and request.age is not None and request.age >= hall.settings.rules.elderly_age:
        return Priority.ELDERLY if request.priority is Priority.NORMAL else request.priority
    return request.priority


def _appointment_priority(rules: Rules, slot: datetime | None, now: datetime) -> Priority:
    """An appointment checks in from `appointment_check_in_opens_minutes` before its
    slot to `appointment_check_in_closes_minutes` after it."""
    if slot is None:
        raise Invalid("an appointment check-in needs its slot time",
                      code="appointment_slot_missing")
    if slot.date() != now.date():
        raise Conflict(f"the appointment is for {slot.date().isoformat()}, not today",
                       code="appointment_other_day", day=slot.date().isoformat())
    minutes_to_slot = (slot - now).total_seconds() / 60
    early = rules.appointment_check_in_opens_minutes
    late = rules.appointment_check_in_closes_minutes
    if minutes_to_slot < -late:
        raise Conflict(f"the appointment slot {slot:%H:%M} has passed by more than "
                       f"{late} minutes; please take a normal ticket",
                       code="appointment_missed", slot=f"{slot:%H:%M}")
    if minutes_to_slot > early:
        raise Conflict(f"check-in opens {early} minutes before the slot at {slot:%H:%M}",
                       code="appointment_too_early", slot=f"{slot:%H:%M}", minutes=early)
    return Priority.APPOINTMENT


def _check_id_card_limit(hall: Hall, id_card_hash: str) -> None:
    if not id_card_hash:
        return
    limit = hall.settings.rules.tickets_per_id_per_day
    taken = sum(1 for t in hall.tickets.values() if t.id_card_hash == id_card_hash)
    if taken >= limit:
        raise Conflict(f"this ID card has taken {taken} tickets today; the limit is {limit}",
                       code="id_daily_limit", limit=limit)


def issue_pickup_ticket(hall: Hall, case_number: str, phone_token: str,
                        now: datetime) -> list[Event]:
    """A citizen back for a result (出件) takes a ticket bound to the case."""
    case = hall.case(case_number)
    if case.status is not CaseStatus.READY:
        raise Conflict(f"case {case.number} is still in review (promised by "
                       f"{case.due_date.isoformat()}); it is not ready for pickup",
                       code="case_not_ready", case_number=case.number,
                       due_date=case.due_date.isoformat())
    if any(t.case_number == case.number and not t.state.is_final for t in hall.tickets.values()):
        raise Conflict(f"case {case.number} already has a pickup ticket today",
                       code="pickup_ticket_exists", case_number=case.number)
    request = TicketRequest(subject=pickup_matter(hall), phone_token=phone_token,
                            case_number=case.number)
    return issue_ticket(hall, request, now)


def pickup_matter(hall: Hall) -> str:
    pickup_pool = hall.settings.pool_of_kind(PoolKind.PICKUP)
    matter = next((m for m in hall.settings.matters if m.pool == pickup_pool), None)
    if matter is None:
        raise Conflict("this hall has no pickup (出件) matter configured")
    return matter.code


def cancel_ticket(hall: Hall, number: str, reason: str, now: datetime,
                  by: str = "citizen") -> list[Event]:
    """A waiting ticket is given up: by the citizen (their phone) or by staff (`by`)."""
    ticket = hall.ticket(number)
    if ticket.state is not TicketState.WAITING:
        raise Conflict(f"ticket {ticket.number} is {ticket.state.value}; only a waiting "
                       f"ticket can be cancelled")
    ticket.state = TicketState.CANCELLED
    ticket.record("cancelled", now, note=f"{reason} ({by})" if by else reason)
    hall.touch(ticket)
    return [TicketCancelled(number=ticket.number, reason=reason, by=by)]


def start_day(hall: Hall, service_day: str, now: datetime) -> list[Event]:
    """A new service day: yesterday's open tickets expire, numbering starts again."""
    expired = 0
    for ticket in hall.tickets.values():
        if not ticket.state.is_final:
            ticket.state = TicketState.CANCELLED
            ticket.record("cancelled", now, note="day_ended")
            hall.touch(ticket)
            expired += 1
    for window in hall.windows.values():
        if (window.status is not WindowStatus.CLOSED or window.clerk or window.current
                or window.parked or window.pause_reason or window.served_today
                or window.helping or window.paused_at is not None or window.lunch_taken
                or window.ready_since is not None):
            window.status, window.clerk, window.current = WindowStatus.CLOSED, "", ""
            window.pause_reason, window.served_today, window.paused_at = "", 0, None
            window.lunch_taken, window.ready_since = False, None
            window.parked.clear()
            window.helping.clear()      # a help (协同) lasts one day at most
            hall.touch(window)
    cancel_unfinished_help(hall, now)
    hall.begin_day(service_day)
    expire_bookings(hall, service_day)
    return [DayStarted(service_day=service_day, expired=expired)]
