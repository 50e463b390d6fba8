"""Checkers for the exercises: they run your function and say what is wrong.

Taught in the exercise notebooks of lessons 01-06 (``exercises/``). Each code
exercise ends with a call such as ``check_softmax_py(softmax_py)``. The checker
calls your function on inputs chosen to expose the course's common mistakes and
recognises each one by its symptom: no max shift (fine on small logits, NaN on
large ones), temperature multiplied instead of divided, top-k without
renormalising, softmax over the wrong axis, masking with 0 instead of -inf, log
of softmax instead of log-softmax, and a few more.

Every checker prints one line and never prints a solution:

- ``✓ Exercise 01.1 passed: ...`` when every test passes;
- ``✗ Exercise 01.1: ...`` naming the symptom and the fix;
- ``Exercise 01.1: not attempted yet ...`` while the function still raises
  ``NotImplementedError``, so an untouched notebook runs to the end.

For grading, a checker also appends its result as one JSON line to the file
named by the environment variable ``SOFTMAX_LESSONS_CHECK_LOG`` when it is set
(:mod:`softmax_lessons.grading` sets it for each submission). The checkers trust
the kernel they run in: they are for feedback and honest grading, not a sandbox.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np

from .core import log_softmax, softmax
from .reference import softmax_exact, ulp_error

__all__ = [
    "EXERCISES",
    "LOG_ENV_VAR",
    "CheckResult",
    "check_attention",
    "check_causal_mask",
    "check_cross_entropy",
    "check_cross_entropy_grad",
    "check_log_softmax",
    "check_masked_softmax",
    "check_merge_states",
    "check_online_softmax",
    "check_softmax_jacobian",
    "check_softmax_py",
    "check_softmax_rows",
    "check_softmax_temperature",
    "check_softmax_two_sum",
    "check_stable_softmax",
    "check_top_k",
    "check_top_p",
    "check_two_sum",
]

LOG_ENV_VAR = "SOFTMAX_LESSONS_CHECK_LOG"

#: Every exercise that has a checker: id (lesson.number, as numbered in the
#: notebook) -> title. Pen-and-paper exercises share the numbering but have no checker.
EXERCISES: dict[str, str] = {
    "01.1": "softmax in pure Python",
    "01.3": "softmax of a batch, row by row",
    "02.1": "a stable softmax",
    "02.3": "log-softmax without log(0)",
    "02.4": "TwoSum, an error-free addition",
    "02.5": "softmax that wins back the last digits",
    "03.1": "softmax with a temperature",
    "03.3": "top-k filtering",
    "03.4": "top-p (nucleus) filtering",
    "04.1": "a causal mask",
    "04.2": "masked softmax",
    "04.3": "scaled dot-product attention",
    "05.1": "cross-entropy from logits",
    "05.3": "the gradient of cross-entropy",
    "05.4": "the softmax Jacobian",
    "06.1": "online softmax",
    "06.2": "merging blockwise softmax states",
}

NOT_ATTEMPTED = (
    "not attempted yet (replace `raise NotImplementedError()` with your code, "
    "then run this cell again)"
)


@dataclass(frozen=True)
class CheckResult:
    """What a checker found: ``status`` is "passed", "failed", "error" or "not attempted"."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def _ipython_display_(self) -> None:
        """Show nothing in Jupyter: the checker has already printed its line."""

    def line(self) -> str:
        """The one line a checker prints."""
        if self.status == "passed":
            return f"✓ Exercise {self.exercise} passed: {self.message}"
        if self.status == "not attempted":
            return f"Exercise {self.exercise}: {self.message}"
        return f"✗ Exercise {self.exercise}: {self.message}"


class Mistake(Exception):
    """Raised inside a diagnosis with the message to show the learner."""


# ---------------------------------------------------------------------------
# Running a diagnosis: the part every checker shares
# ---------------------------------------------------------------------------


def _run(exercise: str, diagnose: Callable[[Callable], str], fn: Callable) -> CheckResult:
    """Run ``diagnose(fn)``, print one line, log it for the grader, return the result.

    Warnings raised by the learner's code (overflow in exp, log of 0) are silenced:
    the checker reports their symptom in words instead.
    """
    if not callable(fn):
        result = CheckResult(
            exercise, "failed", f"expected a function, got {type(fn).__name__}; pass its name"
        )
    else:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = CheckResult(exercise, "passed", diagnose(fn))
        except NotImplementedError:
            result = CheckResult(exercise, "not attempted", NOT_ATTEMPTED)
        except Mistake as mistake:
            result = CheckResult(exercise, "failed", str(mistake))
        except Exception as exc:  # the learner's code raised: report it, do not crash
            result = CheckResult(
                exercise,
                "error",
                f"your function raised {type(exc).__name__}: {exc}".rstrip(": ")
                + "; run it on a small input to see where",
            )
    print(result.line())
    _log(result)
    return result


def _log(result: CheckResult) -> None:
    path = os.environ.get(LOG_ENV_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(result)) + "\n")


def _call(fn: Callable, *args):
    """Call the learner's function on copies, so an in-place change cannot spoil a test."""
    return fn(*copy.deepcopy(args))


