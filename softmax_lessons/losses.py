"""Cross-entropy from logits, its gradient ``p - y``, and the softmax Jacobian.

Taught in 05. A classifier's loss for one example with true class ``k`` is
``-log p_k = -x_k + logsumexp(x)``. It is computed here from the logits in one
fused step (log-softmax, then pick the target's entry), never as
``np.log(softmax(x))``: a probability that underflows to 0 has log ``-inf``,
while its log-probability is an ordinary finite number. This is why deep
learning frameworks ask for raw logits (``torch.nn.functional.cross_entropy``).

Targets come in two forms, and every function here accepts both:

- ``labels``: integer class indices of shape ``x.shape[:-1]``;
- ``y``: probability targets of the same shape as ``x`` (one-hot, or soft
  labels such as label smoothing), each row summing to 1.

The class axis is always the last one. The squared error of the probabilities
(`squared_error`, `squared_error_grad`) is here too, as the loss cross-entropy is
compared with.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .core import log_softmax, softmax
from .validation import (
    as_array,
    as_float_array,
    as_logits,
    check_distribution,
    check_int,
    check_labels,
)

__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_naive",
    "finite_difference_gradient",
    "one_hot",
    "softmax_jacobian",
    "squared_error",
    "squared_error_grad",
]

_REDUCTIONS = ("mean", "sum", "none")


def one_hot(labels: ArrayLike, n_classes: int) -> np.ndarray:
    """Turn integer class indices into one-hot rows of length `n_classes`.

    Taught in 05.

    Parameters
    ----------
    labels : array_like of int, shape (...)
        Class indices in ``0 .. n_classes - 1``.
    n_classes : int
        Length of each one-hot row.

    Returns
    -------
    ndarray of float64, shape (..., n_classes)

    Raises
    ------
    ValueError
        If a label is outside ``0 .. n_classes - 1``.

    Examples
    --------
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    n_classes = check_int(n_classes, "n_classes")
    idx = check_labels(labels, n_classes)
    return np.eye(n_classes)[idx]


def _targets(arr: np.ndarray, target: ArrayLike) -> np.ndarray:
    """Return the probability targets ``y`` (shape of `arr`) from labels or probabilities."""
    t = as_array(target, "target")
    n_classes = arr.shape[-1]
    if t.dtype.kind in "iu":
        if t.shape != arr.shape[:-1]:
            raise ValueError(
                f"integer labels must have shape {arr.shape[:-1]} (one per row of logits), "
                f"got target of shape {t.shape}"
            )
        return one_hot(t, n_classes)
    y = as_float_array(t, name="target")
    if y.shape != arr.shape:
        raise ValueError(
            f"probability targets must have the logits' shape {arr.shape}, got target of shape "
            f"{y.shape}; integer class indices need an integer dtype"
        )
    return check_distribution(y, "target")


def _weighted_sum(y: np.ndarray, logp: np.ndarray) -> np.ndarray:
    """``sum_j y_j logp_j`` where entries with ``y_j = 0`` add nothing, even if logp is -inf."""
    terms = np.zeros(np.broadcast_shapes(y.shape, logp.shape))
    np.multiply(y, logp, out=terms, where=y > 0)  # 0 * (-inf) would be NaN
    return terms.sum(axis=-1)


