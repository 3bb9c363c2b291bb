"""What a clerk does with the citizen at a window: call, recall, start, finish,
no-show, transfer, park, resume, and call a ready case at the pickup window.

Pressing "call next" while the current ticket is still only called marks it a
no-show (过号); while it is being served, finishes it. A hardware keypad has a
handful of keys, and this is what clerks expect from one.

待叫: pressing "call next" when nobody waits for the window makes it *ready* for
`[rules] ready_minutes`: the next ticket it may serve is called there at once
(`call_ready_windows`, which the server runs after every action), so a clerk on a
quiet afternoon does not press again and again, and the citizen is called the
moment they take a number. Among several ready windows the policy says which
(`Policy.ready_order`): the simulator's idle windows, now in the server too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.actions.cases import (
    CaseRequest,
    case_opens,
    check_supply_by,
    close_pickup,
    open_case,
    pickup_ticket_for,
)
from core.actions.tickets import TicketRequest, issue_ticket, pickup_matter, subject_of
from core.allocation import can_serve, choose, get_policy
from core.clock import seconds_of_day
from core.errors import Conflict, Invalid, NotFound
from core.events import (
    Event,
    ServiceFinished,
    ServiceStarted,
    TicketCalled,
    TicketMarkedNoShow,
    TicketParked,
    TicketRecalled,
    TicketResumed,
    TicketTransferred,
)
from core.hall import Hall
from core.opening import working_days_after
from core.settings.schema import PoolKind
from core.tickets import Origin, Ticket, TicketState, handover_seconds
from core.windows import Window, WindowStatus


def working_window(hall: Hall, number: int) -> Window:
    """A window that may call: open, not paused, with a clerk logged in."""
    window = hall.window(number)
    if window.status is WindowStatus.CLOSED:
        raise Conflict(f"window {number} is closed; open it first", window=number,
                       code="window_closed")
    if window.status is WindowStatus.PAUSED:
        raise Conflict(f"window {number} is paused ({window.pause_reason}); resume it first",
                       window=number, code="window_paused")
    if not window.clerk:
        raise Conflict(f"window {number} has no clerk logged in", window=number,
                       code="window_without_clerk")
    return window


def current_ticket(hall: Hall, window: Window, *states: TicketState) -> Ticket:
    if not window.current:
        raise Conflict(f"window {window.number} has no current ticket", window=window.number,
                       code="no_current_ticket")
    ticket = hall.tickets[window.current]
    if states and ticket.state not in states:
        wanted = " or ".join(s.value for s in states)
        raise Conflict(f"ticket {ticket.number} is {ticket.state.value}, not {wanted}",
                       number=ticket.number, code="ticket_not_in_that_state")
    return ticket


def call_next(hall: Hall, window_number: int, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    _not_just_called_by_itself(hall, window, now)
    events = _clear_current(hall, window, now)
    chosen = choose(hall.settings.rules.policy, hall.window_view(window), hall.waiting_views(),
                    seconds_of_day(now), hall.context())
    if chosen is None:
        if hall.settings.rules.ready_minutes > 0:
            window.ready_since = seconds_of_day(now)     # 待叫: the next one comes here
            hall.touch(window)
        return events
    return events + _call(hall, window, hall.tickets[chosen.ticket_id], now)


READY_CALL = "ready"      # the history note of a call made to a waiting window (待叫)


def _not_just_called_by_itself(hall: Hall, window: Window, now: datetime) -> None:
    """A press of "call next" moments after the server called a citizen to this waiting
    window by itself would pass that citizen over (过号) before the clerk saw the number
    (a keypad's screen or the caller's refresh is a moment behind): refused for the
    recall cooldown, with the number, so the clerk looks up and receives them."""
    if not window.current:
        return
    ticket = hall.tickets[window.current]
    last = ticket.history[-1] if ticket.history else None
    if (ticket.state is not TicketState.CALLED or last is None or last.action != "called"
            or last.note != READY_CALL):
        return
    since = (now - last.at).total_seconds()
    cooldown = hall.settings.rules.recall_cooldown_seconds
    if since < cooldown:
        raise Conflict(f"ticket {ticket.number} was called to window {window.number} by "
                       f"itself {int(since)} s ago; receive them, or press again in "
                       f"{cooldown - int(since)} s to pass them over",
                       number=ticket.number, window=window.number,
                       retry_after=cooldown - int(since), code="called_while_waiting")


def _ran_out(hall: Hall, window: Window, now: datetime) -> bool:
    """Whether the window's 待叫 is over by the clock: `ready_minutes` since the press."""
    waited = seconds_of_day(now) - window.ready_since
    return not 0.0 <= waited < 60.0 * hall.settings.rules.ready_minutes


