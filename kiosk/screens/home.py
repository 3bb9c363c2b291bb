"""The home screen: what the kiosk offers now (all of it during window hours; the
24-hour zone's self-service, case queries and booking outside them), fewer and
bigger choices in large print."""
from __future__ import annotations

from core.kiosk_flow import (
    BOOKING,
    CASE_QUERY,
    HELP,
    MORE,
    PICKUP,
    REQUEUE,
    SELF_SERVICE,
    TAKE,
    THEMES,
    day_and_time,
    home_offer,
)
from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.screens.common import ListScreen, page
from kiosk.widgets import BLUE, GREEN, RED, BigButton, Text, button_grid, spacer

LABELS = {
    TAKE: N_("Take a number"),
    THEMES: N_("One-thing services"),
    BOOKING: N_("Appointment check-in"),
    CASE_QUERY: N_("Case progress"),
    PICKUP: N_("Collect a result"),
    HELP: N_("Call a helper"),
    REQUEUE: N_("Missed call: back in line"),
    SELF_SERVICE: N_("Self-service"),
    MORE: N_("More services"),
}
CAPTIONS = {
    TAKE: N_("Choose your matter, see the materials, get a number"),
    THEMES: N_("Several matters in one visit (一件事)"),
    BOOKING: N_("Booking code, QR code or ID card"),
    CASE_QUERY: N_("How far your case has come"),
    PICKUP: N_("A number for the pickup window"),
    HELP: N_("A member of staff comes to you"),
    REQUEUE: N_("Scan your ticket to go back in line"),
    SELF_SERVICE: N_("Fill in a form here, no waiting"),
    MORE: N_("Case progress, self-service and more"),
}


def open_choice(kiosk: Kiosk, choice: str) -> None:
    from kiosk.screens.booking import BookingScreen
    from kiosk.screens.cases import CaseQueryScreen, PickupScreen
    from kiosk.screens.forms import FormsScreen
    from kiosk.screens.help import HelpScreen
    from kiosk.screens.requeue import RequeueScreen
    from kiosk.screens.take import CategoriesScreen, ThemesScreen
    screens = {TAKE: CategoriesScreen, THEMES: ThemesScreen, BOOKING: BookingScreen,
               CASE_QUERY: CaseQueryScreen, PICKUP: PickupScreen, HELP: HelpScreen,
               REQUEUE: RequeueScreen, SELF_SERVICE: FormsScreen, MORE: MoreScreen}
    kiosk.show(screens[choice]())


def closed_notice(kiosk: Kiosk) -> str:
    """Why the windows are closed and when they open, in plain words."""
    opening = kiosk.opening
    day, clock = day_and_time(getattr(opening, "next_opening", None), kiosk.clock().date())
    if day == "today":
        when = kiosk.tr("The windows open today at {time}.", time=clock)
    elif day == "tomorrow":
        when = kiosk.tr("The windows open tomorrow at {time}.", time=clock)
    elif day:
        when = kiosk.tr("The windows open on {day} at {time}.", day=day, time=clock)
    else:
        when = ""
    return ("" if kiosk.language == "zh" else " ").join(filter(None, [
        kiosk.tr("The service windows are closed now."), when,
        kiosk.tr("You can still use self-service, ask about a case or check in for an "
                 "appointment.")]))


class HomeScreen(Screen):
    name = "home"
    is_home = True

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        offer = home_offer(kiosk.opening, kiosk.large_print)
        box = page(kiosk, kiosk.tr("Welcome. What would you like to do?"))
        if not offer.windows_open:
            box.add_widget(Text(closed_notice(kiosk), style, role="body", color=RED))
        height = style.mm(42) if not kiosk.large_print else style.mm(52)
        buttons = []
        for choice in offer.choices:
            label = kiosk.tr(LABELS[choice])
            if not kiosk.large_print:
                label += "\n" + kiosk.tr(CAPTIONS[choice])
            button = BigButton(label, style, height=height,
                               role="title" if kiosk.large_print else "button",
                               color=GREEN if choice == TAKE else BLUE,
                               on_press=lambda c=choice: open_choice(kiosk, c))
            button.choice = choice
            if not kiosk.large_print:
                button.markup = True
                button.text = (f"[size={int(style.font('title'))}]{kiosk.tr(LABELS[choice])}"
                               f"[/size]\n{kiosk.tr(CAPTIONS[choice])}")
            buttons.append(button)
        box.add_widget(button_grid(buttons, style.columns, style))
        box.add_widget(spacer())
        return box


class MoreScreen(ListScreen):
    """大字版: the choices that did not fit on the large-print home screen."""

    name = "more"
    title = N_("More services")

    def items(self, kiosk: Kiosk):
        offer = home_offer(kiosk.opening, True)
        return [(kiosk.tr(LABELS[c]), lambda c=c: open_choice(kiosk, c)) for c in offer.more]
