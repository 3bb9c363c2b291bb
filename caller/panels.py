"""The caller's panels: what an action asks before it is sent (where to transfer and
why, the reason for a pause, the 容缺 materials and their date, which number or case
to call, which number to put back in line). A panel takes the full view's right-hand
column; Enter confirms, Esc cancels.
"""
from __future__ import annotations

from kivy.uix.gridlayout import GridLayout
from kivy.uix.textinput import TextInput

from caller.state import PAUSE_LABELS, supply_by_choices
from caller.widgets import BLUE, DIM, GREEN, GREY, INK, ORANGE, Box, KeyButton, Text
from core.messages import N_
from core.windows import PAUSE_REASONS


class Panel:
    title = ""
    confirm_label = N_("OK")

    def __init__(self, caller) -> None:
        self.caller = caller
        self._box = None
        self.inputs: list[TextInput] = []

    def widget(self):
        """The panel's widget, made once and kept across redraws (a field keeps its text
        and focus); `rebuild()` redraws its content."""
        if self._box is None:
            self._box = Box(orientation="vertical", spacing=8, padding=(12, 12))
            self.rebuild()
        if self._box.parent is not None:
            self._box.parent.remove_widget(self._box)
        return self._box

    def rebuild(self) -> None:
        caller, box = self.caller, self._box
        box.clear_widgets()
        box.add_widget(Text(caller.tr(self.title), 26, INK, fit=True))
        self.content(box)
        row = Box(size_hint_y=None, height=64, spacing=10)
        if self.confirm_label:
            row.add_widget(KeyButton(caller.tr(self.confirm_label), "Enter", self.confirm,
                                        GREEN, action="confirm"))
        row.add_widget(KeyButton(caller.tr("Cancel"), "Esc", caller.close_panel, GREY,
                                    action="cancel"))
        box.add_widget(row)

    def content(self, box) -> None:
        raise NotImplementedError

    def confirm(self) -> None:
        raise NotImplementedError

    def focus(self) -> None:
        if self.inputs:
            self.inputs[0].focus = True

    def field(self, hint: str, text: str = "") -> TextInput:
        field = TextInput(text=text, hint_text=hint, multiline=False, font_size=22,
                          size_hint_y=None, height=48, write_tab=False)
        field.bind(on_text_validate=lambda *_: self.confirm())
        self.inputs.append(field)
        return field

    def choices(self, items, chosen, on_choose, columns: int = 3):
        """Buttons to choose one (or several) of `items` = [(value, label)]."""
        grid = GridLayout(cols=columns, spacing=6, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for value, label in items:
            picked = value in chosen if isinstance(chosen, (set, list, tuple)) \
                else value == chosen
            button = KeyButton(("✓ " if picked else "") + label, "",
                                  lambda v=value: on_choose(v),
                                  BLUE if picked else GREY, size=18, action=f"choose:{value}",
                                  size_hint_y=None, height=48)
            button.value, button.picked = value, picked
            grid.add_widget(button)
        return grid


class TransferPanel(Panel):
    """转办: to a pool or to one window, with a note the next clerk reads; the citizen
    keeps their place in line (窗口无否决权)."""

    title = N_("Transfer to")
    confirm_label = N_("Transfer")

    def __init__(self, caller) -> None:
        super().__init__(caller)
        self.target: tuple[str, object] | None = None
        self.note = self.field(caller.tr("Note for the next window (required)"))

    def content(self, box) -> None:
        caller = self.caller
        pools = [(("pool", p.code), p.name if caller.language == "zh" or not p.name_en
                  else p.name_en) for p in caller.settings.pools]
        windows = [(("window", w.number), caller.tr("Window {number}", number=w.number))
                   for w in caller.windows
                   if w.number != caller.number and w.status != "closed"]
        box.add_widget(Text(caller.tr("A pool"), 18, DIM, fit=True))
        box.add_widget(self.choices(pools, self.target, self.choose, 3))
        box.add_widget(Text(caller.tr("Or one window"), 18, DIM, fit=True))
        box.add_widget(self.choices(windows, self.target, self.choose, 6))
        box.add_widget(self.note)
        box.add_widget(Box())

    def choose(self, value) -> None:
        self.target = value
        self.rebuild()

    def confirm(self) -> None:
        from caller.actions import send
        caller, note = self.caller, self.note.text.strip()
        if self.target is None:
            caller.say(caller.tr("Please choose a pool or a window to transfer to."), True)
            return
        if not note:
            caller.say(caller.tr("A transfer needs a note for the next window."), True)
            self.note.focus = True
            return
        kind, value = self.target
        if kind == "pool":
            send(caller, "transfer", "transfer", note, to_pool=value)
        else:
            send(caller, "transfer", "transfer", note, to_window=value)


class PausePanel(Panel):
    """暂停: a standard reason (the board shows it), then resume with the same key."""

    title = N_("Pause the window")
    confirm_label = ""

    def content(self, box) -> None:
        caller = self.caller
        reasons = [(code, caller.tr(PAUSE_LABELS[code])) for code in PAUSE_REASONS]
        box.add_widget(self.choices(reasons, None, self.pause, 2))
        box.add_widget(Box())

    def pause(self, reason: str) -> None:
        from caller.actions import send
        send(self.caller, "pause", "pause_window", reason)

    def confirm(self) -> None:
        pass


class FinishPanel(Panel):
    """容缺受理: the materials not ticked off, marked missing, and the date to supply
    them by; the case opens and its acceptance slip is printed."""

    title = N_("Finish: accept with missing materials (容缺受理)")
    confirm_label = N_("Finish")

    def __init__(self, caller, subject, unticked) -> None:
        super().__init__(caller)
        self.subject = subject
        self.needs = list(unticked)
        self.missing = {need.id for need in unticked}
        today = caller.clock().date()
        self.days = supply_by_choices(caller.settings, today, subject.time_limit_days)
        self.supply_by = self.days[0].isoformat() if self.days else ""

    def content(self, box) -> None:
        caller = self.caller
        box.add_widget(Text(caller.tr("Missing materials (tick what is missing):"), 18, DIM,
                            fit=True))
        box.add_widget(self.choices([(n.id, n.label(caller.language)) for n in self.needs],
                                    self.missing, self.toggle, 1))
        box.add_widget(Text(caller.tr("To be supplied by:"), 18, DIM, fit=True))
        days = [(d.isoformat(), d.isoformat()) for d in self.days]
        box.add_widget(self.choices(days, self.supply_by, self.choose_day, 3))
        box.add_widget(Box())

    def toggle(self, material_id: str) -> None:
        (self.missing.discard if material_id in self.missing else self.missing.add)(
            material_id)
        self.rebuild()

    def choose_day(self, day: str) -> None:
        self.supply_by = day
        self.rebuild()

    def confirm(self) -> None:
        from caller.actions import finish_with_missing
        names = [n.name for n in self.needs if n.id in self.missing]
        finish_with_missing(self.caller, names, self.supply_by if names else "")


class ChoosePanel(Panel):
    """Call a chosen number: one of those waiting here, or typed."""

    title = N_("Call a number")
    confirm_label = N_("Call")

    def __init__(self, caller) -> None:
        super().__init__(caller)
        self.number = self.field(caller.tr("Ticket number, such as A012"))

    def content(self, box) -> None:
        caller = self.caller
        waiting = [(t.number, f"{t.number}  {caller.subject_name(t.subject)}")
                   for t in caller.waiting.tickets[:12]]
        if waiting:
            box.add_widget(self.choices(waiting, None, self.call, 2))
        else:
            box.add_widget(Text(caller.tr("Nobody is waiting for this window."), 18, DIM,
                                fit=True))
        box.add_widget(self.number)
        box.add_widget(Box())

    def call(self, number: str) -> None:
        from caller.actions import send
        send(self.caller, "call_chosen", "call_ticket", number)

    def confirm(self) -> None:
        number = self.number.text.strip().upper()
        if number:
            self.call(number)


class CasePanel(Panel):
    """出件: call a ready case by its number, or scan the slip's QR."""

    title = N_("Call a case for pickup")
    confirm_label = N_("Call")

    def __init__(self, caller) -> None:
        super().__init__(caller)
        self.text = self.field(caller.tr("Case number, or scan the slip's QR code"))

    def content(self, box) -> None:
        box.add_widget(Text(self.caller.tr("The citizen's slip (受理通知书) shows the case "
                                           "number; its QR code names the case too."),
                            18, DIM, fit=True))
        box.add_widget(self.text)
        box.add_widget(Box())

    def confirm(self) -> None:
        from caller.actions import call_case_by_scan
        call_case_by_scan(self.caller, self.text.text)


class RequeuePanel(Panel):
    """过号: a citizen who missed their call goes back in line (once, after a few)."""

    title = N_("Put a passed number back in line (过号)")
    confirm_label = N_("Put back")

    def __init__(self, caller) -> None:
        super().__init__(caller)
        self.number = self.field(caller.tr("Ticket number, such as A012"), caller.last_no_show)

    def content(self, box) -> None:
        box.add_widget(self.number)
        box.add_widget(Box())

    def confirm(self) -> None:
        from caller.actions import requeue_number
        number = self.number.text.strip().upper()
        if not number:
            self.caller.say(self.caller.tr("Please type the ticket number."), True)
            return
        requeue_number(self.caller, number)


class ResumePanel(Panel):
    """Resume a parked ticket (several may be parked at a window)."""

    title = N_("Resume a parked number")
    confirm_label = ""

    def content(self, box) -> None:
        caller = self.caller
        parked = caller.window.parked if caller.window else ()
        if parked:
            box.add_widget(self.choices([(n, n) for n in parked], None, self.resume, 3))
        else:
            box.add_widget(Text(caller.tr("No number is parked at this window."), 18,
                                ORANGE, fit=True))
        box.add_widget(Box())

    def resume(self, number: str) -> None:
        from caller.actions import send
        send(self.caller, "resume_ticket", "resume_ticket", number)

    def confirm(self) -> None:
        pass