def _array(result, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """The learner's result as a float array of the expected shape, or a Mistake."""
    if result is None:
        raise Mistake(f"your function returned None: did you forget `return` for the {what}?")
    try:
        arr = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(
            f"expected the {what} as numbers, got {type(result).__name__}"
        ) from None
    if shape is not None and arr.shape != shape:
        raise Mistake(f"expected the {what} with shape {shape}, got shape {arr.shape}")
    return arr


def _fmt(values) -> str:
    """Logits for a message: (1000, 1001, 999)."""
    return "(" + ", ".join(f"{float(v):g}" for v in np.ravel(values)) + ")"


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _not_finite(arr: np.ndarray) -> str | None:
    """'NaN' or 'inf' if `arr` holds one, else None."""
    if np.isnan(arr).any():
        return "NaN"
    if np.isinf(arr).any():
        return "inf"
    return None


def _off_by(got: np.ndarray, want: np.ndarray, on: str) -> Mistake:
    """A generic 'wrong values' mistake that says how far off, not what the answer is."""
    err = float(np.max(np.abs(got - want)))
    return Mistake(
        f"on {on} your result is off by up to {err:.3g}; compare with the lesson's formula"
    )


def _rows_sum_to_one(p: np.ndarray, axis_name: str, on: str) -> None:
    """Raise the wrong-axis or not-normalised mistake for a batch of distributions."""
    rows = p.sum(axis=-1)
    if np.allclose(rows, 1):
        return
    if p.ndim == 2 and np.allclose(p.sum(axis=0), 1):
        raise Mistake(
            f"on {on} each column sums to 1 but the rows do not: softmax over the wrong axis; "
            f"normalise each {axis_name} along the last axis (axis=-1), not along axis 0"
        )
    if np.isclose(p.sum(), 1):
        raise Mistake(
            f"on {on} the whole array sums to 1, not each {axis_name}: sum along axis=-1 "
            "with keepdims=True instead of over everything"
        )
    raise Mistake(
        f"on {on} each {axis_name} should sum to 1, but the sums are {np.round(rows, 3).tolist()}"
    )


# ---------------------------------------------------------------------------
# 01 Definition
# ---------------------------------------------------------------------------

_SMALL = [2.0, 1.0, 0.0]


def _diagnose_softmax_py(fn):
    cases = [[2.0, 1.0, 0.0], [0.5, -1.0, 3.0, 0.0], [7.0], [-3.0, -3.0]]
    for x in cases:
        given = list(x)
        result = fn(given)
        if result is None:
            raise Mistake("your function returned None: did you forget `return`?")
        if given != x:
            raise Mistake("your function changed the list it was given; build a new list instead")
        if isinstance(result, np.ndarray):
            raise Mistake(
                "you returned a NumPy array; this exercise is plain Python: return a list"
            )
        if not isinstance(result, (list, tuple)):
            raise Mistake(f"expected a list of floats, got {type(result).__name__}")
        got = _array(result, "probabilities", (len(x),))
        xs = np.array(x)
        if _not_finite(got):
            raise Mistake(f"{_not_finite(got)} on the small logits {_fmt(x)}")
        naive = xs / xs.sum() if xs.sum() != 0 else xs
        if len(x) > 1 and _close(got, naive) and not _close(naive, softmax(xs)):
            raise Mistake(
                f"on {_fmt(x)} you divided the logits by their sum: exponentiate each logit "
                "first (negative logits would give negative 'probabilities')"
            )
        if _close(got, np.exp(xs)) and not np.isclose(np.exp(xs).sum(), 1):
            raise Mistake(
                f"on {_fmt(x)} you returned the exponentials themselves: divide each one "
                "by the sum of all of them"
            )
        if (got < 0).any():
            raise Mistake(f"on {_fmt(x)} you returned a negative probability")
        if not math.isclose(sum(got), 1.0, rel_tol=1e-9):
            raise Mistake(f"on {_fmt(x)} your probabilities sum to {sum(got):.4g}, not 1")
        if not _close(got, softmax(xs)):
            raise _off_by(got, softmax(xs), _fmt(x))
    return "your list matches softmax on four inputs, including one logit and a tie."


def check_softmax_py(fn: Callable) -> CheckResult:
    """Exercise 01.1: softmax of a list of floats, in pure Python.

    Taught in 01. `fn` takes a list of logits and returns a new list of probabilities.

    Examples
    --------
    >>> check_softmax_py(lambda x: [v / sum(x) for v in x]).passed
    ✗ Exercise 01.1: on (2, 1, 0) you divided the logits by their sum: exponentiate each \
logit first (negative logits would give negative 'probabilities')
    False
    """
    return _run("01.1", _diagnose_softmax_py, fn)


def _diagnose_softmax_rows(fn):
    x = np.array([[2.0, 1.0, 0.0, -1.0], [0.5, 0.5, 3.0, 1.0], [-2.0, 0.0, 1.5, 0.2]])
    on = "a batch of shape (3, 4)"
    try:
        result = _call(fn, x)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise Mistake(
                f"on {on} NumPy could not broadcast the division ({exc}); "
                "keep the summed axis with keepdims=True"
            ) from None
        raise
    got = _array(result, "probabilities", x.shape)
    if _not_finite(got):
        raise Mistake(f"{_not_finite(got)} on {on} of small logits")
    _rows_sum_to_one(got, "row", on)
    if not _close(got, softmax(x)):
        raise _off_by(got, softmax(x), on)
    square = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 4.0], [3.0, -1.0, 1.0]])
    got = _array(_call(fn, square), "probabilities", square.shape)
    _rows_sum_to_one(got, "row", "a square batch (3, 3)")
    if not _close(got, softmax(square)):
        raise _off_by(got, softmax(square), "a square batch (3, 3)")
    return "every row sums to 1 and matches softmax, on square and non-square batches."


def check_softmax_rows(fn: Callable) -> CheckResult:
    """Exercise 01.3: softmax of each row of a batch, with NumPy.

    Taught in 01. `fn` takes an array of shape (batch, n_classes) and returns the
    probabilities, same shape, each row summing to 1.

    Examples
    --------
    >>> check_softmax_rows(lambda x: np.exp(x) / np.exp(x).sum(axis=0)).passed
    ✗ Exercise 01.3: on a batch of shape (3, 4) each column sums to 1 but the rows do not: \
softmax over the wrong axis; normalise each row along the last axis (axis=-1), not along axis 0
    False
    """
    return _run("01.3", _diagnose_softmax_rows, fn)


# ---------------------------------------------------------------------------
# 02 Numerical stability
# ---------------------------------------------------------------------------


def _no_max_shift(x, what: str) -> Mistake:
    return Mistake(
        f"fine on small logits, but {what} on {_fmt(x)}: exp overflows or underflows "
        "without a shift; subtract the maximum before exponentiating"
    )


def _diagnose_stable_softmax(fn):
    small = np.array(_SMALL)
    got = _array(_call(fn, small), "probabilities", small.shape)
    if not _close(got, softmax(small)):
        raise _off_by(got, softmax(small), _fmt(small))
    for x in ([1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0], [0.0, 2000.0, 1.0]):
        x = np.array(x)
        got = _array(_call(fn, x), "probabilities", x.shape)
        if _not_finite(got):
            raise _no_max_shift(x, _not_finite(got))
        if not _close(got, softmax(x)):
            raise _off_by(got, softmax(x), _fmt(x))
    batch = np.array([[1.0, 2.0, 3.0], [1001.0, 1002.0, 1003.0]])
    got = _array(_call(fn, batch), "probabilities", batch.shape)
    if _not_finite(got) is not None:
        raise Mistake(
            f"{_not_finite(got)} on a batch whose rows have very different scales "
            "(1, 2, 3) and (1001, 1002, 1003): take the maximum of each row "
            "(axis=-1, keepdims=True), not of the whole batch"
        )
    _rows_sum_to_one(got, "row", "a batch of two rows")
    if not _close(got, softmax(batch)):
        raise _off_by(got, softmax(batch), "a batch of two rows")
    return "right on small logits, on (1000, 1001, 999), on (-1000, -1001, -999) and per row."


def check_stable_softmax(fn: Callable) -> CheckResult:
    """Exercise 02.1: softmax that never overflows, along the last axis.

    Taught in 02. `fn` takes an array (1-D or a batch of rows) and returns probabilities.

    Examples
    --------
    >>> check_stable_softmax(lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)).status
    ✗ Exercise 02.1: fine on small logits, but NaN on (1000, 1001, 999): exp overflows or \
underflows without a shift; subtract the maximum before exponentiating
    'failed'
    """
    return _run("02.1", _diagnose_stable_softmax, fn)


