"""Every screen of the kiosk in a typical state, by name: for the touch-size test (every
target on every screen, in normal and large print) and the screenshots in docs/kiosk.md
(`python -m bench.kiosk_screenshots docs/images/`)."""
from __future__ import annotations

from kiosk.app import Kiosk


def screens(kiosk: Kiosk, issued=None, case=None) -> list[tuple[str, object]]:
    """(name, screen) for every screen; `issued` (an IssuedTicket) for the ticket screens,
    `case` (a CaseInfo) for the receipt."""
    from kiosk.screens.booking import BookingScreen
    from kiosk.screens.card import CardScreen
    from kiosk.screens.cases import CaseQueryScreen, PickupScreen
    from kiosk.screens.forms import FormScreen, FormsScreen
    from kiosk.screens.help import HelpScreen
    from kiosk.screens.home import HomeScreen, MoreScreen
    from kiosk.screens.manager import ManagerScreen
    from kiosk.screens.notice import NoticeScreen
    from kiosk.screens.take import (
        CategoriesScreen,
        MaterialsScreen,
        MattersScreen,
        SearchScreen,
        ThemesScreen,
    )
    from kiosk.screens.ticket import PRINTER_DOWN, TicketScreen
    settings = kiosk.settings
    search = SearchScreen()
    search.letters = "gsdj"
    found = [("home", HomeScreen()), ("more", MoreScreen()),
             ("categories", CategoriesScreen()), ("matters", MattersScreen("business")),
             ("search", search), ("themes", ThemesScreen()),
             ("materials", MaterialsScreen("SS-0103")),
             ("theme-materials", MaterialsScreen("YJS-03")),
             ("card", _idle_card(CardScreen("Take a number with my ID card", print))),
             ("booking", BookingScreen()), ("case-query", CaseQueryScreen()),
             ("pickup", PickupScreen()), ("help", HelpScreen()),
             ("manager", ManagerScreen())]
    found += _requeue_screens()
    notice = NoticeScreen.of_refusal(kiosk, _Refusal("id_daily_limit",
                                                     {"limit": settings.rules
                                                      .tickets_per_id_per_day}))
    found.append(("daily-limit", notice))
    forms = getattr(settings, "forms", ())
    if forms:
        found.append(("forms", FormsScreen()))
        form = forms[0]
        for step, spec in enumerate(form.fields):
            screen = FormScreen(form)
            screen.step = step
            found.append((f"form-{spec.type}", screen))
        review = FormScreen(form)
        review.step = len(form.fields)
        review.values = {f.name: (f.choices[0].value if f.choices else "") for f in form.fields}
        found.append(("form-review", review))
    if issued is not None:
        subject = settings.subject(issued.ticket.subject)
        ticket = TicketScreen(issued, subject)
        ticket.started, ticket.printing = True, "printed"
        down = TicketScreen(issued, subject)
        down.started, down.printing = True, PRINTER_DOWN
        found += [("ticket", ticket), ("ticket-printer-down", down)]
    if case is not None and forms:
        from kiosk.screens.receipt import ReceiptScreen
        receipt = ReceiptScreen(forms[0], case)
        receipt.started, receipt.printing = True, "printed"
        found.append(("receipt", receipt))
    # distinct names, one per kind of type in a form
    seen, unique = set(), []
    for name, screen in found:
        if name not in seen:
            seen.add(name)
            unique.append((name, screen))
    return unique


class _Refusal:
    def __init__(self, code: str, details: dict) -> None:
        self.code, self.details, self.error = code, details, "conflict"


def _requeue_screens() -> list[tuple[str, object]]:
    """过号重新排队: waiting for a scan, back in line, and refused (once already)."""
    from kiosk.screens.requeue import (
        BACK_IN_LINE,
        NEXT,
        REFUSAL_TEXT,
        REFUSED,
        Answer,
        RequeueScreen,
    )
    back, once = RequeueScreen(), RequeueScreen()
    back.answer = Answer(BACK_IN_LINE, number="A001", people_ahead=3, eta_minutes=12.0)
    once.answer = Answer(REFUSED, REFUSAL_TEXT["requeue_once"], (("number", "A001"),),
                         "A001", next=NEXT["requeue_once"])
    return [("requeue", RequeueScreen()), ("requeue-back", back), ("requeue-once", once)]


def _idle_card(screen):
    screen._polling = True            # shown, not polling a reader
    return screen
