"""Running the board without a screen: for the tests, the screenshots of
docs/display.md and the benchmark.

    prepare_headless(tmp, 1920, 1080)      # before Kivy is imported: offscreen, quiet
    driver = BoardDriver(board)            # the board on Kivy's window
    driver.wait_until(lambda: driver.find_text("A001"))
    driver.screenshot("docs/images/board-landscape.png")
"""
from __future__ import annotations

import os
import time

from kivy_apps.driving import AppDriver
from kivy_apps.driving import window as shared_window
from kivy_apps.headless import prepare_headless as headless


def prepare_headless(kivy_home: str | os.PathLike, width: int = 1920,
                     height: int = 1920) -> None:
    """Kivy offscreen with its settings in `kivy_home`, before Kivy is imported
    (kivy_apps.headless)."""
    headless(kivy_home, width, height, single_touch_mouse=False)


def window(width: int = 1920, height: int = 1080):
    """Kivy's window, created on first use, sized like the board's screen."""
    return shared_window(width, height)


class BoardDriver(AppDriver):
    """A `display.app.HallBoard` on Kivy's window, pumped frame by frame."""

    def __init__(self, board, win=None) -> None:
        self.board = board
        width, height = ((1080, 1920) if board.orientation == "portrait" else (1920, 1080))
        self.window = win or window(width, height)
        if tuple(self.window.size) != (width, height):
            self.window.size = (width, height)
        self.window.add_widget(board.root)
        self.pump()

    def close(self) -> None:
        self.board.stop()
        self.window.remove_widget(self.board.root)

    def root_widget(self):
        return self.board.root

    def frame(self) -> None:
        """Exactly one frame: the clock's callbacks (the stream's hand-overs), then drawing."""
        self.pump(1)

    def wait_for_hand_over(self, count: int, timeout: float = 10.0) -> None:
        """Wait (without drawing) until the stream thread has handed `count` items over."""
        deadline = time.monotonic() + timeout
        while self.board.handed_over < count and time.monotonic() < deadline:
            time.sleep(0.005)
        if self.board.handed_over < count:
            raise AssertionError(f"the stream handed over {self.board.handed_over} items, "
                                 f"not {count}")

    def call_rows(self) -> list:
        return list(self.board.root.rows)
