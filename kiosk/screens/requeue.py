"""过号重新排队: a citizen whose number was called while they were away scans the QR
code on their own ticket (a scanner types the link and Enter, as at 预约签到); the kiosk
sends the ticket's phone token (`client.requeue_by_token`, one idempotency key per scan)
and says where they stand now: the number back in line, the people ahead and the
estimated wait (read from the ticket's public status just after). Or, in plain words,
why not: put back once already (ask at the service desk), not passed (the number is
still valid), another day or another hall (take a new number).

The server decides (core/actions/requeue.py): a no-show of today, once, behind
`[rules] requeue_after` waiting people. A kiosk cannot name a number, only scan one.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.kiosk_flow import Attempt, ticket_token_from_scan
from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import page
from kiosk.widgets import BLUE, GREEN, INK, RED, BigButton, Text, button_grid, spacer
from server.client import ApiError

BACK_IN_LINE, NOT_PASSED, REFUSED = "back_in_line", "not_passed", "refused"
# what a citizen needs to hear at the kiosk, by the server's refusal code
REFUSAL_TEXT = {
    "requeue_once": N_("Number {number} has already been put back in line once. "
                       "Please ask at the service desk."),
    "requeue_other_day": N_("Number {number} is not from today. Please take a new number."),
    "requeue_ticket_unknown": N_("This ticket is not from today or not from this hall. "
                                 "Please take a new number."),
}
STILL_VALID = N_("Your number {number} is still valid. Please watch for your call.")
BEING_CALLED = N_("Your number {number} is being called now. Please go to {window}.")
FINISHED = N_("Number {number} has been served or cancelled. For another matter, please "
              "take a new number.")
NOT_A_TICKET = N_("This is not the QR code of a ticket. Please scan the QR code printed "
                  "on your ticket.")
TAKE_NEW = "take_new"
NEXT = {"requeue_once": "help", "requeue_other_day": TAKE_NEW,
        "requeue_ticket_unknown": TAKE_NEW}


@dataclass(frozen=True)
class Answer:
    """What the kiosk heard: `kind` (BACK_IN_LINE, NOT_PASSED, REFUSED), the message to
    say (a catalogue id, with `values`), the ticket's status when it was read."""

    kind: str
    message: str = ""
    values: tuple[tuple[str, str], ...] = ()
    number: str = ""
    people_ahead: int = 0
    eta_minutes: float | None = None
    next: str = ""                    # "help", TAKE_NEW or ""


def wait_text(kiosk: Kiosk, people_ahead: int, minutes: float | None) -> str:
    """"前面还有 3 人，预计等待约 12 分钟", as on the ticket screen."""
    ahead = kiosk.tr("{n} people ahead of you", n=people_ahead)
    if minutes is None:
        return ahead + kiosk.tr(" (the wait is estimated once the windows call)")
    return ahead + kiosk.tr(", about {minutes} minutes", minutes=max(1, round(minutes)))


def answer_of_status(kind: str, status) -> Answer:
    """The answer from the ticket's public status (`client.public_ticket`)."""
    ticket = status.ticket
    values: tuple[tuple[str, str], ...] = (("number", ticket.number),)
    if kind == BACK_IN_LINE:
        message = ""
    elif ticket.state == "called" and status.window_name:
        message, values = BEING_CALLED, values + (("window", status.window_name),)
    elif ticket.state in ("waiting", "called", "serving", "parked"):
        message = STILL_VALID
    else:
        return Answer(NOT_PASSED, FINISHED, values, ticket.number, next=TAKE_NEW)
    return Answer(kind, message, values, ticket.number, status.people_ahead,
                  status.eta_minutes)


