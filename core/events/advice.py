"""The pool advisor's advice and what became of it (core.advisor; managers only)."""
from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True)
class AdviceIssued(Event):
    """The advisor proposes a move or a help; waits in minutes (projected)."""

    id: str
    kind: str                   # "move" (home pool changes) or "help" (also serves)
    window: int
    from_pool: str
    to_pool: str
    category: str               # the category it relieves
    mean_before: float
    mean_after: float
    worst_before: float
    worst_after: float
    worst_category: str | None
    gain: float
    until: str | None           # "HH:MM" the move or help is meant to last until
    # (when it was computed is the payload's own `at`, as for every event)
    returns_home: bool
    text: str                   # the advice in Chinese ("5号窗口 同时办理 公安户政 至11:30")
    text_en: str


@dataclass(frozen=True)
class AdviceAccepted(Event):
    id: str
    kind: str
    window: int
    to_pool: str
    by: str                     # the manager, or "advisor" (auto-apply)


@dataclass(frozen=True)
class AdviceDismissed(Event):
    id: str
    by: str


@dataclass(frozen=True)
class AdviceWithdrawn(Event):
    id: str
    reason: str                 # "replaced" (newer advice), "no_longer_needed", "not_applicable"


@dataclass(frozen=True)
class AdviceExtended(Event):
    """A window an accepted move sent to another pool stays there past the move's time:
    the advisor projects that its going home would cost more than it stays
    (`core.advisor.should_return`)."""

    id: str
    window: int
    to_pool: str
    until: str | None           # "HH:MM" it now stays until (None: the rest of the day)
    text: str                   # the advice as it stands now ("7号窗口 调往 综合受理B区 至12:00")
    text_en: str
