"""`yichuang keypads`: the windows' caller keypads (呼叫器) act through the hall server.

    yichuang keypads --server http://127.0.0.1:8750 --token demo-keypads \\
                     --hall config/demo-hall.toml

The hall's `[[devices]]` of kind `keypad` with a `window` are the keypads, each at the
RS-485 address in its URL (`serial:///dev/ttyUSB1?address=3`); keypads whose URLs name
the same port share one bus, polled by one thread (`hardware.keypad.KeypadBus`). The
token is a `keypad` credential that owns those devices (`owner = "keypad-bridge"`): the
server lets it act only at their windows, and only while a clerk is logged in there,
as that clerk (docs/hardware.md). A press becomes the caller app's action:

    key          action            the keypad's screen
    呼叫 / 下一位  call_next          A012 (flashing)  ·  待叫 when nobody waits (the
                                     next citizen is called by itself: the bridge watches
                                     the window and flashes their number when it comes)
    重呼          recall             A012 (flashing)  ·  请15秒后重呼 in the cooldown
    开始办理       start_service      A012 办理中
    办结          finish_service     A012 已办结
    过号          mark_no_show       A012 过号
    暂停 / 恢复    pause_window (reason "break") / resume_window   暂停 / 恢复服务
    转移          refused on the keypad: a transfer needs a note   请在电脑上转移
    评价          none: the pad invites by itself on finish        办结后自动评价

A refusal is said in short Chinese (`未登录` when nobody is logged in at the window,
`暂停` when it is paused; others from `core.messages.refusals.explain`, cut to the
screen). Each press is sent with an Idempotency-Key of its own and, while the server is
away, sent again with the same key for up to `retry_seconds` (the keypad shows 网络中断
meanwhile), so a press never acts twice. Corrupt frames and silent keypads are the
bus's business (logged, retried, marked offline and reported as device faults through
the health route); a pulled cable is reopened by the bus; nothing stops the bridge but
SIGTERM or Ctrl-C (exit 0).
"""
from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass

from core.messages import N_, translator
from core.messages.refusals import explain
from core.settings.schema import HallSettings
from hardware.buses import devices_by_bus
from hardware.keypad import DeviceStatus, Key, KeypadBus, KeyPress, Style
from hardware.rs485 import BusError, DeviceSilent
from server.client import ApiError, HallClient, ServerUnavailable, WindowAnswer
from server.client_bridges import HealthReporter, connect_bridge, log_to_stderr

log = logging.getLogger("yichuang.keypads")

NOBODY_WAITING = N_("Nobody waiting")                # 无人等候
WAITING_NEXT = N_("Waiting for next")               # 待叫: the next one is called by itself
SERVING = N_("{number} in service")                 # A012 办理中
FINISHED = N_("{number} finished")                  # A012 已办结
NO_SHOW = N_("{number} passed")                     # A012 过号
PAUSED = N_("Paused")                               # 暂停
RESUMED = N_("Service resumed")                     # 恢复服务
NOT_LOGGED_IN = N_("Not logged in")                 # 未登录
CLOSED = N_("Window not open")                      # 窗口未开
COOLDOWN = N_("Recall in {seconds} s")              # 请15秒后重呼
TRANSFER_ON_PC = N_("Transfer on the PC")           # 请在电脑上转移
RATING_BY_ITSELF = N_("Rating follows finish")      # 办结后自动评价
OFFLINE = N_("Network down")                        # 网络中断
NOT_SENT = N_("Not sent, press again")              # 未送达，请重按
READY = N_("Ready")                                 # 就绪
PAUSE_REASON = "break"                              # core.windows.PAUSE_REASONS: 暂离

ACTIONS = {Key.CALL_NEXT: "call_next", Key.RECALL: "recall", Key.START: "start_service",
           Key.FINISH: "finish_service", Key.NO_SHOW: "mark_no_show",
           Key.PAUSE: "pause_window", Key.RESUME: "resume_window"}
