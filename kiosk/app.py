"""The kiosk: one controller (`Kiosk`) that holds the screens, the language, large
print, the idle watch, the manager's exit and the background calls to the server,
printer and card reader; and `KioskApp`, the full-screen Kivy app around it.

Tests build a `Kiosk` and put `kiosk.root` on the offscreen window (never
`App.run()`); the app does the same on a real screen. Screens (kiosk/screens/) are
rebuilt from their state whenever the language or the print size changes.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from core.kiosk_flow import Attempt, CornerTaps, IdleWatch, manager_code_matches
from core.messages import translator
from core.search import SubjectSearch
from kiosk.widgets import GREY, INK, PAPER, RED, BigButton, Panel, Style, Text
from kivy_apps.worker import Worker
from server.client import ApiError
from server.client_retry import until_answered

log = logging.getLogger("yichuang.kiosk")


class Screen:
    """One screen; `build(kiosk)` makes its widgets from its state."""

    name = "screen"
    is_home = False

    def build(self, kiosk: Kiosk):
        raise NotImplementedError

    def on_scan(self, kiosk: Kiosk, text: str) -> bool:
        """A scanner typed `text` and Enter; True if this screen took it."""
        return False

    def on_leave(self, kiosk: Kiosk) -> None:
        """The citizen left this screen (stop polling a reader, etc.)."""


class Kiosk:
    """The kiosk's state and its screens, around `root` (a Kivy widget)."""

    retry_seconds = 3.0

    def __init__(self, settings, client, printer=None, reader=None, *,
                 now=time.monotonic, on_exit=None, clock=None, device_name: str = "") -> None:
        self.settings, self.client = settings, client
        self.printer, self.reader = printer, reader
        self.config = settings.kiosk
        self.device_name = device_name or settings.kiosk.printer
        self.now, self.on_exit = now, on_exit or (lambda: None)
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: datetime.now(zone))
        self.language, self.large_print = self.config.languages[0], False
        pickup_categories = tuple({m.category for m in settings.matters
                                   if settings.pool(m.pool).kind.value == "pickup"})
        self.search = SubjectSearch.of_hall(settings, skip_categories=pickup_categories)
        self.pickup_categories = pickup_categories
        self.opening = None
        self.reported_faults: set[str] = set()
        self.stack: list[Screen] = []
        self.server = Worker("kiosk-server")
        self.devices = Worker("kiosk-printer")
        self.card_reader = Worker("kiosk-reader")
        self.idle = IdleWatch(self.config.idle_seconds, now())
        self.corner = CornerTaps()
        self._asking: Attempt | None = None
        self._stop_retry = threading.Event()
        self.root = Panel(color=PAPER)
        self.header = BoxLayout(size_hint_y=None)
        self.body = BoxLayout(orientation="vertical")
        self.banner = Text("", self.style, role="body", color=RED, halign="center")
        self.footer = BoxLayout(size_hint_y=None)
        for part in (self.header, self.body, self.banner, self.footer):
            self.root.add_widget(part)
        self.root.bind(on_touch_down=self._touched)
        from kiosk.screens.home import HomeScreen
        self.show(HomeScreen())
        self.refresh_opening()

    # --- language, print size, text ----------------------------------------------
    @property
    def style(self) -> Style:
        return Style(self.config.screen_dpi, self.config.min_target_mm, self.large_print)

    def tr(self, message: str, **values) -> str:
        return translator("kiosk", self.language)(message, **values)

    def set_language(self, language: str) -> None:
        self.language = language
        self.redraw()

    def set_large_print(self, large: bool) -> None:
        self.large_print = large
        self.idle.seconds = (self.config.large_print_idle_seconds if large
                             else self.config.idle_seconds)
        self.redraw()

    # --- screens --------------------------------------------------------------------
    @property
    def screen(self) -> Screen:
        return self.stack[-1]

    def show(self, screen: Screen) -> None:
        if self.stack:
            self.stack[-1].on_leave(self)
        self.stack.append(screen)
        self.redraw()

    def replace(self, screen: Screen) -> None:
        """Show `screen` instead of the current one (back skips the current one)."""
        if self.stack and not self.stack[-1].is_home:
            self.stack.pop().on_leave(self)
        self.show(screen)

    def back(self) -> None:
        self.abandon()
        if len(self.stack) > 1:
            self.stack.pop().on_leave(self)
        self.redraw()

    def home(self) -> None:
        self.abandon()
        while len(self.stack) > 1:
            self.stack.pop().on_leave(self)
        self.redraw()
        self.refresh_opening()

    def reset(self) -> None:
        """The next citizen's kiosk: home, in Chinese, normal print."""
        self.language = self.config.languages[0]
        self.large_print = False
        self.idle.seconds = self.config.idle_seconds
        self.home()

    def redraw(self) -> None:
        style = self.style
        self._draw_header(style)
        self.body.clear_widgets()
        self.body.add_widget(self.screen.build(self))
        self._draw_footer(style)
        self.banner.font_size = style.font("body")

    def _draw_header(self, style: Style) -> None:
        self.header.clear_widgets()
        self.header.height = style.button_height
        self.header.spacing = style.mm(3)
        self.header.padding = (style.mm(3), style.mm(2))
        name = self.settings.name if self.language == "zh" else self.settings.name_en
        title = Text(name, style, role="title", color=INK)
        title.size_hint_y = 1
        self.header.add_widget(title)
        size_label = self.tr("Normal print") if self.large_print else self.tr("Large print")
        self.header.add_widget(BigButton(size_label, style, size_hint_x=None, size_hint_y=1,
                                         width=style.mm(44 * min(style.scale, 1.35)),
                                         color=GREY,
                                         on_press=lambda: self.set_large_print(
                                             not self.large_print)))
        languages = [code for code in self.config.languages if code != self.language]
        if languages:
            other = languages[0]
            self.header.add_widget(BigButton("English" if other == "en" else "中文", style,
                                             size_hint_x=None, size_hint_y=1,
                                             width=style.mm(40),
                                             color=GREY,
                                             on_press=lambda: self.set_language(other)))

    def _draw_footer(self, style: Style) -> None:
        self.footer.clear_widgets()
        if self.screen.is_home:
            self.footer.height = 0
            return
        self.footer.height = style.button_height
        self.footer.spacing = style.mm(4)
        self.footer.padding = (style.mm(3), 0, style.mm(3), style.mm(2))
        self.footer.add_widget(BigButton(self.tr("Back"), style, on_press=self.back,
                                         color=GREY, size_hint_y=1))
        self.footer.add_widget(BigButton(self.tr("Home"), style, on_press=self.home,
                                         color=GREY, size_hint_y=1))

    # --- the server, in the background ----------------------------------------------
    def ask(self, attempt: Attempt, call, on_answer, on_refusal=None) -> None:
        """Run `call(idempotency_key)` in the background, again with the same key while
        the server cannot be reached; then `on_answer(result)` or `on_refusal(error)`
        (default: a notice in plain words) on the screen's thread."""
        self._asking = attempt
        self._stop_retry.clear()
        self.body.disabled = True
        self.banner.text = self.tr("One moment please…")

        def job() -> None:
            outcome = until_answered(
                call, attempt, lambda: self._asking is attempt,
                lambda: Clock.schedule_once(lambda _dt: self._unreachable(attempt)),
                lambda: self._stop_retry.wait(self.retry_seconds))
            if outcome is not None:
                attempt.answered = True
                Clock.schedule_once(lambda _dt: self._deliver(attempt, outcome, on_answer,
                                                              on_refusal))
        self.server.submit(job)

    def abandon(self) -> None:
        """Stop waiting for the server (the citizen went back or home)."""
        self._asking = None
        self._stop_retry.set()
        self.body.disabled = False
        self.banner.text = ""

    def _unreachable(self, attempt: Attempt) -> None:
        if self._asking is attempt:
            self.banner.text = self.tr("The hall's server cannot be reached. We keep "
                                       "trying; your number will not be issued twice.")

    def _deliver(self, attempt: Attempt, outcome, on_answer, on_refusal) -> None:
        if self._asking is not attempt:
            return                                   # the citizen left meanwhile
        self._asking = None
        self.body.disabled = False
        self.banner.text = ""
        kind, value = outcome
        if kind == "answer":
            on_answer(value)
        elif on_refusal is not None:
            on_refusal(value)
        else:
            self.refused(value)

    def refused(self, error: ApiError) -> None:
        from kiosk.screens.notice import NoticeScreen
        self.replace(NoticeScreen.of_refusal(self, error))

    def read_quietly(self, call, on_answer) -> None:
        """A read whose failure changes nothing on screen (opening hours)."""
        def job() -> None:
            try:
                result = call()
            except (ApiError, AttributeError, OSError):
                return
            Clock.schedule_once(lambda _dt: on_answer(result))
        self.server.submit(job)

    def refresh_opening(self) -> None:
        opening = getattr(self.client, "opening", None)
        if opening is None:
            return

        def answered(result) -> None:
            changed = result != self.opening
            self.opening = result
            if changed and self.screen.is_home:
                self.redraw()
        self.read_quietly(opening, answered)

    # --- devices -------------------------------------------------------------------
    def report_fault(self, device: str, code: str, detail: str = "") -> None:
        """Tell the server a device is down, once per fault until it works again."""
        if not device or code in self.reported_faults:
            return
        self.reported_faults.add(code)

        def job() -> None:
            try:
                self.client.report_device(device, "fault", code=code, detail=detail)
            except ApiError:
                self.reported_faults.discard(code)   # tell it next time
        self.server.submit(job)

    def device_ok(self, device: str) -> None:
        if self.reported_faults:
            self.reported_faults.clear()
            if device:
                self.server.submit(lambda: _quietly(self.client.report_device, device, "ok"))

    # --- touches, keys, idle, exit ---------------------------------------------------
    def _touched(self, _root, touch) -> bool:
        self.idle.touched(self.now())
        corner = self.style.mm(25)
        if touch.x < corner and touch.y > self.root.top - corner and self.corner.tap(self.now()):
            from kiosk.screens.manager import ManagerScreen
            self.show(ManagerScreen())
            return True
        return False

    def check_idle(self, *_args) -> None:
        if self.idle.expired(self.now()):
            self.idle.touched(self.now())
            if not self.screen.is_home or self.language != self.config.languages[0] \
                    or self.large_print:
                self.reset()

    def try_exit(self, code: str) -> bool:
        if manager_code_matches(code, self.config.manager_code_hash):
            self.on_exit()
            return True
        return False

    def attach(self, window) -> None:
        """Put the kiosk on `window`: keys swallowed, scanner read, idle watched."""
        window.add_widget(self.root)
        self.attach_input(window)

    def attach_input(self, window) -> None:
        """Keys swallowed, the scanner read and the idle time watched on `window`."""
        self._scanned = ""
        window.bind(on_keyboard=self._key, on_textinput=self._text,
                    on_request_close=self._refuse_close)
        self._idle_event = Clock.schedule_interval(self.check_idle, 1.0)

    def detach(self, window) -> None:
        window.unbind(on_keyboard=self._key, on_textinput=self._text,
                      on_request_close=self._refuse_close)
        self._idle_event.cancel()
        window.remove_widget(self.root)
        self.abandon()
        for worker in (self.server, self.devices, self.card_reader):
            worker.stop()

    def _refuse_close(self, *_args, **_kwargs) -> bool:
        return True                                  # only the manager's code leaves

    def _text(self, _window, text: str) -> None:
        self.idle.touched(self.now())
        self._scanned += text

    def _key(self, _window, key, *_args) -> bool:
        """Esc, Back and the like do nothing; Enter ends a scanner's text."""
        self.idle.touched(self.now())
        if key in (13, 271):
            text, self._scanned = self._scanned.strip(), ""
            if text:
                self.screen.on_scan(self, text)
        return True


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except ApiError:
        pass
