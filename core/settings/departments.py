"""The `[[departments]]` array: who decides a case (审批) in the back office.

Each department lists the categories whose matters it decides, and may claim single
matters of another category (`matters`, which win over `categories`). A 一件事 theme's
case splits into one part per matter, each decided by that matter's department
(并联审批). When a hall lists departments, every matter that opens a case must have
one, and a back_office person's department must be one of them.
docs/configuration.md has the keys.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.settings.checks import Report, did_you_mean
from core.settings.values import Key, code, optional_text, text, text_list


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_en: str = ""
    categories: tuple[str, ...] = ()   # Category.code: every matter of these ...
    matters: tuple[str, ...] = ()      # ... and these matters (of any category)

    def label(self, language: str = "zh") -> str:
        return self.name_en if language == "en" and self.name_en else self.name


DEPARTMENT_SCHEMA: dict[str, Key] = {
    "code": Key(code), "name": Key(text), "name_en": Key(optional_text, ""),
    "categories": Key(text_list(code), ()), "matters": Key(text_list(code), ())}


def build_departments(items: list[dict[str, Any]]) -> tuple[Department, ...]:
    return tuple(Department(**{**item, "categories": tuple(item.get("categories", ())),
                               "matters": tuple(item.get("matters", ()))}) for item in items)


def check_departments(report: Report, data: dict[str, Any]) -> None:
    """Codes unique; every category and matter named known and claimed once; with
    departments listed, every matter that opens a case is decided by one."""
    departments = data.get("departments") or []
    if not departments:
        return
    categories = [c.get("code") for c in data.get("categories") or []]
    matters = {m.get("code"): m for m in data.get("matters") or []}
    codes: list[str] = []
    claimed: dict[tuple[str, str], str] = {}
    for i, item in enumerate(departments):
        if item.get("code") in codes:
            report.add(("departments", i, "code"), f"duplicate department {item['code']!r}")
        codes.append(item.get("code"))
        for kind, known in (("categories", categories), ("matters", list(matters))):
            for j, value in enumerate(item.get(kind, ())):
                where = ("departments", i, kind, j)
                if value not in known:
                    report.add(where, f"unknown {kind[:-1] if kind == 'matters' else 'category'}"
                               f" {value!r}{did_you_mean(value, known, kind)}")
                elif (kind, value) in claimed:
                    report.add(where, f"{value!r} is already decided by department "
                               f"{claimed[kind, value]!r}")
                else:
                    claimed[kind, value] = item.get("code")
    for code_, matter in matters.items():
        if (matter.get("opens_case", True) and ("matters", code_) not in claimed
                and ("categories", matter.get("category")) not in claimed):
            report.add(("departments",), f"matter {code_!r} opens a case but no department "
                       f"decides it: list it, or its category {matter.get('category')!r}, "
                       f"under a [[departments]] entry")
