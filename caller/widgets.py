"""The caller's building blocks: colours, filled boxes, labels and buttons that show
their keyboard shortcut (the CJK font and the background worker: kivy_apps).

The caller runs on the clerk's own PC (a mouse and a keyboard, read from arm's
length): sizes are in pixels of a 1920 x 1080 desktop, text at least 18 px.
"""
from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label

PAPER = (0.96, 0.97, 0.98, 1)      # background
CARD = (1, 1, 1, 1)                # the ticket's card, the waiting list
INK = (0.10, 0.12, 0.16, 1)
DIM = (0.40, 0.44, 0.50, 1)
BAR = (0.09, 0.20, 0.38, 1)        # the header and the compact bar
WHITE = (1, 1, 1, 1)
BLUE = (0.05, 0.36, 0.70, 1)       # call
GREEN = (0.05, 0.50, 0.28, 1)      # start, finish, confirm
ORANGE = (0.80, 0.45, 0.05, 1)     # recall, pause
RED = (0.72, 0.12, 0.12, 1)        # no-show, problems
GREY = (0.42, 0.46, 0.52, 1)       # secondary
NUMBER = (0.85, 0.30, 0.05, 1)     # the ticket number on the card


def fill(widget, color) -> None:
    with widget.canvas.before:
        Color(*color)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda _w, v: setattr(rect, "pos", v),
                size=lambda _w, v: setattr(rect, "size", v))


class Box(BoxLayout):
    """A box, with a background colour if given."""

    def __init__(self, color=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if color is not None:
            fill(self, color)


class Text(Label):
    """A label that wraps within its width; `fit=True` takes the height it needs."""

    def __init__(self, text: str = "", size: float = 20, color=INK, halign: str = "left",
                 fit: bool = False, **kwargs) -> None:
        if fit:
            kwargs.setdefault("size_hint_y", None)
        super().__init__(text=text, font_size=size, color=color, halign=halign,
                         valign="middle", **kwargs)
        self.bind(size=self._wrap)
        if fit:
            self.bind(texture_size=lambda _w, s: setattr(self, "height", s[1] + 6))
        self._wrap(self, self.size)

    def _wrap(self, _widget, size) -> None:
        self.text_size = (max(size[0], 1), None)


class KeyButton(Button):
    """A button that shows its shortcut ("呼叫下一位  F1") and calls `on_press()`."""

    is_action_button = True

    def __init__(self, label: str, key: str = "", on_press=None, color=BLUE,
                 size: float = 20, action: str = "", **kwargs) -> None:
        text = f"{label}\n[size={int(size * 0.7)}]{key}[/size]" if key else label
        super().__init__(text=text, markup=True, font_size=size, halign="center",
                         valign="middle", background_normal="", background_disabled_normal="",
                         background_color=color, color=WHITE,
                         disabled_color=(1, 1, 1, 0.55), **kwargs)
        self.label, self.key, self.action = label, key, action
        self.bind(size=lambda _w, s: setattr(self, "text_size", (max(s[0] - 8, 1), None)))
        if on_press is not None:
            self.bind(on_release=lambda *_: on_press())

    def on_disabled(self, _widget, disabled) -> None:
        self.opacity = 0.45 if disabled else 1


