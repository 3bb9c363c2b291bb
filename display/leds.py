"""`yichuang leds`: the LED window screens follow the hall's calls.

    yichuang leds --server http://127.0.0.1:8750 --token demo-display \\
                  --hall config/demo-hall.toml

The hall's `[[devices]]` of kind `led` are the screens: one with a `window` is that
window's, one without is a hall screen (综合屏) showing the calls in progress
(`hall_screen_for`: a new call alone, flashing; then as many as fit, newest first; a
welcome when there are none). Each is at the RS-485 address in its URL
(`serial:///dev/ttyUSB0?address=3`); screens whose URLs name the same port (the URL
without `address`) share one bus, driven by one thread. The
display role's event stream is folded by `core.board.Board` (the board's own fold),
and each window's screen shows (`screen_for`):

    a ticket called or recalled there (pickup too)  请A012号      SHOW_CALL (flashing;
                                                                  steady from a snapshot)
    serving it                                      A012 办理中   SHOW_TEXT
    paused                                          暂停服务      SHOW_TEXT
    closed (a dark screen looks broken)             暂停服务      SHOW_TEXT
    open and idle                                   1号窗口       SHOW_IDLE (its name)

A screen that does not answer is tried `retries` more times, then reported as a device
fault (`offline`) through the display's device health route and tried again only every
`probe_seconds` with a single try, so it never holds up the rest of its bus; it is
reported `ok` again when it answers. A port that fails (a cable pulled) is reopened
every few seconds; nothing here stops the bridge but SIGTERM (or Ctrl-C).
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field

from core.board import Board
from core.events import LoggedEvent, Snapshot
from core.messages import N_, translator
from core.settings.schema import HallSettings
from hardware.buses import devices_by_bus
from hardware.led_screen import (
    SHOW_CALL,
    SHOW_IDLE,
    SHOW_TEXT,
    BusError,
    DeviceSilent,
    LedBus,
    fit_text,
)
from server.client_bridges import (
    HealthReporter,
    connect_bridge,
    follow_until_stopped,
    log_to_stderr,
)

log = logging.getLogger("yichuang.leds")

CALL = N_("No. {number}, please")                   # 请A012号
SERVING = N_("{number} in service")                 # A012 办理中
PAUSED = N_("Service paused")                       # 暂停服务
CLOSED = N_("Window closed")                        # 暂停服务
WINDOW = N_("Window {number}")                      # the idle text in English
# the hall screen (综合屏): the calls in progress, newest first
HALL_CALL = N_("No. {number} to {window}")          # 请A012号到3号窗口
WELCOME = N_("Welcome to {hall}")                   # 欢迎光临渭华区政务服务中心
HALL_SEPARATOR = "  "


# ------------------------------------------------------------------ the screens

@dataclass(frozen=True)
class Screen:
    """One LED screen: its [[devices]] name, window (None: the hall screen, 综合屏,
    which shows the calls in progress), bus and address."""

    device: str
    window: int | None
    bus: str          # the port's URL: the device's URL without `address`
    address: int

    @property
    def place(self) -> str:
        return "the hall" if self.window is None else f"window {self.window}"


def led_screens(settings: HallSettings) -> list[Screen]:
    """The hall's LED screens: a device with a `window` is that window's screen, one
    without is a hall screen. ValueError naming the device for a URL without a good
    address, two screens at one address of a bus, or one port with two line settings."""
    return [Screen(*found) for found in devices_by_bus(settings.devices, "led",
                                                       windows_only=False)]


@dataclass(frozen=True)
class Shown:
    command: int      # SHOW_CALL, SHOW_TEXT or SHOW_IDLE
    text: str


def screen_for(board: Board, window: int, language: str = "zh",
               flash: bool = False) -> Shown:
    """What the window's screen shows now (pure), made showable (`fit_text`); `flash`:
    the window's ticket was just called, so the call flashes."""
    shown = _screen_for(board, window, language, flash)
    return Shown(shown.command, fit_text(shown.text))


