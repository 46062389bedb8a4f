"""A learner's start: own working copies of the notebooks, a start page, and JupyterLab on them.

    python tools/course_start.py prepare          # copies + start page + trust (also for Binder)
    python tools/course_start.py fresh 03         # a fresh copy of notebook 03, the old one kept
    python tools/course_start.py lab              # prepare, then JupyterLab on my-notebooks/

The learner works in ``my-notebooks/`` (git-ignored): copies are made on first start and never
overwritten, so a ``git pull`` of a course update cannot conflict with the learner's work nor
lose it. The course's JupyterLab settings live in ``jupyter_config/`` (idle kernels shut down
after 20 minutes, a closed notebook's kernel shut down, no news pop-up, Markdown opened as a page).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import readable_widget_outputs  # noqa: E402
from course_map import NOTEBOOKS, ROOT, course_map, course_notebooks  # noqa: E402

WORK = ROOT / "my-notebooks"
CONFIG = ROOT / "jupyter_config"
START_PAGE = "START.md"
MANIFEST = ".course-copies.json"  # which version of the course each copy was made from


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _manifest(work: Path) -> dict:
    try:
        return json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _copy(source: Path, target: Path, notary: NotebookNotary) -> None:
    notebook = nbformat.read(source, as_version=4)
    readable_widget_outputs(notebook)
    notary.sign(notebook)  # trusted: saved animations and figures display as saved
    nbformat.write(notebook, target)


def trust(paths, notary: NotebookNotary | None = None) -> None:
    """What ``jupyter trust`` does: sign the notebooks as they are, in the user's signature store."""
    notary = notary or NotebookNotary()
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        if not notary.check_signature(notebook):
            notary.sign(notebook)


def prepare(work: Path = WORK, course: Path = NOTEBOOKS) -> list[str]:
    """Make the missing working copies, trust every notebook, write the start page; returns news."""
    work.mkdir(parents=True, exist_ok=True)
    notary = NotebookNotary()
    manifest, news = _manifest(work), []
    for source in course_notebooks(course):
        target = work / source.name
        if not target.exists():
            _copy(source, target, notary)
            manifest[source.name] = _digest(source)
            news.append(f"made your copy {target.relative_to(work.parent)}")
    trust(course_notebooks(course), notary)
    trust(sorted(work.glob("*.ipynb")), notary)
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    updated = [source.name for source in course_notebooks(course)
               if manifest.get(source.name) not in (None, _digest(source))]
    (work / START_PAGE).write_text(start_page(course, updated), encoding="utf-8")
    return news


def start_page(course: Path = NOTEBOOKS, updated=()) -> str:
    lines = [
        "# nnopt: how optimizers make neural networks train faster",
        "",
        "Start here. These are **your own copies** of the course notebooks: change them, run them,",
        "keep your answers in them. Updating the course never overwrites them.",
        "",
        "| # | notebook | what you learn | you build | minutes |",
        "|---|---|---|---|---|",
    ]
    for entry in course_map(course):
        lines.append(f"| {entry.number} | [{entry.title}]({entry.stem}.ipynb) | {entry.topic} | "
                     f"{entry.builds} | {entry.time} |")
    lines += [
        "",
        "## How to work through a notebook",
        "",
        "- Run the cells from the top: **Shift+Enter** runs one cell, *Run ▸ Run All Cells* runs all.",
        "- Sliders appear when you run a widget cell; the static figure beside it shows the same thing.",
        "- Each notebook ends with an exercise; running its cell checks your answer and gives hints.",
        "- Want to start a notebook over? In a terminal in the course folder run",
        "  `python3 course.py fresh 03` (for notebook 3): you get a fresh copy, and yours is kept in",
        "  `my-notebooks/backups/`.",
    ]
    if updated:
        lines += ["", "## Updated since you made your copy", ""]
        lines += [f"- `{name}`: `python3 course.py fresh {name[:2]}` gets the new version "
                  "(your copy is kept as a backup)." for name in updated]
    lines += [
        "",
        "## Shutting down",
        "",
        "- Closing a notebook's tab shuts its kernel down; a kernel left idle for 20 minutes is shut",
        "  down too (each takes about 200 MB). The *Running Terminals and Kernels* panel (the ■ icon",
        "  in the left bar) lists what runs and has *Shut Down All*.",
        "- To stop the course, press **Ctrl+C** in the terminal where `python3 course.py start` runs",
        "  (or use *File ▸ Shut Down*). Your notebooks are saved automatically.",
        "",
    ]
    return "\n".join(lines)


