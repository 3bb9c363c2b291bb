"""The manager's way out: a code pad behind a hidden corner (five taps in the top
left corner within four seconds). Only the right code stops the app."""
from __future__ import annotations

from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import page
from kiosk.widgets import GREEN, RED, BigButton, Keypad, Text, spacer


class ManagerScreen(Screen):
    name = "manager"
    title = N_("Staff only: enter the exit code")

    def __init__(self) -> None:
        self.code, self.wrong = "", False

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr(self.title))
        shown = Text("●" * len(self.code) or " ", style, role="big", halign="center")
        box.add_widget(shown)
        if self.wrong:
            box.add_widget(Text(kiosk.tr("Wrong code."), style, color=RED))

        def key(k: str) -> None:
            self.code = self.code[:-1] if k == "⌫" else (self.code + k)[:16]
            self.wrong = False
            kiosk.redraw()
        box.add_widget(Keypad(list("123456789") + ["⌫", "0"], style, key,
                              delete_label=kiosk.tr("Delete")))
        box.add_widget(BigButton(kiosk.tr("Leave the kiosk app"), style, color=GREEN,
                                 on_press=lambda: self.submit(kiosk)))
        box.add_widget(spacer())
        return box

    def submit(self, kiosk: Kiosk) -> None:
        if not kiosk.try_exit(self.code):
            self.code, self.wrong = "", True
            kiosk.redraw()
