"""Grade a folder of submitted exercise notebooks: one CSV row per student and exercise.

For instructors::

    python -m tools.homework.grading SUBMISSIONS_DIR --out grades.csv --timeout 60

`SUBMISSIONS_DIR` holds one folder per student with their notebooks, named as in
``exercises/`` (``alice/01_definition.ipynb``; deeper folders are fine); a notebook
lying directly in `SUBMISSIONS_DIR` is graded under its own file name as the student.

Each notebook runs top to bottom in a fresh kernel (nbclient), in a temporary
folder, with a time limit per cell. Every checker of :mod:`softmax_lessons.checks`
appends its result as a JSON line to the file named by ``SOFTMAX_LESSONS_CHECK_LOG``,
which the grader sets for that kernel alone; the grader reads those lines back.
So the CSV holds exactly what the learner would have seen printed.

An exercise whose checker never reported gets a row saying why: the notebook is
not valid JSON, a cell raised an error first, the kernel died, or a cell hit the
time limit. One bad notebook never stops the others from being graded. Written
(pen-and-paper) answers are not graded here; read them in the notebooks.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from softmax_lessons.checks import EXERCISES, LOG_ENV_VAR

__all__ = [
    "COLUMNS",
    "GradeRow",
    "expected_exercises",
    "grade_folder",
    "grade_notebook",
    "summary",
    "write_csv",
]

COLUMNS = ["student", "notebook", "exercise", "title", "result", "status", "message"]
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the course folder, holding softmax_lessons/


@dataclass(frozen=True)
class GradeRow:
    """One line of the CSV. ``result`` is "passed" or "failed"; ``status`` says more."""

    student: str
    notebook: str
    exercise: str
    status: str
    message: str

    @property
    def result(self) -> str:
        return "passed" if self.status == "passed" else "failed"

    def as_dict(self) -> dict[str, str]:
        title = EXERCISES[self.exercise].title if self.exercise in EXERCISES else ""
        return {
            "student": self.student,
            "notebook": self.notebook,
            "exercise": self.exercise,
            "title": title,
            "result": self.result,
            "status": self.status,
            "message": self.message,
        }


def expected_exercises(notebook_name: str) -> list[str]:
    """The checked exercises of an exercise notebook, from its lesson number.

    Examples
    --------
    >>> expected_exercises("01_definition.ipynb")
    ['01.1', '01.3']
    >>> expected_exercises("my_notes.ipynb")
    []
    """
    prefix = notebook_name[:2]
    return [e for e in EXERCISES if prefix.isdigit() and e.startswith(prefix + ".")]


def _first_error(nb: nbformat.NotebookNode) -> str | None:
    """'cell N raised Name: value' for the first error output, or None."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = (str(output.get("evalue") or "").splitlines() or [""])[0]
                ename = output.get("ename", "an error")
                return f"{_cell_name(index, cell)} raised {ename}: {value}".rstrip(": ")
    return None


def _read_log(path: Path) -> dict[str, dict]:
    """Checker results by exercise; the last report of an exercise wins."""
    results: dict[str, dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                results[str(entry["exercise"])] = entry
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a damaged line: that exercise will show as "no result"
    return results


def grade_notebook(path: str | Path, student: str, timeout: float = 60) -> list[GradeRow]:
    """Run one submitted notebook in a fresh kernel and return its rows.

    Parameters
    ----------
    path : path of the notebook.
    student : the name written in the rows.
    timeout : seconds any one cell may run before the notebook is stopped.

    Examples
    --------
    A file that is not a notebook is graded without starting a kernel:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> broken = Path(tmp.name) / "01_definition.ipynb"
    >>> _ = broken.write_text("not JSON")
    >>> [(row.exercise, row.status) for row in grade_notebook(broken, "ann")]
    [('01.1', 'invalid notebook'), ('01.3', 'invalid notebook')]
    >>> tmp.cleanup()
    """
    path = Path(path)
    name = path.name
    expected = expected_exercises(name)

    def rows_for_all(status: str, message: str) -> list[GradeRow]:
        return [GradeRow(student, name, e, status, message) for e in expected or [""]]

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable bytes
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return rows_for_all(
            "invalid notebook",
            f"could not read the notebook ({reason[:120]}); nothing was run: ask the student "
            "for a fresh save, or a fresh copy of the exercises with their code pasted in",
        )

    with tempfile.TemporaryDirectory(prefix="grading-") as work:
        log = Path(work) / "checks.jsonl"
        env = dict(os.environ)
        env[LOG_ENV_VAR] = str(log)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
        )
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",  # whatever the notebook says: every student gets the same
            allow_errors=True,  # a failing cell does not stop the exercises after it
            record_timing=False,
            resources={"metadata": {"path": work}},
        )
        running: list[str] = ["a cell"]  # updated as each cell starts

        def on_cell_start(cell, cell_index, **_):
            running[0] = _cell_name(cell_index, cell)

        client.on_cell_start = on_cell_start
        stopped = None
        try:
            # The kernel's own log (not the notebook's output) would clutter the terminal.
            client.execute(env=env, stderr=subprocess.DEVNULL)
        except CellTimeoutError:
            stopped = (
                "timed out",
                f"no result: {running[0]} ran longer than the time limit of {timeout:g} s "
                "(an endless loop?), so the notebook was stopped there",
            )
        except DeadKernelError:
            stopped = (
                "crashed",
                f"no result: the kernel died in {running[0]}, so the notebook was "
                "stopped there",
            )
        except Exception as exc:  # the kernel would not start, or nbclient failed
            stopped = ("crashed", f"no result: the notebook could not be run ({exc})")
        logged = _read_log(log)

    rows = []
    for exercise in expected + [e for e in logged if e not in expected]:
        if exercise in logged:
            entry = logged[exercise]
            rows.append(GradeRow(student, name, exercise, entry["status"], entry["message"]))
        elif stopped:
            rows.append(GradeRow(student, name, exercise, *stopped))
        else:
            error = _first_error(nb)
            reason = f"{error} before its checker ran" if error else "its checker cell never ran"
            rows.append(GradeRow(student, name, exercise, "no result", f"no result: {reason}"))
    return rows or rows_for_all("no result", "no checker ran in this notebook")


