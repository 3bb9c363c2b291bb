"""办件查询 and 出件取号: a case number typed on a digit pad (the hall's code is
already there, the dash comes by itself) or scanned from the acceptance slip's QR."""
from __future__ import annotations

from core.kiosk_flow import Attempt, case_number_from_scan
from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import page, subject_name, with_key
from kiosk.widgets import GREEN, INK, RED, BigButton, Keypad, Text, spacer

STATUS_TEXT = {
    "in_review": N_("Your case is being reviewed. It is promised by {due_date}."),
    "needs_correction": N_("Your case needs a correction (补正). Scan your slip's QR code "
                           "with your phone to see what to bring, or ask a helper."),
    "ready": N_("Your result is ready. Take a pickup number to collect it."),
    "picked_up": N_("Your result has been collected."),
}
STATUS_UNKNOWN = N_("Your case is being handled.")


class CaseNumberScreen(Screen):
    """Typing or scanning a case number; subclasses say what happens with it."""

    title = ""
    button = ""

    def __init__(self) -> None:
        self.digits, self.problem = "", ""

    def number(self, kiosk: Kiosk) -> str:
        date, serial = self.digits[:8], self.digits[8:]
        return kiosk.settings.code + date + ("-" + serial if serial else "")

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr(self.title),
                   kiosk.tr("Scan the QR code on your acceptance slip, or type the digits "
                            "of its case number."))
        shown = Text(self.number(kiosk), style, role="big", halign="center", color=INK)
        shown.is_typed_text = True
        box.add_widget(shown)
        if self.problem:
            box.add_widget(Text(self.problem, style, color=RED))

        def key(k: str) -> None:
            self.digits = self.digits[:-1] if k == "⌫" else (self.digits + k)[:12]
            self.problem = ""
            kiosk.redraw()
        box.add_widget(Keypad(list("123456789") + ["⌫", "0"], style, key,
                              delete_label=kiosk.tr("Delete")))
        box.add_widget(BigButton(kiosk.tr(self.button), style, color=GREEN,
                                 on_press=lambda: self.submit(kiosk, self.number(kiosk))))
        self.extra(kiosk, box)
        box.add_widget(spacer())
        return box

    def extra(self, kiosk: Kiosk, box) -> None:
        """What the screen shows below the pad (a case's progress)."""

    def on_scan(self, kiosk: Kiosk, text: str) -> bool:
        number = case_number_from_scan(text)
        if not number:
            self.problem = kiosk.tr("This QR code holds no case number of this hall.")
            kiosk.redraw()
            return True
        self.digits = number[len(kiosk.settings.code):].replace("-", "")
        self.submit(kiosk, number)
        return True

    def submit(self, kiosk: Kiosk, number: str) -> None:
        raise NotImplementedError


class CaseQueryScreen(CaseNumberScreen):
    name = "case_query"
    title = N_("Case progress")
    button = N_("Show my case")

    def __init__(self) -> None:
        super().__init__()
        self.case = None

    def submit(self, kiosk: Kiosk, number: str) -> None:
        self.case = None

        def answered(case) -> None:
            self.case = case
            kiosk.redraw()
        progress = getattr(kiosk.client, "case_progress", None) or kiosk.client.case
        kiosk.ask(Attempt("case_progress"), lambda _key: progress(number), answered)

    def extra(self, kiosk: Kiosk, box) -> None:
        case = self.case
        if case is None:
            return
        style = kiosk.style
        status = getattr(case, "status", "")
        subject = getattr(case, "subject", "")
        if subject and kiosk.settings.has("subject", subject):
            box.add_widget(Text(subject_name(kiosk, kiosk.settings.subject(subject)), style,
                                role="title"))
        text = kiosk.tr(STATUS_TEXT.get(status, STATUS_UNKNOWN),
                        due_date=getattr(case, "due_date", "") or "")
        result = Text(text, style, role="title", color=GREEN if status == "ready" else INK)
        result.is_notice = True
        box.add_widget(result)
        missing = getattr(case, "missing_materials", ()) or ()
        if missing:
            box.add_widget(Text(kiosk.tr("Still to bring: {materials}",
                                         materials="、".join(missing)), style, color=RED))
        if status == "ready":
            box.add_widget(BigButton(kiosk.tr("Take a pickup number"), style, color=GREEN,
                                     on_press=lambda: PickupScreen().submit(
                                         kiosk, case.number)))


class PickupScreen(CaseNumberScreen):
    name = "pickup"
    title = N_("Collect a result")
    button = N_("Take a pickup number")

    def submit(self, kiosk: Kiosk, number: str) -> None:
        from kiosk.screens.ticket import TicketScreen

        def answered(issued) -> None:
            subject = kiosk.settings.subject(issued.ticket.subject)
            kiosk.replace(TicketScreen(issued, subject, title=N_("Your pickup number")))
        kiosk.ask(Attempt("pickup_ticket"),
                  lambda key: with_key(kiosk.client.pickup_ticket, key, number), answered)
