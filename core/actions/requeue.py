"""过号: a citizen who missed their call is put back in line, once, with a penalty.

The clerk (or a manager) does it by the ticket's number; the citizen does it at a
kiosk by scanning their own ticket's QR code (its phone token: a kiosk cannot name
an arbitrary number). Only a no-show ticket of today, only once.

"After N people" (`[rules] requeue_after`): the ticket takes the place in line of
someone who arrived just after the N-th of the people now waiting in its pool, in
the order of their places in line (`queue_since`, then ticket id); with N or fewer
waiting, it goes to the back. Its `queue_since` is set between the N-th and the
next one, so its wait counts from there:
- under `fcfs` (and `dedicated`), among tickets of one priority class, the pool's
  windows call exactly N of the people waiting before it;
- under `balanced`, the place sets the wait the policy weighs: among tickets of the
  same matter it is called after exactly those N; a shorter matter behind it may
  still go first and a long one after it later, as for anyone with that place in
  line (the policy's ordering by service time is not suspended for it).
Tickets with priority (green, elderly, appointments) keep their rank, as always.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import Conflict, NotFound
from core.events import Event, TicketRequeued
from core.hall import Hall
from core.tickets import Ticket, TicketState

REQUEUED = "requeued"          # the history entry: at most one per ticket


def requeue_ticket(hall: Hall, number: str, by: str, now: datetime) -> list[Event]:
    """Put no-show ticket `number` back in line behind `[rules] requeue_after` people."""
    return _requeue(hall, hall.ticket(number), by, now)


def requeue_by_token(hall: Hall, phone_token: str, now: datetime) -> list[Event]:
    """The citizen's own ticket, scanned at a kiosk (its QR's phone token)."""
    ticket = hall.by_phone_token.get(phone_token)
    if ticket is None:
        raise NotFound("this ticket is unknown or from an earlier day",
                       code="requeue_ticket_unknown")
    return _requeue(hall, ticket, "kiosk", now)


def place_after(hall: Hall, ticket: Ticket, after: int, now: datetime) -> tuple[datetime, int]:
    """(the new `queue_since`, how many people of the pool it goes behind)."""
    line = sorted((t for t in hall.tickets.values()
                   if t.state is TicketState.WAITING and t.pool == ticket.pool
                   and t.number != ticket.number),
                  key=lambda t: (t.queue_since, t.ticket_id))
    if after <= 0:
        return (line[0].queue_since - timedelta(milliseconds=1) if line else now), 0
    if len(line) <= after:
        last = line[-1].queue_since if line else now
        return max(now, last + timedelta(milliseconds=1)), len(line)
    before, behind = line[after - 1].queue_since, line[after].queue_since
    return before + (behind - before) / 2, after


def _requeue(hall: Hall, ticket: Ticket, by: str, now: datetime) -> list[Event]:
    if ticket.state is not TicketState.NO_SHOW:
        raise Conflict(f"ticket {ticket.number} is {ticket.state.value}; only a passed "
                       f"(no-show) number can be put back in line",
                       code="requeue_not_no_show", number=ticket.number)
    if ticket.service_day != hall.service_day:
        raise Conflict(f"ticket {ticket.number} is from {ticket.service_day}",
                       code="requeue_other_day", number=ticket.number)
    if any(h.action == REQUEUED for h in ticket.history):
        raise Conflict(f"ticket {ticket.number} was put back in line once already",
                       code="requeue_once", number=ticket.number)
    since, after = place_after(hall, ticket, hall.settings.rules.requeue_after, now)
    ticket.state, ticket.window, ticket.pinned_window = TicketState.WAITING, None, None
    ticket.recalls, ticket.queue_since = 0, since
    ticket.record(REQUEUED, now, None, f"after {after}" + (f" by {by}" if by else ""))
    hall.touch(ticket)
    return [TicketRequeued(number=ticket.number, pool=ticket.pool, category=ticket.category,
                           after=after, queue_since=since.isoformat(), by=by)]
