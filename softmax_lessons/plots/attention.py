"""Figures for lesson 04 Attention and masking.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.attention`
or a lesson scene) and returns its axes or figure; none does maths
of its own, so the explorers and the static figures beside them always agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PatchCollection
from numpy.typing import ArrayLike

from ..scenes.attention import AttentionScene, HeadsScene, SameOutputScene, SaturationScene
from .style import MARKERS, OKABE_ITO, new_axes, use_course_style

__all__ = [
    "attention_figure",
    "attention_figure_moving",
    "attention_heatmap",
    "convex_hull_plot",
    "heads_figure",
    "masked_cells",
    "same_output_figure",
    "saturation_figure",
    "saturation_figure_moving",
    "update_attention_figure",
    "update_attention_heatmap",
    "update_saturation_figure",
]

_MASKED_CELL = {"facecolor": "#dddddd", "hatch": "///", "edgecolor": "#888888",
                "linewidth": 0}
_MASKED_GID = "masked cells"


def _masked_squares(allowed: np.ndarray) -> list[plt.Rectangle]:
    """One unit square per masked cell (``allowed`` False), centred on the cell."""
    return [plt.Rectangle((j - 0.5, i - 0.5), 1, 1) for i, j in np.argwhere(~allowed)]


def masked_cells(ax: plt.Axes) -> PatchCollection:
    """The grey hatched squares of an :func:`attention_heatmap`, one collection for all.

    One artist rather than one per cell: an explorer redraws it on every step, and
    one hatched collection draws faster than as many hatched patches. Its paths are
    the masked cells, ``len(masked_cells(ax).get_paths())`` of them.
    """
    return next(c for c in ax.collections if c.get_gid() == _MASKED_GID)


def _cell_text(weight: float, allowed: bool) -> dict:
    """What one heatmap cell says: its weight (dark or light ink), or a cross if masked."""
    if allowed:
        return {"text": f"{weight:.2f}", "color": "black" if weight > 0.6 else "white",
                "fontsize": 9}
    return {"text": "x", "color": "black", "fontsize": 9}


def _allowed(mask: ArrayLike | None, shape: tuple[int, ...]) -> np.ndarray:
    if mask is None:
        return np.ones(shape, dtype=bool)
    return np.broadcast_to(np.asarray(mask, dtype=bool), shape)


def attention_heatmap(
    weights: ArrayLike,
    query_labels: list[str],
    key_labels: list[str],
    *,
    mask: ArrayLike | None = None,
    ax: plt.Axes | None = None,
    title: str = "attention weights (each row sums to 1)",
    colorbar: plt.Axes | bool = True,
) -> plt.Axes:
    """A heatmap of attention weights, one row per query, the value printed in each cell.

    Taught in 04. Masked cells (``mask`` False) are hatched and marked with a cross,
    so they are told apart by more than colour. `colorbar` is True (a colour bar beside
    the heatmap), False (none), or the axes to draw the colour bar in.

    Examples
    --------
    >>> ax = attention_heatmap([[1.0, 0.0], [0.4, 0.6]], ["a", "b"], ["a", "b"],
    ...                        mask=[[True, False], [True, True]])
    >>> [t.get_text() for t in ax.texts]
    ['1.00', 'x', '0.40', '0.60']
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(5.2, 4.4))
    w = np.asarray(weights, dtype=float)
    allowed = _allowed(mask, w.shape)
    image = ax.imshow(w, vmin=0.0, vmax=1.0, cmap="viridis")
    squares = PatchCollection(_masked_squares(allowed), **_MASKED_CELL)
    squares.set_gid(_MASKED_GID)
    ax.add_collection(squares, autolim=False)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            cell = _cell_text(w[i, j], allowed[i, j])
            ax.text(j, i, cell["text"], ha="center", va="center", fontsize=cell["fontsize"],
                    color=cell["color"])
    ax.set_xticks(range(len(key_labels)), key_labels, rotation=45)
    ax.set_yticks(range(len(query_labels)), query_labels)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    ax.grid(False)
    ax.set_title(title)
    if colorbar is True:
        ax.figure.colorbar(image, ax=ax, label="weight (probability)", shrink=0.8)
    elif colorbar is not False:
        ax.figure.colorbar(image, cax=colorbar, label="weight (probability)")
    return ax


