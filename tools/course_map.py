"""The course's notebooks in order, with the title, topic and time of each (from the README's map)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# | 3 | [03_name](...) | topic | what you build | 55 (+25 optional) |
_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*\[(\w+)\]\([^)]*\)\s*\|(.*)\|(.*)\|\s*(\d+)\s*(?:\(\+\s*(\d+)[^)]*\))?\s*\|\s*$")
_TITLE = re.compile(r"^#\s+(?:\d+\s*·\s*)?(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    number: int
    stem: str
    title: str
    topic: str = ""
    builds: str = ""
    minutes: int = 0
    optional_minutes: int = 0  # the optional deep dives

    @property
    def time(self) -> str:
        """The README's time column: "55 (+10 optional)", "75", or "" when unknown."""
        extra = f" (+{self.optional_minutes} optional)" if self.optional_minutes else ""
        return f"{self.minutes}{extra}" if self.minutes else ""


def course_notebooks(directory: Path = NOTEBOOKS) -> list[Path]:
    """The numbered notebooks of a folder, in course order."""
    return sorted(Path(directory).glob("[0-9][0-9]_*.ipynb"))


def notebook_title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = _TITLE.search(cell.source)
            if match:
                return match.group(1).strip()
    return ""


def _readme_rows(readme: Path) -> dict[str, tuple[str, str, int, int]]:
    rows = {}
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            match = _ROW.match(line.strip())
            if match:
                rows[match.group(2)] = (match.group(3).strip(), match.group(4).strip(),
                                        int(match.group(5)), int(match.group(6) or 0))
    return rows


def course_map(directory: Path = NOTEBOOKS, readme: Path = ROOT / "README.md") -> list[Entry]:
    """One entry per notebook; topic, what you build and minutes come from the README's table."""
    rows = _readme_rows(readme)
    entries = []
    for path in course_notebooks(directory):
        notebook = nbformat.read(path, as_version=4)
        topic, builds, minutes, optional = rows.get(path.stem, ("", "", 0, 0))
        entries.append(Entry(int(path.name[:2]), path.stem, notebook_title(notebook) or path.stem,
                             topic, builds, minutes, optional))
    return entries
