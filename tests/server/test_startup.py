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


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yichuang.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_serve_refuses_the_published_demo_tokens_but_the_demo_runs_with_them(tmp_path):
    result = serve("--hall", str(DEMO_HALL), "--database", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "published demo tokens" in one_line(result) and "yichuang demo" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_config_that_is_not_utf8_is_one_line(tmp_path):
    hall = tmp_path / "hall.toml"
    hall.write_bytes(DEMO_HALL.read_text(encoding="utf-8").encode("gb18030"))
    result = serve("--hall", str(hall))
    assert result.returncode == 2 and "is not UTF-8 text" in one_line(result)


def test_a_damaged_database_is_one_line(tmp_path):
    database = tmp_path / "hall.db"
    database.write_bytes(b"SQLite format 3\0" + b"\xff" * 8000)
    result = run("demo", "--database", str(database), "--port", "0")
    assert result.returncode == 2 and "restore it from a backup" in one_line(result)


def test_a_port_in_use_and_an_unknown_host_are_one_line(tmp_path):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run("demo", "--database", str(tmp_path / "a.db"), "--host", "127.0.0.1",
                     "--port", port)
        assert result.returncode == 2 and port in one_line(result)
    result = run("demo", "--database", str(tmp_path / "b.db"), "--host", "no-such-host.invalid")
    assert result.returncode == 2 and "no-such-host.invalid" in one_line(result)


def test_backup_from_the_command_line_restores(tmp_path, settings, clock):
    from server.app import create_app
    from tests.conftest import TOKENS
    database = tmp_path / "hall.db"
    app = create_app(settings, database=str(database), clock=clock)
    client = app.test_client()
    for _ in range(3):
        client.post("/api/tickets", json={"subject": "SS-0101"},
                    headers={"Authorization": f"Bearer {TOKENS['kiosk']}"})
    result = run("backup", "--database", str(database), "--to", str(tmp_path / "copy.db"))
    app.extensions["yichuang.service"].close()
    assert result.returncode == 0 and "key file is not part of it" in result.stdout
    import sqlite3
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT count(*) FROM tickets").fetchone()[0] == 3
    bad = run("backup", "--database", str(tmp_path / "none.db"), "--to", str(tmp_path / "c.db"))
    assert bad.returncode == 2 and "no hall database" in one_line(bad)


def test_https_with_the_hall_s_own_certificate(tmp_path):
    import ssl
    import urllib.request

    from server.wsgi import free_port
    cert, key = tmp_path / "hall.crt", tmp_path / "hall.key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", str(key), "-out", str(cert), "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "yichuang.cli", "demo", "--database",
                               str(tmp_path / "tls.db"), "--host", "127.0.0.1", "--port",
                               str(port), "--certfile", str(cert), "--keyfile", str(key)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        context = ssl.create_default_context(cafile=str(cert))
        import time
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = urllib.request.urlopen(f"https://127.0.0.1:{port}/api/health",
                                                context=context, timeout=2).read()
            except OSError:
                time.sleep(0.1)
        assert answer and b'"status":"ok"' in answer.replace(b" ", b"")
    finally:
        server.terminate()
        assert server.wait(15) == 0
    missing = run("demo", "--certfile", str(cert), "--database", str(tmp_path / "x.db"))
    assert missing.returncode == 2 and "--keyfile" in one_line(missing)


def test_the_demo_clock_starts_where_asked_and_moves():
    import time

    import pytest

    from server.startup import StartError, moving_clock
    clock = moving_clock("2026-11-23T09:00", "Asia/Shanghai")
    first = clock()
    assert first.isoformat().startswith("2026-11-23T09:00:00") and first.utcoffset()
    time.sleep(0.05)
    assert clock() > first
    with pytest.raises(StartError, match="not a time like"):
        moving_clock("monday", "Asia/Shanghai")
