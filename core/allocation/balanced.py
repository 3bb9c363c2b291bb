"""`balanced`: Yichuang's default allocation policy.

One pass over the waiting list; each servable ticket gets a key and the
window calls the best. The key has three tiers, compared in order:

1. Overdue tickets first. A ticket whose weighted wait (wait plus its class
   credit, as in `aging`) passes the guard (60 minutes by default) goes
   oldest-weighted-first: nothing can be overtaken forever.
2. Primary duties next: a window serves its home pool before pools it only
   helps (a coordination window its own matters, a green window green and
   elderly tickets), unless the helped ticket is overdue. Helping while the
   home line waits delays the matters only this window can serve.
3. Within a tier, a sharpened c-mu index: (weighted wait + 180 s) divided by
   the expected service time to the power `alpha` = 1.75, so short matters go
   first while waits are comparable, but a long matter's index grows with
   its wait and overtakes; divided again by the number of open windows that
   can serve the ticket's pool and category (scarcity): a ticket few windows
   can serve goes first at a window that can, so flexible windows are not
   used up on work anyone could do. The window's skill weight can also
   scale the index (`skill_power`), but measured it only cost mean wait, so
   by default skills decide eligibility only.

The defaults were chosen by measurement (docs/allocation.md); every value
can be overridden through `HallContext.params`. The score depends on a
ticket only through its wait and its (matter, pool, category, priority,
slot, pinned window), and grows with the wait, as `Policy` requires.
"""
from __future__ import annotations

from core.allocation.eligibility import can_serve, effective_rank, is_primary
from core.allocation.interface import HallContext
from core.allocation.policies import credits
from core.allocation.policy import Policy

DEFAULTS = {
    "alpha": 1.75,           # power of the service time in the index
    "head_seconds": 180.0,   # added to every wait so fresh tickets order by service time
    "guard_seconds": 3600.0,  # weighted wait after which a ticket is overdue ...
    "guard_factor": 0.0,     # ... plus this many times its expected service time
    "skill_power": 0.0,      # how strongly a window prefers its best skills (measured: 0)
    "scarcity_power": 1.0,   # how strongly tickets few windows can serve go first
    "help_alpha": 0.0,       # extra service-time power when helping another pool
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


class Balanced(Policy):
    name = "balanced"

    def choose(self, window, waiting, now, hall):
        early = hall.call_early_seconds
        credit = credits(hall)
        alpha = _param(hall, "alpha")
        head = _param(hall, "head_seconds")
        guard = _param(hall, "guard_seconds")
        guard_factor = _param(hall, "guard_factor")
        skill_power = _param(hall, "skill_power")
        scarcity_power = _param(hall, "scarcity_power")
        help_alpha = _param(hall, "help_alpha")
        table = _capable_counts(hall) if scarcity_power else None
        service = hall.service_minutes
        skills = window.skills
        per_kind: dict = {}
        best, best_key = None, None
        for t in waiting:
            if not can_serve(window, t):
                continue
            kind = (t.matter, t.pool, t.category)
            factors = per_kind.get(kind)
            if factors is None:
                s = max(service(t.matter), 0.25)
                weight = skills.get(t.category, 1.0) ** skill_power
                if table is not None:
                    weight /= _capable(hall, table, t.pool, t.category) ** scarcity_power
                primary = is_primary(window, t)
                power = alpha if primary else alpha + help_alpha
                factors = per_kind[kind] = (
                    weight / s ** power, guard + guard_factor * 60.0 * s, 1 if primary else 0)
            index_factor, limit, primary = factors
            weighted = now - t.queue_since + credit[effective_rank(t, now, early)]
            if weighted >= limit:
                key = (-2, -weighted, t.queue_since, t.ticket_id)
            else:
                key = (-primary, -(weighted + head) * index_factor, t.queue_since, t.ticket_id)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best
