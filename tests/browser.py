"""Headless Chromium for the web-page tests (Debian's chromium and chromium-driver)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

needs_chromium = pytest.mark.skipif(not shutil.which("chromedriver"),
                                    reason="needs Debian's chromium-driver (scripts/setup)")


def chromium(profile: Path, width: int, height: int, *extra: str):
    """A headless Chromium of this window size, its profile in `profile`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--window-size={width},{height}",
                 f"--user-data-dir={profile}", *extra):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
