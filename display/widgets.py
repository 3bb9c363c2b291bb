"""The board's building blocks: the CJK font, its colours, the size rule for call
numbers, filled boxes and labels that shrink to fit.

The size rule (docs/display.md): a call's digits are at least one sixth of the
screen's shorter side high, in ink (180 px on a 1920 x 1080 screen, either way up).
On a 55-inch screen that is 11 cm, what signage practice asks for 15 metres (about
1 cm of letter height per 1.2 m of distance). The CJK font's digits are 0.735 em
high (0.73 is used: a pixel to spare), so the font size is the digit height divided
by that.
"""
from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

DIGIT_HEIGHT_EM = 0.73           # wqy-microhei: the ink of 0-9 over the font size (0.735)
CALL_DIGITS_SHARE = 1 / 6        # of the screen's shorter side

NIGHT = (0.03, 0.06, 0.14, 1)    # the board's background
ROW = (0.07, 0.12, 0.26, 1)      # a call's row
FLASH = (0.78, 0.10, 0.08, 1)    # a new call's row, flashing
NUMBER = (1.0, 0.86, 0.20, 1)    # ticket numbers
WINDOW = (0.55, 1.0, 0.62, 1)    # window names
WHITE = (0.95, 0.96, 0.98, 1)
DIM = (0.62, 0.68, 0.78, 1)      # headings, small print
PAUSED = (1.0, 0.45, 0.40, 1)
BAR = (0.05, 0.20, 0.45, 1)      # header and footer


def call_font_size(width: float, height: float) -> float:
    """The font size of a call's number on a screen of this size (the rule above)."""
    return min(width, height) * CALL_DIGITS_SHARE / DIGIT_HEIGHT_EM


class Box(BoxLayout):
    """A box with a background colour that can change (`fill`)."""

    def __init__(self, color=NIGHT, **kwargs) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            self._color = Color(*color)
            self._rect = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._place, size=self._place)

    def _place(self, *_args) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def fill(self, color) -> None:
        self._color.rgba = color


class FitLabel(Label):
    """One line of text at `font_size` at most, smaller when it would not fit its width."""

    def __init__(self, text: str = "", size: float = 40, color=WHITE, halign: str = "left",
                 **kwargs) -> None:
        super().__init__(text=text, font_size=size, color=color, halign=halign,
                         valign="middle", **kwargs)
        self.largest = size
        self.bind(width=self._fit, text=self._fit, size=self._align)

    def _align(self, *_args) -> None:
        self.text_size = self.size

    def set_largest(self, size: float) -> None:
        self.largest = size
        self._fit()

    def _fit(self, *_args) -> None:
        if not self.text or self.width <= 1:
            return
        from kivy.core.text import Label as CoreLabel
        size = self.largest
        while size > 12:
            measured = CoreLabel(text=self.text, font_size=size, font_name=self.font_name)
            measured.refresh()
            if measured.texture.width <= self.width:
                break
            size *= 0.92
        self.font_size = size
