"""The pool advisor's advice in the hall: issued, accepted (applied), dismissed, withdrawn.

`core.advisor` decides; these actions record what it said and what a manager (or the
advisor itself, when the hall lets it: `[advisor] auto_apply`) did with it. Accepting
applies the advice through the staffing actions: a "move" with
`core.actions.staffing.move_window`, a "help" with `help_pool`.

An assessment's round (`record_round`) may hold several advices, one per window: each
new proposal is issued (`AdviceIssued`), an open advice proposed again unchanged stays
open (nothing is said twice), and an open advice the round no longer proposes is
withdrawn (`replaced` when the round proposes something else for its window, else
`no_longer_needed`). The round was computed off the hall's lock, on a snapshot: a
proposal the hall has moved past meanwhile (`still_valid`: the window closed, left
`from_pool`, or already serves `to_pool`) is dropped, not recorded.
"""
from __future__ import annotations

from datetime import datetime

from core.actions.staffing import help_pool, move_window
from core.advice_records import KINDS, AdviceRecord, AdviceState
from core.errors import Conflict, NotFound
from core.events import (
    AdviceAccepted,
    AdviceDismissed,
    AdviceIssued,
    AdviceWithdrawn,
    Event,
)
from core.hall import Hall
from core.messages import N_, translator
from core.settings.schema import HallSettings
from core.windows import WindowStatus, clock_text

TABLE = "advice"
SENTENCES = {
    ("move", False, False): N_("Window {window}: move to {pool}"),
    ("move", False, True): N_("Window {window}: move to {pool} until {until}"),
    ("move", True, False): N_("Window {window}: back to {pool}"),
    ("move", True, True): N_("Window {window}: back to {pool}"),
    ("help", False, False): N_("Window {window}: also serve {pool}"),
    ("help", False, True): N_("Window {window}: also serve {pool} until {until}"),
}


def advice_text(advice: dict, settings: HallSettings, language: str = "zh") -> str:
    """The advice as a manager reads it ("5号窗口 同时办理 公安户政 至11:30")."""
    kind = advice.get("kind", "move")
    home = bool(advice.get("returns_home")) and kind == "move"
    until = clock_text(advice.get("until"))
    pool = settings.pool(advice["to_pool"])
    name = pool.name_en or pool.name if language == "en" else pool.name
    sentence = SENTENCES[(kind, home, until is not None)]
    return translator("advisor", language)(sentence, window=advice["window"], pool=name,
                                           until=until or "")


def _record(hall: Hall, record: AdviceRecord) -> None:
    hall.advice[record.id] = record
    hall.record_row(TABLE, record.id, record.row(hall.service_day))


def open_advice(hall: Hall) -> list[AdviceRecord]:
    return [a for a in hall.advice.values() if a.state is AdviceState.OPEN]


def withdraw_open(hall: Hall, reason: str, keep: str = "") -> list[Event]:
    """Every open advice but `keep` is withdrawn (replaced, or no longer needed)."""
    events: list[Event] = []
    for record in open_advice(hall):
        if record.id != keep:
            record.state = AdviceState.WITHDRAWN
            _record(hall, record)
            events.append(AdviceWithdrawn(id=record.id, reason=reason))
    return events


def _same_proposal(one: dict, other: dict) -> bool:
    return all(one.get(k) == other.get(k) for k in ("kind", "window", "from_pool", "to_pool"))


def still_valid(hall: Hall, advice: dict) -> bool:
    """Whether the hall still is as the advice found it: its window is open, at home in
    `from_pool`, and does not serve `to_pool` yet (not at home there, not helping it,
    not configured to serve it)."""
    window = hall.windows.get(int(advice["window"]))
    if window is None or window.status is not WindowStatus.OPEN or not window.clerk:
        return False
    if window.pool != advice["from_pool"] or advice["to_pool"] == window.pool:
        return False
    return (advice["to_pool"] not in window.helping
            and advice["to_pool"] not in hall.window_view(window).also_serves)


