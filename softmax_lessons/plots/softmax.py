"""Figures for lesson 01 Definition: from scores to probabilities.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.core`
or by a lesson scene) and returns its axes; none does maths of
its own, so the explorer and the static figures beside it always agree.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import ArrayLike

from ..scenes.softmax import DefinitionScene
from .style import (
    LINESTYLES,
    MARKERS,
    OKABE_ITO,
    new_axes,
    probability_bars,
    update_probability_bars,
    use_course_style,
)


def _explorer_title(scene: DefinitionScene) -> str:
    return (f"argmax: {scene.argmax_label}, sum: {scene.total:.3f}\n"
            f"entropy: {scene.entropy_bits:.3f} of {scene.entropy_max_bits:.3f} bits")


__all__ = [
    "explorer_bars",
    "logits_and_probabilities",
    "simplex_points",
    "soft_vs_hard_argmax",
    "two_class_sigmoid",
    "update_explorer_bars",
]


def explorer_bars(scene: DefinitionScene, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Draw what the lesson-01 explorer shows: the probabilities, argmax hatched.

    Taught in 01. `scene` comes from
    :func:`softmax_lessons.scenes.softmax.definition_scene`; the title carries
    the argmax, the entropy in bits and the sum.

    Examples
    --------
    >>> from softmax_lessons.scenes.softmax import definition_scene
    >>> ax = explorer_bars(definition_scene([2.0, 1.0, 0.0], ["a", "b", "c"]))
    >>> ax.get_title()
    'argmax: a, sum: 1.000\\nentropy: 1.201 of 1.585 bits'
    >>> plt.close("all")
    """
    ax = probability_bars(scene.p, list(scene.labels), ax=ax, title=_explorer_title(scene),
                          highlight=scene.argmax)
    ax.set_xlabel("class (argmax hatched)")
    return ax


def update_explorer_bars(ax: plt.Axes, scene: DefinitionScene) -> plt.Axes:
    """Change the bars drawn by :func:`explorer_bars` to show a new `scene`, in place.

    Taught in 01. The lesson-01 explorer draws its figure once and calls this on
    every slider step: new heights, printed values, hatched argmax and title, with
    no new figure. The result carries the same data as ``explorer_bars(scene)``.

    Raises
    ------
    ValueError
        If `scene` has a different number of classes than the bars on `ax`.

    Examples
    --------
    >>> from softmax_lessons.scenes.softmax import definition_scene
    >>> ax = explorer_bars(definition_scene([2.0, 1.0, 0.0], ["a", "b", "c"]))
    >>> ax = update_explorer_bars(ax, definition_scene([0.0, 1.0, 2.0], ["a", "b", "c"]))
    >>> [round(float(b.get_height()), 2) for b in ax.patches], ax.patches[2].get_hatch()
    ([0.09, 0.24, 0.67], '//')
    >>> plt.close("all")
    """
    labels = [t.get_text() for t in ax.get_xticklabels()]
    if labels and labels != list(scene.labels):
        raise ValueError(f"these axes show classes {labels}, got {list(scene.labels)}; "
                         "draw a new figure with explorer_bars for other classes")
    return update_probability_bars(ax, scene.p, title=_explorer_title(scene),
                                    highlight=scene.argmax)


def logits_and_probabilities(
    x: ArrayLike, p: ArrayLike, labels: list[str], *, axes: np.ndarray | None = None
) -> np.ndarray:
    """Two panels: the logits (any sign, no units) and their softmax probabilities.

    Taught in 01.

    Examples
    --------
    >>> axes = logits_and_probabilities([2.0, 1.0, 0.0], [0.665, 0.245, 0.09], ["a", "b", "c"])
    >>> [ax.get_title() for ax in axes]
    ['logits: any real number', 'softmax: in (0, 1), sum 1']
    >>> plt.close("all")
    """
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, 2, figsize=(8, 3))
    x = np.asarray(x, dtype=float)
    left, right = axes
    bars = left.bar(labels, x, color=OKABE_ITO["sky"], edgecolor="black", hatch="..")
    for bar, value in zip(bars, x, strict=True):
        left.annotate(f"{value:g}", (bar.get_x() + bar.get_width() / 2, value), ha="center",
                      va="bottom" if value >= 0 else "top", fontsize=9)
    left.axhline(0, color="black", linewidth=0.8)
    left.set_ylabel("logit (no units)")
    left.set_xlabel("class")
    left.set_title("logits: any real number")
    probability_bars(p, labels, ax=right, title="softmax: in (0, 1), sum 1")
    right.set_xlabel("class")
    return axes


