"""How a device bridge (`yichuang leds`, `keypads`, `pads`) starts, stops and reports
its devices' health (`HealthReporter`).

`connect_bridge` asks the server who the token is before the bridge opens its ports:
a refused token, or one of the wrong role, is one line on stderr and the bridge exits
with status 2; a server not reachable yet is waited for (the bridge's own retries).
"""
from __future__ import annotations

import logging
import signal
import sys
import threading

from server.client import ApiError, HallClient, ServerUnavailable

log = logging.getLogger("yichuang.bridges")


def connect_bridge(command: str, server: str, token: str, role: str, what: str,
                   log: logging.Logger, strict: bool = True) -> HallClient | None:
    """The bridge's client, or None after saying on stderr why it cannot start.
    `what` names the role for a person ("a keypad bridge (role keypad)"); with
    `strict` False another role is only warned about (its rights may differ)."""
    client = HallClient(server, token)
    try:
        identity = client.whoami()
    except ServerUnavailable as error:
        log.warning("the server is not reachable yet (%s): waiting for it", error)
        return client
    except ApiError as error:
        print(f"{command}: the server refuses the token: {error}", file=sys.stderr)
        return None
    if identity.role != role:
        if strict:
            print(f"{command}: {identity.name} is a {identity.role}, not {what}",
                  file=sys.stderr)
            return None
        log.warning("%s is a %s, not %s: its stream and its rights may differ",
                    identity.name, identity.role, what)
    return client


def follow_until_stopped(command: str, client: HallClient, bridge, ready: str) -> int:
    """Start `bridge`, hand it the event stream until SIGTERM or SIGINT closes the
    stream, then stop it cleanly; the exit status, 0."""
    stream = client.events()

    def stop(*_signal) -> None:
        stream.close()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bridge.start()
    print(f"{command}: {ready}", flush=True)
    try:
        bridge.follow(stream)
    finally:
        bridge.stop()
    print(f"{command}: stopped", flush=True)
    return 0


def log_to_stderr() -> None:
    """A bridge's log on stderr, unless the process has set up logging already."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")


class HealthReporter(threading.Thread):
    """Sends each device's health to the server when it changes, from its own thread:
    the newest state per device, a server that is away tried again every
    `retry_seconds`, so the buses never wait for it. Every bridge uses it."""

    def __init__(self, client: HallClient | None, retry_seconds: float = 2.0) -> None:
        super().__init__(name="device-health", daemon=True)
        self.client, self.retry_seconds = client, retry_seconds
        self._wanted: dict[str, tuple[str, str, str]] = {}
        self._sent: dict[str, tuple[str, str]] = {}
        self._changed = threading.Condition()
        self._stopping = False

    def report(self, device: str, state: str, code: str = "", detail: str = "") -> None:
        with self._changed:
            before = self._wanted.get(device)
            if before is not None and before[:2] == (state, code):
                return
            self._wanted[device] = (state, code, detail[:200])
            self._changed.notify_all()

    def report_status(self, device: str, status) -> None:
        """A bus's DeviceStatus (hardware.rs485): ok, or a fault `offline`."""
        if status.ok:
            self.report(device, "ok")
        else:
            self.report(device, "fault", "offline", status.detail)

    def state_of(self, device: str) -> str:
        with self._changed:
            return self._wanted.get(device, ("unknown",))[0]

    def _pending(self) -> list[tuple[str, tuple[str, str, str]]]:
        return [(device, wanted) for device, wanted in self._wanted.items()
                if self._sent.get(device) != wanted[:2]]

    def run(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and not self._pending():
                    self._changed.wait()
                if self._stopping:
                    return
                pending = self._pending()
            for device, (state, code, detail) in pending:
                if not self._send(device, state, code, detail):
                    with self._changed:
                        self._changed.wait(self.retry_seconds)
                    break

    def _send(self, device: str, state: str, code: str, detail: str) -> bool:
        """False when the server could not be reached (try again later)."""
        if self.client is not None:
            try:
                self.client.report_device(device, state, code, detail)
            except ServerUnavailable as error:
                log.warning("cannot report %s %s yet: %s", device, state, error)
                return False
            except ApiError as error:
                log.error("the server refuses the health of %s (%s); the bridge's "
                          "credential must own it: owner = \"<its name>\" in its "
                          "[[devices]] entry", device, error)
        with self._changed:
            self._sent[device] = (state, code)
        return True

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
