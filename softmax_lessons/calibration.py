"""Calibration: does a confidence of 0.8 mean right 80% of the time? Temperature scaling.

Taught in 03. A classifier is *calibrated* when, among the examples it labels
with confidence c (its largest probability), a fraction c is right. Models
trained with cross-entropy are often over-confident. Temperature scaling fixes
this with one number: divide every logit by a T > 1 fitted on held-out data.
Dividing by T never changes which class is largest, so accuracy is unchanged.

NumPy only: the 1-D fit is a safeguarded Newton search written out below.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .core import log_softmax, softmax
from .validation import (
    as_float_array,
    check_distribution,
    check_int,
    check_labels,
    check_number,
    check_temperature,
)

__all__ = [
    "ReliabilityBins",
    "expected_calibration_error",
    "fit_temperature",
    "negative_log_likelihood",
    "reliability_bins",
]


def _check_labels(x: np.ndarray, labels: ArrayLike, name: str = "x") -> np.ndarray:
    """Labels for a non-empty (n_samples, n_classes) array `x` (called `name`)."""
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array of shape (n_samples, n_classes), got shape "
            f"{x.shape}; calibration needs at least one example"
        )
    return check_labels(labels, x.shape[1], shape=(x.shape[0],))


def _finite(value: object, name: str) -> float:
    return check_number(value, name)


def negative_log_likelihood(x: ArrayLike, labels: ArrayLike, temperature: float = 1.0) -> float:
    """Mean of ``-log softmax(x / T)[label]`` over the examples: the loss temperature scaling fits.

    Taught in 03 (and 05, where it is cross-entropy).

    Parameters
    ----------
    x : array_like, shape (n_samples, n_classes)
        Logits.
    labels : array_like of int, shape (n_samples,)
        The true class of each example.
    temperature : float, default 1.0
        Divides the logits.

    Examples
    --------
    >>> round(negative_log_likelihood([[2.0, 1.0, 0.0]], [0]), 4)
    0.4076
    """
    arr = as_float_array(x)
    lab = _check_labels(arr, labels)
    logp = log_softmax(arr, temperature=check_temperature(temperature))
    return float(-np.mean(logp[np.arange(lab.size), lab]))


# The curvature needs x**2 and the search multiplies x by up to 1 / low: beyond
# this size they overflow.
_LARGEST_LOGIT = 1e150


def fit_temperature(
    x: ArrayLike,
    labels: ArrayLike,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
    tol: float = 1e-10,
    max_iter: int = 100,
) -> float:
    """The temperature that minimises `negative_log_likelihood` on held-out logits.

    Taught in 03. We search over ``b = 1 / T``, where the loss
    ``L(b) = mean(logsumexp(b x) - b x_label)`` is convex, with slope
    ``L'(b) = mean(E_p[x] - x_label)`` (expected logit minus true logit) and
    curvature ``L''(b) = mean(Var_p[x]) >= 0``, p being ``softmax(b x)``. So
    the minimum is where the slope is 0, and it can be bracketed: we take Newton
    steps ``b - L'/L''`` and fall back to halving the bracket whenever a step
    would leave it.

    Parameters
    ----------
    x : array_like, shape (n_samples, n_classes)
        Held-out logits (never the data the model was trained on).
    labels : array_like of int, shape (n_samples,)
        Their true classes.
    bounds : (float, float), default (0.05, 20.0)
        The range of T searched; the answer is clipped to it.
    tol : float, default 1e-10
        Stop when the bracket on ``b`` is narrower than this.
    max_iter : int, default 100
        At most this many steps (>= 1). If the bracket is still wider than `tol`
        after them, a ``RuntimeWarning`` says so and the last estimate is returned.

    Returns
    -------
    float
        The fitted temperature T (> 1 means the model was over-confident).

    Raises
    ------
    ValueError
        If there are no examples, a logit is NaN, infinite or beyond 1e150 in
        magnitude, or `tol`, `max_iter` or `bounds` are out of range.

    Examples
    --------
    >>> x = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    >>> labels = np.array([0, 0, 1, 1])     # right 3 times in 4, yet 98% confident
    >>> # after scaling, the confidence is 0.75: it matches the accuracy
    >>> T = fit_temperature(x, labels)
    >>> round(T, 3), softmax(x[0] / T).round(3)
    (3.641, array([0.75, 0.25]))
    """
    arr = as_float_array(x).astype(np.float64)
    lab = _check_labels(arr, labels)
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"x must be finite logits, got {arr[~np.isfinite(arr)][0]}; "
            "drop those examples (a -inf logit cannot be rescaled)"
        )
    if np.any(np.abs(arr) > _LARGEST_LOGIT):
        raise ValueError(
            f"x must be logits of magnitude <= {_LARGEST_LOGIT:g}, got "
            f"{arr[np.abs(arr) > _LARGEST_LOGIT][0]:g}; divide them by a constant first "
            "(the fitted temperature is then divided by the same constant)"
        )
    max_iter = check_int(max_iter, "max_iter", hint="try 100")
    if not _finite(tol, "tol") > 0:
        raise ValueError(f"tol must be > 0, got {tol!r}; try 1e-10")
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise TypeError(f"bounds must be a pair (low, high) of temperatures, got {bounds!r}")
    t_low, t_high = (_finite(b, "bounds") for b in bounds)
    if not 0 < t_low < t_high:
        raise ValueError(f"bounds must be (low, high) with 0 < low < high, got {bounds}")
    true_logit = arr[np.arange(lab.size), lab]

    def slope_and_curvature(b: float) -> tuple[float, float]:
        p = softmax(b * arr)
        mean = np.sum(p * arr, axis=1)
        var = np.sum(p * arr**2, axis=1) - mean**2
        return float(np.mean(mean - true_logit)), float(np.mean(np.maximum(var, 0.0)))

    lo, hi = 1.0 / t_high, 1.0 / t_low  # the bracket on b = 1 / T
    if slope_and_curvature(lo)[0] >= 0:  # loss rising already at the smallest b
        return t_high
    if slope_and_curvature(hi)[0] <= 0:  # loss still falling at the largest b
        return t_low
    b = 1.0
    for _ in range(max_iter):
        if not lo < b < hi:
            b = 0.5 * (lo + hi)
        slope, curvature = slope_and_curvature(b)
        if slope > 0:
            hi = b
        else:
            lo = b
        if hi - lo < tol or slope == 0:
            return 1.0 / b
        b = b - slope / curvature if curvature > 0 else 0.5 * (lo + hi)
    warnings.warn(
        f"fit_temperature did not converge in max_iter={max_iter} steps (bracket on 1/T "
        f"still {hi - lo:.3g} wide); raise max_iter or loosen tol",
        RuntimeWarning,
        stacklevel=2,
    )
    return 1.0 / b


@dataclass(frozen=True)
class ReliabilityBins:
    """Predictions grouped by confidence: what :func:`reliability_bins` returns. Taught in 03.

    Attributes
    ----------
    edges : ndarray, shape (n_bins + 1,)
        The bin edges on [0, 1].
    count : ndarray of int, shape (n_bins,)
        Predictions in each bin.
    confidence, accuracy : ndarray, shape (n_bins,)
        The mean confidence and the fraction right in each bin (NaN for an empty bin).
    n : int
        The number of predictions.
    """

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    n: int


def reliability_bins(p: ArrayLike, labels: ArrayLike, n_bins: int = 10) -> ReliabilityBins:
    """Group predictions by confidence into equal-width bins; accuracy and confidence per bin.

    Taught in 03: the numbers behind a reliability diagram. The confidence of an
    example is its largest probability, its prediction the argmax. Bin ``b`` holds
    confidences in ``(edges[b], edges[b+1]]`` (the first bin also takes 0).

    Parameters
    ----------
    p : array_like, shape (n_samples, n_classes)
        Predicted probabilities: each row >= 0 and summing to 1 (not logits).
    labels : array_like of int, shape (n_samples,)
        True classes.
    n_bins : int, default 10
        Number of equal-width bins on [0, 1].

    Returns
    -------
    ReliabilityBins
        ``edges``, ``count``, ``confidence`` and ``accuracy`` per bin, and ``n``.

    Raises
    ------
    ValueError
        If there are no examples, a row of `p` is not a distribution (did you
        pass logits?), a label is out of range, or `n_bins` is not an integer >= 1.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])
    >>> bins = reliability_bins(p, [0, 1, 1, 0], n_bins=2)
    >>> bins.count.tolist(), bins.accuracy.tolist()
    ([0, 4], [nan, 0.5])
    >>> bins.confidence.round(3).tolist()
    [nan, 0.738]
    """
    arr = as_float_array(p, name="p")
    lab = _check_labels(arr, labels, "p")
    arr = check_distribution(arr).astype(np.float64)  # checked in its own dtype's tolerance
    n_bins = check_int(n_bins, "n_bins")
    confidence = arr.max(axis=1)
    correct = (arr.argmax(axis=1) == lab).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # side="left": a confidence equal to an inner edge belongs to the bin below it.
    which = np.searchsorted(edges[1:-1], confidence, side="left")
    count = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, weights=confidence, minlength=n_bins) / count
        accuracy = np.bincount(which, weights=correct, minlength=n_bins) / count
    return ReliabilityBins(edges=edges, count=count, confidence=mean_conf,
                           accuracy=accuracy, n=int(lab.size))


def expected_calibration_error(p: ArrayLike, labels: ArrayLike, n_bins: int = 10) -> float:
    """ECE: the gap ``|accuracy - confidence|`` per bin, averaged with weights ``count / n``.

    Taught in 03. 0 for a perfectly calibrated model, and never above 1;
    equal-width bins as in `reliability_bins`, with the same checks (rows of `p`
    must be probabilities, at least one example).

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])
    >>> round(expected_calibration_error(p, [0, 1, 1, 0], n_bins=2), 4)
    0.2375
    """
    bins = reliability_bins(p, labels, n_bins)
    used = bins.count > 0
    gaps = np.abs(bins.accuracy[used] - bins.confidence[used])
    return float(np.sum(bins.count[used] / bins.n * gaps))
