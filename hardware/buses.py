"""Which of a hall's [[devices]] share an RS-485 bus, and at which address.

Devices whose URLs name the same port (the URL without `address`) share one bus, driven
by one thread of their bridge (`yichuang leds`, `keypads`, `pads`); each is at the
`address=N` of its URL. The checks here are the config mistakes a bridge names at start.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from hardware.ports import PortError, parse_port_url
from hardware.rs485 import ADDRESSES


def bus_of(name: str, url: str, default_address: str = "") -> tuple[str, tuple[str, str], int]:
    """(the port's URL without `address`, the port itself, the address: the URL's
    `address=N`, else `default_address`) of the [[devices]] entry `name`; ValueError."""
    try:
        spec = parse_port_url(url)
    except PortError as error:
        raise ValueError(f"[[devices]] {name}: {error}") from None
    address = spec.options.get("address", default_address)
    if not address.isdigit() or int(address) not in ADDRESSES:
        raise ValueError(f"[[devices]] {name}: {url} needs address=N, the device's RS-485 "
                         f"address (1-254)")
    base, _, query = url.partition("?")
    rest = sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "address")
    return base + ("?" + urlencode(rest) if rest else ""), (spec.scheme, spec.target), \
        int(address)


def devices_by_bus(devices: Iterable, kind: str, default_address: str = "",
                   windows_only: bool = True) -> list[tuple[str, int | None, str, int]]:
    """(device, window, bus, address) of every [[devices]] entry of `kind` (with a
    window, unless not `windows_only`); ValueError for a bad URL, two devices at one
    address of a port, or one port with two line settings."""
    found, seen, lines = [], {}, {}
    for device in devices:
        if device.kind != kind or (windows_only and device.window is None):
            continue
        bus, port, address = bus_of(device.name, device.url, default_address)
        if lines.setdefault(port, bus) != bus:
            raise ValueError(f"[[devices]] {device.name}: {bus} and {lines[port]} are one "
                             "port with different line settings")
        if (port, address) in seen:
            raise ValueError(f"[[devices]] {device.name}: address {address} of {bus} is "
                             f"{seen[port, address]}'s too")
        seen[port, address] = device.name
        found.append((device.name, device.window, bus, address))
    return found
