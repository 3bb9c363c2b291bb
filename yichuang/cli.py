"""yichuang serve | demo | simulate | hash-token"""
from __future__ import annotations

import argparse
import sys

DEMO_HALL = "config/demo-hall.toml"


def _serve(args) -> int:
    from core.settings.loader import SettingsError, load_settings
    try:
        settings = load_settings(args.hall)
    except SettingsError as error:
        print(f"yichuang: the hall configuration has mistakes:\n{error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"yichuang: cannot read {args.hall}: {error.strerror}", file=sys.stderr)
        return 2
    from server.app import create_app
    from server.wsgi import serve_forever
    app = create_app(settings, database=args.database)
    serve_forever(app, args.host or settings.server.host, args.port or settings.server.port,
                  args.threads or settings.server.threads)
    return 0


def _hash_token(args) -> int:
    from server.auth import hash_token
    print(hash_token(args.token))
    return 0


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
        command.add_argument("--threads", type=int)
        command.set_defaults(run=_serve)
    token = commands.add_parser("hash-token", help="print the hash to put in the config")
    token.add_argument("token")
    token.set_defaults(run=_hash_token)
    commands.add_parser("simulate", help="replay or generate a day (see docs/simulator.md)",
                        add_help=False)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "simulate":
        return _simulate(argv[1:])
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