def _diagnose_log_softmax(fn):
    small = np.array(_SMALL)
    got = _array(_call(fn, small), "log-probabilities", small.shape)
    if not _close(got, log_softmax(small)):
        raise _off_by(got, log_softmax(small), _fmt(small))
    far = np.array([0.0, -800.0])
    got = _array(_call(fn, far), "log-probabilities", far.shape)
    if np.isneginf(got).any():
        raise Mistake(
            f"-inf on {_fmt(far)}, where the log-probabilities are finite (about 0 and -800): "
            "that is log of softmax, and a probability that underflows to 0 has log -inf; "
            "compute x - logsumexp(x) instead"
        )
    large = np.array([1000.0, 1001.0, 999.0])
    got_large = _array(_call(fn, large), "log-probabilities", large.shape)
    if _not_finite(got) or _not_finite(got_large):
        bad = far if _not_finite(got) else large
        raise _no_max_shift(bad, _not_finite(got) or _not_finite(got_large))
    for x, g in ((far, got), (large, got_large)):
        if not _close(g, log_softmax(x)):
            raise _off_by(g, log_softmax(x), _fmt(x))
    batch = np.array([[0.0, 1.0, 2.0], [5.0, -3.0, 0.5]])
    got = _array(_call(fn, batch), "log-probabilities", batch.shape)
    _rows_sum_to_one(np.exp(got), "row (after exp)", "a batch of two rows")
    if not _close(got, log_softmax(batch)):
        raise _off_by(got, log_softmax(batch), "a batch of two rows")
    spread = np.array([[0.0, 1.0, 2.0], [1000.0, 1001.0, 999.0]])
    got = _array(_call(fn, spread), "log-probabilities", spread.shape)
    if _not_finite(got) is not None:
        raise Mistake(
            f"{_not_finite(got)} on a batch whose rows have very different scales "
            "(0, 1, 2) and (1000, 1001, 999): take the maximum of each row "
            "(axis=-1, keepdims=True), not of the whole batch"
        )
    if not _close(got, log_softmax(spread)):
        raise _off_by(got, log_softmax(spread), "a batch of rows on different scales")
    return "finite and right on (0, -800) and (1000, 1001, 999), and per row on any scale."


def check_log_softmax(fn: Callable) -> CheckResult:
    """Exercise 02.3: log-softmax along the last axis, without ever taking log(0).

    Taught in 02.

    Examples
    --------
    >>> from softmax_lessons import log_softmax
    >>> check_log_softmax(log_softmax).passed    # doctest: +ELLIPSIS
    ✓ Exercise 02.3 passed: ...
    True
    """
    return _run("02.3", _diagnose_log_softmax, fn)


_TWO_SUM_PAIRS = [
    (0.1, 0.2),
    (1.0, 1e-17),
    (1e16, 1.0),
    (-350.123456789, -0.3),
    (3.0, -2.9999999999999996),
    (1.0, 1e16),  # |a| < |b|: Fast2Sum is wrong here, TwoSum is not
    (-0.7, 300.1),
]


def _diagnose_two_sum(fn):
    rng = np.random.default_rng(2)
    pairs = list(_TWO_SUM_PAIRS)
    scaled = rng.normal(0, 1, (20, 2)) * 10.0 ** rng.integers(-8, 9, (20, 2))
    pairs += [(float(a), float(b)) for a, b in scaled]
    wrong = []
    for a, b in pairs:
        result = fn(a, b)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise Mistake(f"expected a pair (s, e), got {result!r:.40}")
        s, e = (float(v) for v in result)
        if s != a + b:
            raise Mistake(f"on ({a!r}, {b!r}) your s is not the rounded sum a + b")
        if Fraction(s) + Fraction(e) != Fraction(a) + Fraction(b):
            wrong.append((a, b, e))
    if wrong and all(abs(b) > abs(a) for a, b, _ in wrong):
        a, b, _ = wrong[0]
        raise Mistake(
            f"right when |a| >= |b| but wrong on ({a!r}, {b!r}): that shortcut (Fast2Sum) "
            "needs |a| >= |b|; TwoSum must work for either order"
        )
    for a, b, e in wrong:
        s = a + b
        if e == 0:
            raise Mistake(
                f"your error term is 0 on ({a!r}, {b!r}), but a + b rounds there: e must "
                "hold exactly what the rounding lost"
            )
        if Fraction(s) - Fraction(e) == Fraction(a) + Fraction(b):
            raise Mistake(
                f"on ({a!r}, {b!r}) your error term has the wrong sign: s + e must equal a + b"
            )
        raise Mistake(f"on ({a!r}, {b!r}) s + e is not exactly a + b")
    return f"s + e equals a + b exactly on {len(pairs)} pairs, in either order."


def check_two_sum(fn: Callable) -> CheckResult:
    """Exercise 02.4: TwoSum, ``s = fl(a + b)`` and ``e`` with ``s + e == a + b`` exactly.

    Taught in 02. `fn(a, b)` takes two floats and returns the pair ``(s, e)``.

    Examples
    --------
    >>> check_two_sum(lambda a, b: (a + b, 0.0)).passed
    ✗ Exercise 02.4: your error term is 0 on (0.1, 0.2), but a + b rounds there: \
e must hold exactly what the rounding lost
    False
    """
    return _run("02.4", _diagnose_two_sum, fn)


#: Logits that differ by hundreds: shifting by the maximum loses digits here.
_SPREAD = [
    np.array([0.3, -200.7, -350.123456789, -0.1, -500.9]),
    np.array([12.345678901, -123.456789012, -456.789012345, 11.1, -600.25]),
    np.array([-0.5, -99.99, -333.333333333, -700.7]),
    np.array([1000.3, 800.1, 650.123456789, 999.9]),  # exp overflows without a shift
]


def _plain_shifted(x: np.ndarray) -> np.ndarray:
    """Softmax shifted by the maximum and nothing more: the baseline to beat."""
    e = np.exp(x - x.max())
    return e / e.sum()


def _worst_ulp(fn) -> tuple[float, float]:
    """Worst ulp error of `fn` and of the plain shifted softmax over the spread logits."""
    worst, plain = 0.0, 0.0
    for x in _SPREAD:
        got = _array(_call(fn, x), "probabilities", x.shape)
        if _not_finite(got):
            raise _no_max_shift(x, _not_finite(got))
        exact = softmax_exact(x)
        worst = max(worst, float(np.max(ulp_error(got, exact))))
        plain = max(plain, float(np.max(ulp_error(_plain_shifted(x), exact))))
    return worst, plain


