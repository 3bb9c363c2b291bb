"""When a window can call: ONE rule, used by the live estimate and the simulator.

- A window calls from the hall's opening time (`hours.open`), or from the start of
  its own `shift` when it has one.
- It takes one break: its own `lunch_break` if it has one; otherwise, when the
  hall does not serve at lunchtime (`hours.lunchtime_service = false`, the
  default), the hall's lunch (`hours.lunch_start`-`hours.lunch_end`). A window
  busy when its break starts takes it after the current service, and the break
  ends at its configured end.
- After closing time it calls on until its line is empty: a citizen holding a
  number is served. A window with its own `shift` calls nobody after the shift's
  end (its clerk leaves; the windows still there serve its line).
- A window that paused for lunch today has taken its break, however early or late:
  no other is expected of it (`Window.lunch_taken`).
- A paused window (暂停) is expected back, not gone (`expected_return`): from a lunch
  pause at the end of its lunch break (a lunch taken outside it lasts as long), from
  any other pause after the pause's usual length (`PAUSE_MINUTES`, counted from when
  it paused). A window still away after that is expected back within
  `OVERDUE_PAUSE_MINUTES`, whatever the clock says.

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

# The usual length of a pause by its standard reason (core.windows.PAUSE_REASONS), in
# minutes; a reason a clerk typed takes OTHER_PAUSE_MINUTES. A lunch pause lasts until the
# window's lunch break ends (LUNCH_PAUSE_MINUTES if it has none configured).
PAUSE_MINUTES = {"break": 15.0, "meeting": 60.0, "training": 60.0, "system_fault": 30.0}
LUNCH_PAUSE_MINUTES = 60.0
OTHER_PAUSE_MINUTES = 30.0
OVERDUE_PAUSE_MINUTES = 5.0


def lunch_of(hours: Hours, spec: WindowSpec) -> tuple[int, int] | None:
    """The window's break in minutes after midnight, or None if it takes none."""
    if spec.lunch_break is not None:
        return spec.lunch_break
    if not hours.lunchtime_service:
        return (hours.lunch_start, hours.lunch_end)
    return None


def working_minutes(hours: Hours, spec: WindowSpec) -> float:
    """Minutes a window works between opening and closing (within its shift, if it
    has one), its break taken off."""
    start, end = hours.open, hours.close
    if spec.shift is not None:
        start, end = max(start, spec.shift[0]), min(end, spec.shift[1])
    minutes = max(0, end - start)
    lunch = lunch_of(hours, spec)
    if lunch is not None:
        minutes -= max(0, min(lunch[1], end) - max(lunch[0], start))
    return float(minutes)


@dataclass(frozen=True, slots=True)
class Shift:
    """A window's day in seconds after midnight."""

    opens: float
    lunch: tuple[float, float] | None
    closes: float | None = None       # calls nobody from then on (None: calls on)

    @classmethod
    def of(cls, hours: Hours, spec: WindowSpec) -> Shift:
        lunch = lunch_of(hours, spec)
        lunch_seconds = None if lunch is None else (lunch[0] * 60.0, lunch[1] * 60.0)
        if spec.shift is None:
            return cls(hours.open * 60.0, lunch_seconds)
        return cls(spec.shift[0] * 60.0, lunch_seconds, spec.shift[1] * 60.0)

    def working(self, at: float) -> bool:
        """Whether the window's shift (not its break) has it at work at `at`."""
        return self.opens <= at and (self.closes is None or at < self.closes)


def window_state(view: WindowView, shift: Shift, now: float, busy_until: float,
                 lunch_taken: bool = False) -> WindowState:
    """The forecast's view of an open window: when it is next free, and the break
    still ahead of it (none if taken or already over)."""
    lunch = shift.lunch
    if lunch_taken or (lunch is not None and lunch[1] <= now):
        lunch = None
    return WindowState(view=view, busy_until=max(now, shift.opens, busy_until), lunch=lunch,
                       closes=shift.closes)


def expected_return(reason: str, shift: Shift, now: float, paused_at: float | None) -> float:
    """When a window paused for `reason` since `paused_at` (seconds after midnight; None
    if unknown, taken as now) is expected to call again."""
    since = now if paused_at is None else min(paused_at, now)
    if reason == "lunch":
        lunch = shift.lunch
        if lunch is not None and lunch[0] <= since < lunch[1]:
            back = lunch[1]              # the break ends at its configured end
        else:                            # an early or late lunch: the usual length
            back = since + (lunch[1] - lunch[0] if lunch is not None
                            else 60.0 * LUNCH_PAUSE_MINUTES)
    else:
        back = since + 60.0 * PAUSE_MINUTES.get(reason, OTHER_PAUSE_MINUTES)
    return back if back > now else now + 60.0 * OVERDUE_PAUSE_MINUTES


def paused_window_state(view: WindowView, shift: Shift, now: float, busy_until: float,
                        reason: str, paused_at: float | None,
                        lunch_taken: bool = False) -> WindowState:
    """The forecast's view of a paused window: free when it is back and done with any
    ticket it holds; a lunch pause is its lunch break, so no break is left ahead of it
    (nor after one taken earlier today: `lunch_taken`)."""
    back = expected_return(reason, shift, now, paused_at)
    return window_state(view, shift, now, max(back, busy_until),
                        lunch_taken=lunch_taken or reason == "lunch")
