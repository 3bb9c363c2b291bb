"""好差评: every service is rated, bound to the ticket, the window and the clerk.

A window's rating pad that invited a rating and got none records level 0, `NOT_RATED`
(未评价): the service's one outcome, counted apart from the five levels, never as good.
A bad level whose reason never came is kept with the hall's `[ratings] unexplained`
reason (未说明), so it still counts as bad and is followed up.
"""
from __future__ import annotations

from datetime import datetime

from core.errors import Conflict, Invalid
from core.events import Event, RatingSubmitted
from core.hall import Hall
from core.tickets import TicketState

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = (1, 2)
NOT_RATED = 0                 # the pad invited; no rating came
NOT_RATED_NAME = "未评价"


def submit_rating(hall: Hall, number: str, level: int, reason: str, now: datetime,
                  window_number: int | None = None, allow_none: bool = False) -> list[Event]:
    """Rate a finished service once; `allow_none` (a rating pad): level 0 records that
    no rating came."""
    if level == NOT_RATED and allow_none:
        if reason.strip():
            raise Invalid("a service not rated (level 0) carries no reason",
                          code="not_rated_with_reason")
    elif level not in LEVELS:
        raise Invalid(f"rating level must be 1-5 ({LEVELS}); got {level!r}")
    if level in BAD_LEVELS and not reason.strip():
        raise Invalid("a bad rating (不满意/非常不满意) needs a reason so it can be followed up",
                      code="rating_reason_required")
    ticket = hall.ticket(number)
    if ticket.state is not TicketState.FINISHED:
        raise Conflict(f"ticket {ticket.number} is {ticket.state.value}; only a finished "
                       f"service can be rated", code="rating_not_finished",
                       number=ticket.number)
    if window_number is not None and ticket.window != window_number:
        raise Conflict(f"ticket {ticket.number} was served at window {ticket.window}, "
                       f"not {window_number}")
    if any(h.action == "rated" for h in ticket.history):
        raise Conflict(f"ticket {ticket.number} has already been rated", code="already_rated",
                       number=ticket.number)
    clerk = ticket.clerk
    ticket.record("rated", now, ticket.window, str(level))
    hall.touch(ticket)
    hall.record_rating({
        "ticket_id": ticket.ticket_id, "window": ticket.window, "clerk": clerk, "level": level,
        "reason": reason.strip(), "at": now.isoformat()})
    return [RatingSubmitted(number=ticket.number, window=ticket.window, clerk=clerk,
                            level=level, level_name=LEVELS.get(level, NOT_RATED_NAME))]
