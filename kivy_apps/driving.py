"""Driving a Kivy app without a person, frame by frame: what the kiosk's, the caller's and
the board's drivers share (the tests, the screenshots in docs/ and the benchmarks).

    win = window(1080, 1920)              # Kivy's window, made on first use, CJK font on
    driver.wait_until(lambda: driver.find_text("A001"), what="the call")
    driver.tap_at(x, y)                   # a finger (or a mouse click) at a point
    driver.screenshot("docs/images/x.png")
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from kivy_apps.fonts import register_cjk_font


def window(width: int | None = None, height: int | None = None):
    """Kivy's window, created on first use, sized `width` x `height` when given, with the
    CJK font as every label's."""
    from kivy.base import EventLoop
    EventLoop.ensure_window()
    win = EventLoop.window
    if width and height and tuple(win.size) != (width, height):
        win.size = (width, height)
    register_cjk_font()
    return win


_TOUCH = None


def touch_class():
    """A touch at a point of the window, as a finger or a mouse click makes it."""
    global _TOUCH
    if _TOUCH is not None:
        return _TOUCH
    from kivy.input.motionevent import MotionEvent

    class Tap(MotionEvent):
        def __init__(self, x: float, y: float) -> None:
            from kivy.base import EventLoop
            win = EventLoop.window
            super().__init__("Tap", 99, {"x": x / (win.width - 1.0),
                                         "y": y / (win.height - 1.0)},
                             is_touch=True, type_id="touch")
            self.profile = ["pos"]

        def depack(self, args) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)
    _TOUCH = Tap
    return _TOUCH


class AppDriver:
    """Pumping frames, waiting, reading the screen, tapping and saving screenshots. A
    subclass sets `self.window` and says what its app's root widget is (`root_widget`)
    and what to tell when a wait times out (`on_screen`)."""

    window = None
    screenshot_frames = 3

    def root_widget(self):
        raise NotImplementedError

    def on_screen(self) -> str:
        return str(self.texts()[:30])

    # --- the event loop ----------------------------------------------------------------
    def pump(self, frames: int = 3) -> None:
        from kivy.base import EventLoop
        for _ in range(frames):
            EventLoop.idle()

    def wait_until(self, condition, timeout: float = 15.0, what: str = "") -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(1)
            found = condition()
            if found:
                return found
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting for {what or condition}; on screen: "
                             f"{self.on_screen()}")

    # --- what is on screen ------------------------------------------------------------
    def widgets(self):
        return list(self.root_widget().walk(restrict=True))

    def texts(self) -> list[str]:
        return [w.text for w in self.widgets()
                if isinstance(getattr(w, "text", None), str) and w.text]

    def find_text(self, part: str) -> str | None:
        return next((t for t in self.texts() if part in t), None)

    # --- touches ------------------------------------------------------------------------
    def tap_at(self, x: float, y: float, frames: int = 2) -> None:
        from kivy.base import EventLoop
        touch = touch_class()(x, y)
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)
        self.pump(frames)

    def screenshot(self, path: str | os.PathLike) -> Path:
        """The window as a PNG at exactly `path` (Kivy adds a counter; we move it)."""
        self.pump(self.screenshot_frames)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        made = self.window.screenshot(name=str(path.with_suffix("")) + "-.png")
        shutil.move(made, path)
        return path
