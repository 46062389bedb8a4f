"""Every notebook carries reveal.js slide types from tools/slides.py, and solutions never reach a deck."""
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from slides import slide_type  # noqa: E402


def test_rules():
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    assert slide_type(md("## Momentum\ntext"), False) == "slide"
    assert slide_type(md("# Title"), False) == "slide"
    assert slide_type(md("### A detail"), False) == "subslide"
    assert slide_type(md("### Solution"), False) == "skip"
    assert slide_type(code("x = 1"), True) == "skip"  # the cell after the "### Solution" heading
    tagged = code("x = 1")
    tagged.metadata["tags"] = ["solution"]
    assert slide_type(tagged, False) == "skip"
    assert slide_type(code("\n".join(["x = 1"] * 16)), False) == "fragment"
    assert slide_type(code("\n".join(["x = 1"] * 15)), False) == "-"
    assert slide_type(md("text"), False) == "-"


def test_committed_notebooks_have_current_slide_types():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "slides.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_every_notebook_opens_with_a_slide_and_skips_its_solutions():
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        types = [c.metadata.get("slideshow", {}).get("slide_type") for c in cells]
        assert types[0] == "slide", path.name
        for cell, kind in zip(cells, types):
            if "solution" in cell.metadata.get("tags", []):
                assert kind == "skip", path.name
