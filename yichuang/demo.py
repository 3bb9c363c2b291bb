"""`yichuang demo`: the demo hall with a live simulated day, and what it prints at start.

`DemoStart(settings, args)` is handed to `server.http.serve_forever`: `started(port)`
prints where to look (the board, a phone page, the manager's and booking pages, the
kiosk, display, LED, caller, keypad and pad commands, the back office) and starts the
live hall (`yichuang/live_hall.py`); `stopping()` ends it before the server stops.
`--quiet-hall` serves an idle hall.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from core.settings.schema import HallSettings

# The simulated citizens take their numbers at one kiosk from 127.0.0.1, at up to
# three a minute for every minute of pace: past the 防黄牛 limits a real kiosk keeps.
CROWD_LIMIT = 1_000_000
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


def crowd_settings(settings: HallSettings) -> HallSettings:
    """The hall with its per-kiosk and per-address number limits lifted for the crowd."""
    rules = replace(settings.rules, tickets_per_device_per_minute=CROWD_LIMIT,
                    tickets_per_address_per_minute=CROWD_LIMIT)
    return replace(settings, rules=rules)


def local_url(host: str, port: int) -> str:
    """The server's URL from this machine."""
    host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def public_base(settings: HallSettings, host: str, port: int) -> str:
    """Where people reach the server: the configured `public_url`, unless the demo runs
    on another host or port than the configuration's."""
    server = settings.server
    if (host, port) == (server.host, server.port) and server.public_url:
        return server.public_url.rstrip("/")
    return local_url(host, port)


def command_name() -> str:
    here = Path(".venv/bin/yichuang")
    return str(here) if here.exists() else "yichuang"


def where_to_look(base: str, hall_file: str, commands: set[str], live: bool) -> list[str]:
    """The lines the demo prints once it serves (apps whose command exists)."""
    program = command_name()
    manager = "curl -s -H 'Authorization: Bearer demo-manager'"
    lines = [
        f"  the hall's board (any browser, a TV):  {base}/board",
        ("  a citizen's phone page:                printed below once the crowd "
         "takes numbers" if live else
         "  a citizen's phone page:                the phone_url of any ticket issued"),
        f"  booking an appointment (phone):        {base}/book",
        f"  the manager's console (值班长):         {base}/manage   person manager01, "
        "password demo1234",
        f"  manager, today's figures:              {manager} {base}/api/stats",
        f"  manager, every ticket of the day:      {manager} {base}/api/tickets",
        f"  the API (docs/api.md):                 {base}/api/openapi.json",
        f"  the touch kiosk:   {program} kiosk --hall {hall_file} --server {base} "
        f"--token demo-kiosk-1 --windowed",
    ]
    if "display" in commands:
        lines.append(f"  the Kivy board:    {program} display --hall {hall_file} --server "
                     f"{base} --token demo-display --windowed")
    if "leds" in commands:
        lines.append(f"  the window LEDs:   {program} leds --hall {hall_file} --server {base} "
                     f"--token demo-display")
    if "caller" in commands:
        busy = " (with --quiet-hall: the live hall's clerks sit at every window)" if live else ""
        lines.append(f"  a clerk's caller:  {program} caller --hall {hall_file} --server {base} "
                     f"--window 1 --windowed   person clerk01, password demo1234{busy}")
    lines.append(f"  the back office (审批):                {base}/office   person backoffice01 "
                 f"(or backoffice02), password demo1234")
    if "keypads" in commands:
        lines.append(f"  the caller keypads: {program} keypads --hall {hall_file} --server "
                     f"{base} --token demo-keypads")
    if "pads" in commands:
        lines.append(f"  the 好差评 pads:     {program} pads --hall {hall_file} --server {base} "
                     f"--token demo-pads")
    return lines


class DemoStart:
    """The demo's start and stop around the server (see the module's docstring)."""

    def __init__(self, app, args, settings: HallSettings, commands: set[str],
                 live: bool, say_when_closed) -> None:
        self.app, self.args, self.settings, self.commands = app, args, settings, commands
        self.live, self.say_when_closed = live, say_when_closed
        self.hall = None

    def started(self, port: int) -> None:
        host = self.args.host or self.settings.server.host
        base = public_base(self.settings, host, port)
        if self.live:
            say(f"yichuang: the demo hall is live: a simulated day at {self.args.pace:g} "
                f"simulated minutes a real minute (--pace; --quiet-hall for an idle hall)")
        else:
            say("yichuang: the demo hall is quiet (--quiet-hall): nobody takes numbers or "
                "calls but you")
        for line in where_to_look(base, self.args.hall, self.commands, self.live):
            say(line)
        self.say_when_closed(self.app)
        if self.live:
            from yichuang.live_hall import LiveHall
            self.hall = LiveHall(self.settings, local_url(host, port), pace=self.args.pace,
                                 seed=self.args.seed, public_url=base, say=say).start()

    def stopping(self) -> None:
        if self.hall is not None:
            self.hall.stop()


def say(text: str) -> None:
    print(text, flush=True)
