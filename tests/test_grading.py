"""Tests for tools.homework.grading: a small class graded end to end, and its bookkeeping.

The class: alice hands in the solutions of lessons 01 and 02; bob gets exercise
01.3 wrong and never hands in 02; carol kills her kernel halfway; dave's function
loops forever; erin's file is not JSON; fay hands in two copies and a stray
notebook. The grader runs them all once, two at a time, in the sandbox (about
40 s); the tests read the CSV and the executed notebooks it keeps.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from softmax_lessons.checks import EXERCISES
from tools.homework import grading
from tools.homework.grading import (
    COLUMNS,
    GradeRow,
    Handout,
    expected_exercises,
    grade_folder,
    grade_notebook,
    main,
    summary,
)
from tools.homework.sandbox import Limits, sandbox_problem, user_processes

ROOT = Path(__file__).resolve().parent.parent
NO_SANDBOX = sandbox_problem()
needs_sandbox = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox: {NO_SANDBOX}")
FAST = ["--timeout", "4", "--check-timeout", "4", "--notebook-timeout", "40"]
LIMITS = Limits(cell_timeout=4, check_timeout=4, notebook_timeout=40)
PLACEHOLDER = "    # YOUR CODE HERE\n    raise NotImplementedError()"
RIGHT_PY = "    e = [math.exp(v) for v in x]\n    return [v / sum(e) for v in e]"
L01 = expected_exercises("01_definition.ipynb")  # 01.1, 01.3, 01.5, 01.6
L02 = expected_exercises("02_numerical_stability.ipynb")
LATER_01 = [e for e in L01 if e not in ("01.1", "01.3")]  # exercises no one here attempts


def exercise(lesson: str = "01_definition") -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "exercises" / f"{lesson}.ipynb", as_version=4)


def fill(nb: nbformat.NotebookNode, func: str, body: str) -> nbformat.NotebookNode:
    """Write `body` into the exercise that defines `func`, as a student would."""
    for cell in nb.cells:
        if cell.cell_type == "code" and f"def {func}(" in cell.source:
            assert PLACEHOLDER in cell.source
            cell.source = cell.source.replace(PLACEHOLDER, body)
            return nb
    raise KeyError(func)


def cell_index(nb: nbformat.NotebookNode, text: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if text in c.source)


def read_rows(out: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    with open(out, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return {(r["student"], r["notebook"][:2], r["exercise"]): r for r in reader}


def make_class(folder: Path) -> None:
    for student in ("alice", "bob", "carol", "dave", "erin", "fay"):
        (folder / student).mkdir()
    shutil.copy(ROOT / "solutions" / "01_definition.ipynb", folder / "alice")
    shutil.copy(ROOT / "solutions" / "02_numerical_stability.ipynb", folder / "alice")
    # bob: exercise 1 right, exercise 3 normalised over the wrong axis
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    nb = fill(nb, "softmax_rows", "    return np.exp(x) / np.exp(x).sum(axis=0)")
    nbformat.write(nb, folder / "bob" / "01_definition.ipynb")
    # carol: both right, but a cell that kills the kernel before exercise 3
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    nb = fill(nb, "softmax_rows", "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
                                  "    return e / e.sum(axis=-1, keepdims=True)")
    nb.cells.insert(cell_index(nb, "def softmax_rows"), nbformat.v4.new_code_cell(
        "import os\nos._exit(1)"))
    nbformat.write(nb, folder / "carol" / "01_definition.ipynb")
    # dave: an endless loop in exercise 1
    nb = fill(exercise(), "softmax_py", "    while True:\n        pass")
    nbformat.write(nb, folder / "dave" / "01_definition.ipynb")
    # erin: the file was cut short, it is not JSON
    (folder / "erin" / "01_definition.ipynb").write_text('{"cells": [{"cell_type": "code", ')
    # fay: the solutions twice (an old copy in a subfolder), and a notebook of her own
    shutil.copy(ROOT / "solutions" / "01_definition.ipynb", folder / "fay")
    (folder / "fay" / "old").mkdir()
    shutil.copy(ROOT / "solutions" / "01_definition.ipynb", folder / "fay" / "old")
    nbformat.write(nbformat.v4.new_notebook(), folder / "fay" / "scratch.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the class once, two notebooks at a time, for every test in this module."""
    if NO_SANDBOX:
        pytest.skip(f"no sandbox: {NO_SANDBOX}")
    folder = tmp_path_factory.mktemp("submissions")
    make_class(folder)
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    seen = []

    def progress(line: str) -> None:  # the CSV as it is each time a notebook finishes
        if line.startswith("["):
            seen.append({(r["student"], r["notebook"]) for r in read_rows(out).values()
                         if r["status"] not in ("not submitted", "duplicate", "not graded")})

    rows = grade_folder(folder, LIMITS, out=out, jobs=2, progress=progress)
    return rows, out, folder, seen


