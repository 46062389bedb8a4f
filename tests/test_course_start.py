"""A learner's start: working copies that a course update never overwrites, a start page, trust."""
import json
import sys
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import cells  # noqa: E402
import course_start  # noqa: E402


def write_course(folder: Path, text="v1"):
    folder.mkdir(exist_ok=True)
    widget = new_output("execute_result", execution_count=1, data={
        cells.WIDGET_MIME: {"model_id": "x", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HBox(children=(FloatSlider(value=0.9,"})
    for stem, title in (("01_first", "First steps"), ("02_second", "Second steps")):
        nb = new_notebook(cells=[new_markdown_cell(f"# {stem[1]} · {title}"), new_code_cell(text),
                                 new_code_cell("explorer()", outputs=[widget])])
        nbformat.write(nb, folder / f"{stem}.ipynb")


def test_first_start_makes_trusted_copies_and_a_start_page(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "my-notebooks"
    write_course(course)
    news = course_start.prepare(work, course)
    assert len(news) == 2
    copy = nbformat.read(work / "01_first.ipynb", as_version=4)
    assert NotebookNotary().check_signature(copy)
    assert NotebookNotary().check_signature(nbformat.read(course / "02_second.ipynb", as_version=4))
    assert copy.cells[2].outputs[0]["data"]["text/plain"] == cells.WIDGET_NOTE
    page = (work / "START.md").read_text()
    assert "[First steps](01_first.ipynb)" in page and "[Second steps](02_second.ipynb)" in page
    assert "Shut Down All" in page and "Ctrl+C" in page


def test_a_course_update_never_overwrites_the_learners_work(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "my-notebooks"
    write_course(course)
    course_start.prepare(work, course)
    mine = nbformat.read(work / "01_first.ipynb", as_version=4)
    mine.cells[1].source = "my answer"
    nbformat.write(mine, work / "01_first.ipynb")
    write_course(course, text="v2")  # the course is updated (git pull)
    assert course_start.prepare(work, course) == []
    assert nbformat.read(work / "01_first.ipynb", as_version=4).cells[1].source == "my answer"
    page = (work / "START.md").read_text()
    assert "Updated since you made your copy" in page and "course.py fresh 01" in page


def test_fresh_copy_keeps_the_old_one_as_a_backup(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "my-notebooks"
    write_course(course)
    course_start.prepare(work, course)
    (work / "02_second.ipynb").write_text((work / "02_second.ipynb").read_text().replace('"v1"', '"mine"'))
    write_course(course, text="v2")
    course_start.fresh("2", work, course)
    assert nbformat.read(work / "02_second.ipynb", as_version=4).cells[1].source == "v2"
    backups = list((work / "backups").glob("02_second.*.ipynb"))
    assert len(backups) == 1 and '"mine"' in backups[0].read_text()
    assert json.loads((work / ".course-copies.json").read_text())["02_second.ipynb"]
    assert "Updated since" not in (work / "START.md").read_text()


def test_lab_runs_on_the_copies_with_the_course_settings(tmp_path):
    argv, env = course_start.lab_command(tmp_path, port=8999, open_browser=False)
    assert f"--ServerApp.root_dir={tmp_path}" in argv and "--no-browser" in argv
    assert "--LabApp.default_url=/lab/tree/START.md" in argv
    config = Path(env["JUPYTER_CONFIG_PATH"].split(":")[0])
    server = json.loads((config / "jupyter_server_config.json").read_text())
    assert server["MappingKernelManager"]["cull_idle_timeout"] == 1200
    lab = json.loads((config / "labconfig" / "default_setting_overrides.json").read_text())
    assert lab["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert lab["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
