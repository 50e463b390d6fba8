"""Scenes of lesson 02: naive and stable softmax side by side, the float grid, TwoSum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..accurate import two_sum
from ..core import softmax
from ..numerics import DTYPES, exp_limits, naive_nan_predicted, naive_softmax_report

__all__ = [
    "BASE_LOGITS",
    "LABELS",
    "SpacingScene",
    "StabilityScene",
    "TwoSumScene",
    "spacing_scene",
    "stability_scene",
    "two_sum_scene",
]

# At offset 1000 these are the lesson's example (1000, 1001, 999).
BASE_LOGITS = (0.0, 1.0, -1.0)

LABELS = ("a", "b", "c")


@dataclass(frozen=True)
class StabilityScene:
    """What :func:`stability_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``x`` (the logits in `dtype`), ``labels``, ``dtype``, ``offset``;
    ``naive_p``, ``naive_nan`` (measured), ``predicted_nan`` (from the
    measured limits of exp), ``naive_status`` and ``naive_warnings``;
    ``stable_p`` and ``stable_sum``; ``overflow`` and ``underflow`` (the
    limits of exp in `dtype`); ``summary`` (one line of text).
    """

    x: np.ndarray
    labels: list[str]
    dtype: str
    offset: float
    naive_p: np.ndarray
    naive_nan: np.ndarray
    predicted_nan: np.ndarray
    naive_status: str
    naive_warnings: list[str]
    stable_p: np.ndarray
    stable_sum: float
    overflow: float
    underflow: float
    summary: str


def stability_scene(
    offset: float = 1000.0,
    dtype: str = "float64",
    base: Sequence[float] = BASE_LOGITS,
    labels: Sequence[str] = LABELS,
) -> StabilityScene:
    """What the lesson-02 explorer draws: naive and stable softmax of ``base + offset``.

    Taught in 02. The logits are computed in float64 and rounded to `dtype`;
    both methods then work in that dtype.

    Returns
    -------
    StabilityScene
        Everything the figure or explorer shows, as named fields.

    Raises
    ------
    TypeError
        If `dtype` is not float16, float32 or float64.

    Examples
    --------
    >>> scene = stability_scene()                  # (1000, 1001, 999) in float64
    >>> scene.naive_nan.tolist(), scene.stable_p.round(4).tolist()
    ([True, True, True], [0.2447, 0.6652, 0.09])
    >>> stability_scene(offset=0.0).naive_status
    'ok'
    """
    limits = exp_limits(dtype)
    dt = np.dtype(limits.dtype)
    x = (np.asarray(base, dtype=np.float64) + float(offset)).astype(dt)
    report = naive_softmax_report(x)
    stable = softmax(x)
    stable_sum = float(np.sum(stable, dtype=np.float64))
    shown = ", ".join(f"{float(v):g}" for v in x)
    summary = (f"{dt.name}: logits ({shown}); exp overflows above {float(limits.overflow):.4g}"
               f" and underflows below {float(limits.underflow):.4g}; "
               f"naive: {report.status}; stable sums to {stable_sum:.3f}")
    return StabilityScene(
        x=x,
        labels=list(labels),
        dtype=dt.name,
        offset=float(offset),
        naive_p=report.p,
        naive_nan=report.nan,
        predicted_nan=naive_nan_predicted(x),
        naive_status=report.status,
        naive_warnings=report.warnings,
        stable_p=stable,
        stable_sum=stable_sum,
        overflow=limits.overflow,
        underflow=limits.underflow,
        summary=summary,
    )


# -- the float grid (lesson 02, going further) ---------------------------------------------


@dataclass(frozen=True)
class SpacingScene:
    """What :func:`spacing_scene` computes: the gap between neighbouring floats, by size.

    Fields:
    ``magnitudes`` (positive numbers, log-spaced); ``spacing``: a dict from dtype
    name to ``np.spacing(v)`` at each magnitude (NaN beyond the dtype's largest
    float); ``eps`` (dtype name to ``np.spacing(1.0)`` in that dtype, the machine
    epsilon); ``relative_in_eps``: ``np.spacing(v) / v / eps``, the relative gap in
    units of eps (between 0.5 and 1 for normal floats); ``marks``: a few
    (label, value, spacing) float64 examples to point at.
    """

    magnitudes: np.ndarray
    spacing: dict[str, np.ndarray]
    eps: dict[str, float]
    relative_in_eps: dict[str, np.ndarray]
    marks: tuple[tuple[str, float, float], ...]


def spacing_scene(
    magnitudes: Sequence[float] | None = None,
    marks: Sequence[float] = (1.0, 1e16),
    dtypes: Sequence[str] = DTYPES,
) -> SpacingScene:
    """The spacing of the float grid at each of `magnitudes`, for each dtype.

    Taught in 02 (going further). Floats are not evenly spread: the gap from one to
    the next (``np.spacing``) doubles each time the number passes a power of 2, so
    it grows in proportion to the number, and the *relative* gap stays between
    ``eps / 2`` and ``eps``, where ``eps = np.spacing(1.0)``.

    Parameters
    ----------
    magnitudes : sequence of float, optional
        Positive numbers; by default 2000 values from 1e-3 to 1e17, log-spaced.
    marks : sequence of float
        float64 values whose spacing a figure points at.
    dtypes : sequence of str
        Dtype names among float16, float32, float64.

    Examples
    --------
    >>> scene = spacing_scene([1.0, 3.0, 1e5])
    >>> scene.spacing["float64"].tolist()[:2], scene.eps["float16"]
    ([2.220446049250313e-16, 4.440892098500626e-16], 0.0009765625)
    >>> bool(np.isnan(scene.spacing["float16"][2]))   # 1e5 is past float16's largest
    True
    >>> scene.relative_in_eps["float64"][:2].tolist()  # 3 is 1.5 times 2: 1 / 1.5 of eps
    [1.0, 0.6666666666666666]
    >>> [(label, spacing) for label, _, spacing in scene.marks]
    [('1', 2.220446049250313e-16), ('1e+16', 2.0)]
    """
    if magnitudes is None:
        magnitudes = np.logspace(-3, 17, 2000)
    v = np.asarray(magnitudes, dtype=np.float64)
    if v.ndim != 1 or np.any(~(v > 0)):
        raise ValueError("magnitudes must be a 1-D sequence of positive numbers")
    spacing, relative, eps = {}, {}, {}
    for name in dtypes:
        dt = np.dtype(name)
        if dt.name not in DTYPES:
            raise TypeError(f"dtype must be one of {DTYPES}, got {name!r}")
        info = np.finfo(dt)
        fits = v <= float(info.max)
        # Values past the largest float become inf in `dt`; they are left out just below.
        with np.errstate(over="ignore", invalid="ignore"):
            gaps = np.spacing(v.astype(dt)).astype(np.float64)
        gaps = np.where(fits, gaps, np.nan)
        spacing[dt.name] = gaps
        eps[dt.name] = float(np.spacing(dt.type(1.0)))
        relative[dt.name] = gaps / v / eps[dt.name]
    shown = tuple((f"{m:g}", float(m), float(np.spacing(np.float64(m)))) for m in marks)
    return SpacingScene(magnitudes=v, spacing=spacing, eps=eps, relative_in_eps=relative,
                        marks=shown)


# -- TwoSum, one pair at a time (lesson 02, going further) ---------------------------------


@dataclass(frozen=True)
class TwoSumScene:
    """What :func:`two_sum_scene` computes: TwoSum's six operations on one pair of floats.

    Fields:
    ``a``, ``b``; ``steps``: the six operations as (name, formula, value) in order,
    ending with ``s`` (the rounded sum) and ``err`` (what rounding threw away);
    ``s`` and ``err``; ``exact`` (the true ``a + b`` as a ``Decimal``) and
    ``recovered`` (``s + err == a + b`` exactly, checked in ``Decimal``);
    ``grid``: the floats nearest to ``s`` (three each side, and ``s`` itself), given
    as exact distances from ``s``, for a number line.
    """

    a: float
    b: float
    steps: tuple[tuple[str, str, float], ...]
    s: float
    err: float
    exact: Decimal
    recovered: bool
    grid: np.ndarray


def two_sum_scene(a: float, b: float) -> TwoSumScene:
    """Walk TwoSum through ``a + b`` in float64, step by step.

    Taught in 02 (going further). Same six operations as
    :func:`softmax_lessons.accurate.two_sum`, each value kept, so a lesson can print
    them and draw where ``s`` and the exact sum sit on the float grid.

    Examples
    --------
    >>> scene = two_sum_scene(1e16, 1.0)
    >>> for name, formula, value in scene.steps:
    ...     print(f"{name:>9} = {formula:<15} = {value!r}")
            s = a + b           = 1e+16
    b_virtual = s - a           = 0.0
    a_virtual = s - b_virtual   = 1e+16
       a_lost = a - a_virtual   = 0.0
       b_lost = b - b_virtual   = 1.0
          err = a_lost + b_lost = 1.0
    >>> scene.exact, scene.recovered
    (Decimal('10000000000000001'), True)
    >>> scene.grid.tolist()
    [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0]
    """
    a64, b64 = np.float64(a), np.float64(b)
    if not (np.isfinite(a64) and np.isfinite(b64)):
        raise ValueError(f"a and b must be finite floats, got {a!r} and {b!r}")
    s = a64 + b64
    b_virtual = s - a64  # the part of b that made it into s
    a_virtual = s - b_virtual  # the part of a that made it into s
    a_lost = a64 - a_virtual
    b_lost = b64 - b_virtual
    err = a_lost + b_lost
    s_check, err_check = two_sum(a64, b64)  # the package's TwoSum, for the same answer
    if (float(s_check), float(err_check)) != (float(s), float(err)):
        raise RuntimeError("two_sum_scene disagrees with accurate.two_sum")
    steps = (
        ("s", "a + b", float(s)),
        ("b_virtual", "s - a", float(b_virtual)),
        ("a_virtual", "s - b_virtual", float(a_virtual)),
        ("a_lost", "a - a_virtual", float(a_lost)),
        ("b_lost", "b - b_virtual", float(b_lost)),
        ("err", "a_lost + b_lost", float(err)),
    )
    exact = Decimal(float(a64)) + Decimal(float(b64))  # exact: Decimal holds every float
    recovered = Decimal(float(s)) + Decimal(float(err)) == exact
    below, above = [s], [s]
    for _ in range(3):
        below.append(np.nextafter(below[-1], -np.inf))
        above.append(np.nextafter(above[-1], np.inf))
    # Neighbouring floats differ by a few spacings: their differences are exact.
    grid = np.array([float(g - s) for g in below[:0:-1] + above])
    return TwoSumScene(a=float(a64), b=float(b64), steps=steps, s=float(s), err=float(err),
                       exact=exact, recovered=bool(recovered), grid=grid)