LOCAL = {Key.TRANSFER: TRANSFER_ON_PC, Key.EVALUATE: RATING_BY_ITSELF}


# ------------------------------------------------------------------ the keypads

@dataclass(frozen=True)
class Keypad:
    """One window's keypad: its [[devices]] name, window, bus and address."""

    device: str
    window: int
    bus: str          # the port's URL: the device's URL without `address`
    address: int


def keypads_of(settings: HallSettings) -> list[Keypad]:
    return [Keypad(*found) for found in devices_by_bus(settings.devices, "keypad")]


# ------------------------------------------------------------------ what the screen says

def answer_screen(key: Key, answer: WindowAnswer, language: str = "zh") -> tuple[str, Style]:
    """What the keypad shows after the server carried out its press (pure)."""
    tr = translator("keypads", language)
    ticket = answer.ticket
    if key in (Key.CALL_NEXT, Key.RECALL):
        if ticket is None and key is Key.CALL_NEXT and answer.window.ready:
            return tr(WAITING_NEXT), Style.TEXT
        if ticket is None or ticket.state != "called":
            return tr(NOBODY_WAITING), Style.ERROR
        return ticket.number, Style.CALLED
    if key is Key.PAUSE:
        return tr(PAUSED), Style.TEXT
    if key is Key.RESUME:
        return tr(RESUMED), Style.TEXT
    number = next((getattr(e.event, "number", "") for e in answer.events), "")
    number = number or (ticket.number if ticket else "")
    said = {Key.START: SERVING, Key.FINISH: FINISHED, Key.NO_SHOW: NO_SHOW}[key]
    return tr(said, number=number), Style.TEXT


def refusal_screen(error: ApiError, window_status: str = "",
                   language: str = "zh") -> tuple[str, Style]:
    """What the keypad shows for a refusal (pure): short words for the usual ones, else
    the refusal's own words (`explain`), which the bus cuts to the screen."""
    tr = translator("keypads", language)
    if error.code == "keypad_no_clerk":
        return tr(NOT_LOGGED_IN), Style.ERROR
    if error.code == "unavailable":
        return tr(OFFLINE), Style.ERROR
    if error.code == "called_while_waiting":     # 待叫: the number is here; show it
        return error.details.get("number", ""), Style.CALLED
    if "retry_after" in error.details:
        return tr(COOLDOWN, seconds=error.details["retry_after"]), Style.ERROR
    if window_status == "paused":
        return tr(PAUSED), Style.ERROR
    if window_status == "closed":
        return tr(CLOSED), Style.ERROR
    return explain(error.code, error.details, error.error, language), Style.ERROR


# ------------------------------------------------------------------ the bridge

