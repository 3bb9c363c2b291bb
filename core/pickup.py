"""The 出件 window calls a result by its case number."""
from __future__ import annotations

from datetime import datetime

from core.calling import call_ticket, working_window
from core.casework import pickup_ticket_for
from core.events import Event
from core.hall import Hall, Invalid
from core.queueing import TicketRequest, issue_ticket, pickup_matter
from core.settings import PoolKind
from core.tickets import Origin


def call_case(hall: Hall, window_number: int, case_number: str, phone_token: str,
              now: datetime) -> list[Event]:
    """Call the citizen holding this case's pickup ticket, issuing one if they have none."""
    window = working_window(hall, window_number)
    if hall.settings.pool(window.pool).kind is not PoolKind.PICKUP:
        raise Invalid(f"window {window.number} is not a pickup (出件) window")
    ticket = pickup_ticket_for(hall, case_number)
    events: list[Event] = []
    if ticket is None:
        request = TicketRequest(subject=pickup_matter(hall), phone_token=phone_token,
                                origin=Origin.STAFF, case_number=case_number.strip().upper(),
                                by_staff=True)
        events = issue_ticket(hall, request, now)
        ticket = hall.tickets[events[0].number]
    return events + call_ticket(hall, window.number, ticket.number, now)
