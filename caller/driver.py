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

from caller.state import F_KEYS, KEY_ENTER, KEY_ESCAPE, KEY_TAB
from kivy_apps.driving import AppDriver
from kivy_apps.driving import window as shared_window
from kivy_apps.headless import prepare_headless as headless


def prepare_headless(kivy_home: str | os.PathLike, width: int = 1920,
                     height: int = 1920) -> None:
    """Kivy offscreen with its settings in `kivy_home`, before Kivy is imported
    (kivy_apps.headless)."""
    headless(kivy_home, width, height, single_touch_mouse=True)


def window():
    return shared_window()


KEYS = dict(F_KEYS, Tab=KEY_TAB, Enter=KEY_ENTER, Esc=KEY_ESCAPE)


class CallerDriver(AppDriver):
    screenshot_frames = 4

    def __init__(self, caller, win=None) -> None:
        self.caller = caller
        self.window = win or window()
        caller.on_resize = self.resize
        self.resize(caller.root.wanted_size())
        caller.attach(self.window)

    def close(self) -> None:
        self.caller.detach(self.window)

    def root_widget(self):
        return self.caller.root

    def on_screen(self) -> str:
        return f"{self.texts()[:40]}; message: {self.caller.message!r}"

    def resize(self, size) -> None:
        if tuple(self.window.size) != tuple(size):
            self.window.size = size

    def settle(self, timeout: float = 15.0) -> None:
        """Until the action on its way is answered."""
        self.wait_until(lambda: self.caller.asking is None, timeout, "the server's answer")
        self.pump(3)

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
        self.tap_at(x, y, frames)

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