@pytest.fixture(scope="module")
def rows(graded):
    return read_rows(graded[1])


def test_grading_finishes_with_one_row_per_student_and_exercise(graded, rows):
    assert len(graded[0]) == len(rows)
    expected = {(s, "01", e) for s in ("alice", "bob", "carol", "dave", "erin", "fay")
                for e in L01}
    expected |= {(s, "02", e) for s in ("alice", "bob", "carol", "dave", "erin", "fay")
                 for e in L02}
    expected |= {("fay", "01", ""), ("fay", "sc", "")}  # the duplicate and the stray notebook
    assert set(rows) == expected


def test_rows_say_passed_or_failed_with_the_reason(rows):
    table = {key: (r["result"], r["status"]) for key, r in rows.items() if key[1] == "01"}
    assert table == {
        ("alice", "01", "01.1"): ("passed", "passed"),
        ("alice", "01", "01.3"): ("passed", "passed"),
        ("alice", "01", "01.5"): ("passed", "passed"),
        ("alice", "01", "01.6"): ("passed", "passed"),
        ("bob", "01", "01.1"): ("passed", "passed"),
        ("bob", "01", "01.3"): ("failed", "failed"),
        ("bob", "01", "01.5"): ("failed", "not attempted"),
        ("bob", "01", "01.6"): ("failed", "not attempted"),
        ("carol", "01", "01.1"): ("passed", "passed"),
        ("carol", "01", "01.3"): ("passed", "passed"),
        ("carol", "01", "01.5"): ("failed", "not attempted"),
        ("carol", "01", "01.6"): ("failed", "not attempted"),
        ("dave", "01", "01.1"): ("failed", "timed out"),
        ("dave", "01", "01.3"): ("failed", "not attempted"),
        ("dave", "01", "01.5"): ("failed", "not attempted"),
        ("dave", "01", "01.6"): ("failed", "not attempted"),
        ("erin", "01", "01.1"): ("failed", "invalid notebook"),
        ("erin", "01", "01.3"): ("failed", "invalid notebook"),
        ("erin", "01", "01.5"): ("failed", "invalid notebook"),
        ("erin", "01", "01.6"): ("failed", "invalid notebook"),
        ("fay", "01", "01.1"): ("passed", "passed"),
        ("fay", "01", "01.3"): ("passed", "passed"),
        ("fay", "01", "01.5"): ("passed", "passed"),
        ("fay", "01", "01.6"): ("passed", "passed"),
        ("fay", "01", ""): ("not counted", "duplicate"),
    }
    assert {e for _, n, e in table if n == "01"} - {""} == set(L01)


def test_each_row_gives_the_points_earned_out_of_the_exercises_points(rows):
    # each checked exercise's points, as the solution notebooks' cells give them
    # (course.points; pen-and-paper exercises have points too, but no checker and no row)
    worth = {}
    for name in ("01_definition.ipynb", "02_numerical_stability.ipynb"):
        for cell in nbformat.read(ROOT / "solutions" / name, as_version=4).cells:
            course = cell.metadata.get("course", {})
            if course.get("exercise") in EXERCISES:
                assert worth.setdefault(course["exercise"], course["points"]) == course["points"]
    assert sorted(worth) == sorted(L01 + L02)
    assert all(EXERCISES[e].points == p for e, p in worth.items())
    for (_, _, exercise), row in rows.items():
        if not exercise:  # the duplicate and the stray notebook: no exercise, no points
            assert (row["points"], row["max_points"]) == ("", "")
            continue
        earned = worth[exercise] if row["result"] == "passed" else 0
        assert (row["points"], row["max_points"]) == (str(earned), str(worth[exercise]))
    alice = [row for (student, _, _), row in rows.items() if student == "alice"]
    assert sum(int(row["points"]) for row in alice) == sum(worth.values())
    assert (rows["bob", "01", "01.3"]["points"], rows["bob", "01", "01.3"]["max_points"]) == (
        "0", "2"
    )
    assert rows["bob", "01", "01.1"]["points"] == "2"


