"""The course's plotting style, and figures shared by several lessons.

Every plot function takes the numbers to draw (computed by the maths modules),
draws on the ``ax`` it is given (or a new one), and returns that ``ax``; it does
no maths of its own beyond arranging what it is given, so a widget and the static
figure beside it always agree.

The course style is set once by :func:`use_course_style`; lessons call it at the top.
Colours are the Okabe-Ito palette, which stays distinct for colour-blind readers;
figures that compare two things also differ by marker, hatch or line style.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "COLOURS",
    "LINESTYLES",
    "MARKERS",
    "OKABE_ITO",
    "new_axes",
    "probability_bars",
    "update_probability_bars",
    "use_course_style",
]

# Okabe & Ito (2008), "Color Universal Design": distinct for the common
# colour-vision deficiencies.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLOURS = list(OKABE_ITO.values())
LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P"]

COURSE_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.prop_cycle": mpl.cycler(color=COLOURS[:7]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "figure.constrained_layout.use": True,
}


def use_course_style() -> None:
    """Apply the course's matplotlib style (sizes, colour-blind-safe colours, grid).

    Examples
    --------
    >>> use_course_style()
    >>> plt.rcParams["axes.grid"]
    True
    """
    mpl.rcParams.update(COURSE_STYLE)


def new_axes(ax: plt.Axes | None = None, **subplot_kw) -> plt.Axes:
    """Return `ax`, or the axes of a new figure in the course style."""
    if ax is not None:
        return ax
    use_course_style()
    _, ax = plt.subplots(**subplot_kw)
    return ax


def probability_bars(
    p: np.ndarray,
    labels: list[str] | None = None,
    *,
    ax: plt.Axes | None = None,
    title: str = "softmax probabilities",
    highlight: int | None = None,
) -> plt.Axes:
    """Bar chart of one distribution, values printed on the bars; `highlight` gets a hatch.

    Examples
    --------
    >>> ax = probability_bars(np.array([0.665, 0.245, 0.09]), ["a", "b", "c"], highlight=0)
    >>> [round(float(b.get_height()), 3) for b in ax.patches]
    [0.665, 0.245, 0.09]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    p = np.asarray(p, dtype=float)
    labels = labels if labels is not None else [str(i) for i in range(p.size)]
    bars = ax.bar(labels, p, color=OKABE_ITO["blue"], edgecolor="black")
    if highlight is not None:
        # Colour and hatch: the highlighted bar stands out without colour vision too.
        bars[highlight].set_facecolor(OKABE_ITO["orange"])
        bars[highlight].set_hatch("//")
        bars[highlight].set_edgecolor("black")  # the hatch is drawn in the edge colour
    for bar, value in zip(bars, p, strict=True):
        ax.annotate(f"{value:.3f}", (bar.get_x() + bar.get_width() / 2, value),
                    ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("probability")
    ax.set_title(title)
    return ax


def update_probability_bars(
    ax: plt.Axes, p: np.ndarray, title: str, highlight: int | None = None
) -> plt.Axes:
    """Show `p` on bars drawn by :func:`probability_bars`, as it would draw them from scratch.

    Used by explorers that update one figure in place. Changes the bar heights, the
    printed values, the highlighted bar (colour and hatch) and the title; the class
    labels and the y-axis (0 to 1.08) stay.

    Examples
    --------
    >>> ax = probability_bars(np.array([0.5, 0.5]), ["a", "b"], highlight=0)
    >>> ax = update_probability_bars(ax, np.array([0.2, 0.8]), "new", highlight=1)
    >>> [round(float(b.get_height()), 1) for b in ax.patches], ax.patches[1].get_hatch()
    ([0.2, 0.8], '//')
    >>> plt.close("all")
    """
    p = np.asarray(p, dtype=float)
    bars = ax.containers[0]
    if len(bars) != p.size or len(ax.texts) != p.size:
        raise ValueError(f"these axes show {len(bars)} bars, got {p.size} probabilities; "
                         "draw a new figure with probability_bars for another number of classes")
    for i, (bar, text, value) in enumerate(zip(bars, ax.texts, p, strict=True)):
        bar.set_height(value)
        if i == highlight:
            bar.set_facecolor(OKABE_ITO["orange"])
            bar.set_hatch("//")
            bar.set_edgecolor("black")  # the hatch is drawn in the edge colour
        else:
            bar.set_facecolor(OKABE_ITO["blue"])
            bar.set_hatch(None)
        text.xy = text.xyann = (bar.get_x() + bar.get_width() / 2, value)  # point and text
        text.set_text(f"{value:.3f}")
    ax.set_title(title)
    return ax
