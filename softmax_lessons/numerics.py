"""Floating-point limits of ``exp``, where the naive softmax breaks, and accuracy sweeps.

Taught in 02. Nothing here is typed in from a table: the limits of ``np.exp`` are
measured on this machine by bisection over the floats of each dtype, and the
accuracy of a softmax method is measured against the exact reference of
:mod:`softmax_lessons.reference`, in units in the last place (ulp).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .core import log_softmax, softmax_naive
from .reference import softmax_exact, ulp_error
from .validation import as_float_array, check_axis, check_int

__all__ = [
    "DTYPES",
    "ExpLimits",
    "NaiveBreakdown",
    "NaiveReport",
    "SweepRecord",
    "accuracy_sweep",
    "exp_limits",
    "naive_breakdown",
    "naive_nan_predicted",
    "naive_softmax_report",
    "softmax_log_domain",
    "sweep_table",
]

DTYPES = ("float16", "float32", "float64")

# The unsigned integer with the same width as each float: its bit pattern, read as
# an integer, grows with the float's magnitude, so bisection over integers walks
# through every float of the dtype in order.
_BITS = {np.dtype(np.float16): np.uint16, np.dtype(np.float32): np.uint32,
         np.dtype(np.float64): np.uint64}


def _float_dtype(dtype: DTypeLike) -> np.dtype:
    try:
        dt = np.dtype(dtype) if dtype is not None else None
    except TypeError:
        dt = None
    if dt not in _BITS:
        shown = dt if dt is not None else repr(dtype)  # int64, or 'x' when it is no dtype at all
        raise TypeError(f"dtype must be float16, float32 or float64, got {shown}; "
                        "for other types convert the logits first")
    return dt


def _float_dtypes(dtypes: Sequence[str]) -> list[np.dtype]:
    """The dtypes of a sweep: a list such as ``["float32", "float64"]``, never a bare string."""
    if isinstance(dtypes, (str, np.dtype, type)) or not isinstance(dtypes, Sequence):
        raise TypeError(
            f"dtypes must be a list of dtype names, got {dtypes!r}; "
            f"for one dtype write [{dtypes!r}]"
        )
    return [_float_dtype(d) for d in dtypes]


def _vector(values: ArrayLike, name: str, *, allow_empty: bool = True) -> np.ndarray:
    """`values` as a 1-D float64 array of finite numbers."""
    arr = as_float_array(values, name).astype(np.float64)
    if arr.ndim != 1 or not np.all(np.isfinite(arr)) or (arr.size == 0 and not allow_empty):
        raise ValueError(
            f"{name} must be a non-empty 1-D list of finite numbers, got shape {arr.shape} "
            f"with values {arr.ravel()[:4].tolist()}"
        )
    return arr


def _largest_magnitude_where(ok: Callable[[np.ndarray], bool], dt: np.dtype) -> np.ndarray:
    """The largest float t >= 0 of dtype `dt` with ``ok(t)``, given ok(0) and not ok(max)."""
    uint = _BITS[dt]
    lo = 0                                            # bits of 0.0: ok
    hi = int(np.array(np.finfo(dt).max, dtype=dt).view(uint))  # bits of max: not ok
    while hi - lo > 1:
        mid = (lo + hi) // 2
        t = np.array(mid, dtype=uint).view(dt)
        if ok(t):
            lo = mid
        else:
            hi = mid
    return np.array(lo, dtype=uint).view(dt)[()]


@dataclass(frozen=True)
class ExpLimits:
    """Where ``np.exp`` overflows and underflows in one dtype: what :func:`exp_limits` measures.

    Taught in 02.

    Attributes
    ----------
    dtype : str
        The dtype's name.
    overflow : numpy floating
        The largest input whose ``exp`` is finite (a float of `dtype`).
    underflow : numpy floating
        The smallest input whose ``exp`` is not rounded to 0 (a float of `dtype`).
    log_max, log_smallest_subnormal : float
        The formulas ``log(finfo.max)`` and ``log(smallest_subnormal)``, for comparison.
    """

    dtype: str
    overflow: np.floating
    underflow: np.floating
    log_max: float
    log_smallest_subnormal: float


def exp_limits(dtype: DTypeLike = "float64") -> ExpLimits:
    """Measure where ``np.exp`` overflows and underflows in `dtype`.

    Taught in 02. Both limits are found by bisection over every float of the
    dtype, calling ``np.exp`` itself, so they are what this machine does, not a
    number from a table. The formulas ``log(finfo.max)`` and
    ``log(smallest_subnormal)`` are returned beside them for comparison.

    Parameters
    ----------
    dtype : {"float16", "float32", "float64"}
        The floating-point type the logits are stored in.

    Returns
    -------
    ExpLimits
        ``overflow``, ``underflow``, the formulas ``log_max`` and
        ``log_smallest_subnormal``, and ``dtype``.

    Raises
    ------
    TypeError
        If `dtype` is not float16, float32 or float64.

    Examples
    --------
    >>> limits = exp_limits("float64")
    >>> round(float(limits.overflow), 2), round(float(limits.underflow), 2)
    (709.78, -745.13)
    >>> next_up = np.nextafter(limits.overflow, np.inf)   # the next float up overflows
    >>> with np.errstate(over="ignore"):
    ...     bool(np.isinf(np.exp(next_up)))
    True
    """
    dt = _float_dtype(dtype)
    finfo = np.finfo(dt)
    with np.errstate(over="ignore", under="ignore"):
        overflow = _largest_magnitude_where(lambda t: bool(np.isfinite(np.exp(t))), dt)
        underflow = -_largest_magnitude_where(lambda t: bool(np.exp(-t) > 0), dt)
    return ExpLimits(
        dtype=dt.name,
        overflow=overflow,
        underflow=underflow,
        log_max=float(np.log(np.float64(finfo.max))),
        log_smallest_subnormal=float(np.log(np.float64(finfo.smallest_subnormal))),
    )


def naive_nan_predicted(x: ArrayLike, axis: int = -1) -> np.ndarray:
    """Which entries of ``softmax_naive(x)`` IEEE arithmetic says are NaN, from `exp_limits`.

    Taught in 02. An entry is NaN when its own ``exp`` overflows (``inf / inf``),
    when every ``exp`` of its slice underflows to 0 (``0 / 0``), or when the
    slice holds a NaN. The limits come from :func:`exp_limits` for `x`'s dtype;
    the tests check this prediction against what ``softmax_naive`` really returns.

    Parameters
    ----------
    x : array_like of float16, float32 or float64
        Logits, in the dtype the naive formula will use.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray of bool
        Same shape as `x`; True where the naive formula gives NaN.

    Examples
    --------
    >>> naive_nan_predicted([1000.0, 1001.0, 999.0]).tolist()
    [True, True, True]
    >>> naive_nan_predicted([0.0, 1000.0]).tolist()     # exp(0) / inf is 0, not NaN
    [False, True]
    >>> naive_nan_predicted(np.array([9.0, 12.0], dtype=np.float16)).tolist()
    [False, True]
    """
    arr = as_float_array(x)
    axis = check_axis(arr, axis)
    limits = exp_limits(arr.dtype)
    with np.errstate(invalid="ignore"):
        overflows = arr > limits.overflow
        underflows = arr < limits.underflow
    nan_in_slice = np.any(np.isnan(arr), axis=axis, keepdims=True)
    all_under = np.all(underflows, axis=axis, keepdims=True)
    any_inf_exp = np.any(overflows, axis=axis, keepdims=True)
    # A slice that holds an overflowing exp has sum inf: the others give finite / inf = 0.
    return overflows | nan_in_slice | (all_under & ~any_inf_exp)


@dataclass(frozen=True)
class NaiveReport:
    """What :func:`naive_softmax_report` saw when it ran the naive formula. Taught in 02.

    Attributes
    ----------
    p : ndarray
        The naive result.
    nan : ndarray of bool
        Where `p` is NaN.
    warnings : list of str
        The sorted, de-duplicated messages NumPy raised.
    status : str
        One sentence: ``"ok"``, or what went wrong.
    """

    p: np.ndarray
    nan: np.ndarray
    warnings: list[str]
    status: str


def naive_softmax_report(x: ArrayLike, axis: int = -1) -> NaiveReport:
    """Run ``softmax_naive(x)``, record NumPy's warnings, and say what went wrong.

    Taught in 02. The warnings are the lesson, so they are caught and returned as
    plain messages (without file names, which change from run to run).

    Returns
    -------
    NaiveReport
        ``p``, its NaN mask ``nan``, the ``warnings`` and the ``status`` sentence.

    Examples
    --------
    >>> report = naive_softmax_report([1000.0, 1001.0, 999.0])
    >>> report.warnings
    ['invalid value encountered in divide', 'overflow encountered in exp']
    >>> report.status
    'NaN: exp overflowed to inf, and inf / inf is NaN'
    """
    arr = as_float_array(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = softmax_naive(arr, axis=axis)
    messages = sorted({str(w.message) for w in caught})
    limits = exp_limits(arr.dtype)
    nan = np.isnan(p)
    if np.any(np.isnan(arr)):
        status = "NaN: a logit is NaN"
    elif np.any(nan & (arr > limits.overflow)):
        status = "NaN: exp overflowed to inf, and inf / inf is NaN"
    elif np.any(nan):
        status = "NaN: every exp underflowed to 0, and 0 / 0 is NaN"
    elif not np.allclose(np.sum(p.astype(np.float64), axis=axis), 1.0, atol=1e-2):
        status = "wrong: the sum of exps overflowed, so every probability is 0"
    else:
        status = "ok"
    return NaiveReport(p=p, nan=nan, warnings=messages, status=status)


@dataclass(frozen=True)
class NaiveBreakdown:
    """How often the naive softmax gives NaN in one dtype, as the offset grows. Taught in 02.

    Attributes
    ----------
    offsets : ndarray, shape (n_offsets,)
        The constants added to every logit.
    nan_fraction : ndarray, shape (n_offsets,)
        The fraction of NaN entries at each offset, measured.
    breaks_above, breaks_below : float
        The offsets above and below which :func:`exp_limits` says the formula must break.
    """

    offsets: np.ndarray
    nan_fraction: np.ndarray
    breaks_above: float
    breaks_below: float


def naive_breakdown(
    base: ArrayLike, offsets: ArrayLike, dtypes: Sequence[str] = DTYPES
) -> dict[str, NaiveBreakdown]:
    """Run the naive softmax on ``base + offset`` for every offset and dtype; count the NaNs.

    Taught in 02. The measured NaN fraction is returned beside the offsets where
    :func:`exp_limits` says the naive formula must break: above
    ``overflow - max(base)`` the largest exp is inf, below ``underflow - max(base)``
    every exp is 0.

    Parameters
    ----------
    base : array_like, shape (n_classes,)
        The logits at offset 0.
    offsets : array_like, shape (n_offsets,)
        Constants added to every logit (in float64, then rounded to each dtype).
    dtypes : sequence of str

    Returns
    -------
    dict of str to NaiveBreakdown
        One `NaiveBreakdown` per dtype, keyed by the dtype's name.

    Examples
    --------
    >>> out = naive_breakdown([0.0, 1.0, -1.0], [0.0, 700.0, 709.0, 1000.0], ["float64"])
    >>> out["float64"].nan_fraction.round(2).tolist()
    [0.0, 0.0, 0.33, 1.0]
    >>> round(out["float64"].breaks_above, 2)
    708.78
    """
    base = _vector(base, "base", allow_empty=False)
    offsets = _vector(offsets, "offsets")
    result = {}
    for dt in _float_dtypes(dtypes):
        x = (offsets[:, None] + base[None, :]).astype(dt)
        with np.errstate(all="ignore"):
            nan = np.isnan(softmax_naive(x))
        limits = exp_limits(dt)
        top = float(np.max(base))
        result[dt.name] = NaiveBreakdown(
            offsets=offsets,
            nan_fraction=nan.mean(axis=-1),
            breaks_above=float(limits.overflow) - top,
            breaks_below=float(limits.underflow) - top,
        )
    return result


def softmax_log_domain(x: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax computed as ``exp(log_softmax(x))``: the log-domain method.

    Taught in 02, as one of the methods whose accuracy the lesson measures.

    Parameters
    ----------
    x : array_like
        Logits; the input rules of :func:`softmax_lessons.core.log_softmax` apply.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Probabilities, same shape and dtype rules as ``softmax``.

    Examples
    --------
    >>> softmax_log_domain([2.0, 1.0, 0.0]).round(3)
    array([0.665, 0.245, 0.09 ])
    """
    return np.exp(log_softmax(x, axis=axis))


