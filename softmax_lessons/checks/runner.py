"""What every checker shares: running a diagnosis, the one line it prints, the registry.

A checker is a *diagnosis*: a function that calls the learner's function on inputs
chosen to expose the course's common mistakes, raises :class:`Mistake` naming the
symptom and the failing input (never the answer), and returns a short sentence when
every test passes. The :func:`checker` decorator registers it under its exercise id,
title and points (written once, there) and turns it into the function the exercise
notebook calls, which prints one line:

- ``✓ Exercise 01.1 passed: ...`` when every test passes;
- ``✗ Exercise 01.1: ...`` naming the symptom;
- ``Exercise 01.1: not attempted yet ...`` while the function still raises
  ``NotImplementedError``, so an untouched notebook runs to the end.

Two levels of feedback
----------------------
A :class:`Mistake` carries the symptom (``str(mistake)``) and, separately, a hint
at the fix (``mistake.hint``). While practising, the printed line adds the hint
after a semicolon. In a graded run it does not: the line names the symptom and
the failing input only, and the hint is dropped from the result and the log.

The mode is read on every check, so it can change within a session:

- ``softmax_lessons.checks.runner.FEEDBACK``, the module-level switch: ``"practice"``
  or ``"graded"`` (``softmax_lessons.checks.set_feedback`` sets it); when it is
  ``None`` (the default) the environment decides;
- the environment variable ``SOFTMAX_LESSONS_FEEDBACK=graded`` selects graded
  feedback; anything else, or nothing, means practice.

A checker also appends its result as one JSON line to the file named by the
environment variable ``SOFTMAX_LESSONS_CHECK_LOG`` when it is set. Under nbgrader
(which sets ``NBGRADER_EXECUTION`` while it autogrades or validates) a checker
whose exercise does not pass raises AssertionError after printing its line, so
the checker cell, an nbgrader test cell, earns no points.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

LOG_ENV_VAR = "SOFTMAX_LESSONS_CHECK_LOG"
FEEDBACK_ENV_VAR = "SOFTMAX_LESSONS_FEEDBACK"
FEEDBACK_MODES = ("practice", "graded")

#: The module-level switch: "practice", "graded", or None to follow FEEDBACK_ENV_VAR.
FEEDBACK: str | None = None


NOT_ATTEMPTED = (
    "not attempted yet (replace `raise NotImplementedError()` with your code, "
    "then run this cell again)"
)


def feedback_mode() -> str:
    """The feedback level in force: "graded" or "practice".

    The module-level switch :data:`FEEDBACK` wins when it is set; otherwise the
    environment variable ``SOFTMAX_LESSONS_FEEDBACK`` decides ("graded" selects
    graded feedback, anything else practice).

    Examples
    --------
    >>> set_feedback("graded")
    >>> feedback_mode()
    'graded'
    >>> set_feedback(None)    # back to the environment (practice unless it says graded)
    """
    if FEEDBACK is not None:
        return _checked_mode(FEEDBACK)
    from_env = os.environ.get(FEEDBACK_ENV_VAR, "").strip().lower()
    return "graded" if from_env == "graded" else "practice"


def set_feedback(mode: str | None) -> None:
    """Set the module-level switch: "practice", "graded", or None to follow the environment.

    Raises
    ------
    ValueError
        If `mode` is anything else.
    """
    global FEEDBACK
    FEEDBACK = None if mode is None else _checked_mode(mode)


def _checked_mode(mode: str) -> str:
    if mode not in FEEDBACK_MODES:
        raise ValueError(f"feedback must be one of {FEEDBACK_MODES} or None, got {mode!r}")
    return mode


@dataclass(frozen=True)
class CheckResult:
    """What a checker found.

    ``status`` is "passed", "failed", "error" or "not attempted"; ``message`` names
    what was found (the symptom, for a failure); ``hint`` says how to fix it, and is
    None in a graded run.
    """

    exercise: str
    status: str
    message: str
    hint: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def _ipython_display_(self) -> None:
        """Show nothing in Jupyter: the checker has already printed its line."""

    def line(self) -> str:
        """The one line a checker prints (with the hint, when the result carries one)."""
        if self.status == "passed":
            return f"✓ Exercise {self.exercise} passed: {self.message}"
        if self.status == "not attempted":
            return f"Exercise {self.exercise}: {self.message}"
        hint = f"; {self.hint}" if self.hint else ""
        return f"✗ Exercise {self.exercise}: {self.message}{hint}"


class Mistake(Exception):
    """Raised inside a diagnosis: the symptom to show the learner, and a hint at the fix.

    ``str(mistake)`` is the symptom and the failing input only; ``mistake.hint`` is
    the fix, shown while practising and never in a graded run.

    Examples
    --------
    >>> m = Mistake("NaN on (1000, 1001, 999)", hint="subtract the maximum first")
    >>> str(m), m.hint
    ('NaN on (1000, 1001, 999)', 'subtract the maximum first')
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Exercise:
    """One checked exercise: its id (lesson.number), title, diagnosis and points."""

    id: str
    title: str
    diagnose: Callable[[Callable], str]
    points: int = 1


