"""The back office's tests: a hall with a 一件事 split across the demo's two back-office
departments (business and realty), and people of each department."""
from __future__ import annotations

from dataclasses import replace

from core.settings.schema import Theme
from server.passwords import hash_password
from server.sessions import add_person

# a test-only theme: SS-0103 is decided by 市场监督管理局 (business), BDC-0402 by
# 自然资源和规划局 (realty); served at window 1 (acceptance_a, theme skill)
OFFICE_THEME = Theme("YJS-90", "企业购置办公用房", "A company buys its office",
                     ("SS-0103", "BDC-0402"), "theme", "acceptance_a")
PASSWORD = "correct-horse-7"
OFFICE_PEOPLE = (("shen", "沈六（商事审批）", "back_office", "business"),
                 ("he", "何七（不动产审批）", "back_office", "realty"),
                 ("lost", "陆八", "back_office", "harbour"),
                 ("boss", "王五", "manager", ""), ("zhang", "张三", "clerk", ""))


def with_office_theme(settings):
    return replace(settings, themes=settings.themes + (OFFICE_THEME,))


def add_office_people(app) -> None:
    service = app.extensions["yichuang.service"]
    shared = hash_password(PASSWORD)

    def add(conn, now):
        for name, display_name, role, department in OFFICE_PEOPLE:
            add_person(conn, name, display_name, role, department, shared, now)
    service.with_people(add, write=True)
