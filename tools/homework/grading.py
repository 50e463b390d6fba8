"""Grade a folder of submitted exercise notebooks: one CSV row per student and exercise.

For instructors::

    python -m tools.homework.grading SUBMISSIONS_DIR --out grades.csv --jobs 4

`SUBMISSIONS_DIR` holds one folder per student with their notebooks, named as in
``exercises/`` (``alice/01_definition.ipynb``; deeper folders are fine).

How a verdict is reached. Each notebook runs top to bottom in a fresh kernel
inside its own sandbox (:mod:`.sandbox`: bubblewrap, no network, no access to
the course folder, other submissions or the CSV, limits on memory, processes, CPU
and time). Then, for each exercise, the grader runs that exercise's own diagnosis
here, outside the sandbox, with a stand-in for the learner's function
(:class:`.remote.RemoteFunction`): every call is made in the sandbox, in the
kernel where the notebook ran, and only plain data comes back. The verdict and
its message are computed here, so nothing the notebook prints, writes, patches
or defines (checker cells, logs, fake checkers) counts; only what the function
returns does. The checker cells in the notebook still run, for the instructor
reading the executed copy, but the grade never reads them.

Two rules are read from the submitted source (:mod:`.rules`): an exercise's
function may not use the course package (which implements every exercise) or
the course's ``solutions/``, and a notebook that reaches into the interpreter or
starts programs is flagged for the instructor to read.

Bookkeeping. The CSV is rewritten (atomically) each time a notebook finishes,
so an interrupted run keeps what was graded and the same command picks up
where it stopped (a notebook whose file changed since is graded again). Each
student gets a "not submitted" row for every exercise of a homework notebook
they did not hand in; a second copy of a notebook is reported as a duplicate
and not graded; a file that is not a notebook is an "invalid notebook". Each
executed notebook is kept beside the CSV (``grades_notebooks/alice/...``) with
every output and error, for the written answers.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import nbjson

from softmax_lessons import checks
from softmax_lessons.checks import EXERCISES
from softmax_lessons.checks.runner import CheckResult, diagnose_quietly

from . import rules
from .remote import CheckStopped, FunctionMissing, RemoteFunction
from .sandbox import BWRAP_INSTALL, Limits, Sandbox, SandboxEnded, sandbox_problem

__all__ = [
    "COLUMNS",
    "GradeRow",
    "Graded",
    "Handout",
    "expected_exercises",
    "grade_folder",
    "grade_notebook",
    "summary",
    "write_csv",
]

COLUMNS = ["student", "notebook", "exercise", "title", "result", "status", "points",
           "max_points", "message", "notes", "sha256"]
COURSE = Path(__file__).resolve().parents[2]  # the course folder, holding exercises/
MAX_NOTEBOOK_BYTES = 50 * 2**20
NOT_COUNTED = ("duplicate", "not graded")
STOPPED = ("invalid notebook", "crashed", "timed out")


@dataclass(frozen=True)
class GradeRow:
    """One line of the CSV. ``result`` is "passed", "failed" or "not counted".

    ``points`` are the exercise's points (``EXERCISES[id].points``) when it passed and 0
    otherwise, out of ``max_points``; a row of no exercise (a duplicate, a stray
    notebook) has neither.
    """

    student: str
    notebook: str
    exercise: str
    status: str
    message: str
    notes: str = ""
    sha256: str = ""

    @property
    def result(self) -> str:
        if self.status == "passed":
            return "passed"
        return "not counted" if self.status in NOT_COUNTED else "failed"

    @property
    def max_points(self) -> int | None:
        return EXERCISES[self.exercise].points if self.exercise in EXERCISES else None

    @property
    def points(self) -> int | None:
        if self.max_points is None:
            return None
        return self.max_points if self.result == "passed" else 0

    def as_dict(self) -> dict[str, str]:
        title = EXERCISES[self.exercise].title if self.exercise in EXERCISES else ""
        return {
            "student": self.student,
            "notebook": self.notebook,
            "exercise": self.exercise,
            "title": title,
            "result": self.result,
            "status": self.status,
            "points": "" if self.points is None else str(self.points),
            "max_points": "" if self.max_points is None else str(self.max_points),
            "message": self.message,
            "notes": self.notes,
            "sha256": self.sha256,
        }


def expected_exercises(notebook_name: str) -> list[str]:
    """The checked exercises of an exercise notebook, from its lesson number.

    Examples
    --------
    >>> expected_exercises("01_definition.ipynb")
    ['01.1', '01.3', '01.5', '01.6']
    >>> expected_exercises("my_notes.ipynb")
    []
    """
    prefix = notebook_name[:2]
    return [e for e in EXERCISES if prefix.isdigit() and e.startswith(prefix + ".")]


# ---------------------------------------------------------------------------
# The homework as handed out
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Handout:
    """For each homework notebook, its exercises in order and the function each one grades.

    Read from the handed-out notebooks (``exercises/``), never from a submission:
    each checker cell ``check_softmax_py(softmax_py)`` says that exercise 01.1
    grades the function named ``softmax_py``.

    Examples
    --------
    >>> Handout.read().notebooks["01_definition.ipynb"]
    {'01.1': 'softmax_py', '01.3': 'softmax_rows', '01.5': 'logits_from_probs', \
'01.6': 'entropy_bits'}
    """

    notebooks: dict[str, dict[str, str]]

    @classmethod
    def read(cls, folder: str | Path | None = None) -> Handout:
        folder = Path(folder) if folder is not None else COURSE / "exercises"
        notebooks: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.ipynb")):
            calls = rules.checker_calls(nbformat.read(path, as_version=4))
            found = {}
            for check, function in calls.items():
                entry = getattr(getattr(checks, check, None), "exercise", None)
                if entry is not None:
                    found[entry.id] = function
            order = list(EXERCISES)
            if found:
                notebooks[path.name] = dict(sorted(found.items(), key=lambda i: order.index(i[0])))
        if not notebooks:
            raise FileNotFoundError(f"no homework notebooks with checker cells in {folder}/")
        return cls(notebooks)


# ---------------------------------------------------------------------------
# One notebook
# ---------------------------------------------------------------------------


@dataclass
class Graded:
    """What grading one notebook gave: its rows, and the notebook as it ran (if it did)."""

    rows: list[GradeRow]
    executed: nbformat.NotebookNode | None = None
    seconds: float = 0.0
    peak_mib: float = 0.0


class InvalidNotebook(Exception):
    pass


def _read_notebook(data: bytes) -> nbformat.NotebookNode:
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise InvalidNotebook(f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # not UTF-8, not JSON, not a notebook
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidNotebook(reason[:160]) from None
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(
        isinstance(c, dict)
        and c.get("cell_type") in ("code", "markdown", "raw")
        and isinstance(c.get("source", ""), (str, list))
        for c in cells
    ):
        raise InvalidNotebook("its cells are not notebook cells")
    for cell in cells:
        if isinstance(cell.source, list):
            cell.source = "".join(str(part) for part in cell.source)
    return nb


def _cell_name(index: int, cell) -> str:
    """'cell 12 (check_softmax_py(softmax_py))': counted from 1, as a learner counts."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    first = source.strip().splitlines()[0] if source.strip() else ""
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"cell {index + 1} ({first})" if first else f"cell {index + 1}"


