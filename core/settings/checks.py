"""Where configuration problems are found and placed.

`Report` collects `Problem`s, each with the field path (``matters[7].pool``) and
the line of the raw TOML text it comes from (tomllib gives no positions, so
`Locator` finds them again in the text). The cross-reference checks that need
the whole hall at once (unique codes, references, servability, hours) live here
too; `core.settings.loader` does the per-value checks and builds the dataclasses.
Standard library only.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Any

Path = tuple[Any, ...]   # ("matters", 7, "pool"): str keys and int indexes
Data = dict[str, Any]    # the hall as converted plain values, see settings_loader


@dataclass(frozen=True)
class Problem:
    """One mistake in a configuration file."""

    line: int | None   # 1-based line in the file, when it could be found
    field: str         # e.g. "matters[7].pool"
    message: str

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.field}: {self.message}"


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_HEADER = re.compile(
    r"""^\s*(\[\[?)\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
    r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*\]\]?\s*(?:\#.*)?$""")


_ARRAY_TOKEN = re.compile(r"""("(?:[^"\\]|\\.)*"|'[^']*')|(#)|(\])""")


@dataclass(frozen=True)
class _Header:
    index: int      # 0-based line index
    name: str       # dotted name, quotes and spaces removed
    array: bool     # [[name]] rather than [name]


class Locator:
    """Finds the line of a field path in raw TOML text."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")   # as tomllib counts lines (not str.splitlines)
        self.headers = []
        for i, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match:
                name = ".".join(p.strip().strip("\"'") for p in match.group(2).split("."))
                self.headers.append(_Header(i, name, match.group(1) == "[["))

    def line_of(self, path: Path) -> int | None:
        """The key's line; else its table header's line; else None."""
        if not path:
            return None
        top, rest = path[0], list(path[1:])
        index = rest.pop(0) if rest and isinstance(rest[0], int) else None
        header = self._table(str(top), index)
        if header is None:
            end = self.headers[0].index if self.headers else len(self.lines)
            found = self._key_line(str(top), -1, end)
            return found + 1 if found is not None else None
        return self._within(header, rest) + 1

    def _table(self, name: str, index: int | None) -> _Header | None:
        matches = [h for h in self.headers if h.name == name and h.array == (index is not None)]
        if index is None:
            return matches[0] if matches else None
        return matches[index] if index < len(matches) else None

    def _end(self, header: _Header) -> int:
        for h in self.headers:
            if h.index > header.index and not h.name.startswith(header.name + "."):
                return h.index
        return len(self.lines)

    def _within(self, header: _Header, parts: list) -> int:
        """0-based line of the first key of `parts` inside the table `header`."""
        if not parts or isinstance(parts[0], int):
            return header.index
        end = self._end(header)
        found = self._key_line(str(parts[0]), header.index, end)
        if found is not None and len(parts) > 1 and isinstance(parts[1], int):
            return self._element_line(found, parts[1])
        if found is not None:
            return found
        sub = f"{header.name}.{parts[0]}"
        for h in self.headers:
            if header.index < h.index < end and h.name == sub:
                return self._within(h, parts[1:])
        return header.index

    def _element_line(self, key_index: int, element: int) -> int:
        """The line of a string array's element, which may span several lines."""
        line = self.lines[key_index]
        start, seen = line.find("=") + 1, -1
        for i in range(key_index, min(key_index + 200, len(self.lines))):
            for token in _ARRAY_TOKEN.finditer(self.lines[i], start if i == key_index else 0):
                if token.group(1) is not None:
                    seen += 1
                    if seen == element:
                        return i
                elif token.group(2) is not None:
                    break               # a comment: the rest of the line
                else:
                    return key_index    # the closing bracket: not found
        return key_index

    def _key_line(self, key: str, after: int, end: int) -> int | None:
        pattern = re.compile(r"""^\s*(?:%s|"%s"|'%s')\s*[=.]""" % ((re.escape(key),) * 3))
        for i in range(after + 1, end):
            if pattern.match(self.lines[i]):
                return i
        return None


class Report:
    """Collects every problem, with its line, in the order found."""

    def __init__(self, text: str) -> None:
        self.locator = Locator(text)
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.locator.line_of(path), format_path(path), message))

    def add_at(self, line: int | None, field: str, message: str) -> None:
        self.problems.append(Problem(line, field, message))

    def where(self, path: Path) -> str:
        line = self.locator.line_of(path)
        return format_path(path) + (f" on line {line}" if line is not None else "")


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The most similar candidate (first one on ties), or None if none is close."""
    best, best_score = None, 0.0
    for candidate in candidates:
        score = SequenceMatcher(None, word.lower(), candidate.lower()).ratio()
        if score >= cutoff and score > best_score:
            best, best_score = candidate, score
    return best


def did_you_mean(word: str, candidates: Sequence[str], noun: str = "") -> str:
    """' (did you mean 'x'?)' or a short list of what is known."""
    guess = closest(word, candidates)
    if guess is not None:
        return f" (did you mean '{guess}'?)"
    if not candidates:
        return f" (no {noun or 'values'} are defined)"
    shown = ", ".join(f"'{c}'" for c in list(candidates)[:8])
    more = ", ..." if len(candidates) > 8 else ""
    return f" (known {noun or 'values'}: {shown}{more})"


# ---------------------------------------------------------------- cross checks

_UNIQUE = (
    ("categories", "code"), ("categories", "prefix"), ("matters", "code"),
    ("themes", "code"), ("pools", "code"), ("windows", "number"),
    ("devices", "name"), ("credentials", "name"), ("credentials", "token_hash"),
    ("materials", "id"),
)


def check_hall(report: Report, data: Data) -> None:
    """Every check that needs more than one value at a time."""
    check_hours(report, data.get("hours"))
    for section, key in _UNIQUE:
        check_unique(report, data, section, key)
    check_matter_theme_codes(report, data)
    check_references(report, data)
    check_themes(report, data)
    check_servable(report, data)
    check_lunch_breaks(report, data)
    check_device_owners(report, data)
    check_materials(report, data)


def check_materials(report: Report, data: Data) -> None:
    """A matter's list names a [[materials]] id (ASCII) or a material by its name; an
    id must exist, and a material is produced by matters that exist."""
    ids, matters = _codes(data, "materials", "id"), _codes(data, "matters")
    for i, matter in _items(data, "matters"):
        for j, reference in enumerate(matter.get("materials", ())):
            if reference.isascii() and reference not in ids:
                _check_ref(report, ("matters", i, "materials", j), reference, ids,
                           "material id")
    for i, material in _items(data, "materials"):
        for j, code in enumerate(material.get("produced_by", ())):
            _check_ref(report, ("materials", i, "produced_by", j), code, matters, "matter")


def _items(data: Data, section: str) -> list[tuple[int, dict]]:
    return list(enumerate(data.get(section) or ()))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_hours(report: Report, hours: dict | None) -> None:
    """open < lunch_start < lunch_end < close < extended_until."""
    if not hours:
        return
    order = [k for k in ("open", "lunch_start", "lunch_end", "close") if k in hours]
    for before, after in pairwise(order):
        if hours[after] <= hours[before]:
            report.add(("hours", after), f"{_hhmm(hours[after])} must be later than "
                       f"{before} ({_hhmm(hours[before])})")
    extended = hours.get("extended_until")
    if extended is not None and "close" in hours and extended <= hours["close"]:
        report.add(("hours", "extended_until"), f"{_hhmm(extended)} must be later than "
                   f"close ({_hhmm(hours['close'])})")


def check_unique(report: Report, data: Data, section: str, key: str) -> None:
    first: dict[Any, int] = {}
    for i, item in _items(data, section):
        if key not in item:
            continue
        value = item[key]
        if value not in first:
            first[value] = i
        elif key == "token_hash":
            report.add((section, i, key), f"the same token as "
                       f"{report.where((section, first[value], key))}: every device and "
                       "person needs a token of its own")
        else:
            report.add((section, i, key), f"duplicate {key} {value!r} "
                       f"(first used by {report.where((section, first[value], key))})")


def check_matter_theme_codes(report: Report, data: Data) -> None:
    """Tickets name a matter or a theme by code, so the two must not share one."""
    matters = {m["code"]: i for i, m in _items(data, "matters") if "code" in m}
    for i, theme in _items(data, "themes"):
        if theme.get("code") in matters:
            other = report.where(("matters", matters[theme["code"]], "code"))
            report.add(("themes", i, "code"), f"code {theme['code']!r} is also a matter's "
                       f"code ({other}); tickets could not tell them apart")


def _codes(data: Data, section: str, key: str = "code") -> list:
    return [item[key] for _, item in _items(data, section) if key in item]


def _category_aliases(data: Data) -> dict[str, str]:
    return {c["prefix"]: c["code"] for _, c in _items(data, "categories")
            if "prefix" in c and "code" in c}


def _check_ref(report: Report, path: Path, value: str, known: list, noun: str,
               aliases: dict[str, str] | None = None) -> None:
    if value in known:
        return
    if aliases and value in aliases:
        report.add(path, f"unknown {noun} {value!r}: that is a ticket prefix; refer to the "
                   f"category by its code (did you mean '{aliases[value]}'?)")
        return
    report.add(path, f"unknown {noun} {value!r}{did_you_mean(value, known, noun + 's')}")


def check_references(report: Report, data: Data) -> None:
    cats, pools = _codes(data, "categories"), _codes(data, "pools")
    matters, prefixes = _codes(data, "matters"), _category_aliases(data)
    for section in ("matters", "themes"):
        for i, item in _items(data, section):
            if "category" in item:
                _check_ref(report, (section, i, "category"), item["category"], cats,
                           "category", prefixes)
            if "pool" in item:
                _check_ref(report, (section, i, "pool"), item["pool"], pools, "pool")
    for i, theme in _items(data, "themes"):
        for j, code in enumerate(theme.get("matters", ())):
            _check_ref(report, ("themes", i, "matters", j), code, matters, "matter")
    check_window_references(report, data, cats, pools, prefixes)
    windows = _codes(data, "windows", "number")
    for section in ("devices", "credentials"):
        for i, item in _items(data, section):
            if item.get("window") is not None and item["window"] not in windows:
                report.add((section, i, "window"), f"unknown window {item['window']} "
                           f"(windows are numbered {_ranges(windows)})")
    for i, credential in _items(data, "credentials"):
        owns_pads = any(d.get("owner") == credential.get("name") and d.get("kind") ==
                        "rating_pad" for _, d in _items(data, "devices"))
        if credential.get("role") == "rating_pad" and credential.get("window") is None \
                and not owns_pads:
            report.add(("credentials", i, "window"),
                       "a rating pad belongs to one window: give its number (or make it the "
                       "owner of the [[devices]] of kind rating_pad a pads bridge drives)")
        elif credential.get("role") not in (None, "rating_pad") and credential.get("window"):
            report.add(("credentials", i, "window"), "only a rating_pad credential has a "
                       "window (a clerk sits down at a window by logging in)")


def check_window_references(report: Report, data: Data, cats: list, pools: list,
                            prefixes: dict[str, str]) -> None:
    for i, window in _items(data, "windows"):
        if "pool" in window:
            _check_ref(report, ("windows", i, "pool"), window["pool"], pools, "pool")
        for j, pool in enumerate(window.get("also_serves", ())):
            _check_ref(report, ("windows", i, "also_serves", j), pool, pools, "pool")
            if pool == window.get("pool"):
                report.add(("windows", i, "also_serves", j),
                           f"{pool!r} is already this window's home pool")
        for category in window.get("skills", {}):
            _check_ref(report, ("windows", i, "skills", category), category, cats,
                       "category", prefixes)


def _ranges(numbers: list[int]) -> str:
    if not numbers:
        return "nothing yet"
    ordered = sorted(set(numbers))
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(map(str, ordered))


def check_themes(report: Report, data: Data) -> None:
    for i, theme in _items(data, "themes"):
        if "matters" not in theme:
            continue
        count = len(set(theme["matters"]))
        if count < 2:
            report.add(("themes", i, "matters"), f"a 一件事 theme bundles at least 2 "
                       f"matters, this one has {count}; make it a plain matter instead")


_WINDOW_SERVES = ("pool", "also_serves", "skills")


def _servers(windows: list[tuple[int, dict]], pool: str, category: str) -> bool:
    for _, window in windows:
        serves = (window.get("pool"), *window.get("also_serves", ()))
        if pool in serves and category in window.get("skills", {}):
            return True
    return False


def check_servable(report: Report, data: Data) -> None:
    """A matter no window can call would wait in line forever without a warning."""
    windows = _items(data, "windows")
    if not windows or any(k not in w for _, w in windows for k in _WINDOW_SERVES):
        return   # a window is already reported as broken: its duties are unknown
    known_pools, known_cats = set(_codes(data, "pools")), set(_codes(data, "categories"))
    for section, noun in (("matters", "matter"), ("themes", "theme")):
        for i, item in _items(data, section):
            pool, category = item.get("pool"), item.get("category")
            if pool not in known_pools or category not in known_cats:
                continue   # already reported as an unknown reference
            if not _servers(windows, pool, category):
                report.add((section, i), f"no window can serve {noun} {item.get('code')!r}: "
                           f"none has pool {pool!r} (as home pool or in also_serves) "
                           f"and a skill for category {category!r}")


def check_lunch_breaks(report: Report, data: Data) -> None:
    hours = data.get("hours") or {}
    if "open" not in hours or "close" not in hours:
        return
    opening, closing = hours["open"], hours["close"]
    for i, window in _items(data, "windows"):
        span = window.get("lunch_break")
        if span is not None and (span[0] < opening or span[1] > closing):
            report.add(("windows", i, "lunch_break"),
                       f"{_hhmm(span[0])}-{_hhmm(span[1])} is not inside opening hours "
                       f"({_hhmm(opening)}-{_hhmm(closing)})")
        shift = window.get("shift")
        if shift is None:
            continue
        if shift[1] <= opening or shift[0] >= closing:
            report.add(("windows", i, "shift"),
                       f"{_hhmm(shift[0])}-{_hhmm(shift[1])} does not meet the opening hours "
                       f"({_hhmm(opening)}-{_hhmm(closing)})")
        elif span is not None and (span[0] < shift[0] or span[1] > shift[1]):
            report.add(("windows", i, "lunch_break"),
                       f"{_hhmm(span[0])}-{_hhmm(span[1])} is not inside the window's shift "
                       f"({_hhmm(shift[0])}-{_hhmm(shift[1])})")


def check_device_owners(report: Report, data: Data) -> None:
    """A device's `owner` is the credential that drives it and reports its health."""
    names = _codes(data, "credentials", "name")
    for i, device in _items(data, "devices"):
        if device.get("owner"):
            _check_ref(report, ("devices", i, "owner"), device["owner"], names, "credential")