def test_messages_are_the_checkers_own_or_name_what_stopped_the_notebook(rows):
    assert "softmax over the wrong axis" in rows["bob", "01", "01.3"]["message"]
    assert rows["bob", "01", "01.1"]["message"].startswith("your list matches softmax")
    assert rows["bob", "01", "01.3"]["title"] == "softmax of a batch, row by row"
    assert "cell 12 (import os) killed the kernel" in rows["carol", "01", "01.3"]["notes"]
    assert "ran past the time limit of the checks (4 s" in rows["dave", "01", "01.1"]["message"]
    assert "cell 8 (check_softmax_py(softmax_py)) ran past the time limit of 4 s per cell" in (
        rows["dave", "01", "01.3"]["notes"]
    )
    assert "Notebook does not appear to be JSON" in rows["erin", "01", "01.1"]["message"]


def test_each_missing_notebook_gets_not_submitted_rows(rows):
    for student in ("bob", "carol", "dave", "erin", "fay"):
        for ex in L02:
            row = rows[student, "02", ex]
            assert (row["result"], row["status"]) == ("failed", "not submitted")
            assert row["message"] == "02_numerical_stability.ipynb was not handed in"
    assert {rows["alice", "02", ex]["status"] for ex in L02} == {
        "passed"
    }


def test_a_duplicate_is_flagged_and_a_stray_notebook_is_not_graded(rows):
    duplicate = rows["fay", "01", ""]["message"]
    assert "another copy, fay/01_definition.ipynb, was graded" in duplicate
    assert "this one (fay/old/01_definition.ipynb) was not" in duplicate
    stray = rows["fay", "sc", ""]
    assert (stray["result"], stray["status"]) == ("not counted", "not graded")
    assert "not one of the homework notebooks" in stray["message"]


def test_summary_counts_passes_and_keeps_duplicates_apart(graded):
    with open(graded[1], newline="", encoding="utf-8") as f:
        rows = [GradeRow(r["student"], r["notebook"], r["exercise"], r["status"], r["message"])
                for r in csv.DictReader(f)]
    assert summary(rows) == summary(graded[0]) == (
        "graded 7 notebooks from 6 students: 17 of 60 exercises passed "
        "(1 failed, 4 invalid notebook, 7 not attempted, 30 not submitted, 1 timed out); "
        "notebooks stopped: 1 invalid notebook; not counted: 1 duplicate, 1 not graded"
    )


def test_the_csv_is_written_each_time_a_notebook_finishes(graded):
    seen = graded[3]
    assert [len(s) for s in seen] == list(range(1, 8))
    assert all(a <= b for a, b in itertools.pairwise(seen))


