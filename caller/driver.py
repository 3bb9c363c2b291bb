"""Driving the caller without a person: for the tests, the screenshots of docs/caller.md
and benchmarks.

    prepare_headless(tmp)               # before Kivy is imported: offscreen, 1920 x 1920
    driver = CallerDriver(caller)       # the caller on Kivy's window, sized as it asks
    driver.log_in("clerk01", "demo1234")
    driver.click("call_next")           # a real click at the button's centre
    driver.key("F2")                    # or its shortcut
    driver.screenshot("docs/images/caller-full.png")

The offscreen surface keeps the size it is made with (a window made smaller draws
right, one made larger is cut off): it starts square and big enough for every view.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from caller.state import F_KEYS, KEY_ENTER, KEY_ESCAPE, KEY_TAB
from kivy_apps.headless import prepare_headless as headless


def prepare_headless(kivy_home: str | os.PathLike, width: int = 1920,
                     height: int = 1920) -> None:
    """Kivy offscreen with its settings in `kivy_home`, before Kivy is imported
    (kivy_apps.headless)."""
    headless(kivy_home, width, height, single_touch_mouse=True)


def window():
    from kivy.base import EventLoop
    EventLoop.ensure_window()
    from caller.widgets import register_cjk_font
    register_cjk_font()
    return EventLoop.window


KEYS = dict(F_KEYS, Tab=KEY_TAB, Enter=KEY_ENTER, Esc=KEY_ESCAPE)


class CallerDriver:
    def __init__(self, caller, win=None) -> None:
        self.caller = caller
        self.window = win or window()
        caller.on_resize = self.resize
        self.resize(caller.root.wanted_size())
        caller.attach(self.window)

    def close(self) -> None:
        self.caller.detach(self.window)

    def resize(self, size) -> None:
        if tuple(self.window.size) != tuple(size):
            self.window.size = size

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
                             f"{self.texts()[:40]}; message: {self.caller.message!r}")

    def settle(self, timeout: float = 15.0) -> None:
        """Until the action on its way is answered."""
        self.wait_until(lambda: self.caller.asking is None, timeout, "the server's answer")
        self.pump(3)

    # --- what is on screen ------------------------------------------------------------
    def widgets(self):
        return list(self.caller.root.walk(restrict=True))

    def texts(self) -> list[str]:
        return [w.text for w in self.widgets()
                if isinstance(getattr(w, "text", None), str) and w.text]

    def find_text(self, part: str) -> str | None:
        return next((t for t in self.texts() if part in t), None)

    def button(self, action: str):
        found = [w for w in self.widgets() if getattr(w, "action", None) == action]
        if not found:
            raise AssertionError(f"no button {action!r} on screen: "
                                 f"{[getattr(w, 'action', '') for w in self.widgets()]}")
        return found[0]

    def has_button(self, action: str) -> bool:
        return any(getattr(w, "action", None) == action for w in self.widgets())

    # --- mouse and keys ----------------------------------------------------------------
    def click(self, action: str, frames: int = 2) -> None:
        """A click at the centre of the button for `action` (a disabled or covered
        button does not answer)."""
        self.pump(2)
        widget = self.button(action)
        x, y = widget.to_window(*widget.center)
        self.click_at(x, y, frames)

    def click_at(self, x: float, y: float, frames: int = 2) -> None:
        from kivy.base import EventLoop
        touch = _touch_class()(x, y)
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)
        self.pump(frames)

    def key(self, name: str) -> bool:
        """A key by name: F1..F12, Tab, Enter, Esc; True if the caller took it."""
        taken = bool(self.window.dispatch("on_keyboard", KEYS[name], 0, None, []))
        self.pump(2)
        return taken

    def type_into(self, field, text: str) -> None:
        field.text = text
        self.pump(1)

    def log_in(self, user: str, password: str) -> None:
        root = self.caller.root
        self.type_into(root.user_field, user)
        self.type_into(root.password_field, password)
        self.click("log_in")
        self.settle()

    def screenshot(self, path: str | os.PathLike) -> Path:
        """The window as a PNG at exactly `path` (Kivy adds a counter; we move it)."""
        self.pump(4)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        made = self.window.screenshot(name=str(path.with_suffix("")) + "-.png")
        shutil.move(made, path)
        return path


_TOUCH = None


def _touch_class():
    global _TOUCH
    if _TOUCH is not None:
        return _TOUCH
    from kivy.input.motionevent import MotionEvent

    class MouseClick(MotionEvent):
        def __init__(self, x: float, y: float) -> None:
            from kivy.base import EventLoop
            win = EventLoop.window
            super().__init__("MouseClick", 98, {"x": x / (win.width - 1.0),
                                                "y": y / (win.height - 1.0)},
                             is_touch=True, type_id="touch")
            self.profile = ["pos"]

        def depack(self, args) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)
    _TOUCH = MouseClick
    return _TOUCH