def update_attention_heatmap(
    ax: plt.Axes,
    weights: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Show new weights (and a new mask) on an :func:`attention_heatmap`, in place.

    Taught in 04. The image gets the new weights, every cell its new text, and the
    grey hatched squares follow the mask; `title`, if given, replaces the title.
    The weights must have the shape the heatmap was drawn with.

    Examples
    --------
    >>> ax = attention_heatmap([[1.0, 0.0], [0.4, 0.6]], ["a", "b"], ["a", "b"],
    ...                        mask=[[True, False], [True, True]])
    >>> ax = update_attention_heatmap(ax, [[0.5, 0.5], [0.3, 0.7]])
    >>> [t.get_text() for t in ax.texts]
    ['0.50', '0.50', '0.30', '0.70']
    >>> plt.close("all")
    """
    w = np.asarray(weights, dtype=float)
    image = ax.images[0]
    if w.shape != image.get_array().shape:
        raise ValueError(f"the heatmap shows weights of shape {image.get_array().shape}, got "
                         f"{w.shape}; draw a new heatmap for a different sequence length")
    allowed = _allowed(mask, w.shape)
    image.set_data(w)
    # The one collection of grey squares takes the new masked cells as its paths: it
    # stays the same artist, so an explorer that blits keeps redrawing the right one.
    masked_cells(ax).set_paths(_masked_squares(allowed))
    cells = iter(ax.texts)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            cell = _cell_text(w[i, j], allowed[i, j])
            text = next(cells)
            text.set_text(cell["text"])
            text.set_color(cell["color"])
            text.set_fontsize(cell["fontsize"])
    if title is not None:
        ax.set_title(title)
    return ax


def _attention_title(scene: AttentionScene) -> str:
    masks = [name for name, on in (("causal", scene.causal), ("padding", scene.padding))
             if on]
    return (f"masks: {' + '.join(masks) or 'none'}, scale x{scene.scale:.2f}: "
            f"weights (grey x = masked)")


def attention_figure(scene: AttentionScene, *, fig: plt.Figure | None = None) -> plt.Figure:
    """The attention explorer's figure, from
    :func:`softmax_lessons.scenes.attention.attention_scene`. Taught in 04.

    With `fig`, a figure this function drew, it draws on that figure's axes again
    (the heatmap's, and the colour bar's).
    """
    use_course_style()
    if fig is None:
        fig, ax = plt.subplots(figsize=(5.6, 4.4))
        colorbar = True
    else:
        ax, colorbar = fig.axes
    attention_heatmap(scene.weights, list(scene.tokens), list(scene.tokens),
                      mask=scene.mask, ax=ax, title=_attention_title(scene), colorbar=colorbar)
    return fig


def update_attention_figure(fig: plt.Figure, scene: AttentionScene) -> plt.Figure:
    """Redraw an :func:`attention_figure` in place for a new `scene` (the explorer's controls).

    Taught in 04.

    Examples
    --------
    >>> from softmax_lessons.scenes.attention import attention_scene
    >>> fig = attention_figure(attention_scene())
    >>> fig = update_attention_figure(fig, attention_scene(causal=False, padding=False))
    >>> [t.get_text() for t in fig.axes[0].texts].count("x")
    0
    >>> plt.close("all")
    """
    update_attention_heatmap(fig.axes[0], scene.weights, mask=scene.mask,
                             title=_attention_title(scene))
    return fig


def attention_figure_moving(fig: plt.Figure) -> list:
    """The artists of an :func:`attention_figure` that :func:`update_attention_figure` changes.

    Taught in 04. An explorer redraws only these on each step (``LiveFigure(moving=...)``).
    The grey squares of the masked cells are one collection, whatever the mask.

    Examples
    --------
    >>> from softmax_lessons.scenes.attention import attention_scene
    >>> len(attention_figure_moving(attention_figure(attention_scene())))  # 1 + 1 + 64 + 1
    67
    >>> plt.close("all")
    """
    ax = fig.axes[0]
    return [*ax.images, masked_cells(ax), *ax.texts, ax.title]


def convex_hull_plot(
    values: ArrayLike,
    weights: ArrayLike,
    output: ArrayLike,
    labels: list[str],
    *,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """2-D values, and the attention output as their weighted average (inside their hull).

    Taught in 04. Each value is a point with its weight written beside it; the
    output is the star. The shaded polygon joins the values in angle order around
    their mean, which is their convex hull when they are in convex position (as in
    the lesson's example).

    Examples
    --------
    >>> ax = convex_hull_plot([[0, 0], [1, 0], [0, 1]], [0.5, 0.25, 0.25], [0.25, 0.25],
    ...                       ["a", "b", "c"])
    >>> ax.get_title()
    'output = weighted average of the values'
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(6.4, 3.8))
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    out = np.asarray(output, dtype=float)
    centre = v.mean(axis=0)
    order = np.argsort(np.arctan2(v[:, 1] - centre[1], v[:, 0] - centre[0]))
    ax.fill(v[order, 0], v[order, 1], color=OKABE_ITO["sky"], alpha=0.3,
            label="convex hull of the values")
    ax.scatter(v[:, 0], v[:, 1], s=60 + 600 * w, color=OKABE_ITO["blue"], edgecolor="black",
               zorder=3, label="values (size = weight)")
    for point, weight, name in zip(v, w, labels, strict=True):
        ax.annotate(f"{name}: {weight:.2f}", point, xytext=(6, 6), textcoords="offset points",
                    fontsize=9)
    ax.plot(*out, marker="*", markersize=16, color=OKABE_ITO["orange"], markeredgecolor="black",
            linestyle="none", zorder=4, label="output")
    ax.set_xlabel("value, first coordinate")
    ax.set_ylabel("value, second coordinate")
    ax.set_title("output = weighted average of the values")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    return ax


def _saturation_title(scene: SaturationScene) -> str:
    return f"one query, d = {scene.d}"


def saturation_figure(scene: SaturationScene, *, fig: plt.Figure | None = None) -> plt.Figure:
    """The d-slider explorer: one row of weights with and without 1/sqrt(d), and entropy vs d.

    Taught in 04. `scene` comes from
    :func:`softmax_lessons.scenes.attention.saturation_scene`. With `fig`, a figure
    this function drew, it draws on that figure's axes again (an explorer's redraw).
    """
    use_course_style()
    if fig is None:
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    else:
        left, right = fig.axes
    keys = np.arange(scene.weights_scaled.size)
    left.bar(keys - 0.2, scene.weights_scaled, width=0.4, color=OKABE_ITO["blue"],
             edgecolor="black", label="scores / sqrt(d)")
    left.bar(keys + 0.2, scene.weights_unscaled, width=0.4, color=OKABE_ITO["orange"],
             edgecolor="black", hatch="//", label="raw scores q . k")
    left.set_ylim(0, 1.05)
    left.set_xticks(keys, [str(k) for k in keys])
    left.set_xlabel("key")
    left.set_ylabel("weight (probability)")
    left.set_title(_saturation_title(scene))
    left.legend(loc="upper right", fontsize=9)
    curve = scene.curve
    right.plot(curve.dims, curve.entropy_scaled, color=OKABE_ITO["blue"], marker="o",
               label="scores / sqrt(d)")
    right.plot(curve.dims, curve.entropy_unscaled, color=OKABE_ITO["orange"], marker="s",
               linestyle="--", label="raw scores q . k")
    right.axhline(curve.max_entropy, color="black", linestyle=":", linewidth=1,
                  label=f"log2({keys.size}) = {curve.max_entropy:.0f} bits (uniform)")
    right.plot([scene.d], [scene.mean_entropy_scaled], marker="D", markersize=10,
               color=OKABE_ITO["blue"], markeredgecolor="black", linestyle="none")
    right.plot([scene.d], [scene.mean_entropy_unscaled], marker="D", markersize=10,
               color=OKABE_ITO["orange"], markeredgecolor="black", linestyle="none")
    right.axvline(scene.d, color="grey", linewidth=1)
    right.set_xscale("log", base=2)
    right.set_ylim(-0.1, curve.max_entropy * 1.15)
    right.set_xlabel("key dimension d (log scale)")
    right.set_ylabel("mean entropy of a row (bits)")
    right.set_title("without 1/sqrt(d) the softmax saturates")
    right.legend(loc="lower left", fontsize=9)
    return fig


def update_saturation_figure(fig: plt.Figure, scene: SaturationScene) -> plt.Figure:
    """Redraw a :func:`saturation_figure` in place for a new `scene` (the d-slider).

    Taught in 04. The two rows of bars, the title, both curves (whose points include
    d), the diamonds and the vertical line at d move; axes and limits stay as drawn.

    Examples
    --------
    >>> from softmax_lessons.scenes.attention import saturation_scene
    >>> fig = saturation_figure(saturation_scene(64))
    >>> fig = update_saturation_figure(fig, saturation_scene(100))
    >>> fig.axes[0].get_title(), list(fig.axes[1].lines[-1].get_xdata())
    ('one query, d = 100', [100, 100])
    >>> plt.close("all")
    """
    left, right = fig.axes
    scaled_bars, unscaled_bars = left.containers
    for bars, weights in ((scaled_bars, scene.weights_scaled),
                          (unscaled_bars, scene.weights_unscaled)):
        if len(bars) != len(weights):
            raise ValueError(f"the figure has {len(bars)} keys but the state has "
                             f"{len(weights)}; draw a new figure for a different n_keys")
        for bar, weight in zip(bars, weights, strict=True):
            bar.set_height(weight)
    left.set_title(_saturation_title(scene))
    curve = scene.curve
    scaled, unscaled, _, marker_scaled, marker_unscaled, at_d = right.lines
    scaled.set_data(curve.dims, curve.entropy_scaled)
    unscaled.set_data(curve.dims, curve.entropy_unscaled)
    marker_scaled.set_data([scene.d], [scene.mean_entropy_scaled])
    marker_unscaled.set_data([scene.d], [scene.mean_entropy_unscaled])
    at_d.set_xdata([scene.d, scene.d])
    return fig


def saturation_figure_moving(fig: plt.Figure) -> list:
    """The artists of a :func:`saturation_figure` that :func:`update_saturation_figure` changes.

    Taught in 04. An explorer redraws only these on each step (``LiveFigure(moving=...)``);
    the legends, the uniform line and the right-hand title stay as first drawn.

    Examples
    --------
    >>> from softmax_lessons.scenes.attention import saturation_scene
    >>> len(saturation_figure_moving(saturation_figure(saturation_scene())))  # 16 bars + 1 + 5
    22
    >>> plt.close("all")
    """
    left, right = fig.axes
    scaled, unscaled, _, marker_scaled, marker_unscaled, at_d = right.lines
    return [*left.patches, left.title, scaled, unscaled, marker_scaled, marker_unscaled, at_d]


def heads_figure(scene: HeadsScene) -> plt.Figure:
    """One heatmap per head, side by side; the cells each head was built for are framed.

    Taught in 04 (multi-head attention). `scene` comes from
    :func:`softmax_lessons.scenes.attention.sentence_heads_scene`. A thick orange frame
    marks each (query, key) pair of ``head.links``, so the reader can check the story
    against the weights printed in the cells.

    Examples
    --------
    >>> from softmax_lessons.scenes.attention import sentence_heads_scene
    >>> fig = heads_figure(sentence_heads_scene())
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['head 1: pronoun -> its noun', 'head 2: verb -> its subject']
    >>> plt.close("all")
    """
    use_course_style()
    n_heads = len(scene.heads)
    fig, axes = plt.subplots(1, n_heads, figsize=(5.4 * n_heads, 4.6), squeeze=False)
    labels = list(scene.tokens)
    for number, (ax, head) in enumerate(zip(axes[0], scene.heads, strict=True)):
        attention_heatmap(head.weights, labels, labels, mask=scene.mask, ax=ax, title=head.name)
        if number:
            ax.set_ylabel("")  # one label for the row of heatmaps, clear of the colour bars
        for query, key in head.links:
            i, j = labels.index(query), labels.index(key)
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, linewidth=3,
                                       edgecolor=OKABE_ITO["orange"], label="built to link"))
    fig.suptitle("one sentence, two heads: each row sums to 1; orange frames mark the pairs "
                 "each head was built to link", fontsize=10)
    return fig


