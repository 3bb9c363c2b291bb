"""The bench hall (60 windows, 20 kiosks), how it is prepared, and what its clients do.

A clerk's cycle and a kiosk's cycle run through the product's own client
(`server.client.HallClient`); `Subscription` parses one event stream and times
every event against its `at`. The processes that run them are in
`bench/load_clients.py`.
"""
from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from core.settings.loader import load_settings
from core.settings.schema import Credential, WindowSpec
from server.auth import hash_token
from server.client import HallClient

DEMO_HALL = Path(__file__).resolve().parent.parent / "config" / "demo-hall.toml"
WINDOWS, KIOSKS, COPIES = 60, 20, 4
PREFILL = 300
BENCH_TOKENS = {"display": "bench-display", "manager": "bench-manager"}
KEYPAD_TOKEN = "bench-keypads"


def clerk_token(window: int) -> str:
    return f"bench-clerk-{window:02d}"


def kiosk_token(kiosk: int) -> str:
    return f"bench-kiosk-{kiosk:02d}"


def big_hall():
    """The demo hall's 15 windows four times over: 60 windows, same pools and skills,
    bench tokens, and no limit on how fast a kiosk may issue."""
    demo = load_settings(DEMO_HALL)
    windows = tuple(WindowSpec(number=w.number + copy * len(demo.windows),
                               name=f"{w.number + copy * len(demo.windows)}号窗口", pool=w.pool,
                               skills=w.skills, also_serves=w.also_serves, lunch_break=None)
                    for copy in range(COPIES) for w in demo.windows)
    credentials = [Credential(f"clerk-{n:02d}", "clerk", hash_token(clerk_token(n)))
                   for n in range(1, WINDOWS + 1)]
    credentials += [Credential(f"kiosk-{n:02d}", "kiosk", hash_token(kiosk_token(n)))
                    for n in range(1, KIOSKS + 1)]
    credentials += [Credential(role, role, hash_token(token))
                    for role, token in BENCH_TOKENS.items()]
    # the keypad bridge (bench/keypads.py): the demo's keypads are owned by keypad-bridge
    credentials.append(Credential("keypad-bridge", "keypad", hash_token(KEYPAD_TOKEN)))
    # The bench measures the server, not the hall's rate limits for kiosks (防黄牛):
    # every bench client comes from 127.0.0.1 and issues far faster than a citizen.
    rules = replace(demo.rules, tickets_per_device_per_minute=10**9,
                    tickets_per_address_per_minute=10**9)
    # ... nor its opening hours: the bench runs whenever it is run, nights and Sundays too.
    hours = replace(demo.hours, refuse_outside_hours=False)
    return replace(demo, windows=windows, credentials=tuple(credentials), rules=rules,
                   hours=hours)


def subjects() -> list[str]:
    """What the bench's citizens come for: every matter an acceptance window takes."""
    hall = load_settings(DEMO_HALL)
    return [m.code for m in hall.matters if m.pool.startswith("acceptance")]


def prepare_hall(url: str) -> None:
    """Staff and open every window, and fill the line so windows always have work."""
    for window in range(1, WINDOWS + 1):
        clerk = HallClient(url, clerk_token(window))
        clerk.log_in(window)
        clerk.open_window(window)
    kiosk = HallClient(url, kiosk_token(1))
    rng = random.Random(7)
    choices = subjects()
    for _ in range(PREFILL):
        kiosk.issue_ticket(rng.choice(choices))


# --- actors -------------------------------------------------------------------------

def clerk(client: HallClient, window: int):
    """A clerk's day in miniature, one action a step: call the next citizen, start,
    finish. A step that fails (the error goes to the caller) starts over with a call."""
    state = {"next": "call"}

    def step() -> None:
        now, state["next"] = state["next"], "call"
        if now == "call":
            if client.call_next(window).ticket is not None:
                state["next"] = "start"
        elif now == "start":
            client.start_service(window)
            state["next"] = "finish"
        else:
            client.finish_service(window)
    return step


def kiosk(client: HallClient, rng: random.Random, choices: list[str]):
    """A kiosk issuing a number for a random matter, one a step."""
    return lambda: client.issue_ticket(rng.choice(choices))


# --- subscribers ----------------------------------------------------------------------

_ID = re.compile(rb"^id: (\d+)$", re.M)
_AT = re.compile(rb'"at":"([^"]+)"')


class Subscription:
    def __init__(self) -> None:
        self.buffer = b""
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.gaps = 0
        self.delays: list[float] = []

    def feed(self, data: bytes, received: float) -> None:
        self.buffer += data
        *frames, self.buffer = self.buffer.split(b"\n\n")
        for frame in frames:
            found = _ID.search(frame)
            if found is None:
                continue                     # headers, retry, keep-alive comments
            event_id = int(found.group(1))
            if b"event: snapshot" in frame:
                self.first_id = self.last_id = event_id
                continue
            if self.last_id is not None and event_id != self.last_id + 1:
                self.gaps += 1
            self.last_id = event_id
            at = _AT.search(frame)
            if at:
                self.delays.append(received - datetime.fromisoformat(at.group(1).decode())
                                   .timestamp())
