"""Why a long line gets no advice: what the manager is told about every suffering line.

The pool advisor (core/advisor.py) proposes moves and helps; on many days the line that
runs long is one it cannot relieve (only the two pickup windows hand out results; only
the coordination window knows a 一件事 theme). Silence would leave the manager guessing,
so each suffering line of a round is listed with what the advisor found:

* `relieved`: an advice of the round is for this line (its window is named);
* `no_skilled_window`: no open window outside the line's pool, not serving it already,
  has a skill for its category: only staff with that skill can help (a config change,
  or someone who has it on duty);
* `cannot_spare`: windows that know it exist, but none could be proposed: their own
  pool is loaded, they are paused, at the green channel, or were moved or set to help
  a short while ago;
* `no_gain`: windows were tried, and none would shorten the projected waits enough
  (`AdvisorSettings.min_gain_minutes`, without lengthening the worst category's or
  costing its own pool more than it gives).

    lines = suffering_report(decisions, windows)      # decisions: core.advisor.assess_many
    [line.as_dict() for line in lines]                # worst first
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Sequence

from core.advisor import Decision
from core.forecast.eta import WindowState


class LineReason(StrEnum):
    RELIEVED = "relieved"
    NO_SKILLED_WINDOW = "no_skilled_window"
    CANNOT_SPARE = "cannot_spare"
    NO_GAIN = "no_gain"


@dataclass(frozen=True)
class SufferingLine:
    pool: str
    category: str
    mean_minutes: float          # the line's projected mean wait (waited + still to wait)
    waiting: int
    reason: LineReason
    window: int | None = None    # the advised window, when relieved

    def as_dict(self) -> dict:
        return {"pool": self.pool, "category": self.category,
                "mean_minutes": round(self.mean_minutes, 1), "waiting": self.waiting,
                "reason": self.reason.value, "window": self.window}


def could_serve(state: WindowState, pool: str, category: str) -> bool:
    """A window that might be brought to the line: at home elsewhere, not serving the
    pool yet, with a skill for the category."""
    view = state.view
    return (view.pool != pool and pool not in view.also_serves
            and view.skills.get(category, 0.0) > 0.0)


def suffering_report(decisions: Sequence[Decision],
                     windows: Sequence[WindowState]) -> list[SufferingLine]:
    """Every line the round's first decision found suffering, worst first, with why it
    got advice or not. `windows`: the states the round started from."""
    if not decisions:
        return []
    first = decisions[0]
    relieved = {}
    for decision in decisions:
        advice = decision.advice
        if advice is not None:
            relieved.setdefault((advice.to_pool, advice.category), advice.window)
    tried = {(move.to_pool, move.category) for decision in decisions
             for move, _ in decision.scored}
    found = []
    for line in first.suffering:
        pool, category = line
        mean, count = first.projection.by_line[line]
        window = relieved.get(line)
        if window is not None:
            reason = LineReason.RELIEVED
        elif not any(could_serve(state, pool, category) for state in windows):
            reason = LineReason.NO_SKILLED_WINDOW
        elif line not in tried:
            reason = LineReason.CANNOT_SPARE
        else:
            reason = LineReason.NO_GAIN
        found.append(SufferingLine(pool, category, mean, count, reason, window))
    return found
