"""Checkers of exercises/02_numerical_stability.ipynb (Numerical stability)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from ..core import log_softmax, softmax
from ..reference import softmax_exact, ulp_error
from . import rules
from .runner import (
    SMALL_LOGITS,
    Mistake,
    call_on_copies,
    checker,
    close,
    expect_close,
    fmt_logits,
    no_max_shift,
    not_finite,
    off_by,
    result_array,
    result_pair,
    rows_sum_to_one,
)

__all__ = [
    "check_log_sigmoid",
    "check_log_softmax",
    "check_logsumexp_rows",
    "check_softmax_two_sum",
    "check_stable_softmax",
    "check_two_sum",
]


@checker("02.1", "a stable softmax", points=2)
def check_stable_softmax(fn: Callable) -> str:
    """Exercise 02.1: softmax that never overflows, along the last axis.

    Taught in 02. `fn` takes an array (1-D or a batch of rows) and returns probabilities.

    Examples
    --------
    >>> check_stable_softmax(lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)).status
    ✗ Exercise 02.1: fine on small logits, but NaN on (1000, 1001, 999); exp overflows or \
underflows without a shift; subtract the maximum before exponentiating
    'failed'
    """
    small = np.array(SMALL_LOGITS)
    expect_close(fn, (small,), softmax(small), fmt_logits(small))
    for x in ([1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0], [0.0, 2000.0, 1.0]):
        x = np.array(x)
        got = result_array(call_on_copies(fn, x), "probabilities", x.shape)
        if not_finite(got):
            raise no_max_shift(x, not_finite(got))
        if not close(got, softmax(x)):
            raise off_by(got, softmax(x), fmt_logits(x))
    batch = np.array([[1.0, 2.0, 3.0], [1001.0, 1002.0, 1003.0]])
    got = result_array(call_on_copies(fn, batch), "probabilities", batch.shape)
    if not_finite(got) is not None:
        raise Mistake(
            f"{not_finite(got)} on a batch whose rows have very different scales "
            "(1, 2, 3) and (1001, 1002, 1003)",
            hint="take the maximum of each row (axis=-1, keepdims=True), not of the whole batch",
        )
    rows_sum_to_one(got, "row", "a batch of two rows")
    if not close(got, softmax(batch)):
        raise off_by(got, softmax(batch), "a batch of two rows")
    return "right on small logits, on (1000, 1001, 999), on (-1000, -1001, -999) and per row."


@checker("02.3", "log-softmax without log(0)", points=2)
def check_log_softmax(fn: Callable) -> str:
    """Exercise 02.3: log-softmax along the last axis, without ever taking log(0).

    Taught in 02.

    Examples
    --------
    >>> from softmax_lessons import log_softmax
    >>> check_log_softmax(log_softmax).passed    # doctest: +ELLIPSIS
    ✓ Exercise 02.3 passed: ...
    True
    """
    small = np.array(SMALL_LOGITS)
    expect_close(fn, (small,), log_softmax(small), fmt_logits(small), "log-probabilities")
    far = np.array([0.0, -800.0])
    got = result_array(call_on_copies(fn, far), "log-probabilities", far.shape)
    if np.isneginf(got).any():
        raise Mistake(
            f"-inf on {fmt_logits(far)}, where the log-probabilities are finite "
            "(about 0 and -800)",
            hint="that is log of softmax, and a probability that underflows to 0 has log -inf; "
            "compute x - logsumexp(x) instead",
        )
    large = np.array([1000.0, 1001.0, 999.0])
    got_large = result_array(call_on_copies(fn, large), "log-probabilities", large.shape)
    if not_finite(got) or not_finite(got_large):
        bad = far if not_finite(got) else large
        raise no_max_shift(bad, not_finite(got) or not_finite(got_large))
    for x, g in ((far, got), (large, got_large)):
        if not close(g, log_softmax(x)):
            raise off_by(g, log_softmax(x), fmt_logits(x))
    batch = np.array([[0.0, 1.0, 2.0], [5.0, -3.0, 0.5]])
    got = result_array(call_on_copies(fn, batch), "log-probabilities", batch.shape)
    rows_sum_to_one(np.exp(got), "row (after exp)", "a batch of two rows")
    if not close(got, log_softmax(batch)):
        raise off_by(got, log_softmax(batch), "a batch of two rows")
    spread = np.array([[0.0, 1.0, 2.0], [1000.0, 1001.0, 999.0]])
    got = result_array(call_on_copies(fn, spread), "log-probabilities", spread.shape)
    if not_finite(got) is not None:
        raise Mistake(
            f"{not_finite(got)} on a batch whose rows have very different scales "
            "(0, 1, 2) and (1000, 1001, 999)",
            hint="take the maximum of each row (axis=-1, keepdims=True), not of the whole batch",
        )
    if not close(got, log_softmax(spread)):
        raise off_by(got, log_softmax(spread), "a batch of rows on different scales")
    return "finite and right on (0, -800) and (1000, 1001, 999), and per row on any scale."


_TWO_SUM_PAIRS = [
    (0.1, 0.2),
    (1.0, 1e-17),
    (1e16, 1.0),
    (-350.123456789, -0.3),
    (3.0, -2.9999999999999996),
    (1.0, 1e16),  # |a| < |b|: Fast2Sum is wrong here, TwoSum is not
    (-0.7, 300.1),
]


@checker("02.4", "TwoSum, an error-free addition", points=3)
def check_two_sum(fn: Callable) -> str:
    """Exercise 02.4: TwoSum, ``s = fl(a + b)`` and ``e`` with ``s + e == a + b`` exactly.

    Taught in 02. `fn(a, b)` returns the pair ``(s, e)``, for two floats and for two
    NumPy arrays alike. The exercise's rule "no `if`" is read from the source, and
    the arrays show why it is there.

    Examples
    --------
    >>> check_two_sum(lambda a, b: (a + b, 0.0)).passed
    ✗ Exercise 02.4: your error term is 0 on (0.1, 0.2), but a + b rounds there; \
