"""Softmax, log-softmax, log-sum-exp, entropy and sigmoid.

Taught in 01 (definition) and 02 (numerical stability). Every function here
takes logits ``x`` of any shape and works along ``axis`` (default -1, the class
axis, as in ``torch.softmax(x, dim=-1)`` and ``jax.nn.softmax(x, axis=-1)``).

Rules shared by every function (each one is tested in ``tests/test_core.py``):

- lists, tuples and arrays are accepted; ints and bools become float64;
  float16, float32 and float64 keep their dtype (float16 is computed in
  float32 and rounded once at the end, as deep-learning frameworks do);
- strings, objects and complex numbers raise ``TypeError``;
- ``where`` is a boolean mask broadcastable to ``x``; False positions are left
  out: probability exactly 0, log-probability ``-inf``;
- a slice with nothing allowed (every entry masked or ``-inf``) gives zeros from
  `softmax` and ``-inf`` from `log_softmax` and `logsumexp`: this is what
  attention needs for a fully padded row, where plain softmax gives NaN;
- a NaN or ``+inf`` logit makes its own slice NaN and leaves the others alone;
- the input is never modified.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["entropy", "log_softmax", "logsumexp", "sigmoid", "softmax", "softmax_naive"]


# ---------------------------------------------------------------------------
# Input checks shared by every public function
# ---------------------------------------------------------------------------


def as_float_array(x: ArrayLike, name: str = "x") -> np.ndarray:
    """Return `x` as a floating-point array without copying it if it already is one.

    Ints and bools become float64; float16/32/64 are kept. Strings, objects and
    complex numbers raise ``TypeError``.

    Examples
    --------
    >>> as_float_array([1, 2]).dtype
    dtype('float64')
    >>> as_float_array(np.ones(2, dtype=np.float32)).dtype
    dtype('float32')
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "f":
        return arr
    if kind == "c":
        raise TypeError(
            f"{name} must hold real numbers, got complex dtype {arr.dtype}; "
            "softmax is defined for real logits only"
        )
    example = f" (for example {arr.flat[0]!r})" if arr.size else ""
    raise TypeError(
        f"{name} must hold numbers, got dtype {arr.dtype}{example}; "
        "convert it with np.asarray(..., dtype=float) first"
    )


def check_axis(arr: np.ndarray, axis: int, func: str) -> int:
    """Return `axis` as a non-negative index; raise if it is out of range or empty.

    `func` names the caller in the error message.

    Examples
    --------
    >>> check_axis(np.zeros((2, 3)), -1, "softmax")
    1
    >>> check_axis(np.zeros((2, 0)), -1, "softmax")
    Traceback (most recent call last):
    ...
    ValueError: softmax needs at least one entry along axis 1, got shape (2, 0)
    """
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if not -arr.ndim <= axis < arr.ndim:
        raise np.exceptions.AxisError(int(axis), arr.ndim)
    axis = int(axis) % arr.ndim
    if arr.shape[axis] == 0:
        raise ValueError(
            f"{func} needs at least one entry along axis {axis}, got shape {arr.shape}"
        )
    return axis


def check_temperature(temperature: float) -> float:
    """Return `temperature` as a float, or raise ``ValueError`` if it is not finite and > 0.

    Examples
    --------
    >>> check_temperature(0.5)
    0.5
    >>> check_temperature(0)
    Traceback (most recent call last):
    ...
    ValueError: temperature must be finite and > 0, got 0; for greedy decoding use argmax
    """
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.number)):
        raise TypeError(f"temperature must be a real number, got {temperature!r}")
    t = float(temperature)
    if not (np.isfinite(t) and t > 0):
        hint = "; for greedy decoding use argmax" if t == 0 else ""
        raise ValueError(f"temperature must be finite and > 0, got {temperature!r}{hint}")
    return t


def apply_where(arr: np.ndarray, where: ArrayLike | None) -> np.ndarray:
    """Return `arr` with positions where `where` is False set to ``-inf`` (a new array).

    With ``where=None`` the array is returned unchanged. `where` must be boolean:
    a mask of 0s and 1s is refused, because "masking with 0" is a classic mistake.

    Examples
    --------
    >>> apply_where(np.array([1.0, 2.0, 3.0]), [True, False, True])
    array([  1., -inf,   3.])
    """
    if where is None:
        return arr
    mask = np.asarray(where)
    if mask.dtype != np.bool_:
        raise TypeError(
            f"where must be a boolean mask (True = keep), got dtype {mask.dtype}; "
            "build it with a comparison such as `lengths[:, None] > np.arange(n)`"
        )
    try:
        mask = np.broadcast_to(mask, arr.shape)
    except ValueError:
        raise ValueError(
            f"where of shape {mask.shape} cannot be broadcast to x of shape {arr.shape}"
        ) from None
    return np.where(mask, arr, -np.inf).astype(arr.dtype, copy=False)


