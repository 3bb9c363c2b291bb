"""Estimated waiting time and people ahead for every waiting ticket.

Two estimators, both pure and fed with plain values:

`baseline_eta(ticket, waiting, windows, now, mean_minutes)` is the usual
formula: people ahead (tickets a common window could serve that rank before
it, FCFS with strict classes) times the mean service time, divided by the
open windows that may serve the ticket.

`forecast(waiting, windows, now, policy, service_minutes, ...)` is what the
server shows. It simulates the hall forward from the live state under the
real allocation policy (`core.allocation.choose` through the same Policy
object) with the expected service time of each matter (learned from history:
`core.forecast.service_times.ServiceTimeModel.expected`), each window's remaining busy
time (`WindowState.busy_until`), its lunch break and the no-show rate. Build the
window states with `core.forecast.availability.window_state`, the one rule for
when a window can call. It
returns, for each waiting ticket, the projected call time and the number of
currently waiting tickets projected to be called before it.

    windows = [WindowState(view, busy_until=..., lunch=(start_s, end_s) or None)]
    result = forecast(waiting, windows, now, "balanced", model.expected)
    result["A012"].wait_seconds, result["A012"].people_ahead

Speed: the policies score a ticket by its wait and by attributes it shares
with others (matter, pool, category, priority, pinned window), and the score
grows with the wait; so only the oldest ticket of each such group can be
chosen, and the forward simulation shows the policy only the group heads
(appointments are grouped by slot too). A test checks this gives the same
choices as the full list (with `arrivals` too). With 100 waiting and 15
windows it takes ~0.4-0.7 ms, ~1.5 ms with 100 arrivals ahead.

`arrivals` (`core.forecast.arrivals`): the tickets expected after now join the line
at their arrival time and are called under the policy; they are not in the result.
"""
from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from core.allocation import can_serve, effective_rank, get_policy
from core.allocation.balanced import line_work, work_seconds
from core.allocation.interface import HallContext, WaitingTicket, WindowView


@dataclass(frozen=True, slots=True)
class WindowState:
    """An open window as the ETA sees it (times in seconds after midnight)."""

    view: WindowView
    busy_until: float = 0.0                   # end of the current service; <= now if free
    lunch: tuple[float, float] | None = None  # a break not yet taken
    closes: float | None = None               # calls nobody from then on (None: calls on)


@dataclass(frozen=True, slots=True)
class Estimate:
    call_at: float | None     # projected call time; None if no open window can serve it
    wait_seconds: float | None  # from now
    people_ahead: int


def people_ahead(ticket: WaitingTicket, waiting: Sequence[WaitingTicket],
                 windows: Sequence[WindowView], now: float,
                 call_early_seconds: float = 600.0) -> int:
    """Waiting tickets ranked before `ticket` (strict classes, then issue time)
    that at least one window able to serve `ticket` could also serve."""
    mine = [w for w in windows if can_serve(w, ticket)] or list(windows)
    early = call_early_seconds
    key = (effective_rank(ticket, now, early), ticket.queue_since, ticket.ticket_id)
    count = 0
    for other in waiting:
        if other.ticket_id == ticket.ticket_id:
            continue
        if (effective_rank(other, now, early), other.queue_since, other.ticket_id) < key:
            if any(can_serve(w, other) for w in mine):
                count += 1
    return count


def baseline_eta(ticket: WaitingTicket, waiting: Sequence[WaitingTicket],
                 windows: Sequence[WindowView], now: float, mean_minutes: float,
                 call_early_seconds: float = 600.0) -> float:
    """The usual formula, in minutes: position x mean service / open windows."""
    ahead = people_ahead(ticket, waiting, windows, now, call_early_seconds)
    serving = sum(1 for w in windows if can_serve(w, ticket)) or 1
    return ahead * mean_minutes / serving


def _group_key(t: WaitingTicket):
    return (t.matter, t.pool, t.category, t.priority, t.pinned_window, t.appointment_slot)


def _groups(waiting: Sequence[WaitingTicket]) -> dict:
    groups: dict = {}
    for t in sorted(waiting, key=lambda t: (t.queue_since, t.ticket_id)):
        groups.setdefault(_group_key(t), deque()).append(t)
    return groups


def _free_at(state: WindowState, now: float, expected_end: float) -> float:
    at = max(now, expected_end)
    lunch = state.lunch
    if lunch is not None and lunch[0] <= at < lunch[1]:
        at = lunch[1]
    return at