#: Every exercise that has a checker, by id (a lesson's exercises in the order its module
#: defines them).
#: Written exercises share the numbering but have no checker.
EXERCISES: dict[str, Exercise] = {}


def checker(
    exercise: str, title: str, points: int = 1
) -> Callable[[Callable[[Callable], str]], Callable]:
    """Register a diagnosis as exercise `exercise` and return the checker that runs it.

    `points` is the exercise's weight; it must agree with the ``course.points``
    metadata of the exercise's answer cell in its solution notebook (a test checks).
    The checker keeps the diagnosis's name and docstring, and the diagnosis itself
    stays reachable as ``check.exercise.diagnose``.
    """
    if exercise in EXERCISES:
        raise ValueError(f"exercise {exercise} already has a checker")
    if not (isinstance(points, int) and points >= 1):
        raise ValueError(f"points must be a whole number >= 1, got {points!r}")

    def register(diagnose: Callable[[Callable], str]) -> Callable:
        entry = Exercise(exercise, title, diagnose, points)
        EXERCISES[exercise] = entry

        @functools.wraps(diagnose)
        def check(fn: Callable) -> CheckResult:
            return run_check(exercise, diagnose, fn)

        check.exercise = entry
        return check

    return register


# ---------------------------------------------------------------------------
# Running a diagnosis: the part every checker shares
# ---------------------------------------------------------------------------


def diagnose_quietly(
    exercise: str, diagnose: Callable[[Callable], str], fn: Callable
) -> CheckResult:
    """Run ``diagnose(fn)`` and turn what happens into a result, printing nothing.

    The result keeps the hint whatever the feedback mode; :func:`run_check` drops
    it in a graded run. Warnings raised by the learner's code (overflow in exp,
    log of 0) are silenced: the diagnosis reports their symptom in words instead.
    """
    if not callable(fn):
        return CheckResult(
            exercise, "failed", f"expected a function, got {type(fn).__name__}",
            hint="pass the function's name, without calling it",
        )
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return CheckResult(exercise, "passed", diagnose(fn))
    except NotImplementedError:
        return CheckResult(exercise, "not attempted", NOT_ATTEMPTED)
    except Mistake as mistake:
        return CheckResult(exercise, "failed", str(mistake), mistake.hint)
    except Exception as exc:  # the learner's code raised: report it, do not crash
        return CheckResult(
            exercise,
            "error",
            f"your function raised {type(exc).__name__}: {exc}".rstrip(": "),
            hint="run it on a small input to see where",
        )


#: Set by nbgrader while it autogrades or validates a notebook ("autograde", "validate").
NBGRADER_ENV_VAR = "NBGRADER_EXECUTION"


def run_check(exercise: str, diagnose: Callable[[Callable], str], fn: Callable) -> CheckResult:
    """Run ``diagnose(fn)``, print one line, log it for the grader, return the result.

    In graded feedback mode the hint is dropped before anything is printed or logged.
    Under nbgrader (autograde or validate), a result other than "passed" also raises
    AssertionError with that line, so the checker cell, an nbgrader test cell, scores 0;
    in a learner's own run nothing is raised and the notebook goes on to the end.
    """
    found = diagnose_quietly(exercise, diagnose, fn)
    hint = found.hint if feedback_mode() == "practice" else None
    result = CheckResult(exercise, found.status, found.message, hint)
    print(result.line())
    _log(result)
    if os.environ.get(NBGRADER_ENV_VAR) and not result.passed:
        raise AssertionError(result.line())
    return result


