"""The figures a hall lives by, for today so far: waits, service, no-shows, by category."""
from __future__ import annotations

from datetime import datetime
from statistics import mean

from core.hall import Hall
from core.tickets import TicketState

WITHIN_MINUTES = (15, 30)


def _wait_summary(waits_minutes: list[float]) -> dict:
    if not waits_minutes:
        return {"count": 0, "mean_minutes": None, "max_minutes": None}
    ordered = sorted(waits_minutes)
    summary = {"count": len(ordered), "mean_minutes": round(mean(ordered), 1),
               "p50_minutes": round(ordered[len(ordered) // 2], 1),
               "max_minutes": round(ordered[-1], 1)}
    for limit in WITHIN_MINUTES:
        share = sum(1 for w in ordered if w <= limit) / len(ordered)
        summary[f"within_{limit}_minutes"] = round(share, 3)
    return summary


def day_figures(hall: Hall, now: datetime) -> dict:
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
        "issued": len(tickets),
        "by_state": {s.value: sum(1 for t in tickets if t.state is s) for s in TicketState},
        "waits": _wait_summary(list(waits.values())),
        "by_category": {code: _wait_summary(values) for code, values in by_category.items()},
        "longest_waiting_now_minutes": round(max(still_waiting), 1) if still_waiting else 0,
        "windows": {w.number: {"status": w.status.value, "served": w.served_today,
                               "pool": w.pool} for w in hall.windows.values()},
        "open_cases": len(hall.cases),
    }