def simplex_points(
    points: ArrayLike,
    names: list[str],
    *,
    corners: tuple[str, str, str] = ("class 0", "class 1", "class 2"),
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Plot distributions over 3 classes as points in the probability triangle.

    Taught in 01. A point p = (p0, p1, p2) sits at p0 * A + p1 * B + p2 * C, where
    A, B, C are the corners: a one-hot distribution is a corner, the uniform one
    the centre. Each point gets its own marker and a text label, never colour alone.

    Examples
    --------
    >>> ax = simplex_points([[1/3, 1/3, 1/3], [1.0, 0.0, 0.0]], ["uniform", "one-hot"])
    >>> [round(float(v), 3) for v in ax.lines[1].get_xydata()[0]]
    [0.5, 0.289]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    pts = np.atleast_2d(np.asarray(points, dtype=float))
    if pts.shape[-1] != 3:
        raise ValueError(f"points must have 3 probabilities each, got shape {pts.shape}; "
                         "the triangle shows distributions over exactly 3 classes")
    corner_xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    outline = np.vstack([corner_xy, corner_xy[:1]])
    ax.plot(outline[:, 0], outline[:, 1], color="black", linewidth=1)
    xy = pts @ corner_xy
    for i, ((px, py), name) in enumerate(zip(xy, names, strict=True)):
        ax.plot(px, py, linestyle="none", marker=MARKERS[i % len(MARKERS)], markersize=8,
                color=list(OKABE_ITO.values())[i % 7], markeredgecolor="black", label=name)
        ax.annotate(name, (px, py), textcoords="offset points", xytext=(6, 4), fontsize=9)
    offsets = [(-8, -14), (8, -14), (0, 6)]
    for (cx, cy), corner, off in zip(corner_xy, corners, offsets, strict=True):
        ax.annotate(corner, (cx, cy), textcoords="offset points", xytext=off,
                    ha="center", fontsize=9)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_aspect("equal")
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.12, 0.98)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("each corner is one class with probability 1")
    ax.set_title("distributions over 3 classes live on a triangle")
    return ax


def soft_vs_hard_argmax(
    values: ArrayLike, p_soft: ArrayLike, p_hard: ArrayLike, *, ax: plt.Axes | None = None
) -> plt.Axes:
    """The probability of one class as its logit varies: softmax (smooth) vs argmax (a step).

    Taught in 01.

    Examples
    --------
    >>> ax = soft_vs_hard_argmax([0.0, 1.0], [0.3, 0.6], [0.0, 1.0])
    >>> [line.get_label() for line in ax.lines]
    ['softmax (smooth)', 'one-hot argmax (a jump)']
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    ax.plot(values, p_soft, color=OKABE_ITO["blue"], linestyle=LINESTYLES[0], linewidth=2,
            label="softmax (smooth)")
    ax.step(values, p_hard, where="mid", color=OKABE_ITO["vermillion"],
            linestyle=LINESTYLES[1], linewidth=2, label="one-hot argmax (a jump)")
    ax.set_xlabel("logit of class 0 (others fixed)")
    ax.set_ylabel("weight on class 0")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title('softmax is a "soft" argmax')
    ax.legend()
    return ax


def two_class_sigmoid(
    d: ArrayLike, p_softmax: ArrayLike, p_sigmoid: ArrayLike, *, ax: plt.Axes | None = None
) -> plt.Axes:
    """Two classes: softmax's first probability against the sigmoid of the logit difference.

    Taught in 01.

    Examples
    --------
    >>> ax = two_class_sigmoid([0.0, 1.0], [0.5, 0.73], [0.5, 0.73])
    >>> ax.get_xlabel()
    'logit difference x0 - x1 (no units)'
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    ax.plot(d, p_sigmoid, color=OKABE_ITO["orange"], linewidth=3, linestyle=LINESTYLES[0],
            label="sigmoid(x0 - x1)")
    ax.plot(d, p_softmax, color=OKABE_ITO["blue"], linestyle="none", marker="o",
            markersize=4, markevery=max(1, len(np.atleast_1d(d)) // 20),
            label="softmax([x0, x1])[0]")
    ax.set_xlabel("logit difference x0 - x1 (no units)")
    ax.set_ylabel("probability of class 0")
    ax.set_title("two classes: softmax is a sigmoid")
    ax.legend()
    return ax
