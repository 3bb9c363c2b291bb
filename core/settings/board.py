"""The `[board]` section: what the hall's big calling board shows (docs/display.md).

One section for every board of the hall: the Kivy board (`yichuang display`) and the
web board (`/board`) read the same keys. Opening hours come from `[hours]`.
docs/configuration.md describes every key.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core.settings.checks import Report
from core.settings.values import (
    Key,
    boolean,
    choice,
    code,
    optional_text,
    positive_int,
    positive_number,
    text_list,
)

BOARD_ORIENTATIONS = ("landscape", "portrait")
BOARD_LANGUAGES = ("zh", "en")
WAITING_BY = ("category", "pool")


@dataclass(frozen=True)
class BoardSettings:
    notice: str = ""                    # the scrolling notice line; "" = none
    latest_calls: int = 3               # calls shown large (one per window at most)
    recent_calls: int = 8               # earlier calls in the list beside them
    flash_seconds: float = 8.0          # a new call flashes this long
    orientation: str = "landscape"      # landscape (1920 x 1080) or portrait (1080 x 1920)
    language: str = "zh"
    speak_in_browser: bool = False      # the web board says each call (speechSynthesis)
    waiting_by: str = "category"        # waiting counts per category or per pool
    waiting_shown: tuple[str, ...] = () # the categories (or pools) shown; () = all


_CONVERT = {"notice": optional_text, "latest_calls": positive_int,
            "recent_calls": positive_int, "flash_seconds": positive_number,
            "orientation": choice(BOARD_ORIENTATIONS, "orientation"),
            "language": choice(BOARD_LANGUAGES, "language"), "speak_in_browser": boolean,
            "waiting_by": choice(WAITING_BY, "grouping"), "waiting_shown": text_list(code)}
BOARD_SCHEMA: dict[str, Key] = {f.name: Key(_CONVERT[f.name], f.default)
                                for f in fields(BoardSettings)}


def check_board(report: Report, data: dict) -> None:
    """`waiting_shown` names categories (or pools, by `waiting_by`) of the hall."""
    board = data.get("board") or {}
    by = board.get("waiting_by", "category")
    section = "categories" if by == "category" else "pools"
    known = {item.get("code") for item in data.get(section, [])}
    for i, shown in enumerate(board.get("waiting_shown", ())):
        if shown not in known:
            report.add(("board", "waiting_shown", i),
                       f"{shown!r} is not one of the hall's {section} (waiting_by = {by!r})")


def build_board(values: dict[str, Any]) -> BoardSettings:
    return BoardSettings(**values)
