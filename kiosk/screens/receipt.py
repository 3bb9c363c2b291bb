"""The self-service receipt: the case number, its QR (the kiosk's own scanner reads
it back for 办件查询), the promised date; printed, or to photograph if the printer
is down."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import print_in_background
from kiosk.widgets import GREEN, INK, RED, BigButton, Text, qr_image, spacer


class ReceiptScreen(Screen):
    name = "receipt"

    def __init__(self, form, case) -> None:
        self.form, self.case = form, case
        self.printing, self.started = "printing", False

    def build(self, kiosk: Kiosk):
        if not self.started:
            self.started = True
            self._print(kiosk)
        style = kiosk.style
        case = self.case
        box = BoxLayout(orientation="vertical", spacing=style.mm(3),
                        padding=(style.mm(6), style.mm(4)))
        box.add_widget(Text(kiosk.tr("Submitted. Your case number:"), style, role="title",
                            halign="center"))
        number = Text(case.number, style, role="big", halign="center", color=INK)
        number.is_case_number = True
        box.add_widget(number)
        box.add_widget(Text(self._name(kiosk), style, role="title", halign="center"))
        if getattr(case, "due_date", ""):
            box.add_widget(Text(kiosk.tr("Promised by {due_date}.", due_date=case.due_date),
                                style, halign="center"))
        down = self.printing == "down"
        status = {"printing": N_("Printing your receipt…"),
                  "printed": N_("Please take your printed receipt."),
                  "none": N_("Please photograph your case number and the QR code."),
                  "down": N_("The printer is not working. Please photograph your case "
                             "number and the QR code.")}[self.printing]
        box.add_widget(Text(kiosk.tr(status), style, role="title" if down else "body",
                            halign="center", color=RED if down else INK))
        box.add_widget(qr_image(case.number, style.mm(80 if down else 45)))
        box.add_widget(spacer())
        box.add_widget(BigButton(kiosk.tr("Done"), style, color=GREEN, on_press=kiosk.reset))
        return box

    def _name(self, kiosk: Kiosk) -> str:
        english = getattr(self.form, "name_en", "")
        return english if kiosk.language == "en" and english else self.form.name

    def _print(self, kiosk: Kiosk) -> None:
        printer = kiosk.printer
        if printer is None:
            self.printing = "none"
            return
        from core.printing import ReceiptPrint
        due = getattr(self.case, "due_date", "")
        job = ReceiptPrint(
            hall_name=kiosk.settings.name if kiosk.language == "zh" else kiosk.settings.name_en,
            title=kiosk.tr("Self-service receipt"), case_number=self.case.number,
            subject_name=self._name(kiosk), submitted_at=kiosk.clock(),
            qr_data=self.case.number,
            lines=(kiosk.tr("Promised by {due_date}.", due_date=due),) if due else (),
            language=kiosk.language)

        print_in_background(kiosk, lambda: printer.print_receipt(job),
                            lambda ok, _value: self._printed(kiosk, ok))

    def _printed(self, kiosk: Kiosk, ok: bool) -> None:
        self.printing = "printed" if ok else "down"
        if kiosk.stack and kiosk.screen is self:
            kiosk.redraw()
