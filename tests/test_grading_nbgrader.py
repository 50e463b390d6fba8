"""nbgrader on the course's solutions: real points (each exercise's own) for every code exercise.

An instructor's course folder is built from solutions/ (nbgrader's ``source/``),
``nbgrader generate_assignment`` makes the student version, and ``nbgrader
autograde`` grades three submissions of lesson 01: the solutions (every code test
passes), the student version as handed out (every code test fails), and a
wrong answer whose author also replaced its checker cell with a forged "passed"
line (nbgrader puts the locked cell back, and the test fails). About 30 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from softmax_lessons.checks import EXERCISES
from tools.homework.build import mark_for_nbgrader
from tools.homework.grading import expected_exercises

nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader is in the dev extra")

ROOT = Path(__file__).resolve().parent.parent
LESSON = "01_definition.ipynb"
#: nbgrader's test cell of each checked exercise of the lesson, and its points
POINTS = {f"ex{e.replace('.', '_')}_test": float(EXERCISES[e].points)
          for e in expected_exercises(LESSON)}


def nbgrader(course: Path, *args: str) -> None:
    # nbgrader runs `alembic` (its database migrations) from PATH: the venv's bin first
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": path})
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'softmax'\n"
        "c.CourseDirectory.db_assignments = [dict(name='homework')]\n"
    )
    (course / "source" / "homework").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / LESSON, course / "source" / "homework")
    nbgrader(course, "generate_assignment", "homework", "--force")
    released = course / "release" / "homework" / LESSON
    submitted = course / "submitted"
    for student in ("good", "empty", "forger"):
        (submitted / student / "homework").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / LESSON, submitted / "good" / "homework")
    shutil.copy(released, submitted / "empty" / "homework")
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        if "def softmax_rows" in cell.source:
            cell.source = cell.source.replace(
                "# YOUR CODE HERE\n    raise NotImplementedError()",
                "return np.exp(x) / np.exp(x).sum(axis=0)",
            )
        if cell.source == "check_softmax_rows(softmax_rows)":
            cell.source = "print('✓ Exercise 01.3 passed: forged')"
    nbformat.write(nb, submitted / "forger" / "homework" / LESSON)
    nbgrader(course, "autograde", "homework", "--create")
    found = {}
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ("good", "empty", "forger"):
            notebook = gradebook.find_submission_notebook(LESSON[:-6], "homework", student)
            found[student] = {
                grade.name: (grade.score, grade.max_score)
                for grade in notebook.grades
                if grade.name.endswith("_test")
            }
    return {"scores": found, "released": released}


def test_solutions_earn_every_point_of_every_code_test(scores):
    assert len(POINTS) == 4
    assert scores["scores"]["good"] == {test: (points, points) for test, points in POINTS.items()}


def test_the_student_version_as_handed_out_earns_nothing(scores):
    assert scores["scores"]["empty"] == {test: (0.0, points) for test, points in POINTS.items()}


def test_a_wrong_answer_earns_nothing_even_with_its_checker_cell_replaced(scores):
    assert scores["scores"]["forger"] == {test: (0.0, points) for test, points in POINTS.items()}


def test_nbgraders_student_version_is_our_exercise_notebook(scores):
    released = nbformat.read(scores["released"], as_version=4)
    ours = nbformat.read(ROOT / "exercises" / LESSON, as_version=4)
    assert [c.source for c in released.cells] == [c.source for c in ours.cells]


def test_every_checker_cell_of_the_solutions_is_a_locked_test_cell():
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "")
                 .endswith("_test")]
        checkers = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("check_")]
        assert tests == checkers and checkers, path.name
        for cell in tests:  # locked, and worth the exercise's points
            exercise = cell.metadata.nbgrader["grade_id"][2:-5].replace("_", ".")
            assert cell.metadata.nbgrader["locked"], (path.name, exercise)
            assert cell.metadata.nbgrader["points"] == EXERCISES[exercise].points, exercise
        assert sorted(c.metadata.nbgrader["grade_id"] for c in tests) == sorted(
            f"ex{e.replace('.', '_')}_test" for e in expected_exercises(path.name)
        ), path.name
        assert mark_for_nbgrader(nb, path.name) == 0, (
            f"{path.name} is not marked: run `python -m tools.homework.build nbgrader`"
        )