e must hold exactly what the rounding lost
    False
    """
    rng = np.random.default_rng(2)
    pairs = list(_TWO_SUM_PAIRS)
    scaled = rng.normal(0, 1, (20, 2)) * 10.0 ** rng.integers(-8, 9, (20, 2))
    pairs += [(float(a), float(b)) for a, b in scaled]
    wrong = []
    for a, b in pairs:
        s, e = (float(v) for v in result_pair(fn(a, b), "(s, e)"))
        if s != a + b:
            raise Mistake(f"on ({a!r}, {b!r}) your s is not the rounded sum a + b")
        if Fraction(s) + Fraction(e) != Fraction(a) + Fraction(b):
            wrong.append((a, b, e))
    if wrong and all(abs(b) > abs(a) for a, b, _ in wrong):
        a, b, _ = wrong[0]
        raise Mistake(
            f"right when |a| >= |b| but wrong on ({a!r}, {b!r})",
            hint="that shortcut (Fast2Sum) needs |a| >= |b|; TwoSum must work for either order",
        )
    for a, b, e in wrong:
        s = a + b
        if e == 0:
            raise Mistake(
                f"your error term is 0 on ({a!r}, {b!r}), but a + b rounds there",
                hint="e must hold exactly what the rounding lost",
            )
        if Fraction(s) - Fraction(e) == Fraction(a) + Fraction(b):
            raise Mistake(
                f"on ({a!r}, {b!r}) your error term has the wrong sign",
                hint="s + e must equal a + b",
            )
        raise Mistake(f"on ({a!r}, {b!r}) s + e is not exactly a + b")
    a_arr = np.array([a for a, _ in pairs])
    b_arr = np.array([b for _, b in pairs])
    on = f"arrays of {len(pairs)} pairs"
    try:
        result = call_on_copies(fn, a_arr, b_arr)
    except ValueError as exc:
        if "truth value" in str(exc):
            raise Mistake(
                f"on {on} your function raised ValueError: {exc}",
                hint="an `if` on arrays would need one answer per entry; TwoSum needs no `if`: "
                "the same formula works whichever of a and b is larger",
            ) from None
        raise
    s_arr, e_arr = (result_array(v, "part of (s, e)", a_arr.shape)
                    for v in result_pair(result, "(s, e)"))
    for a, b, s, e in zip(a_arr, b_arr, s_arr, e_arr, strict=True):
        if s != a + b or Fraction(s) + Fraction(e) != Fraction(a) + Fraction(b):
            raise Mistake(
                f"right on floats, but on {on} s + e is not exactly a + b at the pair "
                f"({a!r}, {b!r})"
            )
    rules.enforce(
        rules.branches(fn),
        "no `if`",
        hint="the same additions and subtractions must work on floats and arrays alike",
    )
    return f"s + e equals a + b exactly on {len(pairs)} pairs, in either order, floats and arrays."


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
        got = result_array(call_on_copies(fn, x), "probabilities", x.shape)
        if not_finite(got):
            raise no_max_shift(x, not_finite(got))
        exact = softmax_exact(x)
        worst = max(worst, float(np.max(ulp_error(got, exact))))
        plain = max(plain, float(np.max(ulp_error(_plain_shifted(x), exact))))
    return worst, plain


@checker("02.5", "softmax that wins back the last digits", points=3)
def check_softmax_two_sum(fn: Callable) -> str:
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
    small = np.array(SMALL_LOGITS)
    expect_close(fn, (small,), softmax(small), fmt_logits(small))
    worst, plain = _worst_ulp(fn)
    if worst <= 4:
        return "within 4 ulp of the exact softmax on logits that differ by hundreds."
    if worst > 1.5 * plain:
        raise Mistake(
            f"your correction makes the result worse ({worst:.0f} ulp against {plain:.0f} for "
            "the plain shifted softmax)",
            hint="check its sign: the exact difference is d_hi + d_lo",
        )
    if worst >= plain / 4:
        raise Mistake(
            f"no more accurate than the plain shifted softmax ({worst:.0f} ulp against "
            f"{plain:.0f})",
            hint="split x - m with TwoSum and multiply each exp(d_hi) by (1 + d_lo)",
        )
    raise Mistake(
        f"better than plain shifting, but still off by {worst:.0f} ulp (the aim is at most 4)"
    )


def _log_sigmoid_reference(z: np.ndarray) -> np.ndarray:
    """log sigmoid(z) = -log(1 + exp(-z)), written as NumPy's stable log-add-exp of (0, -z)."""
    return -np.logaddexp(0.0, -z)


