"""Waiting for the ID card on the reader: real-name numbers, elderly priority, the
daily limit, booking check-in and forms filled from the card."""
from __future__ import annotations

import threading

from kivy.clock import Clock

from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import page
from kiosk.widgets import INK, RED, Text, spacer


class CardScreen(Screen):
    """Polls the reader in the background until a card is read, then `on_card(card)`."""

    name = "card"

    def __init__(self, title: str, on_card) -> None:
        self.title, self.on_card = title, on_card
        self.problem = ""
        self._stop = threading.Event()
        self._polling = False

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr(self.title))
        box.add_widget(Text(kiosk.tr("Please place your ID card flat on the reader below "
                                     "the screen and leave it there for a moment."),
                            style, role="title", color=INK))
        if self.problem:
            problem = Text(kiosk.tr(self.problem), style, role="title", color=RED)
            problem.is_notice = True
            box.add_widget(problem)
        box.add_widget(Text(kiosk.tr("Your ID number is never shown or printed in full."),
                            style, role="body"))
        box.add_widget(spacer())
        if not self._polling:
            self._poll(kiosk)
        return box

    def _poll(self, kiosk: Kiosk) -> None:
        from hardware.id_reader import ReaderFault
        self._polling = True
        reader, stop = kiosk.reader, self._stop

        def work() -> None:
            while not stop.is_set():
                try:
                    card = reader.read(timeout=0.5)
                except ReaderFault as fault:
                    Clock.schedule_once(lambda _dt, f=fault: self._fault(kiosk, f))
                    stop.wait(1.5)
                    continue
                except Exception:                     # the reader unplugged
                    Clock.schedule_once(lambda _dt: self._fault(kiosk, None))
                    stop.wait(1.5)
                    continue
                if card is not None and not stop.is_set():
                    stop.set()
                    Clock.schedule_once(lambda _dt, c=card: self._read(kiosk, c))
                    return
        kiosk.card_reader.submit(work)

    def _fault(self, kiosk: Kiosk, fault) -> None:
        self.problem = N_("The card could not be read. Please take it off and place it "
                          "on the reader again.")
        if fault is None or getattr(fault, "code", "") in ("offline", "no_reader"):
            self.problem = N_("The card reader is not working. Please call a helper, or "
                              "go back and take a number without the card.")
            kiosk.report_fault(kiosk.config.reader, getattr(fault, "code", "offline"))
        if kiosk.stack and kiosk.screen is self:
            kiosk.redraw()

    def _read(self, kiosk: Kiosk, card) -> None:
        if kiosk.stack and kiosk.screen is self:
            self.on_card(card)

    def on_leave(self, kiosk: Kiosk) -> None:
        self._stop.set()
