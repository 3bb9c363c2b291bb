"""The `[ratings]` section: the 好差评 rating pads' reasons and times (docs/ratings.md is
docs/hardware.md's "rating pads"; docs/configuration.md describes every key).

A bad rating (不满意, 非常不满意) asks the citizen why, from `reasons` (at most six, at
most 12 Hanzi each: the pad's screen). An invitation the citizen leaves alone for
`invite_seconds` is recorded as no rating (never as good); a bad level whose reason does
not come within `reason_seconds` is kept with the reason `unexplained`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core.settings.checks import Report
from core.settings.values import Key, optional_text, positive_int, text, text_list

MAX_REASONS = 6               # the pad's screen (hardware.rating_pad.MAX_REASONS)
MAX_REASON_CHARACTERS = 12    # 24 bytes of GB2312


@dataclass(frozen=True)
class RatingSettings:
    reasons: tuple[str, ...] = ("等候时间长", "服务态度差", "材料要求不清", "办理太慢",
                                "多次跑腿", "其他")
    invite_seconds: int = 30          # the pad gives up on an invitation after this
    reason_seconds: int = 30          # ... and on the reasons after a bad level
    unexplained: str = "未说明"       # the reason kept when none was chosen
    thanks: str = "谢谢您的评价"      # shown after a rating


_CONVERT = {"reasons": text_list(), "invite_seconds": positive_int,
            "reason_seconds": positive_int, "unexplained": text, "thanks": optional_text}
RATINGS_SCHEMA: dict[str, Key] = {f.name: Key(_CONVERT[f.name], f.default)
                                  for f in fields(RatingSettings)}


def check_ratings(report: Report, data: dict) -> None:
    """Reasons fit the pad: one to six, each at most 12 characters; times under 256 s."""
    ratings = data.get("ratings") or {}
    reasons = ratings.get("reasons", RatingSettings.reasons)
    if not isinstance(reasons, (list, tuple)):
        return                                  # already reported by its converter
    if not 1 <= len(reasons) <= MAX_REASONS:
        report.add(("ratings", "reasons"), f"1 to {MAX_REASONS} reasons (the pad's screen), "
                   f"not {len(reasons)}")
    for i, reason in enumerate(reasons):
        if len(reason) > MAX_REASON_CHARACTERS:
            report.add(("ratings", "reasons", i), f"{reason!r} is longer than "
                       f"{MAX_REASON_CHARACTERS} characters (the pad's screen)")
    for key in ("invite_seconds", "reason_seconds"):
        seconds = ratings.get(key, 30)
        if isinstance(seconds, int) and seconds > 255:
            report.add(("ratings", key), "at most 255 seconds (the pad counts in one byte)")


def build_ratings(values: dict[str, Any]) -> RatingSettings:
    return RatingSettings(**{k: tuple(v) if k == "reasons" else v for k, v in values.items()})