class RequeueScreen(Screen):
    name = "requeue"

    def __init__(self) -> None:
        self.problem = ""             # a catalogue id: the scan held no ticket
        self.answer: Answer | None = None

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr("Missed call: back in line"),
                   kiosk.tr("If your number was called while you were away, you can go "
                            "back in line once, behind {n} people.",
                            n=kiosk.settings.rules.requeue_after))
        if self.answer is None or self.answer.kind != BACK_IN_LINE:
            prompt = Text(kiosk.tr("Scan the QR code printed on your ticket under the "
                                   "scanner."), style, role="title", color=BLUE,
                          halign="center")
            prompt.is_scan_prompt = True
            box.add_widget(prompt)
        if self.problem:
            problem = Text(kiosk.tr(self.problem), style, role="title", color=RED)
            problem.is_notice = True
            box.add_widget(problem)
        if self.answer is not None:
            self._show_answer(kiosk, box, self.answer)
        box.add_widget(spacer())
        return box

    def _show_answer(self, kiosk: Kiosk, box, answer: Answer) -> None:
        style = kiosk.style
        if answer.kind == BACK_IN_LINE:
            box.add_widget(Text(kiosk.tr("You are back in line"), style, role="title",
                                halign="center", color=GREEN))
            number = Text(answer.number, style, role="number", halign="center", color=INK)
            number.is_ticket_number = True
            box.add_widget(number)
            wait = Text(wait_text(kiosk, answer.people_ahead, answer.eta_minutes), style,
                        role="title", halign="center")
            wait.is_notice = True
            box.add_widget(wait)
            box.add_widget(Text(kiosk.tr("Keep your ticket: it is still your number, and "
                                         "its QR code shows your turn on your phone."),
                                style, halign="center"))
            box.add_widget(BigButton(kiosk.tr("Done"), style, color=GREEN,
                                     on_press=kiosk.reset))
            return
        message = Text(kiosk.tr(answer.message, **dict(answer.values)), style, role="title",
                       color=INK if answer.kind == NOT_PASSED else RED)
        message.is_notice = True
        box.add_widget(message)
        if answer.message == STILL_VALID:
            box.add_widget(Text(wait_text(kiosk, answer.people_ahead, answer.eta_minutes),
                                style, role="title"))
        buttons = []
        if answer.next == TAKE_NEW:
            from kiosk.screens.take import CategoriesScreen
            buttons.append(BigButton(kiosk.tr("Take a number"), style, color=GREEN,
                                     on_press=lambda: kiosk.replace(CategoriesScreen())))
        if answer.next == "help":
            from kiosk.screens.help import HelpScreen
            buttons.append(BigButton(kiosk.tr("Call a helper"), style, color=BLUE,
                                     on_press=lambda: kiosk.show(HelpScreen())))
        if buttons:
            box.add_widget(button_grid(buttons, 1, style))

    # --- the scan ---------------------------------------------------------------------
    def on_scan(self, kiosk: Kiosk, text: str) -> bool:
        if kiosk.body.disabled:                  # still asking about the last scan
            return True
        token = ticket_token_from_scan(text)
        self.answer = None
        if not token:
            self.problem = NOT_A_TICKET
            kiosk.redraw()
            return True
        self.problem = ""
        self.send(kiosk, token)
        return True

    def send(self, kiosk: Kiosk, token: str) -> None:
        client = kiosk.client

        def call(key: str):
            try:
                client.requeue_by_token(token, idempotency_key=key)
            except ApiError as error:
                if error.code != "requeue_not_no_show":
                    raise
                return answer_of_status(NOT_PASSED, client.public_ticket(token))
            return answer_of_status(BACK_IN_LINE, client.public_ticket(token))

        def answered(answer: Answer) -> None:
            self.answer = answer
            if kiosk.stack and kiosk.screen is self:
                kiosk.redraw()

        def refused(error: ApiError) -> None:
            if error.code not in REFUSAL_TEXT:
                kiosk.refused(error)             # the server is busy, and the like
                return
            number = str(error.details.get("number", ""))
            answered(Answer(REFUSED, REFUSAL_TEXT[error.code], (("number", number),),
                            number, next=NEXT[error.code]))
        kiosk.ask(Attempt("requeue_by_token"), call, answered, refused)