def ready_expired(hall: Hall, now: datetime) -> bool:
    """Whether some window's 待叫 has run out (`ready_minutes` since the press): a read
    then ends it first (`call_ready_windows`), so no screen shows a stale 待叫."""
    return any(w.ready_since is not None and _ran_out(hall, w, now)
               for w in hall.windows.values())


def call_ready_windows(hall: Hall, now: datetime) -> list[Event]:
    """待叫: windows whose clerk pressed "call next" when nobody waited call the tickets
    they may serve that wait now (just taken, transferred, put back in line, or in a
    pool the window helps since). For each waiting ticket, oldest first, the ready
    windows that may serve it are asked in the policy's `ready_order`, and each calls
    what the policy chooses for it, as after a press of "call next". A window stops
    being ready when it calls, pauses, closes, loses its clerk, or `ready_minutes`
    after the press. Cheap when no window is ready: the server runs it after every
    action."""
    if not any(w.ready_since is not None for w in hall.windows.values()):
        return []
    ready: list[Window] = []
    for window in hall.windows.values():
        if window.ready_since is None:
            continue
        if (window.status is not WindowStatus.OPEN or not window.clerk or window.current
                or _ran_out(hall, window, now)):
            window.ready_since = None
            hall.touch(window)
        else:
            ready.append(window)
    waiting = sorted(hall.waiting_views(), key=lambda t: (t.queue_since, t.ticket_id))
    if not ready or not waiting:
        return []
    policy, context = get_policy(hall.settings.rules.policy), hall.context()
    at = seconds_of_day(now)
    events: list[Event] = []
    for ticket in waiting:
        if not ready:
            break
        if hall.tickets[ticket.ticket_id].state is not TicketState.WAITING:
            continue           # called meanwhile by a window offered an earlier ticket
        views = [(hall.window_view(w), w.ready_since) for w in ready]
        able = [(view, since) for view, since in views if policy.may_serve(view, ticket)]
        for view in policy.ready_order(able, context) if len(able) > 1 else [a[0] for a in able]:
            window = hall.windows[view.number]
            chosen = choose(policy.name, view, hall.waiting_views(), at, context)
            if chosen is not None:
                events += _call(hall, window, hall.tickets[chosen.ticket_id], now, READY_CALL)
                ready.remove(window)
            if hall.tickets[ticket.ticket_id].state is not TicketState.WAITING:
                break
    return events


