"""The board's widgets, drawn from `core.board.Board.picture` (the same dict the web
board draws): the latest calls large, the recent calls, waiting counts and the
longest wait, windows paused and why, a scrolling notice, opening hours, the clock.

Landscape (1920 x 1080): the calls on the left, the lists on the right. Portrait
(1080 x 1920): the calls on top, the lists below. Every size follows from the
screen's size; a call's digits follow `display.widgets.call_font_size`.
"""
from __future__ import annotations

import time

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView

from display.widgets import (
    BAR,
    DIM,
    FLASH,
    NIGHT,
    NUMBER,
    PAUSED,
    ROW,
    WHITE,
    WINDOW,
    Box,
    FitLabel,
    call_font_size,
)

BLINK_SECONDS = 0.5
MARQUEE_PIXELS_PER_SECOND = 140


class CallRow(Box):
    """One call, large: the number and the window's number, the window's name (and the
    masked name or the case number) small beside them (landscape) or below (portrait)."""

    def __init__(self, font: float, portrait: bool, **kwargs) -> None:
        small = font * (0.2 if portrait else 0.24)
        height = font * 1.04 + (small * 1.5 if portrait else 0)
        super().__init__(color=ROW, orientation="vertical", size_hint_y=None, height=height,
                         padding=(font * 0.1, 0), **kwargs)
        self.call: dict | None = None
        self.flashing = False           # drawn in the flash colour now (it blinks)
        self.highlighted = False        # its call is new and within its flash time
        line = BoxLayout(orientation="horizontal", spacing=font * 0.08)
        self.number = FitLabel("", font, NUMBER, size_hint_x=None, width=font * 2.32)
        self.arrow = FitLabel("", font * 0.4, DIM, halign="center", size_hint_x=None,
                              width=font * 0.42)
        self.window = FitLabel("", font * 0.9, WINDOW, size_hint_x=None, width=font * 1.05)
        self.name = FitLabel("", small * 1.25, WINDOW)
        self.detail = FitLabel("", small, WHITE)
        for part in (self.number, self.arrow, self.window):
            line.add_widget(part)
        if portrait:
            line.add_widget(BoxLayout())
            below = BoxLayout(orientation="horizontal", size_hint_y=None, height=small * 1.5,
                              spacing=font * 0.1)
            below.add_widget(self.name)
            below.add_widget(self.detail)
            self.add_widget(line)
            self.add_widget(below)
        else:
            beside = BoxLayout(orientation="vertical", padding=(0, font * 0.12))
            beside.add_widget(self.name)
            beside.add_widget(self.detail)
            line.add_widget(beside)
            self.add_widget(line)

    def show(self, call: dict | None, labels: dict, empty: str = "") -> None:
        self.call = call
        if call is None:
            self.number.text = self.arrow.text = self.window.text = self.detail.text = ""
            self.name.text = empty
            self.set_flashing(False)
            return
        self.number.text, self.arrow.text = call["number"], "→"
        self.window.text = str(call["window"])
        self.name.text = call["window_name"]
        details = []
        if call["case_number"]:
            details.append(labels["pickup"].format(case_number=call["case_number"]))
        if call["holder_name"]:
            details.append(call["holder_name"])
        if call["kind"] == "recall":
            details.append(labels["recall"])
        self.detail.text = "  ".join(details)

    def set_flashing(self, on: bool) -> None:
        self.flashing = on
        self.fill(FLASH if on else ROW)


