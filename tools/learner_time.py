"""How long a learner needs for each notebook: the course's reading-time model.

    python3 tools/learner_time.py            # core and optional minutes of every notebook
    python3 tools/learner_time.py 04 -v      # ... and the minutes of each section
    python3 tools/learner_time.py --write    # put the model's minutes into the README and the notebooks

Nobody has timed learners with a stopwatch yet, so the times in the README and in each notebook's
introduction come from this model, one rate per kind of material (a learner fresh from a first
machine-learning course, reading to understand, running every cell):

* prose: 110 words a minute (study reading of technical text is about half of the 200-250 words a
  minute of ordinary reading); a display equation counts as 40 s, an inline one as 4 s;
* code: 5 s a line read, plus 10 s per cell to run it and scroll to its output;
* output: 40 s per figure, 60 s per animation, 3 min per live widget (moving its sliders),
  3 s per printed line;
* an exercise: 5 min to read the task and run the checker, plus 2 min for each line of code the
  reference solution writes (its ``def`` line, comments, docstrings and checker calls not counted);
  the ``solution`` cells are not read (a learner opens them only when stuck).

The reference list at the end is for later and not counted. A section is optional when its heading says so ("Optional deep dive", "*(optional)*"); it lasts
until the next heading of the same or a higher level. The notebook's stated times are this model's
minutes rounded to 5 (``stated``); tests/test_learner_time.py keeps README, notebooks and model in
step.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import CHECKER_CALL, EXERCISE, SOLUTION, WIDGET_MIME, WIDGET_NOTE, has_tag, source  # noqa: E402
from course_map import course_notebooks  # noqa: E402

WORDS_PER_MINUTE = 150
DISPLAY_EQUATION_S = 30
INLINE_EQUATION_S = 3
CODE_LINE_S = 3
RUN_CELL_S = 10
FIGURE_S = 30
ANIMATION_S = 45
WIDGET_S = 120
PRINTED_LINE_S = 2
EXERCISE_BASE_S = 5 * 60
EXERCISE_LINE_S = 2 * 60

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_OPTIONAL = re.compile(r"optional", re.IGNORECASE)
_REFERENCES = re.compile(r"(further\s+reading|references)\b", re.IGNORECASE)
_DISPLAY = re.compile(r"\$\$.*?\$\$", re.DOTALL)
_INLINE = re.compile(r"\$[^$\n]+\$")
_WORD = re.compile(r"[\w′'’-]+")
_FENCE = re.compile(r"```.*?```", re.DOTALL)


@dataclass
class Section:
    heading: str
    level: int
    optional: bool
    seconds: float = 0.0
    counted: bool = True  # the reference list is for later, not part of the session


@dataclass
class Estimate:
    stem: str
    sections: list[Section] = field(default_factory=list)

    def minutes(self, optional: bool) -> float:
        return sum(s.seconds for s in self.sections if s.optional == optional and s.counted) / 60

    @property
    def core(self) -> float:
        return self.minutes(False)

    @property
    def extra(self) -> float:
        return self.minutes(True)


def stated(minutes: float) -> int:
    """The minutes a notebook states: the model's, rounded to 5 (at least 5)."""
    return max(5, int(5 * round(minutes / 5)))


def prose_seconds(text: str) -> float:
    """Reading time of markdown: words, display equations and inline equations."""
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags are not read
    displays = _DISPLAY.findall(text)
    text = _DISPLAY.sub(" ", text)
    inlines = _INLINE.findall(text)
    text = _INLINE.sub(" ", text)
    code_blocks = _FENCE.findall(text)
    text = _FENCE.sub(" ", text)
    code_lines = sum(len([l for l in block.splitlines()[1:-1] if l.strip()]) for block in code_blocks)
    words = len(_WORD.findall(text))
    return (60 * words / WORDS_PER_MINUTE + DISPLAY_EQUATION_S * len(displays)
            + INLINE_EQUATION_S * len(inlines) + CODE_LINE_S * code_lines)


def _code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def solution_lines(cell) -> int:
    """Lines of code a reference solution writes: no ``def``, comment, docstring or checker call."""
    lines, in_docstring = 0, False
    for line in source(cell).splitlines():
        stripped = line.strip()
        quotes = stripped.count('"""') + stripped.count("'''")
        if in_docstring or quotes:
            in_docstring ^= quotes % 2 == 1
            continue
        if (stripped and not stripped.startswith(("#", "def ", "from ", "import ", "@"))
                and not CHECKER_CALL.search(stripped)):
            lines += 1
    return lines


def exercise_seconds(exercise, solutions) -> float:
    """Reading the task, writing the answer and checking it: by the size of the reference solution."""
    return EXERCISE_BASE_S + EXERCISE_LINE_S * sum(solution_lines(cell) for cell in solutions)


