"""Figures for lesson 02 Numerical stability and log-sum-exp.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.numerics`
or by :func:`softmax_lessons.scenes.numerics.stability_scene`) and returns its
axes; none does maths of its own, so the explorer and the static figures agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..scenes.numerics import StabilityScene
from .style import (
    LINESTYLES,
    MARKERS,
    OKABE_ITO,
    new_axes,
    probability_bars,
    update_probability_bars,
    use_course_style,
)

__all__ = [
    "exp_limits_chart",
    "nan_fraction_vs_offset",
    "stability_columns",
    "ulp_sweep",
    "update_stability_columns",
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


def update_stability_columns(axes: np.ndarray, scene: StabilityScene) -> np.ndarray:
    """Change the two panels drawn by :func:`stability_columns` to show a new `scene`.

    Taught in 02. The lesson-02 explorer draws its figure once and calls this on
    every step of its offset slider or dtype buttons: new bars, NaN marks, values
    and titles, with no new figure. The result carries the same data as
    ``stability_columns(scene)``.

    Raises
    ------
    ValueError
        If `scene` has a different number of classes than the bars on `axes`.

    Examples
    --------
    >>> from softmax_lessons.scenes.numerics import stability_scene
    >>> axes = stability_columns(stability_scene(1000.0, base=[0.0, 1.0], labels="ab"))
    >>> fine = stability_scene(-3.0, "float32", base=[0.0, 1.0], labels="ab")
    >>> left, right = update_stability_columns(axes, fine)
    >>> [t.get_text() for t in left.texts], right.get_title().splitlines()
    (['0.269', '0.731'], ['stable: shift by max(x)', 'float32, offset -3'])
    >>> plt.close("all")
    """
    left, right = axes
    naive = np.asarray(scene.naive_p, dtype=float)
    if len(left.patches) != naive.size:
        raise ValueError(f"these axes show {len(left.patches)} classes, got {naive.size}; "
                         "draw a new figure with stability_columns for another number of classes")
    _show_naive_column(left, naive, np.asarray(scene.naive_nan, dtype=bool))
    naive_title, stable_title = _titles(scene)
    left.set_title(naive_title)
    update_probability_bars(right, scene.stable_p, title=stable_title)
    return axes


def nan_fraction_vs_offset(breakdown: dict, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Fraction of NaN outputs of the naive formula against the offset, one line per dtype.

    Taught in 02. `breakdown` is the dict of
    :func:`softmax_lessons.numerics.naive_breakdown`; dotted vertical lines mark
    where the measured limits of ``exp`` say the formula must break.

    Examples
    --------
    >>> data = {"float64": {"offsets": np.array([0.0, 800.0]),
    ...                     "nan_fraction": np.array([0.0, 1.0]),
    ...                     "breaks_above": 708.8, "breaks_below": -746.1}}
    >>> ax = nan_fraction_vs_offset(data)
    >>> ax.lines[0].get_label()
    'float64 (measured)'
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(7, 3.2))
    for dtype, data in breakdown.items():
        colour, style, marker = _DTYPE_STYLE[dtype]
        ax.plot(data["offsets"], data["nan_fraction"], color=colour, linestyle=style,
                linewidth=2, marker=marker, markevery=0.08,
                label=f"{dtype} (measured)")
    for dtype, data in breakdown.items():
        colour, _, _ = _DTYPE_STYLE[dtype]
        for edge in (data["breaks_above"], data["breaks_below"]):
            ax.axvline(edge, color=colour, linestyle=":", linewidth=1)
    ax.plot([], [], color="grey", linestyle=":", label="limit of exp (measured)")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("offset added to every logit (no units; symlog scale)")
    ax.set_ylabel("fraction of naive outputs = NaN")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("where the naive formula breaks, per dtype")
    ax.legend(loc="center", fontsize=9)
    return ax


def exp_limits_chart(limits: list[dict], *, ax: plt.Axes | None = None) -> plt.Axes:
    """The range of inputs where ``exp`` is finite and non-zero, one bar per dtype.

    Taught in 02. `limits` is a list of :func:`softmax_lessons.numerics.exp_limits` dicts.

    Examples
    --------
    >>> ax = exp_limits_chart([{"dtype": "float16", "underflow": -17.33, "overflow": 11.09}])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['float16']
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(7, 2.6))
    names = [d["dtype"] for d in limits]
    for i, d in enumerate(limits):
        colour, _, _ = _DTYPE_STYLE[d["dtype"]]
        low, high = float(d["underflow"]), float(d["overflow"])
        ax.barh(i, high - low, left=low, color=colour, edgecolor="black", height=0.5,
                hatch=["//", "..", ""][i % 3])
        ax.annotate(f"{low:.2f}", (low, i), textcoords="offset points", xytext=(-4, 0),
                    ha="right", va="center", fontsize=9)
        ax.annotate(f"{high:.2f}", (high, i), textcoords="offset points", xytext=(4, 0),
                    ha="left", va="center", fontsize=9)
    ax.set_yticks(range(len(names)), names)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(-3000, 3000)
    ax.set_xlabel("input x of exp (symlog scale)")
    ax.set_title("exp(x) is finite and non-zero only inside these bars (measured)")
    return ax


def ulp_sweep(records: list[dict], dtype: str, *, stat: str = "max_ulp",
              ax: plt.Axes | None = None) -> plt.Axes:
    """Error in ulp against logit scale for every method of an accuracy sweep, one dtype.

    Taught in 02. `records` come from :func:`softmax_lessons.numerics.accuracy_sweep`;
    a method that returned NaN is drawn as a cross on the "fails" line at the top.

    Examples
    --------
    >>> rows = [{"dtype": "float64", "scale": 1.0, "method": "a", "max_ulp": 2.0},
    ...         {"dtype": "float64", "scale": 10.0, "method": "a", "max_ulp": float("inf")}]
    >>> ax = ulp_sweep(rows, "float64")
    >>> ax.lines[0].get_ydata().tolist()
    [2.0, nan]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    rows = [r for r in records if r["dtype"] == dtype]
    if not rows:
        raise ValueError(f"no records for dtype {dtype!r}")
    finite = [r[stat] for r in rows if np.isfinite(r[stat]) and r[stat] > 0]
    top = 3 * max(finite, default=1.0)
    methods = list(dict.fromkeys(r["method"] for r in rows))
    colours = list(OKABE_ITO.values())
    floor = 0.05  # below this a result is as good as exact; drawn on the bottom edge
    any_fail = False
    for i, method in enumerate(methods):
        mine = [r for r in rows if r["method"] == method]
        scales = np.array([r["scale"] for r in mine])
        values = np.array([r[stat] for r in mine])
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