def _diagnose_softmax_two_sum(fn):
    small = np.array(_SMALL)
    got = _array(_call(fn, small), "probabilities", small.shape)
    if not _close(got, softmax(small)):
        raise _off_by(got, softmax(small), _fmt(small))
    worst, plain = _worst_ulp(fn)
    if worst <= 4:
        return "within 4 ulp of the exact softmax on logits that differ by hundreds."
    if worst > 1.5 * plain:
        raise Mistake(
            f"your correction makes the result worse ({worst:.0f} ulp against {plain:.0f} for "
            "the plain shifted softmax): check its sign; the exact difference is d_hi + d_lo"
        )
    if worst >= plain / 4:
        raise Mistake(
            f"no more accurate than the plain shifted softmax ({worst:.0f} ulp against "
            f"{plain:.0f}): split x - m with TwoSum and multiply each exp(d_hi) by (1 + d_lo)"
        )
    raise Mistake(
        f"better than plain shifting, but still off by {worst:.0f} ulp (aim for at most 4)"
    )


def check_softmax_two_sum(fn: Callable) -> CheckResult:
    """Exercise 02.5: softmax of a 1-D array, accurate to a few ulp thanks to TwoSum.

    Taught in 02. Measured against the exact reference on logits that differ by hundreds.

    Examples
    --------
    >>> def shifted_only(x):
    ...     e = np.exp(x - x.max())
    ...     return e / e.sum()
    >>> check_softmax_two_sum(shifted_only).status    # doctest: +ELLIPSIS
    ✗ Exercise 02.5: no more accurate than the plain shifted softmax ...
    'failed'
    """
    return _run("02.5", _diagnose_softmax_two_sum, fn)


# ---------------------------------------------------------------------------
# 03 Temperature and sampling
# ---------------------------------------------------------------------------


def _diagnose_softmax_temperature(fn):
    x = np.array(_SMALL)
    got = _array(_call(fn, x, 1.0), "probabilities", x.shape)
    if not _close(got, softmax(x)):
        raise _off_by(got, softmax(x), f"{_fmt(x)} at T = 1")
    hot = _array(_call(fn, x, 2.0), "probabilities", x.shape)
    cold = _array(_call(fn, x, 0.5), "probabilities", x.shape)
    for t, g in ((2.0, hot), (0.5, cold)):
        if not np.isfinite(g).all() or not np.isclose(g.sum(), 1):
            raise Mistake(
                f"at T = {t:g} your probabilities sum to {g.sum():.3g}, not 1: a temperature "
                "must give a distribution again; divide the logits by T before the softmax "
                "(a power of the probabilities needs renormalising)"
            )
    if hot.max() > got.max() + 1e-12:
        raise Mistake(
            f"at T = 2 your distribution is sharper than at T = 1 (top probability "
            f"{hot.max():.3f} against {got.max():.3f}): you multiplied the logits by the "
            "temperature; divide them by it"
        )
    if cold.max() < got.max() - 1e-12:
        raise Mistake(
            "at T = 0.5 your distribution is flatter than at T = 1: a temperature below 1 "
            "must sharpen; divide the logits by the temperature"
        )
    for t, g in ((2.0, hot), (0.5, cold)):
        if not _close(g, softmax(x, temperature=t)):
            raise _off_by(g, softmax(x, temperature=t), f"{_fmt(x)} at T = {t:g}")
    big = np.array([10.0, 9.0, 0.0])
    got = _array(_call(fn, big, 0.01), "probabilities", big.shape)
    if _not_finite(got):
        raise Mistake(
            f"{_not_finite(got)} on {_fmt(big)} at T = 0.01: x / T reaches 1000 and exp "
            "overflows; subtract the maximum of x / T before exponentiating"
        )
    if not _close(got, softmax(big, temperature=0.01)):
        raise _off_by(got, softmax(big, temperature=0.01), f"{_fmt(big)} at T = 0.01")
    return "T = 1 unchanged, T = 2 flatter, T = 0.5 sharper, and no overflow at T = 0.01."


def check_softmax_temperature(fn: Callable) -> CheckResult:
    """Exercise 03.1: ``softmax(x / T)``, called as ``fn(x, temperature)``.

    Taught in 03.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_softmax_temperature(lambda x, t: softmax(x * t)).passed
    ✗ Exercise 03.1: at T = 2 your distribution is sharper than at T = 1 (top probability \
0.867 against 0.665): you multiplied the logits by the temperature; divide them by it
    False
    """
    return _run("03.1", _diagnose_softmax_temperature, fn)


_VOCAB_P = np.array([0.05, 0.4, 0.1, 0.3, 0.15])


def _check_most_likely_kept(p, kept: set[int], setting: str) -> None:
    """Raise if a dropped token is more likely than a kept one (the filter forgot to sort)."""
    least_kept = min(p[list(kept)], default=1.0)
    dropped_better = [i for i in set(range(p.size)) - kept if p[i] > least_kept]
    if kept and dropped_better:
        raise Mistake(
            f"with {setting} you kept token(s) {sorted(kept)} but dropped the more likely "
            f"token {max(dropped_better, key=lambda i: p[i])}: keep the most likely tokens"
        )


def _check_filtered(p, got, kept_wanted: set[int], name: str, setting: str) -> None:
    """Shared symptoms of top-k and top-p: in-place change, kept set, renormalising."""
    kept = {int(i) for i in np.flatnonzero(got > 0)}
    if kept != kept_wanted:
        _check_most_likely_kept(p, kept, setting)
        raise Mistake(
            f"with {setting} you kept {len(kept)} token(s) {sorted(kept)}; {name} keeps "
            f"{len(kept_wanted)} here"
        )
    if not np.isclose(got.sum(), 1):
        raise Mistake(
            f"with {setting} your probabilities sum to {got.sum():.3g}, not 1: after zeroing "
            "the other tokens, renormalise the kept ones (divide by their sum)"
        )
    want = np.where(got > 0, p, 0) / p[sorted(kept)].sum()
    if not _close(got, want):
        raise _off_by(got, want, f"{setting}")


#: Probabilities with ties (exact in binary): tokens 1 and 3 share the top, 0, 2 and 4 the rest.
_TIED_P = np.array([0.125, 0.3125, 0.125, 0.3125, 0.125])