def code_seconds(cell) -> float:
    """Reading, running and looking at one code cell (its stored outputs tell what it shows)."""
    if has_tag(cell, SOLUTION) or has_tag(cell, EXERCISE):
        return 0.0  # counted with the exercise
    seconds = RUN_CELL_S + CODE_LINE_S * _code_lines(source(cell))
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        html = str(data.get("text/html", ""))
        if WIDGET_MIME in data or WIDGET_NOTE[:40] in html or WIDGET_NOTE[:40] in str(data.get("text/plain", "")):
            seconds += WIDGET_S
        elif "image/png" in data or "image/svg+xml" in data:
            seconds += FIGURE_S
        elif "<script" in html or "<video" in html or "<img" in html:
            seconds += ANIMATION_S
        elif output.get("output_type") == "stream":
            seconds += PRINTED_LINE_S * len(str(output.get("text", "")).strip().splitlines())
        elif "text/html" in data or "text/plain" in data:
            seconds += PRINTED_LINE_S * len(str(data.get("text/plain", "")).strip().splitlines())
    return seconds


def estimate(path: Path) -> Estimate:
    """Seconds per section of one notebook, each section core or optional."""
    notebook = nbformat.read(path, as_version=4)
    result = Estimate(Path(path).stem, [Section("(start)", 1, False)])
    stack: list[Section] = []  # the open headings, outermost first
    exercise_section: Section | None = None

    def current() -> Section:
        return result.sections[-1]

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            lines_since, fenced = [], False
            for line in source(cell).splitlines():
                fenced ^= line.lstrip().startswith("```")  # a "# comment" in a code block is no heading
                match = None if fenced else _HEADING.match(line)
                if match:
                    current().seconds += prose_seconds("\n".join(lines_since))
                    lines_since = []
                    level, title = len(match.group(1)), match.group(2).strip()
                    while stack and stack[-1].level >= level:
                        stack.pop()
                    optional = bool(_OPTIONAL.search(title)) or any(s.optional for s in stack)
                    section = Section(title, level, optional, counted=not _REFERENCES.match(title))
                    stack.append(section)
                    result.sections.append(section)
                lines_since.append(line)
            current().seconds += prose_seconds("\n".join(lines_since))
        elif cell.cell_type == "code":
            current().seconds += code_seconds(cell)
            if has_tag(cell, EXERCISE):
                exercise_section = current()  # the solutions below are the size of this answer
                exercise_section.seconds += EXERCISE_BASE_S
        if cell.cell_type == "code" and has_tag(cell, SOLUTION) and exercise_section is not None:
            exercise_section.seconds += EXERCISE_LINE_S * solution_lines(cell)
    return result


_STATED = re.compile(r"(\*\*Time:\*\* about )(\d+)( minutes for the core path.*?plus about )(\d+)( minutes)", re.DOTALL)
README = Path(__file__).resolve().parents[1] / "README.md"


def write_stated(paths: list[Path], readme: Path = README) -> list[str]:
    """Put the model's minutes into each notebook's "**Time:**" sentence and the README's course map."""
    changed = []
    text = readme.read_text(encoding="utf-8")
    for path in paths:
        est = estimate(path)
        core, extra = stated(est.core), stated(est.extra)
        notebook = nbformat.read(path, as_version=4)
        intro = notebook.cells[0]
        new = _STATED.sub(lambda m: f"{m.group(1)}{core}{m.group(3)}{extra}{m.group(5)}", intro.source, count=1)
        if new != intro.source:
            intro.source = new
            nbformat.write(notebook, path)
            changed.append(path.name)
        row = re.compile(r"^(\|\s*\d+\s*\|\s*\[" + re.escape(path.stem) + r"\].*\|\s*)\d+\s*\(\+\d+ optional\)(\s*\|\s*)$",
                         re.MULTILINE)
        text, count = row.subn(lambda m: f"{m.group(1)}{core} (+{extra} optional){m.group(2)}", text)
    if text != readme.read_text(encoding="utf-8"):
        readme.write_text(text, encoding="utf-8")
        changed.append(readme.name)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="numbers or paths (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every section")
    parser.add_argument("--write", action="store_true", help="update the README and the notebooks' Time sentences")
    args = parser.parse_args(argv)
    paths = course_notebooks()
    if args.notebooks:
        paths = [p for p in paths if any(p.name.startswith(n) or str(p).endswith(n) for n in args.notebooks)]
    print(f"{'notebook':52s} {'core':>6s} {'optional':>9s}   stated")
    for path in paths:
        est = estimate(path)
        print(f"{est.stem:52s} {est.core:6.1f} {est.extra:9.1f}   {stated(est.core)} (+{stated(est.extra)} optional)")
        if args.verbose:
            for section in est.sections:
                mark = "optional" if section.optional else ""
                print(f"    {'  ' * (section.level - 1)}{section.heading[:60]:62s} {section.seconds / 60:5.1f} {mark}")
    if args.write:
        for name in write_stated(paths):
            print(f"updated {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