def same_output_figure(scene: SameOutputScene) -> plt.Figure:
    """Several rows of weights (left) and where each puts the output (right).

    Taught in 04: attention weights are not explanations. `scene` comes from
    :func:`softmax_lessons.scenes.attention.same_output_scene`. The patterns differ
    by colour and hatch on the left and by marker on the right; markers shrink from
    the first pattern to the last so that outputs on the same spot all stay visible.

    Examples
    --------
    >>> from softmax_lessons.scenes.attention import same_output_scene
    >>> fig = same_output_figure(same_output_scene())
    >>> len(fig.axes[0].patches), len(fig.axes[1].lines)
    (12, 3)
    >>> plt.close("all")
    """
    use_course_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    n_patterns, n_keys = scene.weights.shape
    keys = np.arange(n_keys)
    width = 0.8 / n_patterns
    colours = [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["purple"]]
    hatches = ["", "//", "..", "xx"]
    for p in range(n_patterns):
        left.bar(keys + (p - (n_patterns - 1) / 2) * width, scene.weights[p], width,
                 color=colours[p % 4], hatch=hatches[p % 4], edgecolor="black",
                 label=scene.labels[p])
    left.set_xticks(keys, [f"v{j}" for j in keys])
    left.set_ylim(0, 1.05)
    left.set_xlabel("key (its value)")
    left.set_ylabel("attention weight")
    left.set_title(f"{n_patterns} rows of weights")
    left.legend(fontsize=9, loc="upper right")
    v = scene.values
    centre = v.mean(axis=0)
    order = np.argsort(np.arctan2(v[:, 1] - centre[1], v[:, 0] - centre[0]))
    right.fill(v[order, 0], v[order, 1], color=OKABE_ITO["sky"], alpha=0.3)
    right.scatter(v[:, 0], v[:, 1], s=60, color="white", edgecolor="black", zorder=3)
    for j, point in enumerate(v):
        right.annotate(f"v{j}", point, xytext=(6, 6), textcoords="offset points", fontsize=9)
    for p in range(n_patterns):
        right.plot(*scene.outputs[p], marker=MARKERS[p % len(MARKERS)],
                   markersize=18 - 5 * p, color=colours[p % 4], markeredgecolor="black",
                   linestyle="none", zorder=4 + p, label=f"output, {scene.labels[p]}")
    right.set_xlabel("value, first coordinate")
    right.set_ylabel("value, second coordinate")
    right.set_title("... one output")
    right.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig
