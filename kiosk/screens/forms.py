"""自助办理: a self-service form, one field at a time, with as little typing as
possible: the ID card fills what it can, choices are buttons, digits a keypad, and
only free text needs the pinyin keyboard. Each field is checked at once with
`core.forms.check_field` (the server checks again); the case number comes back on
screen and on a printed receipt."""
from __future__ import annotations

from datetime import date

from core.errors import Invalid
from core.kiosk_flow import Attempt
from core.messages import N_
from kiosk.app import Kiosk, Screen
from kiosk.keyboard import PinyinKeyboard
from kiosk.screens.common import ListScreen, page, with_key
from kiosk.widgets import BLUE, GREEN, GREY, INK, RED, BigButton, Keypad, Text, button_grid, spacer

REASONS = {
    "required": N_("Please fill this in."),
    "too_short": N_("This is too short."),
    "too_long": N_("This is too long."),
    "not_digits": N_("Please use digits only."),
    "not_a_choice": N_("Please choose one of the buttons."),
    "not_a_date": N_("Please type a date as year, month, day: 8 digits, e.g. 20261123."),
    "pattern": N_("This is not in the expected form."),
    "not_a_phone": N_("Please type an 11-digit mobile number or a landline with its area "
                      "code."),
    "id_number_invalid": N_("This ID number is not valid. Please check it."),
}
KEYPAD_TYPES = ("digits", "phone", "date", "id_number")


def _label(kiosk: Kiosk, thing) -> str:
    english = getattr(thing, "label_en", "") or getattr(thing, "name_en", "")
    return english if kiosk.language == "en" and english else \
        getattr(thing, "label", None) or thing.name


class FormsScreen(ListScreen):
    name = "forms"
    title = N_("Self-service")
    hint = N_("Fill in a form here; your case number is printed for you.")

    def items(self, kiosk: Kiosk):
        return [(_label(kiosk, form), lambda f=form: kiosk.show(FormScreen(f)))
                for form in getattr(kiosk.settings, "forms", ())]


def card_value(card, part: str) -> str:
    value = getattr(card, part, "")
    return value.isoformat() if isinstance(value, date) else str(value or "")