def call_ticket(hall: Hall, window_number: int, number: str, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = hall.ticket(number)
    if ticket.state is not TicketState.WAITING:
        raise Conflict(f"ticket {ticket.number} is {ticket.state.value}, not waiting",
                       number=ticket.number, code="ticket_not_waiting")
    if not can_serve(hall.window_view(window), hall.waiting_view(ticket.number)):
        raise Conflict(f"window {window.number} does not serve ticket {ticket.number} "
                       f"({ticket.subject}, pool {ticket.pool}); transfer it instead",
                       number=ticket.number, code="window_does_not_serve")
    events = _clear_current(hall, window, now)
    return events + _call(hall, window, ticket, now)


def _call(hall: Hall, window: Window, ticket: Ticket, now: datetime,
          note: str = "") -> list[Event]:
    ticket.state, ticket.window, ticket.last_called_at = TicketState.CALLED, window.number, now
    ticket.clerk = window.clerk
    if ticket.first("called") is None:
        hall.record_wait(ticket, now)
    ticket.record("called", now, window.number, note)
    window.current, window.ready_since = ticket.number, None
    hall.touch(ticket)
    hall.touch(window)
    return [TicketCalled(number=ticket.number, window=window.number, window_name=window.name,
                         subject=ticket.subject, case_number=ticket.case_number,
                         holder_name=ticket.holder_name)]


def _clear_current(hall: Hall, window: Window, now: datetime) -> list[Event]:
    if not window.current:
        return []
    ticket = hall.tickets[window.current]
    if ticket.state is TicketState.CALLED:
        return _no_show(hall, window, ticket, now, "passed")
    return _finish(hall, window, ticket, now, None)


def recall(hall: Hall, window_number: int, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = current_ticket(hall, window, TicketState.CALLED)
    rules = hall.settings.rules
    since = (now - ticket.last_called_at).total_seconds()
    if since < rules.recall_cooldown_seconds:
        wait = rules.recall_cooldown_seconds - int(since)
        raise Conflict(f"ticket {ticket.number} was called {int(since)} s ago; "
                       f"recall again in {wait} s", retry_after=wait,
                       code="recall_cooldown")
    if ticket.recalls >= rules.max_recalls:
        return _no_show(hall, window, ticket, now, "max_recalls")
    ticket.recalls += 1
    ticket.last_called_at = now
    ticket.record("recalled", now, window.number)
    hall.touch(ticket)
    return [TicketRecalled(number=ticket.number, window=window.number, window_name=window.name,
                           recalls=ticket.recalls)]


def start_service(hall: Hall, window_number: int, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = current_ticket(hall, window, TicketState.CALLED)
    ticket.state = TicketState.SERVING
    ticket.record("started", now, window.number)
    hall.touch(ticket)
    return [ServiceStarted(number=ticket.number, window=window.number)]


def finish_service(hall: Hall, window_number: int, now: datetime,
                   case: CaseRequest | None = None) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = current_ticket(hall, window, TicketState.CALLED, TicketState.SERVING)
    return _finish(hall, window, ticket, now, case)


def _finish(hall: Hall, window: Window, ticket: Ticket, now: datetime,
            case: CaseRequest | None) -> list[Event]:
    """Finish the service; 受审分离: close a pickup ticket's case, or open the case the
    matter opens (`case_opens`), refusing before anything changes."""
    opens = not ticket.case_number and case_opens(hall, ticket, window, case)
    if not opens and case is not None and (case.missing_materials or case.supply_by):
        raise Invalid("missing materials and supply_by apply only when a case opens",
                      code="case_details_without_case")
    if opens:
        due = working_days_after(hall.settings, now.date(),
                                 hall.settings.subject(ticket.subject).time_limit_days)
        check_supply_by(hall, case or CaseRequest(), now.date(), due)
    if ticket.state is TicketState.CALLED:
        ticket.record("started", now, window.number)
    started = ticket.last("started") or now
    ticket.state = TicketState.FINISHED
    ticket.record("finished", now, window.number)
    window.current = ""
    window.served_today += 1
    service_seconds = (now - started).total_seconds()
    hall.service_times.observe(ticket.subject, service_seconds / 60)
    handover = handover_seconds(ticket.history)
    if handover is not None:
        hall.service_times.observe_handover(handover)
    hall.touch(ticket)
    hall.touch(window)
    events: list[Event] = []
    case_number = ""
    if ticket.case_number:
        events += close_pickup(hall, ticket.case_number, window, now)
        case_number = ticket.case_number
    elif opens:
        opened = open_case(hall, ticket, window, case or CaseRequest(), now)
        case_number = opened[0].case_number
        events += opened
    return [ServiceFinished(number=ticket.number, window=window.number,
                            service_seconds=round(service_seconds, 1),
                            case_number=case_number)] + events


def mark_no_show(hall: Hall, window_number: int, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = current_ticket(hall, window, TicketState.CALLED)
    return _no_show(hall, window, ticket, now, "not_present")


def _no_show(hall: Hall, window: Window, ticket: Ticket, now: datetime,
             reason: str) -> list[Event]:
    ticket.state = TicketState.NO_SHOW
    ticket.record("no_show", now, window.number, reason)
    window.current = ""
    hall.touch(ticket)
    hall.touch(window)
    return [TicketMarkedNoShow(number=ticket.number, window=window.number, reason=reason)]


@dataclass(frozen=True)
class TransferRequest:
    note: str
    to_pool: str = ""
    to_window: int | None = None
    subject: str = ""        # the matter it really is, if the citizen came for the wrong one


def transfer(hall: Hall, window_number: int, request: TransferRequest,
             now: datetime) -> list[Event]:
    """窗口无否决权: send the citizen on, keeping their place in line."""
    window = working_window(hall, window_number)
    ticket = current_ticket(hall, window, TicketState.CALLED, TicketState.SERVING)
    if not request.note.strip():
        raise Invalid("a transfer needs a note saying why and where (首问负责制)",
                      field="note", code="transfer_note_required")
    if not request.to_pool and request.to_window is None:
        raise Invalid("a transfer names a pool (to_pool) or a window (to_window)",
                      code="transfer_target_required")
    pool, category, subject, is_theme = _transfer_target(hall, window, ticket, request)
    moved = hall.view_of(ticket, pool=pool, category=category, matter=subject,
                         pinned_window=request.to_window)
    if not any(can_serve(hall.window_view(w), moved) for w in hall.windows.values()):
        raise Conflict(f"no window of pool {pool} is skilled for {subject}; choose another "
                       f"pool or window", pool=pool, code="no_window_skilled")
    ticket.state, ticket.pool, ticket.category, ticket.subject, ticket.is_theme = (
        TicketState.WAITING, pool, category, subject, is_theme)
    ticket.pinned_window, ticket.recalls = request.to_window, 0
    ticket.record("transferred", now, window.number, request.note.strip())
    window.current = ""
    hall.touch(ticket)
    hall.touch(window)
    return [TicketTransferred(number=ticket.number, from_window=window.number, to_pool=pool,
                              to_window=request.to_window, note=request.note.strip())]


def _transfer_target(hall: Hall, window: Window, ticket: Ticket,
                     request: TransferRequest) -> tuple[str, str, str, bool]:
    """(pool, category, subject, is_theme) the ticket will wait with."""
    subject, category, is_theme = ticket.subject, ticket.category, ticket.is_theme
    if request.subject:
        new = subject_of(hall, request.subject)
        subject, category, is_theme = new.code, new.category, new.is_theme
    if request.to_window is not None:
        target = hall.window(request.to_window)
        if target.number == window.number:
            raise Invalid("a ticket cannot be transferred to the window it is at",
                          code="transfer_to_same_window")
        if target.status is WindowStatus.CLOSED:
            raise Conflict(f"window {target.number} is closed; transfer to its pool instead",
                           window=target.number, code="transfer_window_closed")
        return target.pool, category, subject, is_theme
    if not hall.settings.has("pool", request.to_pool):
        raise NotFound(f"unknown pool '{request.to_pool}'", pool=request.to_pool,
                       code="unknown_pool")
    return request.to_pool, category, subject, is_theme


def park(hall: Hall, window_number: int, note: str, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = current_ticket(hall, window, TicketState.CALLED, TicketState.SERVING)
    ticket.state = TicketState.PARKED
    ticket.record("parked", now, window.number, note)
    window.current = ""
    window.parked.append(ticket.number)
    hall.touch(ticket)
    hall.touch(window)
    return [TicketParked(number=ticket.number, window=window.number, note=note)]


def resume_ticket(hall: Hall, window_number: int, number: str, now: datetime) -> list[Event]:
    window = working_window(hall, window_number)
    ticket = hall.ticket(number)
    if ticket.number not in window.parked:
        raise Conflict(f"ticket {ticket.number} is not parked at window {window.number}",
                       number=ticket.number, code="ticket_not_parked_here")
    if window.current:
        raise Conflict(f"window {window.number} is busy with {window.current}; finish, "
                       f"park or transfer it first", number=window.current,
                       code="window_busy")
    window.parked.remove(ticket.number)
    window.current = ticket.number
    ticket.state = TicketState.SERVING
    if ticket.first("started") is None:        # parked while only called: service starts now
        ticket.record("started", now, window.number)
    ticket.record("resumed", now, window.number)
    hall.touch(ticket)
    hall.touch(window)
    return [TicketResumed(number=ticket.number, window=window.number)]


def call_case(hall: Hall, window_number: int, case_number: str, phone_token: str,
              now: datetime) -> list[Event]:
    """The 出件 window calls a result by its case number: the citizen holding this
    case's pickup ticket, issuing one if they have none."""
    window = working_window(hall, window_number)
    if hall.pool_kind(window.pool) is not PoolKind.PICKUP:
        raise Invalid(f"window {window.number} is not a pickup (出件) window",
                      window=window.number, code="not_a_pickup_window")
    ticket = pickup_ticket_for(hall, case_number)
    events: list[Event] = []
    if ticket is None:
        request = TicketRequest(subject=pickup_matter(hall), phone_token=phone_token,
                                origin=Origin.STAFF, case_number=case_number.strip().upper(),
                                by_staff=True)
        events = issue_ticket(hall, request, now)
        ticket = hall.tickets[events[0].number]
    return events + call_ticket(hall, window.number, ticket.number, now)
