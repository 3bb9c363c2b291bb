"""What the caller shows: the log-in, the compact bar (the current number and the four
actions a clerk presses all day, for the edge of the screen) and the full view (the
ticket's card with its checklist and notes, what waits for the window, every action,
and the panel an action opens). Drawn from the `Caller`'s state on every change.
"""
from __future__ import annotations

from kivy.uix.gridlayout import GridLayout
from kivy.uix.textinput import TextInput

from caller import state
from caller.widgets import (
    BAR,
    BLUE,
    CARD,
    DIM,
    GREEN,
    GREY,
    INK,
    NUMBER,
    ORANGE,
    PAPER,
    RED,
    WHITE,
    Box,
    KeyButton,
    Text,
)
from core.messages import N_

ACTION_COLORS = {"call_next": BLUE, "recall": ORANGE, "start": GREEN, "finish": GREEN,
                 "no_show": RED, "transfer": BLUE, "park": GREY, "resume_ticket": GREY,
                 "pause": ORANGE, "call_chosen": BLUE, "call_case": BLUE, "requeue": GREY}
COMPACT_ACTIONS = ("call_next", "recall", "start", "finish")
SIZES = {"log_in": (760, 560), "compact": (1320, 120), "full": (1440, 900)}


def available(caller, action: str) -> bool:
    """Whether an action makes sense now (its button is enabled, its key works)."""
    window, ticket = caller.window, caller.ticket
    if window is None or caller.asking is not None:
        return False
    is_open, current = window.status == "open", ticket.state if ticket else ""
    pickup = caller.settings.pool(window.pool).kind.value == "pickup" \
        if caller.settings.has("pool", window.pool) else False
    return {
        "call_next": is_open and not current,
        "recall": current == "called" and caller.recall_wait == 0,
        "start": current == "called",
        "finish": current in ("called", "serving"),
        "no_show": current == "called",
        "transfer": current in ("called", "serving"),
        "park": current == "serving",
        "resume_ticket": bool(window.parked) and not current,
        "pause": window.status in ("open", "paused") and not current,
        "call_chosen": is_open and not current,
        "call_case": is_open and not current and pickup,
        "requeue": True,
    }[action]


