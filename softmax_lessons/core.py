"""Softmax, log-softmax, log-sum-exp, entropy and sigmoid.

Taught in 01 (definition) and 02 (numerical stability). Every function here
takes logits ``x`` of any shape and works along ``axis`` (default -1, the class
axis, as in ``torch.softmax(x, dim=-1)`` and ``jax.nn.softmax(x, axis=-1)``).

The formulas sit in three short kernels, one per function (`_softmax_kernel`,
`_log_softmax_kernel`, `_logsumexp_kernel`): shift by the maximum, exponentiate,
normalise. One helper, `apply_by_blocks`, runs a kernel over a large array one
cache-sized block at a time (lesson 06 explains why that is faster).

Rules shared by `softmax`, `log_softmax` and `logsumexp` (and the functions of
:mod:`softmax_lessons.accurate`). Where SciPy, JAX and PyTorch agree we do as
they do; each rule is tested in ``tests/test_edge_cases.py`` by a test that
names the peer test it mirrors.

- **Inputs.** Lists, tuples and arrays are accepted; ints and bools become
  float64; float16, float32 and float64 keep their dtype (float16 is computed
  in float32 and rounded once at the end). Strings, objects, complex numbers
  and ``None`` raise ``TypeError``; a ragged nested list raises ``ValueError``.
- **Axis.** One integer (``TypeError`` otherwise); out of range raises
  :class:`numpy.exceptions.AxisError`, a ``ValueError``. A 0-d input has no
  class axis and raises it too, as in JAX. *We differ from SciPy and PyTorch*,
  which treat a lone number as one class of probability 1: logits without a
  class axis are nearly always a forgotten axis, so we say so.
- **Empty slices.** An axis of length 0 gives an empty array from `softmax`
  and `log_softmax`, and ``-inf`` (the log of an empty sum) from `logsumexp`.
- **Masks and -inf.** ``where`` is a boolean mask broadcastable to ``x``; False
  positions are left out: probability exactly 0, log-probability ``-inf``. A
  slice with nothing allowed (every entry masked or ``-inf``) gives zeros from
  `softmax` and ``-inf`` from `log_softmax` and `logsumexp`, as JAX does with
  ``where``. *We differ from SciPy, JAX and PyTorch* on a slice of ``-inf``
  without a mask, which they turn into NaN: attention writes padding as
  ``-inf``, and a fully padded row must contribute nothing, not NaN.
- **NaN and +inf.** A NaN logit makes its own slice NaN and leaves the others
  alone. A ``+inf`` logit makes its slice NaN in `softmax` and `log_softmax`
  (``inf / inf``), and ``+inf`` in `logsumexp`, whose sum really is infinite.
- **Results near zero.** `logsumexp` keeps the largest term of the sum,
  ``exp(0) = 1``, apart from the rest and takes ``log1p(rest)``, so a result
  such as ``logsumexp([0, -40]) = 4.25e-18`` is not rounded to 0, as in SciPy.
  `log_softmax` takes ``log`` of the whole sum, as SciPy's does: finding the top
  term costs it 5 to 10 % of its time, so the winner's tiny log-probability
  (``-log1p(e**-50)``) comes out as 0; `log_softmax_accurate` keeps it.
- **Temperature.** The maximum is subtracted before dividing by the
  temperature (so ``x / t`` cannot overflow), and the division runs in float64,
  so a tiny temperature is never rounded to 0 in float32 or float16. Any finite
  temperature > 0 is accepted.
- **The input is never modified.**
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .validation import (
    as_float_array,
    check_axis,
    check_distribution,
    check_logits,
    check_number,
)

__all__ = [
    "BLOCK_BYTES",
    "apply_by_blocks",
    "entropy",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "softmax",
    "softmax_naive",
]


# ---------------------------------------------------------------------------
# The formulas: one kernel per function, each computing one block in place
# ---------------------------------------------------------------------------


def _softmax_kernel(x: np.ndarray, out: np.ndarray, axis: int, t: float) -> None:
    """``exp((x - m) / t) / sum(exp((x - m) / t))`` along `axis`, written into `out`."""
    m = _shift(x, axis, out.dtype)
    _shifted(x, m, t, out=out)  # (x - m) / t <= 0: exp cannot overflow
    np.exp(out, out=out)
    total = np.sum(out, axis=axis, keepdims=True)
    total[total == 0] = 1  # only a slice with nothing allowed sums to 0: keep its zeros
    np.divide(out, total, out=out)


def _log_softmax_kernel(
    x: np.ndarray, out: np.ndarray, axis: int, t: float, e: np.ndarray
) -> None:
    """``(x - m) / t - log(sum(exp((x - m) / t)))`` along `axis`, written into `out`.

    `e` is scratch of the block's shape: the exponentials are only summed, so
    ``(x - m) / t`` is computed once, in `out`, and kept there.
    """
    m = _shift(x, axis, out.dtype)
    _shifted(x, m, t, out=out)
    total = np.sum(np.exp(out, out=e), axis=axis, keepdims=True)
    total[total == 0] = 1  # a slice with nothing allowed: keep its -inf (not -inf - -inf)
    out -= np.log(total)  # not x - (m + log(total)): small results keep their digits


def _logsumexp_kernel(x: np.ndarray, out: np.ndarray, axis: int, e: np.ndarray) -> None:
    """``max(x) + log1p(rest)`` along `axis`, with ``1 + rest = sum(exp(x - m))``, into `out`."""
    top_value = np.max(x, axis=axis, keepdims=True)  # the maximum itself, -inf if none allowed
    _shifted(x, _special_shift(top_value, e.dtype), 1.0, out=e)
    top = np.argmax(e, axis=axis, keepdims=True)  # where x - m is 0: the top term
    np.exp(e, out=e)
    np.add(top_value, np.log1p(_sum_without_top(e, top, axis)), out=out)
    out[top_value == np.inf] = np.inf  # a +inf logit: the sum of exponentials is +inf


def _sum_without_top(e: np.ndarray, top: np.ndarray, axis: int) -> np.ndarray:
    """The sum of `e` along `axis` without its top term (at `top`), the ``rest`` of ``1 + rest``.

    The top term is ``exp(0) = 1``. Summed with it, the others would each be
    rounded to the spacing of floats near 1, and a tiny rest lost entirely;
    ``sum(e) - 1`` cannot give back what was lost. `e` is scratch: its top term
    is overwritten with 0.
    """
    np.put_along_axis(e, top, 0, axis=axis)
    return np.sum(e, axis=axis, keepdims=True)


def _shift(x: np.ndarray, axis: int, dtype: np.dtype) -> np.ndarray:
    """The shift of each slice: its maximum, with two exceptions (see `_special_shift`)."""
    return _special_shift(np.max(x, axis=axis, keepdims=True), dtype)


def _shift_and_top(x: np.ndarray, axis: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """The shift of each slice, as `_shift` gives it, and the index of its maximum.

    The index is that of the first maximum (or of the first NaN, which wins, as in
    ``np.max``): the term ``exp(x_top - m) = exp(0) = 1`` that a sum can keep apart.
    """
    top = np.argmax(x, axis=axis, keepdims=True)
    return _special_shift(np.take_along_axis(x, top, axis=axis), dtype), top


def _special_shift(m: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The maxima `m` as shifts in `dtype`, with the two exceptions of the rules.

    - A maximum of ``-inf`` means nothing is allowed; shifting by it would give
      ``-inf - (-inf) = NaN``, so we shift by 0 and let ``exp`` give zeros.
    - A maximum of ``+inf`` makes softmax undefined; shifting by NaN makes the
      slice NaN everywhere (``inf - inf`` would too, with a warning from NumPy).
    """
    m = m.astype(dtype)
    m[m == -np.inf] = 0
    m[m == np.inf] = np.nan
    return m


