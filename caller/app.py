"""The caller: one controller (`Caller`) holding the clerk's log-in, the window, its
current ticket, what waits, the open panel (transfer, pause ...) and the background
calls to the server and the window's printer; its root widget is redrawn from that
state (caller/views.py, caller/panels.py).

Every action is one `Attempt` with one idempotency key, sent again with the same key
until the server answers (so a press is never carried out twice); the window and its
ticket are read back from the server every few seconds, so a server restart or a
dropped network never loses the clerk's ticket. Tests build a `Caller` and put
`caller.root` on the offscreen window (caller/driver.py); `yichuang caller` does the
same on a real screen (caller/launcher.py).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from kivy.clock import Clock

from caller import state
from core.kiosk_flow import Attempt
from core.messages import translator
from core.messages.refusals import explain
from kivy_apps.worker import Worker
from server.client import ApiError, ServerUnavailable
from server.client_retry import until_answered

log = logging.getLogger("yichuang.caller")
LOG_IN, WORK = "log_in", "work"


class Caller:
    """The clerk's app at window `window_number`, talking to the server through `client`."""

    retry_seconds = 2.0
    refresh_seconds = 2.0

    def __init__(self, settings, client, window_number: int, *, printer=None,
                 printer_name: str = "", clock=None, compact: bool = False,
                 on_resize=None) -> None:
        from caller.views import CallerRoot
        self.settings, self.client, self.number = settings, client, window_number
        self.spec = settings.window(window_number)
        self.printer, self.printer_name = printer, printer_name
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: datetime.now(zone))
        self.language = "zh"
        self.compact = compact
        self.on_resize = on_resize or (lambda size: None)
        self.mode = LOG_IN
        self.session = None
        self.user_name = ""
        self.window = None                  # WindowInfo, as the server last said
        self.windows: tuple = ()            # every window (a transfer goes to an open one)
        self.ticket = None                  # TicketInfo of the window's current ticket
        self.history: tuple = ()            # ... and its history (notes, calls)
        self.waiting = state.Waiting((), 0, ())
        self.ticked: dict[str, set[str]] = {}      # ticket number -> materials ticked off
        self.last_called: tuple[str, datetime] | None = None   # (number, caller's clock)
        self.last_no_show = ""
        self.last_case = None
        self.panel = None
        self.message, self.message_is_problem = "", False
        self.online = True
        self.asking: Attempt | None = None
        self._stop_retry = threading.Event()
        self._refreshing = False
        self._answers = 0            # actions answered so far: a read begun before one is stale
        self.server, self.reader, self.devices = (Worker("caller"), Worker("caller-read"),
                                                  Worker("caller-printer"))
        self.root = CallerRoot(self)
        self._events = []
        self.redraw()

    # --- language and text -----------------------------------------------------------
    def tr(self, message: str, **values) -> str:
        return translator("caller", self.language)(message, **values)

    def explain(self, error: ApiError) -> str:
        return explain(error.code, error.details, kind=error.error, language=self.language)

    def set_language(self, language: str) -> None:
        self.language = language
        self.redraw()

    def subject_name(self, code: str) -> str:
        if not self.settings.has("subject", code):
            return code
        subject = self.settings.subject(code)
        return subject.name_en if self.language == "en" and subject.name_en else subject.name

    def category_name(self, code: str) -> str:
        if not self.settings.has("category", code):
            return code
        category = self.settings.category(code)
        name_en = getattr(category, "name_en", "")
        return name_en if self.language == "en" and name_en else category.name

    # --- drawing ---------------------------------------------------------------------
    def redraw(self) -> None:
        self.on_resize(self.root.wanted_size())
        self.root.draw()

    def say(self, text: str, problem: bool = False) -> None:
        self.message, self.message_is_problem = text, problem
        self.root.show_message()

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        self.panel = None if compact else self.panel
        self.redraw()

    def open_panel(self, panel) -> None:
        self.compact = False
        self.panel = panel
        self.redraw()
        panel.focus()

    def close_panel(self) -> None:
        self.panel = None
        self.redraw()

    # --- the ticket, as the screen needs it -------------------------------------------
    @property
    def recall_wait(self) -> int:
        if self.ticket is None or self.ticket.state != "called":
            return 0
        cooldown = self.settings.rules.recall_cooldown_seconds
        if self.last_called and self.last_called[0] == self.ticket.number:
            return state.recall_wait(self.last_called[1], self.clock(), cooldown)
        return state.recall_wait(state.last_called_at(self.history), self.clock(), cooldown)

    @property
    def calls_made(self) -> int:
        return 0 if self.ticket is None else self.ticket.recalls + 1

    def checklist(self):
        return self.settings.checklist(self.ticket.subject) if self.ticket else ()

    def ticked_materials(self) -> set[str]:
        return self.ticked.setdefault(self.ticket.number, set()) if self.ticket else set()

    def tick(self, material_id: str, ticked: bool) -> None:
        chosen = self.ticked_materials()
        (chosen.add if ticked else chosen.discard)(material_id)

    # --- the server, in the background ------------------------------------------------
    def ask(self, what: str, call, on_answer=None, on_refusal=None) -> bool:
        """Run `call(idempotency_key)` in the background, again with the same key while the
        server cannot be reached; then `on_answer(result)` (default: take the window's
        answer) or `on_refusal(error)` (default: say it) on Kivy's thread. False if
        another action is still on its way (a press is never queued behind it)."""
        if self.asking is not None:
            self.say(self.tr("One moment: the last action is still on its way."), True)
            return False
        attempt = self.asking = Attempt(what)
        self._stop_retry.clear()
        self.root.set_busy(True)

        def job() -> None:
            outcome = until_answered(
                call, attempt, lambda: self.asking is attempt,
                lambda: Clock.schedule_once(lambda _dt: self._unreachable(attempt)),
                lambda: self._stop_retry.wait(self.retry_seconds))
            if outcome is not None:
                attempt.answered = True
                Clock.schedule_once(lambda _dt: self._deliver(attempt, outcome, on_answer,
                                                              on_refusal))
        self.server.submit(job)
        return True

    def _unreachable(self, attempt: Attempt) -> None:
        if self.asking is attempt:
            self.online = False
            self.say(self.tr("The hall's server cannot be reached. We keep trying; "
                             "nothing will be done twice."), True)

    def _deliver(self, attempt: Attempt, outcome, on_answer, on_refusal) -> None:
        if self.asking is not attempt:
            return
        self.asking = None
        self._answers += 1
        self.online = True
        self.root.set_busy(False)
        kind, value = outcome
        if kind == "answer":
            self.say("")
            (on_answer or self.take_answer)(value)
        elif self.mode == WORK and (value.code == "session_expired" or value.status == 401):
            self.session_ended(value)
        elif on_refusal is not None:
            on_refusal(value)
        else:
            self.say(self.explain(value), True)

    def take_answer(self, answer) -> None:
        """A window action's answer: the window and its ticket as they are now."""
        called = any(e.type in ("TicketCalled", "TicketRecalled") for e in answer.events)
        self.window, self.ticket = answer.window, answer.ticket
        if called and answer.ticket is not None:
            self.last_called = (answer.ticket.number, self.clock())
        no_show = next((e for e in answer.events if e.type == "TicketMarkedNoShow"), None)
        if no_show is not None:
            self.last_no_show = no_show.event.number
        if answer.case is not None:
            self.case_opened(answer.case, answer.slip)
        self.panel = None
        self.redraw()
        self.refresh()

    def session_ended(self, error: ApiError) -> None:
        """The log-in ended (expired, or the server forgot it): log in again; the window
        keeps its state on the server and is read back afterwards."""
        self.mode, self.panel = LOG_IN, None
        self.client.token = ""
        self.redraw()
        self.say(explain("session_expired", {}, language=self.language), True)

    # --- log-in ---------------------------------------------------------------------
    def log_in(self, user_name: str, password: str) -> None:
        user_name = user_name.strip()
        if not user_name or not password:
            self.say(self.tr("Please enter your user name and password."), True)
            return
        client, number = self.client, self.number

        def call(key: str):
            session = client.log_in_person(user_name, password)
            answer = client.log_in(number, idempotency_key=key)
            if answer.window.status == "closed":     # a paused window stays paused
                answer = client.open_window(number, idempotency_key=key + "-open")
            return session, answer

        def answered(result) -> None:
            self.session, answer = result
            self.user_name = user_name
            self.mode = WORK
            self.take_answer(answer)

        def refused(error: ApiError) -> None:
            self.client.token = ""
            self.say(self.explain(error), True)
        self.ask("log_in", call, answered, refused)

    def log_out(self) -> None:
        client, number = self.client, self.number

        def call(key: str):
            answer = client.log_out(number, idempotency_key=key)
            client.log_out_person()
            return answer

        def answered(_answer) -> None:
            self.mode, self.session, self.window, self.ticket = LOG_IN, None, None, None
            self.redraw()
        self.ask("log_out", call, answered)

    # --- reading the window back --------------------------------------------------------
    def refresh(self, *_args) -> None:
        """Read the window, its ticket and what waits (in the background)."""
        if self.mode != WORK or self._refreshing:
            return
        self._refreshing = True
        client, number, answers = self.client, self.number, self._answers

        def job() -> None:
            try:
                windows = client.windows()
                window = next(w for w in windows if w.number == number)
                status = client.ticket(window.current) if window.current else None
                waiting = client.tickets(state="waiting")
                outcome = ("answer", (window, status, waiting, tuple(windows)))
            except ServerUnavailable as error:
                outcome = ("offline", error)
            except ApiError as error:
                outcome = ("refused", error)
            except Exception as error:
                log.exception("caller refresh failed")
                outcome = ("refused", ApiError(500, "internal_server_error", str(error)))
            Clock.schedule_once(lambda _dt: self._refreshed(*outcome, answers=answers))
        self.reader.submit(job)

    def _refreshed(self, kind: str, value, answers: int = 0) -> None:
        self._refreshing = False
        if self.mode != WORK:
            return
        if kind == "answer" and (answers != self._answers or self.asking is not None):
            return       # read before an action's answer (or during one): the answer is newer
        if kind == "offline":
            if self.online and self.asking is None:
                self.online = False
                self.say(self.tr("The hall's server cannot be reached. Your ticket is kept; "
                                 "we keep trying."), True)
            return
        if kind == "refused":
            if value.code == "session_expired" or value.status == 401:
                self.session_ended(value)
            return
        window, status, waiting, windows = value
        if not self.online:
            self.online = True
            self.say(self.tr("Connected to the hall's server again."))
        ticket = status.ticket if status else None
        history = status.history if status else ()
        summary = state.waiting_for(window, self.spec, waiting, self.clock())
        changed = (window, ticket, history, summary) != (self.window, self.ticket,
                                                         self.history, self.waiting)
        self.window, self.ticket, self.history, self.waiting = window, ticket, history, summary
        self.windows = windows
        if changed:
            self.redraw()

    def count_down(self, *_args) -> None:
        """Once a second: the recall countdown."""
        self.root.update_countdown()

    # --- the acceptance slip (受理通知书) ------------------------------------------------
    def case_opened(self, case, slip) -> None:
        self.last_case = case
        if slip is None:
            return
        if self.printer is None:
            self.say(self.tr("Case {case} opened. No printer is set up for this window: "
                             "reprint the slip from another window.", case=case.number), True)
            return
        from core.printing import slip_lines
        printer, language = self.printer, self.language

        def work() -> None:
            try:
                printer.print_lines(slip_lines(slip, printer.columns))
                outcome = ("printed", "")
            except Exception as fault:             # PrinterFault, a cable, a driver
                outcome = ("fault", getattr(fault, "code", "offline"))
            Clock.schedule_once(lambda _dt: self._slip_done(case, language, *outcome))
        self.devices.submit(work)

    def _slip_done(self, case, _language: str, outcome: str, code: str) -> None:
        self.last_case_printed = outcome == "printed"
        if outcome == "printed":
            self.say(self.tr("Case {case} opened; its acceptance slip is printed.",
                             case=case.number))
        else:
            self.say(self.tr("Case {case} opened, but the printer failed ({code}). Please "
                             "check the printer.", case=case.number, code=code), True)

    # --- on a window -------------------------------------------------------------------
    def attach(self, window) -> None:
        window.add_widget(self.root)
        self.attach_input(window)

    def attach_input(self, window) -> None:
        """Keys read and the window re-read from the server on `window`."""
        window.bind(on_keyboard=self.key)
        self._events = [Clock.schedule_interval(self.refresh, self.refresh_seconds),
                        Clock.schedule_interval(self.count_down, 1.0)]

    def detach(self, window) -> None:
        window.unbind(on_keyboard=self.key)
        for event in self._events:
            event.cancel()
        if self.root.parent is window:
            window.remove_widget(self.root)
        self.asking = None
        self._stop_retry.set()
        for worker in (self.server, self.reader, self.devices):
            worker.stop()

    def key(self, _window, key, *_args) -> bool:
        """F1..F12: the actions; Tab: compact bar or full view; Enter and Esc: the
        panel's confirm and cancel."""
        from caller.actions import run_action
        if self.mode != WORK:
            if key == state.KEY_ENTER:
                self.root.submit_log_in()
                return True
            return False
        if key == state.KEY_ESCAPE and self.panel is not None:
            self.close_panel()
            return True
        if key == state.KEY_ENTER and self.panel is not None:
            self.panel.confirm()
            return True
        if key == state.KEY_TAB and self.panel is None:
            self.set_compact(not self.compact)
            return True
        action = state.ACTION_OF_KEY.get(key)
        if action is None:
            return False
        run_action(self, action)
        return True
