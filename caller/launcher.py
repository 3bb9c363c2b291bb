"""`yichuang caller`: the clerk's caller on the window's PC, with the window's printer
from the hall's [[devices]] (named by --printer, or the printer bound to the window).

    yichuang caller --server http://hall:8750 --window 3 [--hall config/demo-hall.toml] \\
                    [--printer window-3-printer] [--compact] [--windowed]

SIGTERM (or SIGINT) closes it cleanly, with exit status 0.
"""
from __future__ import annotations

import logging
import os
import signal
import sys

log = logging.getLogger("yichuang.caller")


def window_printer(settings, window: int, name: str | None):
    """(printer, its name) for the window, or (None, "") if it has none. A named device
    that is not a [[devices]] printer is a ValueError."""
    devices = {d.name: d for d in settings.devices}
    if name:
        device = devices.get(name)
        if device is None or device.kind != "printer":
            raise ValueError(f"{name!r} is not a [[devices]] entry of kind printer")
    else:
        device = next((d for d in settings.devices
                       if d.kind == "printer" and d.window == window), None)
        if device is None:
            return None, ""
    from hardware.printer import open_printer
    config = settings.kiosk                      # the same printer code and layout as kiosks
    return (open_printer(device.url, mode=config.printer_mode,
                         columns=config.printer_columns), device.name)


def run(hall: str, server: str, window: int, printer_name: str | None = None,
        compact: bool = False, windowed: bool = False) -> int:
    from core.settings.loader import load_settings
    settings = load_settings(hall)
    if not settings.has("window", window):
        raise ValueError(f"the hall has no window {window}")
    printer, printer_name = window_printer(settings, window, printer_name)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "width", "1320" if compact else "1440")
    Config.set("graphics", "height", "120" if compact else "900")
    # a bar at the edge of the clerk's screen needs no title bar; --windowed keeps one
    Config.set("graphics", "borderless", "0" if windowed else "1")
    from kivy.app import App
    from kivy.clock import Clock

    from caller.app import Caller
    from kivy_apps.fonts import register_cjk_font
    from server.client import HallClient
    register_cjk_font()

    class CallerApp(App):
        title = f"{settings.name} · {settings.window(window).name}"

        def build(self):
            from kivy.core.window import Window

            def resize(size) -> None:
                if tuple(Window.size) != tuple(size):
                    Window.size = size
            self.caller = Caller(settings, HallClient(server), window, printer=printer,
                                 printer_name=printer_name, compact=compact, on_resize=resize)
            Window.clearcolor = (0.96, 0.97, 0.98, 1)
            self.caller.attach_input(Window)

            def stop(*_args) -> None:
                Clock.schedule_once(lambda _dt: self.stop(), 0)
            # the system (or the hall's IT) stops the caller with SIGTERM: close cleanly
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            Clock.schedule_once(lambda _dt: print(f"yichuang caller: ready (window {window}, "
                                                  f"{server})", flush=True), 0)
            return self.caller.root

        def on_stop(self):
            from kivy.core.window import Window
            self.caller.detach(Window)

    CallerApp().run()
    return 0


def main(args) -> int:
    try:
        return run(args.hall, args.server, args.window, args.printer, args.compact,
                   args.windowed)
    except (OSError, ValueError) as error:
        print(f"yichuang caller: {error}", file=sys.stderr)
        return 2
