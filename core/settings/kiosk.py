"""The `[kiosk]` section: how the hall's touch kiosks look and behave.

One section for every kiosk of the hall; a kiosk's own devices and place
(`printer`, `reader`, `where`) can be overridden per machine with
`yichuang kiosk --device-config FILE` (a TOML file holding a `[kiosk]` table).
docs/configuration.md describes every key.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core.settings.checks import Report
from core.settings.values import (
    BAD,
    Key,
    choice,
    optional_text,
    positive_int,
    positive_number,
    text,
    text_list,
    token_hash,
)

ORIENTATIONS = ("portrait", "landscape")
PRINTER_MODES = ("image", "gb18030")
KIOSK_LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class KioskSettings:
    orientation: str = "portrait"
    idle_seconds: int = 60                # back to the home screen after this long untouched
    large_print_idle_seconds: int = 180   # ... and in large print (大字版), for slower hands
    # sha256 of the manager's exit code (`yichuang hash-token CODE`); "" = no way out
    manager_code_hash: str = ""
    printer: str = ""                     # a [[devices]] name of kind printer; "" = none
    printer_mode: str = "image"           # image: the ticket drawn with the CJK font
    printer_columns: int = 48
    reader: str = ""                      # a [[devices]] name of kind id_reader; "" = none
    where: str = "自助取号区"              # the kiosk's place, told to floor helpers
    languages: tuple[str, ...] = KIOSK_LANGUAGES
    screen_dpi: float = 96.0              # the screen's dots per inch: sizes in millimetres
    min_target_mm: float = 15.0           # the smallest touch target


def _languages(report: Report, path, value: Any) -> Any:
    found = text_list(choice(KIOSK_LANGUAGES, "language"))(report, path, value)
    if found is not BAD and (not found or found[0] != "zh"):
        report.add(path, 'the first language must be "zh" (the kiosk starts in Chinese)')
        return BAD
    return found


def _manager_code_hash(report: Report, path, value: Any) -> Any:
    return "" if value == "" else token_hash(report, path, value)


_CONVERT = {"orientation": choice(ORIENTATIONS, "orientation"), "idle_seconds": positive_int,
            "large_print_idle_seconds": positive_int,
            "manager_code_hash": _manager_code_hash, "printer": optional_text,
            "printer_mode": choice(PRINTER_MODES, "printer mode"),
            "printer_columns": positive_int, "reader": optional_text, "where": text,
            "languages": _languages, "screen_dpi": positive_number,
            "min_target_mm": positive_number}
KIOSK_SCHEMA: dict[str, Key] = {f.name: Key(_CONVERT[f.name], f.default)
                                for f in fields(KioskSettings)}


def check_kiosk(report: Report, data: dict) -> None:
    """`printer` and `reader` name devices of the right kind."""
    kiosk = data.get("kiosk") or {}
    kinds = {d.get("name"): d.get("kind") for d in data.get("devices", [])}
    for key, kind in (("printer", "printer"), ("reader", "id_reader")):
        name = kiosk.get(key)
        if name and kinds.get(name) != kind:
            report.add(("kiosk", key), f"{name!r} is not a [[devices]] entry of kind {kind}")


def build_kiosk(values: dict) -> KioskSettings:
    return KioskSettings(**values)
