"""The ticket on screen, and on paper: number, matter or theme, people ahead, the
estimated wait, time, hall, the phone page's QR and the materials.

The screen shows first; the printer prints in the background. If it faults, the
screen says so, shows a large QR to photograph, and the server hears of the fault
once (`report_device`)."""
from __future__ import annotations

import math
from datetime import datetime

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

from core.kiosk_flow import material_labels
from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import print_in_background, subject_name
from kiosk.widgets import GREEN, INK, RED, BigButton, Text, qr_image, spacer

PRIORITY_LABELS = {"elderly": N_("Elderly priority"), "green": N_("Green channel"),
                   "appointment": N_("Appointment")}
PRINTING, PRINTED, PRINTER_DOWN, NO_PRINTER = "printing", "printed", "down", "none"


class TicketScreen(Screen):
    name = "ticket"

    def __init__(self, issued, subject, title: str = N_("Your number")) -> None:
        self.issued, self.subject, self.title = issued, subject, title
        self.printing = PRINTING
        self.printed: bytes = b""
        self.fault_code = ""
        self.started = False

    def build(self, kiosk: Kiosk):
        if not self.started:
            self.started = True
            self._print(kiosk)
        style = kiosk.style
        issued = self.issued
        box = BoxLayout(orientation="vertical", spacing=style.mm(2),
                        padding=(style.mm(6), style.mm(3)))
        box.add_widget(Text(kiosk.tr(self.title), style, role="title", halign="center"))
        number = Text(issued.number, style, role="number", halign="center", color=INK)
        number.is_ticket_number = True
        box.add_widget(number)
        box.add_widget(Text(subject_name(kiosk, self.subject), style, role="title",
                            halign="center"))
        label = PRIORITY_LABELS.get(issued.ticket.priority)
        if label:
            box.add_widget(Text(kiosk.tr(label), style, role="title", halign="center",
                                color=GREEN))
        box.add_widget(Text(self._wait_text(kiosk), style, role="title", halign="center"))
        box.add_widget(Text(f"{self._time_text()}    {self._hall(kiosk)}", style,
                            role="body", halign="center"))
        down = self.printing == PRINTER_DOWN
        status = Text(self._print_text(kiosk), style, role="title" if down else "body",
                      halign="center", color=RED if down else INK)
        status.is_print_status = True
        box.add_widget(status)
        side = style.mm(95 if down else 60)
        row = AnchorLayout(anchor_x="center", size_hint_y=None, height=side)
        row.add_widget(qr_image(issued.phone_url, side))
        box.add_widget(row)
        box.add_widget(Text(kiosk.tr("Scan with your phone to follow your turn."), style,
                            role="body", halign="center"))
        if not down or not kiosk.large_print:
            lines = material_labels(self.subject, kiosk.language)
            if lines:
                box.add_widget(Text(kiosk.tr("Bring these materials:"), style, role="body"))
                box.add_widget(Text("\n".join(f"{n}. {line}" for n, line in
                                              enumerate(lines, 1)), style, role="body"))
        box.add_widget(spacer())
        box.add_widget(BigButton(kiosk.tr("Done"), style, color=GREEN, on_press=kiosk.reset))
        return box

    def called_to(self, kiosk: Kiosk) -> str:
        """待叫: the window the ticket was called to as it was issued (a window was
        waiting for the next citizen), by name; "" while it waits."""
        ticket = self.issued.ticket
        if ticket.state != "called" or ticket.window is None:
            return ""
        if kiosk.language != "zh":
            return kiosk.tr("Window {number}", number=ticket.window)
        spec = next((w for w in kiosk.settings.windows if w.number == ticket.window), None)
        return spec.name if spec else kiosk.tr("Window {number}", number=ticket.window)

    def _wait_text(self, kiosk: Kiosk) -> str:
        called_to = self.called_to(kiosk)
        if called_to:
            return kiosk.tr("Called now: please go to {window}", window=called_to)
        ahead = kiosk.tr("{n} people ahead of you", n=self.issued.people_ahead)
        minutes = self.issued.eta_minutes
        if minutes is None:
            return ahead + kiosk.tr(" (the wait is estimated once the windows call)")
        minutes = max(1, round(minutes))
        low, high = self.issued.eta_low, self.issued.eta_high
        if low is None or high is None:
            return ahead + kiosk.tr(", about {minutes} minutes", minutes=minutes)
        low, high = min(math.floor(low), minutes), max(math.ceil(high), minutes)
        return ahead + kiosk.tr(", about {minutes} minutes ({low}–{high} minutes)",
                                minutes=minutes, low=low, high=high)

    def _time_text(self) -> str:
        issued_at = self.issued.ticket.issued_at
        try:
            return datetime.fromisoformat(issued_at).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return issued_at

    def _hall(self, kiosk: Kiosk) -> str:
        return kiosk.settings.name_en if kiosk.language == "en" else kiosk.settings.name

    def _print_text(self, kiosk: Kiosk) -> str:
        return {PRINTING: kiosk.tr("Printing your ticket…"),
                PRINTED: kiosk.tr("Please take your printed ticket."),
                NO_PRINTER: kiosk.tr("Please photograph your number and the QR code."),
                PRINTER_DOWN: kiosk.tr("The printer is not working. Please photograph "
                                       "your number and the large QR code, or remember "
                                       "your number.")}[self.printing]

    # --- printing, in the background -----------------------------------------------
    def _print(self, kiosk: Kiosk) -> None:
        printer = kiosk.printer
        if printer is None:
            self.printing = NO_PRINTER
            return
        print_in_background(kiosk, lambda: printer.print_ticket(self.ticket_print(kiosk)),
                            lambda ok, value: self._printed(kiosk, ok, value))

    def ticket_print(self, kiosk: Kiosk):
        from core.printing import TicketPrint
        issued = self.issued
        label = PRIORITY_LABELS.get(issued.ticket.priority)
        try:
            issued_at = datetime.fromisoformat(issued.ticket.issued_at)
        except ValueError:
            issued_at = kiosk.clock()
        return TicketPrint(
            hall_name=self._hall(kiosk), number=issued.number,
            subject_name=subject_name(kiosk, self.subject),
            people_ahead=issued.people_ahead, eta_minutes=issued.eta_minutes,
            eta_low=issued.eta_low, eta_high=issued.eta_high, issued_at=issued_at,
            phone_url=issued.phone_url,
            materials=tuple(material_labels(self.subject, kiosk.language)),
            priority_label=kiosk.tr(label) if label else "", language=kiosk.language,
            called_to=self.called_to(kiosk))

    def _printed(self, kiosk: Kiosk, ok: bool, value) -> None:
        if ok:
            self.printing, self.printed = PRINTED, value
        else:
            self.printing, self.fault_code = PRINTER_DOWN, value
        if kiosk.stack and kiosk.screen is self:
            kiosk.redraw()
