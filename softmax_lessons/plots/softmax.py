"""Figures for lesson 01 Definition: from scores to probabilities.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.core`
or by a lesson scene) and returns its axes; none does maths of
its own, so the explorer and the static figures beside it always agree.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import ArrayLike

from ..scenes.softmax import DefinitionScene, NormaliserScene, NormaliserSweep, SurpriseScene
from .style import (
    LINESTYLES,
    MARKERS,
    OKABE_ITO,
    new_axes,
    probability_bars,
    use_course_style,
)


def _explorer_title(scene: DefinitionScene) -> str:
    return (f"argmax: {scene.argmax_label}, sum: {scene.total:.3f}\n"
            f"entropy: {scene.entropy_bits:.3f} of {scene.entropy_max_bits:.3f} bits")


__all__ = [
    "explorer_bars",
    "logits_and_probabilities",
    "normaliser_bars",
    "normaliser_sweep_chart",
    "simplex_points",
    "soft_vs_hard_argmax",
    "surprise_chart",
    "two_class_sigmoid",
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


def _probability_band(ax: plt.Axes) -> None:
    """Shade 0 <= y <= 1, where a probability may live, and draw the line y = 0."""
    ax.axhspan(0.0, 1.0, color=OKABE_ITO["green"], alpha=0.12, linewidth=0)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=LINESTYLES[1])


def _named(labels: list[str], x: np.ndarray) -> str:
    """'(cat, dog) = (2, -3)': class names and their logits, for a title."""
    return f"({', '.join(labels)}) = ({', '.join(f'{v:g}' for v in x)})"


def _wrap(text: str, width: int = 32) -> str:
    return "\n".join(textwrap.wrap(text, width))


def normaliser_bars(scene: NormaliserScene, *, axes: np.ndarray | None = None) -> np.ndarray:
    """One panel per normaliser: the outputs it gives for the scene's logits.

    Taught in 01 ("why exp"). `scene` comes from
    :func:`softmax_lessons.scenes.softmax.normaliser_scene`. The green band is
    where a probability may live (0 to 1). An output outside it is cross-hatched,
    a dead class (exactly 0, no slope) is marked "dead", a division by zero is
    written on an empty slot; each title carries the scene's verdict.

    Examples
    --------
    >>> from softmax_lessons.scenes.softmax import normaliser_scene
    >>> axes = normaliser_bars(normaliser_scene([2.0, -3.0, 0.5], ["a", "b", "c"]))
    >>> [ax.get_title().splitlines()[0] for ax in axes]
    ['x / sum', 'x² / sum', 'relu / sum', 'exp / sum']
    >>> [b.get_hatch() for b in axes[0].containers[0]]
    ['xx', 'xx', 'xx']
    >>> plt.close("all")
    """
    n = len(scene.methods)
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, n, figsize=(2.05 * n, 3.4))
    for k, ax in enumerate(axes):
        q = np.asarray(scene.p[k], dtype=float)
        finite = np.isfinite(q)
        outside = finite & ((q < 0) | (q > 1))
        _probability_band(ax)
        bars = ax.bar(scene.labels, np.where(finite, q, 0.0), edgecolor="black",
                      color=[OKABE_ITO["vermillion"] if o else OKABE_ITO["blue"]
                             for o in outside])
        for bar, value, out, ok, label in zip(bars, q, outside, finite, scene.labels,
                                              strict=True):
            centre = bar.get_x() + bar.get_width() / 2
            if out:
                bar.set_hatch("xx")
            if not ok:
                text = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
                ax.annotate(text, (centre, 0.5), ha="center", va="center", fontsize=9,
                            fontweight="bold")
            elif label in scene.dead[k]:
                ax.annotate("0\ndead", (centre, 0.0), ha="center", va="bottom", fontsize=9)
            else:
                ax.annotate(f"{value:.3g}", (centre, value), ha="center",
                            va="bottom" if value >= 0 else "top", fontsize=9)
        low = min(-0.15, float(np.min(q[finite], initial=0.0)) * 1.2)
        high = max(1.15, float(np.max(q[finite], initial=0.0)) * 1.15)
        ax.set_ylim(low, high)
        ax.set_xlabel("class")
        ax.set_title(f"{scene.methods[k]}\n{_wrap(scene.verdict[k])}", fontsize=9)
    axes[0].set_ylabel("output (green band: 0 to 1)")
    axes[0].figure.suptitle(f"the logits {_named(scene.labels, scene.x)} through four recipes")
    return axes


def normaliser_sweep_chart(
    sweep: NormaliserSweep, *, axes: np.ndarray | None = None, clip: tuple = (-1.5, 2.5)
) -> np.ndarray:
    """One panel per normaliser: one class's output as its own logit moves.

    Taught in 01 ("why exp"). `sweep` comes from
    :func:`softmax_lessons.scenes.softmax.normaliser_sweep`; the dotted line marks
    the logit the class has in the scene's vector. The vertical axis is cut at
    `clip` (the ``x / sum`` curve runs off to infinity where the total is 0).

    Examples
    --------
    >>> from softmax_lessons.scenes.softmax import normaliser_sweep
    >>> sweep = normaliser_sweep([2.0, -3.0, 0.5], 1, np.linspace(-4, 4, 9), ["a", "b", "c"])
    >>> axes = normaliser_sweep_chart(sweep)
    >>> axes[2].lines[-1].get_ydata()[:4].tolist()      # relu: flat at 0, dead
    [0.0, 0.0, 0.0, 0.0]
    >>> plt.close("all")
    """
    n = len(sweep.methods)
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, n, figsize=(2.05 * n, 3.0), sharex=True)
    for k, ax in enumerate(axes):
        _probability_band(ax)
        ax.axvline(sweep.x[sweep.index], color="grey", linestyle=LINESTYLES[2], linewidth=1)
        ax.plot(sweep.values, sweep.p[k], color=OKABE_ITO["blue"], linewidth=2,
                linestyle=LINESTYLES[0])
        ax.set_ylim(*clip)
        ax.set_title(sweep.methods[k], fontsize=10)
        ax.set_xlabel(f"logit of {sweep.label}")
    axes[0].set_ylabel(f"output for {sweep.label}")
    others = [i for i in range(sweep.x.size) if i != sweep.index]
    fixed = ", ".join(f"{sweep.labels[i]} = {sweep.x[i]:g}" for i in others)
    axes[0].figure.suptitle(f"{sweep.label}'s output as its own logit moves ({fixed} fixed)")
    return axes


def surprise_chart(scene: SurpriseScene, *, ax: plt.Axes | None = None) -> plt.Axes:
    """The surprise curve ``-log2 p``, each outcome of the scene on it, and their average.

    Taught in 01. `scene` comes from :func:`softmax_lessons.scenes.softmax.surprise_scene`;
    the dashed line is the entropy (the average surprise, weighted by probability).

    Examples
    --------
    >>> from softmax_lessons.scenes.softmax import surprise_scene
    >>> ax = surprise_chart(surprise_scene([0.5, 0.25, 0.25], ["a", "b", "c"]))
    >>> ax.lines[1].get_ydata().tolist(), ax.lines[2].get_ydata().tolist()
    ([1.0, 2.0, 2.0], [1.5, 1.5])
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(6.4, 3.4))
    ax.plot(scene.curve_p, scene.curve_bits, color=OKABE_ITO["blue"], linewidth=2,
            linestyle=LINESTYLES[0], label="surprise -log2 p")
    finite = np.isfinite(scene.surprise_bits)
    ax.plot(scene.p[finite], scene.surprise_bits[finite], linestyle="none", marker="o",
            markersize=8, color=OKABE_ITO["orange"], markeredgecolor="black",
            label="the outcomes")
    for label, p, bits in zip(scene.labels, scene.p, scene.surprise_bits, strict=True):
        if np.isfinite(bits):
            ax.annotate(f"{label}: p = {p:.3f}, {bits:.2f} bits", (p, bits),
                        textcoords="offset points", xytext=(8, 4), fontsize=9)
    ax.plot([0.0, 1.0], [scene.entropy_bits] * 2, color=OKABE_ITO["vermillion"],
            linestyle=LINESTYLES[1], linewidth=1.5,
            label=f"entropy = average surprise = {scene.entropy_bits:.3f} bits")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, max(4.0, float(np.max(scene.surprise_bits[finite], initial=0.0)) + 0.5))
    ax.set_xlabel("probability p of an outcome")
    ax.set_ylabel("surprise (bits)")
    ax.set_title("rare outcomes surprise more; entropy is the average surprise")
    ax.legend(fontsize=9)
    return ax
