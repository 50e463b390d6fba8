"""Input checks shared by the lesson modules (sampling, attention, calibration, ...).

Each check returns the clean value or raises with the value it got, then the fix,
so a learner's mistake stops at the call that made it instead of coming out as a
silent wrong number later. The modules of lessons 03-06 import these; learners
rarely call them directly.

Examples
--------
>>> check_int(3, "top_k")
3
>>> check_int(2.5, "top_k")
Traceback (most recent call last):
...
ValueError: top_k must be an integer >= 1, got 2.5
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .core import as_float_array, check_axis

__all__ = [
    "as_logits",
    "check_bool_mask",
    "check_distribution",
    "check_int",
    "check_labels",
    "check_rng",
    "check_sampling_logits",
    "inverse_cdf",
]


def check_rng(rng: object, name: str = "rng") -> np.random.Generator:
    """Return `rng` if it is a :class:`numpy.random.Generator`, else raise ``TypeError``.

    Examples
    --------
    >>> isinstance(check_rng(np.random.default_rng(0)), np.random.Generator)
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator, got {type(rng).__name__}; "
            "make one at the top of the lesson with rng = np.random.default_rng(seed)"
        )
    return rng


def check_int(value: object, name: str, *, minimum: int = 1, hint: str = "") -> int:
    """Return `value` as an int if it is an integer >= `minimum`; never truncate a float.

    ``2.0``, ``2.7``, ``True`` and ``"3"`` are refused alike (``ValueError``): a
    size that is not a whole number is almost always a bug upstream, and
    ``int(2.7)`` would hide it.

    Examples
    --------
    >>> check_int(np.int64(4), "n")
    4
    >>> check_int(0, "n")
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 1, got 0
    """
    suffix = f"; {hint}" if hint else ""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}{suffix}")
    return int(value)


def check_bool_mask(mask: ArrayLike, name: str = "mask") -> np.ndarray:
    """Return `mask` as a boolean array; a mask of 0/1 or floats is refused (``TypeError``).

    Same rule as the core softmax's ``where=``: True = may attend / keep.

    Examples
    --------
    >>> check_bool_mask([[True, False]])
    array([[ True, False]])
    """
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise TypeError(
            f"{name} must be a boolean mask (True = keep), got dtype {arr.dtype}; "
            "build it with a comparison such as `np.arange(n) < length`"
        )
    return arr


def check_distribution(p: ArrayLike, name: str = "p") -> np.ndarray:
    """Return `p` as a float array after checking it holds distributions along the last axis.

    Every entry must be finite and >= 0 and every slice along the last axis must
    sum to 1 (to rounding: a tolerance of ``1e-6``, more for float32 or many classes).

    Raises
    ------
    ValueError
        If `p` is a scalar or empty, has a negative, NaN or infinite entry, or a
        slice that does not sum to 1 (logits passed where probabilities belong).

    Examples
    --------
    >>> check_distribution([0.5, 0.5])
    array([0.5, 0.5])
    >>> check_distribution([2.0, 1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: p must be probabilities that sum to 1 along the last axis, got sums from 3 to 3; did you pass logits? apply softmax first
    """  # noqa: E501
    arr = as_float_array(p, name=name)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty array of probabilities, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        bad = arr[~np.isfinite(arr) | (arr < 0)].flat[0]
        raise ValueError(
            f"{name} must be probabilities (finite and >= 0), got an entry {float(bad)}; "
            "did you pass logits? apply softmax first"
        )
    sums = arr.sum(axis=-1)
    tol = max(1e-6, 4 * arr.shape[-1] * float(np.finfo(arr.dtype).eps))
    if not np.all(np.abs(sums - 1.0) <= tol):
        raise ValueError(
            f"{name} must be probabilities that sum to 1 along the last axis, got sums from "
            f"{float(sums.min()):.4g} to {float(sums.max()):.4g}; "
            "did you pass logits? apply softmax first"
        )
    return arr


