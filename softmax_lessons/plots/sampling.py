"""Figures for lesson 03 Temperature and sampling.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.sampling`,
or a scene of :mod:`softmax_lessons.scenes.sampling`) and returns
its axes or figure; none does maths of its own, so the explorers and the static
figures beside them always agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import ArrayLike

from ..scenes.sampling import SamplingScene, TemperatureScene
from .style import OKABE_ITO, new_axes, probability_bars, update_probability_bars, use_course_style

__all__ = [
    "entropy_curve",
    "sampling_counts",
    "sampling_figure",
    "sampling_figure_moving",
    "simplex_path",
    "temperature_figure",
    "temperature_figure_moving",
    "update_entropy_curve",
    "update_sampling_counts",
    "update_sampling_figure",
    "update_temperature_figure",
]

_CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def entropy_curve(
    temperatures: ArrayLike,
    entropies: ArrayLike,
    max_bits: float,
    *,
    marker: tuple[float, float] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Entropy (bits) against temperature on a log axis, with 0 and log2(n) marked.

    Taught in 03. `marker` = (T, H) puts a diamond on the curve (the explorer's T).

    Examples
    --------
    >>> ax = entropy_curve([0.1, 1.0, 10.0], [0.0, 1.2, 1.58], 1.585, marker=(1.0, 1.2))
    >>> ax.get_xscale(), ax.get_ylabel()
    ('log', 'entropy (bits)')
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    ax.plot(temperatures, entropies, color=OKABE_ITO["blue"], label="H(softmax(x / T))")
    ax.axhline(max_bits, color=OKABE_ITO["vermillion"], linestyle="--",
               label=f"log2(n) = {max_bits:.2f} bits (uniform)")
    ax.axhline(0.0, color="black", linestyle=":", linewidth=1, label="0 bits (one-hot)")
    if marker is not None:
        ax.plot([marker[0]], [marker[1]], marker="D", markersize=9, linestyle="none",
                color=OKABE_ITO["orange"], markeredgecolor="black",
                label=f"T = {marker[0]:.2f}: {marker[1]:.2f} bits")
    ax.set_xscale("log")
    ax.set_ylim(-0.1, max_bits * 1.15)
    ax.set_xlabel("temperature T (no units, log scale)")
    ax.set_ylabel("entropy (bits)")
    ax.set_title("entropy rises with T")
    ax.legend(loc="lower right", fontsize=9)
    return ax


def update_entropy_curve(
    ax: plt.Axes,
    temperatures: ArrayLike,
    entropies: ArrayLike,
    *,
    marker: tuple[float, float] | None = None,
) -> plt.Axes:
    """Move the curve and the marker of an :func:`entropy_curve` to new numbers, in place.

    Taught in 03. For a slider: the axes, their limits and the 0 and log2(n) lines
    stay as drawn; the curve gets the new points, and the diamond (drawn with a
    `marker` at first) moves to `marker` with its legend entry rewritten.

    Examples
    --------
    >>> ax = entropy_curve([0.1, 1.0, 10.0], [0.0, 1.2, 1.58], 1.585, marker=(1.0, 1.2))
    >>> ax = update_entropy_curve(ax, [0.1, 1.0, 10.0], [0.0, 1.2, 1.58], marker=(10.0, 1.58))
    >>> ax.lines[-1].get_xydata().tolist(), ax.get_legend().get_texts()[-1].get_text()
    ([[10.0, 1.58]], 'T = 10.00: 1.58 bits')
    >>> plt.close("all")
    """
    curve = ax.lines[0]
    curve.set_data(np.asarray(temperatures, dtype=float), np.asarray(entropies, dtype=float))
    if marker is not None:
        if len(ax.lines) < 4:
            raise ValueError("this entropy curve was drawn without a marker; draw it with "
                             "entropy_curve(..., marker=(T, H)) to be able to move one")
        label = f"T = {marker[0]:.2f}: {marker[1]:.2f} bits"
        diamond = ax.lines[3]
        diamond.set_data([marker[0]], [marker[1]])
        diamond.set_label(label)
        ax.get_legend().get_texts()[3].set_text(label)
    return ax


def _temperature_title(scene: TemperatureScene) -> str:
    return (f"T = {scene.temperature:.2f}: H = {scene.entropy_bits:.2f} bits, "
            f"H/Hmax = {scene.entropy_ratio:.2f}")


def temperature_figure(scene: TemperatureScene, *, fig: plt.Figure | None = None) -> plt.Figure:
    """The temperature explorer: bars of ``softmax(x / T)`` and the marker on the entropy curve.

    Taught in 03. `scene` comes from
    :func:`softmax_lessons.scenes.sampling.temperature_scene`. With `fig`, a figure
    this function drew, it draws on that figure's axes again (an explorer's redraw).
    """
    use_course_style()
    if fig is None:
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.3))
    else:
        left, right = fig.axes
    probability_bars(scene.p, list(scene.labels), ax=left, title=_temperature_title(scene),
                     highlight=scene.argmax)
    left.set_xlabel("next token (argmax hatched)")
    entropy_curve(scene.curve_t, scene.curve_h, scene.entropy_max_bits,
                  marker=(scene.temperature, scene.entropy_bits), ax=right)
    return fig


def update_temperature_figure(fig: plt.Figure, scene: TemperatureScene) -> plt.Figure:
    """Redraw a :func:`temperature_figure` in place for a new `scene` (the explorer's slider).

    Taught in 03. Bars, their value labels, the hatched argmax, the title and the
    marker on the entropy curve change; nothing is created, so a slider step is cheap.

    Examples
    --------
    >>> from softmax_lessons.scenes.sampling import temperature_scene
    >>> fig = temperature_figure(temperature_scene([2.0, 1.0, 0.0], 1.0, ["a", "b", "c"]))
    >>> fig = update_temperature_figure(fig, temperature_scene([2.0, 1.0, 0.0], 0.5,
    ...                                                        ["a", "b", "c"]))
    >>> [round(float(b.get_height()), 3) for b in fig.axes[0].patches]
    [0.867, 0.117, 0.016]
    >>> plt.close("all")
    """
    left, right = fig.axes
    update_probability_bars(left, scene.p, _temperature_title(scene),
                             highlight=scene.argmax)
    update_entropy_curve(right, scene.curve_t, scene.curve_h,
                         marker=(scene.temperature, scene.entropy_bits))
    return fig


def temperature_figure_moving(fig: plt.Figure) -> list:
    """The artists of a :func:`temperature_figure` that change when T moves (x fixed).

    Taught in 03. An explorer redraws only these on each step (``LiveFigure(moving=...)``);
    everything else stays as first drawn. The entropy curve itself depends only on
    the logits, so it is not among them.

    Examples
    --------
    >>> from softmax_lessons.scenes.sampling import temperature_scene
    >>> len(temperature_figure_moving(temperature_figure(temperature_scene())))  # 5 + 5 + 3
    13
    >>> plt.close("all")
    """
    left, right = fig.axes
    return [*left.patches, *left.texts, left.title, right.lines[3], right.get_legend()]


def simplex_path(
    path: ArrayLike,
    labels: list[str],
    *,
    marks: dict[str, ArrayLike] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """The path of a 3-class distribution across the probability triangle as T changes.

    Taught in 03. `path` is (m, 3), one distribution per temperature (from
    :func:`softmax_lessons.sampling.temperature_path`); each corner is a one-hot
    distribution, the centre the uniform one. `marks` maps a label such as
    ``"T = 1"`` to one distribution to mark with its own marker.

    Examples
    --------
    >>> ax = simplex_path([[1, 0, 0], [0.5, 0.3, 0.2], [1/3, 1/3, 1/3]], ["a", "b", "c"],
    ...                   marks={"T = 1": [0.5, 0.3, 0.2]})
    >>> ax.get_title()
    'the path of softmax(x / T) across the simplex'
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(6.4, 3.8))
    xy = np.asarray(path, dtype=float) @ _CORNERS
    outline = np.vstack([_CORNERS, _CORNERS[:1]])
    ax.plot(outline[:, 0], outline[:, 1], color="black", linewidth=1)
    ax.plot(xy[:, 0], xy[:, 1], color=OKABE_ITO["blue"], linewidth=2,
            label="softmax(x / T), T from small to large")
    centre = _CORNERS.mean(axis=0)
    ax.plot(*centre, marker="x", color="black", markersize=9, linestyle="none",
            label="uniform (T -> infinity)")
    markers = ["o", "s", "^", "D", "v"]
    colours = [OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["vermillion"],
               OKABE_ITO["purple"], OKABE_ITO["sky"]]
    for i, (name, p) in enumerate((marks or {}).items()):
        point = np.asarray(p, dtype=float) @ _CORNERS
        ax.plot(*point, marker=markers[i % 5], color=colours[i % 5], markeredgecolor="black",
                markersize=8, linestyle="none", label=name)
    offsets = [(-0.04, -0.07), (0.04, -0.07), (0.0, 0.04)]
    for corner, name, (dx, dy) in zip(_CORNERS, labels, offsets, strict=True):
        ax.annotate(f"{name} = 1", (corner[0] + dx, corner[1] + dy), ha="center", fontsize=9)
    ax.set_xlim(-0.15, 2.0)  # room on the right for the legend
    ax.set_ylim(-0.12, 0.95)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("corners: one-hot distributions (probability 1 on one class)")
    ax.set_title("the path of softmax(x / T) across the simplex")
    ax.legend(loc="center right", fontsize=9)
    return ax


