"""`yichuang kiosk`: the kiosk app on a real screen, full screen, with the devices of
the hall's config (the demo's are fake:// devices).

    yichuang kiosk --hall config/demo-hall.toml --server http://127.0.0.1:8750 \\
                   --token demo-kiosk-1 [--device-config kiosk-2.toml] [--windowed]
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import tomllib
from dataclasses import asdict, replace

log = logging.getLogger("yichuang.kiosk")


def kiosk_settings(hall_path: str, device_config: str | None = None):
    """The hall's settings, with this machine's [kiosk] keys from `device_config` (a TOML
    file holding a [kiosk] table: printer, reader, where ...)."""
    from core.settings.checks import Report
    from core.settings.kiosk import KIOSK_SCHEMA, build_kiosk
    from core.settings.loader import load_settings
    from core.settings.values import read_table
    settings = load_settings(hall_path)
    if not device_config:
        return settings
    with open(device_config, encoding="utf-8-sig") as handle:
        text = handle.read()
    overrides = tomllib.loads(text).get("kiosk", {})
    merged = {k: list(v) if isinstance(v, tuple) else v
              for k, v in asdict(settings.kiosk).items()} | overrides
    report = Report(text)
    values = read_table(report, ("kiosk",), merged, KIOSK_SCHEMA)
    kinds = {d.name: d.kind for d in settings.devices}
    for key, kind in (("printer", "printer"), ("reader", "id_reader")):
        if values.get(key) and kinds.get(values[key]) != kind:
            report.add(("kiosk", key), f"{values[key]!r} is not a [[devices]] entry of "
                       f"kind {kind} in {hall_path}")
    if report.problems:
        raise ValueError("\n".join(p.format(device_config) for p in report.problems))
    return replace(settings, kiosk=build_kiosk(values))


def open_devices(settings):
    """(printer, reader) named by [kiosk], or None for each the hall has not got or that
    cannot be opened (the kiosk then shows the number to photograph)."""
    devices = {d.name: d for d in settings.devices}
    printer = reader = None
    config = settings.kiosk
    if config.printer in devices:
        from hardware.printer import open_printer
        try:
            printer = open_printer(devices[config.printer].url, mode=config.printer_mode,
                                   columns=config.printer_columns)
        except ValueError as error:
            log.error("printer %s: %s", config.printer, error)
    if config.reader in devices:
        from hardware.id_reader import ReaderFault, open_reader
        try:
            reader = open_reader(devices[config.reader].url)
        except (ValueError, ReaderFault) as error:
            log.error("ID card reader %s: %s", config.reader, error)
    return printer, reader


def run(hall: str, server: str, token: str, device_config: str | None = None,
        windowed: bool = False) -> int:
    settings = kiosk_settings(hall, device_config)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config
    portrait = settings.kiosk.orientation == "portrait"
    width, height = (1080, 1920) if portrait else (1920, 1080)
    if windowed:
        Config.set("graphics", "width", str(width // 2))
        Config.set("graphics", "height", str(height // 2))
    else:
        Config.set("graphics", "fullscreen", "auto")
    Config.set("kivy", "exit_on_escape", "0")
    from kivy.app import App

    from kiosk.app import Kiosk
    from kivy_apps.fonts import register_cjk_font
    from server.client import HallClient
    register_cjk_font()
    printer, reader = open_devices(settings)

    class KioskApp(App):
        title = settings.name

        def build(self):
            from kivy.core.window import Window
            self.kiosk = Kiosk(settings, HallClient(server, token), printer, reader,
                               on_exit=self.stop)
            Window.clearcolor = (0.97, 0.97, 0.95, 1)
            self.kiosk.attach_input(Window)
            from kivy.clock import Clock
            Clock.schedule_once(lambda _dt: print(f"yichuang kiosk: ready ({server})",
                                                  flush=True), 0)
            # The system (or the hall's IT) stops the kiosk with SIGTERM: close cleanly.
            signal.signal(signal.SIGTERM,
                          lambda *_: Clock.schedule_once(lambda _dt: self.stop(), 0))
            return self.kiosk.root

    KioskApp().run()
    return 0


def main(args) -> int:
    try:
        return run(args.hall, args.server, args.token, args.device_config, args.windowed)
    except (OSError, ValueError) as error:
        print(f"yichuang kiosk: {error}", file=sys.stderr)
        return 2
