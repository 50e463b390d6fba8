"""Softmax, log-softmax and log-sum-exp correct to the last digit or two.

Taught in 02 ("winning back the last digits"). Each function here is the stable
softmax of the lesson's exercise,

    m = max(x);   e = exp(x - m);   p = e / sum(e)

with three refinements, each a line or two in the kernels below:

1. **TwoSum compensation.** ``x - m`` is rounded, and ``exp`` turns the absolute
   error of its argument into a relative error of its result: an entry 700
   below the maximum loses hundreds of units in the last place (ulp).
   :func:`two_sum` returns ``d_hi + d_lo == x - m`` exactly, and
   ``exp(d_hi + d_lo) = exp(d_hi) * (1 + d_lo)`` to full precision, since
   ``d_lo`` is below an ulp of ``d_hi``. With a temperature, the division
   ``(x - m) / T`` is compensated the same way (:func:`two_product` recovers the
   rounding error of the quotient).
2. **The top term kept apart.** The largest term of the sum is ``exp(0) = 1``
   exactly. The others are summed on their own, ``rest``: added one by one to
   the 1, each would be rounded to the spacing of floats near 1. Softmax divides
   by ``1 + rest``, kept as two floats by TwoSum.
3. **log1p.** Log-softmax and log-sum-exp need ``log(1 + rest)``;
   ``log1p(rest)`` keeps its relative accuracy when ``rest`` is tiny, where
   ``log`` would round ``1 + rest`` first.

Everything is computed in float64: float16 and float32 results are rounded once
at the end, so they are correctly rounded in almost every entry (wider floats
are computed in float64 too).

The functions take the same arguments as those of :mod:`softmax_lessons.core`
and follow its rules (array-likes, ``where`` masks, ``-inf`` entries, NaN kept
in its slice, a slice with nothing allowed gives zeros or ``-inf``, dtypes
kept); they run block by block with the same helper,
:func:`softmax_lessons.core.apply_by_blocks`.

Measured against exact references (Python's :mod:`decimal`) in
``tests/test_accurate.py`` and ``benchmarks/softmax_speed.py``: float64 softmax
within 4 ulp, float32 and float16 within 1 ulp; log-softmax and log-sum-exp
within 2 ulp. One case is left out on purpose: a log-sum-exp that cancels to
nearly 0 (a negative maximum plus a positive ``log1p(rest)`` of almost the same
size) is ill-conditioned; its error is then a few ulp of the maximum, not of the
tiny result.

Notes
-----
The corrections are first order: they drop terms of the order of ``d_lo**2``,
below ``2**-100`` relative. ``log1p`` is applied to ``rest`` whenever the top
term is the usual 1; it is 0 in a slice with nothing allowed (``-inf``
everywhere, kept) and NaN in a slice with a NaN (NaN everywhere, kept).

References
----------
.. [1] D. E. Knuth, *The Art of Computer Programming*, Vol. 2: *Seminumerical
   Algorithms*, 3rd ed., Addison-Wesley, 1998, section 4.2.2 (TwoSum).
.. [2] O. Møller, "Quasi double-precision in floating point addition",
   *BIT* 5 (1965), pp. 37-50.
.. [3] T. J. Dekker, "A floating-point technique for extending the available
   precision", *Numerische Mathematik* 18 (1971), pp. 224-242 (the splitting
   behind TwoProduct).
.. [4] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing the
   log-sum-exp and softmax functions", *IMA Journal of Numerical Analysis*
   41(4) (2021), pp. 2311-2330, doi:10.1093/imanum/draa038 (the top term kept
   apart, and ``log1p``; SciPy's ``logsumexp`` cites it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .core import _reduced_shape, _shift_and_top, apply_by_blocks
from .validation import as_float_array, check_logits

__all__ = [
    "log_softmax_accurate",
    "logsumexp_accurate",
    "softmax_accurate",
    "two_product",
    "two_sum",
]


# ---------------------------------------------------------------------------
# Error-free transformations
# ---------------------------------------------------------------------------


def two_sum(
    a: ArrayLike, b: ArrayLike, *, out: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(s, err)`` with ``s = fl(a + b)`` and ``s + err == a + b`` exactly.

    Taught in 02. This is Knuth's and Møller's TwoSum: six floating-point
    operations, no branches, exact for any finite floats (barring overflow).
    Where `a` or `b` is infinite or NaN, ``err`` is NaN (there is no error to
    speak of), without a warning.

    Parameters
    ----------
    a, b : array_like
        Floats of the same dtype, broadcastable against each other.
    out : tuple of three arrays, optional
        Buffers for ``s``, ``err`` and one temporary, of the broadcast shape
        (distinct from `a` and `b`): a large array is then computed without new memory.

    Examples
    --------
    >>> s, err = two_sum(1.0, 2.0**-60)      # 2**-60 is too small to change 1.0
    >>> float(s), float(err) == 2.0**-60
    (1.0, True)
    """
    a, b = as_float_array(a, "a"), as_float_array(b, "b")
    if out is None:
        shape, dtype = _broadcast_shape(a, b), np.result_type(a, b)
        out = tuple(np.empty(shape, dtype) for _ in range(3))
    s, err, tmp = out
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: err is NaN, as documented
        s = np.add(a, b, out=s)
        b_virtual = np.subtract(s, a, out=err)  # the part of b that made it into s
        a_virtual = np.subtract(s, b_virtual, out=tmp)  # the part of a that made it into s
        b_lost = np.subtract(b, b_virtual, out=b_virtual)
        a_lost = np.subtract(a, a_virtual, out=a_virtual)
        return s, np.add(a_lost, b_lost, out=b_lost)  # err: what each one lost


