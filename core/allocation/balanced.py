"""`balanced`: Yichuang's default allocation policy.

One pass over the waiting list; each servable ticket gets a key and the
window calls the best. Two tiers, compared in order:

1. Overdue tickets first. A ticket whose weighted wait (wait plus its class
   credit, as in `aging`) passes the guard (90 minutes by default) goes
   oldest-weighted-first, whatever its matter or pool: nothing can be
   overtaken forever.
2. Otherwise the largest index

       (weighted wait + 60 s) × (1 + (weighted wait / 60 min)^2)
           / (s / c)^1.5 / (c / 1 min)^0.75
           × (1 + work / (capable × 40 min)) / capable

   where `s` is the matter's expected service time, `c` the category's
   reference time (the mean expected time of the distinct matters waiting in
   the ticket's pool and category), `capable` the number of open windows
   able to serve the ticket's pool and category, and `work` the expected
   service of every ticket waiting in that line (`line_work`).

   * Scarcity and the work waiting for it count most: a line few windows can
     serve, and one whose waiting work per capable window is large, goes first
     at the windows that can, so the flexible windows are not used up on work
     the many could do, and a category served by one or two windows (a 一件事
     theme at the coordination window, a scarce long matter) is not left behind
     its windows' other work. 40 minutes of work per capable window doubles a
     line's weight; a short line at a scarce window is not rushed.
   * Shortness counts strongly *within* a category (power 1.5 of s / c): a
     realty query goes before a realty transfer; the category's mean wait
     falls and no category pays for it.
   * Shortness counts less *between* categories (power 0.75 of c): pickups
     still go before long acceptances while waits are comparable, but a long
     category's tickets are not pushed to the back of the hall.
   * Urgency grows faster than the wait (the squared term): at 20 minutes a
     ticket's index is 1.1 times what its wait alone gives, at 60 minutes twice,
     at 90 (the guard) 3.25 times. A long wait catches up with short work before
     the guard, smoothly, instead of the hall turning oldest-first at once
     when tickets pass it; that is what keeps the 95th percentile down on a
     congested day (chosen in issue 11, stop 20; docs/allocation.md).

The old rule "a window serves its home pool before pools it helps" is gone:
measured on the family of days it kept helpers from an overloaded pool (a
pickup pool at 1.09 waited 3x longer) and lost more than it won; scarcity
now does its job where it was right (the coordination window's themes).

The score depends on a ticket only through its wait and its (matter, pool,
category, priority, slot, pinned window) and grows with the wait, as
`Policy` requires: `c` is computed over *distinct* matters, so the forecast's
group heads give the same value as the full waiting list, and the forecast
hands the line work it keeps (`HallContext.line_work`, whole seconds, so any
summing order gives the same figure). The defaults were
chosen on the family's tuning seeds (docs/allocation.md); every value can be
overridden through `HallContext.params`.
"""
from __future__ import annotations

from core.allocation.eligibility import can_serve, effective_rank
from core.allocation.interface import HallContext
from core.allocation.policies import credits
from core.allocation.policy import Policy
from core.settings.schema import Rules

DEFAULTS = {
    "alpha": 1.5,            # power of (service / category reference) in the index
    "category_alpha": 0.75,  # power of the category's reference time (minutes)
    "head_seconds": 60.0,    # added to every wait so fresh tickets order by service time
    # weighted wait after which a ticket is overdue: the hall rule's default, one copy
    "guard_seconds": 60.0 * Rules().max_wait_guard_minutes,
    "urgency_minutes": 60.0,  # weighted wait at which a ticket's index has doubled
    "scarcity_power": 1.0,   # how strongly a line's scarcity (and its work) counts
    "pressure_minutes": 40.0,  # work per capable window that doubles a line's scarcity
}

# The last few open-window lists seen, with their scarcity tables: the server
# and the simulator rebuild the context per call but keep the list object while
# the set of open windows is unchanged.
_SCARCITY_CACHE: list[tuple[object, dict]] = []


def _param(hall: HallContext, name: str) -> float:
    params = hall.params
    if params and name in params:
        return params[name]
    return DEFAULTS[name]


