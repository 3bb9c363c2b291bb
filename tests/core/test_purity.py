"""core/ is pure: it imports only the standard library and itself.

The server (flask), the kiosk (kivy) and the hardware drivers (pyserial) build
on core; core must stay importable without any of them.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
ALLOWED = set(sys.stdlib_module_names) | {"core"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


SOURCES = sorted(CORE.rglob("*.py"))


def test_there_is_core_code():
    assert CORE / "settings_loader.py" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(CORE)) for p in SOURCES])
def test_core_imports_only_the_standard_library(path):
    bad = [f"{path.relative_to(CORE.parent)}:{line}: import {module}"
           for line, module in _imports(path) if module not in ALLOWED]
    assert not bad, "core/ must import only the standard library:\n" + "\n".join(bad)
