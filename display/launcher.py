"""`yichuang display`: the hall's calling board on a real screen, full screen.

    yichuang display --server http://127.0.0.1:8750 --token demo-display \\
                     [--hall config/demo-hall.toml] [--orientation portrait] [--windowed]
                     [--voice-output device|DIRECTORY] [--no-voice]

The board reads the display role's event stream only; it reconnects by itself.
It speaks each new call through the hall's [voice] (display/voice.py), to the
configured output unless `--voice-output` says otherwise; `--no-voice` for a
second board in a hall whose loudspeaker another board already drives.
SIGTERM (or SIGINT) closes it cleanly, with exit status 0.
"""
from __future__ import annotations

import os
import signal
import sys
from typing import Callable


def run(hall: str, server: str, token: str, orientation: str | None = None,
        windowed: bool = False, on_call: Callable | None = None) -> int:
    """Run the board until it is closed; `on_call(logged_event)` is called on Kivy's
    thread for each new call, in order (the voice plugs in here)."""
    from core.settings.loader import load_settings
    settings = load_settings(hall)
    orientation = orientation or settings.board.orientation
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config
    width, height = (1080, 1920) if orientation == "portrait" else (1920, 1080)
    if windowed:
        Config.set("graphics", "width", str(width // 2))
        Config.set("graphics", "height", str(height // 2))
    else:
        Config.set("graphics", "fullscreen", "auto")
    Config.set("kivy", "exit_on_escape", "0")
    from kivy.app import App
    from kivy.clock import Clock

    from display.app import HallBoard
    from display.widgets import NIGHT
    from kivy_apps.fonts import register_cjk_font
    from server.client import HallClient
    register_cjk_font()

    class BoardApp(App):
        title = settings.name

        def build(self):
            from kivy.core.window import Window
            Window.clearcolor = NIGHT
            self.board = HallBoard(settings, HallClient(server, token),
                                   orientation=orientation, size=tuple(Window.size),
                                   on_call=on_call)
            self.board.start()
            Clock.schedule_once(lambda _dt: print(f"yichuang display: ready ({server})",
                                                  flush=True), 0)
            stop = lambda *_: Clock.schedule_once(lambda _dt: self.stop(), 0)  # noqa: E731
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            return self.board.root

        def on_stop(self):
            self.board.stop()

    BoardApp().run()
    return 0


def voice_for(hall: str, output=None):
    """The board's voice: `(on_call, announcer)`, or `(None, None)` when the hall's
    voice is off. `output`: "device", a directory, or a display.voice output object
    (None: the hall's [voice] output). Each new call's event becomes an announcement
    (said once, in order). A voice that cannot start (no espeak-ng, a bad pack) raises
    VoiceError."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from core.announcements import announcement_for
    from core.settings.loader import load_settings
    from display.voice import Announcer
    settings = load_settings(hall)
    if not settings.voice.enabled:
        return None, None
    zone = ZoneInfo(settings.timezone)
    announcer = Announcer(settings.voice, output, clock=lambda: datetime.now(zone))
    return (lambda logged: announcer.submit(announcement_for(logged))), announcer


def main(args) -> int:
    from display.voice import VoiceError
    announcer = None
    try:
        on_call = None
        if not args.no_voice:
            on_call, announcer = voice_for(args.hall, args.voice_output)
        return run(args.hall, args.server, args.token, args.orientation, args.windowed,
                   on_call=on_call)
    except (OSError, ValueError, VoiceError) as error:
        print(f"yichuang display: {error}", file=sys.stderr)
        return 2
    finally:
        if announcer is not None:
            announcer.close()