def record_round(hall: Hall, proposals: list[dict], now: datetime) -> tuple[list[Event],
                                                                            list[str]]:
    """Record one assessment's advices (`Advice.as_dict()` each, with its `kind`; at
    most one per window): the events, and the ids of the round's open advices in the
    round's order (new or kept). Stale proposals (`still_valid`) are dropped; open
    advices not proposed again are withdrawn (module doc)."""
    proposals = [dict(a, kind=a.get("kind", "move")) for a in proposals]
    for advice in proposals:
        if advice["kind"] not in KINDS:
            raise ValueError(f"unknown advice kind {advice['kind']!r}")
    valid, seen = [], set()
    for advice in proposals:
        if int(advice["window"]) not in seen and still_valid(hall, advice):
            seen.add(int(advice["window"]))
            valid.append(advice)
    opened = open_advice(hall)
    ids, fresh, kept = [], [], set()
    for advice in valid:
        same = next((r for r in opened if r.id not in kept
                     and _same_proposal(r.advice, advice)), None)
        if same is not None:
            kept.add(same.id)
            ids.append(same.id)
        elif advice["id"] not in hall.advice:
            fresh.append(advice)
            ids.append(advice["id"])
    renewed = {int(a["window"]) for a in fresh}
    events: list[Event] = []
    for record in opened:
        if record.id not in kept:
            record.state = AdviceState.WITHDRAWN
            _record(hall, record)
            reason = "replaced" if record.window in renewed else "no_longer_needed"
            events.append(AdviceWithdrawn(id=record.id, reason=reason))
    for advice in fresh:
        events.append(_issue(hall, advice, now))
    return events, ids


def issue_advice(hall: Hall, advice: dict, now: datetime) -> list[Event]:
    """A round of one advice (`record_round`): recorded and said to the managers unless
    it is the open one already; every other open advice is withdrawn."""
    return record_round(hall, [advice], now)[0]


def _issue(hall: Hall, advice: dict, now: datetime) -> AdviceIssued:
    advice["text"] = advice_text(advice, hall.settings, "zh")
    advice["text_en"] = advice_text(advice, hall.settings, "en")
    record = AdviceRecord(advice["id"], advice, now.isoformat(timespec="seconds"))
    _record(hall, record)

    def minutes(name: str) -> float:
        return round(float(advice[name]), 1)
    return AdviceIssued(
        id=record.id, kind=advice["kind"], window=int(advice["window"]),
        from_pool=advice["from_pool"], to_pool=advice["to_pool"],
        category=advice["category"], mean_before=minutes("mean_before"),
        mean_after=minutes("mean_after"), worst_before=minutes("worst_before"),
        worst_after=minutes("worst_after"), worst_category=advice.get("worst_category"),
        gain=minutes("gain"), until=clock_text(advice.get("until")),
        returns_home=bool(advice.get("returns_home")),
        text=advice["text"], text_en=advice["text_en"])


def advice_of(hall: Hall, advice_id: str) -> AdviceRecord:
    record = hall.advice.get(advice_id)
    if record is None:
        raise NotFound(f"no advice {advice_id} today", id=advice_id, code="unknown_advice")
    return record


def accept_advice(hall: Hall, advice_id: str, by: str, now: datetime) -> list[Event]:
    """Apply the advice (a move, or a help until its time) and record who accepted it.
    Accepting it again changes nothing; a dismissed or withdrawn one is refused, and so
    is one the hall has moved past (the window is no longer where the advice found it)."""
    record = _still_open(hall, advice_id, AdviceState.ACCEPTED)
    if record is None:
        return []
    advice = record.advice
    window = hall.window(record.window)
    if window.pool != advice["from_pool"]:
        raise Conflict(f"window {window.number} is no longer in pool {advice['from_pool']}",
                       id=advice_id, window=window.number, code="advice_outdated")
    if record.kind == "move":
        events = move_window(hall, window.number, advice["to_pool"])
    else:
        events = help_pool(hall, window.number, advice["to_pool"], advice.get("until"), now,
                           by=by)
    _decide(hall, record, AdviceState.ACCEPTED, by, now)
    return events + [AdviceAccepted(id=record.id, kind=record.kind, window=window.number,
                                    to_pool=advice["to_pool"], by=by)]


def dismiss_advice(hall: Hall, advice_id: str, by: str, now: datetime) -> list[Event]:
    """A manager says no: the advice closes unapplied (dismissing it again changes nothing)."""
    record = _still_open(hall, advice_id, AdviceState.DISMISSED)
    if record is None:
        return []
    _decide(hall, record, AdviceState.DISMISSED, by, now)
    return [AdviceDismissed(id=record.id, by=by)]


def _still_open(hall: Hall, advice_id: str, decision: AdviceState) -> AdviceRecord | None:
    """The open advice to decide; None when it was decided so already (deciding again
    changes nothing); refused when it was closed otherwise."""
    record = advice_of(hall, advice_id)
    if record.state is decision:
        return None
    if record.state is not AdviceState.OPEN:
        raise Conflict(f"advice {advice_id} is {record.state.value}", id=advice_id,
                       state=record.state.value, code="advice_closed")
    return record


def _decide(hall: Hall, record: AdviceRecord, decision: AdviceState, by: str,
            now: datetime) -> None:
    record.state, record.decided_by = decision, by
    record.decided_at = now.isoformat(timespec="seconds")
    _record(hall, record)