class Marquee(StencilView):
    """One line of text scrolling right to left, again and again."""

    def __init__(self, font: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = Label(text="", font_size=font, color=WHITE, size_hint=(None, None))
        self.label.bind(texture_size=self._sized)
        self.add_widget(self.label)
        self.bind(pos=self._place, size=self._place)
        self.offset = 0.0

    @property
    def text(self) -> str:
        return self.label.text

    def set_text(self, text: str) -> None:
        if text != self.label.text:
            self.label.text, self.offset = text, 0.0
            self._place()

    def _sized(self, *_args) -> None:
        self.label.size = self.label.texture_size
        self._place()

    def _place(self, *_args) -> None:
        """`offset` pixels travelled from the right edge (0: the text starts at the left)."""
        self.label.x = self.x + self.width - self.offset if self.offset else self.x
        self.label.center_y = self.center_y

    def step(self, seconds: float) -> None:
        if not self.label.text or self.label.width <= self.width:
            return                                # nothing, or it fits: it stands still
        travel = self.width + self.label.width
        start = self.offset or self.width         # first from where it stood, at the left
        self.offset = (start + seconds * MARQUEE_PIXELS_PER_SECOND) % travel or 1.0
        self._place()


class BoardView(Box):
    """The whole board on a screen of `width` x `height`: every part's size is set
    here from the screen's, so nothing overflows; lists show what fits."""

    def __init__(self, width: float, height: float, latest_calls: int, recent_calls: int,
                 **kwargs) -> None:
        super().__init__(color=NIGHT, orientation="vertical", **kwargs)
        self.portrait = portrait = height > width
        short = min(width, height)
        self.font = font = call_font_size(width, height)
        self.small = small = short * 0.034            # the lists: 37 px on 1080
        self.flashing: dict[int, float] = {}          # event id -> flashing until
        self.picture: dict = {}
        bar, pad, gap = short * 0.085, short * 0.015, short * 0.012
        header = Box(color=BAR, orientation="horizontal", size_hint_y=None, height=bar,
                     padding=(pad * 1.5, 0), spacing=pad * 2)
        self.hall = FitLabel("", short * 0.045, WHITE)
        self.date = FitLabel("", short * 0.034, DIM, halign="right")
        self.clock = FitLabel("", short * 0.062, WHITE, halign="right", size_hint_x=None,
                              width=short * 0.27)
        for part in (self.hall, self.date, self.clock):
            header.add_widget(part)
        body = BoxLayout(orientation="vertical" if portrait else "horizontal",
                         padding=pad, spacing=pad)
        calls = BoxLayout(orientation="vertical", spacing=gap)
        self.heading = FitLabel("", short * 0.04, NUMBER, size_hint_y=None,
                                height=short * 0.05)
        calls.add_widget(self.heading)
        self.rows = [CallRow(font, portrait) for _ in range(latest_calls)]
        for row in self.rows:
            calls.add_widget(row)
        calls_height = (self.heading.height + sum(r.height for r in self.rows)
                        + gap * latest_calls)
        body_height = height - bar * (2.3 if portrait else 2) - 2 * pad
        if portrait:
            calls.size_hint_y, calls.height = None, calls_height
            side_height = body_height - calls_height - pad
        else:
            calls.size_hint_x, side_height = 0.655, body_height
            calls.add_widget(BoxLayout())             # the rows stay at the top
        side = BoxLayout(orientation="vertical", spacing=0)
        if not portrait:
            side.size_hint_x = 0.345
        self.cell = cell = small * 1.65               # a recent call's line
        self.line = line = small * 1.42               # a waiting group's line
        self.recent_title = FitLabel("", small, DIM, size_hint_y=None, height=line)
        self.recent = GridLayout(cols=2, size_hint_y=None, spacing=(small * 0.6, 0))
        self.waiting_title = FitLabel("", small, DIM, size_hint_y=None, height=line * 1.2)
        self.waiting = GridLayout(cols=3, size_hint_y=None)
        self.paused = FitLabel("", small, PAUSED, size_hint_y=None, height=line * 1.2)
        self.recent_rows = max(0, min((recent_calls + 1) // 2,
                                      int((side_height * 0.4 - line) // cell)))
        fixed = line + self.recent_rows * cell + line * 2.4
        self.waiting_rows = max(0, int((side_height - fixed) // line))
        for part in (self.recent_title, self.recent, self.waiting_title, self.waiting,
                     self.paused, BoxLayout()):
            side.add_widget(part)
        body.add_widget(calls)
        body.add_widget(side)
        # landscape: the notice scrolls beside the hours; portrait: below them
        footer = Box(color=BAR, orientation="vertical" if portrait else "horizontal",
                     size_hint_y=None, height=bar * (1.3 if portrait else 1),
                     padding=(pad * 1.5, pad * 0.4), spacing=pad * (0.2 if portrait else 2))
        self.notice = Marquee(short * 0.04)
        if portrait:
            self.hours = FitLabel("", short * 0.03, WHITE, halign="center")
            footer.add_widget(self.hours)
            footer.add_widget(self.notice)
        else:
            self.hours = Label(text="", font_size=short * 0.026, color=WHITE, halign="right",
                               valign="middle", size_hint_x=0.45)
            self.hours.bind(size=lambda label, size: setattr(label, "text_size", size))
            footer.add_widget(self.notice)
            footer.add_widget(self.hours)
        for part in (header, body, footer):
            self.add_widget(part)

    # --- drawing a picture --------------------------------------------------------
    def show(self, picture: dict) -> None:
        """Draw `picture` (core.board.Board.picture); rows of calls that are flashing
        keep flashing."""
        self.picture = picture
        labels = picture["labels"]
        self.hall.text = picture["hall"]
        self.heading.text = labels["now_calling"]
        self.date.text = picture["date"]
        latest = picture["latest"]
        for i, row in enumerate(self.rows):
            call = latest[i] if i < len(latest) else None
            row.show(call, labels, labels["no_calls"] if i == 0 and not latest else "")
        self._show_recent(picture["recent"][:self.recent_rows * 2])
        self._show_waiting(picture["waiting"][:self.waiting_rows], labels)
        self.recent_title.text = labels["recent"]
        self.waiting_title.text = f"{labels['waiting']}  ·  {labels['longest']}"
        paused = [w["name"] + (f"（{w['reason_label']}）" if w["reason_label"] else "")
                  for w in picture["paused"]]
        self.paused.text = f"{labels['paused']}：{'、'.join(paused)}" if paused else ""
        self.notice.set_text(picture["notice"])
        self.hours.text = picture["hours"]
        self.blink()

    def _show_recent(self, recent: list[dict]) -> None:
        small = self.small
        self.recent.clear_widgets()
        for call in recent:
            cell = BoxLayout(orientation="horizontal", size_hint_y=None, height=self.cell)
            cell.add_widget(FitLabel(call["number"], small * 1.3, NUMBER, size_hint_x=0.37))
            cell.add_widget(FitLabel("→ " + call["window_name"], small, WINDOW))
            self.recent.add_widget(cell)
        self.recent.height = (len(recent) + 1) // 2 * self.cell

    def _show_waiting(self, groups: list[dict], labels: dict) -> None:
        small = self.small
        self.waiting.clear_widgets()
        for group in groups:
            name = f"{group['prefix']}  {group['label']}".strip()
            minutes = group["longest_wait_minutes"]
            for text, color, share in (
                    (name, WHITE, 0.55),
                    (labels["people"].format(n=group["waiting"]), NUMBER, 0.18),
                    (labels["minutes"].format(minutes=minutes) if minutes is not None
                     else "—", DIM, 0.27)):
                self.waiting.add_widget(FitLabel(text, small, color, size_hint_x=share,
                                                 size_hint_y=None, height=self.line))
        self.waiting.height = len(groups) * self.line

    # --- time passing --------------------------------------------------------------
    def flash(self, event_id: int, seconds: float) -> None:
        """Make the row of this call flash for `seconds` (it must be a new call)."""
        self.flashing[event_id] = time.monotonic() + seconds
        self.blink()

    def blink(self) -> None:
        """Flashing rows alternate between the flash colour and their own."""
        now = time.monotonic()
        self.flashing = {e: until for e, until in self.flashing.items() if until > now}
        phase = int(now / BLINK_SECONDS) % 2 == 0
        for row in self.rows:
            on = row.call is not None and row.call["event_id"] in self.flashing
            row.set_flashing(on and phase)
            row.highlighted = on

    def tick_clock(self, now) -> None:
        self.clock.text = f"{now:%H:%M:%S}"
