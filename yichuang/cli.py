"""yichuang serve | demo | kiosk | caller | display | leds | keypads | pads | simulate | backup |
hash-token | user"""
from __future__ import annotations

import argparse
import sys

DEMO_HALL = "config/demo-hall.toml"


def _patch_for_serving() -> None:
    """The server is gevent's, a greenlet per connection (server/http.py): its
    monkey-patching must come before Flask, sqlite3 or threading are imported."""
    from gevent import monkey
    monkey.patch_all()


def _serve(args) -> int:
    """The hall server; every reason it cannot start is one line and exit 2."""
    from server.http import ServerStartError, serve_forever
    from server.startup import (
        StartError,
        moving_clock,
        read_hall,
        refuse_demo_tokens,
        tls_files,
    )
    from server.storage import StoreError
    demo = args.command == "demo"
    try:
        settings = read_hall(args.hall)
        if not demo:
            refuse_demo_tokens(settings)
        tls = tls_files(args.certfile, args.keyfile)
        clock = (moving_clock(args.clock, settings.timezone)
                 if demo and args.clock and args.clock != "now" else None)
        live = demo and _live_hall(args, tls)
        if live:
            from yichuang.demo import crowd_settings
            settings = crowd_settings(settings)
        from server.app import create_app
        app = create_app(settings, database=args.database, clock=clock)
        _demo_people(app, demo)
    except (StartError, StoreError) as error:
        print(f"yichuang: {error}", file=sys.stderr)
        return 2
    start = None
    if demo:
        from yichuang.demo import DemoStart
        commands = parser().command_names
        start = DemoStart(app, args, settings, commands, live, _say_when_closed)
    try:
        serve_forever(app, args.host or settings.server.host,
                      settings.server.port if args.port is None else args.port, tls=tls,
                      started=start and start.started, stopping=start and start.stopping)
    except ServerStartError as error:
        app.extensions["yichuang.service"].close()
        print(f"yichuang: {error}", file=sys.stderr)
        return 2
    return 0


def _demo_people(app, demo: bool) -> None:
    """The demo hall gets its demo people (docs/configuration.md); a real hall is refused
    while anyone still has their published password."""
    from server.sessions import seed_demo_people
    from server.startup import refuse_demo_people
    service = app.extensions["yichuang.service"]
    if demo:
        seed_demo_people(service)
        return
    try:
        refuse_demo_people(service)
    except Exception:
        service.close()
        raise


def _live_hall(args, tls) -> bool:
    """Whether the demo plays a simulated day (not with --quiet-hall, nor over HTTPS:
    the simulated clerks speak plain HTTP to 127.0.0.1)."""
    if args.quiet_hall:
        return False
    if args.pace is not None and not args.pace > 0:
        from server.startup import StartError
        raise StartError(f"--pace {args.pace:g}: give simulated minutes per real minute, "
                         "above 0 (10 by default)")
    if tls:
        print("yichuang: the simulated hall speaks plain HTTP; over HTTPS the demo hall "
              "stays quiet", file=sys.stderr, flush=True)
        return False
    return True


def _say_when_closed(app) -> None:
    """The demo started outside window hours: say so, and how to try it as if open."""
    from core.opening import opening
    service = app.extensions["yichuang.service"]
    now = service.clock()
    state = opening(service.settings, now)
    if not state.windows_open:
        print(f"yichuang: the demo hall gives no window numbers now ({state.reason}, "
              f"{now:%a %H:%M}); its kiosks offer the 24-hour zone. To try it as on a "
              f"working morning: yichuang demo --clock 2026-11-23T09:00 (./run starts "
              f"there unless told otherwise)", file=sys.stderr, flush=True)


def _backup(args) -> int:
    """A checked copy of the hall's database, taken while the server runs."""
    from server.startup import StartError, read_hall
    from server.storage import StoreError, backup_database
    try:
        database = args.database or read_hall(args.hall).server.database
        size = backup_database(database, args.to)
    except (StartError, StoreError) as error:
        print(f"yichuang: {error}", file=sys.stderr)
        return 2
    print(f"yichuang: backed up {database} to {args.to} ({size:,} bytes; the ID-card key "
          "file is not part of it)")
    return 0


def _hash_token(args) -> int:
    from server.auth import hash_token
    print(hash_token(args.token))
    return 0


def _kiosk(args) -> int:
    from kiosk.launcher import main
    return main(args)


def _caller(args) -> int:
    from caller.launcher import main
    return main(args)


def _display(args) -> int:
    from display.launcher import main
    return main(args)


def _leds(args) -> int:
    from display.leds import main
    return main(args)


def _keypads(args) -> int:
    from caller.keypads import main
    return main(args)


def _pads(args) -> int:
    from caller.rating_pads import main
    return main(args)


