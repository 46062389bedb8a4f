"""The built course site offline in a real browser: links, rendered equations, slides that advance.

Every request that is not for a local file is aborted, as on a machine without a network.
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE_TOOL = ROOT / "tools" / "site.py"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# MathJax 2 SVG output (what tools/site.py bundles); MathJax 3 and KaTeX too, should the site switch.
MATH = ".MathJax_SVG, .MathJax_SVG_Display, mjx-container, .katex"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    # Notebook 02's page and deck are opened; the others get the builder's stub pages, which the
    # index test still finds (building all eight would triple the time for nothing).
    subprocess.run([sys.executable, str(SITE_TOOL), "--out", str(out), NOTEBOOKS[1].stem[:2]], cwd=ROOT,
                   check=True, timeout=240)
    return out


@pytest.fixture
def offline(browser):
    """A page on which every request that is not for a file:// URL is aborted (and counted)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked = []

    def route(r):
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.blocked = blocked
    try:
        yield page
    finally:
        context.close()


def _wait_for_math(page):
    page.wait_for_selector(f":is({MATH}) svg", timeout=30_000)
    assert page.locator(MATH).count() > 3


def test_index_links_every_notebook_page(site, offline):
    offline.goto((site / "index.html").as_uri())
    links = offline.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    for notebook in NOTEBOOKS:
        assert any(link.endswith(f"notebooks/{notebook.stem}.html") for link in links), notebook.stem
        assert (site / "notebooks" / f"{notebook.stem}.html").is_file()
    assert offline.blocked == []


def test_notebook_page_shows_rendered_equations(site, offline):
    offline.goto((site / "notebooks" / f"{NOTEBOOKS[1].stem}.html").as_uri())
    _wait_for_math(offline)
    offline.wait_for_function("() => !document.body.innerText.includes('$$')", timeout=30_000)
    assert offline.blocked == []


def test_deck_advances_and_shows_equations(site, offline):
    offline.goto((site / "slides" / f"{NOTEBOOKS[1].stem}.slides.html").as_uri())
    offline.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
    assert offline.evaluate("Reveal.getIndices()")["h"] == 0
    # → shows the next fragment of a slide, or the next slide once its fragments are all shown.
    for _ in range(30):
        offline.keyboard.press("ArrowRight")
        if offline.evaluate("Reveal.getIndices()")["h"] > 0:
            break
    assert offline.evaluate("Reveal.getIndices()")["h"] == 1
    _wait_for_math(offline)
    assert offline.blocked == []
