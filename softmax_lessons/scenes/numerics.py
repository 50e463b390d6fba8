"""Scene of lesson 02: naive and stable softmax of the same logits, side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import softmax
from ..numerics import exp_limits, naive_nan_predicted, naive_softmax_report

__all__ = [
    "BASE_LOGITS",
    "LABELS",
    "StabilityScene",
    "stability_scene",
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
    dt = np.dtype(limits["dtype"])
    x = (np.asarray(base, dtype=np.float64) + float(offset)).astype(dt)
    report = naive_softmax_report(x)
    stable = softmax(x)
    stable_sum = float(np.sum(stable, dtype=np.float64))
    shown = ", ".join(f"{float(v):g}" for v in x)
    summary = (f"{dt.name}: logits ({shown}); exp overflows above {float(limits['overflow']):.4g}"
               f" and underflows below {float(limits['underflow']):.4g}; "
               f"naive: {report['status']}; stable sums to {stable_sum:.3f}")
    return StabilityScene(
        x=x,
        labels=list(labels),
        dtype=dt.name,
        offset=float(offset),
        naive_p=report["p"],
        naive_nan=report["nan"],
        predicted_nan=naive_nan_predicted(x),
        naive_status=report["status"],
        naive_warnings=report["warnings"],
        stable_p=stable,
        stable_sum=stable_sum,
        overflow=limits["overflow"],
        underflow=limits["underflow"],
        summary=summary,
    )