@checker("02.6", "log-sigmoid without overflow", points=3)
def check_log_sigmoid(fn: Callable) -> str:
    """Exercise 02.6: ``log(sigmoid(z))`` elementwise, finite and accurate for any z.

    Taught in 02 (log-sum-exp) and 01 (two-class softmax is a sigmoid). `fn(z)` takes
    an array of any shape. The exercise rules out NumPy's ``logaddexp`` and the
    package's ``logsumexp``, which would do the work: the source is read for them.

    Examples
    --------
    >>> check_log_sigmoid(lambda z: np.log(1 / (1 + np.exp(-z)))).passed
    ✗ Exercise 02.6: -inf on z = -1000, where log sigmoid(z) is finite (about -1000); \
sigmoid(-1000) underflows to 0 before the log: write log sigmoid(z) as minus the \
log-sum-exp of (0, -z), shifted by its maximum
    False
    """
    small = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = result_array(call_on_copies(fn, small), "log-probabilities", small.shape)
    want = _log_sigmoid_reference(small)
    if close(got, -want):
        raise Mistake(
            f"on z = {fmt_logits(small)} your results are positive",
            hint="a log-probability is never above 0: log sigmoid(z) = -log(1 + exp(-z))",
        )
    if close(got, -np.log1p(np.exp(small))):
        raise Mistake(
            f"on z = {fmt_logits(small)} your results are log sigmoid(-z), the other class",
            hint="sigmoid(z) = 1 / (1 + exp(-z)): mind the sign inside exp",
        )
    if not close(got, want):
        raise off_by(got, want, f"z = {fmt_logits(small)}")
    for z, size in ((-1000.0, "about -1000"), (-800.0, "about -800")):
        got = result_array(call_on_copies(fn, np.array([z])), "log-probabilities", (1,))
        if not np.isfinite(got).all():
            raise Mistake(
                f"{not_finite(got) if not np.isneginf(got).any() else '-inf'} on z = {z:g}, "
                f"where log sigmoid(z) is finite ({size})",
                hint=f"sigmoid({z:g}) underflows to 0 before the log: write log sigmoid(z) as "
                "minus the log-sum-exp of (0, -z), shifted by its maximum",
            )
        if not close(got, _log_sigmoid_reference(np.array([z]))):
            raise off_by(got, _log_sigmoid_reference(np.array([z])), f"z = {z:g}")
    far = np.array([1000.0, 40.0, 37.5])
    got = result_array(call_on_copies(fn, far), "log-probabilities", far.shape)
    if not np.isfinite(got).all():
        raise Mistake(f"{not_finite(got)} on z = {fmt_logits(far)}")
    want = _log_sigmoid_reference(far)
    rel = np.abs(got[1:] - want[1:]) / np.abs(want[1:])
    if np.any(rel > 1e-6):
        raise Mistake(
            f"on z = 40 and 37.5 your results have a relative error of up to "
            f"{float(rel.max()):.0%}" + (" (they are exactly 0)" if np.all(got[1:] == 0) else ""),
            hint="1 + exp(-40) rounds to exactly 1, so its log is 0: use np.log1p(u), which "
            "computes log(1 + u) without forming 1 + u",
        )
    if not close(got, want, rtol=1e-12, atol=0):
        raise off_by(got, want, f"z = {fmt_logits(far)}")
    batch = np.array([[-700.0, 0.0, 700.0], [3.0, -3.0, 1e-3]])
    expect_close(fn, (batch,), _log_sigmoid_reference(batch), "a (2, 3) array",
                 "log-probabilities", rtol=1e-12, atol=0)
    rules.enforce(
        rules.calls_to(fn, {"logaddexp", "logsumexp", "log_sigmoid", "log_expit", "expit"}),
        "write it with exp, log and log1p (no logaddexp, logsumexp or expit)",
        hint="shift by the larger of 0 and -z, as log-sum-exp does",
    )
    return "finite and accurate from z = -1000 to 1000, including z = 40 (log1p), on any shape."


