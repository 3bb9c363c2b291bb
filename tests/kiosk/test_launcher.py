"""`yichuang kiosk`: this machine's [kiosk] keys from --device-config, and the app
started as its own process (offscreen) against the demo server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from kiosk.launcher import kiosk_settings
from tests.conftest import DEMO_HALL, ROOT, TOKENS


def test_device_config_overrides_this_machines_keys(tmp_path):
    own = tmp_path / "kiosk-2.toml"
    own.write_text('[kiosk]\nprinter = "kiosk-2-printer"\nreader = "kiosk-2-id-reader"\n'
                   'where = "二楼西侧"\n', encoding="utf-8")
    settings = kiosk_settings(str(DEMO_HALL), str(own))
    assert (settings.kiosk.printer, settings.kiosk.reader, settings.kiosk.where) == (
        "kiosk-2-printer", "kiosk-2-id-reader", "二楼西侧")
    assert settings.kiosk.idle_seconds == 60                   # the hall's, untouched
    own.write_text('[kiosk]\nprinter = "hall-speaker"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not a \\[\\[devices\\]\\] entry of kind printer"):
        kiosk_settings(str(DEMO_HALL), str(own))


def test_the_kiosk_command_starts_full_screen_against_the_server(live_server, tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path),
               KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "yichuang.cli", "kiosk", "--hall", str(DEMO_HALL),
         "--server", live_server.url, "--token", TOKENS["kiosk"]],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        started = time.monotonic()
        line = process.stdout.readline()
        assert "yichuang kiosk: ready" in line, line + process.stdout.read()[:2000]
        assert process.poll() is None and time.monotonic() - started < 60
        process.send_signal(signal.SIGTERM)                    # the system stops it
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()