def _diagnose_top_k(fn):
    for k, kept in ((2, {1, 3}), (1, {1}), (5, {0, 1, 2, 3, 4}), (3, {1, 3, 4})):
        p = _VOCAB_P.copy()
        result = fn(p, k)
        if not np.array_equal(p, _VOCAB_P):
            raise Mistake("your function changed the array it was given; work on a copy")
        got = _array(result, "probabilities", p.shape)
        _check_filtered(p, got, kept, "top-k", f"k = {k}")
    on = f"p = {_fmt(_TIED_P)}"
    for k, kept in ((1, {1}), (3, {0, 1, 3})):
        got = _array(_call(fn, _TIED_P, k), "probabilities", _TIED_P.shape)
        kept_now = {int(i) for i in np.flatnonzero(got > 0)}
        if len(kept_now) > k:
            raise Mistake(
                f"on {on} with k = {k} you kept {len(kept_now)} tokens: several tie at the "
                f"k-th place, but top-k keeps exactly k; break the tie by position (the lower "
                "index counts as more likely)"
            )
        if len(kept_now) == k and kept_now != kept:
            raise Mistake(
                f"on {on} with k = {k} you kept token(s) {sorted(kept_now)}: on a tie the "
                "lower index counts as more likely (sort with kind='stable' on -p)"
            )
        _check_filtered(_TIED_P, got, kept, "top-k", f"k = {k} on {on}")
    return "keeps the k most likely tokens and renormalises, for k = 1, 2, 3 and 5, and on ties."


def check_top_k(fn: Callable) -> CheckResult:
    """Exercise 03.3: keep the `k` most likely tokens of `p`, zero the rest, renormalise.

    Taught in 03. Called as ``fn(p, k)``; returns a new array.

    Examples
    --------
    >>> def top_k_forgetful(p, k):
    ...     keep = np.argsort(p)[-k:]
    ...     return np.where(np.isin(np.arange(p.size), keep), p, 0.0)
    >>> check_top_k(top_k_forgetful).passed
    ✗ Exercise 03.3: with k = 2 your probabilities sum to 0.7, not 1: after zeroing \
the other tokens, renormalise the kept ones (divide by their sum)
    False
    """
    return _run("03.3", _diagnose_top_k, fn)


#: Probabilities exact in binary, so 0.5 + 0.25 is exactly 0.75 in any order.
_DYADIC_P = np.array([0.125, 0.5, 0.0625, 0.25, 0.0625])


def _diagnose_top_p(fn):
    # _VOCAB_P sorted: 0.4 (token 1), 0.3 (3), 0.15 (4), 0.1 (2), 0.05 (0);
    # the last case reaches top_p exactly: 0.5 + 0.25 = 0.75 is enough.
    cases = [
        (_VOCAB_P, 0.6, {1, 3}),
        (_VOCAB_P, 0.3, {1}),
        (_VOCAB_P, 0.8, {1, 3, 4}),
        (_VOCAB_P, 0.99, {0, 1, 2, 3, 4}),
        (_DYADIC_P, 0.75, {1, 3}),
    ]
    for given, top_p, kept in cases:
        p = given.copy()
        result = fn(p, top_p)
        if not np.array_equal(p, given):
            raise Mistake("your function changed the array it was given; work on a copy")
        got = _array(result, "probabilities", p.shape)
        kept_now = {int(i) for i in np.flatnonzero(got > 0)}
        _check_most_likely_kept(p, kept_now, f"top_p = {top_p}")
        mass = float(p[list(kept_now)].sum()) if kept_now else 0.0
        if kept_now != kept and mass < top_p:
            raise Mistake(
                f"with top_p = {top_p} the tokens you kept hold only {mass:.2f} of the "
                "probability: the nucleus is the smallest set whose total reaches top_p, "
                "so include the token that crosses it"
            )
        if kept_now != kept and len(kept_now) > len(kept) and kept <= kept_now:
            exact = float(p[list(kept)].sum()) == top_p
            raise Mistake(
                f"with top_p = {top_p} you kept {len(kept_now)} tokens where {len(kept)} already "
                "reach top_p: stop at the first token whose cumulative probability reaches it"
                + (
                    f" (here the {len(kept)} most likely total exactly {top_p}: reaching "
                    "means >=, so keep a token only while the mass before it is < top_p)"
                    if exact
                    else ""
                )
            )
        _check_filtered(p, got, kept, "top-p", f"top_p = {top_p}")
    return (
        "keeps the smallest most-likely set reaching top_p and renormalises, for five values, "
        "one reached exactly."
    )


def check_top_p(fn: Callable) -> CheckResult:
    """Exercise 03.4: nucleus filtering, called as ``fn(p, top_p)``.

    Taught in 03. Keep the smallest set of most likely tokens whose total probability
    is at least `top_p`, zero the rest, renormalise.

    Examples
    --------
    >>> def top_p_in_order(p, top_p):
    ...     keep = np.cumsum(p) - p < top_p      # forgets to sort
    ...     return np.where(keep, p, 0.0) / p[keep].sum()
    >>> check_top_p(top_p_in_order).passed
    ✗ Exercise 03.4: with top_p = 0.6 you kept token(s) [0, 1, 2, 3] but dropped the more \
likely token 4: keep the most likely tokens
    False
    """
    return _run("03.4", _diagnose_top_p, fn)


# ---------------------------------------------------------------------------
# 04 Attention and masking
# ---------------------------------------------------------------------------


def _diagnose_causal_mask(fn):
    for n in (1, 4, 6):
        result = _call(fn, n)
        got = np.asarray(result)
        if got.shape != (n, n):
            raise Mistake(f"causal_mask({n}) should have shape ({n}, {n}), got {got.shape}")
        if got.dtype != np.bool_:
            raise Mistake(
                f"return booleans (True = may attend), got dtype {got.dtype}; a mask of 0s "
                "and 1s is easily mistaken for scores; build it with a comparison"
            )
        want = np.tril(np.ones((n, n), dtype=bool))
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, want.T):
            raise Mistake(
                "position 0 may attend to later positions: your mask is the transpose; "
                "position i may attend to j only when j <= i (rows are queries)"
            )
        if not got.diagonal().all():
            raise Mistake(
                "each position must be allowed to attend to itself (the diagonal is True)"
            )
        if (got & ~want).any():
            raise Mistake(f"causal_mask({n}) lets a position attend to the future")
        raise Mistake(f"causal_mask({n}) blocks some earlier positions that should be allowed")
    return "lower triangle including the diagonal, as booleans, for n = 1, 4 and 6."


def check_causal_mask(fn: Callable) -> CheckResult:
    """Exercise 04.1: ``fn(n)`` returns the (n, n) boolean causal mask, True = may attend.

    Taught in 04.

    Examples
    --------
    >>> check_causal_mask(lambda n: np.triu(np.ones((n, n), dtype=bool))).passed
    ✗ Exercise 04.1: position 0 may attend to later positions: your mask is the transpose; \
position i may attend to j only when j <= i (rows are queries)
    False
    """
    return _run("04.1", _diagnose_causal_mask, fn)


_SCORES = np.array(
    [[-1.0, 0.5, -2.0, 1.0], [2.0, -0.5, -1.5, 0.0], [-3.0, -2.0, 0.5, -1.0], [1.5, 1.0, -0.5, 2.5]]
)
_MASK = np.tril(np.ones((4, 4), dtype=bool))


