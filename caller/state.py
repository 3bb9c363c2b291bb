"""The caller's decisions that do not depend on a screen: its keyboard shortcuts, the
recall cooldown, what waits for the window, the transfer notes of a ticket, the 容缺
supply-by choices and what a scanned slip names.

The Kivy shell (caller/app.py, caller/views.py, caller/panels.py) draws what these
decide; every text it shows comes from the `caller` and `refusals` catalogues.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from core.messages import N_
from core.opening import is_working_day, working_days_after
from core.windows import PAUSE_REASONS

# Every action, its key (Kivy key codes: F1 = 282 ... F12 = 293) and its label.
F_KEYS = {f"F{n}": 281 + n for n in range(1, 13)}
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("call_next", "F1", N_("Call next")),
    ("recall", "F2", N_("Recall")),
    ("start", "F3", N_("Start")),
    ("finish", "F4", N_("Finish")),
    ("no_show", "F5", N_("No-show")),
    ("transfer", "F6", N_("Transfer")),
    ("park", "F7", N_("Park")),
    ("resume_ticket", "F8", N_("Resume parked")),
    ("pause", "F9", N_("Pause")),
    ("call_chosen", "F10", N_("Call a number")),
    ("call_case", "F11", N_("Call a case")),
    ("requeue", "F12", N_("Put back in line")),
)
# Not an action on the server: the view's size (compact bar, full view)
TOGGLE_KEY = ("toggle", "Tab", N_("Full view"))
KEY_TAB, KEY_ENTER, KEY_ESCAPE = 9, 13, 27
ACTION_OF_KEY = {F_KEYS[key]: action for action, key, _label in ACTIONS}

PAUSE_LABELS = {"lunch": N_("Lunch"), "break": N_("Break"), "meeting": N_("Meeting"),
                "training": N_("Training"), "system_fault": N_("System fault")}
assert set(PAUSE_LABELS) == set(PAUSE_REASONS)
STATE_LABELS = {"waiting": N_("waiting"), "called": N_("called"), "serving": N_("serving"),
                "parked": N_("parked"), "finished": N_("finished"),
                "no_show": N_("no-show"), "cancelled": N_("cancelled")}
PRIORITY_LABELS = {"green": N_("green channel"), "elderly": N_("elderly"),
                   "appointment": N_("appointment"), "normal": N_("normal")}


def action_key(action: str) -> str:
    return next(key for name, key, _label in ACTIONS if name == action)


# ------------------------------------------------------------------ recall cooldown

def recall_wait(last_called: datetime | None, now: datetime, cooldown: int) -> int:
    """Whole seconds until the current ticket may be recalled (0: now)."""
    if last_called is None:
        return 0
    since = (now - last_called).total_seconds()
    return max(0, int(cooldown - since + 0.999))


def last_called_at(history) -> datetime | None:
    """When the ticket was last called or recalled, from its history."""
    return next((h.at for h in reversed(history) if h.action in ("called", "recalled")), None)


# ------------------------------------------------------------------ the ticket

def transfer_notes(history) -> list[str]:
    """The notes a ticket carries from transfers and parking, oldest first."""
    return [h.note for h in history
            if h.note and h.action in ("transferred", "parked", "requeued")]


def minutes_waited(ticket, history, now: datetime) -> int:
    """From the number's issue to its first call (or to now, still waiting)."""
    issued = datetime.fromisoformat(ticket.issued_at)
    called = next((h.at for h in history if h.action == "called"), None)
    return max(0, int(((called or now) - issued).total_seconds() // 60))


# ------------------------------------------------------------------ what waits here

@dataclass(frozen=True)
class Waiting:
    """What waits for one window: counts per category it serves, the longest wait,
    and the tickets it may call, longest waiting first."""

    counts: tuple[tuple[str, int], ...]
    longest_minutes: int
    tickets: tuple


def may_call(window, spec, ticket) -> bool:
    """The eligibility rule (core.allocation.eligibility.can_serve) on what a client
    sees: a ticket pinned here; else a skill for its category and its pool served."""
    if ticket.pinned_window is not None:
        return ticket.pinned_window == window.number
    if spec.skills.get(ticket.category, 0.0) <= 0.0:
        return False
    return ticket.pool == window.pool or ticket.pool in window.also_serves


def waiting_for(window, spec, tickets, now: datetime) -> Waiting:
    mine = sorted((t for t in tickets if t.state == "waiting" and may_call(window, spec, t)),
                  key=lambda t: t.issued_at)
    counts: dict[str, int] = {}
    for ticket in mine:
        counts[ticket.category] = counts.get(ticket.category, 0) + 1
    longest = 0
    if mine:
        longest = int((now - datetime.fromisoformat(mine[0].issued_at)).total_seconds() // 60)
    return Waiting(tuple(sorted(counts.items())), max(0, longest), tuple(mine))


# ------------------------------------------------------------------ 容缺 and slips

def supply_by_choices(settings, today: date, time_limit_days: int) -> list[date]:
    """The working days a missing material may be promised for: after today, up to the
    promised completion date (at least the next working day)."""
    last = working_days_after(settings, today, max(1, time_limit_days))
    day, choices = today, []
    while len(choices) < 10:
        day = date.fromordinal(day.toordinal() + 1)
        if day > last:
            break
        if is_working_day(settings, day):
            choices.append(day)
    return choices


_CASE_TOKEN = re.compile(r"/c/([A-Za-z0-9_-]{16,64})(?:[?#].*)?$")
_CASE_NUMBER = re.compile(r"\b([A-Z]{1,8}\d{8}-\d{1,6})\b")


def case_token_from_scan(text: str) -> str:
    """The case page token in a scanned slip's QR (…/c/<token>); "" if none."""
    found = _CASE_TOKEN.search(text.strip())
    return found.group(1) if found else ""


def case_number_from_text(text: str) -> str:
    """A typed (or printed) case number, upper-cased; "" if the text holds none."""
    found = _CASE_NUMBER.search(text.strip().upper())
    return found.group(1) if found else ""
