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
from tools.homework.build import (
    ANSWER_PLACEHOLDER,
    RECORD_NAME,
    build,
    main,
    make_exercise,
    strip_solutions,
)

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


def headings(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source.splitlines()[0] for c in nb.cells if c.source.startswith("## Exercise")]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_mixes_code_paper_prediction_and_one_stretch(lesson):
    nb = read(SOLUTIONS / f"{lesson}.ipynb")
    titles = headings(nb)
    assert len(titles) >= 6
    assert any("pen and paper" in h for h in titles)
    assert sum("(predict, then run)" in h for h in titles) >= 1
    assert sum("(stretch, pen and paper)" in h for h in titles) == 1
    assert "(stretch" in titles[-1]  # the stretch problem comes last
    # at least four checked code exercises: the core ones and at least two new ones
    assert sum(e.startswith(lesson[:2]) for e in checks.EXERCISES) >= 4


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


# ---------------------------------------------------------------------------
# Points and marking keys
# ---------------------------------------------------------------------------


def answer_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if "BEGIN SOLUTION" in c.source]


def points_table(nb: nbformat.NotebookNode) -> dict[str, int]:
    """The table of points in the first cell: exercise id -> points."""
    rows = re.findall(r"^\| (\d\d\.\d+) \| [^|]+ \| [^|]+ \| (\d+) \|$", nb.cells[0].source, re.M)
    return {exercise: int(points) for exercise, points in rows}


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_answer_cell_carries_its_exercise_and_points(lesson):
    nb = read(SOLUTIONS / f"{lesson}.ipynb")
    cells = answer_cells(nb)
    ids = [c.metadata["course"]["exercise"] for c in cells]
    assert ids == [f"{lesson[:2]}.{n}" for n in range(1, len(cells) + 1)]
    assert len(ids) == len(headings(nb))  # one answer cell per exercise heading
    for cell in cells:
        points = cell.metadata["course"]["points"]
        assert isinstance(points, int) and 1 <= points <= 5
        grader = cell.metadata["nbgrader"]
        if grader.get("grade"):
            assert grader["points"] == points  # nbgrader's points, where set, agree


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_points_table_lists_every_exercise_with_its_points_and_total(lesson):
    for folder in (SOLUTIONS, EXERCISES):
        nb = read(folder / f"{lesson}.ipynb")
        metadata = {
            c.metadata["course"]["exercise"]: c.metadata["course"]["points"]
            for c in answer_cells(read(SOLUTIONS / f"{lesson}.ipynb"))
        }
        assert points_table(nb) == metadata
        total = re.search(r"\*\*Total\*\* \| \| \*\*(\d+)\*\*", nb.cells[0].source)
        assert total and int(total.group(1)) == sum(metadata.values())


def test_checker_points_agree_with_the_solution_metadata():
    code_points = {}
    for lesson in LESSONS:
        for cell in answer_cells(read(SOLUTIONS / f"{lesson}.ipynb")):
            if cell.cell_type == "code":
                code_points[cell.metadata["course"]["exercise"]] = cell.metadata["course"]["points"]
    assert code_points == {e.id: e.points for e in checks.EXERCISES.values()}


def test_every_checker_is_called_right_after_its_answer():
    for lesson in LESSONS:
        nb = read(EXERCISES / f"{lesson}.ipynb")
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "course" in cell.metadata:
                check = next(c for c in nb.cells[i + 1 :] if c.source.startswith("check_"))
                checker = getattr(checks, check.source.split("(")[0])
                assert checker.exercise.id == cell.metadata["course"]["exercise"]


def test_written_answers_carry_a_marking_key_and_point_at_computed_numbers():
    for lesson in LESSONS:
        nb = read(SOLUTIONS / f"{lesson}.ipynb")
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown" or "BEGIN SOLUTION" not in cell.source:
                continue
            assert "Marking:" in cell.source, cell.metadata["course"]
            if "check cell" in cell.source or "run cell" in cell.source:
                # the numbers the key points at come from a code cell of the same exercise
                rest = nb.cells[i + 1 :]
                end = next((j for j, c in enumerate(rest) if c.source.startswith("## ")), len(rest))
                assert any(c.cell_type == "code" and c.outputs for c in rest[:end])


def test_code_solutions_explain_themselves_and_stubs_state_no_answer():
    for lesson in LESSONS:
        solution = read(SOLUTIONS / f"{lesson}.ipynb")
        exercise = read(EXERCISES / f"{lesson}.ipynb")
        for sol, ex in zip(solution.cells, exercise.cells, strict=True):
            if sol.cell_type != "code" or "BEGIN SOLUTION" not in sol.source:
                continue
            region = sol.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            comments = [line for line in region.splitlines() if line.strip().startswith("#")]
            assert len(comments) >= 2, sol.metadata["course"]
            for formula in ("(p - y)", "diag(p)", "p p^T", "logsumexp(x)"):
                assert formula not in ex.source, (sol.metadata["course"], formula)


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
    assert strip_solutions(src, "markdown") == f"**Your answer:**\n\n{ANSWER_PLACEHOLDER}"
    assert ANSWER_PLACEHOLDER == "YOUR ANSWER HERE"   # nbgrader's own placeholder


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
