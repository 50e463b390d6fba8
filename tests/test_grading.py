"""Tests for tools.homework.grading: a class of five submissions, one of each kind.

The folder holds a correct notebook, a partly wrong one, one whose kernel crashes
halfway, one with an endless loop and one that is not JSON. The grader runs them
all (about 20 s, most of it the endless loop waiting for its time limit) and the
test asserts every row of the CSV.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from tools.homework.grading import (
    COLUMNS,
    GradeRow,
    expected_exercises,
    grade_notebook,
    main,
    summary,
)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 6  # seconds per cell: small so the endless loop is stopped quickly
PLACEHOLDER = "    # YOUR CODE HERE\n    raise NotImplementedError()"
RIGHT_PY = "    e = [math.exp(v) for v in x]\n    return [v / sum(e) for v in e]"


def exercise() -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / "01_definition.ipynb", as_version=4)


def fill(nb: nbformat.NotebookNode, func: str, body: str) -> nbformat.NotebookNode:
    """Write `body` into the exercise that defines `func`, as a student would."""
    for cell in nb.cells:
        if cell.cell_type == "code" and f"def {func}(" in cell.source:
            assert PLACEHOLDER in cell.source
            cell.source = cell.source.replace(PLACEHOLDER, body)
            return nb
    raise KeyError(func)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade a class of five, once for every test in this module."""
    folder = tmp_path_factory.mktemp("submissions")
    for student in ("alice", "bob", "carol", "dave", "erin"):
        (folder / student).mkdir()
    # alice hands in the solutions: everything passes
    shutil.copy(ROOT / "solutions" / "01_definition.ipynb", folder / "alice")
    # bob: exercise 1 right, exercise 3 normalised over the wrong axis
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    nb = fill(nb, "softmax_rows", "    return np.exp(x) / np.exp(x).sum(axis=0)")
    nbformat.write(nb, folder / "bob" / "01_definition.ipynb")
    # carol: exercise 1 right, then a cell that kills the kernel before exercise 3
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    at = next(i for i, c in enumerate(nb.cells) if "def softmax_rows" in c.source)
    nb.cells.insert(at, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    nbformat.write(nb, folder / "carol" / "01_definition.ipynb")
    # dave: an endless loop in exercise 1
    nb = fill(exercise(), "softmax_py", "    while True:\n        pass")
    nbformat.write(nb, folder / "dave" / "01_definition.ipynb")
    # erin: the file was cut short, it is not JSON
    (folder / "erin" / "01_definition.ipynb").write_text('{"cells": [{"cell_type": "code", ')
    out = folder.parent / "grades.csv"
    code = main([str(folder), "--out", str(out), "--timeout", str(TIMEOUT)])
    return code, out


@pytest.fixture(scope="module")
def rows(graded):
    _, out = graded
    with open(out, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return {(r["student"], r["exercise"]): r for r in reader}


def test_grading_finishes_with_one_row_per_student_and_exercise(graded, rows):
    assert graded[0] == 0
    assert sorted(rows) == [
        (student, exercise)
        for student in ("alice", "bob", "carol", "dave", "erin")
        for exercise in ("01.1", "01.3")
    ]


def test_rows_say_passed_or_failed_with_the_reason(rows):
    table = {key: (r["result"], r["status"]) for key, r in rows.items()}
    assert table == {
        ("alice", "01.1"): ("passed", "passed"),
        ("alice", "01.3"): ("passed", "passed"),
        ("bob", "01.1"): ("passed", "passed"),
        ("bob", "01.3"): ("failed", "failed"),
        ("carol", "01.1"): ("passed", "passed"),
        ("carol", "01.3"): ("failed", "crashed"),
        ("dave", "01.1"): ("failed", "timed out"),
        ("dave", "01.3"): ("failed", "timed out"),
        ("erin", "01.1"): ("failed", "invalid notebook"),
        ("erin", "01.3"): ("failed", "invalid notebook"),
    }


def test_messages_are_the_checkers_own_or_name_what_stopped_the_notebook(rows):
    assert "softmax over the wrong axis" in rows["bob", "01.3"]["message"]
    assert rows["bob", "01.1"]["message"].startswith("your list matches softmax")
    assert "the kernel died in cell 12 (import os)" in rows["carol", "01.3"]["message"]
    assert (
        f"cell 8 (check_softmax_py(softmax_py)) ran longer than the time limit of {TIMEOUT} s"
        in rows["dave", "01.1"]["message"]
    )
    assert "Notebook does not appear to be JSON" in rows["erin", "01.1"]["message"]
    assert rows["bob", "01.3"]["title"] == "softmax of a batch, row by row"


def test_summary_line_counts_passes_and_broken_notebooks(graded):
    _, out = graded
    with open(out, newline="", encoding="utf-8") as f:
        rows = [
            GradeRow(r["student"], r["notebook"], r["exercise"], r["status"], r["message"])
            for r in csv.DictReader(f)
        ]
    assert summary(rows) == (
        "graded 5 notebooks from 5 students: 4 of 10 exercises passed "
        "(1 crashed, 1 failed, 2 invalid notebook, 2 timed out); "
        "notebooks stopped: 1 crashed, 1 invalid notebook, 1 timed out"
    )


def test_an_error_before_a_checker_is_named_in_its_row(tmp_path):
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    at = next(i for i, c in enumerate(nb.cells) if "def softmax_rows" in c.source)
    nb.cells[at].source = "softmax_rows = undefined_name"
    path = tmp_path / "01_definition.ipynb"
    nbformat.write(nb, path)
    by_exercise = {r.exercise: r for r in grade_notebook(path, "fay", timeout=TIMEOUT)}
    assert by_exercise["01.1"].status == "passed"
    assert by_exercise["01.3"].status == "no result"
    assert "raised NameError: name 'undefined_name' is not defined before its checker ran" in (
        by_exercise["01.3"].message
    )


def test_unattempted_exercises_are_graded_as_not_attempted(tmp_path):
    path = tmp_path / "01_definition.ipynb"
    nbformat.write(exercise(), path)
    rows = grade_notebook(path, "gus", timeout=TIMEOUT)
    assert [(r.exercise, r.result, r.status) for r in rows] == [
        ("01.1", "failed", "not attempted"),
        ("01.3", "failed", "not attempted"),
    ]


def test_expected_exercises_come_from_the_notebook_name():
    assert expected_exercises("02_numerical_stability.ipynb") == ["02.1", "02.3", "02.4", "02.5"]
    assert expected_exercises("notes.ipynb") == []


def test_missing_folder_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "g.csv")]) == 2
    assert "is not a folder of submissions" in capsys.readouterr().err