def _check_masked_weights(got, scores, mask, on):
    """Symptoms of a wrong masked softmax: leaks, no renormalising, wrong axis."""
    leak = float(np.max(np.where(mask, 0.0, got)))
    if leak > 1e-12:
        with_zero = softmax(np.where(mask, scores, 0.0))
        if _close(got, with_zero):
            raise Mistake(
                f"on {on} masked positions still get probability (up to {leak:.2f}): a score "
                "of 0 is not 'nothing', since exp(0) = 1; mask with -inf instead of 0 "
                "before the softmax"
            )
        raise Mistake(
            f"on {on} masked positions still get probability (up to {leak:.2g}): the value "
            "you put there is not negative enough; use -inf"
        )
    sums = got.sum(axis=-1)
    if not np.allclose(sums, 1) and np.allclose(got, softmax(scores) * mask):
        raise Mistake(
            f"on {on} rows sum to less than 1 (row sums {np.round(sums, 2).tolist()}): zeroing "
            "probabilities after the softmax does not renormalise; mask the scores before it"
        )
    _rows_sum_to_one(got, "row", on)


def _diagnose_masked_softmax(fn):
    on = "a 4 x 4 score matrix with a causal mask"
    got = _array(_call(fn, _SCORES, _MASK), "weights", _SCORES.shape)
    if _not_finite(got):
        raise Mistake(f"{_not_finite(got)} on {on} (no row is fully masked)")
    _check_masked_weights(got, _SCORES, _MASK, on)
    want = softmax(_SCORES, where=_MASK)
    if not _close(got, want):
        raise _off_by(got, want, on)
    # Small allowed scores, huge masked ones: masking first never looks at the huge ones.
    hidden = np.array([[0.0, 1000.0, 1000.0], [1.0, 0.0, 1000.0], [0.5, 2.0, 1.0]])
    keep = np.array([[True, False, False], [True, True, False], [True, True, True]])
    got = _array(_call(fn, hidden, keep), "weights", hidden.shape)
    if _not_finite(got) or np.isclose(got.sum(axis=-1), 0).any():
        raise Mistake(
            f"{_not_finite(got) or 'a row of zeros'} on scores whose masked positions are "
            "huge (1000) and allowed ones small: the softmax ran before the mask, so the "
            "allowed probabilities underflowed to 0 and renormalising gave 0 / 0; mask the "
            "scores with -inf before the softmax, so masked positions never compete"
        )
    _check_masked_weights(got, hidden, keep, "scores whose masked positions are huge")
    if not _close(got, softmax(hidden, where=keep)):
        raise _off_by(got, softmax(hidden, where=keep), "scores whose masked positions are huge")
    big = _SCORES * 1000
    got = _array(_call(fn, big, _MASK), "weights", big.shape)
    if _not_finite(got):
        raise _no_max_shift(big[-1], _not_finite(got))
    _check_masked_weights(got, big, _MASK, "scores 1000 times larger")
    return "masked positions get exactly 0, rows sum to 1, and large scores do not overflow."


def check_masked_softmax(fn: Callable) -> CheckResult:
    """Exercise 04.2: ``fn(scores, mask)``: row-wise softmax where False positions get 0.

    Taught in 04. No row of the test masks is fully masked.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_masked_softmax(lambda s, m: softmax(np.where(m, s, 0.0))).passed
    ✗ Exercise 04.2: on a 4 x 4 score matrix with a causal mask masked positions \
still get probability (up to 0.35): a score of 0 is not 'nothing', since exp(0) = 1; \
mask with -inf instead of 0 before the softmax
    False
    """
    return _run("04.2", _diagnose_masked_softmax, fn)


def _diagnose_attention(fn):
    rng = np.random.default_rng(4)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    on = "q (3, 4), k (5, 4), v (5, 2)"
    result = _call(fn, q, k, v, None)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Mistake("return a pair (output, weights)")
    out = _array(result[0], "output", (3, 2))
    weights = _array(result[1], "weights", (3, 5))
    scores = q @ k.T
    if _close(weights, softmax(scores, axis=0)) or np.allclose(weights.sum(axis=0), 1):
        raise Mistake(
            f"on {on} each column of the weights sums to 1: softmax over the wrong axis; "
            "each query (row) needs its own distribution over the keys (axis=-1)"
        )
    _rows_sum_to_one(weights, "row", on)
    if _close(weights, softmax(scores)):
        raise Mistake(
            f"on {on} your weights are too sharp: divide the scores by sqrt(d) = 2 before "
            "the softmax (d = 4 is the length of each query)"
        )
    if _close(weights, softmax(scores / 4)):
        raise Mistake(f"on {on} you divided the scores by d = 4; divide them by sqrt(d) = 2")
    want = softmax(scores / 2)
    if not _close(weights, want):
        raise _off_by(weights, want, f"the weights for {on}")
    if not _close(out, want @ v):
        raise Mistake(
            f"on {on} the weights are right but the output is not: each output row is the "
            "weighted average of the rows of v (weights @ v)"
        )
    mask = np.tril(np.ones((3, 5), dtype=bool))
    result = _call(fn, q, k, v, mask)
    weights = _array(result[1], "weights", (3, 5))
    if _close(weights, want):
        raise Mistake(
            f"on {on} with a mask your weights are the same as without it: the mask is "
            "ignored; leave out the keys where mask is False (score -inf before the softmax)"
        )
    _check_masked_weights(weights, scores / 2, mask, f"{on} with a mask")
    if not _close(weights, softmax(scores / 2, where=mask)):
        raise _off_by(weights, softmax(scores / 2, where=mask), f"{on} with a mask")
    return "scaled by sqrt(d), one distribution per query, masked keys get 0, output = weights @ v."


def check_attention(fn: Callable) -> CheckResult:
    """Exercise 04.3: ``fn(q, k, v, mask)`` returns ``(output, weights)``.

    Taught in 04. ``weights = softmax(q @ k.T / sqrt(d))`` row by row, with False
    positions of `mask` (or nothing, if None) left out, and ``output = weights @ v``.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> def attention_unscaled(q, k, v, mask=None):
    ...     w = softmax(q @ k.T, where=mask)
    ...     return w @ v, w
    >>> check_attention(attention_unscaled).passed
    ✗ Exercise 04.3: on q (3, 4), k (5, 4), v (5, 2) your weights are too sharp: divide \
the scores by sqrt(d) = 2 before the softmax (d = 4 is the length of each query)
    False
    """
    return _run("04.3", _diagnose_attention, fn)


# ---------------------------------------------------------------------------
# 05 Cross-entropy and gradients
# ---------------------------------------------------------------------------