def _lse_reference(x: np.ndarray) -> np.ndarray:
    """Log-sum-exp along the last axis, -inf for a row with no finite entry."""
    m = np.max(x, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


@checker("02.7", "log-sum-exp with masked entries", points=3)
def check_logsumexp_rows(fn: Callable) -> str:
    """Exercise 02.7: log-sum-exp along the last axis, where entries may be -inf.

    Taught in 02 (log-sum-exp) and 04 (masks). `fn(x)` takes a 1-D array or a batch
    of rows whose entries are finite or -inf, and returns one LSE per row; a row
    that is all -inf (nothing allowed) gives -inf, the log of an empty sum. A
    ready-made log-sum-exp is ruled out (read from the source).

    Examples
    --------
    >>> def lse(x):
    ...     m = np.max(x, axis=-1, keepdims=True)
    ...     return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]
    >>> check_logsumexp_rows(lse).passed
    ✗ Exercise 02.7: NaN on the row (-inf, -inf, -inf), where log-sum-exp is -inf \
(the log of a sum of zeros); the shift -max is -(-inf) = +inf there: shift such a \
row by 0 instead
    False
    """
    small = np.array(SMALL_LOGITS)
    result = call_on_copies(fn, small)
    if np.ndim(result) != 0:
        raise Mistake(
            f"on the 1-D logits {fmt_logits(small)} expected one number, got shape "
            f"{np.shape(result)}",
            hint="drop the summed axis from the result (keepdims only inside)",
        )
    got = float(result)
    want = float(_lse_reference(small))
    if not np.isclose(got, want, rtol=1e-12):
        raise Mistake(f"on {fmt_logits(small)} your log-sum-exp is off by {abs(got - want):.3g}")
    for x in ([1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]):
        x = np.array(x)
        got = float(call_on_copies(fn, x))
        if not np.isfinite(got):
            raise no_max_shift(x, "-inf" if got == -np.inf else not_finite(np.array(got)))
        if not np.isclose(got, float(_lse_reference(x)), rtol=1e-12):
            raise Mistake(f"on {fmt_logits(x)} your log-sum-exp is off")
    masked = np.array([0.5, -np.inf, 2.0, -np.inf])
    got = float(call_on_copies(fn, masked))
    if not np.isclose(got, float(_lse_reference(masked)), rtol=1e-12):
        raise Mistake(f"on {fmt_logits(masked)} your log-sum-exp is {got:.4g}, which is off")
    empty = np.full(3, -np.inf)
    got = float(call_on_copies(fn, empty))
    if np.isnan(got):
        raise Mistake(
            f"NaN on the row {fmt_logits(empty)}, where log-sum-exp is -inf (the log of a sum "
            "of zeros)",
            hint="the shift -max is -(-inf) = +inf there: shift such a row by 0 instead",
        )
    if got != -np.inf:
        raise Mistake(
            f"on the row {fmt_logits(empty)} your log-sum-exp is {got:.4g}, a finite number, "
            "but a sum of zeros has log -inf",
            hint="keep -inf as -inf: replacing it by a large negative number makes the empty "
            "row look allowed",
        )
    batch = np.array(
        [
            [1.0, 2.0, 3.0],
            [1001.0, 1002.0, 1003.0],
            [-np.inf, -np.inf, -np.inf],
            [0.0, -np.inf, 0.0],
        ]
    )
    on = "a batch of 4 rows, one all -inf"
    got = result_array(call_on_copies(fn, batch), "log-sum-exps", None)
    if got.shape != (4,):
        raise Mistake(
            f"on {on} (shape (4, 3)) expected one value per row, shape (4,), got shape "
            f"{got.shape}",
            hint="reduce along axis=-1 only, and drop that axis from the result",
        )
    want = _lse_reference(batch)
    if np.isnan(got).any():
        raise Mistake(
            f"NaN in row {int(np.flatnonzero(np.isnan(got))[0])} of {on}",
            hint="take the maximum of each row (axis=-1, keepdims=True), and shift a row with "
            "no finite maximum by 0",
        )
    if not (np.isneginf(got[2]) and np.allclose(np.delete(got, 2), np.delete(want, 2), rtol=1e-12)):
        if np.isinf(got[[0, 1, 3]]).any():
            raise Mistake(
                f"inf or -inf on {on} whose rows (1, 2, 3) and (1001, 1002, 1003) have very "
                "different scales",
                hint="take the maximum of each row (axis=-1, keepdims=True), not of the batch",
            )
        raise off_by(np.nan_to_num(got), np.nan_to_num(want), on)
    rules.enforce(
        rules.calls_to(fn, {"logsumexp", "logaddexp", "reduce_logsumexp"}),
        "no ready-made log-sum-exp (np.logaddexp or the package's logsumexp)",
        hint="shift each row by its maximum, and a row with no finite maximum by 0",
    )
    return "right on huge, tiny and masked rows, -inf for an all -inf row, one value per row."