def _work_dtype(arr: np.ndarray) -> np.dtype:
    """float16 is computed in float32 (and rounded once at the end)."""
    return np.dtype(np.float32) if arr.dtype == np.float16 else arr.dtype


def _prepare(x, axis, temperature, where, func):
    """Shared front half: checks, mask, and the dtype to compute in."""
    arr = as_float_array(x)
    axis = check_axis(arr, axis, func)
    t = check_temperature(temperature)
    arr = apply_where(arr, where)
    return arr, axis, t, _work_dtype(arr)


def _shift(arr, axis, work):
    """The per-slice shift: the maximum, or 0 where the maximum is -inf.

    A slice whose maximum is -inf has nothing allowed; shifting by -inf would give
    ``-inf - (-inf) = NaN``, so we shift by 0 instead and let exp give zeros.
    """
    m = np.max(arr, axis=axis, keepdims=True).astype(work)
    m[m == -np.inf] = 0
    return m


def _shifted_into(out, arr, m, t):
    """Write ``(x - m) / t`` into `out` in place (out may already hold anything).

    The maximum is subtracted before dividing by the temperature, so a small
    temperature cannot overflow ``x / t`` (``1e308 / 0.1``); and the arithmetic
    runs in `out`'s dtype (float32 for float16 input).

    A +inf logit gives ``inf - inf = NaN`` here on purpose (its slice becomes NaN);
    NumPy's warning about it is silenced because the result is the documented one.
    """
    with np.errstate(invalid="ignore"):
        np.subtract(arr, m, out=out)
    if t != 1.0:
        with np.errstate(over="ignore"):  # a gap beyond the float range: -inf, probability 0
            out /= t


# About 512 KiB of logits per block: a block and its output stay in a 1-2 MiB
# L2 cache between the passes that softmax makes over them.
BLOCK_BYTES = 1 << 19


