"""`yichuang pads`: the windows' 好差评 rating pads invite a rating when a service ends.

    yichuang pads --server http://127.0.0.1:8750 --token demo-pads \\
                  --hall config/demo-hall.toml

The hall's `[[devices]]` of kind `rating_pad` with a `window` are the pads (address 1,
or the URL's `address=N`; pads on one port share a bus, `hardware.rating_pad`). The
token is a `rating_pad` credential that owns those devices (`owner = "pads-bridge"`):
it follows the board's event stream and may rate only what those windows served
(`POST /api/ratings` with the window; the server binds the rating to the ticket, the
window, its clerk and its matter, and refuses a second rating of one service).

    ServiceFinished at a pad's window    invite: the pad shows the number, five buttons
    非常满意 / 满意 / 基本满意             rated at once, 谢谢 shown
    不满意 / 非常不满意                    the pad asks why, from [ratings] reasons;
                                         the chosen reason is sent with the level
    no button within invite_seconds     level 0, "none" (未评价): never counted as good
    a bad level, no reason in time      the level with [ratings] unexplained (未说明)
    the next finish while one is open   the open one ends as above (none, or unexplained)
    the pad silent or its port down     none: the citizen could not rate

Ratings go to the server from a worker thread, each with an Idempotency-Key of its own
kept across retries while the server is away, so one is never recorded twice.
"""
from __future__ import annotations

import logging
import queue
import sys
import threading
import uuid
from dataclasses import dataclass

from core.events import LoggedEvent, ServiceFinished
from core.settings.ratings import RatingSettings
from core.settings.schema import HallSettings
from hardware.buses import devices_by_bus
from hardware.rating_pad import DeviceStatus, EventKind, Level, PadEvent, RatingPadBus
from hardware.rs485 import BusError, DeviceSilent
from server.client import ApiError, HallClient, ServerUnavailable
from server.client_bridges import (
    HealthReporter,
    connect_bridge,
    follow_until_stopped,
    log_to_stderr,
)

log = logging.getLogger("yichuang.pads")
NOT_RATED = 0


@dataclass(frozen=True)
class Pad:
    device: str
    window: int
    bus: str
    address: int


def pads_of(settings: HallSettings) -> list[Pad]:
    return [Pad(*found) for found in devices_by_bus(settings.devices, "rating_pad", "1")]


@dataclass
class _Open:
    number: str
    invitation: int
    level: int | None = None      # a bad level waiting for its reason


@dataclass(frozen=True)
class Outcome:
    """What is sent for one service: its ticket, window, level (0: none) and reason."""

    number: str
    window: int
    level: int
    reason: str = ""


