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


class Page:
    """A page in that browser, waited on (up to `seconds`): the text an element shows,
    and a press on a button that is found again when the page redraws meanwhile (the
    staff pages refresh themselves every few seconds)."""

    def __init__(self, browser, seconds: float = 10) -> None:
        from selenium.webdriver.support.ui import WebDriverWait
        self.browser = browser
        self.wait = WebDriverWait(browser, seconds)

    def shown(self, element_id: str, words: str) -> str:
        """The element's text, once it contains `words`."""
        from selenium.webdriver.common.by import By
        self.wait.until(lambda b: words in b.find_element(By.ID, element_id).text)
        return self.browser.find_element(By.ID, element_id).text

    def press(self, selector: str) -> None:
        """Click the element of this CSS selector once it is there."""
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
        )
        from selenium.webdriver.common.by import By

        def clicked(b) -> bool:
            try:
                b.find_element(By.CSS_SELECTOR, selector).click()
                return True
            except (NoSuchElementException, StaleElementReferenceException):
                return False
        self.wait.until(clicked)

    def log_in(self, user: str, password: str) -> None:
        """A staff page's log-in form (_staff_top.html): once it shows, fill it and send."""
        from selenium.webdriver.common.by import By
        self.wait.until(lambda b: b.find_element(By.ID, "login").is_displayed())
        for field, value in (("user", user), ("password", password)):
            self.browser.find_element(By.ID, field).clear()
            self.browser.find_element(By.ID, field).send_keys(value)
        self.browser.find_element(By.ID, "log-in").click()
