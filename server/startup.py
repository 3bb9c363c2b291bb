"""What `yichuang serve` checks before it serves, each refusal one clear line.

The launcher (`yichuang/cli.py`) prints `StartError`s and exits non-zero; nothing
here prints or exits.
"""
from __future__ import annotations

from pathlib import Path

from core.settings.loader import SettingsError, load_settings
from core.settings.schema import HallSettings
from server.auth import hash_token


class StartError(Exception):
    """The server cannot start as asked; the message says why and what to do."""


def read_hall(path: str) -> HallSettings:
    """The hall's configuration, or a StartError naming the file and the problem
    (every mistake in it, each with its line, for a configuration that does not check)."""
    try:
        return load_settings(path)
    except SettingsError as error:
        raise StartError(f"the hall configuration has mistakes:\n{error}") from None
    except UnicodeDecodeError as error:
        raise StartError(f"{path} is not UTF-8 text (byte {error.object[error.start]:#04x} "
                         f"at offset {error.start}); save it as UTF-8") from None
    except OSError as error:
        raise StartError(f"cannot read {path}: {error.strerror}") from None


def published_demo_tokens() -> list[str]:
    """Every token the demo hall ships and docs/configuration.md publishes."""
    return (["demo-kiosk-1", "demo-kiosk-2", "demo-display", "demo-manager"]
            + [f"demo-clerk-{n:02d}" for n in range(1, 16)]
            + [f"demo-pad-{n:02d}" for n in range(1, 16)])


def refuse_demo_tokens(settings: HallSettings) -> None:
    """A real hall must not run with tokens anyone can read in our docs."""
    published = {hash_token(token) for token in published_demo_tokens()}
    found = [c.name for c in settings.credentials if c.token_hash in published]
    if found:
        names = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise StartError(f"{len(found)} credential(s) still use the published demo tokens "
                         f"({names}): give each device and person a token of its own "
                         "(docs/operations.md), or run `yichuang demo` to try the demo hall")


def refuse_demo_people(service) -> None:
    """A real hall must not let people log in with the demo's published password."""
    from server.sessions import people_with_demo_password
    found = service.with_people(lambda conn, now: people_with_demo_password(conn))
    if found:
        names = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise StartError(f"{len(found)} person(s) in the hall database still have the demo "
                         f"password ({names}): `yichuang user passwd NAME` or `yichuang user "
                         "disable NAME` each, or run `yichuang demo` to try the demo hall")


def tls_files(certfile: str | None, keyfile: str | None) -> dict | None:
    """The certificate and key to serve HTTPS with, checked before the server starts."""
    if not certfile and not keyfile:
        return None
    if not (certfile and keyfile):
        raise StartError("HTTPS needs both --certfile and --keyfile")
    for name, path in (("certificate", certfile), ("key", keyfile)):
        if not Path(path).is_file():
            raise StartError(f"no {name} file at {path}")
    import ssl
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as error:
        raise StartError(f"the certificate {certfile} and key {keyfile} do not load: "
                         f"{error}") from None
    return {"certfile": certfile, "keyfile": keyfile}


def moving_clock(start: str, timezone: str):
    """A hall clock that starts at `start` (an ISO local time such as 2026-11-23T09:00,
    in the hall's time zone) and moves in real time: the demo tried on a Sunday night
    as on a working morning. StartError for a time that does not read."""
    import time
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    try:
        first = datetime.fromisoformat(start)
    except ValueError:
        raise StartError(f"--clock {start!r} is not a time like 2026-11-23T09:00") from None
    if first.tzinfo is None:
        first = first.replace(tzinfo=ZoneInfo(timezone))
    began = time.monotonic()
    return lambda: first + timedelta(seconds=time.monotonic() - began)
