"""Expected service time per matter, learned from the hall's own history.

The estimate for a matter is a shrunk, winsorised running mean:

    expected = (k * prior + sum(clipped observations)) / (k + n)

where `prior` is the config's `Matter.service_minutes`, `k` the prior's weight
in pseudo-observations (default 5), and each observation is clipped to
[current / clip, current * clip] (default clip 4) before it is added, so a
clerk who forgets to press "finish" for an hour moves the estimate little.
The mean (not the median) is what the allocation and the ETA need: waiting
time adds up service times. Updating is O(1); the model is pure and can be
rebuilt from a day's finished tickets with `observe_many`.

Use it as the `service_minutes` callable of a `HallContext`: `model.expected`.

The model also learns the hall's handover (`handover_seconds`): the mean time from
the call that brings a citizen to the window to the start of their service (the walk
up, a recall while they come), each observation clipped to [0, HANDOVER_CAP_SECONDS].
A window spends it on every ticket it serves, besides the service: the forecast adds
it to each service (`core.forecast.eta.forecast(handover_seconds=...)`). It starts at
0 (nothing is guessed) and follows the hall's own finished services.
"""
from __future__ import annotations

from typing import Iterable, Mapping

DEFAULT_MINUTES = 8.0
HANDOVER_CAP_SECONDS = 300.0     # a citizen who took longer went elsewhere first


class ServiceTimeModel:
    def __init__(self, prior: Mapping[str, float], prior_weight: float = 5.0,
                 clip: float = 4.0, default_minutes: float = DEFAULT_MINUTES) -> None:
        self.prior = dict(prior)
        self.prior_weight = prior_weight
        self.clip = clip
        self.default_minutes = default_minutes
        self._sum: dict[str, float] = {}
        self._count: dict[str, int] = {}
        self._cache: dict[str, float] = {}
        self._handover_sum = 0.0
        self._handover_count = 0

    @classmethod
    def from_settings(cls, settings, **kwargs) -> "ServiceTimeModel":
        """A model whose priors are the hall's configured service minutes."""
        codes = [m.code for m in settings.matters] + [t.code for t in settings.themes]
        return cls({code: settings.subject(code).service_minutes for code in codes}, **kwargs)

    def expected(self, matter: str) -> float:
        """Expected minutes at the window for `matter`."""
        value = self._cache.get(matter)
        if value is None:
            prior = self.prior.get(matter, self.default_minutes)
            n = self._count.get(matter, 0)
            total = self.prior_weight * prior + self._sum.get(matter, 0.0)
            value = total / (self.prior_weight + n)
            self._cache[matter] = value
        return value

    __call__ = expected

    def observe(self, matter: str, minutes: float) -> None:
        """Add one finished service of `minutes` for `matter`."""
        if minutes < 0:
            raise ValueError(f"negative service time {minutes!r} for {matter!r}")
        current = self.expected(matter)
        clipped = min(max(minutes, current / self.clip), current * self.clip)
        self._sum[matter] = self._sum.get(matter, 0.0) + clipped
        self._count[matter] = self._count.get(matter, 0) + 1
        self._cache.pop(matter, None)

    def observe_many(self, observations: Iterable[tuple[str, float]]) -> None:
        for matter, minutes in observations:
            self.observe(matter, minutes)

    @property
    def handover_seconds(self) -> float:
        """The mean seconds from the call to the start of a service (0 before any)."""
        return self._handover_sum / self._handover_count if self._handover_count else 0.0

    def observe_handover(self, seconds: float) -> None:
        """Add one service's call-to-start time."""
        self._handover_sum += min(max(seconds, 0.0), HANDOVER_CAP_SECONDS)
        self._handover_count += 1

    def count(self, matter: str) -> int:
        return self._count.get(matter, 0)

    def snapshot(self) -> dict[str, float]:
        """Every known matter's current expectation (for a report or a page)."""
        codes = set(self.prior) | set(self._count)
        return {code: self.expected(code) for code in sorted(codes)}
