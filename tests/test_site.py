"""The offline course site: every link works from disk, nothing loads from the network."""
import html
import importlib.util
import os
import re
import sys
import tarfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from course_map import course_map  # noqa: E402

# tools/site.py under another name: "site" is the standard library's module.
_spec = importlib.util.spec_from_file_location("course_site", ROOT / "tools" / "site.py")
course_site = importlib.util.module_from_spec(_spec)
sys.modules["course_site"] = course_site
_spec.loader.exec_module(course_site)

BUILT = ("01", "02")  # two neighbours: their previous/next links meet a real page and a stub


class Refs(HTMLParser):
    """What a page loads (script src, link href, img src, ...), its hyperlinks, and its CSS."""

    def __init__(self):
        super().__init__()
        self.loads, self.links, self.styles, self._in_style = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and attrs.get("href"):
            self.loads.append(("link", attrs["href"]))
        elif attrs.get("src"):
            self.loads.append((tag, attrs["src"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def refs(path: Path) -> Refs:
    parser = Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def is_remote(url: str) -> bool:
    return url.strip().lower().startswith(("http:", "https:", "//"))


def target(page: Path, url: str) -> Path:
    """The file a relative URL of ``page`` opens (query and fragment dropped)."""
    return (page.parent / unquote(urlsplit(url).path)).resolve()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    try:
        course_site.build(out, list(BUILT))
    except course_site.AssetError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must be able to build the site: {error}")
        pytest.skip(f"no npm/network and no cached assets: {error}")
    return out


def pages(site):
    return sorted(site.glob("*.html")) + sorted(site.glob("notebooks/*.html")) + sorted(site.glob("slides/*.html"))


def test_the_index_lists_every_notebook_with_its_page_and_deck(site):
    entries = course_map()
    assert len(entries) == 8
    index = site / "index.html"
    links = refs(index).links
    text = index.read_text(encoding="utf-8")
    for entry in entries:
        assert f"notebooks/{entry.stem}.html" in links and f"slides/{entry.stem}.slides.html" in links
        assert target(index, f"notebooks/{entry.stem}.html").is_file()
        assert target(index, f"slides/{entry.stem}.slides.html").is_file()
        assert html.escape(entry.title) in text and entry.topic and html.escape(entry.topic) in text
        assert f"{entry.time}" in text  # the README's time column


def test_the_readme_time_column_is_read_with_its_optional_part():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for entry in course_map():
        assert entry.minutes > 0 and entry.optional_minutes > 0
        assert entry.time == f"{entry.minutes} (+{entry.optional_minutes} optional)"
        row = next(line for line in readme.splitlines() if f"[{entry.stem}]" in line and line.startswith("|"))
        assert row.rstrip().endswith(f"| {entry.time} |")


def test_previous_and_next_follow_the_course_and_every_local_link_exists(site):
    stems = [e.stem for e in course_map()]
    first = site / "notebooks" / f"{stems[0]}.html"
    second = site / "notebooks" / f"{stems[1]}.html"
    assert 'rel="prev"' not in first.read_text(encoding="utf-8")
    assert f'href="{stems[1]}.html" rel="next"' in first.read_text(encoding="utf-8")
    text = second.read_text(encoding="utf-8")
    assert f'href="{stems[0]}.html" rel="prev"' in text and f'href="{stems[2]}.html" rel="next"' in text
    assert text.count('href="../index.html" rel="index"') == 2  # the bar above and below
    checked = 0
    for page in pages(site):
        parser = refs(page)
        for url in parser.links + [url for _, url in parser.loads]:
            if is_remote(url) or url.startswith(("#", "data:", "mailto:")):
                continue
            assert target(page, url).is_file(), f"{page.name} links to missing {url}"
            checked += 1
    assert checked > 50


def test_a_page_not_built_says_how_to_build_it(site):
    stub = site / "notebooks" / f"{course_map()[2].stem}.html"
    assert "python3 course.py site 03" in stub.read_text(encoding="utf-8")
    assert stub.stat().st_size < 2000


def test_nothing_loads_from_the_network(site):
    for page in pages(site):
        parser = refs(page)
        remote = [(tag, url) for tag, url in parser.loads if is_remote(url)]
        assert not remote, f"{page.name} loads {remote[:3]}"
        css = "\n".join(parser.styles)
        assert not re.findall(r"(?:@import|url\()\s*[\"']?\s*(?:https?:|//)", css, re.I), page.name
        text = page.read_text(encoding="utf-8")
        assert course_site.network_references(text) == []
        assert not re.search(r"import\s*\(?\s*[\"']https?:", text), page.name  # e.g. mermaid's
        assert "application/vnd.jupyter.widget-view+json" not in text
    for css in (site / "assets").rglob("*.css"):
        assert not re.findall(r"(?:@import|url\()\s*[\"']?\s*(?:https?:|//)", css.read_text(), re.I), css


def test_the_network_check_catches_what_would_load():
    bad = ['<script src="https://unpkg.com/x.js"></script>', '<link rel="stylesheet" href="//cdn/x.css">',
           "<style>@import url(https://fonts.googleapis.com/css);</style>",
           '<img src="http://example.org/a.png">', "import mermaid from 'https://cdn/mermaid.mjs';"]
    for snippet in bad:
        assert course_site.network_references(snippet), snippet
    assert course_site.network_references('<a href="https://arxiv.org/abs/1412.6980">Adam</a>') == []


def test_every_figure_is_embedded(site):
    stem = course_map()[0].stem
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    figures = sum("image/png" in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))
    for page in (site / "notebooks" / f"{stem}.html", site / "slides" / f"{stem}.slides.html"):
        images = [url for tag, url in refs(page).loads if tag == "img"]
        pngs = [url for url in images if url.startswith("data:image/png;base64,")]
        assert len(pngs) >= figures >= 5 and all(url.startswith("data:") for url in images)


def test_the_deck_runs_the_bundled_reveal_js_and_keeps_the_slide_structure(site):
    stem = course_map()[1].stem
    deck = site / "slides" / f"{stem}.slides.html"
    text = deck.read_text(encoding="utf-8")
    for path in ("../assets/reveal.js/dist/reveal.js", "../assets/reveal.js/plugin/notes/notes.js"):
        assert f'"{path}"' in text and target(deck, path).is_file()
    loads = [url for _, url in refs(deck).loads]
    assert "../assets/reveal.js/dist/reveal.css" in loads and "../assets/requirejs/require.js" in loads
    assert "../assets/reveal.js/dist/theme/white.css" in loads
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    slides = sum(c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide")
                 for c in notebook.cells)
    assert slides >= 5 and text.count("<section") >= slides
    assert "Reveal.initialize" in text
    fonts = (site / "assets" / "reveal.js" / "dist" / "theme" / "fonts" / "source-sans-pro" / "source-sans-pro.css").read_text()
    assert fonts.count("url(data:font/woff;base64,") == 4 and not re.search(r"url\(\s*['\"]?\.", fonts)
    assert "Rerender" not in text  # re-typesetting on slide change drew every formula twice


def test_equations_are_left_to_the_bundled_mathjax(site):
    page = site / "notebooks" / f"{course_map()[1].stem}.html"
    loads = [url for _, url in refs(page).loads]
    assert course_site.MATHJAX_URL in loads
    assert target(page, course_site.MATHJAX_URL).is_file()
    assert (site / "assets" / "mathjax" / "config" / "TeX-AMS_SVG-full.js").is_file()
    assert len(list((site / "assets" / "mathjax" / "jax" / "output" / "SVG" / "fonts" / "TeX").rglob("*.js"))) > 20
    text = page.read_text(encoding="utf-8")
    assert "MathJax.Hub.Config" in text and "inlineMath: [ ['$','$']" in text
    assert re.search(r"\$[^$<>]*\\beta[^$<>]*\$", text)  # TeX kept for MathJax, not mangled


def test_the_cached_packages_are_the_pinned_ones(site):
    for asset in course_site.ASSETS:
        assert course_site.integrity_of(course_site.CACHE / asset.tarball) == asset.integrity
        assert (site / "assets" / asset.name / ".pinned").read_text().split("\n")[0] == asset.integrity


def test_an_installed_package_is_kept_until_its_pin_or_file_list_changes(site, tmp_path):
    asset = course_site.ASSETS[2]
    target = course_site.install(asset, tmp_path)
    (target / "require.js").write_text("kept")
    course_site.install(asset, tmp_path)
    assert (target / "require.js").read_text() == "kept"  # same stamp: nothing copied again
    (target / ".pinned").write_text(asset.integrity + "\nan older file list\n")
    course_site.install(asset, tmp_path)
    assert (target / "require.js").read_text().count("requirejs") > 5


def test_a_tampered_or_unobtainable_package_is_refused_with_the_fix(tmp_path, monkeypatch):
    asset = course_site.ASSETS[2]  # requirejs, the smallest
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "require.js").write_text("/* not require.js */")
    with tarfile.open(tmp_path / asset.tarball, "w:gz") as archive:
        archive.add(fake / "require.js", arcname="package/require.js")
    with pytest.raises(course_site.AssetError, match="Delete it and build again"):
        course_site.install(asset, tmp_path / "assets", cache=tmp_path)
    assert not (tmp_path / "assets" / asset.name).exists()
    monkeypatch.setattr(course_site.shutil, "which", lambda name: None)
    with pytest.raises(course_site.AssetError, match="no npm here.*Install Node.js"):
        course_site.fetch(asset, cache=tmp_path / "empty")


def test_notebooks_are_chosen_by_number_or_name():
    entries = course_map()
    assert [e.number for e in course_site.select(["3", "08", "01_minibatch_gradient_descent.ipynb"], entries)] == [3, 8, 1]
    with pytest.raises(SystemExit, match="give a number"):
        course_site.select(["99"], entries)