def _reduce(per_row: np.ndarray, reduction: str) -> float | np.ndarray:
    if reduction == "mean":
        if per_row.size == 0:
            raise ValueError(
                "the mean loss over an empty batch is undefined (0 rows of logits); "
                "pass at least one example, or use reduction='sum'"
            )
        return float(np.mean(per_row))
    if reduction == "sum":
        return float(np.sum(per_row))
    if reduction == "none":
        return per_row
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def cross_entropy(
    x: ArrayLike, target: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    """Cross-entropy ``-sum_j y_j log softmax(x)_j`` computed from the logits (fused).

    Taught in 05. With an integer label ``k`` this is ``-x_k + logsumexp(x)``: large
    when the model is confidently wrong, near 0 when it is confidently right.

    Parameters
    ----------
    x : array_like, shape (..., n_classes)
        Logits, one row per example.
    target : array_like
        Integer labels of shape ``x.shape[:-1]``, or probabilities of shape ``x.shape``.
    reduction : {"mean", "sum", "none"}, default "mean"
        Average or add the per-row losses, or return them all (shape ``x.shape[:-1]``).

    Returns
    -------
    float or ndarray
        The loss in nats (natural log).

    Raises
    ------
    ValueError
        If a label is out of range, probability targets do not sum to 1, shapes
        differ, or the batch is empty with ``reduction="mean"`` (an empty batch
        gives 0.0 with ``"sum"`` and an empty array with ``"none"``).
    TypeError
        If integer labels are given as floats.

    Examples
    --------
    >>> round(cross_entropy([2.0, 1.0, 0.0], 0), 4)              # -log 0.665
    0.4076
    >>> round(cross_entropy([[1e4, 0.0]], np.array([1])), 1)     # softmax-then-log gives inf
    10000.0
    >>> round(cross_entropy([2.0, 1.0, 0.0], [0.5, 0.5, 0.0]), 4)
    0.9076
    """
    arr = as_logits(x, "cross_entropy")
    y = _targets(arr, target)
    logp = log_softmax(arr)
    per_row = -_weighted_sum(y, logp)
    return _reduce(per_row, reduction)


def cross_entropy_naive(
    x: ArrayLike, target: ArrayLike, *, reduction: str = "mean"
) -> float | np.ndarray:
    """Softmax, then log, then pick the target: the fragile way, kept to show how it fails.

    Taught in 05. Once the true class's probability underflows to 0 (a confidently
    wrong model with logits in the hundreds), ``log(0) = -inf`` and the loss is
    ``inf``, with NumPy's divide-by-zero ``RuntimeWarning``.

    Parameters
    ----------
    x, target, reduction
        As in `cross_entropy` (same checks, same errors).

    Returns
    -------
    float or ndarray
        The loss in nats; ``inf`` where a true class's probability underflowed.

    Examples
    --------
    >>> round(cross_entropy_naive([2.0, 1.0, 0.0], 0), 4)
    0.4076
    >>> with np.errstate(divide="ignore"):
    ...     cross_entropy_naive([[1e4, 0.0]], np.array([1]))
    inf
    """
    arr = as_logits(x, "cross_entropy_naive")
    y = _targets(arr, target)
    logp = np.log(softmax(arr))
    per_row = -_weighted_sum(y, logp)
    return _reduce(per_row, reduction)


def cross_entropy_grad(x: ArrayLike, target: ArrayLike, *, reduction: str = "mean") -> np.ndarray:
    """Gradient of `cross_entropy` with respect to the logits: ``p - y``.

    Taught in 05. With ``reduction="mean"`` over a batch of ``N`` rows it is
    ``(p - y) / N``. Each row sums to 0: raising every logit by the same amount
    changes nothing (shift invariance), so the gradient has no component along
    the all-ones direction.

    Parameters
    ----------
    x, target, reduction
        As in `cross_entropy`.

    Returns
    -------
    ndarray, shape of `x`

    Examples
    --------
    >>> cross_entropy_grad([2.0, 1.0, 0.0], 0).round(3)      # p - one_hot(0)
    array([-0.335,  0.245,  0.09 ])
    """
    arr = as_logits(x, "cross_entropy_grad")
    y = _targets(arr, target)
    grad = softmax(arr) - y
    if reduction == "mean":
        n_rows = int(np.prod(arr.shape[:-1]))
        return grad / max(n_rows, 1)
    if reduction in ("sum", "none"):
        return grad
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def softmax_jacobian(p: ArrayLike) -> np.ndarray:
    """The Jacobian ``d p_i / d x_j = p_i (delta_ij - p_j)``, i.e. ``diag(p) - p p^T``.

    Taught in 05. Pass the probabilities ``p = softmax(x)``, not the logits. The
    matrix is symmetric, each row sums to 0, and it sends the all-ones vector to 0:
    adding a constant to every logit does not move the probabilities.

    Parameters
    ----------
    p : array_like, shape (..., n)
        Probabilities along the last axis.

    Returns
    -------
    ndarray, shape (..., n, n)

    Examples
    --------
    >>> softmax_jacobian([0.5, 0.5])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    arr = check_distribution(p, "p")
    diag = arr[..., :, None] * np.eye(arr.shape[-1])
    return diag - arr[..., :, None] * arr[..., None, :]


def finite_difference_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, h: float = 1e-6
) -> np.ndarray:
    """Central differences ``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every entry of `x`.

    Taught in 05, to check a gradient derived by hand. The error is of order ``h**2``
    from the formula plus ``eps / h`` from rounding, so ``h`` near 1e-6 suits float64.
    For a vector-valued `f` the result has shape ``f(x).shape + x.shape`` (a Jacobian).

    Examples
    --------
    >>> g = finite_difference_gradient(lambda v: float(np.sum(v**2)), [1.0, -2.0])
    >>> g.round(6)
    array([ 2., -4.])
    """
    arr = np.array(as_float_array(x), dtype=np.float64)
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(
            f"x must be finite numbers, at least one, got {arr.ravel()[:4].tolist()} of shape "
            f"{arr.shape}; a gradient needs a point to differentiate at"
        )
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, (int, float, np.integer, np.floating)):
        raise TypeError(f"h must be a number, got {h!r}; try 1e-6")
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be finite and > 0, got {h}; try 1e-6")
    columns = []
    for i in np.ndindex(arr.shape):
        up, down = arr.copy(), arr.copy()
        up[i] += h
        down[i] -= h
        columns.append((np.asarray(f(up)) - np.asarray(f(down))) / (2 * h))
    out = np.stack(columns, axis=-1)
    return out.reshape(out.shape[:-1] + arr.shape)


def squared_error(x: ArrayLike, target: ArrayLike) -> float | np.ndarray:
    """Squared error on the probabilities, ``sum_j (softmax(x)_j - y_j)^2``, one value per row.

    Taught in 05 as the loss cross-entropy is compared with (it is the Brier score of
    the prediction).

    Parameters
    ----------
    x : array_like, shape (..., n_classes)
        Logits, one row per example.
    target : array_like
        Integer labels of shape ``x.shape[:-1]``, or probabilities (one-hot or soft) of
        shape ``x.shape``, checked as in `cross_entropy`.

    Returns
    -------
    float or ndarray
        One value per row, shape ``x.shape[:-1]``.

    Examples
    --------
    >>> round(float(squared_error([2.0, 1.0, 0.0], [1.0, 0.0, 0.0])), 4)
    0.1801
    """
    arr = as_logits(x, "squared_error")
    y = _targets(arr, target)
    return np.sum((softmax(arr) - y) ** 2, axis=-1)


def squared_error_grad(x: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Gradient of `squared_error` with respect to the logits, row by row.

    Taught in 05. By the chain rule it is ``J @ 2(p - y)`` with the softmax Jacobian
    ``J = diag(p) - p p^T`` (symmetric), that is
    ``2 p * ((p - y) - sum_j p_j (p_j - y_j))``. Every entry carries a factor ``p_i``
    or the spread of ``p``, so it fades as the softmax saturates, even when the
    prediction is wrong.

    Parameters
    ----------
    x, target
        As in `squared_error` (same checks, same errors).

    Returns
    -------
    ndarray
        Same shape as `x`.

    Examples
    --------
    >>> squared_error_grad([2.0, 1.0, 0.0], [1.0, 0.0, 0.0]).round(4)
    array([-0.2396,  0.1955,  0.0441])
    >>> f"{squared_error_grad([-20.0, 0.0], [1.0, 0.0])[0]:.1e}"   # badly wrong, no push
    '-8.2e-09'
    """
    arr = as_logits(x, "squared_error_grad")
    p = softmax(arr)
    residual = p - _targets(arr, target)
    spread = np.sum(p * residual, axis=-1, keepdims=True)
    return 2 * p * (residual - spread)
