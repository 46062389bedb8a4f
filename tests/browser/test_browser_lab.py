"""The course's JupyterLab in a real browser: a widget cell runs and its slider redraws the figure."""
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import course_start  # noqa: E402

NOTEBOOK = {"cells": [
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "%matplotlib inline\nfrom nnopt.widgets import ewa_explorer"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "ewa_explorer()"},
], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}
TOKEN = "nnopt-browser-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """The course's JupyterLab (course_start.lab_command) on a notebook with one widget cell."""
    (tmp_path / "widget.ipynb").write_text(json.dumps(NOTEBOOK))
    port = _free_port()
    argv, env = course_start.lab_command(tmp_path, port=port, open_browser=False)
    argv += [f"--IdentityProvider.token={TOKEN}", "--ServerApp.ip=127.0.0.1"]
    server = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + server.stderr.read1().decode(errors="replace")
                                       if server.poll() is not None else "JupyterLab did not start in 40 s")
                time.sleep(0.3)
        yield base
    finally:
        course_start._stop(server)


def _figure(page) -> bytes:
    return page.locator(".jp-OutputArea-output img").last.get_attribute("src") or ""


def test_widget_slider_redraws_the_figure(browser, lab, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{lab}/lab/tree/widget.ipynb?token={TOKEN}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=40_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=40_000)  # the kernel is up
        page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor").first.click()
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        slider = page.locator(".widget-slider .noUi-handle, .widget-slider .slider-container").first
        slider.wait_for(timeout=30_000)
        page.locator(".jp-OutputArea-output img").last.wait_for(timeout=60_000)
        before = _figure(page)
        assert before.startswith("data:image/png"), before[:80]
        page.locator(".widget-slider .noUi-handle").first.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "old => { const imgs = document.querySelectorAll('.jp-OutputArea-output img');"
            " return imgs.length && imgs[imgs.length - 1].src !== old; }", arg=before, timeout=30_000)
        after = _figure(page)
        assert after.startswith("data:image/png") and after != before
    except Exception:
        page.screenshot(path=tmp_path / "failure.png")  # what the page showed, for the report
        raise
    finally:
        page.close()