def test_each_executed_notebook_is_kept_beside_the_csv(graded):
    out = graded[1]
    kept = out.parent / "grades_notebooks"
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*.ipynb")) == [
        "alice/01_definition.ipynb", "alice/02_numerical_stability.ipynb",
        "bob/01_definition.ipynb", "carol/01_definition.ipynb", "dave/01_definition.ipynb",
        "fay/01_definition.ipynb",
    ]
    bob = nbformat.read(kept / "bob" / "01_definition.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in bob.cells for o in c.get("outputs", []))
    assert "✗ Exercise 01.3:" in text and "✓ Exercise 01.1 passed" in text
    assert "grading" in bob.metadata


def test_no_process_of_any_sandbox_is_left(graded):
    from tools.homework.sandbox import UID_BASE, UID_COUNT

    assert [uid for uid in range(UID_BASE, UID_BASE + UID_COUNT) if user_processes(uid)] == []


def test_a_second_run_keeps_unchanged_notebooks_and_grades_changed_ones(graded, tmp_path):
    _, out, folder, _ = graded
    copy = tmp_path / "again.csv"
    shutil.copy(out, copy)
    before = read_rows(copy)
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    nb = fill(nb, "softmax_rows", "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
                                  "    return e / e.sum(axis=-1, keepdims=True)")
    changed = tmp_path / "class"
    shutil.copytree(folder, changed)
    nbformat.write(nb, changed / "bob" / "01_definition.ipynb")  # bob fixes exercise 3
    lines = []
    grade_folder(changed, LIMITS, out=copy, jobs=1, progress=lines.append)
    assert lines[0] == "kept the rows of 6 notebooks graded before (unchanged since)"
    assert [line.split(":")[0] for line in lines[1:]] == ["[1/1] bob/01_definition.ipynb"]
    after = read_rows(copy)
    assert after["bob", "01", "01.3"]["status"] == "passed"
    assert before["bob", "01", "01.3"]["sha256"] != after["bob", "01", "01.3"]["sha256"]
    assert {k: v for k, v in after.items() if k[0] != "bob"} == {
        k: v for k, v in before.items() if k[0] != "bob"
    }


@needs_sandbox
def test_an_interrupted_run_keeps_what_was_graded_and_the_next_run_finishes(tmp_path):
    folder = tmp_path / "class"
    for student in ("ann", "ben"):
        (folder / student).mkdir(parents=True)
        nbformat.write(exercise(), folder / student / "01_definition.ipynb")
    out = tmp_path / "grades.csv"

    def interrupt(line: str) -> None:
        if line.startswith("[1/2]"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_folder(folder, LIMITS, out=out, jobs=1, progress=interrupt)
    assert {key[0] for key in read_rows(out)} == {"ann"}
    lines = []
    grade_folder(folder, LIMITS, out=out, jobs=1, progress=lines.append)
    assert lines[0].startswith("kept the rows of 1 notebooks")
    assert {key[0] for key in read_rows(out)} == {"ann", "ben"}


@needs_sandbox
def test_an_error_before_the_function_is_defined_is_named_in_its_row(tmp_path):
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    nb.cells[cell_index(nb, "def softmax_rows")].source = "softmax_rows = undefined_name"
    path = tmp_path / "01_definition.ipynb"
    nbformat.write(nb, path)
    by_exercise = {r.exercise: r for r in grade_notebook(path, "gus", LIMITS).rows}
    assert by_exercise["01.1"].status == "passed"
    assert by_exercise["01.3"].status == "no result"
    assert by_exercise["01.3"].message == (
        "no result: cell 12 (softmax_rows = undefined_name) raised NameError: name "
        "'undefined_name' is not defined before softmax_rows was defined"
    )


@needs_sandbox
def test_a_notebook_past_its_total_time_limit_is_stopped_though_each_cell_is_short(tmp_path):
    nb = fill(exercise(), "softmax_py", RIGHT_PY)
    at = cell_index(nb, "def softmax_rows")
    for _ in range(8):  # eight cells of 1.5 s, each under the 4 s limit per cell
        nb.cells.insert(at, nbformat.v4.new_code_cell("import time\ntime.sleep(1.5)"))
    path = tmp_path / "01_definition.ipynb"
    nbformat.write(nb, path)
    # 6 s for the cells, whatever the number of exercises the checks need 2 s each for
    limits = Limits(cell_timeout=4, check_timeout=2, notebook_timeout=6 + 2 * len(L01))
    assert limits.execution_budget(len(L01)) == 6
    graded = grade_notebook(path, "hal", limits)
    by_exercise = {r.exercise: r for r in graded.rows}
    assert by_exercise["01.1"].status == "passed"
    assert by_exercise["01.3"].status == "timed out"
    assert "stopped it before cell 20 (def softmax_rows" in by_exercise["01.3"].message
    assert "did not run: the notebook's time limit (6 s for all cells)" in (
        by_exercise["01.3"].notes
    )
    assert graded.seconds < limits.notebook_timeout + 10


def test_an_unattempted_exercise_is_graded_as_not_attempted_without_the_sandbox(tmp_path):
    path = tmp_path / "01_definition.ipynb"
    nbformat.write(exercise(), path)
    rows = grade_notebook(path, "ida", LIMITS, sandboxed=False).rows
    assert [(r.exercise, r.result, r.status) for r in rows] == [
        (e, "failed", "not attempted") for e in L01
    ]
    assert len(rows) == 4


def test_grading_without_a_sandbox_is_refused_unless_asked_for(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(grading, "sandbox_problem", lambda: "bubblewrap is not installed")
    (tmp_path / "ann").mkdir()
    assert main([str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    err = capsys.readouterr().err
    assert "refusing to grade without a sandbox: bubblewrap is not installed" in err
    assert "apt-get install -y bubblewrap" in err and "--no-sandbox" in err
    assert not (tmp_path / "g.csv").exists()
    assert main([str(tmp_path), "--out", str(tmp_path / "g.csv"), "--no-sandbox"]) == 0


def test_the_handout_says_which_function_each_exercise_grades():
    handout = Handout.read()
    assert sorted(handout.notebooks) == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert handout.notebooks["03_temperature_and_sampling.ipynb"] == {
        "03.1": "softmax_temperature", "03.3": "top_k_filter", "03.4": "top_p_filter",
        "03.5": "ece", "03.6": "fit_temperature", "03.8": "generate",
    }
    assert sorted(e for nb in handout.notebooks.values() for e in nb) == sorted(grading.EXERCISES)


def test_expected_exercises_come_from_the_notebook_name():
    assert expected_exercises("02_numerical_stability.ipynb") == [
        "02.1", "02.3", "02.4", "02.5", "02.6", "02.7"
    ]
    handout = Handout.read()
    for name, exercises in handout.notebooks.items():
        assert expected_exercises(name) == list(exercises), name
    assert expected_exercises("notes.ipynb") == []


def test_limits_that_leave_the_cells_no_time_are_refused(tmp_path, capsys):
    (tmp_path / "ann").mkdir()
    args = [str(tmp_path), "--out", str(tmp_path / "g.csv"), "--no-sandbox",
            "--notebook-timeout", "60", "--check-timeout", "20"]
    assert main(args) == 2
    assert "leaves the cells too little time once 4 exercises get --check-timeout 20 s" in (
        capsys.readouterr().err
    )


def test_missing_folder_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "g.csv"), "--no-sandbox"]) == 2
    assert "is not a folder of submissions" in capsys.readouterr().err


def test_the_sandbox_command_mounts_only_what_a_submission_needs(monkeypatch):
    from tools.homework import sandbox

    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    monkeypatch.setenv("GRADER_SECRET", "do not pass on")
    cmd = sandbox.bwrap_command(LIMITS, 61042, 60)
    mounted = {cmd[i + 2] for i, arg in enumerate(cmd) if arg == "--ro-bind"}
    assert str(ROOT / "softmax_lessons") in mounted
    assert not any(m in (str(ROOT), str(ROOT / "solutions"), str(ROOT / "tools"),
                         str(ROOT / "exercises")) for m in mounted)
    assert {"--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session",
            "--clearenv"} <= set(cmd)
    assert "do not pass on" not in cmd and "GRADER_SECRET" not in cmd
    assert cmd[cmd.index("--uid") + 1] == "61042"
    assert cmd[cmd.index("--tmpfs") - 3:cmd.index("--tmpfs")] == [
        str(LIMITS.tmp_mb * 2**20), "--perms", "1777"]


def test_without_bubblewrap_the_problem_says_how_to_install_it(monkeypatch):
    from tools.homework import sandbox

    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    assert sandbox.sandbox_problem() == (
        "bubblewrap is not installed (as root: apt-get install -y bubblewrap)"
    )


@needs_sandbox
def test_each_running_sandbox_gets_a_user_id_of_its_own():
    from tools.homework.sandbox import _UidLease

    if os.geteuid() != 0:
        pytest.skip("user ids of their own need root")
    first, second = _UidLease(), _UidLease()
    try:
        assert first.uid != second.uid
    finally:
        first.release()
    again = _UidLease()
    assert again.uid == first.uid
    again.release()
    second.release()


@needs_sandbox
def test_graders_with_different_temporary_folders_never_share_a_user_id(tmp_path):
    """A lease held by another grader, started with another TMPDIR, is respected."""
    from tools.homework.sandbox import _UidLease

    if os.geteuid() != 0:
        pytest.skip("user ids of their own need root")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from tools.homework.sandbox import _UidLease; "
         "lease = _UidLease(); print(lease.uid, flush=True); sys.stdin.read()"],
        cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp_path)},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        theirs = int(holder.stdout.readline())
        ours = _UidLease()
        try:
            assert ours.uid != theirs
        finally:
            ours.release()
    finally:
        holder.communicate("")
