"""Checkers of exercises/02_numerical_stability.ipynb (Numerical stability)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from ..core import log_softmax, softmax
from ..reference import softmax_exact, ulp_error
from .runner import (
    SMALL_LOGITS,
    Mistake,
    call_on_copies,
    checker,
    close,
    fmt_logits,
    no_max_shift,
    not_finite,
    off_by,
    result_array,
    rows_sum_to_one,
)

__all__ = ["check_log_softmax", "check_softmax_two_sum", "check_stable_softmax", "check_two_sum"]


@checker("02.1", "a stable softmax")
def check_stable_softmax(fn: Callable) -> str:
    """Exercise 02.1: softmax that never overflows, along the last axis.

    Taught in 02. `fn` takes an array (1-D or a batch of rows) and returns probabilities.

    Examples
    --------
    >>> check_stable_softmax(lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)).status
    ✗ Exercise 02.1: fine on small logits, but NaN on (1000, 1001, 999): exp overflows or \
underflows without a shift; subtract the maximum before exponentiating
    'failed'
    """
    small = np.array(SMALL_LOGITS)
    got = result_array(call_on_copies(fn, small), "probabilities", small.shape)
    if not close(got, softmax(small)):
        raise off_by(got, softmax(small), fmt_logits(small))
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
            "(1, 2, 3) and (1001, 1002, 1003): take the maximum of each row "
            "(axis=-1, keepdims=True), not of the whole batch"
        )
    rows_sum_to_one(got, "row", "a batch of two rows")
    if not close(got, softmax(batch)):
        raise off_by(got, softmax(batch), "a batch of two rows")
    return "right on small logits, on (1000, 1001, 999), on (-1000, -1001, -999) and per row."


@checker("02.3", "log-softmax without log(0)")
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
    got = result_array(call_on_copies(fn, small), "log-probabilities", small.shape)
    if not close(got, log_softmax(small)):
        raise off_by(got, log_softmax(small), fmt_logits(small))
    far = np.array([0.0, -800.0])
    got = result_array(call_on_copies(fn, far), "log-probabilities", far.shape)
    if np.isneginf(got).any():
        raise Mistake(
            f"-inf on {fmt_logits(far)}, where the log-probabilities are finite "
            "(about 0 and -800): "
            "that is log of softmax, and a probability that underflows to 0 has log -inf; "
            "compute x - logsumexp(x) instead"
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
            "(0, 1, 2) and (1000, 1001, 999): take the maximum of each row "
            "(axis=-1, keepdims=True), not of the whole batch"
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


@checker("02.4", "TwoSum, an error-free addition")
def check_two_sum(fn: Callable) -> str:
    """Exercise 02.4: TwoSum, ``s = fl(a + b)`` and ``e`` with ``s + e == a + b`` exactly.

    Taught in 02. `fn(a, b)` takes two floats and returns the pair ``(s, e)``.

    Examples
    --------
    >>> check_two_sum(lambda a, b: (a + b, 0.0)).passed
    ✗ Exercise 02.4: your error term is 0 on (0.1, 0.2), but a + b rounds there: \
e must hold exactly what the rounding lost
    False
    """
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


@checker("02.5", "softmax that wins back the last digits")
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
    got = result_array(call_on_copies(fn, small), "probabilities", small.shape)
    if not close(got, softmax(small)):
        raise off_by(got, softmax(small), fmt_logits(small))
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