class CallerRoot(Box):
    def __init__(self, caller) -> None:
        super().__init__(orientation="vertical", color=PAPER)
        self.caller = caller
        self.buttons: dict[str, KeyButton] = {}
        self.banner = Text("", 19, RED, size_hint_y=None, height=34, padding=(12, 0))
        self.user_field = self.password_field = None

    # --- sizes ----------------------------------------------------------------------
    def wanted_size(self) -> tuple[int, int]:
        caller = self.caller
        if caller.mode == "log_in":
            return SIZES["log_in"]
        return SIZES["compact"] if caller.compact else SIZES["full"]

    # --- drawing --------------------------------------------------------------------
    def draw(self) -> None:
        caller = self.caller
        self.clear_widgets()
        self.buttons = {}
        if self.banner.parent is not None:
            self.banner.parent.remove_widget(self.banner)
        if caller.mode == "log_in":
            self.add_widget(self.log_in_view())
        elif caller.compact:
            self.add_widget(self.compact_bar())
        else:
            self.add_widget(self.full_view())
        self.show_message()

    def show_message(self) -> None:
        caller = self.caller
        self.banner.text = caller.message
        self.banner.color = RED if caller.message_is_problem else GREEN

    def set_busy(self, busy: bool) -> None:
        for action, button in self.buttons.items():
            button.disabled = busy or not available(self.caller, action)

    def update_countdown(self) -> None:
        button = self.buttons.get("recall")
        if button is None:
            return
        text = self.recall_text()
        if button.text != text:
            button.text = text
        button.disabled = not available(self.caller, "recall")

    def action_button(self, action: str, size: float = 20, **kwargs) -> KeyButton:
        caller = self.caller
        label = next(lbl for name, _key, lbl in state.ACTIONS if name == action)
        if action == "pause" and caller.window is not None and caller.window.status == "paused":
            label = N_("Resume service")
        button = KeyButton(caller.tr(label), state.action_key(action),
                              lambda: self._press(action), ACTION_COLORS[action], size,
                              action=action, **kwargs)
        if action == "recall":
            button.text = self.recall_text(size)
        button.disabled = not available(caller, action)
        self.buttons[action] = button
        return button

    def recall_text(self, size: float = 20) -> str:
        caller = self.caller
        wait = caller.recall_wait
        label = caller.tr("Recall") + (f" {wait}s" if wait else "")
        calls = caller.tr("called {calls}×", calls=caller.calls_made) if caller.ticket else ""
        return f"{label}\n[size={int(size * 0.7)}]F2  {calls}[/size]"

    def _press(self, action: str) -> None:
        from caller.actions import run_action
        run_action(self.caller, action)

    # --- the log-in ---------------------------------------------------------------------
    def log_in_view(self):
        caller = self.caller
        box = Box(orientation="vertical", padding=(60, 30), spacing=14)
        box.add_widget(Text(caller.tr("Caller"), 34, INK, fit=True))
        box.add_widget(Text(caller.tr("{window} · please log in", window=caller.spec.name),
                            22, DIM, fit=True))
        self.user_field = TextInput(hint_text=caller.tr("User name"), multiline=False,
                                    font_size=24, size_hint_y=None, height=54, write_tab=False)
        self.password_field = TextInput(hint_text=caller.tr("Password"), password=True,
                                        multiline=False, font_size=24, size_hint_y=None,
                                        height=54, write_tab=False)
        self.password_field.bind(on_text_validate=lambda *_: self.submit_log_in())
        box.add_widget(self.user_field)
        box.add_widget(self.password_field)
        row = Box(size_hint_y=None, height=64, spacing=12)
        row.add_widget(KeyButton(caller.tr("Log in"), "Enter", self.submit_log_in, GREEN,
                                    action="log_in"))
        row.add_widget(self.language_button(size_hint_x=0.5))
        box.add_widget(row)
        box.add_widget(self.banner)
        box.add_widget(Box())
        return box

    def submit_log_in(self) -> None:
        if self.user_field is not None:
            self.caller.log_in(self.user_field.text, self.password_field.text)

    def language_button(self, **kwargs) -> KeyButton:
        caller = self.caller
        other = "en" if caller.language == "zh" else "zh"
        return KeyButton("English" if other == "en" else "中文", "",
                            lambda: caller.set_language(other), GREY, 18,
                            action="language", **kwargs)

    # --- the compact bar ----------------------------------------------------------------
    def compact_bar(self):
        caller = self.caller
        outer = Box(orientation="vertical", color=BAR)
        bar = Box(spacing=8, padding=(10, 8))
        where = Box(orientation="vertical", size_hint_x=None, width=150)
        where.add_widget(Text(caller.spec.name, 20, WHITE))
        where.add_widget(Text(self.status_text(), 16, (0.8, 0.86, 0.95, 1)))
        bar.add_widget(where)
        ticket = caller.ticket
        number = Box(orientation="vertical", size_hint_x=None, width=210)
        number.add_widget(Text(ticket.number if ticket else "—", 40, (1, 0.85, 0.3, 1),
                               halign="center", bold=True))
        number.add_widget(Text(self.ticket_line() if ticket else caller.tr("No number"), 15,
                               WHITE, halign="center", shorten=True))
        bar.add_widget(number)
        for action in COMPACT_ACTIONS:
            bar.add_widget(self.action_button(action, 19))
        bar.add_widget(KeyButton(caller.tr("Full view"), "Tab",
                                    lambda: caller.set_compact(False), GREY, 18,
                                    action="toggle", size_hint_x=0.6))
        outer.add_widget(bar)
        self.banner.height, self.banner.font_size = 26, 16
        outer.add_widget(self.banner)
        return outer

    def status_text(self) -> str:
        caller, window = self.caller, self.caller.window
        if window is None:
            return ""
        if window.status == "paused":
            reason = state.PAUSE_LABELS.get(window.pause_reason)
            return caller.tr("Paused: {reason}", reason=caller.tr(reason) if reason
                             else window.pause_reason)
        return caller.tr("Open") if window.status == "open" else caller.tr("Closed")

    def ticket_line(self) -> str:
        caller, ticket = self.caller, self.caller.ticket
        return f"{caller.tr(state.STATE_LABELS.get(ticket.state, ticket.state))} · " \
               f"{caller.subject_name(ticket.subject)}"

    # --- the full view ------------------------------------------------------------------
    def full_view(self):
        caller = self.caller
        view = Box(orientation="vertical")
        header = Box(color=BAR, size_hint_y=None, height=64, padding=(14, 8), spacing=10)
        who = caller.session.display_name if caller.session else caller.user_name
        header.add_widget(Text(f"{caller.spec.name}  ·  {who}  ·  {self.status_text()}",
                               24, WHITE))
        header.add_widget(self.language_button(size_hint_x=None, width=110))
        header.add_widget(KeyButton(caller.tr("Compact bar"), "Tab",
                                       lambda: caller.set_compact(True), GREY, 17,
                                       action="toggle", size_hint_x=None, width=150))
        header.add_widget(KeyButton(caller.tr("Log out"), "", caller.log_out, GREY, 17,
                                       action="log_out", size_hint_x=None, width=110))
        view.add_widget(header)
        body = Box(spacing=12, padding=(12, 12))
        body.add_widget(self.ticket_card())
        right = caller.panel.widget() if caller.panel is not None else self.waiting_card()
        frame = Box(orientation="vertical", color=CARD, size_hint_x=0.44)
        frame.add_widget(right)
        body.add_widget(frame)
        view.add_widget(body)
        grid = GridLayout(cols=6, spacing=8, padding=(12, 0, 12, 6), size_hint_y=None,
                          height=2 * 74 + 14)
        for action, _key, _label in state.ACTIONS:
            grid.add_widget(self.action_button(action, 20))
        view.add_widget(grid)
        self.banner.height, self.banner.font_size = 34, 19
        view.add_widget(self.banner)
        return view

    def ticket_card(self):
        caller, ticket = self.caller, self.caller.ticket
        card = Box(orientation="vertical", color=CARD, padding=(18, 12), spacing=6,
                   size_hint_x=0.56)
        if ticket is None:
            card.add_widget(Text(caller.tr("No number at this window"), 30, DIM,
                                 halign="center"))
            ready = caller.window is not None and caller.window.ready
            hint = (caller.tr("Waiting for the next citizen: they are called here as soon "
                              "as they take a number.") if ready
                    else caller.tr("Press F1 to call the next citizen."))
            card.add_widget(Text(hint, 22, DIM, halign="center"))
            self.case_line(card)
            return card
        top = Box(size_hint_y=None, height=96, spacing=12)
        top.add_widget(Text(ticket.number, 76, NUMBER, bold=True, size_hint_x=0.45))
        top.add_widget(Text(caller.tr(state.STATE_LABELS.get(ticket.state, ticket.state)),
                            28, INK))
        card.add_widget(top)
        card.add_widget(Text(caller.subject_name(ticket.subject), 26, INK, fit=True))
        if ticket.case_number:
            card.add_widget(Text(caller.tr("Case number: {case}", case=ticket.case_number),
                                 24, INK, fit=True))
        waited = state.minutes_waited(ticket, caller.history, caller.clock())
        priority = caller.tr(state.PRIORITY_LABELS.get(ticket.priority, ticket.priority))
        facts = caller.tr("{priority} · waited {minutes} min · called {calls}×",
                          priority=priority, minutes=waited, calls=caller.calls_made)
        if ticket.holder_name:
            facts += f" · {ticket.holder_name}"
        card.add_widget(Text(facts, 20, DIM, fit=True))
        for note in state.transfer_notes(caller.history):
            card.add_widget(Text(caller.tr("Note: {note}", note=note), 20, ORANGE, fit=True))
        checklist = caller.checklist()
        if checklist:
            card.add_widget(Text(caller.tr("Materials (tick what was handed in):"), 19, DIM,
                                 fit=True))
            grid = GridLayout(cols=1, spacing=4, size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            ticked = caller.ticked_materials()
            for need in checklist:
                done = need.id in ticked
                button = KeyButton(("✓ " if done else "") + need.label(caller.language), "",
                                      lambda i=need.id, d=done: self._tick(i, not d),
                                      GREEN if done else GREY, 18, action=f"tick:{need.id}",
                                      size_hint_y=None, height=40)
                button.material, button.ticked = need.id, done
                grid.add_widget(button)
            card.add_widget(grid)
        self.case_line(card)
        card.add_widget(Box())
        return card

    def _tick(self, material_id: str, ticked: bool) -> None:
        self.caller.tick(material_id, ticked)
        self.caller.redraw()

    def case_line(self, card) -> None:
        case = self.caller.last_case
        if case is not None:
            card.add_widget(Text(self.caller.tr("Last case opened: {case} (promised by "
                                                "{due})", case=case.number,
                                                due=case.due_date), 19, GREEN, fit=True))

    def waiting_card(self):
        caller, waiting = self.caller, self.caller.waiting
        box = Box(orientation="vertical", padding=(14, 10), spacing=6)
        total = sum(count for _category, count in waiting.counts)
        box.add_widget(Text(caller.tr("Waiting for this window: {count}", count=total), 24,
                            INK, fit=True))
        for category, count in waiting.counts:
            box.add_widget(Text(caller.tr("{category}: {count}",
                                          category=caller.category_name(category),
                                          count=count), 20, INK, fit=True))
        if total:
            box.add_widget(Text(caller.tr("Longest wait: {minutes} min",
                                          minutes=waiting.longest_minutes), 20, ORANGE,
                                fit=True))
        parked = caller.window.parked if caller.window else ()
        if parked:
            box.add_widget(Text(caller.tr("Parked here: {numbers} (F8 resumes)",
                                          numbers=", ".join(parked)), 20, DIM, fit=True))
        now = caller.clock()
        from datetime import datetime
        for ticket in waiting.tickets[:8]:
            minutes = int((now - datetime.fromisoformat(ticket.issued_at)).total_seconds()
                          // 60)
            box.add_widget(Text(f"{ticket.number}   {caller.subject_name(ticket.subject)}   "
                                + caller.tr("{minutes} min", minutes=max(0, minutes)),
                                18, DIM, fit=True, shorten=True))
        box.add_widget(Box())
        return box