def check_sampling_logits(arr: np.ndarray, name: str = "x") -> np.ndarray:
    """Refuse logits a sampler cannot draw from: NaN, ``+inf``, or every entry ``-inf``.

    ``-inf`` marks a token that is not allowed and is fine, as long as one token
    in each slice along the last axis is allowed.

    Examples
    --------
    >>> check_sampling_logits(np.array([0.0, -np.inf]))
    array([  0., -inf])
    >>> check_sampling_logits(np.array([-np.inf, -np.inf]))
    Traceback (most recent call last):
    ...
    ValueError: every logit in x is -inf (no token is allowed); allow at least one token
    """
    if np.any(np.isnan(arr)):
        where = np.argwhere(np.isnan(arr))[0].tolist()
        raise ValueError(
            f"{name} contains NaN (at index {where}); a NaN logit has no probability: "
            "find where it came from, or use -inf to forbid a token"
        )
    if np.any(arr == np.inf):
        where = np.argwhere(arr == np.inf)[0].tolist()
        raise ValueError(
            f"{name} contains +inf (at index {where}), which makes softmax NaN; "
            "use large finite logits instead"
        )
    empty = np.all(arr == -np.inf, axis=-1)
    if np.any(empty):
        row = f" in row {tuple(np.argwhere(empty)[0].tolist())}" if arr.ndim > 1 else ""
        raise ValueError(
            f"every logit in {name} is -inf (no token is allowed){row}; "
            "allow at least one token"
        )
    return arr


def as_logits(x: ArrayLike, func: str) -> np.ndarray:
    """Return `x` as a float array with a non-empty class axis (the last one).

    Examples
    --------
    >>> as_logits([1, 2], "softmax").dtype
    dtype('float64')
    """
    arr = as_float_array(x)
    if arr.ndim == 0:
        raise ValueError(
            f"{func} needs logits with a class axis, got a scalar {float(arr)}; "
            "wrap it in a list"
        )
    check_axis(arr, -1, func)
    return arr


def check_labels(
    labels: ArrayLike, n_classes: int, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """Return `labels` as an integer array of class indices in ``0 .. n_classes - 1``.

    Raises
    ------
    TypeError
        If `labels` is not of an integer dtype (floats are refused, not truncated).
    ValueError
        If `shape` is given and differs, or a label is out of range.

    Examples
    --------
    >>> check_labels([2, 0], 3)
    array([2, 0])
    """
    idx = np.asarray(labels)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"labels must be integer class indices, got dtype {idx.dtype}; "
            "pass the index of the true class of each example"
        )
    if shape is not None and idx.shape != tuple(shape):
        raise ValueError(
            f"labels must be integer class indices of shape {tuple(shape)} (one per example), "
            f"got shape {idx.shape}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= n_classes):
        bad = idx[(idx < 0) | (idx >= n_classes)].flat[0]
        raise ValueError(
            f"labels must be in 0..{n_classes - 1}, got {int(bad)}; "
            "check that the logits have one column per class"
        )
    return idx


def inverse_cdf(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Turn uniform numbers ``u`` in [0, 1) into class indices drawn from `p`.

    `p` holds distributions along its last axis; `u` has shape ``p.shape[:-1]``
    (one number per distribution) or, for a 1-D `p`, any shape (one draw each).
    The index is that of the slice of [0, 1) containing ``u``; a class with
    probability 0 owns an empty slice and is never picked.

    Examples
    --------
    >>> inverse_cdf(np.array([0.5, 0.0, 0.5]), np.array([0.1, 0.5, 0.9]))
    array([0, 2, 2])
    """
    cdf = np.cumsum(p, axis=-1)
    if p.ndim == 1:
        scaled = np.asarray(u) * cdf[-1]
        # side="right": a zero-probability class (equal neighbouring cdf values) is skipped.
        return np.minimum(np.searchsorted(cdf, scaled, side="right"), p.size - 1)
    scaled = np.asarray(u)[..., None] * cdf[..., -1:]
    return np.minimum(np.sum(cdf <= scaled, axis=-1), p.shape[-1] - 1)
