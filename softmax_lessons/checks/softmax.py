"""Checkers of exercises/01_definition.ipynb (Definition)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core import entropy, softmax
from . import rules
from .runner import (
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

__all__ = [
    "check_entropy_bits",
    "check_logits_from_probs",
    "check_softmax_py",
    "check_softmax_rows",
]


@checker("01.1", "softmax in pure Python", points=2)
def check_softmax_py(fn: Callable) -> str:
    """Exercise 01.1: softmax of a list of floats, in pure Python.

    Taught in 01. `fn` takes a list of logits and returns a new list of probabilities.
    The rule "plain Python only" is read from the function's source: no NumPy.

    Examples
    --------
    >>> check_softmax_py(lambda x: [v / sum(x) for v in x]).passed
    ✗ Exercise 01.1: on (2, 1, 0) your probabilities are the logits divided by their sum; \
exponentiate each logit first (negative logits would give negative 'probabilities')
    False
    """
    cases = [[2.0, 1.0, 0.0], [0.5, -1.0, 3.0, 0.0], [7.0], [-3.0, -3.0]]
    for x in cases:
        given = list(x)
        result = fn(given)
        if result is None:
            raise Mistake(
                "your function returned None where the probabilities were expected",
                hint="did you forget `return`?",
            )
        if given != x:
            raise Mistake(
                "your function changed the list it was given",
                hint="build a new list instead of writing into the input",
            )
        if isinstance(result, np.ndarray):
            raise Mistake(
                "you returned a NumPy array, but this exercise is plain Python",
                hint="return a list",
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
                f"on {fmt_logits(x)} your probabilities are the logits divided by their sum",
                hint="exponentiate each logit first (negative logits would give negative "
                "'probabilities')",
            )
        if close(got, np.exp(xs)) and not np.isclose(np.exp(xs).sum(), 1):
            raise Mistake(
                f"on {fmt_logits(x)} you returned the exponentials themselves",
                hint="divide each one by the sum of all of them",
            )
        if (got < 0).any():
            raise Mistake(f"on {fmt_logits(x)} you returned a negative probability")
        if not math.isclose(sum(got), 1.0, rel_tol=1e-9):
            raise Mistake(f"on {fmt_logits(x)} your probabilities sum to {sum(got):.4g}, not 1")
        if not close(got, softmax(xs)):
            raise off_by(got, softmax(xs), fmt_logits(x))
    rules.enforce(
        rules.numpy_uses(fn),
        "plain Python only (no NumPy)",
        hint="math.exp, max, sum and a list comprehension are all you need",
    )
    return "your list matches softmax on four inputs, including one logit and a tie."


@checker("01.3", "softmax of a batch, row by row", points=2)
def check_softmax_rows(fn: Callable) -> str:
    """Exercise 01.3: softmax of each row of a batch, with NumPy and no Python loop.

    Taught in 01. `fn` takes an array of shape (batch, n_classes) and returns the
    probabilities, same shape, each row summing to 1. The rule "no Python loop" is
    read from the function's source.

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
                f"on {on} NumPy could not broadcast the division ({exc})",
                hint="keep the summed axis with keepdims=True",
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
    rules.enforce(
        rules.loops(fn),
        "no Python loop",
        hint="np.exp and np.sum work on the whole array at once; sum along axis=-1",
    )
    return "every row sums to 1 and matches softmax, on square and non-square batches."


#: Probabilities for exercise 01.5, each row strictly positive.
_PROBS = [
    np.array([0.5, 0.25, 0.25]),
    np.array([0.1, 0.2, 0.3, 0.4]),
    np.array([1.0]),
    np.array([1e-200, 0.5, 0.5 - 1e-200]),
]
_PROB_BATCH = np.array([[0.7, 0.2, 0.1], [0.05, 0.05, 0.9]])


@checker("01.5", "logits from probabilities", points=3)
def check_logits_from_probs(fn: Callable) -> str:
    """Exercise 01.5: logits whose softmax is `p`, centred to mean 0 along the last axis.

    Taught in 01 (only differences of logits matter). `fn(p)` takes probabilities
    (every entry > 0), a 1-D array or a batch of rows, and returns logits of the
    same shape with ``softmax(x) == p`` and each row's mean 0.

    Examples
    --------
    >>> check_logits_from_probs(np.log).passed
    ✗ Exercise 01.5: on p = (0.5, 0.25, 0.25) softmax of your logits gives back p, \
but their mean is -1.16, not 0; softmax ignores a constant added to every logit: \
subtract the one that makes the mean 0
    False
    """
    cases = [(p, f"p = {fmt_logits(p)}") for p in _PROBS] + [(_PROB_BATCH, "a batch of 2 rows")]
    for p, on in cases:
        got = result_array(call_on_copies(fn, p), "logits", p.shape)
        if np.isneginf(got).any() or np.isnan(got).any():
            raise Mistake(f"{not_finite(got)} in your logits for {on}, where every p is > 0")
        if np.isposinf(got).any():
            raise Mistake(f"inf in your logits for {on}")
        back = softmax(got)
        if not close(back, p, rtol=1e-9, atol=1e-15):
            if p.size > 1 and close(got, p):
                raise Mistake(
                    f"on {on} your logits are the probabilities themselves, and softmax of "
                    "them is not p",
                    hint="softmax exponentiates: which function undoes exp?",
                )
            # the base is recognised only on probabilities far from 0, where it shows
            for base, name in ((2.0, "2"), (10.0, "10")):
                if p.min() > 1e-6 and close(softmax(got * np.log(base)), p, rtol=1e-9):
                    raise Mistake(
                        f"on {on} softmax of your logits is sharper than p: they look like "
                        f"logarithms to base {name}",
                        hint="softmax uses exp, so undo it with the natural logarithm",
                    )
            err = float(np.max(np.abs(back - p)))
            raise Mistake(f"on {on} softmax of your logits is off from p by up to {err:.3g}")
        means = got.mean(axis=-1)
        if not np.allclose(means, 0, atol=1e-9):
            if p.ndim == 2 and np.isclose(got.mean(), 0, atol=1e-9):
                raise Mistake(
                    f"on {on} the mean of the whole batch is 0 but the row means are "
                    f"{np.round(means, 3).tolist()}",
                    hint="centre each row: take the mean along axis=-1 with keepdims=True",
                )
            if np.allclose(got.max(axis=-1), 0):
                raise Mistake(
                    f"on {on} softmax of your logits gives back p and the largest logit is 0, "
                    f"but the mean is {float(np.ravel(means)[0]):.3g}, not 0",
                    hint="the exercise asks for logits centred on their mean, not on their "
                    "maximum",
                )
            raise Mistake(
                f"on {on} softmax of your logits gives back p, but their mean is "
                f"{float(np.ravel(means)[0]):.3g}, not 0",
                hint="softmax ignores a constant added to every logit: subtract the one that "
                "makes the mean 0",
            )
    return "softmax of your logits gives back p, centred to mean 0, for vectors and a batch."