@dataclass(frozen=True)
class SweepRecord:
    """One row of :func:`accuracy_sweep`: one method on one dtype at one logit scale.

    Taught in 02.

    Attributes
    ----------
    dtype : str
    scale : float
        The standard deviation of the logits.
    method : str
        The method's name, as given to `accuracy_sweep`.
    max_ulp, median_ulp : float
        Over every probability, in ulp of `dtype` (``inf`` when a result is NaN or infinite).
    failed : float
        The fraction of vectors with a non-finite result.
    """

    dtype: str
    scale: float
    method: str
    max_ulp: float
    median_ulp: float
    failed: float


def accuracy_sweep(
    methods: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    scales: Sequence[float],
    dtypes: Sequence[str] = DTYPES,
    *,
    rng: np.random.Generator | int,
    n_classes: int = 8,
    n_trials: int = 10,
) -> list[SweepRecord]:
    """Measure the error of softmax `methods` in ulp against the exact reference.

    Taught in 02. For each dtype and logit scale, `n_trials` logit vectors
    ``scale * standard_normal(n_classes)`` are drawn, rounded to the dtype, and
    given to every method. The exact softmax of the rounded logits (Python's
    ``decimal``, 50 digits) is the reference, and the error of each probability
    is measured in units in the last place of the dtype.

    Parameters
    ----------
    methods : mapping of str to callable
        Name -> function taking logits of shape (n_trials, n_classes) and
        returning probabilities of the same shape and dtype (softmax on the last axis).
    scales : sequence of float
        Standard deviations of the logits; larger scales mean larger differences.
    dtypes : sequence of str, default ("float16", "float32", "float64")
    rng : numpy.random.Generator or int
        Draws the logits; the same logits are used for every method. An int is a
        seed: two sweeps with the same seed (and the same `scales`, `dtypes` and
        shapes) draw the same logits, so a method added in a second sweep is
        measured on the logits of the first, and the first sweep's methods get
        the same numbers again.
    n_classes, n_trials : int
        Shape of each batch of logits.

    Returns
    -------
    list of SweepRecord
        One record per (dtype, scale, method).

    Examples
    --------
    >>> from softmax_lessons.core import softmax
    >>> rows = accuracy_sweep({"shifted": softmax}, [1.0], ["float64"],
    ...                       rng=np.random.default_rng(0))
    >>> rows[0].method, rows[0].max_ulp < 4, rows[0].failed
    ('shifted', True, 0.0)
    >>> again = accuracy_sweep({"shifted": softmax}, [1.0], ["float64"], rng=5)
    >>> again == accuracy_sweep({"shifted": softmax}, [1.0], ["float64"], rng=5)
    True
    """
    if not isinstance(rng, np.random.Generator):
        check_int(rng, "rng", minimum=0, hint="pass a seed or np.random.default_rng(seed)")
    rng = np.random.default_rng(rng)  # a Generator is used as it is; an int seeds a new one
    check_int(n_classes, "n_classes")
    check_int(n_trials, "n_trials")
    if not isinstance(methods, Mapping) or not all(callable(f) for f in methods.values()):
        raise TypeError(
            f"methods must map names to functions, got {methods!r}; "
            "for example {'shifted': softmax}"
        )
    scales = _vector(scales, "scales")
    records = []
    for dt in _float_dtypes(dtypes):
        for scale in scales:
            x = (float(scale) * rng.standard_normal((n_trials, n_classes))).astype(dt)
            exact = softmax_exact(x)
            for name, method in methods.items():
                with np.errstate(all="ignore"):
                    approx = np.asarray(method(x))
                if approx.dtype != dt or approx.shape != x.shape:
                    raise ValueError(f"method {name!r} returned {approx.dtype} {approx.shape} "
                                     f"for {dt} {x.shape}; it must keep the dtype and shape")
                err = ulp_error(approx, exact)
                records.append(SweepRecord(
                    dtype=dt.name,
                    scale=float(scale),
                    method=name,
                    max_ulp=float(np.max(err)),
                    median_ulp=float(np.median(err)),
                    failed=float(np.mean(~np.all(np.isfinite(approx), axis=-1))),
                ))
    return records