def forecast(waiting: Sequence[WaitingTicket], windows: Sequence[WindowState], now: float,
             policy: str, service_minutes: Callable[[str], float], *,
             call_early_seconds: float = 600.0, params: Mapping[str, float] | None = None,
             no_show_rate: float = 0.06, no_show_seconds: float = 45.0,
             stop_after: str | None = None,
             arrivals: Sequence[WaitingTicket] = (),
             handover_seconds: float = 0.0) -> dict[str, Estimate]:
    """Project when each waiting ticket will be called (see the module doc).

    `stop_after` ends the projection once that ticket is called (the ETA of
    one new ticket); the tickets not reached are left out of the result.
    `arrivals` are tickets expected to come after `now`, sorted by `queue_since`
    (their arrival; `core.forecast.arrivals`): each joins the line at its arrival,
    is called under the policy like the others, and is not in the result nor counted
    in `people_ahead`. A window with nothing it may serve waits for the next arrival
    it may serve. A window with `closes` set calls nobody from then on.
    `handover_seconds`: the time from a call to the service's start (the walk up), which
    a window spends on each ticket it serves besides the service (the live hall learns
    it: `ServiceTimeModel.handover_seconds`).
    """
    chooser = get_policy(policy)
    # the work waiting per line, kept as tickets join and leave: the policy sees only
    # each group's oldest ticket (HallContext.line_work)
    work = line_work(waiting, service_minutes)
    context = HallContext(tuple(s.view for s in windows), service_minutes,
                          call_early_seconds, dict(params or {}), work)
    groups = _groups(waiting)
    # windows free at one moment (idle now, or waiting for the same arrival) take work in
    # the policy's ready order, as the hall's waiting windows do (待叫)
    order = chooser.ready_order([(s.view, 0.0) for s in windows], context)
    rank = {view.number: k for k, view in enumerate(order)}
    heap = [(_free_at(s, now, s.busy_until), rank[s.view.number], i)
            for i, s in enumerate(windows)]
    heapq.heapify(heap)
    result: dict[str, Estimate] = {}
    called, left = 0, len(waiting)
    coming = _Coming(arrivals, chooser, work, service_minutes)
    while heap and left:
        at, _, i = heapq.heappop(heap)
        state = windows[i]
        if state.closes is not None and at >= state.closes:
            continue
        coming.join_until(at, groups)
        ticket = chooser.choose(state.view, [g[0] for g in groups.values()], at, context)
        if ticket is None:
            later = coming.next_for(state.view, i)
            if later is not None:   # idle until a ticket it may serve comes
                heapq.heappush(heap, (_free_at(state, at, later), rank[state.view.number], i))
            continue
        key = _group_key(ticket)
        work[(ticket.pool, ticket.category)] -= work_seconds(service_minutes, ticket.matter)
        groups[key].popleft()
        if not groups[key]:
            del groups[key]
        if ticket.ticket_id not in coming.ids:
            result[ticket.ticket_id] = Estimate(at, at - now, called)
            called += 1
            left -= 1
            if ticket.ticket_id == stop_after:
                break
        seconds = 60.0 * service_minutes(ticket.matter) + handover_seconds
        seconds = (1.0 - no_show_rate) * seconds + no_show_rate * no_show_seconds
        heapq.heappush(heap, (_free_at(state, at, at + seconds), rank[state.view.number], i))
    if stop_after is None:
        for group in groups.values():
            for t in group:
                if t.ticket_id not in coming.ids:
                    result[t.ticket_id] = Estimate(None, None, called)
    return result


class _Coming:
    """The expected arrivals not yet in line, and when each window may next have work."""

    def __init__(self, arrivals: Sequence[WaitingTicket], chooser, work: dict,
                 service_minutes: Callable[[str], float]) -> None:
        self.arrivals, self.chooser, self.next = arrivals, chooser, 0
        self.work, self.service_minutes = work, service_minutes   # the line work to keep
        self.ids = frozenset(t.ticket_id for t in arrivals) if arrivals else frozenset()
        self._found: dict[int, int] = {}      # window index -> first servable index seen
        self._serves: dict = {}

    def join_until(self, at: float, groups: dict) -> None:
        arrivals, n = self.arrivals, len(self.arrivals)
        while self.next < n and arrivals[self.next].queue_since <= at:
            t = arrivals[self.next]
            groups.setdefault(_group_key(t), deque()).append(t)
            line = (t.pool, t.category)
            self.work[line] = self.work.get(line, 0) + work_seconds(self.service_minutes,
                                                                    t.matter)
            self.next += 1

    def next_for(self, view: WindowView, index: int) -> float | None:
        """Arrival time of the next coming ticket `view` may serve, or None."""
        arrivals = self.arrivals
        j = max(self.next, self._found.get(index, 0))
        while j < len(arrivals):
            t = arrivals[j]
            key = (view.number, t.pool, t.category, t.priority, t.pinned_window)
            serves = self._serves.get(key)
            if serves is None:
                serves = self._serves[key] = self.chooser.may_serve(view, t)
            if serves:
                self._found[index] = j
                return t.queue_since
            j += 1
        self._found[index] = j
        return None