def _shifted(x: np.ndarray, m: np.ndarray, t: float, *, out: np.ndarray) -> np.ndarray:
    """Write ``(x - m) / t`` into `out`: the maximum is subtracted before dividing.

    So a small temperature cannot overflow ``x / t`` (``1e308 / 0.1``): the
    quotient of a non-positive gap is at worst ``-inf``, a probability of 0. The
    division runs in float64 whatever `out`'s dtype, so `t` is never rounded to
    float32 first (where ``1e-300`` would become 0, and ``0 / 0`` NaN).
    """
    with np.errstate(over="ignore"):  # a gap beyond the float range: -inf, probability 0
        np.subtract(x, m, out=out)
        if t != 1:
            np.divide(out, t, out=out, dtype=np.float64)
    return out


# ---------------------------------------------------------------------------
# Speed: the same kernels, one cache-sized block at a time
# ---------------------------------------------------------------------------

# About 512 KiB of logits per block: a block, its output and one scratch buffer
# stay in a 2 MiB L2 cache between the passes that a kernel makes over them.
BLOCK_BYTES = 1 << 19


def apply_by_blocks(
    kernel: Callable[..., None],
    x: np.ndarray,
    out: np.ndarray,
    axis: int,
    *args: object,
    work: DTypeLike | None = None,
    scratch: int = 0,
) -> np.ndarray:
    """Fill `out` by running `kernel` on `x` one block of whole slices at a time.

    Taught in 06. A kernel makes several passes over its data (softmax: max,
    subtract, exp, sum, divide). On a whole large array each pass streams it
    through main memory again; block by block, the later passes find the block
    still in the CPU's cache, which is several times faster. Each slice along
    `axis` lies whole in one block and is computed on its own, so the result is
    the same to the last bit as one call on the whole array.

    Parameters
    ----------
    kernel : callable
        ``kernel(x_block, out_block, axis, *args, *scratch_blocks)`` computes one
        block and writes it into `out_block`.
    x : ndarray
        The input, cut into blocks of about `BLOCK_BYTES` (in the work dtype)
        along an axis other than `axis`.
    out : ndarray
        `x`'s shape, or length 1 along `axis` for a reduction (log-sum-exp). Left
        as it is when `x` is empty.
    axis : int
        The class axis, as a non-negative index.
    *args
        Passed on to `kernel` (the temperature).
    work : dtype, optional
        The dtype the kernel computes in; by default `out`'s, except float16,
        which is computed in float32. When it is not `out`'s dtype, the kernel
        writes into a work-dtype buffer that is rounded into `out` once.
    scratch : int, default 0
        How many extra work-dtype buffers of a block's shape the kernel needs;
        they are allocated once and reused for every block.

    Returns
    -------
    ndarray
        `out`.

    Examples
    --------
    >>> def double(x_block, out_block, axis):
    ...     np.multiply(x_block, 2, out=out_block)
    >>> apply_by_blocks(double, np.arange(3.0), np.empty(3), axis=0)
    array([0., 2., 4.])
    """
    if work is None:
        work = np.float32 if out.dtype == np.float16 else out.dtype
    work = np.dtype(work)
    blocks = list(_blocks(x.shape, axis, work.itemsize))
    if x.size == 0:
        return out  # nothing to compute: `out` is left as it is
    # Buffers for the largest block (the first), reused: a fresh array per block
    # would fault in new memory pages from the operating system every time.
    size = x[blocks[0]].size
    scratch_flat = [np.empty(size, dtype=work) for _ in range(scratch)]
    rounded = out.dtype != work
    out_flat = np.empty(out[blocks[0]].size, dtype=work) if rounded else None
    for block in blocks:
        x_block, out_block = x[block], out[block]
        if rounded:
            out_block = out_flat[: out_block.size].reshape(out_block.shape)
        scratch_blocks = [s[: x_block.size].reshape(x_block.shape) for s in scratch_flat]
        kernel(x_block, out_block, axis, *args, *scratch_blocks)
        if rounded:  # rounded once, here; below float16's range is -inf, as IEEE rounds
            with np.errstate(over="ignore"):
                out[block] = out_block
    return out


