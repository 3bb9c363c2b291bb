"""A plain-language explanation and the next step: after a refusal of the server
(through core.messages.refusals), an unreadable card, a printer down ..."""
from __future__ import annotations

from core.kiosk_flow import ASK_STAFF, BOOK, READ_CARD, RETRY, TYPE_AGAIN, next_step
from core.messages import N_
from core.messages.refusals import explain
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import page
from kiosk.widgets import BLUE, GREEN, INK, BigButton, Text, button_grid, qr_image, spacer

STEP_LABELS = {RETRY: N_("Try again"), READ_CARD: N_("Read my ID card again"),
               TYPE_AGAIN: N_("Type it again"), ASK_STAFF: N_("Call a helper"),
               BOOK: N_("Book an appointment on my phone")}


class NoticeScreen(Screen):
    name = "notice"

    def __init__(self, message: str, step: str = "", again=None,
                 title: str = N_("Sorry")) -> None:
        self.message, self.step, self.again, self.title = message, step, again, title

    @classmethod
    def of_refusal(cls, kiosk: Kiosk, error, again=None) -> NoticeScreen:
        """The server's refusal in the citizen's language, never an English exception."""
        text = explain(error.code, error.details, error.error, kiosk.language)
        screen = cls(text, next_step(error.code, error.error), again)
        screen.code = error.code
        return screen

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr(self.title))
        message = Text(self.message, style, role="title", color=INK)
        message.is_notice = True
        box.add_widget(message)
        buttons = []
        if self.step == BOOK:
            url = kiosk.settings.server.public_url.rstrip("/") + "/book"
            box.add_widget(Text(kiosk.tr("Scan to book an appointment on your phone:"),
                                style))
            box.add_widget(qr_image(url, style.mm(50)))
        elif self.step in (RETRY, READ_CARD, TYPE_AGAIN) and self.again is not None:
            buttons.append(BigButton(kiosk.tr(STEP_LABELS[self.step]), style, color=GREEN,
                                     on_press=self.again))
        elif self.step == TYPE_AGAIN:
            buttons.append(BigButton(kiosk.tr(STEP_LABELS[TYPE_AGAIN]), style, color=GREEN,
                                     on_press=kiosk.back))
        if self.step in (ASK_STAFF, READ_CARD, TYPE_AGAIN):
            from kiosk.screens.help import HelpScreen
            buttons.append(BigButton(kiosk.tr(STEP_LABELS[ASK_STAFF]), style, color=BLUE,
                                     on_press=lambda: kiosk.show(HelpScreen())))
        box.add_widget(button_grid(buttons, 1, style))
        box.add_widget(spacer())
        return box