class PadBridge:
    """Every pad of the hall: one polling thread per bus, the stream's thread inviting,
    one worker sending the outcomes."""

    def __init__(self, pads: list[Pad], client: HallClient, ratings: RatingSettings,
                 bus_options: dict | None = None) -> None:
        self.client, self.ratings = client, ratings
        self.health = HealthReporter(client)
        self.stop_event = threading.Event()
        self.pads = {(p.bus, p.address): p for p in pads}
        self.by_window = {p.window: p for p in pads}
        self.buses = {url: RatingPadBus(url, [p.address for p in pads if p.bus == url],
                                        **(bus_options or {}),
                                        on_status=lambda s, url=url: self._status(url, s))
                      for url in dict.fromkeys(p.bus for p in pads)}
        self._open: dict[tuple[str, int], _Open] = {}
        self._lock = threading.Lock()
        self._outcomes: queue.Queue = queue.Queue()
        self.sent: list[Outcome] = []
        self.threads = [threading.Thread(target=self._poll, args=(url,), daemon=True,
                                         name=f"pads {url}") for url in self.buses]
        self.threads.append(threading.Thread(target=self._send, daemon=True, name="ratings"))

    def start(self) -> None:
        self.health.start()
        for thread in self.threads:
            thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self.stop_event.set()
        self._outcomes.put(None)
        for thread in self.threads:
            thread.join(timeout)
        for bus in self.buses.values():
            bus.close()
        self.health.stop()
        self.health.join(timeout)

    def _status(self, url: str, status: DeviceStatus) -> None:
        pad = self.pads.get((url, status.address))
        if pad is not None:
            self.health.report_status(pad.device, status)

    # ---------------------------------------------------------------- the stream

    def apply(self, item) -> None:
        """One item of the board's stream: a finished service at a pad's window invites."""
        if not isinstance(item, LoggedEvent) or not isinstance(item.event, ServiceFinished):
            return
        pad = self.by_window.get(item.event.window)
        if pad is not None:
            self.invite(pad, item.event.number)

    def follow(self, stream) -> None:
        for item in stream:
            self.apply(item)

    def invite(self, pad: Pad, number: str) -> None:
        where = (pad.bus, pad.address)
        with self._lock:
            earlier = self._open.pop(where, None)
        if earlier is not None:                 # the next citizen came before a rating
            self._give_up(pad, earlier)
        bus = self.buses[pad.bus]
        with self._lock:          # held until it is open: the pad may answer at once
            try:
                invitation = bus.invite(pad.address, number, self.ratings.invite_seconds)
            except (DeviceSilent, BusError) as error:
                log.warning("%s: no invitation for %s (%s): recorded as no rating",
                            pad.device, number, error)
                self._record(Outcome(number, pad.window, NOT_RATED))
                return
            self._open[where] = _Open(number, invitation)
        log.info("%s (window %d): invites a rating of %s", pad.device, pad.window, number)

    # ---------------------------------------------------------------- the pads

    def _poll(self, url: str) -> None:
        bus = self.buses[url]
        for event in bus.events(self.stop_event):
            pad = self.pads.get((url, event.address))
            if pad is None:
                continue
            try:
                self.handle(pad, event)
            except Exception:           # a bug must not stop the bus
                log.exception("%s: %s failed", pad.device, event)

    def handle(self, pad: Pad, event: PadEvent) -> None:
        where = (pad.bus, pad.address)
        with self._lock:
            opened = self._open.get(where)
            if opened is None or opened.invitation != event.invitation:
                return
            if event.kind is EventKind.LEVEL and event.level.bad:
                opened.level = int(event.level)
            else:
                del self._open[where]
        bus = self.buses[pad.bus]
        if event.kind is EventKind.LEVEL and event.level.bad:
            try:
                bus.ask_reason(pad.address, event.invitation, self.ratings.reasons,
                               self.ratings.reason_seconds)
            except (DeviceSilent, BusError) as error:
                log.warning("%s: reasons not shown (%s)", pad.device, error)
                with self._lock:
                    self._open.pop(where, None)
                self._record(Outcome(opened.number, pad.window, int(event.level),
                                     self.ratings.unexplained))
            return
        if event.kind is EventKind.LEVEL:
            self._record(Outcome(opened.number, pad.window, int(event.level)))
        elif event.kind is EventKind.REASON:
            reasons = self.ratings.reasons
            reason = reasons[event.reason - 1] if event.reason <= len(reasons) \
                else self.ratings.unexplained
            self._record(Outcome(opened.number, pad.window, opened.level or Level(1), reason))
        else:
            self._give_up(pad, opened)
            return
        self._say(pad, self.ratings.thanks)

    def _give_up(self, pad: Pad, opened: _Open) -> None:
        """An invitation that ended without a whole rating: none, or the bad level kept
        with the unexplained reason."""
        if opened.level is None:
            log.info("%s: no rating of %s came: recorded as none", pad.device, opened.number)
            self._record(Outcome(opened.number, pad.window, NOT_RATED))
        else:
            self._record(Outcome(opened.number, pad.window, opened.level,
                                 self.ratings.unexplained))

    def _say(self, pad: Pad, text: str) -> None:
        if not text:
            return
        try:
            self.buses[pad.bus].thank(pad.address, text)
        except (DeviceSilent, BusError) as error:
            log.warning("%s: %r not shown (%s)", pad.device, text, error)

    # ---------------------------------------------------------------- the server

    def _record(self, outcome: Outcome) -> None:
        self._outcomes.put((outcome, f"pad-{uuid.uuid4().hex}"))

    def _send(self) -> None:
        while (item := self._outcomes.get()) is not None:
            outcome, key = item
            while True:
                try:
                    self.client.submit_rating(outcome.number, outcome.level, outcome.reason,
                                              window=outcome.window, idempotency_key=key)
                    log.info("rating of %s at window %d: %d %s", outcome.number,
                             outcome.window, outcome.level, outcome.reason)
                except ServerUnavailable as error:
                    log.warning("rating of %s not sent yet: %s", outcome.number, error)
                    if self.stop_event.wait(2.0):
                        break
                    continue
                except ApiError as error:
                    log.error("rating of %s refused: %s", outcome.number, error)
                self.sent.append(outcome)
                break


def run(hall: str, server: str, token: str, bus_options: dict | None = None) -> int:
    from core.settings.loader import load_settings
    try:
        settings = load_settings(hall)
        pads = pads_of(settings)
    except (OSError, ValueError) as error:
        print(f"yichuang pads: {error}", file=sys.stderr)
        return 2
    if not pads:
        print(f"yichuang pads: {hall} has no [[devices]] of kind rating_pad with a window",
              file=sys.stderr)
        return 2
    client = connect_bridge("yichuang pads", server, token, "rating_pad", "a rating_pad",
                            log)
    if client is None:
        return 2
    bridge = PadBridge(pads, client, settings.ratings, bus_options)
    buses = len(bridge.buses)
    return follow_until_stopped("yichuang pads", client, bridge,
                                f"{len(pads)} pads on {buses} bus{'es' if buses > 1 else ''}, "
                                f"following {server}")


def main(args) -> int:
    log_to_stderr()
    return run(args.hall, args.server, args.token, {"answer_timeout": args.answer_timeout})