def _cell_name(index: int, cell) -> str:
    """'cell 12 (check_softmax_py(softmax_py))': counted from 1, as a learner counts."""
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"cell {index + 1} ({first})" if first else f"cell {index + 1}"


def _submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook path) for every notebook in `folder`, sorted."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if ".ipynb_checkpoints" in relative.parts:
            continue
        student = relative.parts[0] if len(relative.parts) > 1 else path.stem
        found.append((student, path))
    return found


def grade_folder(
    folder: str | Path,
    timeout: float = 60,
    progress: Callable[[str, Path], object] | None = None,
) -> list[GradeRow]:
    """Grade every notebook under `folder`; `progress(student, path)` is called before each.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> (Path(tmp.name) / "ann").mkdir()
    >>> _ = (Path(tmp.name) / "ann" / "01_definition.ipynb").write_text("not JSON")
    >>> rows = grade_folder(tmp.name, progress=lambda who, path: print(who, path.name))
    ann 01_definition.ipynb
    >>> summary(rows)
    'graded 1 notebooks from 1 students: 0 of 2 exercises passed (2 invalid notebook); \
notebooks stopped: 1 invalid notebook'
    >>> tmp.cleanup()
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    rows: list[GradeRow] = []
    for student, path in _submissions(folder):
        if progress:
            progress(student, path)
        rows += grade_notebook(path, student, timeout)
    return rows


def summary(rows: list[GradeRow]) -> str:
    """One line: how many exercises passed, why the others did not, which notebooks broke.

    Examples
    --------
    >>> rows = [GradeRow("ann", "01_definition.ipynb", "01.1", "passed", "ok"),
    ...         GradeRow("ann", "01_definition.ipynb", "01.3", "failed", "wrong axis"),
    ...         GradeRow("bo", "01_definition.ipynb", "01.1", "timed out", "..."),
    ...         GradeRow("bo", "01_definition.ipynb", "01.3", "timed out", "...")]
    >>> summary(rows)
    'graded 2 notebooks from 2 students: 1 of 4 exercises passed (1 failed, 2 timed out); \
notebooks stopped: 1 timed out'
    """
    notebooks = {(r.student, r.notebook): r.status for r in rows}
    students = {r.student for r in rows}
    passed = sum(r.result == "passed" for r in rows)
    line = (
        f"graded {len(notebooks)} notebooks from {len(students)} students: "
        f"{passed} of {len(rows)} exercises passed"
    )
    others = Counter(r.status for r in rows if r.status != "passed")
    if others:
        line += " (" + ", ".join(f"{n} {status}" for status, n in sorted(others.items())) + ")"
    broken = Counter(
        status
        for status in notebooks.values()
        if status in ("invalid notebook", "crashed", "timed out")
    )
    if broken:
        line += "; notebooks stopped: " + ", ".join(
            f"{n} {status}" for status, n in sorted(broken.items())
        )
    return line


def write_csv(rows: list[GradeRow], out: str | Path) -> None:
    """Write `rows` to the CSV file `out`, with a header line of :data:`COLUMNS`.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = Path(tmp.name) / "grades.csv"
    >>> write_csv([GradeRow("ann", "01_definition.ipynb", "01.1", "passed", "ok")], out)
    >>> print(out.read_text(encoding="utf-8"), end="")
    student,notebook,exercise,title,result,status,message
    ann,01_definition.ipynb,01.1,softmax in pure Python,passed,passed,ok
    >>> tmp.cleanup()
    """
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.as_dict())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.homework.grading",
        description="Run submitted exercise notebooks and write one CSV row per student "
        "and exercise.",
    )
    parser.add_argument("submissions", help="folder with one subfolder of notebooks per student")
    parser.add_argument("--out", default="grades.csv", help="CSV file to write")
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds any one cell may run (default 60)"
    )
    args = parser.parse_args(argv)
    try:
        rows = grade_folder(
            args.submissions,
            args.timeout,
            progress=lambda student, path: print(f"grading {student}: {path.name}", flush=True),
        )
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_csv(rows, args.out)
    print(summary(rows))
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
