"""Materials with identities: what a matter needs, and what a matter produces.

一次性告知 tells a citizen every material before they wait. A matter lists its
materials by id (a `[[materials]]` entry: name, original or copy, how many,
which matters produce it) or, for a paper only it asks for, by its name alone.
A 一件事 theme's checklist is then computed, not concatenated: one entry per
material however many of its matters need it (the widest form and the largest
count), and nothing the theme itself produces (开办企业 does not ask for the
business licence its first matter issues; 身后事 asks once for the death
certificate its five matters share).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.messages import N_, translator

FORMS = ("original", "copy", "original_and_copy", "")
FORM_WORDS = {"original": N_("original"), "copy": N_("copy"),
              "original_and_copy": N_("original and copy")}
# An id is ASCII (death_certificate); anything else in a matter's list is a name.
MATERIAL_ID = re.compile(r"[a-z][a-z0-9_]{0,47}")


@dataclass(frozen=True)
class Material:
    """One document a citizen may have to bring (a `[[materials]]` entry)."""

    id: str
    name: str
    name_en: str = ""
    form: str = ""                       # original, copy, original_and_copy, "" (unsaid)
    count: int = 1
    produced_by: tuple[str, ...] = ()    # matter codes whose result is this document


@dataclass(frozen=True)
class MaterialNeed:
    """One line of a checklist: a material, in the form and number asked for."""

    id: str
    name: str
    name_en: str
    form: str
    count: int

    def label(self, language: str = "zh") -> str:
        """"公司章程（原件 1 份）" / "Articles of association (original, 1)"."""
        name = self.name_en if language == "en" and self.name_en else self.name
        if not self.form:
            return name
        tr = translator("materials", language)
        return tr("{name} ({form}, {count})", name=name, form=tr(FORM_WORDS[self.form]),
                  count=self.count)


def is_material_id(text: str) -> bool:
    return MATERIAL_ID.fullmatch(text) is not None


def need_of(reference: str, known: dict[str, Material]) -> MaterialNeed:
    """A matter's list entry as a checklist line: a known id, or a bare name."""
    material = known.get(reference)
    if material is None:
        return MaterialNeed(reference, reference, "", "", 1)
    return MaterialNeed(material.id, material.name, material.name_en, material.form,
                        material.count)


def checklist(matters: list[tuple[str, tuple[str, ...]]],
              known: dict[str, Material]) -> tuple[MaterialNeed, ...]:
    """The one checklist of matters handled together: `matters` is (code, material
    references) in the theme's order. Each material once, in first-needed order,
    with the widest form and the largest count; what a matter of the theme
    produces is left out."""
    codes = {code for code, _ in matters}
    produced = {m.id for m in known.values() if codes.intersection(m.produced_by)}
    merged: dict[str, MaterialNeed] = {}
    for _code, references in matters:
        for reference in references:
            need = need_of(reference, known)
            if need.id in produced:
                continue
            seen = merged.get(need.id)
            merged[need.id] = need if seen is None else MaterialNeed(
                need.id, need.name, need.name_en, _wider(seen.form, need.form),
                max(seen.count, need.count))
    return tuple(merged.values())


def _wider(first: str, second: str) -> str:
    forms = {first, second} - {""}
    if not forms:
        return ""
    return forms.pop() if len(forms) == 1 else "original_and_copy"
