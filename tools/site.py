"""Build the course as a static web site that works offline, opened straight from disk.

    python tools/site.py [NOTEBOOK ...] [--out DIR]     # (python3 course.py site [NOTEBOOK ...])

Writes (``DIR`` is ``site/`` by default, git-ignored)::

    index.html                   the course map: every notebook with its page and its deck
    notebooks/<stem>.html        one page per notebook, every saved output, index/previous/next bar
    slides/<stem>.slides.html    the notebook's reveal.js deck (slide types from tools/slides.py)
    assets/                      MathJax 2, reveal.js 5, require.js: pinned npm packages

Every page loads only local files (relative links, figures as data URIs), so the folder works
from ``file://``, on a memory stick, without a server or a network. ``NOTEBOOK`` is a number
(``03``) or a name; without any, every notebook is built. The index always lists the whole
course; a notebook not built yet gets a short page saying how to build it.

The JavaScript comes from the npm registry once: ``npm pack NAME@VERSION`` into
``.course-assets/`` (git-ignored), checked against the sha512 integrity pinned in ``ASSETS``;
later builds use that cache and need no network.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import html
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
import nbformat
from nbconvert import HTMLExporter, SlidesExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import readable_widget_outputs  # noqa: E402
from course_map import NOTEBOOKS, ROOT, Entry, course_map  # noqa: E402

SITE = ROOT / "site"
CACHE = ROOT / ".course-assets"


@dataclass(frozen=True)
class Asset:
    """An npm package at one version, its registry integrity, and the files the site uses."""
    name: str
    version: str
    integrity: str  # `npm view NAME@VERSION dist.integrity`
    files: tuple[str, ...]  # paths inside the package; a trailing "/" takes the whole folder
    inline_fonts: tuple[str, ...] = ()  # CSS files whose woff fonts become data: URIs

    @property
    def tarball(self) -> str:
        return f"{self.name}-{self.version}.tgz"

    @property
    def stamp(self) -> str:
        """What an installed copy records: the package and the files taken from it."""
        return "\n".join((self.integrity, *self.files, *self.inline_fonts)) + "\n"


ASSETS = (
    Asset("mathjax", "2.7.9",
          "sha512-NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC5gNu9/bu8+CCVl5p9G2IHcAl/wJa+5+BQ==",
          ("MathJax.js", "LICENSE", "config/TeX-AMS_SVG-full.js", "extensions/", "jax/input/TeX/",
           "jax/output/SVG/jax.js", "jax/output/SVG/autoload/", "jax/output/SVG/fonts/TeX/",
           "jax/element/")),
    Asset("reveal.js", "5.2.1",
          "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ==",
          ("LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
           "dist/theme/fonts/source-sans-pro/source-sans-pro.css",
           *(f"dist/theme/fonts/source-sans-pro/source-sans-pro-{style}.woff"
             for style in ("regular", "italic", "semibold", "semibolditalic")), "plugin/notes/notes.js"),
          inline_fonts=("dist/theme/fonts/source-sans-pro/source-sans-pro.css",)),
    Asset("requirejs", "2.3.7",
          "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBkM1z+pDsw==",
          ("require.js",)),
)

# URLs as a page in notebooks/ or slides/ sees them (one level below the site's root). MathJax
# draws SVG: its glyphs come as scripts, whereas the web fonts of its HTML output are refused
# from file:// by browsers that treat every local file as its own origin (Firefox).
MATHJAX_URL = "../assets/mathjax/MathJax.js?config=TeX-AMS_SVG-full"
REQUIRE_URL = "../assets/requirejs/require.js"
REVEAL_PREFIX = "../assets/reveal.js"


class AssetError(RuntimeError):
    """A pinned package cannot be had: no cache and no npm/network, or a mismatching download."""


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode("ascii")


def fetch(asset: Asset, cache: Path = CACHE) -> Path:
    """The verified tarball of ``asset``, from the cache or else once from the npm registry."""
    tarball = cache / asset.tarball
    if not tarball.exists():
        spec = f"{asset.name}@{asset.version}"
        npm = shutil.which("npm")
        if npm is None:
            raise AssetError(
                f"The site needs {spec} from the npm registry and there is no npm here, nor a cached "
                f"{tarball}. Install Node.js (it brings npm) and build again with the network on "
                f"once, or copy {asset.tarball} from a machine that built the site into {cache}/.")
        cache.mkdir(parents=True, exist_ok=True)
        try:  # a few seconds, not npm's minute of retries, when there is no network
            subprocess.run([npm, "pack", spec, "--loglevel=error", "--fetch-retries=1",
                            "--fetch-retry-mintimeout=2000", "--fetch-retry-maxtimeout=5000"],
                           cwd=cache, check=True, timeout=300, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise AssetError(
                f"`npm pack {spec}` failed ({_npm_reason(error)}). The first build needs "
                f"the network (later builds use {cache}/); connect and build again, or copy "
                f"{asset.tarball} from a machine that built the site into {cache}/.") from error
        if not tarball.exists():
            raise AssetError(f"`npm pack {spec}` wrote no {tarball}; check npm's configuration.")
    found = integrity_of(tarball)
    if found != asset.integrity:
        raise AssetError(
            f"{tarball} is not the pinned {asset.name} {asset.version} (integrity {found}, pinned "
            f"{asset.integrity}). Delete it and build again to download it afresh.")
    return tarball


def _npm_reason(error) -> str:
    """npm's error code and message (e.g. "ECONNREFUSED: request to ... failed"), in one line."""
    lines = [re.sub(r"^npm (?:error|ERR!)\s*", "", line).strip()
             for line in (getattr(error, "stderr", "") or "").splitlines()]
    code = next((line[5:] for line in lines if line.startswith("code ")), "")
    message = next((line for line in lines if "request to" in line or "404" in line), "")
    return ": ".join(filter(None, (code, message))) or str(error)


def install(asset: Asset, assets: Path, cache: Path = CACHE) -> Path:
    """Copy the files the site uses from the verified tarball into ``assets/<name>/`` (once)."""
    target = assets / asset.name
    stamp = target / ".pinned"
    if stamp.exists() and stamp.read_text() == asset.stamp:
        return target
    tarball = fetch(asset, cache)
    if target.exists():
        shutil.rmtree(target)
    copied = 0
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            path = PurePosixPath(member.name)
            inside = PurePosixPath(*path.parts[1:]).as_posix()  # npm tarballs hold package/...
            wanted = any(inside == f or (f.endswith("/") and inside.startswith(f)) for f in asset.files)
            if not (member.isfile() and wanted) or ".." in path.parts:
                continue
            destination = target / inside
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.extractfile(member).read())
            copied += 1
    missing = [f for f in asset.files if not f.endswith("/") and not (target / f).exists()]
    if missing or not copied:
        raise AssetError(f"{tarball} lacks {', '.join(missing) or 'every file the site needs'}.")
    for css in asset.inline_fonts:
        inline_fonts(target / css)
    stamp.write_text(asset.stamp)
    return target


_FONT_URL = re.compile(r"""url\(\s*["']?([^"')?#]+\.woff)["']?\s*\)""")


def inline_fonts(css: Path) -> None:
    """Put the woff fonts a style sheet names into it as data: URIs (and drop the other formats).

    Browsers that give every local file its own origin (Firefox) refuse web fonts from another
    file under file://; a font inside the style sheet is always allowed.
    """
    def data_uri(match):
        font = (css.parent / match.group(1)).read_bytes()
        return f"url(data:font/woff;base64,{base64.b64encode(font).decode('ascii')})"

    text = re.sub(r"""\s*src:\s*url\([^)]*\.eot[^)]*\);""", "", css.read_text(encoding="utf-8"))
    text = re.sub(r"""url\([^)]*\.(?:eot|ttf)[^)]*\)\s*format\([^)]*\)\s*,?""", "", text)
    css.write_text(re.sub(r",\s*;", ";", _FONT_URL.sub(data_uri, text)), encoding="utf-8")


# --- templates: nbconvert's lab and reveal templates, made local and given the course's bars ---

# No mermaid.js and no widget manager from a CDN (the notebooks' widget outputs are static notes);
# code input highlighted by Pygments (escaped already) skips bleach, which took a third of the time.
_COMMON = """
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
<div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
</div>
</div>
{%- endblock input %}
"""
_NAV_CSS = """<style type="text/css">
nav.nnopt-nav { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; justify-content: space-between;
  align-items: center; max-width: 1100px; margin: 0 auto; padding: 0.6em 1em;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 14px;
  border-bottom: 1px solid #ccc; }
nav.nnopt-nav.nnopt-bottom { border-bottom: none; border-top: 1px solid #ccc; margin-top: 2em; }
nav.nnopt-nav a { text-decoration: none; color: #0055aa; }
nav.nnopt-nav .nnopt-middle { display: flex; gap: 1.2em; }
a.nnopt-deck-home { position: fixed; top: 0.5em; left: 0.7em; z-index: 40; font: 14px sans-serif;
  color: #0055aa; text-decoration: none; opacity: 0.7; }
</style>"""
# A slide taller than the stage scrolls inside it instead of running off the bottom.
_DECK_CSS = """<style type="text/css">
.reveal .slides > section:not(.stack), .reveal .slides > section.stack > section {
  max-height: 100%; overflow-y: auto; }
</style>"""
# reveal.js and its speaker notes through require.js (nbconvert's own loader), without jQuery.
# MathJax's CommonHTML output needs no re-typesetting when a slide shows (nbconvert's
# MathJax.Hub.Rerender on every slide change drew each formula a second time beside the first).
_DECK_JS = """<script>
require({waitSeconds: 30},
  ["{{ resources.reveal.url_prefix }}/dist/reveal.js", "{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    window.Reveal = Reveal;  // loaded as an AMD module: also give the console (and tests) the usual global
    Reveal.initialize({controls: true, progress: true, history: true, slideNumber: "c/t",
                       transition: "{{ resources.reveal.transition }}", plugins: [RevealNotes],
                       width: 960, height: 700});
  });
</script>"""
TEMPLATES = {
    "nnopt_page.html.j2": "{%- extends 'index.html.j2' -%}" + _COMMON + """
{% block extra_css %}""" + _NAV_CSS + """{% endblock extra_css %}
{% block body_header %}{{ super() }}{{ resources.nnopt_nav | safe }}{% endblock body_header %}
{% block body_footer %}{{ resources.nnopt_nav_bottom | safe }}{{ super() }}{% endblock body_footer %}
""",
    "nnopt_deck.html.j2": "{%- extends 'index.html.j2' -%}" + _COMMON + """
{% block html_head_js_jquery %}{% endblock html_head_js_jquery %}
{% block html_head_css %}""" + _NAV_CSS + _DECK_CSS + """{% endblock html_head_css %}
{% block body_footer %}</div></div>{{ resources.nnopt_nav | safe }}</main></body>{% endblock body_footer %}
{% block footer_js %}""" + _DECK_JS + """{% endblock footer_js %}
""",
}


def _exporters():
    loader = [jinja2.DictLoader(TEMPLATES)]
    quiet = logging.getLogger("nnopt.site")  # not nbconvert's "alternative text is missing"
    quiet.setLevel(logging.ERROR)
    common = dict(extra_loaders=loader, mathjax_url=MATHJAX_URL, require_js_url=REQUIRE_URL,
                  embed_images=True, log=quiet)
    page = HTMLExporter(template_name="lab", template_file="nnopt_page.html.j2", **common)
    deck = SlidesExporter(template_name="reveal", template_file="nnopt_deck.html.j2",
                          reveal_url_prefix=REVEAL_PREFIX, reveal_theme="white", **common)
    return page, deck


