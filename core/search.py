"""Finding a matter or a 一件事 theme by what a citizen types: Hanzi, full pinyin, or
pinyin initials, in any mix ("公司", "gongsi", "gsdj", "gong si bg" all find
公司变更登记).

Readings come from pypinyin (every reading of a character with several, so 行 is
both hang and xing). A query matches a name when it can be read, left to right, as
a prefix of one syllable after another, skipping syllables between them; each Hanzi
of the query must be the character itself. Names matched without a skip, and
earlier in the name, come first.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin


@dataclass(frozen=True)
class Entry:
    """One searchable name and what it stands for."""

    key: str                            # the subject's code
    name: str
    readings: tuple[tuple[str, ...], ...]   # per character: its character and its readings


def readings_of(name: str) -> tuple[tuple[str, ...], ...]:
    """Per character of `name`: the character itself, then every pinyin reading
    without tones ("公" -> ("公", "gong")); spaces and punctuation are kept as
    characters that only match themselves."""
    out = []
    for char in name:
        if "\u4e00" <= char <= "\u9fff":
            found = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
            out.append((char, *dict.fromkeys(r.lower() for r in found)))
        else:
            out.append((char.lower(),))
    return tuple(out)


def _normalise(query: str) -> str:
    return "".join(query.lower().split()).replace("'", "")


def reading_match(query: str, readings: tuple[tuple[str, ...], ...]) -> tuple[int, int] | None:
    """(skipped characters, first matched character) of the best way `query` reads
    along `readings`, or None if it cannot."""

    def takes(q: int, r: int) -> set[int]:
        """How many letters of query[q:] character r can take."""
        rest, (char, *sounds) = query[q:], readings[r]
        found = {len(char)} if rest.startswith(char) else set()
        for sound in sounds:
            found.update(n for n in range(1, min(len(sound), len(rest)) + 1)
                         if sound[:n] == rest[:n])
        return found

    @lru_cache(maxsize=None)
    def best(q: int, r: int) -> int | None:
        """The fewest skipped characters to read query[q:] from character r on."""
        if q == len(query):
            return 0
        if r == len(readings):
            return None
        options = [found for n in takes(q, r) if (found := best(q + n, r + 1)) is not None]
        skipped = best(q, r + 1)
        if skipped is not None:
            options.append(skipped + 1)
        return min(options) if options else None

    candidates = [(found, start) for start in range(len(readings))
                  for n in takes(0, start) if (found := best(n, start + 1)) is not None]
    return min(candidates) if candidates else None


class SubjectSearch:
    """Every matter and theme of a hall, searchable; built once at start."""

    def __init__(self, names: list[tuple[str, str]]) -> None:
        """`names`: (subject code, name) pairs, in the order to show ties."""
        self.entries = [Entry(key, name, readings_of(name)) for key, name in names]

    @classmethod
    def of_hall(cls, settings, include_themes: bool = True,
                skip_categories: tuple[str, ...] = ()) -> SubjectSearch:
        names = [(m.code, m.name) for m in settings.matters
                 if m.category not in skip_categories]
        if include_themes:
            names += [(t.code, t.name) for t in settings.themes]
        return cls(names)

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Codes of the subjects whose names the query finds, best first."""
        query = _normalise(query)
        if not query:
            return []
        scored = []
        for order, entry in enumerate(self.entries):
            found = reading_match(query, entry.readings)
            if found is not None:
                scored.append((found[0], found[1], order, entry.key))
        scored.sort()
        return [key for *_, key in scored[:limit]]