def _first_error(nb, before: int | None = None) -> str | None:
    """'cell N (...) raised Name: value' for the first error output (before cell `before`)."""
    for index, cell in enumerate(nb.get("cells", []) if nb else []):
        if before is not None and index >= before:
            return None
        for output in cell.get("outputs", []) or []:
            if isinstance(output, dict) and output.get("output_type") == "error":
                value = (str(output.get("evalue") or "").splitlines() or [""])[0][:160]
                ename = str(output.get("ename", "an error"))[:80]
                return f"{_cell_name(index, cell)} raised {ename}: {value}".rstrip(": ")
    return None


def _notes(events: list, nb, limits: Limits, budget: float) -> list[str]:
    """The runner's events as sentences (cell numbers from the submission)."""
    cells = nb.cells
    lines, not_run = [], []

    def name(index) -> str:
        if isinstance(index, int) and 0 <= index < len(cells):
            return _cell_name(index, cells[index])
        return "the first cell"

    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        kind, index = event.get("event"), event.get("cell")
        if kind == "timed out":
            lines.append(
                f"{name(index)} ran past the time limit of {limits.cell_timeout:g} s per cell "
                "and was stopped; the notebook went on"
            )
        elif kind == "killed the kernel":
            lines.append(
                f"{name(index)} killed the kernel; it was skipped and the notebook went on in "
                "a new kernel"
            )
        elif kind == "notebook time":
            lines.append(
                f"{name(index)} was stopped by the notebook's time limit ({budget:g} s for all "
                "cells)"
            )
        elif kind == "not run" and isinstance(index, int):
            not_run.append(index + 1)
        elif kind == "no kernel":
            lines.append(f"no kernel could run {name(index)} ({str(event.get('detail'))[:80]})")
    if not_run:
        span = f"cell {not_run[0]}" if len(not_run) == 1 else f"cells {not_run[0]} to {not_run[-1]}"
        lines.append(f"{span} did not run: the notebook's time limit ({budget:g} s for all cells)")
    return lines