class KeypadBridge:
    """Every keypad of the hall: one polling thread per bus, and one worker per window
    that carries out its presses in order and shows each answer."""

    def __init__(self, keypads: list[Keypad], client: HallClient, language: str = "zh",
                 retry_seconds: float = 30.0, bus_options: dict | None = None,
                 watch_seconds: float = 2.0) -> None:
        self.client, self.language, self.retry_seconds = client, language, retry_seconds
        # 待叫: windows whose keypad shows 待叫, watched every `watch_seconds` until the
        # server calls their next citizen (then the number flashes) or they stop waiting
        self.watch_seconds = watch_seconds
        self._watched: dict[int, Keypad] = {}
        self._presses_at: dict[int, int] = {}      # window -> presses so far
        self._watched_lock = threading.Lock()
        self.health = HealthReporter(client)
        self.stop_event = threading.Event()
        self.keypads = {(k.bus, k.address): k for k in keypads}
        self.buses: dict[str, KeypadBus] = {}
        for url in dict.fromkeys(k.bus for k in keypads):
            addresses = [k.address for k in keypads if k.bus == url]
            self.buses[url] = KeypadBus(url, addresses, **(bus_options or {}),
                                        on_status=lambda status, url=url: self._status(url,
                                                                                       status))
        self._queues = {k.window: queue.Queue() for k in keypads}
        self._shown: dict[tuple[str, int], tuple[str, Style]] = {}
        self.threads = [threading.Thread(target=self._poll, args=(url,), daemon=True,
                                         name=f"keypads {url}") for url in self.buses]
        self.threads += [threading.Thread(target=self._serve, args=(window,), daemon=True,
                                          name=f"keypad window {window}")
                         for window in self._queues]
        self.threads.append(threading.Thread(target=self._watch, daemon=True,
                                             name="keypads waiting windows"))
        self.presses = 0

    def start(self) -> None:
        self.health.start()
        for thread in self.threads:
            thread.start()
        self._show_states()

    def stop(self, timeout: float = 3.0) -> None:
        self.stop_event.set()
        for waiting in self._queues.values():
            waiting.put(None)
        for thread in self.threads:
            thread.join(timeout)
        for bus in self.buses.values():
            bus.close()
        self.health.stop()
        self.health.join(timeout)

    def _show_states(self) -> None:
        """未登录 on the keypads of windows nobody is logged in at; 就绪 on the others."""
        windows = self._windows("cannot read the windows yet", logging.WARNING)
        if windows is None:
            return
        tr = translator("keypads", self.language)
        for keypad in self.keypads.values():
            window = windows.get(keypad.window)
            text = tr(READY) if window is not None and window.clerk else tr(NOT_LOGGED_IN)
            self._show(keypad, text, Style.TEXT)

    def _windows(self, failing: str, level: int) -> dict | None:
        """The hall's windows by number, or None (logged) when the server does not say."""
        try:
            return {w.number: w for w in self.client.windows()}
        except ApiError as error:
            log.log(level, "%s (%s)", failing, error)
            return None

    def _status(self, url: str, status: DeviceStatus) -> None:
        keypad = self.keypads.get((url, status.address))
        if keypad is None:
            return
        self.health.report_status(keypad.device, status)
        if status.ok and (url, status.address) in self._shown:
            # back after a pulled cable or a power cut: show what it showed, from a worker
            self._queues[keypad.window].put((keypad, None))

    def _poll(self, url: str) -> None:
        for press in self.buses[url].presses(self.stop_event):
            keypad = self.keypads.get((url, press.address))
            if keypad is None:           # not configured: the bus never polls it anyway
                log.warning("a press at unbound address %d of %s ignored", press.address, url)
                continue
            log.info("%s (window %d): %s", keypad.device, keypad.window, press.key.name)
            self._queues[keypad.window].put((keypad, press))

    def _serve(self, window: int) -> None:
        waiting = self._queues[window]
        while (item := waiting.get()) is not None:
            keypad, press = item
            if press is None:
                shown = self._shown.get((keypad.bus, keypad.address))
                if shown:
                    self._show(keypad, *shown)
                continue
            if isinstance(press, tuple):          # from the watch: (text, style, presses)
                text, style, presses = press
                with self._watched_lock:
                    current = self._presses_at.get(window, 0) == presses
                if current:                       # else a press since: its answer stands
                    self._show(keypad, text, style)
                continue
            try:
                self._show(keypad, *self.act(keypad, press))
            except Exception:                     # a bug must not stop the window's keypad
                log.exception("%s: the press %s failed", keypad.device, press)

    def act(self, keypad: Keypad, press: KeyPress) -> tuple[str, Style]:
        """Carry out one press at the server; what the keypad is to show."""
        tr = translator("keypads", self.language)
        self.presses += 1
        with self._watched_lock:
            self._watched.pop(keypad.window, None)
            self._presses_at[keypad.window] = self._presses_at.get(keypad.window, 0) + 1
        if press.key in LOCAL:
            return tr(LOCAL[press.key]), Style.ERROR
        action = getattr(self.client, ACTIONS[press.key])
        arguments = (PAUSE_REASON,) if press.key is Key.PAUSE else ()
        key = f"keypad-{uuid.uuid4().hex}"           # one per press, kept on its retries
        deadline = time.monotonic() + self.retry_seconds
        while True:
            try:
                answer = action(keypad.window, *arguments, idempotency_key=key)
                if press.key is Key.CALL_NEXT and answer.ticket is None and answer.window.ready:
                    with self._watched_lock:
                        self._watched[keypad.window] = keypad
                return answer_screen(press.key, answer, self.language)
            except ServerUnavailable as error:
                if time.monotonic() >= deadline or self.stop_event.is_set():
                    log.error("%s: %s not sent: %s", keypad.device, press.key.name, error)
                    return tr(NOT_SENT), Style.ERROR
                self._show(keypad, tr(OFFLINE), Style.ERROR, remember=False)
                self.stop_event.wait(1.0)
            except ApiError as error:
                log.info("%s: %s refused: %s", keypad.device, press.key.name, error)
                return refusal_screen(error, self._window_status(keypad.window),
                                      self.language)

    def _watch(self) -> None:
        """待叫: while a keypad shows 待叫, read its window every `watch_seconds`; when
        the server has called a citizen there, flash the number as a press would, so the
        clerk does not press "call next" again and pass them over (过号)."""
        while not self.stop_event.wait(self.watch_seconds):
            with self._watched_lock:
                watched = dict(self._watched)
            if not watched:
                continue
            windows = self._windows("cannot read the waiting windows", logging.INFO)
            if windows is None:
                continue
            tr = translator("keypads", self.language)
            for number, keypad in watched.items():
                window = windows.get(number)
                if window is not None and window.ready and not window.current:
                    continue
                shown = ((window.current, Style.CALLED) if window is not None and window.current
                         else (tr(READY), Style.TEXT))
                with self._watched_lock:
                    if self._watched.get(number) is not keypad:
                        continue          # a press since: its answer is on the screen
                    del self._watched[number]
                    presses = self._presses_at.get(number, 0)
                self._queues[number].put((keypad, (*shown, presses)))

    def _window_status(self, number: int) -> str:
        try:
            return next((w.status for w in self.client.windows() if w.number == number), "")
        except ApiError:
            return ""

    def _show(self, keypad: Keypad, text: str, style: Style, remember: bool = True) -> None:
        if remember:
            self._shown[(keypad.bus, keypad.address)] = (text, style)
        try:
            self.buses[keypad.bus].show(keypad.address, text, style)
        except (DeviceSilent, BusError) as error:
            log.warning("%s: %r not shown (%s)", keypad.device, text, error)