def _format_ulp(value: float) -> str:
    if not np.isfinite(value):
        return "fails"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


_STATS = ("max_ulp", "median_ulp", "failed")


def sweep_table(records: list[SweepRecord], dtype: str, stat: str = "max_ulp") -> str:
    """A plain-text table of one statistic of `accuracy_sweep`: scales down, methods across.

    Taught in 02. `stat` is one of ``"max_ulp"``, ``"median_ulp"``, ``"failed"``;
    ``fails`` marks a method that returned NaN or inf.

    Examples
    --------
    >>> rows = [SweepRecord("float64", 1.0, "a", max_ulp=0.5, median_ulp=0.5, failed=0.0),
    ...         SweepRecord("float64", 1.0, "b", max_ulp=np.inf, median_ulp=np.inf, failed=1.0)]
    >>> print(sweep_table(rows, "float64"))
    float64, max_ulp
      scale         a         b
          1       0.5     fails
    """
    if not isinstance(records, list) or not all(isinstance(r, SweepRecord) for r in records):
        raise ValueError(
            f"records must be the list returned by accuracy_sweep, got {str(records)[:80]}"
        )
    if stat not in _STATS:
        raise ValueError(f"stat must be one of {_STATS}, got {stat!r}")
    rows = [r for r in records if r.dtype == dtype]
    if not rows:
        raise ValueError(f"dtype must be one of the sweep's dtypes "
                         f"{sorted({r.dtype for r in records})}, got {dtype!r}")
    methods = list(dict.fromkeys(r.method for r in rows))
    scales = list(dict.fromkeys(r.scale for r in rows))
    value = {(r.scale, r.method): getattr(r, stat) for r in rows}
    width = max(9, *(len(m) for m in methods)) + 1
    lines = [f"{dtype}, {stat}", f"{'scale':>7}" + "".join(f"{m:>{width}}" for m in methods)]
    for s in scales:
        cells = "".join(f"{_format_ulp(value[(s, m)]):>{width}}" for m in methods)
        lines.append(f"{s:>7g}{cells}")
    return "\n".join(lines)
