"""The day report (日报): a day's tickets summed up for the manager, and one row per
ticket for the spreadsheet the hall sends upstairs.

Pure: it reads `Ticket`s (today's from the live hall, a past day's from the database)
and the hall's settings for names; `server.views.manage` serves it as JSON and CSV.
Waits are issue to first call (`Ticket.waited_seconds`, as every figure of the hall),
service is the last start to the finish of a finished ticket.
"""
from __future__ import annotations

from statistics import fmean
from typing import Iterable

from core.figures import rating_figures, wait_summary
from core.settings.schema import HallSettings
from core.tickets import Ticket, TicketState


def service_minutes(ticket: Ticket) -> float | None:
    """Minutes from the service's last start to its finish; None unless finished."""
    started, finished = ticket.last("started"), ticket.last("finished")
    if ticket.state is not TicketState.FINISHED or started is None or finished is None:
        return None
    return max((finished - started).total_seconds(), 0.0) / 60


def wait_minutes(ticket: Ticket) -> float | None:
    waited = ticket.waited_seconds()
    return None if waited is None else waited / 60


def rating_of(ticket: Ticket) -> int | None:
    """The 好差评 level the service got (5 … 1; 0: the pad invited and none came)."""
    levels = [h.note for h in ticket.history if h.action == "rated"]
    return int(levels[-1]) if levels and levels[-1].isdigit() else None


def _names(settings: HallSettings, kind: str, code: str) -> tuple[str, str]:
    """(name, name_en) of a category, pool or subject (matter or theme); the code itself
    if the hall has none of it now (an earlier day's report after a config change)."""
    if not settings.has(kind, code):
        return code, code
    found = getattr(settings, kind)(code)
    return found.name, found.name_en


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 1) if values else None


def day_report(service_day: str, tickets: Iterable[Ticket], settings: HallSettings) -> dict:
    """The day in figures: totals, waits, and the same by category, window and hour."""
    tickets = sorted(tickets, key=lambda t: t.issued_at)
    waits = {t.number: w for t in tickets if (w := wait_minutes(t)) is not None}
    served = {t.number: s for t in tickets if (s := service_minutes(t)) is not None}

    categories: dict[str, list[Ticket]] = {}
    windows: dict[int, list[Ticket]] = {}
    hours: dict[int, list[Ticket]] = {}
    for ticket in tickets:
        categories.setdefault(ticket.category, []).append(ticket)
        if ticket.window is not None and ticket.state in (TicketState.FINISHED,
                                                           TicketState.NO_SHOW):
            windows.setdefault(ticket.window, []).append(ticket)
        hours.setdefault(ticket.issued_at.hour, []).append(ticket)

    def by_category(code: str, group: list[Ticket]) -> dict:
        name, name_en = _names(settings, "category", code)
        return {"category": code, "name": name, "name_en": name_en, "issued": len(group),
                "finished": sum(t.state is TicketState.FINISHED for t in group),
                "no_shows": sum(t.state is TicketState.NO_SHOW for t in group),
                "waits": wait_summary([waits[t.number] for t in group if t.number in waits]),
                "mean_service_minutes": _mean([served[t.number] for t in group
                                               if t.number in served])}

    def by_window(number: int, group: list[Ticket]) -> dict:
        ratings = rating_figures(group)
        return {"window": number, "name": settings.window(number).name
                if settings.has("window", number) else str(number),
                "finished": sum(t.state is TicketState.FINISHED for t in group),
                "no_shows": sum(t.state is TicketState.NO_SHOW for t in group),
                "mean_service_minutes": _mean([served[t.number] for t in group
                                               if t.number in served]),
                "rated": ratings["rated"], "bad": ratings["bad"],
                "satisfied_share": ratings["satisfied_share"]}

    def by_hour(hour: int, group: list[Ticket]) -> dict:
        return {"hour": hour, "issued": len(group),
                "mean_wait_minutes": _mean([waits[t.number] for t in group
                                            if t.number in waits])}

    return {
        "service_day": service_day,
        "issued": len(tickets),
        "by_state": {s.value: sum(t.state is s for t in tickets) for s in TicketState},
        "waits": wait_summary(list(waits.values())),
        "mean_service_minutes": _mean(list(served.values())),
        "ratings": rating_figures(tickets),
        "by_category": [by_category(code, group) for code, group in categories.items()],
        "by_window": [by_window(n, windows[n]) for n in sorted(windows)],
        "by_hour": [by_hour(h, hours[h]) for h in sorted(hours)],
    }


# the spreadsheet's columns, in order (their headers are the page's words: server/web)
REPORT_COLUMNS = ("number", "subject", "subject_name", "category_name", "pool_name",
                  "priority", "origin", "issued_at", "called_at", "finished_at", "window",
                  "clerk", "wait_minutes", "service_minutes", "state", "rating",
                  "case_number")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """A cell as a spreadsheet should show it: text that Excel would read as a formula
    (starting =, +, -, @, a tab or a return) gets a leading apostrophe, so a name in
    the hall's config or a person's record is shown, never run. Numbers are left alone."""
    if not value.startswith(_FORMULA_STARTS):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def report_rows(tickets: Iterable[Ticket], settings: HallSettings,
                language: str = "zh") -> list[dict]:
    """One row per ticket (REPORT_COLUMNS), oldest first; names in `language`; times
    as HH:MM:SS of the hall's day; minutes with one decimal; empty where none."""
    english = language == "en"

    def name(kind: str, code: str) -> str:
        return _names(settings, kind, code)[1 if english else 0]

    def clock(moment) -> str:
        return moment.strftime("%H:%M:%S") if moment else ""

    def minutes(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    rows = []
    for ticket in sorted(tickets, key=lambda t: t.issued_at):
        rating = rating_of(ticket)
        rows.append({
            "number": ticket.number, "subject": ticket.subject,
            "subject_name": name("subject", ticket.subject),
            "category_name": name("category", ticket.category),
            "pool_name": name("pool", ticket.pool),
            "priority": ticket.priority.value, "origin": ticket.origin.value,
            "issued_at": clock(ticket.issued_at), "called_at": clock(ticket.first("called")),
            "finished_at": clock(ticket.last("finished")),
            "window": "" if ticket.window is None else str(ticket.window),
            "clerk": ticket.clerk, "wait_minutes": minutes(wait_minutes(ticket)),
            "service_minutes": minutes(service_minutes(ticket)),
            "state": ticket.state.value, "rating": "" if rating is None else str(rating),
            "case_number": ticket.case_number})
    return rows
