"""Input checks shared by every maths module: one home for the rules about inputs.

Each check returns the clean value or raises with the value it got, then the fix,
so a learner's mistake stops at the call that made it instead of coming out as a
silent wrong number later. One error rule throughout:

- ``TypeError`` when an argument is the wrong *kind* of thing (a string where
  numbers belong, a float mask, a list where a random generator belongs);
- ``ValueError`` when it is the right kind with a wrong *value* (a negative
  temperature, an axis out of range, probabilities that do not sum to 1).

Every message names the parameter and the value it got, then says what to do.
Learners rarely call these directly; the lesson modules do.

Examples
--------
>>> check_int(3, "top_k")
3
>>> check_int(2.5, "top_k")
Traceback (most recent call last):
...
TypeError: top_k must be an integer >= 1, got 2.5
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "DISTRIBUTION_TOLERANCE",
    "apply_where",
    "as_array",
    "as_float_array",
    "as_logits",
    "check_axis",
    "check_bool_mask",
    "check_distribution",
    "check_int",
    "check_labels",
    "check_logits",
    "check_number",
    "check_rng",
    "check_sampling_logits",
    "check_temperature",
    "distribution_tolerance",
    "inverse_cdf",
]


# ---------------------------------------------------------------------------
# Arrays of logits: dtype, axis, temperature, mask
# ---------------------------------------------------------------------------


def as_array(x: object, name: str) -> np.ndarray:
    """``np.asarray(x)``, with a ragged nested list reported in our words, not NumPy's.

    Examples
    --------
    >>> as_array([[1, 2], [3]], "lengths")
    Traceback (most recent call last):
    ...
    ValueError: lengths must be a rectangular array of numbers, got a ragged nested sequence ([[1, 2], [3]]); give every row the same length (pad with -inf to mask)
    """  # noqa: E501
    try:
        return np.asarray(x)
    except ValueError:
        raise ValueError(
            f"{name} must be a rectangular array of numbers, got a ragged nested sequence "
            f"({_short(x)}); give every row the same length (pad with -inf to mask)"
        ) from None


def _short(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to `limit` characters for an error message."""
    if isinstance(value, np.generic):
        value = value.item()  # '1', not np.str_('1')
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_float_array(x: ArrayLike, name: str = "x") -> np.ndarray:
    """Return `x` as a floating-point array without copying it if it already is one.

    Ints and bools become float64; float16, float32 and float64 are kept (as is
    any wider float NumPy offers). Strings, objects, complex numbers, dates and
    ``None`` raise ``TypeError``; a ragged nested list raises ``ValueError``.

    Examples
    --------
    >>> as_float_array([1, 2]).dtype
    dtype('float64')
    >>> as_float_array(np.ones(2, dtype=np.float32)).dtype
    dtype('float32')
    >>> as_float_array(["1", "2"])
    Traceback (most recent call last):
    ...
    TypeError: x must hold numbers, got dtype <U1 (for example '1'); convert it with np.asarray(..., dtype=float) first
    """  # noqa: E501
    arr = as_array(x, name)
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "f":
        return arr
    if kind == "c":
        raise TypeError(
            f"{name} must hold real numbers, got complex dtype {arr.dtype}; "
            "softmax is defined for real logits only (take .real or np.abs first)"
        )
    example = f" (for example {_short(arr.flat[0])})" if arr.size else ""
    raise TypeError(
        f"{name} must hold numbers, got dtype {arr.dtype}{example}; "
        "convert it with np.asarray(..., dtype=float) first"
    )


