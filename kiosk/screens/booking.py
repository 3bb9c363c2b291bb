"""预约签到: the booking code typed on a pad, scanned from its QR (a scanner types
the text and Enter), or found by the ID card; the appointment ticket follows."""
from __future__ import annotations

from core.kiosk_flow import Attempt
from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import page
from kiosk.widgets import GREEN, INK, RED, BigButton, Keypad, Text, spacer

CODE_KEYS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def _code_from_scan(text: str) -> str:
    try:
        from core.bookings import code_from_scan
    except ImportError:                              # before bookings existed
        return text.strip().upper()
    return code_from_scan(text)


class BookingScreen(Screen):
    name = "booking"

    def __init__(self) -> None:
        self.code, self.problem = "", ""

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr("Appointment check-in"),
                   kiosk.tr("Scan the QR code of your booking, type its 8-character "
                            "code, or use your ID card."))
        shown = Text(self.code or "_ " * CODE_LENGTH, style, role="big", halign="center",
                     color=INK)
        shown.is_typed_text = True
        box.add_widget(shown)
        if self.problem:
            box.add_widget(Text(kiosk.tr(self.problem), style, color=RED))

        def key(k: str) -> None:
            self.code = self.code[:-1] if k == "⌫" else (self.code + k)[:CODE_LENGTH]
            self.problem = ""
            kiosk.redraw()
        if not kiosk.large_print:
            box.add_widget(Keypad(list(CODE_KEYS) + ["⌫"], style, key, columns=8,
                                  delete_label=kiosk.tr("Delete")))
        else:
            box.add_widget(Keypad(list(CODE_KEYS) + ["⌫"], style, key, columns=6,
                                  delete_label=kiosk.tr("Delete")))
        row = []
        row.append(BigButton(kiosk.tr("Check in"), style, color=GREEN,
                             on_press=lambda: self.check_in(kiosk, code=self.code)))
        if kiosk.reader is not None:
            row.append(BigButton(kiosk.tr("Check in with my ID card"), style, color=GREEN,
                                 on_press=lambda: self.with_card(kiosk)))
        for button in row:
            box.add_widget(button)
        box.add_widget(spacer())
        return box

    def on_scan(self, kiosk: Kiosk, text: str) -> bool:
        code = _code_from_scan(text)
        if not code:
            self.problem = N_("This QR code is not a booking of this hall.")
            kiosk.redraw()
            return True
        self.code = code
        self.check_in(kiosk, code=code)
        return True

    def check_in(self, kiosk: Kiosk, code: str = "", card=None) -> None:
        from kiosk.screens.ticket import TicketScreen
        if card is None and len(code) != CODE_LENGTH:
            self.problem = N_("A booking code has 8 characters.")
            kiosk.redraw()
            return

        def call(key: str):
            if card is not None:
                return kiosk.client.check_in_booking(id_card=card.number, id_card_read=True,
                                                     idempotency_key=key)
            return kiosk.client.check_in_booking(code=code, idempotency_key=key)

        def answered(issued) -> None:
            subject = kiosk.settings.subject(issued.ticket.subject)
            kiosk.replace(TicketScreen(issued, subject, title=N_("Checked in: your number")))
        kiosk.ask(Attempt("check_in_booking"), call, answered)

    def with_card(self, kiosk: Kiosk) -> None:
        from kiosk.screens.card import CardScreen
        kiosk.show(CardScreen(N_("Check in with my ID card"),
                              lambda card: self.check_in(kiosk, card=card)))
