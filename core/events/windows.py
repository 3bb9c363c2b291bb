"""Windows and their clerks: log-in, open, pause, close, release, pools and help."""
from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True)
class ClerkLoggedIn(Event):
    window: int
    clerk: str
    clerk_name: str


@dataclass(frozen=True)
class ClerkLoggedOut(Event):
    window: int
    clerk: str


@dataclass(frozen=True)
class WindowOpened(Event):
    window: int


@dataclass(frozen=True)
class WindowClosed(Event):
    window: int


@dataclass(frozen=True)
class WindowPaused(Event):
    window: int
    reason: str


@dataclass(frozen=True)
class WindowResumed(Event):
    window: int


@dataclass(frozen=True)
class WindowReleased(Event):
    """A manager freed a window its clerk left with tickets: they wait again, in place."""

    window: int
    clerk: str
    tickets: tuple        # numbers put back in line
    by: str


@dataclass(frozen=True)
class WindowMovedToPool(Event):
    window: int
    pool: str
    previous_pool: str


@dataclass(frozen=True)
class WindowHelpsPool(Event):
    """协同: the window keeps its home pool and also serves `pool` until `until`."""

    window: int
    pool: str
    until: str | None           # "HH:MM", or None: for the rest of the day
    by: str = ""                # the manager, or "advisor"


@dataclass(frozen=True)
class WindowStopsHelping(Event):
    window: int
    pool: str
    reason: str = "stopped"     # "stopped" (a manager), "expired" (its time came), "day_ended"
    by: str = ""