def _why_missing(function: str, found: str, nb, executed, events, budget: float) -> tuple[str, str]:
    """(status, message) for an exercise whose function the kernel did not have."""
    if found != "nothing":
        return "no result", f"no result: {function} is a {found}, not a function"
    number = rules.defining_cell(nb, function)
    if number is None:
        return "no result", (
            f"no result: the notebook defines no function named {function}; the grader calls "
            "each exercise's function by the name the exercise gives it"
        )
    cell = number - 1  # 0-based index of the cell that defines it
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict) and event.get("cell") == cell:
            if event.get("event") in ("not run", "notebook time"):
                return "timed out", (
                    f"no result: the notebook's time limit ({budget:g} s for all cells) "
                    f"stopped it before {_cell_name(cell, nb.cells[cell])}, which defines "
                    f"{function}"
                )
            if event.get("event") in ("killed the kernel", "no kernel", "timed out"):
                return "crashed", (
                    f"no result: {_cell_name(cell, nb.cells[cell])}, which defines {function}, "
                    "never finished (see notes)"
                )
    error = _first_error(executed, before=cell + 1)
    if error:
        return "no result", f"no result: {error} before {function} was defined"
    return "no result", f"no result: {function} was not defined when the notebook had run"


def grade_notebook(
    path: str | Path,
    student: str,
    limits: Limits | None = None,
    *,
    handout: Handout | None = None,
    sandboxed: bool = True,
) -> Graded:
    """Run one submitted notebook in a sandbox and grade each of its exercises.

    Parameters
    ----------
    path : the notebook; its file name says which homework it is.
    student : the name written in the rows.
    limits : times and sizes (:class:`.sandbox.Limits`).
    handout : the homework as handed out (default: the course's ``exercises/``).
    sandboxed : False runs it without bubblewrap (``--no-sandbox``): same verdicts,
        no isolation.

    Examples
    --------
    A file that is not a notebook is graded without starting anything:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> broken = Path(tmp.name) / "01_definition.ipynb"
    >>> _ = broken.write_text("not JSON")
    >>> [(row.exercise, row.status) for row in grade_notebook(broken, "ann").rows]
    [('01.1', 'invalid notebook'), ('01.3', 'invalid notebook'), ('01.5', 'invalid notebook'), \
('01.6', 'invalid notebook')]
    >>> tmp.cleanup()
    """
    started = time.monotonic()
    limits = limits or Limits()
    handout = handout or Handout.read()
    path = Path(path)
    name = path.name
    functions = handout.notebooks.get(name)
    if functions is None:
        return Graded([GradeRow(student, name, "", "not graded", _not_homework(handout))])
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]

    def rows_for_all(status: str, message: str, notes: str = "") -> list[GradeRow]:
        return [GradeRow(student, name, e, status, message, notes, digest) for e in functions]

    try:
        nb = _read_notebook(data)
    except InvalidNotebook as bad:
        return Graded(rows_for_all(
            "invalid notebook",
            f"could not read the notebook ({bad}); nothing was run: ask the student for a "
            "fresh save, or a fresh copy of the exercises with their code pasted in",
        ))
    flags = rules.tampering(nb)
    problems = {e: rules.answer_problems(nb, f) for e, f in functions.items()}
    budget = limits.execution_budget(len(functions))
    results: dict[str, tuple[str, str]] = {}
    absent: dict[str, str] = {}  # exercise -> what the kernel had under the function's name
    executed, events, gone, peak = None, [], None, 0.0
    with Sandbox(limits, limits.notebook_timeout + 10, sandboxed) as box:
        try:
            box.send({"notebook": nb, "limits": {
                "cell_timeout": limits.cell_timeout,
                "execution_budget": budget,
                "wall": limits.notebook_timeout,
                "check_timeout": limits.check_timeout,
                "output_limit": int(limits.output_mb * 2**20),
            }})
            events = box.receive("executed").get("events", [])
        except (SandboxEnded, AttributeError) as ended:
            gone = str(ended) or "the sandbox did not run the notebook"
            said = box.log_tail(400).strip().splitlines()[-1:]
            if said and box.proc.poll() not in (None, -9):  # it failed, it was not killed
                gone += f" (it said: {said[0][:200]})"
        for exercise, function in functions.items():
            if problems[exercise]:
                results[exercise] = ("failed", _answer_message(function, problems[exercise]))
                continue
            if gone:
                results[exercise] = (_gone_status(gone), f"no result: {gone}")
                continue
            proxy = RemoteFunction(box, function, limits.check_timeout)
            try:
                diagnose = EXERCISES[exercise].diagnose
                result: CheckResult = diagnose_quietly(exercise, diagnose, proxy)
                results[exercise] = (result.status, result.message)
            except FunctionMissing as missing:
                results[exercise] = ("no result", missing.message)
                absent[exercise] = missing.message
            except CheckStopped as stop:
                results[exercise] = (stop.status, stop.message)
                if stop.status == "crashed" and type(stop).__name__ == "SandboxGone":
                    gone = stop.message
        if not gone:
            with contextlib.suppress(SandboxEnded):
                box.send({"finish": True})
                executed = _executed(box.receive("notebook", timeout=30))
        peak = box.peak_kib / 1024
    notes = _notes(events, nb, limits, budget)
    if gone:
        notes.append(f"the sandbox was stopped: {gone}")
    if executed is None:  # kept as handed in, for its written answers
        executed = nb
        executed.metadata["grading"] = {"not run to the end": "; ".join(notes)[:500]}
    rows = []
    for exercise, function in functions.items():
        status, message = results[exercise]
        if exercise in absent:  # explained now that the executed notebook is here
            status, message = _why_missing(function, absent[exercise], nb, executed, events,
                                           budget)
        if flags:
            message = (
                f"flagged for review: {'; '.join(flags[:4])}"
                + (f" (and {len(flags) - 4} more)" if len(flags) > 4 else "")
                + f". Homework never needs this, and it could work around the grader: read "
                f"the notebook. Its checks said: {status}: {message}"
            )
            status = "flagged"
        rows.append(GradeRow(student, name, exercise, status, message, "; ".join(notes), digest))
    return Graded(rows, executed, time.monotonic() - started, peak)


