"""One headless chromium per test session for the tests that open the course in a real browser.

Chromium comes from the operating system (``apt-get install chromium``); Playwright only drives it.
Without it these tests are skipped, saying why, except under CI (``CI`` set), where that fails.
"""
import os
import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _chromium() -> str | None:
    found = os.environ.get("NNOPT_CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    return found


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        _missing("chromium is not installed: install it with your package manager "
                 "(e.g. apt-get install chromium) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: run python3 course.py test, which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