def sampling_counts(
    labels: list[str],
    frequencies: ArrayLike,
    expected: ArrayLike,
    model_p: ArrayLike | None = None,
    *,
    ax: plt.Axes | None = None,
    title: str = "draws against the distribution they come from",
) -> plt.Axes:
    """Bars: the fraction of draws per token; diamonds: the probability it was drawn with.

    Taught in 03. `model_p` (optional, open circles) is ``softmax(x / T)`` before
    top-k / top-p filtering, so the renormalisation shows as a gap between circle
    and diamond.

    Examples
    --------
    >>> ax = sampling_counts(["a", "b"], [0.7, 0.3], [0.72, 0.28])
    >>> [round(float(b.get_height()), 2) for b in ax.patches]
    [0.7, 0.3]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    positions = np.arange(len(labels))
    ax.bar(positions, frequencies, color=OKABE_ITO["sky"], edgecolor="black", hatch="..",
           label="fraction of draws")
    ax.plot(positions, expected, marker="D", color="black", linestyle="none", markersize=7,
            label="probability sampled from")
    if model_p is not None:
        ax.plot(positions, model_p, marker="o", markerfacecolor="none", linestyle="none",
                markersize=10, color=OKABE_ITO["vermillion"], markeredgewidth=1.5,
                label="softmax(x / T) before filtering")
    ax.set_xticks(positions, labels)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("token")
    ax.set_ylabel("fraction of draws / probability")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=9)
    return ax


def update_sampling_counts(
    ax: plt.Axes,
    frequencies: ArrayLike,
    expected: ArrayLike,
    model_p: ArrayLike | None = None,
    *,
    title: str | None = None,
) -> plt.Axes:
    """Give a :func:`sampling_counts` plot new frequencies and probabilities, in place.

    Taught in 03. `model_p` moves the open circles, so the plot must have been drawn
    with a `model_p`; `title`, if given, replaces the title.

    Examples
    --------
    >>> ax = sampling_counts(["a", "b"], [0.7, 0.3], [0.72, 0.28])
    >>> ax = update_sampling_counts(ax, [0.2, 0.8], [0.25, 0.75])
    >>> [round(float(b.get_height()), 2) for b in ax.patches], ax.lines[0].get_ydata().tolist()
    ([0.2, 0.8], [0.25, 0.75])
    >>> plt.close("all")
    """
    frequencies = np.asarray(frequencies, dtype=float)
    bars = ax.containers[0]
    if len(bars) != frequencies.size:
        raise ValueError(f"the plot has {len(bars)} bars but got {frequencies.size} "
                         "frequencies; draw a new figure for a different vocabulary")
    for bar, value in zip(bars, frequencies, strict=True):
        bar.set_height(value)
    ax.lines[0].set_ydata(np.asarray(expected, dtype=float))
    if model_p is not None:
        if len(ax.lines) < 2:
            raise ValueError("this plot was drawn without model_p; draw it with "
                             "sampling_counts(..., model_p) to be able to move the circles")
        ax.lines[1].set_ydata(np.asarray(model_p, dtype=float))
    if title is not None:
        ax.set_title(title)
    return ax


def _sampling_title(scene: SamplingScene) -> str:
    return (f"{scene.n_draws} draws, T = {scene.temperature:.2f}, "
            f"top-k = {scene.top_k}, top-p = {scene.top_p:.2f}")


def sampling_figure(scene: SamplingScene, *, fig: plt.Figure | None = None) -> plt.Figure:
    """The sampling playground's figure, from
    :func:`softmax_lessons.scenes.sampling.sampling_scene`. Taught in 03.

    With `fig`, a figure this function drew, it draws on that figure's axes again.
    """
    use_course_style()
    if fig is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
    else:
        (ax,) = fig.axes
    sampling_counts(list(scene.labels), scene.frequencies, scene.p, scene.model_p,
                    ax=ax, title=_sampling_title(scene))
    return fig


def update_sampling_figure(fig: plt.Figure, scene: SamplingScene) -> plt.Figure:
    """Redraw a :func:`sampling_figure` in place for a new `scene` (the playground's sliders).

    Taught in 03.

    Examples
    --------
    >>> from softmax_lessons.scenes.sampling import sampling_scene
    >>> fig = sampling_figure(sampling_scene(n_draws=100))
    >>> fig = update_sampling_figure(fig, sampling_scene(n_draws=200))
    >>> fig.axes[0].get_title()
    '200 draws, T = 1.00, top-k = 5, top-p = 1.00'
    >>> plt.close("all")
    """
    (ax,) = fig.axes
    update_sampling_counts(ax, scene.frequencies, scene.p, scene.model_p,
                           title=_sampling_title(scene))
    return fig


def sampling_figure_moving(fig: plt.Figure) -> list:
    """The artists of a :func:`sampling_figure` that :func:`update_sampling_figure` changes.

    Taught in 03. An explorer redraws only these on each step (``LiveFigure(moving=...)``).

    Examples
    --------
    >>> from softmax_lessons.scenes.sampling import sampling_scene
    >>> len(sampling_figure_moving(sampling_figure(sampling_scene())))
    8
    >>> plt.close("all")
    """
    (ax,) = fig.axes
    return [*ax.patches, *ax.lines, ax.title]
