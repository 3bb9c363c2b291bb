"""Kivy without a screen: SDL's offscreen driver (EGL on Mesa), for the tests, the
screenshots in docs/ and the benchmarks."""
from __future__ import annotations

import os


def prepare_headless(kivy_home: str | os.PathLike, width: int, height: int,
                     single_touch_mouse: bool = True) -> None:
    """Kivy offscreen, without its argument parser or console log, with its settings in
    `kivy_home`; call before importing kivy. The offscreen surface keeps the size it is
    made with (a window made smaller draws right, one made larger is cut off).
    `single_touch_mouse`: a mouse click is one touch (no red multitouch dots)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_WINDOW", "sdl2")
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["KIVY_HOME"] = str(kivy_home)
    from kivy.config import Config
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("kivy", "exit_on_escape", "0")
    if single_touch_mouse:
        Config.set("input", "mouse", "mouse,disable_multitouch")