def check_axis(arr: np.ndarray, axis: object, name: str = "x") -> int:
    """Return `axis` as an index in ``0 .. arr.ndim - 1`` (negative axes count from the end).

    Raises ``TypeError`` if `axis` is not an integer (``None`` and tuples too:
    every function here works along one class axis) and
    :class:`numpy.exceptions.AxisError`, a ``ValueError``, if it is out of range;
    a 0-d array has no axis at all. `name` is the array's name in the message.

    Examples
    --------
    >>> check_axis(np.zeros((2, 3)), -1)
    1
    >>> check_axis(np.zeros((2, 3)), 2)
    Traceback (most recent call last):
    ...
    numpy.exceptions.AxisError: axis must be in -2..1 for x of shape (2, 3), got 2; the class axis is usually -1
    """  # noqa: E501
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(
            f"axis must be an int, got {_short(axis)}; this function works along one "
            "axis of classes (default -1, the last one)"
        )
    if arr.ndim == 0:
        raise np.exceptions.AxisError(
            f"{name} must have an axis of classes, got a 0-d array of shape (); wrap the "
            "logit in a list, e.g. [x]"
        )
    if not -arr.ndim <= axis < arr.ndim:
        raise np.exceptions.AxisError(
            f"axis must be in {-arr.ndim}..{arr.ndim - 1} for {name} of shape {arr.shape}, "
            f"got {int(axis)}; the class axis is usually -1"
        )
    return int(axis) % arr.ndim


def check_temperature(temperature: object) -> float:
    """Return `temperature` as a float, or raise if it is not a finite number > 0.

    A bool, string or array of several values raises ``TypeError``; zero, a
    negative number, ``inf`` or NaN raises ``ValueError``. Any positive float is
    accepted, however small: the functions that divide by it do so without
    rounding it to the logits' dtype first.

    Examples
    --------
    >>> check_temperature(0.5)
    0.5
    >>> check_temperature(0)
    Traceback (most recent call last):
    ...
    ValueError: temperature must be finite and > 0, got 0; for greedy decoding use argmax
    """
    value = temperature
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array holds one number: use it
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"temperature must be a real number, got {_short(temperature)}; "
            "pass a float such as 0.7"
        )
    try:
        t = float(value)
    except OverflowError:  # an int too large for a float
        t = float("inf")
    if not (np.isfinite(t) and t > 0):
        hint = "; for greedy decoding use argmax" if t == 0 else "; try a value such as 0.7"
        raise ValueError(f"temperature must be finite and > 0, got {_short(temperature)}{hint}")
    return t


def apply_where(arr: np.ndarray, where: ArrayLike | None) -> np.ndarray:
    """Return `arr` with positions where `where` is False set to ``-inf`` (a new array).

    With ``where=None`` the array is returned unchanged. `where` must be boolean
    (``TypeError`` otherwise): a mask of 0s and 1s is refused, because "masking
    with 0" is a classic mistake. It must broadcast to `arr` (``ValueError``).

    Examples
    --------
    >>> apply_where(np.array([1.0, 2.0, 3.0]), [True, False, True])
    array([  1., -inf,   3.])
    """
    if where is None:
        return arr
    mask = as_array(where, "where")
    if mask.dtype != np.bool_:
        raise TypeError(
            f"where must be a boolean mask (True = keep), got dtype {mask.dtype}; "
            "build it with a comparison such as `lengths[:, None] > np.arange(n)`"
        )
    try:
        mask = np.broadcast_to(mask, arr.shape)
    except ValueError:
        raise ValueError(
            f"where of shape {mask.shape} cannot be broadcast to x of shape {arr.shape}; "
            "give it x's shape, or 1 on the axes it does not vary along"
        ) from None
    return np.where(mask, arr, -np.inf).astype(arr.dtype, copy=False)


def check_logits(
    x: ArrayLike,
    axis: object = -1,
    *,
    temperature: object = 1.0,
    where: ArrayLike | None = None,
) -> tuple[np.ndarray, int, float]:
    """The input rules of the softmax family, in one call: ``(logits, axis, temperature)``.

    `x` becomes a float array (:func:`as_float_array`) with ``-inf`` where
    `where` is False (:func:`apply_where`, a new array only if there is a mask),
    `axis` a non-negative index (:func:`check_axis`) and `temperature` a float
    (:func:`check_temperature`). The input itself is never modified.

    Examples
    --------
    >>> check_logits([[1, 2]], temperature=2, where=[True, False])
    (array([[  1., -inf]]), 1, 2.0)
    """
    arr = as_float_array(x)
    axis = check_axis(arr, axis)
    t = check_temperature(temperature)
    return apply_where(arr, where), axis, t


