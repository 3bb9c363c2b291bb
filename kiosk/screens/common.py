"""What most screens share: a titled page, and a paged list of big choices (paged,
never scrolled: a swipe is the hardest gesture for a first-time user)."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from kiosk.app import Kiosk, Screen
from kiosk.widgets import GREY, INK, BigButton, Text, button_grid, spacer


def page(kiosk: Kiosk, title: str, hint: str = "") -> BoxLayout:
    """A screen's body: its title, an optional hint, then what the screen adds."""
    style = kiosk.style
    box = BoxLayout(orientation="vertical", spacing=style.mm(3),
                    padding=(style.mm(6), style.mm(4)))
    box.add_widget(Text(title, style, role="title", color=INK))
    if hint:
        box.add_widget(Text(hint, style, role="body", color=INK))
    return box


class ListScreen(Screen):
    """A title and a page of choices: `items()` gives (label, action) pairs."""

    title = ""
    hint = ""

    def __init__(self) -> None:
        self.page_number = 0

    def items(self, kiosk: Kiosk) -> list[tuple[str, object]]:
        raise NotImplementedError

    def top(self, kiosk: Kiosk, box: BoxLayout) -> None:
        """Widgets above the list (a search button, a notice)."""

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr(self.title), kiosk.tr(self.hint) if self.hint else "")
        self.top(kiosk, box)
        items = self.items(kiosk)
        size = style.page_size
        pages = max(1, (len(items) + size - 1) // size)
        self.page_number = min(self.page_number, pages - 1)
        shown = items[self.page_number * size:(self.page_number + 1) * size]
        buttons = [BigButton(label, style, on_press=action) for label, action in shown]
        box.add_widget(button_grid(buttons, style.columns, style))
        box.add_widget(spacer())
        if pages > 1:
            box.add_widget(self._pager(kiosk, pages))
        return box

    def _pager(self, kiosk: Kiosk, pages: int) -> BoxLayout:
        style = kiosk.style
        row = BoxLayout(size_hint_y=None, height=style.button_height, spacing=style.mm(4))

        def turn(step: int) -> None:
            self.page_number = (self.page_number + step) % pages
            kiosk.redraw()
        row.add_widget(BigButton(kiosk.tr("Previous page"), style, color=GREY,
                                 on_press=lambda: turn(-1), size_hint_y=1))
        row.add_widget(Text(kiosk.tr("Page {page} of {pages}", page=self.page_number + 1,
                                     pages=pages), style, halign="center"))
        row.add_widget(BigButton(kiosk.tr("Next page"), style, color=GREY,
                                 on_press=lambda: turn(1), size_hint_y=1))
        return row


def subject_name(kiosk: Kiosk, subject) -> str:
    return subject.name_en if kiosk.language == "en" and subject.name_en else subject.name


def with_key(function, key: str, *args, **kwargs):
    """Call a client method with the touch's idempotency key: a retry of the same touch
    is answered with the first answer, never carried out twice."""
    return function(*args, idempotency_key=key, **kwargs)


def print_in_background(kiosk: Kiosk, send, done) -> None:
    """Print off the touch's thread: `send()` prints (and returns the bytes sent); back on
    Kivy's thread the printer's health goes to the server (a fault once, then its
    recovery) and `done(True, bytes)` or `done(False, fault_code)` follows."""
    def work() -> None:
        try:
            outcome = (True, send(), "")
        except Exception as fault:               # PrinterFault, or a broken cable or driver
            outcome = (False, getattr(fault, "code", "offline"), str(fault) or repr(fault))
        Clock.schedule_once(lambda _dt: settle(*outcome))

    def settle(ok: bool, value, detail: str) -> None:
        if ok:
            kiosk.device_ok(kiosk.config.printer)
        else:
            kiosk.report_fault(kiosk.config.printer, value, detail)
        done(ok, value)
    kiosk.devices.submit(work)
