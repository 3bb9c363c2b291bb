"""取号: by category then matter, by search (Hanzi, pinyin, initials), or a 一件事
theme; then the materials (一次性告知), then the number."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from core.kiosk_flow import Attempt, material_labels
from core.messages import N_
from core.pinyin_input import Candidates
from kiosk.app import Kiosk, Screen
from kiosk.keyboard import PinyinKeyboard
from kiosk.screens.common import ListScreen, page, subject_name
from kiosk.widgets import GREEN, INK, RED, BigButton, Text, button_grid, spacer


def categories_with_matters(kiosk: Kiosk) -> list:
    used = {m.category for m in kiosk.settings.matters
            if m.category not in kiosk.pickup_categories}
    return [c for c in kiosk.settings.categories if c.code in used]


class CategoriesScreen(ListScreen):
    name = "categories"
    title = N_("Take a number: choose the kind of matter")

    def top(self, kiosk: Kiosk, box: BoxLayout) -> None:
        box.add_widget(BigButton(kiosk.tr("Search for a matter (Chinese or pinyin)"),
                                 kiosk.style, color=GREEN,
                                 on_press=lambda: kiosk.show(SearchScreen())))

    def items(self, kiosk: Kiosk):
        def label(category) -> str:
            return category.name_en if kiosk.language == "en" else category.name
        return [(label(c), lambda c=c: kiosk.show(MattersScreen(c.code)))
                for c in categories_with_matters(kiosk)]


class MattersScreen(ListScreen):
    name = "matters"
    title = N_("Choose your matter")

    def __init__(self, category: str) -> None:
        super().__init__()
        self.category = category

    def items(self, kiosk: Kiosk):
        return [(subject_name(kiosk, m), lambda m=m: kiosk.show(MaterialsScreen(m.code)))
                for m in kiosk.settings.matters if m.category == self.category]


class ThemesScreen(ListScreen):
    name = "themes"
    title = N_("One-thing services: several matters at one window")

    def items(self, kiosk: Kiosk):
        return [(subject_name(kiosk, t), lambda t=t: kiosk.show(MaterialsScreen(t.code)))
                for t in kiosk.settings.themes]


class SearchScreen(Screen):
    """Type pinyin (full or initials) or pick Hanzi; matching matters show at once."""

    name = "search"

    def __init__(self) -> None:
        self.text, self.letters = "", ""

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, kiosk.tr("Search for a matter"),
                   kiosk.tr("Type the pinyin or its first letters, e.g. gsdj for "
                            "公司变更登记."))
        results = BoxLayout(orientation="vertical", size_hint_y=None)
        results.bind(minimum_height=results.setter("height"))

        def changed(text: str, letters: str) -> None:
            self.text, self.letters = text, letters
            self._results(kiosk, results)
        keyboard = PinyinKeyboard(style, _candidates(kiosk), changed, text=self.text,
                                  tr=kiosk.tr)
        keyboard.letters = self.letters
        keyboard._show()
        box.add_widget(keyboard)
        box.add_widget(results)
        box.add_widget(spacer())
        self._results(kiosk, results)
        return box

    def _results(self, kiosk: Kiosk, results: BoxLayout) -> None:
        style = kiosk.style
        results.clear_widgets()
        query = self.text + self.letters
        if not query:
            return
        codes = kiosk.search.search(query, limit=3 if kiosk.large_print else 5)
        if not codes:
            results.add_widget(Text(kiosk.tr("Nothing found. Try fewer letters, or call a "
                                             "helper."), style, color=RED))
            return
        buttons = []
        for code in codes:
            subject = kiosk.settings.subject(code)
            button = BigButton(subject_name(kiosk, subject), style,
                               on_press=lambda c=code: kiosk.show(MaterialsScreen(c)))
            button.subject = code
            buttons.append(button)
        results.add_widget(button_grid(buttons, 1, style))


def _candidates(kiosk: Kiosk) -> Candidates:
    found = getattr(kiosk, "_candidates", None)
    if found is None:
        found = kiosk._candidates = Candidates.of_hall(kiosk.settings)
    return found


class MaterialsScreen(Screen):
    """一次性告知: every material before the citizen waits; then the number."""

    name = "materials"

    def __init__(self, subject: str) -> None:
        self.subject = subject

    def build(self, kiosk: Kiosk):
        style = kiosk.style
        subject = kiosk.settings.subject(self.subject)
        box = page(kiosk, subject_name(kiosk, subject))
        box.add_widget(Text(kiosk.tr("Please make sure you have every material below "
                                     "before you wait:"), style, color=INK))
        lines = material_labels(subject, kiosk.language)
        for number, line in enumerate(lines, 1):
            box.add_widget(Text(f"{number}. {line}", style, role="body", color=INK))
        if not lines:
            box.add_widget(Text(kiosk.tr("No materials are needed."), style))
        box.add_widget(spacer())
        buttons = []
        if subject.real_name:
            box.add_widget(Text(kiosk.tr("This matter needs your ID card to take a number."),
                                style, color=RED))
        else:
            buttons.append(BigButton(kiosk.tr("I have them: take a number"), style,
                                     color=GREEN, on_press=lambda: self.issue(kiosk)))
        if kiosk.reader is not None:
            buttons.append(BigButton(kiosk.tr("Take a number with my ID card "
                                              "(priority from 65)"), style,
                                     color=GREEN,
                                     on_press=lambda: self.with_card(kiosk)))
        box.add_widget(button_grid(buttons, 1, style))
        return box

    def issue(self, kiosk: Kiosk, card=None) -> None:
        from kiosk.screens.ticket import TicketScreen
        attempt = Attempt("issue_ticket")
        subject = kiosk.settings.subject(self.subject)

        def call(key: str):
            if card is None:
                return kiosk.client.issue_ticket(self.subject, idempotency_key=key)
            return kiosk.client.issue_ticket(self.subject, id_card=card.number,
                                             id_card_read=True, idempotency_key=key,
                                             holder_name=card.name)
        kiosk.ask(attempt, call, lambda issued: kiosk.replace(TicketScreen(issued, subject)))

    def with_card(self, kiosk: Kiosk) -> None:
        from kiosk.screens.card import CardScreen
        kiosk.show(CardScreen(N_("Take a number with my ID card"),
                              lambda card: self.issue(kiosk, card)))