def _blocks(shape: tuple[int, ...], axis: int, itemsize: int):
    """Index tuples cutting `shape` into blocks of whole slices along `axis`, ~BLOCK_BYTES each.

    The cut runs along another axis (the first one, or the second if `axis` is
    the first); a 1-D array is a single slice and a single block. Yields tuples
    such as ``(slice(0, 16), slice(None))``.
    """
    if len(shape) == 1:
        yield (slice(None),)
        return
    cut = 1 if axis == 0 else 0
    per_index = itemsize * math.prod(shape) // shape[cut] if shape[cut] else 1
    step = max(1, BLOCK_BYTES // max(per_index, 1))
    for start in range(0, shape[cut], step):
        index = [slice(None)] * len(shape)
        index[cut] = slice(start, start + step)
        yield tuple(index)


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
    arr, axis, t = check_logits(x, axis, temperature=temperature, where=where)
    return apply_by_blocks(_softmax_kernel, arr, np.empty(arr.shape, arr.dtype), axis, t)


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
    arr, axis, t = check_logits(x, axis, temperature=temperature, where=where)
    out = np.empty(arr.shape, arr.dtype)
    return apply_by_blocks(_log_softmax_kernel, arr, out, axis, t, scratch=1)


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
    arr, axis, _ = check_logits(x, axis, where=where)
    out = np.full(_reduced_shape(arr.shape, axis), -np.inf, arr.dtype)  # an empty sum: log(0)
    apply_by_blocks(_logsumexp_kernel, arr, out, axis, scratch=1)
    return out if keepdims else np.squeeze(out, axis=axis)


def _reduced_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """`shape` with length 1 along `axis` (the shape of a reduction with keepdims)."""
    return (*shape[:axis], 1, *shape[axis + 1 :])


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
    axis = check_axis(arr, axis)
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
        If an entry is negative or a slice does not sum to 1 (the tolerance of
        :func:`softmax_lessons.validation.check_distribution`): the usual cause is
        passing logits instead of probabilities.

    Notes
    -----
    A slice holding a NaN has NaN entropy; the other slices are not affected.
    The sum is taken in float64 over ``p`` divided by its own sum (1, to the
    rounding of `p`'s dtype), so the result lies in ``[0, log(n)]`` whatever the
    dtype: a float16 distribution cannot come out more uncertain than uniform.

    Examples
    --------
    >>> float(entropy([0.25, 0.25, 0.25, 0.25]))
    2.0
    >>> float(entropy([1.0, 0.0, 0.0]))
    0.0
    """
    arr = check_distribution(p, "p", axis=axis, allow_nan=True)
    axis = check_axis(arr, axis, "p")
    base = check_number(base, "base")
    if not (base > 0 and base != 1):
        raise ValueError(f"base must be > 0 and not 1, got {base!r}; use 2 for bits, np.e for nats")
    q = arr.astype(np.float64)
    q = q / np.sum(q, axis=axis, keepdims=True)  # exactly a distribution, as far as float64 goes
    with np.errstate(divide="ignore", invalid="ignore"):
        # 0 log 0 = 0; a NaN entry keeps its NaN, so its slice's entropy is NaN.
        terms = np.where(q == 0, 0.0, q * np.log(q))
    h = -np.sum(terms, axis=axis) / np.log(base)
    return np.clip(h, 0.0, np.log(arr.shape[axis]) / np.log(base))  # rounding stays in range


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
    work = np.float32 if arr.dtype == np.float16 else arr.dtype
    # exp(-|x|) never overflows; the two branches are the same function rearranged.
    e = np.exp(-np.abs(arr.astype(work)))
    out = np.where(arr >= 0, 1 / (1 + e), e / (1 + e))
    return out.astype(arr.dtype, copy=False)
