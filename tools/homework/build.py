"""Generate the exercise notebooks from the solution notebooks: one source, two outputs.

Used by course authors and instructors (lessons 01-06 each have one exercise notebook)::

    python -m tools.homework.build build            # solutions/ -> exercises/
    python -m tools.homework.build build --force    # also replace edited exercises
    python -m tools.homework.build build --out DIR  # a fresh set somewhere else

The source is ``solutions/NN_name.ipynb``. Solution regions are marked as nbgrader
marks them, so an nbgrader course can take the sources as they are::

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

In a code cell the region becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
at the marker's indent; in a markdown cell it becomes ``YOUR ANSWER HERE``. Lines
such as ``# BEGIN SOLUTION`` (otter-grader's spelling) are read too. Outputs, execution
counts, timing metadata and widget state are cleared; everything else
is copied as it is.

For nbgrader, ``python -m tools.homework.build nbgrader`` marks the solution notebooks
in place (run it after adding or changing an exercise, then build): each checker
cell (a cell that is just ``check_x(fn)``) becomes a locked, autograded test cell
worth one point (the checker raises AssertionError under nbgrader when the
exercise does not pass), and each solution cell without nbgrader metadata gets it.

Learners' work is never overwritten: ``exercises/.generated.json`` records a hash
of each notebook as it was generated, and a notebook that no longer matches it
(someone edited it in place) is skipped unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from softmax_lessons import checks

__all__ = [
    "RECORD_NAME",
    "BuildReport",
    "build",
    "make_exercise",
    "mark_for_nbgrader",
    "strip_solutions",
]

RECORD_NAME = ".generated.json"
CODE_PLACEHOLDER = ["# YOUR CODE HERE", "raise NotImplementedError()"]
ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"  # nbgrader's own, so its student version equals ours

_BEGIN = re.compile(r"^(\s*)#+\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")


def strip_solutions(source: str, cell_type: str = "code", where: str = "cell") -> str:
    """Replace every solution region of one cell's source by the placeholder.

    Parameters
    ----------
    source : str
        The cell's source.
    cell_type : {"code", "markdown"}
        Code regions become ``# YOUR CODE HERE`` and ``raise NotImplementedError()``;
        markdown regions become ``YOUR ANSWER HERE``.
    where : str
        Named in error messages, e.g. ``"solutions/01_definition.ipynb cell 5"``.

    Raises
    ------
    ValueError
        On a region that is nested, not closed, or closed without being opened.

    Examples
    --------
    >>> src = "def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION"
    >>> print(strip_solutions(src))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    >>> print(strip_solutions("**Answer.**\\n### BEGIN SOLUTION\\nIt is 1/4.\\n### END SOLUTION",
    ...                       "markdown"))
    **Answer.**
    YOUR ANSWER HERE
    """
    out: list[str] = []
    opened_at = None
    for number, line in enumerate(source.split("\n"), start=1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if opened_at is not None:
                raise ValueError(
                    f"{where}, line {number}: BEGIN SOLUTION inside the region opened on line "
                    f"{opened_at}; close it with END SOLUTION first (regions cannot nest)"
                )
            opened_at = number
            indent = begin.group(1)
            if cell_type == "code":
                out += [indent + placeholder for placeholder in CODE_PLACEHOLDER]
            else:
                out.append(indent + ANSWER_PLACEHOLDER)
        elif end:
            if opened_at is None:
                raise ValueError(
                    f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION before it"
                )
            opened_at = None
        elif opened_at is None:
            out.append(line)
    if opened_at is not None:
        raise ValueError(
            f"{where}, line {opened_at}: BEGIN SOLUTION is never closed; add END SOLUTION"
        )
    return "\n".join(out)


def make_exercise(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The exercise version of a solution notebook (a new notebook; `nb` is not changed).

    Solution regions are replaced by placeholders; outputs, execution counts, the
    timing metadata nbclient records and the widget state are removed.

    Examples
    --------
    >>> cell = nbformat.v4.new_code_cell("x = 1\\n### BEGIN SOLUTION\\nx = 2\\n### END SOLUTION")
    >>> print(make_exercise(nbformat.v4.new_notebook(cells=[cell])).cells[0].source)
    x = 1
    # YOUR CODE HERE
    raise NotImplementedError()
    """
    exercise = copy.deepcopy(nb)
    exercise.metadata.pop("widgets", None)
    for index, cell in enumerate(exercise.cells):
        where = f"{name} cell {index}"
        if cell.cell_type in ("code", "markdown"):
            cell.source = strip_solutions(cell.source, cell.cell_type, where)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nbformat.validate(exercise)
    return exercise


_CHECK_CELL = re.compile(r"^\s*(check_\w+)\(\s*[A-Za-z_]\w*\s*\)\s*$")
TEST_POINTS = 1


def _checker_exercise(source: str) -> str | None:
    """The exercise id of a cell that is just a checker call, else None."""
    lines = [line for line in source.splitlines() if line.strip() and line.strip()[0] != "#"]
    match = _CHECK_CELL.match(lines[0]) if len(lines) == 1 else None
    entry = getattr(getattr(checks, match.group(1), None), "exercise", None) if match else None
    return entry.id if entry is not None else None