def _log(result: CheckResult) -> None:
    path = os.environ.get(LOG_ENV_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(result)) + "\n")


def call_on_copies(fn: Callable, *args):
    """Call the learner's function on copies, so an in-place change cannot spoil a test."""
    return fn(*copy.deepcopy(args))


def result_array(result, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """The learner's result as a float array of the expected shape, or a Mistake."""
    if result is None:
        raise Mistake(
            f"your function returned None where the {what} were expected",
            hint="did you forget `return`?",
        )
    try:
        arr = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(
            f"expected the {what} as numbers, got {type(result).__name__}"
        ) from None
    if shape is not None and arr.shape != shape:
        raise Mistake(f"expected the {what} with shape {shape}, got shape {arr.shape}")
    return arr


def expect_close(
    fn: Callable, args: tuple, want: np.ndarray, on: str, what: str = "probabilities",
    **tolerance: float,
) -> np.ndarray:
    """Call ``fn(*args)`` on copies and return its result, which must be close to `want`.

    The result must be an array of `want`'s shape (else the Mistake of `result_array`,
    naming `what`); one that is off is the Mistake of `off_by`, naming the input `on`.
    `tolerance` (``rtol``, ``atol``) goes to `close`.

    Examples
    --------
    >>> expect_close(lambda x: x / x.sum(), (np.array([1.0, 3.0]),), np.array([0.25, 0.75]),
    ...              "(1, 3)")
    array([0.25, 0.75])
    >>> expect_close(lambda x: x, (np.array([1.0, 3.0]),), np.array([0.25, 0.75]), "(1, 3)")
    Traceback (most recent call last):
    ...
    softmax_lessons.checks.runner.Mistake: on (1, 3) your result is off by up to 2.25
    """
    got = result_array(call_on_copies(fn, *args), what, np.shape(want))
    if not close(got, want, **tolerance):
        raise off_by(got, want, on)
    return got


def result_pair(result, what: str) -> tuple:
    """The two parts of a result that must be a pair (a tuple or a list of length 2)."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        got = type(result).__name__
        if isinstance(result, (tuple, list)):
            got += f" of length {len(result)}"
        raise Mistake(f"expected a pair {what}, got a {got}")
    return result[0], result[1]


def fmt_logits(values) -> str:
    """Logits for a message: (1000, 1001, 999)."""
    return "(" + ", ".join(f"{float(v):g}" for v in np.ravel(values)) + ")"


def close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def not_finite(arr: np.ndarray) -> str | None:
    """'NaN' or 'inf' if `arr` holds one, else None."""
    if np.isnan(arr).any():
        return "NaN"
    if np.isinf(arr).any():
        return "inf"
    return None


def off_by(got: np.ndarray, want: np.ndarray, on: str) -> Mistake:
    """A generic 'wrong values' mistake that says how far off, not what the answer is."""
    err = float(np.max(np.abs(got - want)))
    return Mistake(
        f"on {on} your result is off by up to {err:.3g}",
        hint="compare each step with the lesson's formula",
    )


def rows_sum_to_one(p: np.ndarray, axis_name: str, on: str) -> None:
    """Raise the wrong-axis or not-normalised mistake for a batch of distributions."""
    rows = p.sum(axis=-1)
    if np.allclose(rows, 1):
        return
    if p.ndim == 2 and np.allclose(p.sum(axis=0), 1):
        raise Mistake(
            f"on {on} each column sums to 1 but the rows do not: softmax over the wrong axis",
            hint=f"normalise each {axis_name} along the last axis (axis=-1), not along axis 0",
        )
    if np.isclose(p.sum(), 1):
        raise Mistake(
            f"on {on} the whole array sums to 1, not each {axis_name}",
            hint="sum along axis=-1 with keepdims=True instead of over everything",
        )
    raise Mistake(
        f"on {on} each {axis_name} should sum to 1, but the sums are {np.round(rows, 3).tolist()}"
    )


#: Small logits every lesson's checker starts with.
SMALL_LOGITS = [2.0, 1.0, 0.0]


def no_max_shift(x, what: str) -> Mistake:
    """The mistake of exponentiating without subtracting the maximum first."""
    return Mistake(
        f"fine on small logits, but {what} on {fmt_logits(x)}",
        hint="exp overflows or underflows without a shift; subtract the maximum before "
        "exponentiating",
    )
