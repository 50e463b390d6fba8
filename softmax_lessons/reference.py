"""An exact reference for softmax, and errors measured in units in the last place.

Taught in 02. The functions here compute with Python's :mod:`decimal` module at
50 significant digits, far beyond float64's 16, so their results are exact for
every purpose of this course. They are slow (a Python loop over entries) and
meant for measuring the fast functions of :mod:`softmax_lessons.core` on small
arrays, never for real work.

A float64 input is an exact binary number; ``Decimal(float)`` converts it
without rounding, so the reference answers the question "what is the true
softmax of exactly these floats?".
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_array, as_float_array, check_logits

__all__ = ["log_softmax_exact", "logsumexp_exact", "softmax_exact", "ulp_error"]

DIGITS = 50
# Enough digits to hold the difference of any two float64 numbers exactly.
EXACT_DIGITS = 1200


def _context(digits: int = DIGITS) -> decimal.Context:
    return decimal.Context(prec=digits, Emax=10**9, Emin=-(10**9))


def _slices(arr: np.ndarray, axis: int):
    """The input moved so that `axis` is last, as Decimals, one row per slice."""
    moved = np.moveaxis(arr, axis, -1)
    rows = moved.reshape(math.prod(moved.shape[:-1]), moved.shape[-1])
    return moved.shape, [[Decimal(float(v)) for v in row] for row in rows]


def _log1p(s: Decimal, ctx: decimal.Context) -> Decimal:
    """ln(1 + s) for s >= 0, keeping full relative accuracy when s is tiny."""
    if s == 0:
        return Decimal(0)
    if s > Decimal("1e-20"):
        return ctx.add(1, s).ln(ctx)  # 1 + s still holds 30+ digits of s
    # The series s - s^2/2 + s^3/3 - ...; each term is 1e-20 times smaller than the last.
    total, power, k = Decimal(0), s, 1
    while power != 0 and abs(power) > abs(total) * Decimal(10) ** -(ctx.prec + 5):
        total = ctx.add(total, ctx.divide(power, k) if k % 2 else -ctx.divide(power, k))
        power, k = ctx.multiply(power, s), k + 1
    return total


def _row_parts(row: list[Decimal], t: Decimal = Decimal(1)):
    """Split one slice into what every exact function needs.

    Returns ``(status, m, diffs, log_total)``: status is "nan" (a NaN or +inf entry),
    "empty" (every entry is -inf or masked) or "ok"; ``diffs`` are ``(x - m) / t``,
    exact for ``t = 1`` and to 70 digits otherwise; ``log_total`` is
    ``log(sum(exp(diffs)))``, computed as ``log1p`` of the sum without one maximal
    term, so it keeps its relative accuracy even when tiny.
    """
    if any(v.is_nan() or v == Decimal("Infinity") for v in row):
        return "nan", None, None, None  # as the fast functions do: the slice is NaN
    finite = [v for v in row if v.is_finite()]
    if not finite:
        return "empty", None, None, None
    m = max(finite)
    exact = _context(EXACT_DIGITS)
    work = _context(DIGITS + 20)
    diffs = [exact.subtract(v, m) if v.is_finite() else v for v in row]
    if t != 1:
        diffs = [work.divide(d, t) for d in diffs]
    rest = [d for d in diffs if d.is_finite()]
    rest.remove(Decimal(0))  # one maximal term, exp(0) = 1, is the "1" of log1p
    s = Decimal(0)
    for d in rest:
        s = work.add(s, work.exp(d))
    return "ok", m, diffs, _log1p(s, work)


def _lse_row(row: list[Decimal], ctx: decimal.Context) -> Decimal:
    """log(sum(exp(row))) exactly; -Infinity if every entry is -inf; NaN if any is NaN."""
    status, m, _, log_total = _row_parts(row)
    if status == "nan":
        return Decimal("NaN")
    if status == "empty":
        return Decimal("-Infinity")
    return ctx.plus(_context(EXACT_DIGITS).add(m, log_total))


def _rows_to_array(shape, rows, axis, to_float: bool) -> np.ndarray:
    dtype = np.float64 if to_float else object
    flat = np.array([v for row in rows for v in row], dtype=object)
    if to_float:
        flat = np.array([float(v) for v in flat], dtype=dtype)
    return np.moveaxis(flat.reshape(shape), -1, axis)


def logsumexp_exact(
    x: ArrayLike, axis: int = -1, *, where: ArrayLike | None = None, as_float: bool = False
) -> np.ndarray:
    """Exact ``log(sum(exp(x)))`` along `axis`, as an array of ``Decimal`` (or float64).

    Examples
    --------
    >>> str(logsumexp_exact([0.0, 0.0])[()])[:12]
    '0.6931471805'
    """
    arr, axis, _ = check_logits(x, axis, where=where)
    arr = arr.astype(np.float64)
    ctx = _context()
    shape, rows = _slices(arr, axis)
    values = [_lse_row(row, ctx) for row in rows]
    out = np.array(values, dtype=object).reshape(shape[:-1])
    return out.astype(np.float64) if as_float else out


def log_softmax_exact(
    x: ArrayLike,
    axis: int = -1,
    *,
    temperature: float = 1.0,
    where: ArrayLike | None = None,
    as_float: bool = False,
) -> np.ndarray:
    """Exact ``x / T - logsumexp(x / T)`` along `axis`, as an array of ``Decimal`` (or float64).

    The temperature divides ``x - max(x)``, the float `temperature` taken exactly.

    Examples
    --------
    >>> log_softmax_exact([2.0, 1.0, 0.0], as_float=True).round(4)
    array([-0.4076, -1.4076, -2.4076])
    """
    arr, axis, t = check_logits(x, axis, temperature=temperature, where=where)
    arr = arr.astype(np.float64)
    ctx = _context()
    shape, rows = _slices(arr, axis)
    out_rows = []
    for row in rows:
        status, _, diffs, log_total = _row_parts(row, Decimal(t))
        if status == "nan":
            out_rows.append([Decimal("NaN")] * len(row))
        elif status == "empty":
            out_rows.append([Decimal("-Infinity")] * len(row))
        else:  # (x - m) - log_total: both parts exact or 70 digits, one rounding to 50
            out_rows.append([ctx.subtract(d, log_total) for d in diffs])
    return _rows_to_array(shape, out_rows, axis, as_float)


def softmax_exact(
    x: ArrayLike,
    axis: int = -1,
    *,
    temperature: float = 1.0,
    where: ArrayLike | None = None,
    as_float: bool = False,
) -> np.ndarray:
    """Exact softmax of ``x / T`` along `axis`, as ``Decimal`` (or float64 with ``as_float``).

    The temperature divides ``x - max(x)``, the float `temperature` taken exactly.

    Follows the conventions of :func:`softmax_lessons.softmax`: masked and ``-inf``
    entries give exactly 0, a slice with nothing allowed gives zeros, NaN or
    ``+inf`` makes its slice NaN.

    Examples
    --------
    >>> softmax_exact([2.0, 1.0, 0.0], as_float=True).round(3)
    array([0.665, 0.245, 0.09 ])
    >>> str(softmax_exact([0.0, 0.0, 0.0])[0])[:8]
    '0.333333'
    """
    arr, axis, t = check_logits(x, axis, temperature=temperature, where=where)
    arr = arr.astype(np.float64)
    ctx = _context()
    shape, rows = _slices(arr, axis)
    out_rows = []
    work = _context(DIGITS + 20)
    for row in rows:
        status, _, diffs, log_total = _row_parts(row, Decimal(t))
        if status == "nan":
            out_rows.append([Decimal("NaN")] * len(row))
        elif status == "empty":
            out_rows.append([Decimal(0)] * len(row))
        else:
            out_rows.append([ctx.plus(work.exp(work.subtract(d, log_total))) for d in diffs])
    return _rows_to_array(shape, out_rows, axis, as_float)


def _split(exact: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split exact values into float64 ``hi + lo`` (``lo`` carries what ``hi`` rounds away)."""
    exact = np.asarray(exact)
    if exact.dtype != object:
        hi = exact.astype(np.float64)
        return hi, np.zeros_like(hi)
    hi = np.array([float(v) for v in exact.flat], dtype=np.float64).reshape(exact.shape)
    lo = np.zeros_like(hi)
    for i, (v, h) in enumerate(zip(exact.flat, hi.flat, strict=True)):
        v = v if isinstance(v, Decimal) else Decimal(v)
        if v.is_finite() and np.isfinite(h):
            lo.flat[i] = float(v - Decimal(float(h)))
    return hi, lo


