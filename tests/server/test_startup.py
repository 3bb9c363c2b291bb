"""`yichuang serve` refuses a broken hall configuration, naming the line and field."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import DEMO_HALL, ROOT


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yichuang.cli", "serve", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_a_typo_in_the_config_stops_start_up_with_line_and_field(tmp_path):
    text = DEMO_HALL.read_text(encoding="utf-8")
    broken = text.replace('pool = "acceptance_b"', 'pool = "acceptence_b"', 1)
    line = text[:text.index('pool = "acceptance_b"')].count("\n") + 1
    hall = tmp_path / "hall.toml"
    hall.write_text(broken, encoding="utf-8")
    result = serve("--hall", str(hall), "--database", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert f"hall.toml:{line}:" in result.stderr
    assert "unknown pool 'acceptence_b'" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_missing_config_file_is_named(tmp_path):
    result = serve("--hall", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "nope.toml" in result.stderr