def _simulate(argv: list[str]) -> int:
    from server.storage import recorded_day
    from simulator.cli import main
    return main(argv, recorded_day=recorded_day)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="yichuang", description="Yichuang hall queue system")
    commands = top.add_subparsers(dest="command", required=True)
    for name, help_text, default in (("serve", "run the hall server", None),
                                     ("demo", "run the demo hall server", DEMO_HALL)):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--hall", default=default, required=default is None,
                             help="the hall's TOML configuration")
        command.add_argument("--database", help="SQLite file (default: from the config)")
        command.add_argument("--host")
        command.add_argument("--port", type=int)
        command.add_argument("--threads", type=int, help=argparse.SUPPRESS)  # unused now
        command.add_argument("--certfile", help="serve HTTPS with this certificate (PEM)")
        command.add_argument("--keyfile", help="... and its private key (PEM)")
        if name == "demo":
            command.add_argument("--clock", help="start the hall's clock at this local time "
                                 "(2026-11-23T09:00) and let it run: the demo as on a "
                                 "working morning, whenever it is tried (`now`: the real "
                                 "time; ./run starts at 2026-11-23T09:00)")
            command.add_argument("--quiet-hall", action="store_true",
                                 help="serve an idle hall: no simulated citizens and clerks")
            command.add_argument("--pace", type=float, default=10.0,
                                 help="the simulated day's pace: simulated minutes per real "
                                 "minute (default 10: a call every few seconds)")
            command.add_argument("--seed", type=int, default=1,
                                 help="which simulated day (the generator's seed)")
        command.set_defaults(run=_serve)
    backup = commands.add_parser("backup", help="copy the hall database while it serves")
    backup.add_argument("--hall", default=DEMO_HALL, help="the hall's TOML configuration")
    backup.add_argument("--database", help="the database (default: from the config)")
    backup.add_argument("--to", required=True, help="the backup file to write")
    backup.set_defaults(run=_backup)
    kiosk = commands.add_parser("kiosk", help="run the touch kiosk (docs/kiosk.md)")
    kiosk.add_argument("--hall", default=DEMO_HALL, help="the hall's TOML configuration")
    kiosk.add_argument("--server", default="http://127.0.0.1:8750", help="the hall server")
    kiosk.add_argument("--token", required=True, help="this kiosk's token (role kiosk)")
    kiosk.add_argument("--device-config", help="a TOML file with this machine's [kiosk] "
                       "keys (printer, reader, where ...)")
    kiosk.add_argument("--windowed", action="store_true",
                       help="a window at half size instead of full screen (trying it out)")
    kiosk.set_defaults(run=_kiosk)
    caller = commands.add_parser("caller", help="run a window's caller app (docs/caller.md)")
    caller.add_argument("--hall", default=DEMO_HALL, help="the hall's TOML configuration")
    caller.add_argument("--server", default="http://127.0.0.1:8750", help="the hall server")
    caller.add_argument("--window", type=int, required=True, help="this window's number")
    caller.add_argument("--printer", help="the window's printer ([[devices]] name; default: "
                        "the printer with window = N, if any)")
    caller.add_argument("--compact", action="store_true", help="start as the compact bar")
    caller.add_argument("--windowed", action="store_true",
                        help="an ordinary window with a title bar (default: borderless)")
    caller.set_defaults(run=_caller)
    display = commands.add_parser("display", help="run the hall's calling board (docs/display.md)")
    display.add_argument("--hall", default=DEMO_HALL, help="the hall's TOML configuration")
    display.add_argument("--server", default="http://127.0.0.1:8750", help="the hall server")
    display.add_argument("--token", required=True, help="this board's token (role display)")
    display.add_argument("--orientation", choices=("landscape", "portrait"),
                         help="how the screen stands (default: [board] orientation)")
    display.add_argument("--windowed", action="store_true",
                         help="a window at half size instead of full screen (trying it out)")
    display.add_argument("--voice-output", default=None, metavar="device|DIRECTORY",
                         help="where the voice goes: the sound device, or a directory of "
                              "WAV files (default: [voice] output)")
    display.add_argument("--no-voice", action="store_true",
                         help="a silent board (another board drives the loudspeaker)")
    display.set_defaults(run=_display)
    leds = commands.add_parser("leds", help="drive the LED window screens (docs/hardware.md)")
    leds.add_argument("--hall", default=DEMO_HALL, help="the hall's TOML configuration")
    leds.add_argument("--server", default="http://127.0.0.1:8750", help="the hall server")
    leds.add_argument("--token", required=True, help="a display's token (role display)")
    leds.add_argument("--language", choices=("zh", "en"), default="zh",
                      help="what the screens say (default zh)")
    leds.add_argument("--answer-timeout", type=float, default=0.2,
                      help="seconds to wait for a screen's answer (default 0.2)")
    leds.add_argument("--retries", type=int, default=2,
                      help="tries more before a screen is reported silent (default 2)")
    leds.set_defaults(run=_leds)
    for name, role, run, what in (
            ("keypads", "keypad", _keypads, "turn the windows' caller keypads' presses into "
                                            "actions (docs/hardware.md)"),
            ("pads", "rating_pad", _pads, "invite 好差评 ratings on the windows' rating pads "
                                          "(docs/hardware.md)")):
        bridge = commands.add_parser(name, help=what)
        bridge.add_argument("--hall", default=DEMO_HALL, help="the hall's TOML configuration")
        bridge.add_argument("--server", default="http://127.0.0.1:8750", help="the hall server")
        bridge.add_argument("--token", required=True,
                            help=f"the bridge's token (role {role}, owner of the devices)")
        bridge.add_argument("--answer-timeout", type=float, default=0.1,
                            help="seconds to wait for a device's answer (default 0.1)")
        if name == "keypads":
            bridge.add_argument("--language", choices=("zh", "en"), default="zh",
                                help="what the keypads' screens say (default zh)")
            bridge.add_argument("--round-seconds", type=float, default=0.05,
                                help="poll every keypad at most this often (default 0.05)")
        bridge.set_defaults(run=run)
    token = commands.add_parser("hash-token", help="print the hash to put in the config")
    token.add_argument("token")
    token.set_defaults(run=_hash_token)
    from yichuang.users import add_user_commands
    add_user_commands(commands, DEMO_HALL)
    commands.add_parser("simulate", help="replay or generate a day (see docs/simulator.md)",
                        add_help=False)
    top.command_names = set(commands.choices)    # the demo names the apps there are
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "simulate":
        return _simulate(argv[1:])
    if argv and argv[0] in ("serve", "demo"):
        _patch_for_serving()
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
