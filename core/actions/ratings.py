"""好差评: every service is rated, bound to the ticket, the window and the clerk."""
from __future__ import annotations

from datetime import datetime

from core.errors import Conflict, Invalid
from core.events import Event, RatingSubmitted
from core.hall import Hall
from core.tickets import TicketState

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = (1, 2)


def submit_rating(hall: Hall, number: str, level: int, reason: str, now: datetime,
                  window_number: int | None = None) -> list[Event]:
    if level not in LEVELS:
        raise Invalid(f"rating level must be 1-5 ({LEVELS}); got {level!r}")
    if level in BAD_LEVELS and not reason.strip():
        raise Invalid("a bad rating (不满意/非常不满意) needs a reason so it can be followed up")
    ticket = hall.ticket(number)
    if ticket.state is not TicketState.FINISHED:
        raise Conflict(f"ticket {ticket.number} is {ticket.state.value}; only a finished "
                       f"service can be rated")
    if window_number is not None and ticket.window != window_number:
        raise Conflict(f"ticket {ticket.number} was served at window {ticket.window}, "
                       f"not {window_number}")
    if any(h.action == "rated" for h in ticket.history):
        raise Conflict(f"ticket {ticket.number} has already been rated")
    clerk = ticket.clerk
    ticket.record("rated", now, ticket.window, str(level))
    hall.touch(ticket)
    hall.record_rating({
        "ticket_id": ticket.ticket_id, "window": ticket.window, "clerk": clerk, "level": level,
        "reason": reason.strip(), "at": now.isoformat()})
    return [RatingSubmitted(number=ticket.number, window=ticket.window, clerk=clerk,
                            level=level, level_name=LEVELS[level])]
