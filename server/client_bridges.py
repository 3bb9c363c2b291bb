"""How a device bridge (`yichuang leds`, `keypads`, `pads`) starts and stops.

`connect_bridge` asks the server who the token is before the bridge opens its ports:
a refused token, or one of the wrong role, is one line on stderr and the bridge exits
with status 2; a server not reachable yet is waited for (the bridge's own retries).
"""
from __future__ import annotations

import logging
import signal
import sys

from server.client import ApiError, HallClient, ServerUnavailable


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
