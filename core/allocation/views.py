"""The one place a configured window becomes the policy's `WindowView`."""
from __future__ import annotations

from core.allocation.interface import WindowView
from core.settings.schema import HallSettings, WindowSpec


def dedicated_category_of(spec: WindowSpec) -> str | None:
    """The pre-reform department of a window: its highest-weight skill.

    Ties go to the category listed first in the config.
    """
    best, best_weight = None, 0.0
    for code, weight in spec.skills.items():
        if weight > best_weight:
            best, best_weight = code, weight
    return best


def window_view_of(spec: WindowSpec, settings: HallSettings,
                   pool: str | None = None) -> WindowView:
    """The policy's view of a configured window, at home in `pool` (default: its
    configured pool; the manager may move a window to another)."""
    pool = pool or spec.pool
    return WindowView(
        number=spec.number,
        pool=pool,
        skills=dict(spec.skills),
        also_serves=tuple(spec.also_serves),
        dedicated_category=dedicated_category_of(spec),
        pool_kind=settings.pool(pool).kind,
    )
