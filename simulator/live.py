"""A simulated day played live against a real server, compressed to be watched.

`live_day(hall, seed, pace)` turns a generated trace (`simulator.generator`) into
a script in *real* seconds from the moment the live day starts: when each citizen
takes a number, how long they take to walk up when called, how long their service
takes, and what goes wrong (a no-show, a late citizen who is recalled, a transfer).
`pace` is simulated minutes per real minute: at 10 a 7-minute service takes 42
seconds and the hall's 9-hour day takes 54 minutes.

Only the simulated day is compressed. The server keeps its own clock (real time),
so the times it records, and the waits it estimates from what it has learned, are
real-time figures of a hall that serves `pace` times faster than a real one
(docs/simulator.md, "The live demo"). This module is pure; the part that talks to
the server is the launcher's (`yichuang/live_hall.py`).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from core.forecast.availability import lunch_of
from core.settings.schema import HallSettings, Priority
from simulator.generator import generate_trace

DEFAULT_PACE = 10.0          # a call every few seconds in the demo hall
LATE_RATE = 0.06             # called, but only come after a recall
TRANSFER_RATE = 0.03         # sent on to another pool halfway through (首问负责制)
WALK_SECONDS = (20.0, 60.0)  # simulated seconds from the call to the window
EARLIEST_ARRIVAL = 0.3       # real seconds between the citizens already at the door


@dataclass(frozen=True, slots=True)
class Citizen:
    """One citizen of the live day, in real seconds."""

    trace_id: str
    at: float                 # real seconds after the live day starts: takes a number
    matter: str
    priority: Priority
    walk_seconds: float       # from the call to the window
    service_seconds: float    # at the window
    no_show: bool = False     # never comes: recalled once, then marked
    late: bool = False        # comes only after a recall
    transfer: bool = False    # sent to another pool halfway through the service


@dataclass(frozen=True)
class LiveDay:
    """A day's script: its citizens in arrival order and each window's break."""

    pace: float
    starts_at: float                            # simulated seconds after midnight at 0
    citizens: tuple[Citizen, ...]
    breaks: dict[int, tuple[float, float]]      # window -> (start, end), real seconds
    closes: float                               # real seconds: the windows' closing time

    def simulated(self, real_seconds: float) -> float:
        """The simulated time (seconds after midnight) `real_seconds` into the day."""
        return self.starts_at + real_seconds * self.pace

    def real(self, simulated_seconds: float) -> float:
        """Real seconds into the live day of a simulated time (never before 0)."""
        return max(0.0, (simulated_seconds - self.starts_at) / self.pace)

    @property
    def ends(self) -> float:
        """Real seconds: the last number is taken (the windows then empty the line)."""
        return max([self.closes] + [c.at for c in self.citizens])


def live_day(hall: HallSettings, seed: int, pace: float = DEFAULT_PACE,
             load: float = 0.8) -> LiveDay:
    """The script of one live day: the generator's day for `seed` at `load`, its
    times divided by `pace` (simulated minutes per real minute). It starts at the
    hall's opening; citizens who came earlier are at the door and take their numbers
    in the first seconds."""
    if not pace > 0:
        raise ValueError(f"pace must be above 0, not {pace!r}")
    rng = random.Random(f"live-{seed}")
    starts_at = hall.hours.open * 60.0
    citizens = []
    early = 0
    for ticket in generate_trace(hall, seed, load):
        at = (ticket.arrival - starts_at) / pace
        if at < 0:
            at, early = early * EARLIEST_ARRIVAL, early + 1
        served = not ticket.no_show
        citizens.append(Citizen(
            trace_id=ticket.ticket_id, at=at, matter=ticket.matter, priority=ticket.priority,
            walk_seconds=rng.uniform(*WALK_SECONDS) / pace,
            service_seconds=ticket.service_minutes * 60.0 / pace, no_show=ticket.no_show,
            late=served and rng.random() < LATE_RATE,
            transfer=served and rng.random() < TRANSFER_RATE))
    citizens.sort(key=lambda c: c.at)
    breaks = {}
    for window in hall.windows:
        lunch = lunch_of(hall.hours, window)
        if lunch is not None:
            breaks[window.number] = ((lunch[0] * 60.0 - starts_at) / pace,
                                     (lunch[1] * 60.0 - starts_at) / pace)
    return LiveDay(pace, starts_at, tuple(citizens), breaks,
                   (hall.hours.close * 60.0 - starts_at) / pace)


def walk_in(hall: HallSettings, subject: str, pace: float) -> Citizen:
    """A citizen the script does not know (a number taken at a real kiosk, or left
    from an earlier run): served in the subject's configured time, compressed."""
    minutes = hall.subject(subject).service_minutes if hall.has("subject", subject) else 10.0
    return Citizen("walk-in", 0.0, subject, Priority.NORMAL, 30.0 / pace,
                   minutes * 60.0 / pace)
