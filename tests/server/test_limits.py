"""Token buckets: bursts, the steady rate, and keys kept apart."""
from __future__ import annotations

from server.limits import RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate():
    clock = Clock()
    limit = RateLimit(per_minute=12, burst=6, clock=clock)
    assert [limit.take("kiosk-1") for _ in range(6)] == [0.0] * 6
    wait = limit.take("kiosk-1")
    assert 4.9 < wait <= 5.0                      # 12 a minute: one every 5 s
    clock.now += 5.0
    assert limit.take("kiosk-1") == 0.0 and limit.take("kiosk-1") > 0


def test_keys_are_counted_apart():
    limit = RateLimit(per_minute=1, burst=1, clock=Clock())
    assert limit.take("a") == 0.0 and limit.take("b") == 0.0
    assert limit.take("a") > 0 and limit.take("b") > 0
