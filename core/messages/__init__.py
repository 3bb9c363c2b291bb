"""Everything a citizen or clerk reads, in their language: the message catalogues.

Message ids are English; each domain (`kiosk`, `refusals`, `web` ...) has a
catalogue `core/messages/zh/LC_MESSAGES/<domain>.po` with the Simplified Chinese.
Chinese is the default; English is the message id itself. Catalogues are read
with Babel and compiled in memory on first use, so there is no build step and no
binary file in the repository; `tests/core/test_messages.py` checks that every
message the code asks for has its Chinese.

    tr = translator("kiosk", "zh")
    tr("Take a number")          -> "取号"
    tr("{n} people ahead", n=3)  -> "前面还有 3 人"
"""
from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
HERE = Path(__file__).parent


def N_(message: str) -> str:
    """Marks a message id for the catalogue where it is defined, translated later."""
    return message


class Translator:
    """One domain in one language: `tr(msgid, **values)` gives the text, formatted."""

    def __init__(self, domain: str, language: str, catalogue: gettext.NullTranslations):
        self.domain, self.language, self._catalogue = domain, language, catalogue

    def __call__(self, message: str, **values) -> str:
        text = self._catalogue.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values) -> str:
        text = self._catalogue.ngettext(singular, plural, n)
        return text.format(n=n, **values)


def translator(domain: str, language: str = DEFAULT_LANGUAGE) -> Translator:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    return _translator(domain, language)


@lru_cache(maxsize=None)
def _translator(domain: str, language: str) -> Translator:
    if language == "en":
        return Translator(domain, language, gettext.NullTranslations())
    return Translator(domain, language, _compiled(catalogue_path(domain, language)))


def catalogue_path(domain: str, language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(domain: str, language: str):
    """The Babel catalogue of one domain (for tests and tools)."""
    with open(catalogue_path(domain, language), "rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def _compiled(path: Path) -> gettext.GNUTranslations:
    with open(path, "rb") as handle:
        catalogue = read_po(handle, domain=path.stem)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
