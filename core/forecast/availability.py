"""When a window can call: ONE rule, used by the live estimate and the simulator.

- A window calls from the hall's opening time (`hours.open`).
- It takes one break: its own `lunch_break` if it has one; otherwise, when the
  hall does not serve at lunchtime (`hours.lunchtime_service = false`, the
  default), the hall's lunch (`hours.lunch_start`-`hours.lunch_end`). A window
  busy when its break starts takes it after the current service, and the break
  ends at its configured end.
- After closing time it calls on until its line is empty: a citizen holding a
  number is served.

The live estimate (`core.forecast.live`), the simulator (`simulator.engine`), the
trace generator's capacity and the benchmark's lower bound all read the break
from `lunch_of`, so an ETA the benchmark measures comes from the rule the server
runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.allocation.interface import WindowView
from core.forecast.eta import WindowState
from core.settings.schema import Hours, WindowSpec


def lunch_of(hours: Hours, spec: WindowSpec) -> tuple[int, int] | None:
    """The window's break in minutes after midnight, or None if it takes none."""
    if spec.lunch_break is not None:
        return spec.lunch_break
    if not hours.lunchtime_service:
        return (hours.lunch_start, hours.lunch_end)
    return None


def working_minutes(hours: Hours, spec: WindowSpec) -> float:
    """Minutes a window works between opening and closing, its break taken off."""
    minutes = hours.close - hours.open
    lunch = lunch_of(hours, spec)
    if lunch is not None:
        minutes -= max(0, min(lunch[1], hours.close) - max(lunch[0], hours.open))
    return float(minutes)


@dataclass(frozen=True, slots=True)
class Shift:
    """A window's day in seconds after midnight."""

    opens: float
    lunch: tuple[float, float] | None

    @classmethod
    def of(cls, hours: Hours, spec: WindowSpec) -> Shift:
        lunch = lunch_of(hours, spec)
        return cls(hours.open * 60.0,
                   None if lunch is None else (lunch[0] * 60.0, lunch[1] * 60.0))


def window_state(view: WindowView, shift: Shift, now: float, busy_until: float,
                 lunch_taken: bool = False) -> WindowState:
    """The forecast's view of an open window: when it is next free, and the break
    still ahead of it (none if taken or already over)."""
    lunch = shift.lunch
    if lunch_taken or (lunch is not None and lunch[1] <= now):
        lunch = None
    return WindowState(view=view, busy_until=max(now, shift.opens, busy_until), lunch=lunch)