def ulp_error(approx: ArrayLike, exact: ArrayLike) -> np.ndarray:
    """``|approx - exact|`` in units in the last place of `approx`'s dtype.

    The unit is the spacing of floats of `approx`'s dtype at the exact value
    (``np.spacing`` of the exact value rounded to that dtype). A correctly
    rounded result has an error of at most 0.5; "within 4 ulp" means at most 4.

    Parameters
    ----------
    approx : array_like of float16, float32 or float64
        The computed values.
    exact : array_like
        The true values: an array of ``Decimal`` from the ``*_exact`` functions,
        or floats. Must have the same shape as `approx`.

    Returns
    -------
    ndarray of float64
        Same shape; 0 where both are the same infinity or both are NaN, ``inf``
        where exactly one of them is NaN or infinite.

    Examples
    --------
    >>> x = np.array([2.0, 1.0, 0.0])
    >>> float(ulp_error(np.float64(1) / 3, softmax_exact([0.0, 0.0, 0.0])[0]))
    0.3333333333333333
    """
    a = as_float_array(approx, "approx")  # refuses strings, objects, ragged lists
    if np.asarray(approx).dtype.kind != "f":
        raise TypeError(
            f"approx must be a float array, got dtype {np.asarray(approx).dtype}; "
            "the unit of an integer result is not defined"
        )
    exact_arr = as_array(exact, "exact")
    if exact_arr.dtype != object:
        exact_arr = as_float_array(exact_arr, "exact")
    elif not all(isinstance(v, (Decimal, float, int)) for v in exact_arr.flat):
        bad = next(v for v in exact_arr.flat if not isinstance(v, (Decimal, float, int)))
        raise TypeError(
            f"exact must hold Decimals or floats, got {bad!r}; "
            "pass what an *_exact function returns"
        )
    if exact_arr.shape != a.shape:
        raise ValueError(
            f"exact must have approx's shape {a.shape}, got shape {exact_arr.shape}"
        )
    hi, lo = _split(exact_arr)
    a64 = a.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        unit = np.spacing(np.abs(hi.astype(a.dtype))).astype(np.float64)
        err = np.abs((a64 - hi) - lo) / unit
    same_special = (np.isnan(a64) & np.isnan(hi)) | ((a64 == hi) & np.isinf(hi))
    one_special = ~same_special & ~(np.isfinite(a64) & np.isfinite(hi))
    err = np.where(same_special, 0.0, err)
    return np.where(one_special, np.inf, err)
