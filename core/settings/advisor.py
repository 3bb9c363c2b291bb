"""The `[advisor]` section: the pool advisor in the server (docs/configuration.md
describes every key, docs/allocation.md "The pool advisor" how it decides).

The server assesses the hall every `interval_minutes` (`server.advisor`); when one
category's projected wait runs well above the others' it records an advice (move a
window to another pool, or let it also serve one until the session ends) for a
manager to accept or dismiss. With `auto_apply` it applies the advice itself, at most
`max_auto_moves_per_hour` in any hour. The thresholds are `core.advisor.AdvisorSettings`'s.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from core.settings.values import Key, _number, boolean, positive_int


@dataclass(frozen=True)
class AdvisorConfig:
    enabled: bool = True
    interval_minutes: int = 15            # how often the server assesses the hall
    auto_apply: bool = False              # apply the advice without a manager
    max_auto_moves_per_hour: int = 2      # ... at most this many in any hour
    only_help: bool = False               # advise helping only, never a change of home pool
    keep_minutes: int = 45                # a window moved or helping by advice stays so
    # How it decides: the defaults are the values bench/advisor measured (the simulator's
    # 45-minute hold, AdvisorSettings' defaults and the bench's TUNED triggers).
    advice_per_tick: int = 5              # at most this many advices per assessment
    horizon_minutes: int = 60             # expected arrivals this far ahead are projected
    trigger_ratio: float = 1.1            # a line's wait over the other tickets' mean
    trigger_minutes: float = 3.0          # ... and at least this many minutes
    min_tickets: int = 3                  # ... with at least this many waiting
    min_gain_minutes: float = 0.5         # the least projected gain worth advising
    max_donor_load: float = 0.9           # the pool a window leaves stays under this load


_CONVERT = {"enabled": boolean, "interval_minutes": _number(1, False, 240, True),
            "auto_apply": boolean, "max_auto_moves_per_hour": _number(0, False, 12, True),
            "only_help": boolean, "keep_minutes": _number(0, False, 240, True),
            "advice_per_tick": _number(1, False, 15, True),
            "horizon_minutes": _number(0, False, 240, True),
            "trigger_ratio": _number(1, False, 10, False),
            "trigger_minutes": _number(0, False, 240, False),
            "min_tickets": positive_int, "min_gain_minutes": _number(0, False, 120, False),
            "max_donor_load": _number(0, True, 2, False)}
ADVISOR_SCHEMA: dict[str, Key] = {f.name: Key(_CONVERT[f.name], f.default)
                                  for f in fields(AdvisorConfig)}


def build_advisor(values: dict) -> AdvisorConfig:
    return AdvisorConfig(**values)
