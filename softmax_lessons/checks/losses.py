"""Checkers of exercises/05_cross_entropy_and_gradients.ipynb (Cross-entropy and gradients)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core import log_softmax, softmax
from .runner import (
    Mistake,
    call_on_copies,
    checker,
    close,
    fmt_logits,
    no_max_shift,
    off_by,
    result_array,
)

__all__ = ["check_cross_entropy", "check_cross_entropy_grad", "check_softmax_jacobian"]


def _mean_ce(logits, labels):
    return float(-np.mean(log_softmax(logits)[np.arange(len(labels)), labels]))


@checker("05.1", "cross-entropy from logits")
def check_cross_entropy(fn: Callable) -> str:
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
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0]])
    labels = np.array([0, 1, 0])
    on = "a batch of 3 with labels (0, 1, 0)"
    result = call_on_copies(fn, logits, labels)
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
    got_large = float(call_on_copies(fn, large, np.array([1])))
    if not math.isfinite(got_large):
        raise no_max_shift(large, "NaN" if math.isnan(got_large) else "inf")
    far = np.array([[0.0, 800.0], [1.0, 0.0]])
    far_labels = np.array([0, 0])
    got = float(call_on_copies(fn, far, far_labels))
    if math.isinf(got):
        raise Mistake(
            "inf on logits (0, 800) with label 0, where the loss is finite (about 800): that "
            "is log of softmax, and p = exp(-800) underflows to 0; use log-softmax "
            "(x_k - logsumexp(x)) instead"
        )
    if math.isnan(got):
        raise no_max_shift(far[0], "NaN")
    for x, y, g in ((far, far_labels, got), (large, np.array([1]), got_large)):
        if not math.isclose(g, _mean_ce(x, y), rel_tol=1e-9):
            raise Mistake(
                f"your loss on logits {fmt_logits(x[0])}, ... is off: compute it from log-softmax"
            )
    return "right on a small batch, finite on logits (0, 800) and (1000, 1001, 999)."


@checker("05.3", "the gradient of cross-entropy")
def check_cross_entropy_grad(fn: Callable) -> str:
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
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0], [1.0, -1.0, 0.5]])
    labels = np.array([0, 1, 0, 2])
    n = len(labels)
    on = "a batch of 4"
    got = result_array(call_on_copies(fn, logits, labels), "gradient", logits.shape)
    y = np.eye(3)[labels]
    p = softmax(logits)
    want = (p - y) / n
    if close(got, want):
        return "equals (p - y) / N, the gradient of the mean loss, on a batch of 4."
    if close(got, -want):
        raise Mistake(
            f"on {on} your gradient points the wrong way (it is y - p): gradient descent "
            "would raise the loss"
        )
    if close(got, want * n):
        raise Mistake(
            f"on {on} your gradient is N = {n} times too large: the loss is a mean over the "
            "batch, so divide by N"
        )
    if close(got, p / n) or close(got, p):
        raise Mistake(
            f"on {on} each row of the gradient should sum to 0 (shift invariance); you "
            "forgot to subtract the one-hot labels"
        )
    raise off_by(got, want, on)


@checker("05.4", "the softmax Jacobian")
def check_softmax_jacobian(fn: Callable) -> str:
    """Exercise 05.4: ``fn(p)`` returns the Jacobian of softmax at probabilities `p`.

    Taught in 05. Entry (i, j) is d p_i / d x_j.

    Examples
    --------
    >>> check_softmax_jacobian(lambda p: p * (1 - p)).passed
    ✗ Exercise 05.4: expected the Jacobian with shape (3, 3), got shape (3,)
    False
    """
    for x in ([2.0, 1.0, 0.0], [0.1, -0.4, 1.3, 0.0]):
        p = softmax(np.array(x))
        on = f"p = softmax{fmt_logits(x)}"
        got = result_array(call_on_copies(fn, p), "Jacobian", (p.size, p.size))
        want = np.diag(p) - np.outer(p, p)
        if close(got, want):
            continue
        if close(got, -want):
            raise Mistake(
                f"on {on} your Jacobian has the wrong sign: the diagonal must be positive"
            )
        if close(got, np.diag(p)) or close(got, np.diag(p * (1 - p))):
            raise Mistake(
                f"on {on} your Jacobian is diagonal, but raising one logit lowers every other "
                "probability: the off-diagonal entries are -p_i p_j"
            )
        if not np.allclose(got.sum(axis=1), 0):
            raise Mistake(f"on {on} the rows of the Jacobian should sum to 0 (shift invariance)")
        raise off_by(got, want, on)
    return "symmetric, rows sum to 0, and equal to the true Jacobian on two inputs."