def fresh(which: str, work: Path = WORK, course: Path = NOTEBOOKS) -> Path:
    """Replace the learner's copy of one notebook by a fresh one; the old copy goes to backups/."""
    matches = [p for p in course_notebooks(course) if p.stem == which or p.name == which
               or p.name.startswith(f"{which.zfill(2)}_") or Path(which).name == p.name]
    if len(matches) != 1:
        names = ", ".join(p.stem for p in course_notebooks(course))
        raise SystemExit(f"Which notebook? Give its number (e.g. 03) or name; the course has: {names}")
    source = matches[0]
    target = work / source.name
    work.mkdir(parents=True, exist_ok=True)
    if target.exists():
        backups = work / "backups"
        backups.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backups / f"{source.stem}.{stamp}.ipynb"
        shutil.move(target, backup)
        print(f"your copy is kept as {backup.relative_to(work.parent)}")
    _copy(source, target, NotebookNotary())
    manifest = _manifest(work)
    manifest[source.name] = _digest(source)
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    (work / START_PAGE).write_text(start_page(course), encoding="utf-8")
    print(f"fresh copy: {target.relative_to(work.parent)}")
    return target


def lab_command(work: Path = WORK, port: int | None = None, open_browser: bool = True):
    """The command and environment that run the course's JupyterLab on ``work``."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={work}",
            "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
            f"--LabApp.default_url=/lab/tree/{START_PAGE}"]
    if port is not None:
        argv += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # e.g. in a container
        argv.append("--allow-root")
    paths = [str(CONFIG), *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    env = {**os.environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths),
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return argv, env


def lab(work: Path = WORK) -> int:
    """Run JupyterLab until Ctrl+C, which stops it (and its kernels) with one line of output."""
    for line in prepare(work):
        print(line)
    argv, env = lab_command(work)
    options = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt"
               else {"start_new_session": True})  # the terminal's Ctrl+C reaches only us
    server = subprocess.Popen(argv, cwd=work, env=env, stderr=subprocess.PIPE, **options)
    quiet = threading.Event()

    def forward():
        for line in iter(server.stderr.readline, b""):
            if not quiet.is_set():
                sys.stderr.buffer.write(line)
                sys.stderr.flush()

    threading.Thread(target=forward, daemon=True).start()
    print("The course opens in your browser. Press Ctrl+C here to stop it.", flush=True)
    try:
        return server.wait()
    except KeyboardInterrupt:
        quiet.set()
        _stop(server)
        print("\nStopped the course; your notebooks are saved in my-notebooks/.", flush=True)
        return 0


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM) if os.name != "nt" else server.terminate()
    deadline = time.monotonic() + 15
    while server.poll() is None and time.monotonic() < deadline:
        try:
            server.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        except KeyboardInterrupt:  # pressed again: do not wait for the kernels
            break
    if server.poll() is None:
        server.kill()


def main(argv: list[str]) -> int:
    if argv[:1] == ["prepare"] and len(argv) == 1:
        for line in prepare():
            print(line)
        print(f"start page: {(WORK / START_PAGE).relative_to(ROOT)}")
        return 0
    if argv[:1] == ["fresh"] and len(argv) == 2:
        fresh(argv[1])
        return 0
    if argv == ["lab"]:
        return lab()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
