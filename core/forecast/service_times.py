"""Expected service time per matter, learned from the hall's own history.

The estimate for a matter is a shrunk, winsorised running mean:

    expected = (k * prior + sum(clipped observations)) / (k + n)

where `prior` is the config's `Matter.service_minutes` times what the hall has
learned of the matter's category (below), `k` the prior's weight in
pseudo-observations (default 5), and each observation is clipped to
[current / clip, current * clip] (default clip 4) before it is added, so a
clerk who forgets to press "finish" for an hour moves the estimate little.
The mean (not the median) is what the allocation and the ETA need: waiting
time adds up service times. Updating is O(1); the model is pure and can be
rebuilt from a day's finished tickets with `observe_many`.

The category's lesson: matters of one category are served by the same windows and
clerks, so when the category's matters run at twice their configured times, a
rarely seen matter of it probably does too. Each observation also adds its ratio to
the configured time (clipped like the observations) to its category's running mean
ratio, shrunk towards 1 with the weight of `category_weight` (10) observations; a
matter's prior is its configured time times that ratio. A matter seen often is
governed by its own observations; one seen three times no longer sits near a
configured time the hall has shown to be wrong. (Measured on the family's tuning
seeds: docs/allocation.md.) Without `categories` the model is the plain one.

Use it as the `service_minutes` callable of a `HallContext`: `model.expected`.
"""
from __future__ import annotations

from typing import Iterable, Mapping

DEFAULT_MINUTES = 8.0


class ServiceTimeModel:
    def __init__(self, prior: Mapping[str, float], prior_weight: float = 5.0,
                 clip: float = 4.0, default_minutes: float = DEFAULT_MINUTES,
                 categories: Mapping[str, str] | None = None,
                 category_weight: float = 10.0) -> None:
        self.prior = dict(prior)
        self.categories = dict(categories or {})
        self.category_weight = category_weight
        self._ratio_sum: dict[str, float] = {}
        self._ratio_count: dict[str, int] = {}
        self.prior_weight = prior_weight
        self.clip = clip
        self.default_minutes = default_minutes
        self._sum: dict[str, float] = {}
        self._count: dict[str, int] = {}
        self._cache: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings, **kwargs) -> "ServiceTimeModel":
        """A model whose priors are the hall's configured service minutes."""
        codes = [m.code for m in settings.matters] + [t.code for t in settings.themes]
        subjects = {code: settings.subject(code) for code in codes}
        return cls({code: s.service_minutes for code, s in subjects.items()},
                   categories={code: s.category for code, s in subjects.items()}, **kwargs)

    def category_ratio(self, matter: str) -> float:
        """What the hall has learned of the matter's category: its services' mean ratio to
        their configured times, shrunk towards 1 (1 with no category or no history)."""
        category = self.categories.get(matter)
        if category is None:
            return 1.0
        weight = self.category_weight
        return ((weight + self._ratio_sum.get(category, 0.0))
                / (weight + self._ratio_count.get(category, 0)))

    def expected(self, matter: str) -> float:
        """Expected minutes at the window for `matter`."""
        value = self._cache.get(matter)
        if value is None:
            prior = self.prior.get(matter, self.default_minutes) * self.category_ratio(matter)
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
        category = self.categories.get(matter)
        if category is not None and self.prior.get(matter, 0.0) > 0.0:
            ratio = min(max(minutes / self.prior[matter], 1.0 / self.clip), self.clip)
            self._ratio_sum[category] = self._ratio_sum.get(category, 0.0) + ratio
            self._ratio_count[category] = self._ratio_count.get(category, 0) + 1
            self._cache.clear()       # every matter of the category has a new prior
        else:
            self._cache.pop(matter, None)

    def observe_many(self, observations: Iterable[tuple[str, float]]) -> None:
        for matter, minutes in observations:
            self.observe(matter, minutes)

    def count(self, matter: str) -> int:
        return self._count.get(matter, 0)

    def snapshot(self) -> dict[str, float]:
        """Every known matter's current expectation (for a report or a page)."""
        codes = set(self.prior) | set(self._count)
        return {code: self.expected(code) for code in sorted(codes)}