def hall_screen_for(board: Board, hall_name: str, language: str = "zh",
                    flash: bool = False) -> Shown:
    """What the hall screen shows now (pure): the calls in progress, newest first, as
    many as fit (`flash`: one was just made, so it shows alone, flashing); with none,
    a welcome."""
    tr = translator("leds", language)
    calls = [tr(HALL_CALL, number=call.number,
                window=call.window_name if language == "zh"
                else tr(WINDOW, number=call.window))
             for call in board.latest()]
    if not calls:
        return Shown(SHOW_IDLE, fit_text(tr(WELCOME, hall=hall_name)))
    if flash:
        return Shown(SHOW_CALL, fit_text(calls[0]))
    text = calls[0]
    for more in calls[1:]:
        longer = text + HALL_SEPARATOR + more
        if fit_text(longer) != longer:
            break
        text = longer
    return Shown(SHOW_TEXT, fit_text(text))


def _screen_for(board: Board, window: int, language: str, flash: bool) -> Shown:
    tr = translator("leds", language)
    state = board.windows.get(window)
    if state is None or state.status == "closed":
        return Shown(SHOW_TEXT, tr(CLOSED))
    if state.status == "paused":
        return Shown(SHOW_TEXT, tr(PAUSED))
    ticket = board.tickets.get(state.current) if state.current else None
    if ticket is not None and ticket.state == "serving":
        return Shown(SHOW_TEXT, tr(SERVING, number=ticket.number))
    if ticket is not None and ticket.state == "called":
        return Shown(SHOW_CALL if flash else SHOW_TEXT, tr(CALL, number=ticket.number))
    name = state.name if language == "zh" else tr(WINDOW, number=window)
    return Shown(SHOW_IDLE, name)


# ------------------------------------------------------------------ one bus

@dataclass
class _ScreenState:
    screen: Screen
    wanted: Shown | None = None
    version: int = 0
    acked_version: int = 0
    acked_text: str | None = None
    answering: bool | None = None          # None: not known yet
    next_try: float = 0.0                  # a silent screen's next probe
    next_poll: float = 0.0                 # an answering screen's next status question

    @property
    def pending(self) -> bool:
        return self.wanted is not None and self.version > self.acked_version


@dataclass
class BusTiming:
    answer_timeout: float = 0.2      # per try; at 9600 baud a reply takes under 20 ms
    retries: int = 2                 # more tries for a screen believed to answer
    probe_seconds: float = 5.0       # a silent screen is tried again this often, once
    poll_seconds: float = 30.0       # an idle screen is asked its status this often
    reopen_seconds: tuple[float, float] = (0.5, 5.0)   # a failed port: first, longest wait
    hold_call_seconds: float = 6.0   # a new call stays alone on a hall screen (it flashes)


