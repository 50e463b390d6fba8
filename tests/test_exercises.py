"""Tests for tools.homework.build and the committed solutions/ and exercises/ folders."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from softmax_lessons import checks
from tools.homework.build import RECORD_NAME, build, main, make_exercise, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
LESSONS = [
    "01_definition",
    "02_numerical_stability",
    "03_temperature_and_sampling",
    "04_attention_and_masking",
    "05_cross_entropy_and_gradients",
    "06_beyond",
]


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


# ---------------------------------------------------------------------------
# The committed folders
# ---------------------------------------------------------------------------


def test_committed_exercises_are_exactly_what_the_build_generates(tmp_path):
    # the drift test: edit solutions/, then run the build; never edit exercises/ by hand
    report = build(SOLUTIONS, tmp_path)
    assert report.skipped == []
    generated = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in EXERCISES.iterdir() if p.name != ".ipynb_checkpoints")
    assert committed == generated
    for name in generated:
        assert (EXERCISES / name).read_bytes() == (tmp_path / name).read_bytes(), (
            f"exercises/{name} differs from what solutions/ generate: run `python -m "
            "tools.homework.build build` (add --force if exercises/ was edited by hand)"
        )


def test_every_lesson_has_a_solution_and_an_exercise_notebook():
    assert sorted(p.stem for p in SOLUTIONS.glob("*.ipynb")) == LESSONS
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize("lesson", LESSONS[:5])
def test_lessons_01_to_05_have_at_least_three_exercises_mixing_code_and_paper(lesson):
    nb = read(SOLUTIONS / f"{lesson}.ipynb")
    headings = [c.source for c in nb.cells if c.source.startswith("## Exercise")]
    assert len(headings) >= 3
    assert any("pen and paper" in h for h in headings)
    assert any("BEGIN SOLUTION" in c.source for c in nb.cells if c.cell_type == "code")


def stored_text(nb: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "") for cell in nb.cells for output in cell.get("outputs", [])
    )


def test_every_checked_exercise_passes_in_the_stored_solutions():
    passed = []
    for lesson in LESSONS:
        text = stored_text(read(SOLUTIONS / f"{lesson}.ipynb"))
        assert "✗" not in text and "not attempted" not in text
        ids = re.findall(r"✓ Exercise (\d\d\.\d) passed", text)
        assert all(i.startswith(lesson[:2]) for i in ids)
        passed += ids
    assert sorted(passed) == sorted(checks.EXERCISES)


def test_exercises_hold_no_solution_and_no_outputs():
    for lesson in LESSONS:
        solution = read(SOLUTIONS / f"{lesson}.ipynb")
        exercise = read(EXERCISES / f"{lesson}.ipynb")
        assert "widgets" not in exercise.metadata
        assert len(exercise.cells) == len(solution.cells)
        for sol, ex in zip(solution.cells, exercise.cells, strict=True):
            assert "SOLUTION" not in ex.source
            if ex.cell_type == "code":
                assert ex.outputs == [] and ex.execution_count is None
                assert "execution" not in ex.metadata
            if "BEGIN SOLUTION" in sol.source:
                hidden = sol.source.split("SOLUTION")[1]  # the text of the first region
                body = [line.strip() for line in hidden.splitlines()[1:-1] if line.strip()]
                assert not any(line in ex.source for line in body if len(line) > 12)
                assert ("raise NotImplementedError()" in ex.source) == (ex.cell_type == "code")
            else:
                assert ex.source == sol.source


def test_solution_cells_carry_nbgrader_metadata():
    for lesson in LESSONS:
        for cell in read(SOLUTIONS / f"{lesson}.ipynb").cells:
            assert ("BEGIN SOLUTION" in cell.source) == cell.metadata.get("nbgrader", {}).get(
                "solution", False
            )


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_exercise_runs_to_the_end_saying_not_attempted_yet(lesson, tmp_path):
    nb = read(EXERCISES / f"{lesson}.ipynb")
    checker_calls = sum(c.source.startswith("check_") for c in nb.cells)
    NotebookClient(nb, timeout=60, kernel_name="python3").execute(cwd=str(tmp_path))
    text = stored_text(nb)
    assert text.count("not attempted yet") == checker_calls >= 2
    assert not any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))


# ---------------------------------------------------------------------------
# strip_solutions and make_exercise
# ---------------------------------------------------------------------------


def test_code_region_becomes_placeholder_at_the_markers_indent():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    assert strip_solutions(src) == (
        "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    )


def test_markdown_region_becomes_your_answer_here():
    src = "**Your answer:**\n\n### BEGIN SOLUTION\nIt is 1/4.\nBecause.\n### END SOLUTION"
    assert strip_solutions(src, "markdown") == "**Your answer:**\n\nYOUR ANSWER HERE"


def test_otter_style_single_hash_markers_are_read_too():
    assert strip_solutions("# BEGIN SOLUTION\nx = 1\n# END SOLUTION") == (
        "# YOUR CODE HERE\nraise NotImplementedError()"
    )


def test_two_regions_in_one_cell_are_both_replaced():
    region = "### BEGIN SOLUTION\n{}\n### END SOLUTION"
    src = region.format("a = 1") + "\nb = 2\n" + region.format("c = 3")
    out = strip_solutions(src)
    assert out.count("raise NotImplementedError()") == 2 and "b = 2" in out and "a = 1" not in out


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("### BEGIN SOLUTION\nx\n", "line 1: BEGIN SOLUTION is never closed"),
        ("x\n### END SOLUTION", "line 2: END SOLUTION without a BEGIN SOLUTION"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n### END SOLUTION",
            "line 2: BEGIN SOLUTION inside the region opened on line 1",
        ),
    ],
)
def test_broken_markers_are_errors_naming_the_line(src, message):
    with pytest.raises(ValueError, match=re.escape(f"solutions/x.ipynb cell 3, {message}")):
        strip_solutions(src, where="solutions/x.ipynb cell 3")


def test_make_exercise_clears_outputs_counts_timing_and_widget_state():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    cell.metadata["tags"] = ["keep-me"]
    nb.cells = [cell]
    ex = make_exercise(nb)
    assert "widgets" not in ex.metadata
    assert ex.cells[0].outputs == [] and ex.cells[0].execution_count is None
    assert ex.cells[0].metadata == {"tags": ["keep-me"]}
    assert nb.cells[0].outputs  # the source notebook is left alone


# ---------------------------------------------------------------------------
# build: learners' work is never overwritten
# ---------------------------------------------------------------------------


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    for lesson in LESSONS[:2]:
        shutil.copy(SOLUTIONS / f"{lesson}.ipynb", folder)
    return folder


def edit(path: Path) -> bytes:
    nb = read(path)
    nb.cells[1].source += "\n# my own note"
    nbformat.write(nb, path)
    return path.read_bytes()


def test_build_creates_then_leaves_unchanged(sources, tmp_path):
    out = tmp_path / "exercises"
    assert build(sources, out).created == ["01_definition.ipynb", "02_numerical_stability.ipynb"]
    again = build(sources, out)
    assert again.unchanged == ["01_definition.ipynb", "02_numerical_stability.ipynb"]
    assert again.created == again.updated == again.skipped == []
    record = json.loads((out / RECORD_NAME).read_text())
    assert set(record["files"]) == {"01_definition.ipynb", "02_numerical_stability.ipynb"}


def test_build_refuses_to_overwrite_an_edited_exercise(sources, tmp_path, capsys):
    out = tmp_path / "exercises"
    build(sources, out)
    mine = edit(out / "01_definition.ipynb")
    nb = read(sources / "01_definition.ipynb")
    nb.cells[0].source += "\nA new sentence."
    nbformat.write(nb, sources / "01_definition.ipynb")
    assert main(["build", "--solutions", str(sources), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert (out / "01_definition.ipynb").read_bytes() == mine
    assert "skipped (edited since they were generated; your work in them is kept): " in printed
    assert "01_definition.ipynb" in printed.split("skipped")[1]
    assert "build --out exercises_fresh" in printed and "build --force" in printed


def test_a_generated_but_untouched_exercise_is_updated(sources, tmp_path):
    out = tmp_path / "exercises"
    build(sources, out)
    nb = read(sources / "02_numerical_stability.ipynb")
    nb.cells[0].source += "\nA new sentence."
    nbformat.write(nb, sources / "02_numerical_stability.ipynb")
    report = build(sources, out)
    assert report.updated == ["02_numerical_stability.ipynb"]
    assert "A new sentence." in (out / "02_numerical_stability.ipynb").read_text()


def test_force_replaces_an_edited_exercise(sources, tmp_path):
    out = tmp_path / "exercises"
    build(sources, out)
    edit(out / "01_definition.ipynb")
    report = build(sources, out, force=True)
    assert report.updated == ["01_definition.ipynb"]
    assert "# my own note" not in (out / "01_definition.ipynb").read_text()


def test_an_exercise_without_a_record_is_treated_as_the_learners(sources, tmp_path):
    out = tmp_path / "exercises"
    out.mkdir()
    (out / "01_definition.ipynb").write_text("{}")
    assert build(sources, out).skipped == ["01_definition.ipynb"]
    assert (out / "01_definition.ipynb").read_text() == "{}"


def test_fresh_copy_in_another_folder_keeps_the_edited_one(sources, tmp_path):
    out = tmp_path / "exercises"
    build(sources, out)
    mine = edit(out / "01_definition.ipynb")
    fresh = tmp_path / "exercises_fresh"
    assert main(["build", "--solutions", str(sources), "--out", str(fresh)]) == 0
    assert (out / "01_definition.ipynb").read_bytes() == mine
    assert "# my own note" not in (fresh / "01_definition.ipynb").read_text()


def test_build_without_solutions_says_where_it_looked(tmp_path, capsys):
    assert main(["build", "--solutions", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "no notebooks in" in capsys.readouterr().err