def _mean_ce(logits, labels):
    return float(-np.mean(log_softmax(logits)[np.arange(len(labels)), labels]))


def _diagnose_cross_entropy(fn):
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0]])
    labels = np.array([0, 1, 0])
    on = "a batch of 3 with labels (0, 1, 0)"
    result = _call(fn, logits, labels)
    if np.ndim(result) != 0:
        raise Mistake(
            f"return one number, the mean loss over the batch; got shape {np.shape(result)}"
        )
    got, want = float(result), _mean_ce(logits, labels)
    if got < 0:
        raise Mistake(
            f"on {on} your loss is negative ({got:.3f}): the loss is -log p, mind the sign"
        )
    if math.isclose(got, 3 * want, rel_tol=1e-9):
        raise Mistake(f"on {on} your loss is 3 times too large: average over the batch, do not sum")
    if not math.isclose(got, want, rel_tol=1e-9):
        raise Mistake(f"on {on} your loss is {got:.4f}; check you take the logit of the true class")
    large = np.array([[1000.0, 1001.0, 999.0]])
    got_large = float(_call(fn, large, np.array([1])))
    if not math.isfinite(got_large):
        raise _no_max_shift(large, "NaN" if math.isnan(got_large) else "inf")
    far = np.array([[0.0, 800.0], [1.0, 0.0]])
    far_labels = np.array([0, 0])
    got = float(_call(fn, far, far_labels))
    if math.isinf(got):
        raise Mistake(
            "inf on logits (0, 800) with label 0, where the loss is finite (about 800): that "
            "is log of softmax, and p = exp(-800) underflows to 0; use log-softmax "
            "(x_k - logsumexp(x)) instead"
        )
    if math.isnan(got):
        raise _no_max_shift(far[0], "NaN")
    for x, y, g in ((far, far_labels, got), (large, np.array([1]), got_large)):
        if not math.isclose(g, _mean_ce(x, y), rel_tol=1e-9):
            raise Mistake(
                f"your loss on logits {_fmt(x[0])}, ... is off: compute it from log-softmax"
            )
    return "right on a small batch, finite on logits (0, 800) and (1000, 1001, 999)."


def check_cross_entropy(fn: Callable) -> CheckResult:
    """Exercise 05.1: ``fn(logits, labels)`` returns the mean of ``-log p[label]``.

    Taught in 05. `logits` has shape (batch, n_classes), `labels` holds class indices.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> def ce_log_of_softmax(logits, labels):
    ...     p = softmax(logits)
    ...     return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
    >>> check_cross_entropy(ce_log_of_softmax).passed
    ✗ Exercise 05.1: inf on logits (0, 800) with label 0, where the loss is finite \
(about 800): that is log of softmax, and p = exp(-800) underflows to 0; use log-softmax \
(x_k - logsumexp(x)) instead
    False
    """
    return _run("05.1", _diagnose_cross_entropy, fn)


def _diagnose_cross_entropy_grad(fn):
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0], [1.0, -1.0, 0.5]])
    labels = np.array([0, 1, 0, 2])
    n = len(labels)
    on = "a batch of 4"
    got = _array(_call(fn, logits, labels), "gradient", logits.shape)
    y = np.eye(3)[labels]
    p = softmax(logits)
    want = (p - y) / n
    if _close(got, want):
        return "equals (p - y) / N, the gradient of the mean loss, on a batch of 4."
    if _close(got, -want):
        raise Mistake(
            f"on {on} your gradient points the wrong way (it is y - p): gradient descent "
            "would raise the loss"
        )
    if _close(got, want * n):
        raise Mistake(
            f"on {on} your gradient is N = {n} times too large: the loss is a mean over the "
            "batch, so divide by N"
        )
    if _close(got, p / n) or _close(got, p):
        raise Mistake(
            f"on {on} each row of the gradient should sum to 0 (shift invariance); you "
            "forgot to subtract the one-hot labels"
        )
    raise _off_by(got, want, on)


def check_cross_entropy_grad(fn: Callable) -> CheckResult:
    """Exercise 05.3: the gradient of the mean cross-entropy with respect to the logits.

    Taught in 05. ``fn(logits, labels)`` returns an array shaped like `logits`.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_cross_entropy_grad(lambda x, y: softmax(x) - np.eye(x.shape[1])[y]).passed
    ✗ Exercise 05.3: on a batch of 4 your gradient is N = 4 times too large: the loss is \
a mean over the batch, so divide by N
    False
    """
    return _run("05.3", _diagnose_cross_entropy_grad, fn)


def _diagnose_softmax_jacobian(fn):
    for x in ([2.0, 1.0, 0.0], [0.1, -0.4, 1.3, 0.0]):
        p = softmax(np.array(x))
        on = f"p = softmax{_fmt(x)}"
        got = _array(_call(fn, p), "Jacobian", (p.size, p.size))
        want = np.diag(p) - np.outer(p, p)
        if _close(got, want):
            continue
        if _close(got, -want):
            raise Mistake(
                f"on {on} your Jacobian has the wrong sign: the diagonal must be positive"
            )
        if _close(got, np.diag(p)) or _close(got, np.diag(p * (1 - p))):
            raise Mistake(
                f"on {on} your Jacobian is diagonal, but raising one logit lowers every other "
                "probability: the off-diagonal entries are -p_i p_j"
            )
        if not np.allclose(got.sum(axis=1), 0):
            raise Mistake(f"on {on} the rows of the Jacobian should sum to 0 (shift invariance)")
        raise _off_by(got, want, on)
    return "symmetric, rows sum to 0, and equal to the true Jacobian on two inputs."


def check_softmax_jacobian(fn: Callable) -> CheckResult:
    """Exercise 05.4: ``fn(p)`` returns the Jacobian of softmax at probabilities `p`.

    Taught in 05. Entry (i, j) is d p_i / d x_j.

    Examples
    --------
    >>> check_softmax_jacobian(lambda p: p * (1 - p)).passed
    ✗ Exercise 05.4: expected the Jacobian with shape (3, 3), got shape (3,)
    False
    """
    return _run("05.4", _diagnose_softmax_jacobian, fn)


# ---------------------------------------------------------------------------
# 06 Beyond
# ---------------------------------------------------------------------------


class _NoLength(Mistake, TypeError):
    """The stream's answer to len(): a Mistake for the learner, a TypeError for list()."""


