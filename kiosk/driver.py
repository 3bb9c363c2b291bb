"""Driving a kiosk the way a finger does, without a person: for the tests, the
screenshots of docs/kiosk.md and the benchmark.

    prepare_headless(tmp)            # before Kivy is imported: offscreen, quiet
    driver = KioskDriver(kiosk)      # the kiosk on Kivy's window
    driver.touch(driver.button("取号"))
    driver.wait_until(lambda: driver.find_text("A001"))
    driver.screenshot("docs/images/kiosk-home.png")

Touches go through Kivy's event loop (a real touch down and up at the widget's
centre), so a button hidden, covered or disabled does not answer. What every app's
driver does (frames, waits, the screen's texts, screenshots) is kivy_apps.driving's.
"""
from __future__ import annotations

import os

from kivy_apps.driving import AppDriver
from kivy_apps.driving import window as shared_window
from kivy_apps.headless import prepare_headless as headless


def prepare_headless(kivy_home: str | os.PathLike, width: int = 1920,
                     height: int = 1920) -> None:
    """Kivy offscreen with its settings in `kivy_home`, before Kivy is imported
    (kivy_apps.headless). The surface starts square, big enough for every app's
    screen in one test run (it never grows once made); `window()` sizes it."""
    headless(kivy_home, width, height, single_touch_mouse=True)


def window(width: int = 1080, height: int = 1920):
    """Kivy's window, created on first use, sized like the kiosk's screen."""
    return shared_window(width, height)


class KioskDriver(AppDriver):
    def __init__(self, kiosk, win=None) -> None:
        self.kiosk = kiosk
        self.window = win or window()
        self.window.clear_color = (0.97, 0.97, 0.95, 1)
        kiosk.attach(self.window)
        self.pump()

    def close(self) -> None:
        self.kiosk.detach(self.window)

    def root_widget(self):
        return self.kiosk.root

    def on_screen(self) -> str:
        return f"{self.kiosk.screen.name}: {self.texts()[:30]}"

    # --- what is on screen ------------------------------------------------------------
    def buttons(self) -> list:
        return [w for w in self.widgets() if getattr(w, "is_touch_target", False)]

    def button(self, part: str):
        """The button whose text contains `part` (the first of several)."""
        found = [b for b in self.buttons() if part in b.text]
        if not found:
            raise AssertionError(f"no button {part!r} on {self.kiosk.screen.name}: "
                                 f"{[b.text for b in self.buttons()]}")
        return found[0]

    # --- fingers and keys ---------------------------------------------------------------
    def touch(self, widget_or_text, frames: int = 2) -> None:
        self.pump(2)                       # laid out where the finger sees it
        widget = self.button(widget_or_text) if isinstance(widget_or_text, str) \
            else widget_or_text
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y, frames)

    def type_keys(self, keys: str) -> None:
        """Touch the on-screen keys one by one."""
        for key in keys:
            self.touch(next(b for b in self.buttons()
                            if getattr(b, "key", b.text) == key))

    def scan(self, text: str) -> None:
        """What a barcode scanner does: the text, then Enter."""
        self.window.dispatch("on_textinput", text)
        self.window.dispatch("on_keyboard", 13, 40, None, [])
        self.pump()

    def press_key(self, key: int) -> bool:
        """A key such as Esc (27); True if the kiosk swallowed it."""
        return bool(self.window.dispatch("on_keyboard", key, 0, None, []))