def run(hall: str, server: str, token: str, language: str = "zh",
        bus_options: dict | None = None) -> int:
    from core.settings.loader import load_settings
    try:
        keypads = keypads_of(load_settings(hall))
    except (OSError, ValueError) as error:
        print(f"yichuang keypads: {error}", file=sys.stderr)
        return 2
    if not keypads:
        print(f"yichuang keypads: {hall} has no [[devices]] of kind keypad with a window",
              file=sys.stderr)
        return 2
    client = connect_bridge("yichuang keypads", server, token, "keypad",
                            "a keypad bridge (role keypad)", log)
    if client is None:
        return 2
    bridge = KeypadBridge(keypads, client, language, bus_options=bus_options)
    signal.signal(signal.SIGTERM, lambda *_: bridge.stop_event.set())
    signal.signal(signal.SIGINT, lambda *_: bridge.stop_event.set())
    bridge.start()
    print(f"yichuang keypads: {len(keypads)} keypads on {len(bridge.buses)} "
          f"bus{'es' if len(bridge.buses) > 1 else ''}, acting on {server}", flush=True)
    while not bridge.stop_event.wait(0.5):
        pass
    bridge.stop()
    print("yichuang keypads: stopped", flush=True)
    return 0


def main(args) -> int:
    log_to_stderr()
    options = {"answer_timeout": args.answer_timeout, "round_seconds": args.round_seconds}
    return run(args.hall, args.server, args.token, args.language, options)