def two_product(a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(p, err)`` with ``p = fl(a * b)`` and ``p + err == a * b`` exactly (float64).

    Taught in 02. Dekker's TwoProduct: each factor is split into two halves of
    26 bits (`_split`), so that the products of halves are exact, and the
    rounding error of ``a * b`` is rebuilt from them. Exact for float64 factors
    whose product neither overflows nor underflows; where it does, or a factor is
    infinite or NaN, ``err`` is meaningless (NaN or inf), without a warning.

    Examples
    --------
    >>> p, err = two_product(1 + 2.0**-30, 1 + 2.0**-30)   # 1 + 2**-29 + 2**-60
    >>> float(p) == 1 + 2.0**-29, float(err) == 2.0**-60
    (True, True)
    """
    a, b = as_float_array(a, "a").astype(np.float64), as_float_array(b, "b").astype(np.float64)
    _broadcast_shape(a, b)
    with np.errstate(invalid="ignore", over="ignore"):  # inf and overflow: documented above
        p = a * b
        a_hi, a_lo = _split(a)
        b_hi, b_lo = _split(b)
        err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, err


def _broadcast_shape(a: np.ndarray, b: np.ndarray) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"a and b must broadcast against each other, got shapes {a.shape} and {b.shape}"
        ) from None


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a = hi + lo`` with 26 significant bits in each (Veltkamp's splitting of a float64)."""
    c = (2.0**27 + 1) * a
    hi = c - (c - a)
    return hi, a - hi


# ---------------------------------------------------------------------------
# The kernels: the exercise's stable softmax, refined
# ---------------------------------------------------------------------------


# Each kernel gets four float64 buffers of its block's shape (d_hi, d_lo, e, tmp),
# allocated once by apply_by_blocks: a fresh array for every temporary of every
# block would fault in new memory pages from the operating system each time.


def _softmax_kernel(x, out, axis, t, d_hi, d_lo, e, tmp) -> None:
    """``p = e / sum(e)``, with ``e = exp(d_hi) * (1 + d_lo)`` and the sum kept as two floats."""
    d_hi, d_lo, top = _gaps(x, axis, t, d_hi, d_lo, e, tmp)  # (x - m) / t == d_hi + d_lo
    np.exp(d_hi, out=e)
    total, total_lo = two_sum(*_sum_apart(e, _times(e, d_lo, tmp), top, axis))
    total[total == 0] = 1  # only a slice with nothing allowed sums to 0: keep its zeros
    p = np.divide(e, total, out=out)
    if d_lo is not None:
        # p * (1 + d_lo) / (1 + total_lo / total) is, to first order, p + p * correction:
        correction = np.subtract(d_lo, total_lo / total, out=d_lo)
        p += np.multiply(p, correction, out=correction)


def _log_softmax_kernel(x, out, axis, t, d_hi, d_lo, e, tmp) -> None:
    """``(x - m) / t - log(sum(e))`` as ``(d_hi - log1p(rest)) + d_lo``."""
    d_hi, d_lo, top = _gaps(x, axis, t, d_hi, d_lo, e, tmp)
    np.exp(d_hi, out=e)
    _, rest = _sum_apart(e, _times(e, d_lo, tmp), top, axis)
    # Both d_hi and -log1p(rest) are <= 0: the subtraction never cancels.
    np.subtract(d_hi, np.log1p(rest), out=out)
    if d_lo is not None:
        out += d_lo


def _logsumexp_kernel(x, out, axis, d_hi, d_lo, e, tmp) -> None:
    """``m + log1p(rest)``, m the maximum itself."""
    d_hi, d_lo, top = _gaps(x, axis, 1.0, d_hi, d_lo, e, tmp)
    np.exp(d_hi, out=e)
    _, rest = _sum_apart(e, _times(e, d_lo, tmp), top, axis)
    m = np.take_along_axis(x, top, axis=axis)  # -inf in a slice with nothing allowed: kept
    np.add(m, np.log1p(rest), out=out)
    out[m == np.inf] = np.inf  # a +inf logit: the sum of exponentials is +inf


def _gaps(x, axis, t, d_hi, d_lo, e, tmp):
    """``(x - m) / t`` as ``d_hi + d_lo`` in float64, exact to about 100 bits, and where m sits.

    ``d_hi`` is the rounded value and ``d_lo`` what rounding lost. The shift `m` is
    that of the core (:func:`softmax_lessons.core._shift_and_top`): the maximum, 0 in
    a slice with nothing allowed, NaN in a slice with ``+inf``.

    For float16 and float32 logits `d_lo` is None: two of them differ by a float64
    that is exact unless one is 2**29 times the other, and even then (and after
    the division by `t`) the error is far below what the final rounding keeps.
    """
    m, top = _shift_and_top(x, axis, np.dtype(np.float64))
    if x.dtype != np.float64:
        np.copyto(d_hi, x)  # float16/32 into float64, then the same-dtype subtraction
        d_hi -= m
        if t != 1:
            with np.errstate(over="ignore"):  # a gap beyond the float range: -inf
                d_hi /= t
        return d_hi, None, top
    with np.errstate(invalid="ignore", over="ignore"):  # -inf entries, huge gaps: see below
        d_hi, d_lo = two_sum(x, -m, out=(d_hi, d_lo, tmp))
        if t != 1:
            d_hi, d_lo = _divided(d_hi, d_lo, t)  # new arrays: the temperature costs extra
    # A -inf entry (or a gap beyond the float range) has d_hi = -inf and a
    # meaningless d_lo: exp gives 0, nothing to correct. A NaN slice keeps d_hi = NaN.
    d_lo[~np.isfinite(d_lo)] = 0
    return d_hi, d_lo, top


def _times(e, d_lo, out):
    """``e * d_lo``, the first-order correction of each term; None when there is no `d_lo`."""
    return None if d_lo is None else np.multiply(e, d_lo, out=out)


def _divided(hi: np.ndarray, lo: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """``(hi + lo) / t`` as ``q + q_lo``: the rounded quotient and what rounding lost."""
    q = hi / t
    p, p_lo = two_product(q, t)  # q * t == p + p_lo exactly
    return q, ((hi - p) - p_lo + lo) / t  # the remainder hi + lo - q t, divided by t


def _sum_apart(
    e: np.ndarray, e_lo: np.ndarray | None, top: np.ndarray, axis: int
) -> tuple[np.ndarray, np.ndarray]:
    """``sum(e + e_lo)`` along `axis` as ``(top term, rest)``, the rest summed without it.

    The top term, at `top`, is ``exp(0) = 1`` exactly (0 in a slice with nothing
    allowed, NaN in a slice with a NaN), and its ``e_lo`` is 0. The small
    correction terms ``e_lo`` (None for none) are added by a plain sum: they are tiny.
    """
    top_term = np.take_along_axis(e, top, axis=axis)
    np.put_along_axis(e, top, 0.0, axis=axis)  # leave the top term out of the sum ...
    rest = np.sum(e, axis=axis, keepdims=True)
    np.put_along_axis(e, top, top_term, axis=axis)  # ... and put it back
    if e_lo is not None:
        rest += np.sum(e_lo, axis=axis, keepdims=True)
    return top_term, rest


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def softmax_accurate(
    x: ArrayLike,
    axis: int = -1,
    *,
    temperature: float = 1.0,
    where: ArrayLike | None = None,
) -> np.ndarray:
    """Softmax along `axis`, correct to within a few ulp even for logits far apart.

    Taught in 02. What differs from :func:`softmax_lessons.core.softmax`: the
    rounding errors of ``(x - max(x)) / T`` and of the sum are recovered (TwoSum)
    and put back, so entries far below the maximum keep their last digits; it
    costs about twice as much (``benchmarks/README.md``). Parameters, input checks
    and the result's shape and dtype are the core's.

    Returns
    -------
    ndarray
        As from the core's softmax, but float64 within 4 ulp of the exact softmax,
        float32 and float16 within 1 ulp (computed in float64 and rounded once).

    Examples
    --------
    >>> softmax_accurate([2.0, 1.0, 0.0]).round(3)
    array([0.665, 0.245, 0.09 ])
    >>> from softmax_lessons.core import softmax
    >>> x = [700.3, 0.2]                 # 0.2 - 700.3 is rounded to the floats near 700
    >>> float(softmax_accurate(x)[1] / softmax(x)[1] - 1) != 0   # the last digits differ
    True
    """
    arr, axis, t = check_logits(x, axis, temperature=temperature, where=where)
    out = np.empty(arr.shape, arr.dtype)
    return apply_by_blocks(_softmax_kernel, arr, out, axis, t, work=np.float64, scratch=4)


def log_softmax_accurate(
    x: ArrayLike,
    axis: int = -1,
    *,
    temperature: float = 1.0,
    where: ArrayLike | None = None,
) -> np.ndarray:
    """Log-probabilities ``x / T - logsumexp(x / T)`` along `axis`, within 2 ulp of exact.

    Taught in 02. What differs from :func:`softmax_lessons.core.log_softmax`: it
    computes ``(d_hi - log1p(rest)) + d_lo``, where ``d_hi + d_lo`` is
    ``(x - max(x)) / T`` to twice float64's precision and ``1 + rest`` the sum of
    exponentials, so the largest entry's result, ``-log1p(rest)``, keeps its
    relative accuracy when it is tiny. Parameters, input checks (``where``: False
    positions get ``-inf``) and the result's shape and dtype are the core's.

    Examples
    --------
    >>> log_softmax_accurate([2.0, 1.0, 0.0]).round(4)
    array([-0.4076, -1.4076, -2.4076])
    >>> float(log_softmax_accurate([0.0, -50.0])[0])   # -log1p(exp(-50)), not rounded to 0
    -1.9287498479639178e-22
    """
    arr, axis, t = check_logits(x, axis, temperature=temperature, where=where)
    out = np.empty(arr.shape, arr.dtype)
    return apply_by_blocks(_log_softmax_kernel, arr, out, axis, t, work=np.float64, scratch=4)


def logsumexp_accurate(
    x: ArrayLike,
    axis: int = -1,
    *,
    keepdims: bool = False,
    where: ArrayLike | None = None,
) -> np.ndarray | float:
    """``log(sum(exp(x)))`` along `axis` as ``m + log1p(rest)``, within 2 ulp of the exact value.

    Taught in 02. What differs from :func:`softmax_lessons.core.logsumexp`: the
    sum of ``exp(x - m)`` (``m`` the maximum) is corrected with TwoSum. When the
    result nearly cancels to 0 (a negative maximum plus ``log1p(rest)`` of almost
    the same size) the problem itself is ill-conditioned and the error is a few ulp
    of ``m`` instead. Parameters (``axis``, ``keepdims``, ``where``), input checks
    and the result's shape are the core's.

    Examples
    --------
    >>> float(logsumexp_accurate([1000.0, 1000.0]))
    1000.6931471805599
    >>> float(logsumexp_accurate([0.0, -40.0]))       # log1p keeps the tiny result
    4.248354255291589e-18
    >>> float(logsumexp_accurate([-np.inf, -np.inf]))
    -inf
    """
    arr, axis, _ = check_logits(x, axis, where=where)
    out = np.full(_reduced_shape(arr.shape, axis), -np.inf, arr.dtype)  # an empty sum: log(0)
    apply_by_blocks(_logsumexp_kernel, arr, out, axis, work=np.float64, scratch=4)
    return out if keepdims else np.squeeze(out, axis=axis)
