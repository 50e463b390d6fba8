"""Figures for lesson 02 Numerical stability and log-sum-exp.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.numerics`
or by :func:`softmax_lessons.scenes.numerics.stability_scene`) and returns its
axes; none does maths of its own, so the explorer and the static figures agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..numerics import ExpLimits, SweepRecord
from ..scenes.numerics import SpacingScene, StabilityScene, TwoSumScene
from .style import (
    LINESTYLES,
    MARKERS,
    OKABE_ITO,
    new_axes,
    probability_bars,
    use_course_style,
)

__all__ = [
    "exp_limits_chart",
    "spacing_chart",
    "stability_columns",
    "two_sum_number_line",
    "ulp_sweep",
]

_DTYPE_STYLE = {
    "float16": (OKABE_ITO["vermillion"], LINESTYLES[2], MARKERS[2]),
    "float32": (OKABE_ITO["orange"], LINESTYLES[1], MARKERS[1]),
    "float64": (OKABE_ITO["blue"], LINESTYLES[0], MARKERS[0]),
}


def stability_columns(scene: StabilityScene, *, axes: np.ndarray | None = None) -> np.ndarray:
    """Naive and stable softmax side by side; a NaN is drawn as a grey cross-hatched bar.

    Taught in 02. `scene` comes from
    :func:`softmax_lessons.scenes.numerics.stability_scene`. Both titles name
    the dtype and the offset, so a stack of rows says which setting each row shows.

    Examples
    --------
    >>> from softmax_lessons.scenes.numerics import stability_scene
    >>> left, right = stability_columns(stability_scene(1000.0, base=[0.0, 1.0], labels="ab"))
    >>> [t.get_text() for t in left.texts]
    ['NaN', 'NaN']
    >>> plt.close("all")
    """
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
    left, right = axes
    labels = list(scene.labels)
    naive = np.asarray(scene.naive_p, dtype=float)
    nan = np.asarray(scene.naive_nan, dtype=bool)
    bars = left.bar(labels, np.where(nan, 1.0, naive), color=OKABE_ITO["vermillion"],
                    edgecolor="black")
    for bar in bars:
        left.annotate("", (bar.get_x() + bar.get_width() / 2, 0.0), ha="center")
    _show_naive_column(left, naive, nan)
    left.set_ylim(0, 1.08)
    left.set_ylabel("probability")
    left.set_xlabel("class")
    naive_title, stable_title = _titles(scene)
    left.set_title(naive_title)
    probability_bars(scene.stable_p, labels, ax=right, title=stable_title)
    right.set_xlabel("class")
    return axes


def _titles(scene: StabilityScene) -> tuple[str, str]:
    """The two panel titles: the method, then the dtype and the offset, so stacked rows differ."""
    setting = f"{scene.dtype}, offset {scene.offset:g}"
    return f"naive exp(x) / sum exp(x)\n{setting}", f"stable: shift by max(x)\n{setting}"


def _show_naive_column(ax: plt.Axes, naive: np.ndarray, nan: np.ndarray) -> None:
    """Set the naive bars and their one label each: a value, or a hatched grey NaN bar."""
    for bar, text, value, is_nan in zip(ax.patches, ax.texts, naive, nan, strict=True):
        centre = bar.get_x() + bar.get_width() / 2
        if is_nan:
            bar.set_height(1.0)
            bar.set_facecolor("lightgrey")
            bar.set_hatch("xx")
            text.xy = text.xyann = (centre, 0.5)  # point and text
            text.set(text="NaN", verticalalignment="center", fontsize=10, fontweight="bold",
                     backgroundcolor="white")
        else:
            bar.set_height(value)
            bar.set_facecolor(OKABE_ITO["vermillion"])
            bar.set_hatch(None)
            text.xy = text.xyann = (centre, value)  # point and text
            text.set(text=f"{value:.3f}", verticalalignment="bottom", fontsize=9,
                     fontweight="normal", bbox=None)


def exp_limits_chart(limits: list[ExpLimits], *, ax: plt.Axes | None = None) -> plt.Axes:
    """The range of inputs where ``exp`` is finite and non-zero, one bar per dtype.

    Taught in 02. `limits` is a list of :func:`softmax_lessons.numerics.exp_limits` results.

    Examples
    --------
    >>> ax = exp_limits_chart([ExpLimits("float16", overflow=11.09, underflow=-17.33,
    ...                                  log_max=11.09, log_smallest_subnormal=-16.64)])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['float16']
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(7, 2.6))
    names = [d.dtype for d in limits]
    for i, d in enumerate(limits):
        colour, _, _ = _DTYPE_STYLE[d.dtype]
        low, high = float(d.underflow), float(d.overflow)
        ax.barh(i, high - low, left=low, color=colour, edgecolor="black", height=0.5,
                hatch=["//", "..", ""][i % 3])
        ax.annotate(f"{low:.2f}", (low, i), textcoords="offset points", xytext=(-4, 0),
                    ha="right", va="center", fontsize=9)
        ax.annotate(f"{high:.2f}", (high, i), textcoords="offset points", xytext=(4, 0),
                    ha="left", va="center", fontsize=9)
    ax.set_yticks(range(len(names)), names)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(-3000, 3000)
    ax.set_xlabel("input x of exp (log scale on both sides of 0, linear near 0)")
    ax.set_title("exp(x) is finite and non-zero only inside these bars (measured)")
    return ax


