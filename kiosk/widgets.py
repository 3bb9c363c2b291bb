"""The kiosk's building blocks: the CJK font, sizes in millimetres, big buttons,
wrapping text, keypads and the QR code as a texture.

Every size is in millimetres of the real screen (`Style.mm`, from the configured
`screen_dpi`), so a touch target is at least `min_target_mm` wide and high whatever
the resolution; large print (大字版) scales text and buttons up.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from core.kiosk_flow import target_pixels

INK = (0.10, 0.12, 0.16, 1)            # text
PAPER = (0.97, 0.97, 0.95, 1)          # background
BLUE = (0.05, 0.33, 0.65, 1)           # main buttons
GREY = (0.35, 0.38, 0.42, 1)           # back, home, secondary
RED = (0.70, 0.10, 0.10, 1)            # faults
GREEN = (0.05, 0.45, 0.25, 1)          # confirm


@dataclass(frozen=True)
class Style:
    """Sizes for one mode (normal or large print) on one screen."""

    dpi: float
    min_target_mm: float
    large: bool

    def mm(self, millimetres: float) -> float:
        return target_pixels(millimetres, self.dpi)

    @property
    def scale(self) -> float:
        return 1.45 if self.large else 1.0

    def font(self, role: str = "body") -> float:
        """Text sizes in millimetres of cap height, roughly: body 7 mm, title 9 mm."""
        size = {"small": 5.0, "body": 6.5, "button": 7.0, "title": 9.0, "big": 12.0,
                "number": 38.0}[role]
        if role == "number":
            return self.mm(size)
        return self.mm(size * self.scale)

    @property
    def button_height(self) -> float:
        return max(self.mm(self.min_target_mm), self.mm(24 * self.scale))

    @property
    def key_size(self) -> float:
        return max(self.mm(self.min_target_mm), self.mm(17 * self.scale))

    @property
    def page_size(self) -> int:
        """How many choices a list shows at once (paged, never scrolled)."""
        return 4 if self.large else 8

    @property
    def columns(self) -> int:
        return 1 if self.large else 2


def _fill(widget: Widget, color) -> None:
    with widget.canvas.before:
        Color(*color)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda w, v: setattr(rect, "pos", v),
                size=lambda w, v: setattr(rect, "size", v))


class Panel(BoxLayout):
    """A vertical box with a background colour."""

    def __init__(self, color=PAPER, **kwargs) -> None:
        kwargs.setdefault("orientation", "vertical")
        super().__init__(**kwargs)
        _fill(self, color)


class Text(Label):
    """Wrapping text that takes the height it needs."""

    def __init__(self, text: str = "", style: Style | None = None, role: str = "body",
                 color=INK, halign: str = "left", **kwargs) -> None:
        size = style.font(role) if style else 28
        super().__init__(text=text, font_size=size, color=color, halign=halign,
                         valign="middle", size_hint_y=None, **kwargs)
        self.bind(width=self._wrap, texture_size=self._fit, text=self._empty)
        self._wrap(self, self.width)
        self._empty(self, text)

    def _empty(self, _widget, text) -> None:
        if not text:
            self.height = 0

    def _wrap(self, _widget, width) -> None:
        self.text_size = (max(width, 1), None)

    def _fit(self, _widget, size) -> None:
        self.height = size[1] + 8


class BigButton(Button):
    """A touch target: at least `min_target_mm` each way, text wrapped inside."""

    is_touch_target = True

    def __init__(self, text: str, style: Style, on_press=None, color=BLUE,
                 role: str = "button", height: float | None = None, **kwargs) -> None:
        kwargs.setdefault("size_hint_y", None)
        super().__init__(text=text, font_size=style.font(role), halign="center",
                         valign="middle", background_normal="", background_color=color,
                         color=(1, 1, 1, 1), height=height or style.button_height,
                         **kwargs)
        self.min_width = style.mm(style.min_target_mm)
        self.bind(size=self._wrap)
        if on_press is not None:
            self.bind(on_release=lambda *_: on_press())

    def _wrap(self, _widget, size) -> None:
        self.text_size = (max(size[0] - 24, 1), max(size[1] - 12, 1))


def button_grid(buttons: list[Button], columns: int, style: Style) -> GridLayout:
    grid = GridLayout(cols=columns, spacing=style.mm(4), size_hint_y=None)
    grid.bind(minimum_height=grid.setter("height"))
    for button in buttons:
        grid.add_widget(button)
    return grid


class Keypad(GridLayout):
    """Keys that type into `on_key(text)`: digits, letters, or both; the key "⌫"
    deletes (labelled `delete_label`: the CJK font has no ⌫ glyph)."""

    DIGITS = "123456789"

    def __init__(self, keys: list[str], style: Style, on_key, columns: int = 3,
                 delete_label: str = "删除", **kwargs) -> None:
        super().__init__(cols=columns, spacing=style.mm(2.5), size_hint_y=None, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        for key in keys:
            label = delete_label if key == "⌫" else key
            button = BigButton(label, style, on_press=lambda k=key: on_key(k),
                               color=GREY if key == "⌫" else BLUE,
                               role="big" if len(label) == 1 else "button",
                               height=style.key_size)
            button.key = key
            self.add_widget(button)


def qr_texture(data: str, box_size: int = 10) -> Texture:
    """The QR code of `data` as a texture drawn pixel for pixel (no blur)."""
    import qrcode
    code = qrcode.QRCode(border=2, box_size=box_size,
                         error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    picture = code.make_image(fill_color="black", back_color="white").get_image()
    picture = picture.convert("RGB")
    texture = Texture.create(size=picture.size, colorfmt="rgb")
    texture.blit_buffer(picture.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()
    texture.mag_filter = texture.min_filter = "nearest"
    return texture


def qr_image(data: str, side: float) -> Image:
    image = Image(texture=qr_texture(data), size_hint=(None, None), size=(side, side),
                  fit_mode="contain")
    image.qr_data = data
    return image


def qr_png(data: str) -> bytes:
    """The QR code as PNG bytes (for tests and the docs)."""
    import qrcode
    buffer = io.BytesIO()
    qrcode.make(data).save(buffer, format="PNG")
    return buffer.getvalue()


def spacer(height: float = 0) -> Widget:
    return Widget(size_hint_y=None if height else 1, height=height)