def as_logits(x: ArrayLike, func: str, name: str = "x") -> np.ndarray:
    """Return `x` as a float array with a non-empty class axis (the last one).

    For the functions that need at least one logit per slice (sampling, losses,
    online softmax): a scalar or an empty last axis raises ``ValueError``,
    naming `name` and `func`.

    Examples
    --------
    >>> as_logits([1, 2], "softmax").dtype
    dtype('float64')
    >>> as_logits(np.zeros((2, 0)), "sparsemax")
    Traceback (most recent call last):
    ...
    ValueError: x must have at least one logit along its last axis for sparsemax, got shape (2, 0)
    """
    arr = as_float_array(x, name)
    if arr.ndim == 0:
        raise ValueError(
            f"{name} must be logits with a class axis for {func}, got the scalar "
            f"{float(arr)}; wrap it in a list"
        )
    if arr.shape[-1] == 0:
        raise ValueError(
            f"{name} must have at least one logit along its last axis for {func}, "
            f"got shape {arr.shape}"
        )
    return arr


# ---------------------------------------------------------------------------
# Probabilities
# ---------------------------------------------------------------------------

#: The smallest tolerance on the sum of a distribution (float32 and float64 use it).
DISTRIBUTION_TOLERANCE = 1e-6


def distribution_tolerance(dtype: np.dtype) -> float:
    """How far from 1 the sum of a distribution stored in `dtype` may be: ``max(1e-6, 4 eps)``.

    ``eps`` is the spacing of the dtype's floats at 1. Each probability, rounded
    to the dtype, is off by at most half an ``eps`` *of its own size*, so
    together they are off by at most half an ``eps`` of their sum, 1, however
    many classes there are: the tolerance does not grow with the number of
    classes. The sum itself is taken in float64, so it adds no error of its own.
    4 eps leaves room for the rounding of the computation before the last one;
    1e-6 is the floor for hand-typed or float32-computed probabilities.

    Examples
    --------
    >>> distribution_tolerance(np.dtype(np.float64)), distribution_tolerance(np.dtype(np.float16))
    (1e-06, 0.00390625)
    """
    return max(DISTRIBUTION_TOLERANCE, 4 * float(np.finfo(dtype).eps))


