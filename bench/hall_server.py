"""The bench's server process: the bench hall served by one of the designs compared.

    python -m bench.hall_server DESIGN PORT DATABASE [SYNCHRONOUS]

- gevent: the production server (`server.http`: gevent's WSGI server, a greenlet
  per connection), as `yichuang serve` runs it;
- cheroot: the server before issue 7 (`server.wsgi`: cheroot, a worker thread per
  connection, as many threads as the hall's `server.threads`).

SYNCHRONOUS (FULL or NORMAL) overrides the hall's SQLite `synchronous` setting.
gevent's monkey-patching comes first, before anything imports threading or sqlite3.
"""
import sys

if __name__ == "__main__" and sys.argv[1:2] == ["gevent"]:
    from gevent import monkey
    monkey.patch_all()

from bench.hall_load import big_hall  # noqa: E402

DESIGNS = ("gevent", "cheroot")


def main(argv: list[str]) -> int:
    design, port, database = argv[0], int(argv[1]), argv[2]
    from dataclasses import replace

    from server.app import create_app
    hall = big_hall()
    if len(argv) > 3:
        hall = replace(hall, server=replace(hall.server, synchronous=argv[3]))
    app = create_app(hall, database=database)
    if design == "gevent":
        from server.http import serve_forever
        serve_forever(app, "127.0.0.1", port)
    elif design == "cheroot":
        from server.wsgi import serve_forever
        serve_forever(app, "127.0.0.1", port, hall.server.threads)
    else:
        raise SystemExit(f"unknown design {design}; one of {', '.join(DESIGNS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