#: Logits for exercise 01.6 and what each one exposes.
_ENTROPY_CASES = [
    (np.array([2.0, 1.0, 0.0]), "(2, 1, 0)"),
    (np.array([0.0, 0.0, 0.0, 0.0]), "four equal logits"),
    (np.array([5.0]), "a single logit"),
]


@checker("01.6", "entropy in bits, from logits", points=3)
def check_entropy_bits(fn: Callable) -> str:
    """Exercise 01.6: the entropy in bits of ``softmax(x)``, along the last axis.

    Taught in 01 (the explorer's entropy) and 03. `fn(x)` takes logits, a 1-D array
    or a batch of rows, and returns one entropy per row; it must stay finite when
    a probability underflows to 0 and when the logits are huge. Calling the
    package's ``entropy`` is ruled out (read from the source).

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_entropy_bits(lambda x: -np.sum(softmax(x) * np.log(softmax(x)), axis=-1)).passed
    ✗ Exercise 01.6: on (2, 1, 0) your entropy is 0.832, which is the entropy in nats, \
not bits; divide by ln 2 (or take log2) to count in bits
    False
    """
    for x, on in _ENTROPY_CASES:
        want = float(entropy(softmax(x)))
        result = call_on_copies(fn, x)
        if np.ndim(result) != 0:
            raise Mistake(
                f"on the 1-D logits {on} expected one number, got shape {np.shape(result)}",
                hint="the entropy adds up over the classes: sum along axis=-1",
            )
        got = float(result)
        if math.isnan(got) or math.isinf(got):
            raise Mistake(f"{'NaN' if math.isnan(got) else 'inf'} on the small logits {on}")
        if got < -1e-12:
            raise Mistake(
                f"on {on} your entropy is negative ({got:.3g})",
                hint="log p is never positive, so H = -sum p log p carries a minus sign",
            )
        if want > 0 and math.isclose(got, want * math.log(2), rel_tol=1e-9):
            raise Mistake(
                f"on {on} your entropy is {got:.3g}, which is the entropy in nats, not bits",
                hint="divide by ln 2 (or take log2) to count in bits",
            )
        if want > 0 and math.isclose(got, want * math.log10(2), rel_tol=1e-9):
            raise Mistake(
                f"on {on} your entropy is {got:.3g}, which is the entropy in base 10, not bits",
                hint="take log2, or divide natural logarithms by ln 2",
            )
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
            raise Mistake(f"on {on} your entropy is {got:.4g}, off by {abs(got - want):.3g}")
    far = np.array([0.0, -800.0])
    got = float(call_on_copies(fn, far))
    if math.isnan(got):
        raise Mistake(
            f"NaN on {fmt_logits(far)}, where the entropy is finite (about 0)",
            hint="p = exp(-800) underflows to 0 and 0 * log 0 is NaN; take the log from "
            "log-softmax, or count 0 log 0 as 0",
        )
    if not math.isclose(got, 0.0, abs_tol=1e-9):
        raise Mistake(f"on {fmt_logits(far)} your entropy is {got:.3g}, far from about 0")
    large = np.array([1000.0, 1001.0, 999.0])
    got = float(call_on_copies(fn, large))
    if not math.isfinite(got):
        raise no_max_shift(large, "NaN" if math.isnan(got) else "inf")
    want = float(entropy(softmax(large)))
    if not math.isclose(got, want, rel_tol=1e-9):
        raise Mistake(f"on {fmt_logits(large)} your entropy is off by {abs(got - want):.3g}")
    batch = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, -800.0, -800.0]])
    on = "a batch of 3 rows"
    got = result_array(call_on_copies(fn, batch), "entropies", None)
    if got.shape != (3,):
        raise Mistake(
            f"on {on} (shape (3, 3)) expected one entropy per row, shape (3,), got shape "
            f"{got.shape}",
            hint="sum along the class axis only (axis=-1)",
        )
    want_rows = entropy(softmax(batch))
    if not_finite(got):
        raise Mistake(
            f"{not_finite(got)} on {on} whose last row is (0, -800, -800)",
            hint="handle each row as you handled one vector (max and sums along axis=-1)",
        )
    if not close(got, want_rows, rtol=1e-9, atol=1e-9):
        raise off_by(got, want_rows, on)
    rules.enforce(
        rules.calls_to(fn, {"entropy"}),
        "compute it yourself (no package entropy)",
        hint="log-probabilities from the logits, then -sum p log p, in bits",
    )
    return "in bits, finite on (0, -800) and (1000, 1001, 999), one entropy per row of a batch."
