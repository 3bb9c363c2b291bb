"""Running the board without a screen: for the tests, the screenshots of
docs/display.md and the benchmark.

    prepare_headless(tmp, 1920, 1080)      # before Kivy is imported: offscreen, quiet
    driver = BoardDriver(board)            # the board on Kivy's window
    driver.wait_until(lambda: driver.find_text("A001"))
    driver.screenshot("docs/images/board-landscape.png")
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from kivy_apps.headless import prepare_headless as headless


def prepare_headless(kivy_home: str | os.PathLike, width: int = 1920,
                     height: int = 1920) -> None:
    """Kivy offscreen with its settings in `kivy_home`, before Kivy is imported
    (kivy_apps.headless)."""
    headless(kivy_home, width, height, single_touch_mouse=False)


def window(width: int = 1920, height: int = 1080):
    """Kivy's window, created on first use, sized like the board's screen."""
    from kivy.base import EventLoop
    EventLoop.ensure_window()
    win = EventLoop.window
    if tuple(win.size) != (width, height):
        win.size = (width, height)
    from display.widgets import register_cjk_font
    register_cjk_font()
    return win


class BoardDriver:
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

    # --- the event loop ----------------------------------------------------------------
    def pump(self, frames: int = 3) -> None:
        from kivy.base import EventLoop
        for _ in range(frames):
            EventLoop.idle()

    def frame(self) -> None:
        """Exactly one frame: the clock's callbacks (the stream's hand-overs), then drawing."""
        self.pump(1)

    def wait_until(self, condition, timeout: float = 15.0, what: str = "") -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(1)
            found = condition()
            if found:
                return found
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting for {what or condition}; on screen: "
                             f"{self.texts()[:30]}")

    def wait_for_hand_over(self, count: int, timeout: float = 10.0) -> None:
        """Wait (without drawing) until the stream thread has handed `count` items over."""
        deadline = time.monotonic() + timeout
        while self.board.handed_over < count and time.monotonic() < deadline:
            time.sleep(0.005)
        if self.board.handed_over < count:
            raise AssertionError(f"the stream handed over {self.board.handed_over} items, "
                                 f"not {count}")

    # --- what is on screen ------------------------------------------------------------
    def widgets(self):
        return list(self.board.root.walk(restrict=True))

    def texts(self) -> list[str]:
        return [w.text for w in self.widgets() if isinstance(getattr(w, "text", None), str)
                and w.text]

    def find_text(self, part: str) -> str | None:
        return next((t for t in self.texts() if part in t), None)

    def call_rows(self) -> list:
        return list(self.board.root.rows)

    def screenshot(self, path: str | os.PathLike) -> Path:
        """The window as a PNG at exactly `path` (Kivy adds a counter; we move it)."""
        self.pump(3)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        made = self.window.screenshot(name=str(path.with_suffix("")) + "-.png")
        shutil.move(made, path)
        return path