def ulp_sweep(records: list[SweepRecord], dtype: str, *, stat: str = "max_ulp",
              ax: plt.Axes | None = None) -> plt.Axes:
    """Error in ulp against logit scale for every method of an accuracy sweep, one dtype.

    Taught in 02. `records` come from :func:`softmax_lessons.numerics.accuracy_sweep`;
    a method that returned NaN is drawn as a cross on the "fails" line at the top.

    Examples
    --------
    >>> rows = [SweepRecord("float64", 1.0, "a", max_ulp=2.0, median_ulp=1.0, failed=0.0),
    ...         SweepRecord("float64", 10.0, "a", max_ulp=np.inf, median_ulp=np.inf, failed=1.0)]
    >>> ax = ulp_sweep(rows, "float64")
    >>> ax.lines[0].get_ydata().tolist()
    [2.0, nan]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    rows = [r for r in records if r.dtype == dtype]
    if not rows:
        raise ValueError(f"no records for dtype {dtype!r}")
    stats = [getattr(r, stat) for r in rows]
    finite = [v for v in stats if np.isfinite(v) and v > 0]
    top = 3 * max(finite, default=1.0)
    methods = list(dict.fromkeys(r.method for r in rows))
    colours = list(OKABE_ITO.values())
    floor = 0.05  # below this a result is as good as exact; drawn on the bottom edge
    any_fail = False
    for i, method in enumerate(methods):
        mine = [r for r in rows if r.method == method]
        scales = np.array([r.scale for r in mine])
        values = np.array([getattr(r, stat) for r in mine])
        fails = ~np.isfinite(values)
        shown = np.where(fails, np.nan, np.maximum(values, floor))
        ax.plot(scales, shown, color=colours[i % 7],
                linestyle=LINESTYLES[i % 4], marker=MARKERS[i % 6], label=method)
        if np.any(fails):
            any_fail = True
            ax.plot(scales[fails], np.full(fails.sum(), top), linestyle="none", marker="x",
                    markersize=9, color=colours[i % 7])
    if any_fail:
        ax.axhline(top, color="grey", linestyle=":", linewidth=1)
        ax.annotate("fails (NaN)", (0.01, top), xycoords=("axes fraction", "data"),
                    va="bottom", fontsize=9)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(floor * 0.8, 2 * top)
    ax.set_xlabel("logit scale (standard deviation of the logits)")
    ax.set_ylabel(f"{stat.replace('_', ' ')} (ulp; below {floor} drawn at {floor})")
    ax.set_title(f"error against the exact softmax, {dtype}")
    ax.legend(fontsize=9)
    return ax


def spacing_chart(
    scene: SpacingScene, *, axes: np.ndarray | None = None, zoom: tuple = (0.25, 64.0)
) -> np.ndarray:
    """Two panels: the gap between neighbouring floats by size, and that gap relative to size.

    Taught in 02 (going further). `scene` comes from
    :func:`softmax_lessons.scenes.numerics.spacing_scene`. Left: the spacing grows in
    proportion to the number (log-log), with the scene's marked float64 values
    labelled. Right, zoomed on `zoom`: float64's gap divided by the number, in units
    of eps, a saw tooth between 1/2 and 1 (every dtype draws the same one).

    Examples
    --------
    >>> from softmax_lessons.scenes.numerics import spacing_scene
    >>> left, right = spacing_chart(spacing_scene([1.0, 1.5, 2.0]))
    >>> right.lines[0].get_ydata().tolist()          # at 1, 1.5 and 2
    [1.0, 0.6666666666666666, 1.0]
    >>> plt.close("all")
    """
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    left, right = axes
    for name, gaps in scene.spacing.items():
        colour, style, _ = _DTYPE_STYLE[name]
        left.plot(scene.magnitudes, gaps, color=colour, linestyle=style, linewidth=2,
                  label=name)
    for (label, value, gap), side in zip(scene.marks, ("left", "right", "right"), strict=False):
        left.plot(value, gap, linestyle="none", marker="o", markersize=7,
                  color=OKABE_ITO["black"])
        left.annotate(f"spacing at {label}: {gap:.3g}", (value, gap),
                      textcoords="offset points", xytext=(8, -10) if side == "left" else (-8, 8),
                      ha=side, fontsize=9)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("size of the number (log scale)")
    left.set_ylabel("gap to the next float")
    left.set_title("the float grid: gaps grow with the number")
    left.legend(fontsize=9, loc="upper left")
    colour, style, _ = _DTYPE_STYLE["float64"]
    right.plot(scene.magnitudes, scene.relative_in_eps["float64"], color=colour,
               linestyle=style, linewidth=1.5, label="float64")
    for level, text in ((1.0, "eps"), (0.5, "eps / 2")):
        right.axhline(level, color="grey", linestyle=":", linewidth=1)
        right.annotate(text, (1.0, level), xycoords=("axes fraction", "data"),
                       xytext=(-4, 3), textcoords="offset points", ha="right", fontsize=9)
    right.set_xscale("log", base=2)
    right.set_xlim(*zoom)
    right.set_ylim(0.35, 1.15)
    right.set_xlabel("size of the number (log scale, base 2)")
    right.set_ylabel("gap / number (in eps)")
    right.set_title("relative gap: between eps/2 and eps")
    return axes


def two_sum_number_line(scene: TwoSumScene, *, ax: plt.Axes | None = None) -> plt.Axes:
    """The floats around ``s`` (``a + b`` rounded), the exact sum among them, and TwoSum's ``err``.

    Taught in 02 (going further). `scene` comes from
    :func:`softmax_lessons.scenes.numerics.two_sum_scene`. Positions are distances
    from ``s``: the grid ticks are the floats that exist there, the diamond is the
    true ``a + b`` (between two of them), the arrow is ``err``, which lands on it.

    Examples
    --------
    >>> from softmax_lessons.scenes.numerics import two_sum_scene
    >>> ax = two_sum_number_line(two_sum_scene(1e16, 1.0))
    >>> ax.lines[0].get_xdata().tolist(), ax.lines[2].get_xdata().tolist()
    ([-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0], [1.0])
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(7, 2.4))
    grid = np.asarray(scene.grid, dtype=float)
    ax.plot(grid, np.zeros_like(grid), linestyle="none", marker="|", markersize=22,
            markeredgewidth=2, color=OKABE_ITO["black"], label="floats that exist here")
    ax.plot([0.0], [0.0], linestyle="none", marker="o", markersize=10,
            color=OKABE_ITO["blue"], markeredgecolor="black",
            label=f"s = rounded a + b = {scene.s!r}")
    ax.plot([scene.err], [0.0], linestyle="none", marker="D", markersize=9,
            color=OKABE_ITO["orange"], markeredgecolor="black",
            label=f"exact a + b = {scene.exact}")
    ax.annotate("", xy=(scene.err, 0.25), xytext=(0.0, 0.25),
                arrowprops={"arrowstyle": "->", "color": OKABE_ITO["vermillion"], "lw": 2})
    ax.annotate(f"err = {scene.err!r}", ((scene.err) / 2, 0.3), ha="center", va="bottom",
                fontsize=9, color=OKABE_ITO["vermillion"])
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_ylim(-0.6, 0.9)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(False)
    ax.set_xlabel("distance from s")
    ax.set_title(f"a = {scene.a!r}, b = {scene.b!r}: the sum falls between two floats")
    ax.legend(fontsize=9, loc="lower center", ncols=3, bbox_to_anchor=(0.5, -0.02),
              columnspacing=1.0, handletextpad=0.4)
    return ax
