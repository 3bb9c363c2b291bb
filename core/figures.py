"""The figures a hall lives by: waits, service, no-shows, by category.

`percentile` and `wait_summary` are the one definition of each, used by the
server's day figures (`day_figures`), the simulator's metrics and the benchmarks.
"""
from __future__ import annotations

import math
from datetime import datetime
from statistics import mean
from typing import Sequence

from core.hall import Hall
from core.help_requests import HelpState
from core.tickets import TicketState

WITHIN_MINUTES = (15, 30)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def wait_summary(waits_minutes: Sequence[float]) -> dict:
    """Count, mean, median, p95, max, and the share served within 15 and 30 minutes."""
    if not waits_minutes:
        return {"count": 0, "mean_minutes": None, "max_minutes": None}
    ordered = sorted(waits_minutes)
    summary = {"count": len(ordered), "mean_minutes": round(mean(ordered), 1),
               "p50_minutes": round(percentile(ordered, 50), 1),
               "p95_minutes": round(percentile(ordered, 95), 1),
               "max_minutes": round(ordered[-1], 1)}
    for limit in WITHIN_MINUTES:
        share = sum(1 for w in ordered if w <= limit) / len(ordered)
        summary[f"within_{limit}_minutes"] = round(share, 3)
    return summary


def day_figures(hall: Hall, now: datetime) -> dict:
    """Today so far, for the manager."""
    tickets = list(hall.tickets.values())
    waits = {t.number: t.waited_seconds() / 60 for t in tickets if t.waited_seconds() is not None}
    by_category: dict[str, list[float]] = {}
    for ticket in tickets:
        if ticket.number in waits:
            by_category.setdefault(ticket.category, []).append(waits[ticket.number])
    still_waiting = [(now - t.issued_at).total_seconds() / 60 for t in tickets
                     if t.state is TicketState.WAITING]
    return {
        "service_day": hall.service_day,
        "now": now.isoformat(),
        "issued": len(tickets),
        "by_state": {s.value: sum(1 for t in tickets if t.state is s) for s in TicketState},
        "waits": wait_summary(list(waits.values())),
        "by_category": {code: wait_summary(values) for code, values in by_category.items()},
        "longest_waiting_now_minutes": round(max(still_waiting), 1) if still_waiting else 0,
        "windows": {w.number: {"status": w.status.value, "served": w.served_today,
                               "pool": w.pool} for w in hall.windows.values()},
        "open_cases": len(hall.cases),
        "ratings": rating_figures(tickets),
        "pools": pool_figures(hall, now),
    }


def pool_figures(hall: Hall, now: datetime) -> dict:
    """Each pool's line now, for the manager's console: how many wait, the longest of
    them (minutes since the ticket was issued), the windows at home there (open, and
    all) and the open windows of other pools serving its line too (also_serves or a
    help). Pools in the config's order."""
    waiting: dict[str, list[float]] = {}
    for ticket in hall.tickets.values():
        if ticket.state is TicketState.WAITING:
            waiting.setdefault(ticket.pool, []).append(
                (now - ticket.issued_at).total_seconds() / 60)
    open_windows = hall.open_windows()
    figures = {}
    for pool in hall.settings.pools:
        waits = waiting.get(pool.code, [])
        figures[pool.code] = {
            "waiting": len(waits),
            "longest_wait_minutes": round(max(waits), 1) if waits else None,
            "windows": sum(1 for w in hall.windows.values() if w.pool == pool.code),
            "open_windows": sum(1 for w in open_windows if w.pool == pool.code),
            "helped_by": sorted(w.number for w in open_windows if w.pool != pool.code
                                and pool.code in hall.window_view(w).also_serves),
        }
    return figures


def rating_figures(tickets) -> dict:
    """好差评 today: ratings by level (5 非常满意 … 1 非常不满意), and apart from them the
    services whose pad invited a rating that never came (`none`, level 0: not good)."""
    levels = [h.note for t in tickets for h in t.history if h.action == "rated"]
    by_level = {str(level): levels.count(str(level)) for level in range(5, 0, -1)}
    rated = sum(by_level.values())
    bad = by_level["1"] + by_level["2"]
    return {"rated": rated, "by_level": by_level, "none": levels.count("0"),
            "bad": bad, "satisfied_share": round((rated - bad) / rated, 3) if rated else None}


def help_figures(hall: Hall, now: datetime) -> dict:
    """呼叫帮办 today: how many calls, how long each waited for a helper (raised until
    taken; the open ones until now), the open ones now and the longest of them."""
    requests = list(hall.help_requests.values())
    waits = [r.waited_minutes(now) for r in requests if r.taken_at is not None]
    still_open = [r.waited_minutes(now) for r in requests if r.state is HelpState.OPEN]
    return {
        "raised": len(requests),
        "by_state": {s.value: sum(1 for r in requests if r.state is s) for s in HelpState},
        "by_reason": {reason: sum(1 for r in requests if r.reason == reason)
                      for reason in sorted({r.reason for r in requests})},
        "waits": wait_summary(waits),
        "open_now": len(still_open),
        "longest_open_minutes": max(still_open) if still_open else 0,
    }
