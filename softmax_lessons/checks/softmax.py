"""Checkers of exercises/01_definition.ipynb (Definition)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core import softmax
from .runner import (
    Mistake,
    call_on_copies,
    checker,
    close,
    fmt_logits,
    not_finite,
    off_by,
    result_array,
    rows_sum_to_one,
)

__all__ = ["check_softmax_py", "check_softmax_rows"]


@checker("01.1", "softmax in pure Python")
def check_softmax_py(fn: Callable) -> str:
    """Exercise 01.1: softmax of a list of floats, in pure Python.

    Taught in 01. `fn` takes a list of logits and returns a new list of probabilities.

    Examples
    --------
    >>> check_softmax_py(lambda x: [v / sum(x) for v in x]).passed
    ✗ Exercise 01.1: on (2, 1, 0) you divided the logits by their sum: exponentiate each \
logit first (negative logits would give negative 'probabilities')
    False
    """
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
        got = result_array(result, "probabilities", (len(x),))
        xs = np.array(x)
        if not_finite(got):
            raise Mistake(f"{not_finite(got)} on the small logits {fmt_logits(x)}")
        naive = xs / xs.sum() if xs.sum() != 0 else xs
        if len(x) > 1 and close(got, naive) and not close(naive, softmax(xs)):
            raise Mistake(
                f"on {fmt_logits(x)} you divided the logits by their sum: exponentiate each logit "
                "first (negative logits would give negative 'probabilities')"
            )
        if close(got, np.exp(xs)) and not np.isclose(np.exp(xs).sum(), 1):
            raise Mistake(
                f"on {fmt_logits(x)} you returned the exponentials themselves: divide each one "
                "by the sum of all of them"
            )
        if (got < 0).any():
            raise Mistake(f"on {fmt_logits(x)} you returned a negative probability")
        if not math.isclose(sum(got), 1.0, rel_tol=1e-9):
            raise Mistake(f"on {fmt_logits(x)} your probabilities sum to {sum(got):.4g}, not 1")
        if not close(got, softmax(xs)):
            raise off_by(got, softmax(xs), fmt_logits(x))
    return "your list matches softmax on four inputs, including one logit and a tie."


@checker("01.3", "softmax of a batch, row by row")
def check_softmax_rows(fn: Callable) -> str:
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
    x = np.array([[2.0, 1.0, 0.0, -1.0], [0.5, 0.5, 3.0, 1.0], [-2.0, 0.0, 1.5, 0.2]])
    on = "a batch of shape (3, 4)"
    try:
        result = call_on_copies(fn, x)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise Mistake(
                f"on {on} NumPy could not broadcast the division ({exc}); "
                "keep the summed axis with keepdims=True"
            ) from None
        raise
    got = result_array(result, "probabilities", x.shape)
    if not_finite(got):
        raise Mistake(f"{not_finite(got)} on {on} of small logits")
    rows_sum_to_one(got, "row", on)
    if not close(got, softmax(x)):
        raise off_by(got, softmax(x), on)
    square = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 4.0], [3.0, -1.0, 1.0]])
    got = result_array(call_on_copies(fn, square), "probabilities", square.shape)
    rows_sum_to_one(got, "row", "a square batch (3, 3)")
    if not close(got, softmax(square)):
        raise off_by(got, softmax(square), "a square batch (3, 3)")
    return "every row sums to 1 and matches softmax, on square and non-square batches."
