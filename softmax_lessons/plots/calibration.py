"""Figures for lesson 03's calibration section: reliability diagrams before and after.

Each function draws the bins computed by :mod:`softmax_lessons.calibration` and
returns its axes or figure; none does maths of its own.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch

from ..calibration import ReliabilityBins
from .style import OKABE_ITO, new_axes, use_course_style

__all__ = ["calibration_figure", "reliability_diagram"]


def reliability_diagram(
    bins: ReliabilityBins,
    *,
    ax: plt.Axes | None = None,
    title: str = "reliability diagram",
    few: int = 20,
) -> plt.Axes:
    """Accuracy per confidence bin (bars) against the diagonal of perfect calibration.

    Taught in 03. `bins` comes from
    :func:`softmax_lessons.calibration.reliability_bins`; empty bins are left out.
    Bars below the diagonal mean over-confidence; the diamonds show each bin's
    mean confidence. Every bar is labelled with its number of examples, and a bin
    with fewer than `few` examples is drawn pale and hatched: its accuracy rests on
    a handful of examples and should not be read like the others.

    Examples
    --------
    >>> bins = ReliabilityBins(edges=np.array([0, 0.5, 1]), count=np.array([0, 4]),
    ...                        confidence=np.array([np.nan, 0.74]),
    ...                        accuracy=np.array([np.nan, 0.5]), n=4)
    >>> ax = reliability_diagram(bins)
    >>> [round(float(b.get_height()), 2) for b in ax.patches], [t.get_text() for t in ax.texts]
    ([0.5], ['n=4'])
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    edges = np.asarray(bins.edges, dtype=float)
    count = np.asarray(bins.count)
    used = count > 0
    centres = (edges[:-1] + edges[1:]) / 2
    width = np.diff(edges)
    bars = ax.bar(centres[used], np.asarray(bins.accuracy)[used], width=width[used] * 0.9,
                  color=OKABE_ITO["blue"], edgecolor="black")
    for bar, centre, n in zip(bars, centres[used], count[used], strict=True):
        if n < few:
            bar.set_facecolor((*to_rgb(OKABE_ITO["blue"]), 0.3))
            bar.set_hatch("..")
        ax.text(centre, 0.02, f"n={n}", rotation=90, ha="center", va="bottom", fontsize=9)
    ax.plot(centres[used], np.asarray(bins.confidence)[used], marker="D", linestyle="none",
            color=OKABE_ITO["orange"], markeredgecolor="black", label="mean confidence in the bin")
    ax.plot([0, 1], [0, 1], color="black", linestyle="--", label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (largest probability)")
    ax.set_ylabel("accuracy (fraction correct)")
    ax.set_title(title)
    # The bars' legend entry is drawn by hand: matplotlib would copy the first bar,
    # which may be a pale one.
    handles = [Patch(facecolor=OKABE_ITO["blue"], edgecolor="black", label="accuracy in the bin"),
               *ax.get_legend_handles_labels()[0]]
    if np.any(used & (count < few)):
        handles.append(Patch(facecolor=(*to_rgb(OKABE_ITO["blue"]), 0.3), edgecolor="black",
                             hatch="..", label=f"fewer than {few} examples"))
    ax.legend(handles=handles, loc="upper left", fontsize=9)
    return ax


def calibration_figure(before: ReliabilityBins, after: ReliabilityBins, ece_before: float,
                       ece_after: float,
                       temperature: float) -> plt.Figure:
    """Reliability diagrams side by side: raw logits, then divided by the fitted T. Taught in 03.
    """
    use_course_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    reliability_diagram(before, ax=left, title=f"before: T = 1, ECE = {ece_before:.3f}")
    reliability_diagram(after, ax=right,
                        title=f"after: T = {temperature:.2f}, ECE = {ece_after:.3f}")
    return fig
