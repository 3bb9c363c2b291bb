"""Comparing a live hall with the one reloaded from its database, field by field."""
from __future__ import annotations

import math
from dataclasses import fields

from core.cases import Case
from core.devices import DeviceHealth
from core.hall import Hall
from core.help_requests import HelpRequest
from core.tickets import Ticket
from core.windows import Window
from server.storage import Store

# --- the comparison ----------------------------------------------------------------------

def differences(live: Hall, loaded: Hall) -> list[str]:
    """Everything in which the reloaded hall differs from the live one, readably."""
    found: list[str] = []

    def differ(what: str, mine, theirs) -> None:
        found.append(f"{what}: live {mine!r} != reloaded {theirs!r}")

    if live.service_day != loaded.service_day:
        differ("service_day", live.service_day, loaded.service_day)
    _compare_entities(differ, "ticket", live.tickets, loaded.tickets, fields(Ticket))
    _compare_entities(differ, "window", live.windows, loaded.windows,
                      [f for f in fields(Window) if f.name != "spec"])
    _compare_entities(differ, "case", live.cases, loaded.cases, fields(Case))
    _compare_entities(differ, "help request", live.help_requests, loaded.help_requests,
                      fields(HelpRequest))
    _compare_entities(differ, "device", live.devices, loaded.devices, fields(DeviceHealth))
    if live.help_counter != loaded.help_counter:
        differ("help_counter", live.help_counter, loaded.help_counter)
    if set(live.by_phone_token) != set(loaded.by_phone_token):
        differ("by_phone_token keys", sorted(live.by_phone_token),
               sorted(loaded.by_phone_token))
    if live.counters != loaded.counters:
        differ("counters", live.counters, loaded.counters)
    if live.case_counter != loaded.case_counter:
        differ("case_counter", live.case_counter, loaded.case_counter)
    mine = {v.ticket_id: v for v in live.waiting_views()}
    theirs = {v.ticket_id: v for v in loaded.waiting_views()}
    for number in sorted(mine.keys() | theirs.keys()):
        if mine.get(number) != theirs.get(number):
            differ(f"waiting view {number}", mine.get(number), theirs.get(number))
    handover, rehandover = (live.service_times.handover_seconds,
                            loaded.service_times.handover_seconds)
    if not math.isclose(handover, rehandover, rel_tol=1e-9, abs_tol=1e-9):
        differ("handover seconds", handover, rehandover)
    learned, relearned = live.service_times.snapshot(), loaded.service_times.snapshot()
    for matter in sorted(learned.keys() | relearned.keys()):
        a, b = learned.get(matter), relearned.get(matter)
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9):
            differ(f"service minutes of {matter}", a, b)
    return found


def _compare_entities(differ, kind: str, mine: dict, theirs: dict, compared) -> None:
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None:
            differ(f"{kind} {key}", "present" if a else "absent", "present" if b else "absent")
            continue
        for f in compared:
            if getattr(a, f.name) != getattr(b, f.name):
                differ(f"{kind} {key}.{f.name}", getattr(a, f.name), getattr(b, f.name))


RATING_COLUMNS = ("ticket_id", "window", "clerk", "level", "reason", "at")


def stored_ratings(store: Store) -> list[dict]:
    rows = store.conn.execute(f"SELECT {', '.join(RATING_COLUMNS)} FROM ratings ORDER BY id")
    return [dict(zip(RATING_COLUMNS, row)) for row in rows]
