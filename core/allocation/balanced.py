"""`balanced`: Yichuang's default allocation policy.

A window picks a *line* first, then a ticket in it. A line is a (pool, category):
the tickets of one category waiting in one pool. One pass over the waiting list:

1. Overdue tickets first. A ticket whose weighted wait (wait plus its class
   credit, as in `aging`) passes the guard (60 minutes by default) goes
   oldest-weighted-first, whatever its matter or pool: nothing can be
   overtaken forever.
2. Otherwise the line with the largest key

       (its oldest weighted wait + 60 s) / capable / (c / 1 min)^0.5

   where `capable` is the number of open windows able to serve the line and `c`
   its reference time (the mean expected time of the distinct matters waiting
   in it). Between lines the order is oldest-first, so no line's tail is left
   behind the others' short work, weighted by:
   * scarcity (power 1): a line few windows can serve goes first at a window
     that can, so the flexible windows are not used up on work the many can do,
     and a category served by one or two windows (a 一件事 theme at the
     coordination window, a scarce long matter) keeps up;
   * shortness, weakly (power 0.5 of `c`): pickups still go before long
     acceptances while their heads have waited comparably.
3. In that line, the ticket with the largest index

       (weighted wait + 60 s) / (s / c)^1.5

   with `s` the matter's expected service time: shortness counts strongly
   *within* a category (a realty query before a realty transfer), which lowers
   the mean wait and no category pays for it.

Before this two-step form (issue 11's last change) one index mixed the three
for every ticket, `(w + 60 s) / (s/c)^1.5 / c^0.5 / capable^2`; it let a
line's long matters fall behind every other line's short ones, and on the
family's tuning days the two-step form passes the p95 bar on 6-8 points more
days in the small and demo halls at the same mean (docs/allocation.md).

The choice depends on a ticket only through its wait and its group (matter,
pool, category, priority, slot, pinned window), and a group's oldest ticket is
always the best of its group, so the forecast's group heads give the same
choice as the full waiting list (a property test checks it): a line's oldest
ticket is one of its groups' heads, and `c` is computed over *distinct*
matters. The defaults were chosen on the family's tuning seeds
(docs/allocation.md); every value can be overridden through
`HallContext.params`.
"""
from __future__ import annotations

from core.allocation.eligibility import can_serve, effective_rank
from core.allocation.interface import HallContext
from core.allocation.policies import credits
from core.allocation.policy import Policy

DEFAULTS = {
    "alpha": 1.5,            # within a line: power of (service / line reference)
    "category_alpha": 0.5,   # between lines: power of the line's reference time (minutes)
    "head_seconds": 60.0,    # added to every wait so fresh tickets order by service time
    "guard_seconds": 3600.0,  # weighted wait after which a ticket is overdue
    "scarcity_power": 1.0,   # between lines: how strongly lines few windows serve go first
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


def category_references(waiting, service) -> dict:
    """(pool, category) -> mean expected minutes of the distinct matters waiting there."""
    matters: dict = {}
    for t in waiting:
        matters.setdefault((t.pool, t.category), set()).add(t.matter)
    return {group: sum(max(service(m), 0.25) for m in names) / len(names)
            for group, names in matters.items()}


class Balanced(Policy):
    name = "balanced"

    def choose(self, window, waiting, now, hall):
        early = hall.call_early_seconds
        credit = credits(hall)
        head = _param(hall, "head_seconds")
        guard = _param(hall, "guard_seconds")
        # line -> [its oldest weighted wait, that ticket, [(weighted, ticket), ...]]
        lines: dict = {}
        overdue, overdue_key = None, None
        for t in waiting:
            if not can_serve(window, t):
                continue
            weighted = now - t.queue_since + credit[effective_rank(t, now, early)]
            if weighted >= guard:
                key = (-weighted, t.queue_since, t.ticket_id)
                if overdue_key is None or key < overdue_key:
                    overdue, overdue_key = t, key
                continue
            line = lines.get((t.pool, t.category))
            if line is None:
                lines[(t.pool, t.category)] = [weighted, t, [(weighted, t)]]
                continue
            line[2].append((weighted, t))
            if (-weighted, t.queue_since, t.ticket_id) < (-line[0], line[1].queue_since,
                                                          line[1].ticket_id):
                line[0], line[1] = weighted, t
        if overdue is not None:
            return overdue
        if not lines:
            return None
        service = hall.service_minutes
        references = category_references(waiting, service)
        table = _capable_counts(hall)
        scarcity_power = _param(hall, "scarcity_power")
        category_alpha = _param(hall, "category_alpha")
        best_line, best_key = None, None
        for group, (oldest, first, _) in lines.items():
            capable = _capable(hall, table, group[0], group[1])
            key = (-(oldest + head) / capable ** scarcity_power
                   / references[group] ** category_alpha, first.queue_since, first.ticket_id)
            if best_key is None or key < best_key:
                best_line, best_key = group, key
        c = references[best_line]
        alpha = _param(hall, "alpha")
        per_matter: dict = {}
        best, best_key = None, None
        for weighted, t in lines[best_line][2]:
            factor = per_matter.get(t.matter)
            if factor is None:
                factor = per_matter[t.matter] = 1.0 / (max(service(t.matter), 0.25) / c) ** alpha
            key = (-(weighted + head) * factor, t.queue_since, t.ticket_id)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best
