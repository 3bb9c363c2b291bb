"""Rates a hall allows: numbers per kiosk and per network address (防黄牛), and
wrong tokens per address (no guessing at 1,000 a second).

Token buckets held in memory: a restart forgets them, which is fine for limits
measured in seconds and minutes.
"""
from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimit:
    """`per_minute` events a minute per key, in bursts of up to `burst` at once.

    `take(key)` returns 0.0 when the event is allowed (and counts it), or the seconds
    to wait before the next one would be.
    """

    def __init__(self, per_minute: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst if burst is not None else max(1.0, per_minute / 2)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}   # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                self._forget_old(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_old(self, now: float) -> None:
        if len(self._buckets) > 10_000:          # many addresses: drop the full buckets
            full = self.burst / self.rate
            for key, (_, at) in list(self._buckets.items()):
                if now - at > full:
                    del self._buckets[key]