def check_distribution(
    p: ArrayLike, name: str = "p", *, axis: int = -1, allow_nan: bool = False
) -> np.ndarray:
    """Return `p` as a float array after checking it holds distributions along `axis`.

    Every entry must be finite and >= 0, and every slice along `axis` must sum
    to 1 within :func:`distribution_tolerance` of `p`'s dtype (the sum taken in
    float64; 1e-6 for float32 and float64, 0.0039 for float16, whatever the number
    of classes). An empty batch (no slices) is fine; a slice with no class is not.

    Parameters
    ----------
    p : array_like
        Probabilities.
    name : str, default "p"
        The parameter's name, for error messages.
    axis : int, default -1
        The class axis.
    allow_nan : bool, default False
        Let a slice holding a NaN through (its result is then NaN), for functions
        whose rule is that NaN stays in its own slice.

    Raises
    ------
    TypeError
        If `p` does not hold real numbers.
    ValueError
        If `p` is a scalar or has no class, has a negative, infinite (or NaN)
        entry, or a slice that does not sum to 1 (logits passed where
        probabilities belong).

    Examples
    --------
    >>> check_distribution([0.5, 0.5])
    array([0.5, 0.5])
    >>> check_distribution([2.0, 1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: p must be probabilities that sum to 1 along the last axis, got sums from 3 to 3; did you pass logits? apply softmax first
    >>> check_distribution(np.zeros(256, dtype=np.float16))
    Traceback (most recent call last):
    ...
    ValueError: p must be probabilities that sum to 1 along the last axis, got sums from 0 to 0; did you pass logits? apply softmax first
    """  # noqa: E501
    arr = as_float_array(p, name=name)
    if arr.ndim == 0:
        raise ValueError(
            f"{name} must be a non-empty array of probabilities along a class axis, "
            f"got the scalar {float(arr)}; wrap it in a list"
        )
    axis = check_axis(arr, axis, name)
    if arr.shape[axis] == 0:
        raise ValueError(
            f"{name} must be a non-empty array of probabilities, got shape {arr.shape} "
            f"(no class along axis {axis})"
        )
    with np.errstate(invalid="ignore"):
        bad = (arr < 0) | np.isinf(arr) | (np.isnan(arr) & (not allow_nan))
    if np.any(bad):
        raise ValueError(
            f"{name} must be probabilities (finite and >= 0), got an entry "
            f"{float(arr[bad].flat[0])}; did you pass logits? apply softmax first"
        )
    with np.errstate(over="ignore"):  # entries near 1e308 sum to inf: refused just below
        sums = np.sum(arr, axis=axis, dtype=np.float64)
    off = np.abs(sums - 1) > distribution_tolerance(arr.dtype)  # False for a NaN sum
    if np.any(off):
        where = "the last axis" if axis == arr.ndim - 1 else f"axis {axis}"
        finite = sums[~np.isnan(sums)]
        raise ValueError(
            f"{name} must be probabilities that sum to 1 along {where}, got sums from "
            f"{float(finite.min()):.4g} to {float(finite.max()):.4g}; "
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


# ---------------------------------------------------------------------------
# Sizes, masks, labels, random generators
# ---------------------------------------------------------------------------


def check_int(value: object, name: str, *, minimum: int = 1, hint: str = "") -> int:
    """Return `value` as an int if it is an integer >= `minimum`; never truncate a float.

    ``2.0``, ``2.7``, ``True``, ``"3"`` and ``None`` are not integers and raise
    ``TypeError`` (``int(2.7)`` would hide a bug upstream); an integer below
    `minimum` raises ``ValueError``. Both messages name `name` and the value.

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
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {_short(value)}{suffix}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}{suffix}")
    return int(value)


def check_number(value: object, name: str, *, finite: bool = True, positive: bool = False) -> float:
    """Return `value` as a float if it is a real number (a bool or a string is not).

    ``TypeError`` for anything else; ``ValueError`` if `finite` and it is NaN or
    infinite, or if `positive` and it is not > 0.

    Examples
    --------
    >>> check_number(np.float32(0.5), "spread")
    0.5
    >>> check_number(0, "spread", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: spread must be a finite number > 0, got 0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_short(value)}")
    number = float(value)
    if (finite and not np.isfinite(number)) or (positive and not number > 0):
        kind = "a finite number" if finite else "a number"
        raise ValueError(f"{name} must be {kind}{' > 0' if positive else ''}, got {value!r}")
    return number


def check_bool_mask(mask: ArrayLike, name: str = "mask") -> np.ndarray:
    """Return `mask` as a boolean array; a mask of 0/1 or floats is refused (``TypeError``).

    Same rule as the core softmax's ``where=``: True = may attend / keep.

    Examples
    --------
    >>> check_bool_mask([[True, False]])
    array([[ True, False]])
    """
    arr = as_array(mask, name)
    if arr.dtype != np.bool_:
        raise TypeError(
            f"{name} must be a boolean mask (True = keep), got dtype {arr.dtype}; "
            "build it with a comparison such as `np.arange(n) < length`"
        )
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
    idx = as_array(labels, "labels")
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