@dataclass
class BusWorker:
    """The thread that drives one bus: newest text per screen, answering screens first."""

    url: str
    screens: list[Screen]
    health: HealthReporter
    timing: BusTiming = field(default_factory=BusTiming)

    def __post_init__(self) -> None:
        self.bus = LedBus(self.url, [s.address for s in self.screens],
                          answer_timeout=self.timing.answer_timeout,
                          retries=self.timing.retries, reopen_after=self.timing.reopen_seconds)
        self.states = {s.address: _ScreenState(s) for s in self.screens}
        self._changed = threading.Condition()
        self._stopping = False
        self.port_down = False
        self.thread = threading.Thread(target=self._run, name=f"led-bus {self.url}",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()

    def show(self, address: int, shown: Shown) -> None:
        with self._changed:
            state = self.states[address]
            state.wanted, state.version = shown, state.version + 1
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def join(self, timeout: float | None = None) -> None:
        self.thread.join(timeout)
        self.bus.close()

    def _run(self) -> None:
        while True:
            with self._changed:
                job = self._next_job()
                while job is None and not self._stopping:
                    self._changed.wait(self._wait_seconds())
                    job = self._next_job()
                if self._stopping:
                    return
            self._do(*job)

    def _next_job(self) -> tuple[_ScreenState, Shown | None, int] | None:
        """(screen, what to show or None for a status question, its version)."""
        now = time.monotonic()
        if self.bus.reopen_in() > 0:                 # the failed port's pause
            return None
        for state in sorted(self.states.values(), key=lambda s: s.answering is False):
            silent = state.answering is False
            if silent and state.next_try > now:
                continue
            if state.pending:
                if (state.answering and state.wanted.command != SHOW_CALL
                        and state.wanted.text == state.acked_text):
                    state.acked_version = state.version        # already shown
                    continue
                return state, state.wanted, state.version
            if silent or (state.answering and state.next_poll <= now):
                return state, None, state.version
        return None

    def _wait_seconds(self) -> float:
        now = time.monotonic()
        down = self.bus.reopen_in()
        times = [now + down] if down > 0 else []
        times += [s.next_try if s.answering is False else s.next_poll
                  for s in self.states.values() if s.answering is not None]
        return max(0.01, min(times, default=now + 60) - now)

    def _do(self, state: _ScreenState, shown: Shown | None, version: int) -> None:
        screen = state.screen
        retries = 0 if state.answering is False else None
        try:
            if shown is None:
                reply = self.bus.status(screen.address, retries=retries)
            else:
                reply = self.bus.send(screen.address, shown.command, shown.text,
                                      retries=retries)
        except DeviceSilent as silent:
            self._silent(state, silent)
        except BusError as error:
            self._port_failed(error)
        else:
            self._answered(state, shown, version, reply)

    def _answered(self, state, shown, version, reply) -> None:
        screen = state.screen
        with self._changed:
            was = state.answering
            state.answering, state.next_poll = True, time.monotonic() + self.timing.poll_seconds
            if shown is not None:
                state.acked_version = max(state.acked_version, version)
                state.acked_text = shown.text
            elif reply.ok and reply.shown_text != state.acked_text:
                state.acked_text, state.acked_version = None, 0      # it forgot: show again
            reopened, self.port_down = self.port_down, False
        if reopened:
            log.info("LED bus %s works again", self.url)
        if was is False:
            log.info("%s (%s) answers again", screen.device, screen.place)
        if shown is not None:   # every call: debug (a fake screen logs what it shows)
            log.debug("%s (%s): %s", screen.device, screen.place, shown.text)
        if not reply.ok:
            log.warning("%s refused %r (status %d)", screen.device, shown, reply.status)
        self.health.report(screen.device, "ok")

    def _silent(self, state: _ScreenState, silent: DeviceSilent) -> None:
        screen = state.screen
        with self._changed:
            was = state.answering
            state.answering, state.acked_text, state.acked_version = False, None, 0
            state.next_try = time.monotonic() + self.timing.probe_seconds
        if was is not False:
            log.warning("%s (%s) does not answer: %s", screen.device, screen.place,
                        silent)
        self.health.report(screen.device, "fault", "offline",
                           f"no answer at address {screen.address} on {self.url} "
                           f"({silent.reason})")

    def _port_failed(self, error: BusError) -> None:
        """The port failed or will not open: every screen of the bus is at fault, and
        the port is tried again after a wait that doubles up to its longest."""
        with self._changed:
            was_down, self.port_down = self.port_down, True
            for state in self.states.values():
                state.answering, state.acked_text, state.acked_version = None, None, 0
        if not was_down:
            log.error("LED bus %s failed: %s; opening it again every few seconds",
                      self.url, error.reason)
        for state in self.states.values():
            self.health.report(state.screen.device, "fault", "offline",
                               f"the bus's port failed: {error.reason}")


# ------------------------------------------------------------------ the bridge

class LedBridge:
    """The hall's window screens following the display's event stream."""

    def __init__(self, screens: list[Screen], settings: HallSettings, health: HealthReporter,
                 language: str = "zh", timing: BusTiming | None = None) -> None:
        self.board, self.language, self.health = Board(settings), language, health
        self.hall_name = settings.name if language == "zh" else (
            settings.name_en or settings.name)
        buses: dict[str, list[Screen]] = {}
        for screen in screens:
            buses.setdefault(screen.bus, []).append(screen)
        self.workers = {url: BusWorker(url, on_bus, health, timing or BusTiming())
                        for url, on_bus in buses.items()}
        self._screens = {s.window: [] for s in screens}
        for screen in screens:
            self._screens[screen.window].append((self.workers[screen.bus], screen.address))
        self._shown: dict[int | None, Shown] = {}
        # A new call stays alone on the hall screens for `hold_call_seconds`: the calls
        # in progress come back after it (a timer), unless another call comes first.
        self.hold_seconds = (timing or BusTiming()).hold_call_seconds
        self._lock = threading.RLock()            # the stream's thread and the timer's
        self._hall_held_until = 0.0
        self._hall_timer: threading.Timer | None = None

    def start(self) -> None:
        self.health.start()
        for worker in self.workers.values():
            worker.start()

    def apply(self, item: Snapshot | LoggedEvent) -> None:
        """Fold one item of the stream and set the screens it changed."""
        with self._lock:
            called = None
            if isinstance(item, Snapshot):
                self.board.load(item)
                self._shown = {}           # set every screen again (a skip if it shows it)
            else:
                change = self.board.apply(item)
                if change is None:
                    return                 # a replay after a reconnect
                called = change.new_call.window if change.new_call else None
            for window in self._screens:
                if window is None:
                    self._hall_screens(flash=called is not None)
                else:
                    flash = window == called
                    self._set(window, screen_for(self.board, window, self.language, flash),
                              flash)

    def _hall_screens(self, flash: bool) -> None:
        """A call anywhere flashes alone; otherwise, once its hold is over, the calls in
        progress (until then a timer waits to show them)."""
        now = time.monotonic()
        if not flash and now < self._hall_held_until:
            if self._hall_timer is None:
                self._hall_timer = threading.Timer(self._hall_held_until - now,
                                                   self._hold_over)
                self._hall_timer.daemon = True
                self._hall_timer.start()
            return
        if flash:
            self._hall_held_until = now + self.hold_seconds
        self._set(None, hall_screen_for(self.board, self.hall_name, self.language, flash),
                  flash)

    def _hold_over(self) -> None:
        with self._lock:
            self._hall_timer = None
            self._hall_screens(flash=False)

    def _set(self, window: int | None, shown: Shown, flash: bool) -> None:
        if shown == self._shown.get(window) and not flash:
            return
        self._shown[window] = shown
        for worker, address in self._screens[window]:
            worker.show(address, shown)

    def follow(self, stream) -> None:
        for item in stream:
            self.apply(item)

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            if self._hall_timer is not None:
                self._hall_timer.cancel()
        for worker in self.workers.values():
            worker.stop()
        for worker in self.workers.values():
            worker.join(timeout)
        self.health.stop()
        self.health.join(timeout)


def run(hall: str, server: str, token: str, language: str = "zh",
        timing: BusTiming | None = None) -> int:
    from core.settings.loader import load_settings
    try:
        settings = load_settings(hall)
        screens = led_screens(settings)
    except (OSError, ValueError) as error:
        print(f"yichuang leds: {error}", file=sys.stderr)
        return 2
    if not screens:
        print(f"yichuang leds: {hall} has no [[devices]] of kind led",
              file=sys.stderr)
        return 2
    client = connect_bridge("yichuang leds", server, token, "display", "a display", log,
                            strict=False)
    if client is None:
        return 2
    bridge = LedBridge(screens, settings, HealthReporter(client), language, timing)
    buses = len(bridge.workers)
    return follow_until_stopped("yichuang leds", client, bridge,
                                f"{len(screens)} screens on {buses} bus{'es' if buses > 1 else ''}"
                                f", following {server}")


def main(args) -> int:
    log_to_stderr()
    timing = BusTiming(answer_timeout=args.answer_timeout, retries=args.retries)
    return run(args.hall, args.server, args.token, args.language, timing)