class FormScreen(Screen):
    name = "form"

    def __init__(self, form) -> None:
        self.form = form
        self.values: dict[str, str] = {}
        self.card = None
        self.step = -1                 # -1: the start (card or by hand); len(fields): review
        self.typed = ""
        self.problem = ""

    # --- which fields to ask ----------------------------------------------------------
    def asked(self) -> list:
        from_card = self.card is not None
        return [f for f in self.form.fields if not (from_card and f.from_id_card)]

    def build(self, kiosk: Kiosk):
        asked = self.asked()
        if self.step < 0:
            return self._start(kiosk)
        if self.step >= len(asked):
            return self._review(kiosk)
        return self._field(kiosk, asked[self.step], len(asked))

    def _start(self, kiosk: Kiosk):
        style = kiosk.style
        box = page(kiosk, _label(kiosk, self.form),
                   kiosk.tr("{n} questions. Your ID card can fill in some of them.",
                            n=len(self.form.fields)))
        buttons = []
        if kiosk.reader is not None and any(f.from_id_card for f in self.form.fields):
            buttons.append(BigButton(kiosk.tr("Fill in from my ID card"), style, color=GREEN,
                                     on_press=lambda: self._read_card(kiosk)))
        buttons.append(BigButton(kiosk.tr("Fill in by hand"), style,
                                 on_press=lambda: self._go(kiosk, 0)))
        box.add_widget(button_grid(buttons, 1, style))
        box.add_widget(spacer())
        return box

    def _read_card(self, kiosk: Kiosk) -> None:
        from kiosk.screens.card import CardScreen

        def read(card) -> None:
            self.card = card
            for spec in self.form.fields:
                if spec.from_id_card:
                    value = card_value(card, spec.from_id_card)
                    if spec.type == "choice":
                        value = next((c.value for c in spec.choices
                                      if value in (c.value, c.label)), value)
                    self.values[spec.name] = value
            self.step = 0
            kiosk.back()
        kiosk.show(CardScreen(N_("Fill in from my ID card"), read))

    def _go(self, kiosk: Kiosk, step: int) -> None:
        self.step, self.problem = step, ""
        asked = self.asked()
        self.typed = self.values.get(asked[step].name, "") if 0 <= step < len(asked) else ""
        kiosk.redraw()

    def _field(self, kiosk: Kiosk, spec, count: int):
        style = kiosk.style
        box = page(kiosk, kiosk.tr("Question {n} of {count}: {label}", n=self.step + 1,
                                   count=count, label=_label(kiosk, spec)))
        if self.problem:
            problem = Text(self.problem, style, role="title", color=RED)
            problem.is_notice = True
            box.add_widget(problem)
        if spec.type == "choice":
            buttons = []
            for option in spec.choices:
                chosen = self.values.get(spec.name) == option.value
                buttons.append(BigButton(_label(kiosk, option), style,
                                         color=GREEN if chosen else BLUE,
                                         on_press=lambda v=option.value: self.answer(
                                             kiosk, spec, v)))
            box.add_widget(button_grid(buttons, 1 if kiosk.large_print else 2, style))
        elif spec.type in KEYPAD_TYPES:
            shown = Text(self._display(spec), style, role="big", halign="center", color=INK)
            shown.is_typed_text = True
            box.add_widget(shown)
            keys = list("123456789") + ["⌫", "0"] + (["X"] if spec.type == "id_number"
                                                     else [])
            box.add_widget(Keypad(keys, style, lambda k: self._key(kiosk, k),
                               delete_label=kiosk.tr("Delete")))
            box.add_widget(BigButton(kiosk.tr("Next"), style, color=GREEN,
                                     on_press=lambda: self.answer(kiosk, spec, self.typed)))
        else:
            def changed(text: str, _letters: str) -> None:
                self.typed = text
            keyboard = PinyinKeyboard(style, _candidates(kiosk, self.form), changed,
                                      text=self.typed, tr=kiosk.tr)
            box.add_widget(keyboard)
            box.add_widget(BigButton(kiosk.tr("Next"), style, color=GREEN,
                                     on_press=lambda: self.answer(kiosk, spec, self.typed)))
        if not spec.required:
            box.add_widget(BigButton(kiosk.tr("Skip this question"), style, color=GREY,
                                     on_press=lambda: self.answer(kiosk, spec, "")))
        box.add_widget(spacer())
        return box

    def _display(self, spec) -> str:
        typed = self.typed
        if spec.type == "date" and typed:
            return "-".join(filter(None, (typed[:4], typed[4:6], typed[6:8])))
        return typed or "_"

    def _key(self, kiosk: Kiosk, key: str) -> None:
        self.typed = self.typed[:-1] if key == "⌫" else (self.typed + key)[:40]
        self.problem = ""
        kiosk.redraw()

    def answer(self, kiosk: Kiosk, spec, value: str) -> None:
        from core.forms import check_field
        if spec.type == "date" and value.isdigit() and len(value) == 8:
            value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
        try:
            checked = check_field(spec, value, kiosk.clock().date())
        except Invalid as problem:
            self.problem = kiosk.tr(REASONS.get(problem.details.get("reason_code", ""),
                                                REASONS["pattern"]))
            kiosk.redraw()
            return
        self.values[spec.name] = checked
        self._go(kiosk, self.step + 1)

    # --- review and submit --------------------------------------------------------------
    def _review(self, kiosk: Kiosk):
        from core.forms import mask_id_number
        style = kiosk.style
        box = page(kiosk, kiosk.tr("Please check, then submit"), _label(kiosk, self.form))
        for spec in self.form.fields:
            value = self.values.get(spec.name, "")
            if spec.type == "id_number" and value:
                value = mask_id_number(value)
            elif spec.type == "choice":
                value = next((_label(kiosk, c) for c in spec.choices if c.value == value),
                             value)
            box.add_widget(Text(f"{_label(kiosk, spec)}：{value or '—'}", style, role="body"))
        if self.problem:
            box.add_widget(Text(self.problem, style, color=RED))
        box.add_widget(BigButton(kiosk.tr("Submit"), style, color=GREEN,
                                 on_press=lambda: self.submit(kiosk)))
        box.add_widget(BigButton(kiosk.tr("Change my answers"), style, color=GREY,
                                 on_press=lambda: self._go(kiosk, 0)))
        box.add_widget(spacer())
        return box

    def submit(self, kiosk: Kiosk) -> None:
        from kiosk.screens.receipt import ReceiptScreen
        card = self.card
        values = {k: v for k, v in self.values.items() if v != ""}

        def call(key: str):
            return with_key(kiosk.client.submit_form, key, self.form.code, values,
                            id_card=card.number if card else None,
                            id_card_read=card is not None)

        def refused(error) -> None:
            if error.code == "form_field_invalid":
                names = [f.name for f in self.asked()]
                field = error.details.get("field", "")
                self.problem = kiosk.tr(REASONS.get(error.details.get("reason_code", ""),
                                                    REASONS["pattern"]))
                if field in names:
                    self.step = names.index(field)
                    self.typed = self.values.get(field, "")
                kiosk.redraw()
            else:
                kiosk.refused(error)
        kiosk.ask(Attempt("submit_form"), call,
                  lambda case: kiosk.replace(ReceiptScreen(self.form, case)), refused)


def _candidates(kiosk: Kiosk, form):
    from core.pinyin_input import Candidates
    found = getattr(kiosk, "_form_candidates", None)
    if found is None:
        extra = [c.label for f in form.fields for c in f.choices]
        found = kiosk._form_candidates = Candidates.of_hall(kiosk.settings, extra)
    return found