def _answer_message(function: str, problems: list[str]) -> str:
    return (
        f"your {function} {'; '.join(problems[:3])}: the exercise asks you to write it "
        "yourself (with NumPy or plain Python), so it is not counted"
    )


def _gone_status(why: str) -> str:
    return "timed out" if "time limit" in why else "crashed"


def _executed(value) -> nbformat.NotebookNode | None:
    """The notebook as it ran in the sandbox, if it is a notebook."""
    if not isinstance(value, dict):
        return None
    try:
        nb = nbformat.from_dict(value)
        nbformat.writes(nb)
    except Exception:  # whatever the sandbox sent, it is not a notebook
        return None
    return nb


def _not_homework(handout: Handout) -> str:
    names = ", ".join(handout.notebooks)
    return f"not one of the homework notebooks ({names}); nothing was run"


# ---------------------------------------------------------------------------
# A folder of submissions
# ---------------------------------------------------------------------------


@dataclass
class Plan:
    """What to grade, and the rows known without running anything."""

    tasks: list[tuple[str, Path]] = field(default_factory=list)  # (student, notebook)
    rows: list[GradeRow] = field(default_factory=list)  # not submitted, duplicates, ...


def plan(folder: Path, handout: Handout, assignment: list[str] | None = None) -> Plan:
    """Find every student's notebooks; note missing ones, duplicates and strays.

    A notebook counts as handed in by the student whose folder it is in (at any
    depth). The notebooks expected of everyone are `assignment`, or else every
    homework notebook that anyone handed in.
    """
    found: dict[tuple[str, str], list[Path]] = {}
    result = Plan()
    students = sorted(
        p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue  # .ipynb_checkpoints and other hidden folders
        if len(relative.parts) == 1:
            result.rows.append(GradeRow(
                "", path.name, "", "not graded",
                "lies directly in the submissions folder: put each student's notebooks in a "
                "folder named after them",
            ))
            continue
        student = relative.parts[0]
        if path.name not in handout.notebooks:
            result.rows.append(GradeRow(student, path.name, "", "not graded",
                                        _not_homework(handout)))
            continue
        found.setdefault((student, path.name), []).append(path)
    for (student, name), paths in sorted(found.items()):
        paths.sort(key=lambda p: (len(p.relative_to(folder).parts), str(p)))
        result.tasks.append((student, paths[0]))
        for other in paths[1:]:
            result.rows.append(GradeRow(
                student, name, "", "duplicate",
                f"another copy, {paths[0].relative_to(folder).as_posix()}, was graded; this one "
                f"({other.relative_to(folder).as_posix()}) was not: ask {student} which one "
                "counts, and leave only that one",
            ))
    expected = assignment or sorted({name for _, name in found})
    for name in expected:
        if name not in handout.notebooks:
            raise ValueError(f"{name} is not one of the homework notebooks: "
                             f"{_not_homework(handout)}")
    for student in students:
        for name in expected:
            if (student, name) not in found:
                result.rows += [
                    GradeRow(student, name, exercise, "not submitted", f"{name} was not handed in")
                    for exercise in handout.notebooks[name]
                ]
    return result


def _sort_key(row: GradeRow) -> tuple:
    order = list(EXERCISES)
    return (row.student, row.notebook, order.index(row.exercise) if row.exercise in order else -1,
            row.status)


def _previous(out: Path) -> dict[tuple[str, str], list[GradeRow]]:
    """Rows of an earlier run of the same CSV, by (student, notebook), for resuming."""
    if not out.exists():
        return {}
    with open(out, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            return {}
        rows = [GradeRow(r["student"], r["notebook"], r["exercise"], r["status"], r["message"],
                         r["notes"], r["sha256"]) for r in reader]
    kept: dict[tuple[str, str], list[GradeRow]] = {}
    for row in rows:
        if row.sha256 and row.status not in ("grader error",):
            kept.setdefault((row.student, row.notebook), []).append(row)
    return kept


def write_csv(rows: list[GradeRow], out: str | Path) -> None:
    """Write `rows` to the CSV file `out` (header: :data:`COLUMNS`), replacing it atomically.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = Path(tmp.name) / "grades.csv"
    >>> write_csv([GradeRow("ann", "01_definition.ipynb", "01.1", "passed", "ok")], out)
    >>> print(out.read_text(encoding="utf-8"), end="")
    student,notebook,exercise,title,result,status,points,max_points,message,notes,sha256
    ann,01_definition.ipynb,01.1,softmax in pure Python,passed,passed,2,2,ok,,
    >>> tmp.cleanup()
    """
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in sorted(rows, key=_sort_key):
            writer.writerow(row.as_dict())
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, out)


def _keep_executed(graded: Graded, folder: Path, student: str, name: str) -> None:
    if graded.executed is None:
        return
    target = folder / student / name
    target.parent.mkdir(parents=True, exist_ok=True)
    graded.executed.metadata.setdefault("grading", {})["about"] = (
        "run by the course's grader in its sandbox; the verdicts are in the CSV, not in the "
        "checker lines printed below (those ran inside the student's kernel)"
    )
    partial = target.with_name(name + ".partial")
    # validated in the worker already (_executed): written here without validating again
    partial.write_text(nbjson.writes(graded.executed), encoding="utf-8")
    os.replace(partial, target)


def grade_folder(
    folder: str | Path,
    limits: Limits | None = None,
    *,
    out: str | Path | None = None,
    jobs: int | None = None,
    handout: Handout | None = None,
    sandboxed: bool = True,
    assignment: list[str] | None = None,
    regrade: bool = False,
    progress: Callable[[str], object] | None = None,
) -> list[GradeRow]:
    """Grade every notebook under `folder`, `jobs` at a time; write `out` as each finishes.

    With `out`, rows of an earlier run for notebooks that have not changed since are
    kept (unless `regrade`), and each executed notebook is saved in the folder
    ``<out name>_notebooks/<student>/`` beside it.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> for student in ("ann", "bo"):
    ...     (Path(tmp.name) / student).mkdir()
    >>> _ = (Path(tmp.name) / "ann" / "01_definition.ipynb").write_text("not JSON")
    >>> rows = grade_folder(tmp.name, progress=print)
    [1/1] ann/01_definition.ipynb: invalid notebook
    >>> summary(rows)
    'graded 1 notebooks from 2 students: 0 of 8 exercises passed (4 invalid notebook, \
4 not submitted); notebooks stopped: 1 invalid notebook'
    >>> tmp.cleanup()
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    limits = limits or Limits()
    handout = handout or Handout.read()
    for exercises in handout.notebooks.values():
        limits.check(len(exercises))
    todo = plan(folder, handout, assignment)
    out = Path(out) if out is not None else None
    kept_folder = out.with_name(out.stem + "_notebooks") if out else None
    previous = _previous(out) if out and not regrade else {}
    done: dict[tuple[str, str], list[GradeRow]] = {}
    tasks = []
    for student, path in todo.tasks:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        old = previous.get((student, path.name), [])
        if old and all(r.sha256 == digest for r in old):
            done[(student, path.name)] = old
        else:
            tasks.append((student, path))
    def save() -> list[GradeRow]:
        rows = todo.rows + [row for rows in done.values() for row in rows]
        if out:
            write_csv(rows, out)
        return rows

    if done and progress:
        progress(f"kept the rows of {len(done)} notebooks graded before (unchanged since)")
    save()
    total = len(tasks)
    jobs = max(1, min(jobs or os.cpu_count() or 1, total or 1))

    def finish(student: str, path: Path, graded: Graded) -> None:
        done[(student, path.name)] = graded.rows
        if kept_folder:
            _keep_executed(graded, kept_folder, student, path.name)
        save()
        if progress:
            progress(f"[{_count(done, tasks)}/{total}] {student}/{path.name}: {_brief(graded)}")

    if not tasks:
        return save()
    # Each notebook is graded in a worker process, even with one job: a diagnosis that
    # measures memory (tracemalloc) must see its own notebook's allocations only, not
    # another notebook's nor a thread of the caller's.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
    futures = {
        pool.submit(grade_notebook, path, student, limits, handout=handout,
                    sandboxed=sandboxed): (student, path)
        for student, path in tasks
    }
    pending = set(futures)
    try:
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                student, path = futures[future]
                try:
                    graded = future.result()
                except Exception as exc:  # a bug of the grader's, or a worker that died
                    graded = _grader_error(exc, student, path, handout)
                finish(student, path, graded)
    except BaseException:
        # Ctrl+C: stop the workers now; each sandbox dies with its worker (bubblewrap's
        # --die-with-parent), and what was graded so far is already in the CSV.
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(OSError):
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return save()


def _context() -> multiprocessing.context.BaseContext:
    """Fork the workers from this process when it runs no other thread (it is quick: the
    grader is already imported); otherwise start them from a clean forkserver."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _count(done: dict, tasks: list) -> int:
    return sum((student, path.name) in done for student, path in tasks)


def _grader_error(exc: BaseException, student: str, path: Path, handout: Handout) -> Graded:
    reason = f"{type(exc).__name__}: {exc}"[:300]
    names = handout.notebooks.get(path.name, {"": ""})
    return Graded([GradeRow(student, path.name, e, "grader error",
                            f"the grader failed on this notebook ({reason}); run it again")
                   for e in names])


def _brief(graded: Graded) -> str:
    rows = graded.rows
    statuses = Counter(r.status for r in rows)
    if len(statuses) == 1 and next(iter(statuses)) in (*STOPPED, "not graded"):
        return next(iter(statuses))
    passed = statuses.get("passed", 0)
    return f"{passed} of {len(rows)} passed ({graded.seconds:.1f} s)"


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
    graded = [r for r in rows if r.exercise and r.status != "not submitted"]
    counted = [r for r in rows if r.exercise and r.result != "not counted"]
    notebooks = {(r.student, r.notebook): r.status for r in graded}
    students = {r.student for r in rows if r.student}
    passed = sum(r.result == "passed" for r in counted)
    line = (
        f"graded {len(notebooks)} notebooks from {len(students)} students: "
        f"{passed} of {len(counted)} exercises passed"
    )
    others = Counter(r.status for r in counted if r.status != "passed")
    if others:
        line += " (" + ", ".join(f"{n} {status}" for status, n in sorted(others.items())) + ")"
    broken = Counter(status for status in notebooks.values() if status in STOPPED)
    if broken:
        line += "; notebooks stopped: " + ", ".join(
            f"{n} {status}" for status, n in sorted(broken.items())
        )
    apart = Counter(r.status for r in rows if r.result == "not counted")
    if apart:
        line += "; not counted: " + ", ".join(f"{n} {s}" for s, n in sorted(apart.items()))
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.homework.grading",
        description="Run submitted exercise notebooks, each in its own sandbox, and write one "
        "CSV row per student and exercise.",
    )
    parser.add_argument("submissions", help="folder with one subfolder of notebooks per student")
    parser.add_argument("--out", default="grades.csv", help="CSV file to write (default "
                        "grades.csv); the executed notebooks go to <name>_notebooks/ beside it")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks graded at once (default: the number of cores)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds any one cell may run (default 60)")
    parser.add_argument("--notebook-timeout", type=float, default=300,
                        help="seconds one notebook may take in all, cells and checks "
                        "(default 300)")
    parser.add_argument("--check-timeout", type=float, default=20,
                        help="seconds the checks of one exercise may take (default 20)")
    parser.add_argument("--memory", type=int, default=2048,
                        help="MiB of memory a notebook's processes may use (default 2048)")
    parser.add_argument("--processes", type=int, default=128,
                        help="processes and threads a notebook may run at once (default 128)")
    parser.add_argument("--assignment", nargs="+", metavar="NOTEBOOK",
                        help="the notebooks every student must hand in (default: every "
                        "homework notebook anyone handed in)")
    parser.add_argument("--handout", default=str(COURSE / "exercises"),
                        help="folder of the notebooks as handed out (default: exercises/)")
    parser.add_argument("--regrade", action="store_true",
                        help="grade everything again instead of keeping the rows of "
                        "unchanged notebooks from an earlier run")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run submissions without the sandbox, with your own rights "
                        "(see the README's warning)")
    args = parser.parse_args(argv)
    if not args.no_sandbox:
        problem = sandbox_problem()
        if problem:
            print(
                f"error: refusing to grade without a sandbox: {problem}.\n"
                "Submissions are code written by others; the grader runs each one in a "
                f"bubblewrap sandbox (as root: {BWRAP_INSTALL}).\n"
                "To run them with your own rights and files anyway, pass --no-sandbox "
                "(read the README's warning first).",
                file=sys.stderr,
            )
            return 2
    limits = Limits(
        cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
        check_timeout=args.check_timeout, memory_mb=args.memory, processes=args.processes,
    )
    try:
        rows = grade_folder(
            args.submissions, limits, out=args.out, jobs=args.jobs,
            handout=Handout.read(args.handout), sandboxed=not args.no_sandbox,
            assignment=args.assignment, regrade=args.regrade,
            progress=lambda line: print(line, flush=True),
        )
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: the rows of every notebook graded so far are in {args.out}; run "
              "the same command again to grade the rest", file=sys.stderr)
        return 130
    print(summary(rows))
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
