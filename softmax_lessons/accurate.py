"""Softmax, log-softmax and log-sum-exp correct to the last digit or two.

Taught in 02 ("winning back the last digits"). The shifted softmax of
:mod:`softmax_lessons.core` subtracts the maximum ``m`` before exponentiating.
That subtraction is rounded: ``x - m`` is stored with a relative error of about
``2**-53`` in float64, that is an absolute error of up to ``|x - m| * 2**-53``.
``exp`` turns an absolute error ``e`` of its argument into a relative error ``e``
of its result, so an entry 700 below the maximum comes out with an error of
about ``700 * 2**-53``: hundreds of units in the last place (ulp). SciPy's
softmax has the same error.

The functions here win those digits back in three steps:

1. **An error-free subtraction (TwoSum).** Six floating-point operations give
   two floats with ``d_hi + d_lo == x - m`` *exactly*: ``d_hi`` is the rounded
   difference and ``d_lo`` the part that rounding threw away.
2. **A first-order correction.** ``exp(d_hi + d_lo) = exp(d_hi) * exp(d_lo)``
   and ``d_lo`` is tiny, so ``exp(d_lo) = 1 + d_lo`` to full precision: we
   multiply ``exp(d_hi)`` by ``(1 + d_lo)``. The exponent is now as good as the
   input.
3. **One rounding for small floats.** float16 and float32 inputs are computed in
   float64 and rounded once at the end, so their results are correctly rounded
   in almost every entry. (They skip TwoSum: float64 has 29 bits to spare, so
   ``x - m`` is exact or nearly so.)

The sum of exponentials is ``1 + s``: the maximum contributes ``exp(0) = 1``
exactly, and ``s`` sums the others on their own (added one by one to the 1, each
would be rounded to the spacing of floats near 1). `softmax_accurate` divides by
``1 + s`` with TwoSum's help; `log_softmax_accurate` and `logsumexp_accurate`
take ``log1p(s)``, which keeps its relative accuracy when ``s`` is tiny.

Same rules as the core functions (see :mod:`softmax_lessons.core`): array-likes,
``where`` masks, ``-inf`` entries, NaN confined to its slice, a slice with nothing
allowed gives zeros (softmax) or ``-inf`` (log-softmax, log-sum-exp), dtypes kept.

Measured against exact references (Python's :mod:`decimal`) in
``tests/test_accurate.py`` and ``benchmarks/softmax_speed.py``: float64 softmax
within 4 ulp, float32 and float16 within 1 ulp; log-softmax and log-sum-exp
within 2 ulp. One case is left out on purpose: a log-sum-exp that cancels to nearly 0 (a negative
maximum plus a positive ``log1p(s)`` of almost the same size) is ill-conditioned;
its error is then a few ulp of the maximum, not of the tiny result.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .core import _blocks
from .validation import apply_where, as_float_array, check_axis

__all__ = ["log_softmax_accurate", "logsumexp_accurate", "softmax_accurate", "two_sum"]


def two_sum(
    a: ArrayLike, b: ArrayLike, *, out: tuple | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(s, err)`` with ``s = fl(a + b)`` and ``s + err == a + b`` exactly.

    Taught in 02. This is Knuth's TwoSum: six floating-point operations, no
    branches, exact for any finite floats of the same dtype (barring overflow).

    Parameters
    ----------
    a, b : array_like
        Floats of the same dtype, broadcastable against each other.
    out : tuple of three arrays, optional
        Buffers for ``s``, ``err`` and one temporary, of the broadcast shape: large
        arrays are then computed in place, with no new memory.

    Examples
    --------
    >>> s, err = two_sum(1.0, 2.0**-60)      # 2**-60 is too small to change 1.0
    >>> float(s), float(err) == 2.0**-60
    (1.0, True)
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if out is None:
        s = a + b
        b_virtual = s - a  # the part of b that made it into s
        a_virtual = s - b_virtual  # the part of a that made it into s
        err = (a - a_virtual) + (b - b_virtual)  # what each one lost
        return s, err
    # The same six operations, each written into a buffer.
    s, err, tmp = out
    np.add(a, b, out=s)
    b_virtual = np.subtract(s, a, out=tmp)
    a_virtual = np.subtract(s, b_virtual, out=err)
    a_lost = np.subtract(a, a_virtual, out=a_virtual)
    b_lost = np.subtract(b, b_virtual, out=b_virtual)
    return s, np.add(a_lost, b_lost, out=a_lost)


def _checked(x, axis, where, func):
    """The input rules of the core: a float array, a valid axis, the mask applied."""
    arr = as_float_array(x)
    axis = check_axis(arr, axis)
    if arr.shape[axis] == 0:
        raise ValueError(
            f"{func} needs at least one entry along axis {axis}, got shape {arr.shape}"
        )
    return apply_where(arr, where), axis


def _by_blocks(arr, axis, kernel, out):
    """Fill `out` with ``kernel(x_block, axis, buffers)`` for each cache-sized block of `arr`.

    `buffers` are four float64 arrays of the block's shape, allocated once and
    reused for every block: a fresh array for each temporary of each block would
    cost a trip to the operating system every time (new memory pages).
    """
    blocks = list(_blocks(arr.shape, axis, 8))  # each buffer: a block of float64
    if not blocks:
        return out
    largest = arr[blocks[0]].size
    flat = [np.empty(largest) for _ in range(4)]
    for block in blocks:
        x_block = arr[block]
        buffers = [f[: x_block.size].reshape(x_block.shape) for f in flat]
        out[block] = kernel(x_block, axis, buffers)  # float16/32: rounded once, here
    return out


def _shifted_exp(x_block, axis, buffers):
    """``x - m`` split exactly by TwoSum, and ``exp`` of its rounded part, in float64.

    Returns ``(e, d_hi, d_lo, m, top_index)``: ``d_hi + d_lo == x - m`` exactly,
    ``e = exp(d_hi)``, ``m`` the per-slice shift (the maximum, or 0 for a slice
    with nothing allowed) and `top_index` where the maximum sits. The true
    exponential is ``exp(d_hi + d_lo) = e * (1 + d_lo)`` to full precision, since
    ``|d_lo|`` is below ``2**-52 * |d_hi|``; each caller puts that correction where
    it costs least.

    For float16 and float32 input, `d_lo` is None: two such floats differ by a
    float64 that is exact unless one is 2**29 times the other, and even then the
    error is far below what the final rounding to float32 keeps.
    """
    work, d_hi, d_lo, tmp = buffers
    np.copyto(work, x_block)  # float16/32: compute in float64, round once at the end
    top_index = np.argmax(work, axis=axis, keepdims=True)  # NaN wins, as in np.max
    m = np.take_along_axis(work, top_index, axis=axis)
    m[m == -np.inf] = 0  # shift an empty slice by 0, not by -inf (which gives NaN)
    if x_block.dtype != np.float64:
        d_hi = np.subtract(work, m, out=d_hi)
        d_lo = None
    else:
        with np.errstate(invalid="ignore"):  # -inf - (-inf) inside TwoSum, fixed just below
            d_hi, d_lo = two_sum(work, -m, out=(d_hi, d_lo, tmp))
        # A -inf entry has d_hi = -inf and a meaningless d_lo (NaN): it needs no
        # correction. A NaN entry keeps d_hi = NaN, which already makes its slice NaN.
        d_lo[~np.isfinite(d_lo)] = 0
    e = np.exp(d_hi, out=work)
    return e, d_hi, d_lo, m, top_index


def _sum_split(e, d_lo, top_index, axis, scratch):
    """The corrected sum ``sum(e * (1 + d_lo))`` along `axis`, as the largest term and the rest.

    The largest term, at `top_index`, is ``exp(0) = 1`` exactly (0 for a slice
    with nothing allowed, NaN for a slice with a NaN), and its ``d_lo`` is 0.
    Summing the others on their own keeps their rounding errors small: added one
    by one to the 1, each would be rounded to the spacing of floats near 1
    instead. `scratch` is a free buffer of `e`'s shape.
    """
    top = np.take_along_axis(e, top_index, axis=axis)
    np.put_along_axis(e, top_index, 0.0, axis=axis)  # leave it out of the sum ...
    rest = np.sum(e, axis=axis, keepdims=True)
    np.put_along_axis(e, top_index, top, axis=axis)  # ... and put it back
    if d_lo is not None:
        # The correction terms e * d_lo are tiny: a plain sum adds them well enough.
        rest += np.sum(np.multiply(e, d_lo, out=scratch), axis=axis, keepdims=True)
    return top, rest


def _log_total(top, rest):
    """``log(top + rest)``, as ``log1p(rest)`` when ``top`` is exactly 1 (the usual case).

    ``log1p`` keeps its relative accuracy when `rest` is tiny, where
    ``log(1 + rest)`` would first round ``1 + rest``.
    """
    with np.errstate(divide="ignore"):  # log(0) = -inf for a slice with nothing allowed
        return np.where(top == 1, np.log1p(rest), np.log(top + rest))


def softmax_accurate(x: ArrayLike, axis: int = -1, *, where: ArrayLike | None = None) -> np.ndarray:
    """Softmax along `axis`, correct to within a few ulp even for logits far apart.

    Taught in 02. Same result as :func:`softmax_lessons.core.softmax` up to
    rounding, but the rounding error of ``x - max(x)`` is recovered with TwoSum
    and put back into the exponent, so entries far below the maximum keep their
    last digits. Costs about twice the default softmax (``benchmarks/README.md``).

    Parameters
    ----------
    x : array_like, shape (..., n_classes)
        Logits: real scores of any sign.
    axis : int, default -1
        The class axis; each slice along it sums to 1.
    where : array_like of bool, optional
        Broadcastable to `x`; False positions get probability exactly 0 and the
        others renormalise. A slice with nothing allowed gives all zeros.

    Returns
    -------
    ndarray
        Same shape and dtype as `x` (float64 for ints and bools). float64 within
        4 ulp of the exact softmax; float32 and float16 within 1 ulp (computed in
        float64 and rounded once).

    Examples
    --------
    >>> softmax_accurate([2.0, 1.0, 0.0]).round(3)
    array([0.665, 0.245, 0.09 ])
    >>> from softmax_lessons.core import softmax
    >>> x = [700.3, 0.2]                 # 0.2 - 700.3 is rounded to the floats near 700
    >>> float(softmax_accurate(x)[1] / softmax(x)[1] - 1) != 0   # the last digits differ
    True
    """
    arr, axis = _checked(x, axis, where, "softmax_accurate")
    # Block by block (as the core does), so the temporary arrays stay small and in cache.
    return _by_blocks(arr, axis, _softmax_block, np.empty(arr.shape, dtype=arr.dtype))


def _softmax_block(x_block, axis, buffers):
    e, _, d_lo, _, top_index = _shifted_exp(x_block, axis, buffers)
    # The sum is top + rest; TwoSum keeps what rounding it to one float throws away.
    total, total_lo = two_sum(*_sum_split(e, d_lo, top_index, axis, buffers[3]))
    total[total == 0] = 1  # only a slice with nothing allowed sums to 0: keep its zeros
    p = np.divide(e, total, out=e)  # in place: e is our own buffer
    if d_lo is None:  # float16/32: float64 is accurate enough as it is
        return p
    # Both corrections at once: p_true = p * (1 + d_lo) / (1 + total_lo / total),
    # and to first order that is p * (1 + d_lo - total_lo / total).
    correction = np.subtract(d_lo, total_lo / total, out=d_lo)
    correction *= p
    p += correction
    return p


def log_softmax_accurate(
    x: ArrayLike, axis: int = -1, *, where: ArrayLike | None = None
) -> np.ndarray:
    """Log-probabilities ``x - logsumexp(x)`` along `axis`, within 2 ulp of the exact values.

    Taught in 02. Computed as ``(d_hi - log1p(s)) + d_lo``: ``d_hi + d_lo`` is
    ``x - max(x)`` exactly (TwoSum) and ``1 + s`` the sum of exponentials. Both
    ``d_hi`` and ``-log1p(s)`` are <= 0, so the subtraction never cancels, and the
    largest entry's result ``-log1p(s)`` keeps its relative accuracy when it is tiny.

    Parameters
    ----------
    x : array_like, shape (..., n_classes)
        Logits.
    axis : int, default -1
        The class axis.
    where : array_like of bool, optional
        False positions get ``-inf``; a slice with nothing allowed is all ``-inf``.

    Returns
    -------
    ndarray
        Same shape and dtype rules as `softmax_accurate`; entries <= 0.

    Examples
    --------
    >>> log_softmax_accurate([2.0, 1.0, 0.0]).round(4)
    array([-0.4076, -1.4076, -2.4076])
    >>> float(log_softmax_accurate([0.0, -50.0])[0])   # -log1p(exp(-50)), not rounded to 0
    -1.9287498479639178e-22
    """
    arr, axis = _checked(x, axis, where, "log_softmax_accurate")
    return _by_blocks(arr, axis, _log_softmax_block, np.empty(arr.shape, dtype=arr.dtype))


def _log_softmax_block(x_block, axis, buffers):
    e, d_hi, d_lo, _, top_index = _shifted_exp(x_block, axis, buffers)
    log_total = _log_total(*_sum_split(e, d_lo, top_index, axis, buffers[3]))
    log_total[log_total == -np.inf] = 0  # nothing allowed: d_hi is -inf already, keep it
    out = np.subtract(d_hi, log_total, out=d_hi)
    if d_lo is not None:
        out += d_lo
    return out


def logsumexp_accurate(
    x: ArrayLike,
    axis: int = -1,
    *,
    keepdims: bool = False,
    where: ArrayLike | None = None,
) -> np.ndarray | float:
    """``log(sum(exp(x)))`` along `axis` as ``m + log1p(s)``, within 2 ulp of the exact value.

    Taught in 02. ``m`` is the maximum and ``1 + s`` the TwoSum-corrected sum of
    ``exp(x - m)``. When the result nearly cancels to 0 (a negative maximum
    plus ``log1p(s)`` of almost the same size) the problem itself is
    ill-conditioned and the error is a few ulp of ``m`` instead.

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
    >>> float(logsumexp_accurate([1000.0, 1000.0]))
    1000.6931471805599
    >>> float(logsumexp_accurate([0.0, -40.0]))       # log1p keeps the tiny result
    4.248354255291589e-18
    >>> float(logsumexp_accurate([-np.inf, -np.inf]))
    -inf
    """
    arr, axis = _checked(x, axis, where, "logsumexp_accurate")
    out = np.empty((*arr.shape[:axis], 1, *arr.shape[axis + 1 :]), dtype=arr.dtype)
    _by_blocks(arr, axis, _logsumexp_block, out)
    return out if keepdims else np.squeeze(out, axis=axis)


def _logsumexp_block(x_block, axis, buffers):
    e, _, d_lo, m, top_index = _shifted_exp(x_block, axis, buffers)
    # A slice with nothing allowed has m = 0 and log_total = log(0) = -inf: the result is -inf.
    return m + _log_total(*_sum_split(e, d_lo, top_index, axis, buffers[3]))