class _OnePass:
    """An input that can be read only once, in order, as a stream from memory would be.

    It has no length and no indexing, and a second ``for`` loop over it is refused.
    Copying it into a list is possible, but :func:`_stored_bytes` notices the memory.
    """

    def __init__(self, values):
        self.values = [float(v) for v in values]
        self.reads = 0

    def __iter__(self):
        self.reads += 1
        if self.reads > 1:
            raise Mistake(
                "your function read the input twice; online softmax reads it once, keeping "
                "a running maximum and a running sum"
            )
        return iter(self.values)

    def __len__(self):
        # A TypeError too, so list(stream) still works (it only asks for a length hint).
        raise _NoLength(
            "your function asked for the length of the input, but a stream has none until it "
            "ends; read it once with a for loop"
        )

    def __getitem__(self, index):
        raise Mistake(
            "your function indexed the input, but a stream can only be read in order; "
            "read it once with a for loop"
        )


#: Length of the long stream, and the memory (bytes) a one-pass function may use on it:
#: storing its items costs at least 8 bytes each, far more than this.
_LONG_STREAM = 20_000
_MEMORY_ALLOWED = 16_000


def _stored_bytes(fn, stream) -> tuple[object, int]:
    """``fn(stream)`` and the peak memory it allocated while running, in bytes."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn(stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if started:
            tracemalloc.stop()
    return result, peak - before


def _state(result, on):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise Mistake(f"on {on} expected a pair (m, s), got {result!r:.40}")
    return float(result[0]), float(result[1])


def _diagnose_online_softmax(fn):
    cases = [
        [3.0, 1.0, 2.0],
        [1.0, 2.0, 3.0, 4.0],
        [-5.0, -3.0, -4.0],
        [1000.0, 1001.0, 999.0],
        [0.5, -2.0, 7.0, 7.0, -1.0, 3.5],
    ]
    for x in cases:
        on = _fmt(x)
        m, s = _state(fn(_OnePass(x)), on)
        want_m, want_s = max(x), float(np.sum(np.exp(np.array(x) - max(x))))
        if m == 0.0 and want_m < 0:
            raise Mistake(
                f"on {on} your maximum is 0 but every input is negative: start the running "
                "max at -inf"
            )
        if m != want_m:
            raise Mistake(f"on {on} your running maximum ends at {m:g}, not at the largest input")
        if math.isnan(s) or math.isinf(s):
            raise _no_max_shift(x, "NaN" if math.isnan(s) else "inf")
        stale = sum(math.exp(v - max(x[: i + 1])) for i, v in enumerate(x))
        if not math.isclose(s, want_s, rel_tol=1e-12) and math.isclose(s, stale, rel_tol=1e-12):
            raise Mistake(
                f"on {on} your sum is too large: when a new maximum arrives, the running sum "
                "must be rescaled by exp(old max - new max)"
            )
        if not math.isclose(s, want_s, rel_tol=1e-12):
            raise Mistake(f"on {on} your running sum ends at {s:.6g}, which is not sum(exp(x - m))")
    x = np.random.default_rng(6).normal(0.0, 3.0, _LONG_STREAM)
    on = f"a stream of {_LONG_STREAM} logits"
    result, stored = _stored_bytes(fn, _OnePass(x))
    m, s = _state(result, on)
    if m != float(x.max()) or not math.isclose(s, float(np.exp(x - x.max()).sum()), rel_tol=1e-9):
        raise Mistake(f"on {on} your (m, s) is not the stream's maximum and sum(exp(x - m))")
    if stored > _MEMORY_ALLOWED:
        raise Mistake(
            f"on {on} your function stored the input before using it (its memory grew with "
            "the length of the stream): that is two passes over a copy; online softmax uses "
            "each logit as it arrives and keeps only a running maximum and a running sum"
        )
    return (
        f"one pass, right maximum and sum on five inputs (increasing, huge) and on a stream "
        f"of {_LONG_STREAM} logits without storing it."
    )


def check_online_softmax(fn: Callable) -> CheckResult:
    """Exercise 06.1: ``fn(xs)`` reads `xs` once and returns ``(m, s)``.

    Taught in 06. ``m = max(xs)`` and ``s = sum(exp(x - m) for x in xs)``, from a single
    pass with a running maximum and a rescaled running sum.

    Examples
    --------
    >>> def two_passes(xs):
    ...     m = max(xs)
    ...     return m, sum(math.exp(x - m) for x in xs)
    >>> check_online_softmax(two_passes).passed
    ✗ Exercise 06.1: your function read the input twice; online softmax reads it once, \
keeping a running maximum and a running sum
    False
    """
    return _run("06.1", _diagnose_online_softmax, fn)


def _diagnose_merge_states(fn):
    rng = np.random.default_rng(6)
    x = np.concatenate([rng.normal(0, 3, 7), [40.0], rng.normal(0, 3, 8)])
    full_m, full_s = float(x.max()), float(np.exp(x - x.max()).sum())

    def state(chunk):
        return float(chunk.max()), float(np.exp(chunk - chunk.max()).sum())

    a, b = state(x[:8]), state(x[8:])
    on = "two chunks of a random vector"
    m, s = _state(_call(fn, a, b), on)
    if m != full_m:
        raise Mistake(
            f"on {on} the merged maximum should be the larger of the two maxima, got {m:g}"
        )
    if math.isclose(s, a[1] + b[1], rel_tol=1e-12) and not math.isclose(s, full_s, rel_tol=1e-12):
        raise Mistake(
            f"on {on} you added the two sums as they are: each is relative to its own maximum, "
            "so rescale each by exp(its max - merged max) first"
        )
    if not math.isclose(s, full_s, rel_tol=1e-12):
        raise Mistake(f"on {on} the merged sum is off by a factor of {s / full_s:.3g}")
    chunks = np.array_split(x, 4)
    merged = state(chunks[0])
    for chunk in chunks[1:]:
        merged = _state(_call(fn, merged, state(chunk)), "four chunks")
    if merged[0] != full_m or not math.isclose(merged[1], full_s, rel_tol=1e-12):
        raise Mistake("merging four chunks one after another does not give the full (max, sum)")
    m, s = _state(_call(fn, (-math.inf, 0.0), a), "an empty chunk and a full one")
    if (m, s) != a and not (m == a[0] and math.isclose(s, a[1], rel_tol=1e-15)):
        raise Mistake(
            "merging with an empty chunk, state (-inf, 0), must leave the other state unchanged"
        )
    return "merging chunk states gives the full (max, sum), with two, four and an empty chunk."


def check_merge_states(fn: Callable) -> CheckResult:
    """Exercise 06.2: ``fn((m1, s1), (m2, s2))`` returns the state of both chunks together.

    Taught in 06. A state is ``(max, sum(exp(x - max)))`` of a chunk; an empty chunk is
    ``(-inf, 0)``.

    Examples
    --------
    >>> check_merge_states(lambda a, b: (max(a[0], b[0]), a[1] + b[1])).passed
    ✗ Exercise 06.2: on two chunks of a random vector you added the two sums as they are: \
each is relative to its own maximum, so rescale each by exp(its max - merged max) first
    False
    """
    return _run("06.2", _diagnose_merge_states, fn)