# Anything a page would load by itself: <script src>, <link href>, <img src>, CSS url()/@import,
# ES-module imports. (Hyperlinks, <a href>, load nothing and may point anywhere.)
_LOADS = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrc\s*=\s*["']?\s*(https?:|//)"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']?\s*(https?:|//)"""
    r"""|@import\s+(?:url\()?\s*["']?\s*(https?:|//)"""
    r"""|url\(\s*["']?\s*(https?:|//)"""
    r"""|\bimport\s*(?:\(|[\w{}*,\s]+\bfrom\b)\s*["'](https?:|//)""",
    re.IGNORECASE)


def network_references(text: str) -> list[str]:
    """The snippets of ``text`` that would make a browser fetch from the network."""
    return [text[max(0, m.start() - 20): m.end() + 60] for m in _LOADS.finditer(text)]


def _link(entry: Entry | None, folder: str, arrow: str) -> str:
    if entry is None:
        return "<span></span>"
    label = html.escape(f"{entry.number:02d} · {entry.title}")
    text = f"{arrow} {label}" if arrow == "←" else f"{label} {arrow}"
    return f'<a href="{folder}{entry.stem}.html" rel="{"prev" if arrow == "←" else "next"}">{text}</a>'


def nav_bar(entries: list[Entry], index: int, bottom: bool = False) -> str:
    """Index, previous and next for the page of ``entries[index]`` (links relative to notebooks/)."""
    entry = entries[index]
    previous = entries[index - 1] if index > 0 else None
    following = entries[index + 1] if index + 1 < len(entries) else None
    middle = (f'<span class="nnopt-middle"><a href="../index.html" rel="index">Course map</a>'
              f'<a href="../slides/{entry.stem}.slides.html">Slides</a></span>')
    classes = "nnopt-nav nnopt-bottom" if bottom else "nnopt-nav"
    return (f'<nav class="{classes}">{_link(previous, "", "←")}{middle}'
            f'{_link(following, "", "→")}</nav>')


def _inline(text: str) -> str:
    """README table text to HTML: escaped, `code` kept as code."""
    parts = text.split("`")
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p)
                   for i, p in enumerate(parts))


def _readme_head(readme: Path = ROOT / "README.md") -> tuple[str, str]:
    """The course's title and first paragraph, from the README."""
    lines = readme.read_text(encoding="utf-8").split("\n\n")
    title = lines[0].lstrip("# ").strip()
    lede = " ".join(lines[1].split()) if len(lines) > 1 else ""
    return title, re.sub(r"\*\*(.+?)\*\*", r"\1", lede)


def index_page(entries: list[Entry]) -> str:
    title, lede = _readme_head()
    rows = "\n".join(
        f'<tr><td class="n">{e.number}</td><td><a href="notebooks/{e.stem}.html">{html.escape(e.title)}</a>'
        f'<div class="topic">{_inline(e.topic)}</div></td><td>{_inline(e.builds)}</td>'
        f'<td>{e.time}</td><td><a href="slides/{e.stem}.slides.html">slides</a></td></tr>'
        for e in entries)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style type="text/css">
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 1000px;
  margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: 0.5em 0.6em; border-bottom: 1px solid #ddd; }}
td.n {{ text-align: right; white-space: nowrap; }}
a {{ color: #0055aa; text-decoration: none; font-weight: 600; }}
.topic {{ color: #555; font-size: 0.92em; }}
code {{ background: #f3f3f3; padding: 0 0.2em; }}
footer {{ color: #666; font-size: 0.9em; margin-top: 2em; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<p>{html.escape(lede)}</p>
<table>
<thead><tr><th>#</th><th>notebook</th><th>you build</th><th>minutes</th><th>deck</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<footer>Every page shows the notebook as committed, with its outputs. Slides: → next section,
↓ into a section, Esc for an overview, F for full screen. To run the code, start the course:
<code>python3 course.py start</code>.</footer>
</main>
</body>
</html>
"""


def placeholder(entry: Entry, kind: str) -> str:
    """The page of a notebook not built yet: says how to build it (keeps every link working)."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
            f"<title>{html.escape(entry.title)}</title></head><body>"
            f'<p><a href="../index.html">Course map</a></p><h1>{html.escape(entry.title)}</h1>'
            f"<p>The {kind} of this notebook is not built yet: run "
            f"<code>python3 course.py site {entry.number:02d}</code> (or <code>python3 course.py site</code> "
            f"for the whole course).</p></body></html>\n")


def _checked(text: str, path: Path) -> str:
    found = network_references(text)
    if found:
        raise RuntimeError(f"{path.name} would load from the network: {found[0]!r}. "
                           "Point it at a file in assets/ (see tools/site.py).")
    return text


def _read(path: Path):
    notebook = nbformat.read(path, as_version=4)
    readable_widget_outputs(notebook)  # the static note, not a widget that needs a CDN manager
    notebook.metadata.pop("widgets", None)
    return notebook


def select(which: list[str], entries: list[Entry]) -> list[Entry]:
    """The entries named by numbers (``3``, ``03``) or names (``03_momentum_and_nesterov[.ipynb]``)."""
    chosen = []
    for name in which:
        stem = Path(name).name.removesuffix(".ipynb")
        matches = [e for e in entries if stem in (e.stem, str(e.number), f"{e.number:02d}")]
        if not matches:
            names = ", ".join(e.stem for e in entries)
            raise SystemExit(f"No notebook {name!r}: give a number (e.g. 03) or a name; the course has {names}.")
        chosen += [e for e in matches if e not in chosen]
    return chosen


def build(out: Path = SITE, which: list[str] | None = None, notebooks: Path = NOTEBOOKS,
          cache: Path = CACHE) -> list[Path]:
    """Build the site into ``out`` (every notebook, or those in ``which``); returns the pages written."""
    out = Path(out)
    entries = course_map(notebooks)
    chosen = select(which, entries) if which else entries
    for asset in ASSETS:
        install(asset, out / "assets", cache)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "slides").mkdir(parents=True, exist_ok=True)
    page_exporter, deck_exporter = _exporters()
    written = []
    for position, entry in enumerate(entries):
        page = out / "notebooks" / f"{entry.stem}.html"
        deck = out / "slides" / f"{entry.stem}.slides.html"
        if entry not in chosen:
            for path, kind in ((page, "page"), (deck, "slide deck")):
                if not path.exists():
                    path.write_text(placeholder(entry, kind), encoding="utf-8")
            continue
        notebook = _read(Path(notebooks) / f"{entry.stem}.ipynb")
        name = f"{entry.number:02d} · {entry.title}"
        resources = {"metadata": {"name": name}, "nnopt_nav": nav_bar(entries, position),
                     "nnopt_nav_bottom": nav_bar(entries, position, bottom=True)}
        body, _ = page_exporter.from_notebook_node(notebook, resources=dict(resources))
        page.write_text(_checked(body, page), encoding="utf-8")
        home = (f'<a class="nnopt-deck-home" href="../notebooks/{entry.stem}.html" '
                f'title="the notebook as a page">☰ {html.escape(entry.title)}</a>')
        body, _ = deck_exporter.from_notebook_node(notebook, resources={**resources, "nnopt_nav": home})
        deck.write_text(_checked(body, deck), encoding="utf-8")
        written += [page, deck]
    index = out / "index.html"
    index.write_text(_checked(index_page(entries), index), encoding="utf-8")
    return [index, *written]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="course.py site", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="numbers (03) or names; default: every notebook")
    parser.add_argument("--out", type=Path, default=SITE, help="where to write the site (default: site/)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        written = build(args.out, args.notebooks)
    except AssetError as error:
        print(f"Cannot build the site: {error}", file=sys.stderr)
        return 1
    index = (args.out / "index.html").resolve()
    print(f"Built {(len(written) - 1) // 2} notebook(s) as pages and slides in "
          f"{time.perf_counter() - start:.1f} s.\n"
          f"The site is in {index.parent}/ and needs no server and no network:\n"
          f"  open {index.as_uri()} in a browser (or double-click index.html);\n"
          f"  slides: slides/<notebook>.slides.html (→ next, ↓ into a section, Esc overview, F full screen).\n"
          f"Copy the whole folder to take it elsewhere.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