def _capable_counts(hall: HallContext) -> dict:
    """A lazily filled table (pool, category) -> open windows able to serve it."""
    windows = hall.open_windows
    for cached_windows, table in _SCARCITY_CACHE:
        if cached_windows is windows:
            return table
    table: dict = {}
    _SCARCITY_CACHE.insert(0, (windows, table))
    del _SCARCITY_CACHE[4:]
    return table


def _capable(hall: HallContext, table: dict, pool: str, category: str) -> int:
    key = (pool, category)
    count = table.get(key)
    if count is None:
        count = 0
        for w in hall.open_windows:
            if w.skills.get(category, 0.0) > 0.0 and (pool == w.pool or pool in w.also_serves):
                count += 1
        table[key] = count = max(count, 1)
    return count


def window_worth(hall: HallContext, table: dict, window) -> float:
    """How much the hall would miss this window if it were busy: the sum, over the
    categories it has a skill for, of 1 / the open windows with that skill."""
    worth = table.get(("window", window.number))
    if worth is None:
        holders = table.get("skill holders")
        if holders is None:
            holders = table["skill holders"] = {}
            for w in hall.open_windows:
                for category, skill in w.skills.items():
                    if skill > 0.0:
                        holders[category] = holders.get(category, 0) + 1
        worth = sum(1.0 / max(holders.get(category, 0), 1)
                    for category, skill in window.skills.items() if skill > 0.0)
        table[("window", window.number)] = worth
    return worth


def work_seconds(service, matter: str) -> int:
    """A ticket's expected service, in whole seconds (sums are exact in any order)."""
    return int(round(60.0 * max(service(matter), 0.25)))


def line_work(waiting, service) -> dict:
    """(pool, category) -> whole seconds of expected service waiting in that line."""
    work: dict = {}
    for t in waiting:
        line = (t.pool, t.category)
        work[line] = work.get(line, 0) + work_seconds(service, t.matter)
    return work


def category_references(waiting, service) -> dict:
    """(pool, category) -> mean expected minutes of the distinct matters waiting there."""
    matters: dict = {}
    for t in waiting:
        matters.setdefault((t.pool, t.category), set()).add(t.matter)
    return {group: sum(max(service(m), 0.25) for m in names) / len(names)
            for group, names in matters.items()}


class Balanced(Policy):
    name = "balanced"

    def ready_order(self, ready, hall):
        """The window with the commonest skills first: a ticket that several waiting
        windows could serve goes to the one the hall would miss least, so windows
        with scarce skills stay free for the work only they can do. Then the one
        that has waited longest."""
        table = _capable_counts(hall)
        return [view for view, _ in sorted(
            ready, key=lambda r: (window_worth(hall, table, r[0]), r[1], r[0].number))]

    def choose(self, window, waiting, now, hall):
        early = hall.call_early_seconds
        credit = credits(hall)
        alpha = _param(hall, "alpha")
        category_alpha = _param(hall, "category_alpha")
        head = _param(hall, "head_seconds")
        guard = _param(hall, "guard_seconds")
        scarcity_power = _param(hall, "scarcity_power")
        pressure = 60.0 * _param(hall, "pressure_minutes")
        urgency = 60.0 * _param(hall, "urgency_minutes")
        service = hall.service_minutes
        servable = [t for t in waiting if can_serve(window, t)]
        if not servable:
            return None
        references = category_references(waiting, service)
        work = hall.line_work if hall.line_work is not None else line_work(waiting, service)
        table = _capable_counts(hall)
        per_kind: dict = {}
        best, best_key = None, None
        for t in servable:
            kind = (t.matter, t.pool, t.category)
            factor = per_kind.get(kind)
            if factor is None:
                s = max(service(t.matter), 0.25)
                c = references[(t.pool, t.category)]
                capable = _capable(hall, table, t.pool, t.category)
                waiting_work = work.get((t.pool, t.category), 0)
                scarcity = (1.0 + waiting_work / (capable * pressure)) / capable
                factor = per_kind[kind] = (
                    1.0 / (s / c) ** alpha / c ** category_alpha * scarcity ** scarcity_power)
            weighted = now - t.queue_since + credit[effective_rank(t, now, early)]
            if weighted >= guard:
                key = (-2, -weighted, t.queue_since, t.ticket_id)
            else:
                late = weighted / urgency
                growth = 1.0 + late * late
                key = (0, -(weighted + head) * factor * growth, t.queue_since, t.ticket_id)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best
