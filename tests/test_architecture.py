"""The layout's rules, checked on the source: who may import what, and no circles.

- core/ is pure: the standard library and itself (the server, kiosk, caller and
  hardware build on it; it must import without any of them), plus two libraries of
  pure data: Babel to read its message catalogues, pypinyin to search by pinyin.
- simulator/ imports core and itself only, and runs no SQL (a recorded day comes
  from `server.storage.recorded_day`, handed in by the launcher).
- hardware/ knows nothing of the hall: the standard library, pyserial, itself; the
  printer's python-escpos, Pillow and qrcode; and core, which is pure (the printed
  layout in core.printing, ID numbers in core.id_cards).
- nothing but the launcher, the benchmarks and the tests imports `server`, except
  through `server.client`; the server imports no client app.
- no import circle among the project's modules.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "simulator", "server", "hardware", "kiosk", "caller", "display", "kivy_apps",
            "yichuang", "bench")
STDLIB = set(sys.stdlib_module_names)
ALLOWED = {   # top-level modules each package may import, besides the standard library
    "core": {"core", "babel", "pypinyin"},
    "simulator": {"core", "simulator"},
    "hardware": {"hardware", "serial", "core", "escpos", "PIL", "qrcode"},
    # the kiosk: a Kivy shell over core, its devices and the server's client only
    "kiosk": {"kiosk", "kivy_apps", "core", "hardware", "server", "kivy", "qrcode", "PIL"},
    # the hall's board, voice and LED bridge: shells over core, devices and the client
    "display": {"display", "kivy_apps", "core", "hardware", "server", "kivy", "PIL", "pyttsx3",
                "serial"},
    # the clerk's caller: a Kivy shell over core, the window's printer and the client
    "caller": {"caller", "kivy_apps", "core", "hardware", "server", "kivy"},
    # what the three Kivy apps share: Kivy only, nothing of the hall
    "kivy_apps": {"kivy_apps", "kivy"},
}
FORBIDDEN_STDLIB = {"simulator": {"sqlite3"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, imported module, at module level) of every absolute import in a file;
    imports under `if TYPE_CHECKING:` are left out (they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str, bool]] = []

    def visit(node, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            nested = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((child.lineno, a.name, top) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.lineno, child.module, top))
                found.extend((child.lineno, f"{child.module}.{a.name}", top)
                             for a in child.names)
            visit(child, nested)
    visit(tree, True)
    return found


SOURCES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                 if (ROOT / package).is_dir())
MODULES = {_module_name(p): p for p in SOURCES}


def _sources_of(package: str) -> list[Path]:
    return [p for p in SOURCES if p.relative_to(ROOT).parts[0] == package]


def test_the_packages_are_there():
    assert {"core", "simulator", "server", "hardware", "yichuang"} <= {
        p.relative_to(ROOT).parts[0] for p in SOURCES}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    allowed = ALLOWED[package] | (STDLIB - FORBIDDEN_STDLIB.get(package, set()))
    bad = [f"{path.relative_to(ROOT)}:{line}: import {module}"
           for path in _sources_of(package)
           for line, module, _ in _imports(path) if module.split(".")[0] not in allowed]
    assert not bad, f"{package}/ may import only {sorted(ALLOWED[package])} and the " \
                    "standard library:\n" + "\n".join(sorted(set(bad)))


def test_only_the_launcher_benchmarks_and_tests_reach_into_the_server():
    users = ("kiosk", "caller", "display", "hardware", "simulator", "core")
    bad = [f"{path.relative_to(ROOT)}:{line}: import {module}"
           for package in users for path in _sources_of(package)
           for line, module, _ in _imports(path)
           if module.split(".")[0] == "server" and not module.startswith("server.client")]
    assert not bad, "use server.client, not the server's insides:\n" + "\n".join(bad)


def _graph() -> dict[str, set[str]]:
    """Module -> project modules it imports at module level."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for _, module, top in _imports(path):
            if top and module in MODULES and module != name:
                targets.add(module)
        graph[name] = targets
    return graph


def test_no_import_circles():
    graph, state, circles = _graph(), {}, []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target):] + [node, target])
                               if target in trail else f"{node} -> {target}")
            elif target not in state:
                walk(target, trail + [node])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module, [])
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_the_circle_check_can_fail(tmp_path, monkeypatch):
    """The check above finds a circle when there is one."""
    monkeypatch.setitem(MODULES, "core.a", tmp_path / "a.py")
    monkeypatch.setitem(MODULES, "core.b", tmp_path / "b.py")
    (tmp_path / "a.py").write_text("import core.b\n")
    (tmp_path / "b.py").write_text("from core import a\n")
    with pytest.raises(AssertionError, match="core.a -> core.b"):
        test_no_import_circles()