def mark_for_nbgrader(nb: nbformat.NotebookNode, name: str = "notebook") -> int:
    """Give `nb` the nbgrader metadata it needs; return how many cells changed.

    Checker cells become locked autograded test cells (``grade_id`` ``exNN_M_test``)
    worth the exercise's points (``@checker(..., points=N)``); solution cells without
    metadata become autograded answers (code) or manually graded answers of one point
    (markdown). Other cells are left alone.

    Examples
    --------
    >>> cell = nbformat.v4.new_code_cell("check_softmax_py(softmax_py)")
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> mark_for_nbgrader(nb), nb.cells[0].metadata.nbgrader["grade_id"]
    (1, 'ex01_1_test')
    >>> mark_for_nbgrader(nb)  # already marked: nothing changes
    0
    """
    changed = 0
    stem = name.rsplit("/", 1)[-1].split("_")[0]
    for index, cell in enumerate(nb.cells):
        wanted = None
        exercise = _checker_exercise(cell.source) if cell.cell_type == "code" else None
        if exercise:
            wanted = {
                "grade": True,
                "grade_id": "ex" + exercise.replace(".", "_") + "_test",
                "locked": True,
                "points": checks.EXERCISES[exercise].points,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
        elif any(_BEGIN.match(line) for line in cell.source.split("\n")):
            if "nbgrader" in cell.metadata:
                continue
            code = cell.cell_type == "code"
            wanted = {
                "grade": not code,
                "grade_id": f"ex{stem}_cell{index}",
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            }
            if not code:
                wanted["points"] = TEST_POINTS
        if wanted is not None and cell.metadata.get("nbgrader") != wanted:
            cell.metadata["nbgrader"] = wanted
            changed += 1
    return changed


def mark(solutions_dir: str | Path = "solutions") -> list[str]:
    """Mark every solution notebook for nbgrader in place; return the names that changed."""
    changed = []
    for source in sorted(Path(solutions_dir).glob("*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        if mark_for_nbgrader(nb, source.name):
            source.write_text(_text(nb), encoding="utf-8")
            changed.append(source.name)
    return changed


def _text(nb: nbformat.NotebookNode) -> str:
    """The notebook as nbformat.write would save it."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


@dataclass
class BuildReport:
    """What `build` did with each notebook (file names, relative to the output folder)."""

    out_dir: Path
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = []
        for label, names in (
            ("created", self.created),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
        ):
            if names:
                lines.append(f"{label}: {', '.join(names)}")
        if self.skipped:
            out = self.out_dir.as_posix()
            lines += [
                f"skipped (edited since they were generated; your work in them is kept): "
                f"{', '.join(self.skipped)}",
                "  To get a fresh copy under another name, build into another folder:",
                "    python -m tools.homework.build build --out exercises_fresh",
                f"  To replace the edited notebooks in {out}/ (the edits are lost):",
                "    python -m tools.homework.build build --force",
            ]
        return "\n".join(lines)


def build(
    solutions_dir: str | Path = "solutions",
    out_dir: str | Path = "exercises",
    *,
    force: bool = False,
) -> BuildReport:
    """Generate ``out_dir/NN_name.ipynb`` from every ``solutions_dir/NN_name.ipynb``.

    A notebook in `out_dir` is replaced only if it is still exactly what this function
    last generated (its hash is in ``out_dir/.generated.json``), or if `force`.
    Otherwise it is skipped and listed in ``report.skipped``.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> src, out = Path(tmp.name) / "solutions", Path(tmp.name) / "exercises"
    >>> src.mkdir()
    >>> cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 2\\n### END SOLUTION")
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), src / "01_demo.ipynb")
    >>> build(src, out).created
    ['01_demo.ipynb']
    >>> _ = (out / "01_demo.ipynb").write_text("{}")     # a learner edits it
    >>> build(src, out).skipped                          # so it is kept
    ['01_demo.ipynb']
    >>> tmp.cleanup()
    """
    solutions_dir, out_dir = Path(solutions_dir), Path(out_dir)
    sources = sorted(solutions_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no notebooks in {solutions_dir}/; is this the course folder?")
    out_dir.mkdir(parents=True, exist_ok=True)
    record_path = out_dir / RECORD_NAME
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    hashes: dict[str, str] = dict(record.get("files", {}))
    report = BuildReport(out_dir)
    for source in sources:
        name = source.name
        nb = nbformat.read(source, as_version=4)
        text = _text(make_exercise(nb, f"{solutions_dir.as_posix()}/{name}"))
        target = out_dir / name
        if not target.exists():
            report.created.append(name)
        else:
            current = target.read_bytes()
            if current == text.encode("utf-8"):
                report.unchanged.append(name)
                hashes[name] = _digest(text)
                continue
            if not force and hashes.get(name) != _digest(current):
                report.skipped.append(name)
                continue
            report.updated.append(name)
        target.write_text(text, encoding="utf-8")
        hashes[name] = _digest(text)
    new_record = {
        "about": "hashes of the exercise notebooks as generated from solutions/ by "
        "`python -m tools.homework.build build`; a notebook whose hash differs "
        "was edited and is never overwritten without --force",
        "files": dict(sorted(hashes.items())),
    }
    record_path.write_text(json.dumps(new_record, indent=1) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.homework.build",
        description="Generate the exercise notebooks from the solution notebooks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="solutions/ -> exercises/")
    b.add_argument("--solutions", default="solutions", help="folder of solution notebooks")
    b.add_argument("--out", default="exercises", help="folder to write the exercises into")
    b.add_argument(
        "--force", action="store_true", help="also replace exercise notebooks that were edited"
    )
    n = commands.add_parser(
        "nbgrader", help="mark solutions/ for nbgrader: checker cells become test cells"
    )
    n.add_argument("--solutions", default="solutions", help="folder of solution notebooks")
    args = parser.parse_args(argv)
    if args.command == "nbgrader":
        changed = mark(args.solutions)
        print(f"marked for nbgrader: {', '.join(changed)}" if changed else "already marked")
        return 0
    try:
        report = build(args.solutions, args.out, force=args.force)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 1 if report.skipped else 0


if __name__ == "__main__":
    sys.exit(main())