def _blocks(shape, axis, itemsize):
    """Cut an array of `shape` into blocks of whole slices along `axis`, about BLOCK_BYTES each.

    Softmax makes several passes over its data (max, subtract, exp, sum, divide).
    On a whole large array, each pass streams it through main memory again; block
    by block, the later passes find the block still in the CPU cache, which is
    several times faster. Each slice along `axis` is computed on its own, so the
    result is the same to the last bit. Yields index tuples such as
    ``(slice(0, 16), slice(None))``.
    """
    if len(shape) == 1:
        yield (slice(None),)  # a single slice: one block
        return
    cut = 1 if axis == 0 else 0  # cut along an axis other than the class axis
    per_index = itemsize * math.prod(shape) // shape[cut] if shape[cut] else 1
    step = max(1, BLOCK_BYTES // max(per_index, 1))
    for start in range(0, shape[cut], step):
        index = [slice(None)] * len(shape)
        index[cut] = slice(start, start + step)
        yield tuple(index)


def _block_buffer(out, block, work):
    """Where to compute a block: `out`'s own block, or a small `work`-dtype buffer for float16."""
    if out.dtype == work:
        return out[block]
    return np.empty(out[block].shape, dtype=work)


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def softmax(
    x: ArrayLike,
    axis: int = -1,
    *,
    temperature: float = 1.0,
    where: ArrayLike | None = None,
) -> np.ndarray:
    """Turn logits into probabilities along `axis`: ``exp(x / T) / sum(exp(x / T))``.

    Taught in 01 and 02. The maximum of each slice is subtracted first (shift
    invariance), so no exponent is ever above 0 and nothing overflows.

    Parameters
    ----------
    x : array_like, shape (..., n_classes)
        Logits: real scores of any sign.
    axis : int, default -1
        The class axis; each slice along it sums to 1.
    temperature : float, default 1.0
        Divides the logits. Below 1 sharpens, above 1 flattens. Must be finite and > 0.
    where : array_like of bool, optional
        Broadcastable to `x`; False positions get probability exactly 0 and the
        others renormalise. A slice with nothing allowed gives all zeros.

    Returns
    -------
    ndarray
        Same shape as `x`, entries in [0, 1]; float64 unless `x` is float16/32.

    Raises
    ------
    ValueError
        If `x` has no entries along `axis`, or `temperature` is not finite and > 0.
    TypeError
        If `x` is not real numbers, or `where` is not boolean.

    Examples
    --------
    >>> softmax([2.0, 1.0, 0.0]).round(3)
    array([0.665, 0.245, 0.09 ])
    >>> softmax([1000.0, 1001.0, 999.0]).round(4)    # the naive formula gives NaN here
    array([0.2447, 0.6652, 0.09  ])
    >>> softmax([2.0, 1.0, 0.0], where=[True, False, True]).round(3)
    array([0.881, 0.   , 0.119])
    """
    arr, axis, t, work = _prepare(x, axis, temperature, where, "softmax")
    # `out` is the only new full-size array. Block by block (see `_blocks`), every
    # step writes into the block's buffer: the shifted logits, then their
    # exponentials, then the probabilities.
    out = np.empty(arr.shape, dtype=arr.dtype)
    for block in _blocks(arr.shape, axis, work.itemsize):
        x_block, buf = arr[block], _block_buffer(out, block, work)
        m = _shift(x_block, axis, work)
        _shifted_into(buf, x_block, m, t)
        np.exp(buf, out=buf)
        total = np.sum(buf, axis=axis, keepdims=True)
        total[total == 0] = 1  # only a slice with nothing allowed sums to 0: keep its zeros
        np.divide(buf, total, out=buf)
        if buf.dtype != out.dtype:
            out[block] = buf  # float16 computed in float32: rounded once, here
    return out


def log_softmax(
    x: ArrayLike,
    axis: int = -1,
    *,
    temperature: float = 1.0,
    where: ArrayLike | None = None,
) -> np.ndarray:
    """Log-probabilities ``x_i / T - logsumexp(x / T)``, computed without taking log(0).

    Taught in 02 and 05. Use this, not ``np.log(softmax(x))``: a probability that
    underflows to 0 has log ``-inf``, while its log-probability is a finite number.

    Parameters
    ----------
    x : array_like, shape (..., n_classes)
        Logits.
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        Divides the logits; must be finite and > 0.
    where : array_like of bool, optional
        False positions get ``-inf``; a slice with nothing allowed is all ``-inf``.

    Returns
    -------
    ndarray
        Same shape and dtype rules as `softmax`; entries <= 0.

    Examples
    --------
    >>> log_softmax([2.0, 1.0, 0.0]).round(4)
    array([-0.4076, -1.4076, -2.4076])
    >>> float(log_softmax([0.0, -800.0])[1])     # np.log(softmax(...)) gives -inf
    -800.0
    """
    arr, axis, t, work = _prepare(x, axis, temperature, where, "log_softmax")
    out = np.empty(arr.shape, dtype=arr.dtype)
    for block in _blocks(arr.shape, axis, work.itemsize):
        x_block, buf = arr[block], _block_buffer(out, block, work)
        m = _shift(x_block, axis, work)
        # First pass: the sum of exp(x - m), computed in the output buffer.
        _shifted_into(buf, x_block, m, t)
        np.exp(buf, out=buf)
        total = np.sum(buf, axis=axis, keepdims=True)
        total[total == 0] = 1  # a slice with nothing allowed: keep its -inf (not -inf - -inf)
        log_total = np.log(total)
        # Second pass: rebuild x - m in the same buffer (cheaper than a second array),
        # then subtract log(total). Two separate subtractions keep small results accurate.
        _shifted_into(buf, x_block, m, t)
        buf -= log_total
        if buf.dtype != out.dtype:
            out[block] = buf  # float16 computed in float32: rounded once, here
    return out


def logsumexp(
    x: ArrayLike,
    axis: int = -1,
    *,
    keepdims: bool = False,
    where: ArrayLike | None = None,
) -> np.ndarray | float:
    """``log(sum(exp(x)))`` along `axis`, computed as ``m + log(sum(exp(x - m)))``.

    Taught in 02. It is the normaliser of softmax: ``log_softmax(x) = x - logsumexp(x)``.

    Parameters
    ----------
    x : array_like
        Logits.
    axis : int, default -1
        The axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1, so the result broadcasts against `x`.
    where : array_like of bool, optional
        False positions are left out; a slice with nothing allowed gives ``-inf``.

    Returns
    -------
    ndarray
        `x`'s shape without `axis` (or with length 1 there if `keepdims`).

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))    # log(2 * e**1000); exp(1000) alone overflows
    1000.6931471805599
    >>> float(logsumexp([-np.inf, -np.inf]))
    -inf
    """
    arr = as_float_array(x)
    axis = check_axis(arr, axis, "logsumexp")
    arr = apply_where(arr, where)
    work = _work_dtype(arr)
    m = _shift(arr, axis, work)
    with np.errstate(invalid="ignore"):  # a +inf logit: inf - inf = NaN, as documented
        shifted = np.subtract(arr, m, dtype=work)
    np.exp(shifted, out=shifted)
    total = np.sum(shifted, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):  # a slice with nothing allowed: log(0) = -inf
        result = m + np.log(total)
    if not keepdims:
        result = np.squeeze(result, axis=axis)
    return result.astype(arr.dtype, copy=False)


def softmax_naive(x: ArrayLike, axis: int = -1) -> np.ndarray:
    """The textbook formula ``exp(x) / sum(exp(x))`` with no shift: kept to show how it fails.

    Taught in 02. It overflows for logits above about 709 in float64 (88 in
    float32, 11 in float16) and then returns NaN, with NumPy's ``RuntimeWarning``
    about the overflow; those warnings are part of the lesson, so they are not hidden.

    Examples
    --------
    >>> softmax_naive([2.0, 1.0, 0.0]).round(3)
    array([0.665, 0.245, 0.09 ])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     softmax_naive([1000.0, 1001.0, 999.0])
    array([nan, nan, nan])
    """
    arr = as_float_array(x)
    axis = check_axis(arr, axis, "softmax_naive")
    e = np.exp(arr)
    return e / np.sum(e, axis=axis, keepdims=True)


def entropy(p: ArrayLike, axis: int = -1, base: float = 2) -> np.ndarray | float:
    """Shannon entropy ``-sum(p * log(p))`` of distributions along `axis`, with 0 log 0 = 0.

    Taught in 01 and 03. In bits by default (``base=2``); ``base=np.e`` gives nats.
    It is 0 for a one-hot distribution and ``log(n)`` for the uniform one.

    Parameters
    ----------
    p : array_like
        Probabilities: entries in [0, 1] that sum to 1 along `axis`.
    axis : int, default -1
        The class axis.
    base : float, default 2
        Base of the logarithm; must be > 0 and not 1.

    Raises
    ------
    ValueError
        If an entry is negative or a slice does not sum to 1 (within 1e-6, or a
        few float16 ulp): the usual cause is passing logits instead of probabilities.

    Notes
    -----
    A slice holding a NaN has NaN entropy; the other slices are not affected.

    Examples
    --------
    >>> float(entropy([0.25, 0.25, 0.25, 0.25]))
    2.0
    >>> float(entropy([1.0, 0.0, 0.0]))
    0.0
    """
    arr = as_float_array(p, name="p")
    axis = check_axis(arr, axis, "entropy")
    if not (np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be > 0 and not 1, got {base!r}; use 2 for bits, np.e for nats")
    if np.any(arr < 0):
        raise ValueError(
            f"p must be probabilities (>= 0), got a minimum of {float(np.nanmin(arr))}; "
            "did you pass logits? apply softmax first"
        )
    sums = np.sum(arr, axis=axis, dtype=np.float64)
    tolerance = max(1e-6, 10 * arr.shape[axis] * float(np.finfo(arr.dtype).eps))
    bad = np.abs(sums - 1) > tolerance
    if np.any(bad):
        raise ValueError(
            f"p must sum to 1 along axis {axis}, got a sum of {float(sums[bad].flat[0]):.6g}; "
            "did you pass logits? apply softmax first"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        # 0 log 0 = 0; a NaN entry keeps its NaN, so its slice's entropy is NaN.
        terms = np.where(arr == 0, 0.0, arr * np.log(arr))
    return -np.sum(terms, axis=axis) / np.log(base)


def sigmoid(x: ArrayLike) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``, computed without overflow.

    Taught in 01: a two-class softmax is the sigmoid of the difference of the
    two logits, ``softmax([a, b])[0] == sigmoid(a - b)``.

    Examples
    --------
    >>> sigmoid([0.0, 2.0, -800.0]).round(4)
    array([0.5   , 0.8808, 0.    ])
    >>> softmax([3.0, 1.0]).round(4)[0] == sigmoid(3.0 - 1.0).round(4)
    np.True_
    """
    arr = as_float_array(x)
    work = _work_dtype(arr)
    # exp(-|x|) never overflows; the two branches are the same function rearranged.
    e = np.exp(-np.abs(arr.astype(work)))
    out = np.where(arr >= 0, 1 / (1 + e), e / (1 + e))
    return out.astype(arr.dtype, copy=False)
