"""Figures for lesson 05 Cross-entropy and gradients.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.losses`,
:mod:`softmax_lessons.training` or a lesson scene) and returns
its axes; none does maths of its own, so the explorer and the static figures
beside it always agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, LogNorm
from numpy.typing import ArrayLike

from ..scenes.losses import CrossEntropyScene, LossGradientScene
from ..training import DecisionGrid
from .style import COLOURS, MARKERS, OKABE_ITO, new_axes, use_course_style

__all__ = [
    "bigram_heatmap",
    "cross_entropy_panels",
    "decision_regions",
    "gradient_bars",
    "jacobian_heatmap",
    "learned_vs_counted",
    "loss_curve",
    "loss_gradient_panels",
    "loss_vs_true_logit",
    "update_cross_entropy_panels",
    "update_gradient_bars",
    "update_loss_vs_true_logit",
]


def _loss_top(losses: ArrayLike, current: tuple[float, float] | None,
              naive: ArrayLike | None) -> float:
    """Top of the loss axis: 5% above the highest finite loss drawn (1 if none)."""
    drawn = [np.asarray(losses, dtype=float).ravel()]
    if naive is not None:
        drawn.append(np.asarray(naive, dtype=float).ravel())
    if current is not None:
        drawn.append(np.array([current[1]], dtype=float))
    values = np.concatenate(drawn)
    values = values[np.isfinite(values)]
    return 1.05 * float(values.max()) if values.size and values.max() > 0 else 1.0


def loss_vs_true_logit(
    grid: ArrayLike,
    losses: ArrayLike,
    *,
    current: tuple[float, float] | None = None,
    naive: ArrayLike | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """The loss ``-log p_true`` as the true class's logit moves, the others fixed.

    Taught in 05. `current` marks one (logit, loss) point; `naive` adds the
    softmax-then-log curve, dashed, where it is finite. The loss axis runs from 0
    to 5% above the highest loss drawn.

    Examples
    --------
    >>> ax = loss_vs_true_logit([-2.0, 0.0, 2.0], [2.5, 1.0, 0.2], current=(0.0, 1.0))
    >>> ax.get_xlabel(), len(ax.lines)
    ('logit of the true class (no units)', 2)
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    ax.plot(grid, losses, color=OKABE_ITO["blue"], label="fused: -x_true + logsumexp(x)")
    if naive is not None:
        ax.plot(grid, naive, color=OKABE_ITO["vermillion"], linestyle="--",
                label="softmax, then log")
    if current is not None:
        ax.plot(*current, marker="o", markersize=9, color=OKABE_ITO["orange"],
                markeredgecolor="black", linestyle="none",
                label=f"now: loss {current[1]:.3f} nats")
    ax.set_xlabel("logit of the true class (no units)")
    ax.set_ylabel("cross-entropy loss (nats)")
    ax.set_title("confidently wrong costs a lot, confidently right almost nothing")
    ax.set_ylim(0, _loss_top(losses, current, naive))
    ax.legend()
    return ax


def update_loss_vs_true_logit(
    ax: plt.Axes,
    grid: ArrayLike,
    losses: ArrayLike,
    *,
    current: tuple[float, float],
) -> plt.Axes:
    """Move the curve and the marker of a :func:`loss_vs_true_logit` plot to new numbers.

    Taught in 05 (the explorer). `ax` was drawn by :func:`loss_vs_true_logit` with a
    `current` marker and no `naive` curve; afterwards its curve, marker, legend entry
    and loss axis are those a fresh plot of (`grid`, `losses`, `current`) would have.
    No new artist is made, so a slider step only re-renders the figure.

    Examples
    --------
    >>> ax = loss_vs_true_logit([-2.0, 0.0, 2.0], [2.5, 1.0, 0.2], current=(0.0, 1.0))
    >>> ax = update_loss_vs_true_logit(ax, [-2.0, 0.0, 2.0], [3.0, 1.5, 0.5],
    ...                                current=(2.0, 0.5))
    >>> ax.lines[-1].get_xydata().tolist(), ax.get_legend().get_texts()[-1].get_text()
    ([[2.0, 0.5]], 'now: loss 0.500 nats')
    >>> plt.close("all")
    """
    if len(ax.lines) != 2:
        raise ValueError(f"expected a loss curve and its marker, got {len(ax.lines)} lines; "
                         "draw it with loss_vs_true_logit(..., current=...) and no `naive`")
    curve, marker = ax.lines
    curve.set_data(grid, losses)
    marker.set_data([current[0]], [current[1]])
    label = f"now: loss {current[1]:.3f} nats"
    marker.set_label(label)
    ax.get_legend().get_texts()[-1].set_text(label)
    ax.set_ylim(0, _loss_top(losses, current, None))
    return ax


def gradient_bars(
    p: ArrayLike, y: ArrayLike, labels: Sequence[str], *, ax: plt.Axes | None = None
) -> plt.Axes:
    """Three bars per class: the prediction ``p``, the target ``y`` and the gradient ``p - y``.

    Taught in 05. The three series differ by colour and by hatch.

    Examples
    --------
    >>> ax = gradient_bars([0.7, 0.2, 0.1], [0.0, 1.0, 0.0], ["a", "b", "c"])
    >>> [round(float(b.get_height()), 2) for b in ax.patches][-3:]     # the gradient p - y
    [0.7, -0.8, 0.1]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    positions = np.arange(len(labels))
    width = 0.27
    series = [("p (prediction)", p, OKABE_ITO["blue"], ""),
              ("y (target)", y, OKABE_ITO["orange"], "//"),
              ("p - y (gradient)", p - y, OKABE_ITO["green"], "..")]
    for i, (name, values, colour, hatch) in enumerate(series):
        ax.bar(positions + (i - 1) * width, values, width, label=name, color=colour,
               edgecolor="black", hatch=hatch)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(positions, labels)
    ax.set_xlabel("class")
    ax.set_ylabel("probability, or gradient (per nat of loss)")
    ax.set_ylim(-1.05, 1.05)
    ax.set_title("gradient of the loss w.r.t. the logits: p - y")
    ax.legend(loc="lower right", fontsize=9)
    return ax


def update_gradient_bars(ax: plt.Axes, p: ArrayLike, y: ArrayLike) -> plt.Axes:
    """Set the bars of a :func:`gradient_bars` plot to a new ``p`` and ``y`` (and ``p - y``).

    Taught in 05 (the explorer). The classes must be the ones `ax` was drawn with.

    Examples
    --------
    >>> ax = gradient_bars([0.7, 0.2, 0.1], [0.0, 1.0, 0.0], ["a", "b", "c"])
    >>> ax = update_gradient_bars(ax, [0.1, 0.8, 0.1], [0.0, 1.0, 0.0])
    >>> [round(float(b.get_height()), 2) for b in ax.patches][-3:]
    [0.1, -0.2, 0.1]
    >>> plt.close("all")
    """
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    containers = ax.containers[:3]
    for container, values in zip(containers, [p, y, p - y], strict=True):
        if len(container) != values.size:
            raise ValueError(f"the plot has {len(container)} classes, got {values.size} "
                             "values; draw a new gradient_bars plot for a new set of classes")
        for bar, value in zip(container, values, strict=True):
            bar.set_height(value)
    return ax


def _cross_entropy_title(scene: CrossEntropyScene) -> str:
    return f"true class: {scene.labels[scene.label]}; gradient of the loss: p - y"


def cross_entropy_panels(scene: CrossEntropyScene, *, axes: np.ndarray | None = None) -> np.ndarray:
    """The lesson-05 explorer's figure: loss against the true logit, and ``p``, ``y``, ``p - y``.

    Taught in 05. `scene` comes from
    :func:`softmax_lessons.scenes.losses.cross_entropy_scene`.
    """
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    left, right = axes
    loss_vs_true_logit(scene.grid, scene.grid_losses,
                       current=(scene.x[scene.label], scene.loss), ax=left)
    gradient_bars(scene.p, scene.y, scene.labels, ax=right)
    right.set_title(_cross_entropy_title(scene))
    return axes


def update_cross_entropy_panels(axes: np.ndarray, scene: CrossEntropyScene) -> np.ndarray:
    """Show a new `scene` on the two panels drawn by :func:`cross_entropy_panels`.

    Taught in 05: the explorer calls this on every slider step instead of drawing
    a new figure; afterwards the panels carry the numbers a fresh
    ``cross_entropy_panels(scene)`` would draw.
    """
    left, right = axes
    update_loss_vs_true_logit(left, scene.grid, scene.grid_losses,
                              current=(scene.x[scene.label], scene.loss))
    update_gradient_bars(right, scene.p, scene.y)
    right.set_title(_cross_entropy_title(scene))
    return axes


def jacobian_heatmap(
    jac: ArrayLike, labels: Sequence[str], *, ax: plt.Axes | None = None
) -> plt.Axes:
    """The softmax Jacobian as a grid of numbers, coloured by sign and size.

    Taught in 05. Every cell also prints its value, so colour is never the only cue.

    Examples
    --------
    >>> ax = jacobian_heatmap([[0.25, -0.25], [-0.25, 0.25]], ["a", "b"])
    >>> [t.get_text() for t in ax.texts]
    ['0.250', '-0.250', '-0.250', '0.250']
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    jac = np.asarray(jac, dtype=float)
    limit = float(np.abs(jac).max()) or 1.0
    image = ax.imshow(jac, cmap="PuOr_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(jac):
        ax.text(j, i, f"{value:.3f}", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("logit moved, x_j")
    ax.set_ylabel("probability that responds, p_i")
    ax.set_title("softmax Jacobian dp_i/dx_j = diag(p) - p p^T")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="change in p_i per unit of x_j")
    return ax


def loss_curve(
    losses: ArrayLike,
    *,
    best: float | None = None,
    label: str = "training loss",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Loss against gradient step, with an optional dashed line at the best possible loss.

    Taught in 05.

    Examples
    --------
    >>> ax = loss_curve([1.1, 0.6, 0.4], best=0.3)
    >>> ax.get_xlabel(), len(ax.lines)
    ('gradient step', 2)
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    losses = np.asarray(losses, dtype=float)
    ax.plot(np.arange(losses.size), losses, color=OKABE_ITO["blue"], label=label)
    if best is not None:
        ax.axhline(best, color=OKABE_ITO["vermillion"], linestyle="--",
                   label=f"best possible: {best:.3f}")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("mean cross-entropy (nats)")
    ax.set_title("the loss falls as the weights learn")
    ax.set_ylim(bottom=0)
    ax.legend()
    return ax


def decision_regions(
    grid: DecisionGrid,
    features: ArrayLike,
    labels: ArrayLike,
    class_names: Sequence[str],
    *,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Shade the plane by predicted class; draw the data with one marker per class.

    Taught in 05. `grid` comes from :func:`softmax_lessons.training.decision_grid`;
    lighter shading where the model is less sure.

    Examples
    --------
    >>> grid = DecisionGrid(xs=np.array([0.0, 1.0]), ys=np.array([0.0, 1.0]),
    ...                     predicted=np.array([[0, 1], [0, 1]]), confidence=np.full((2, 2), 0.9))
    >>> ax = decision_regions(grid, [[0.1, 0.2], [0.9, 0.8]], [0, 1], ["a", "b"])
    >>> ax.get_legend_handles_labels()[1]
    ['a', 'b']
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    features = np.asarray(features, dtype=float)
    labels = np.asarray(labels)
    n = len(class_names)
    cmap = ListedColormap(COLOURS[:n])
    ax.pcolormesh(grid.xs, grid.ys, grid.predicted, cmap=cmap, vmin=-0.5,
                  vmax=n - 0.5, alpha=0.25, shading="auto")
    ax.contour(grid.xs, grid.ys, grid.confidence, levels=[0.5, 0.9],
               colors="black", linewidths=0.6, linestyles=[":", "-"])
    for c, name in enumerate(class_names):
        points = features[labels == c]
        ax.scatter(points[:, 0], points[:, 1], color=COLOURS[c], marker=MARKERS[c],
                   edgecolor="black", linewidth=0.5, s=28, label=name)
    ax.set_xlabel("feature 1 (no units)")
    ax.set_ylabel("feature 2 (no units)")
    ax.set_title("decision regions (lines: top probability 0.5 dotted, 0.9 solid)")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(False)
    return ax


def learned_vs_counted(
    counted: ArrayLike, learned: ArrayLike, *, ax: plt.Axes | None = None
) -> plt.Axes:
    """Each bigram as a point: the log of its count across, the learned value up.

    Taught in 05. Points on the dashed diagonal are learned exactly. Pass the
    pairs that occur (a count of 0 has log ``-inf``); the learned values come from
    :func:`softmax_lessons.training.learned_log_counts`.

    Examples
    --------
    >>> ax = learned_vs_counted([-1.0, -2.0], [-1.01, -1.98])
    >>> len(ax.collections), len(ax.lines)
    (1, 1)
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    counted, learned = np.asarray(counted, dtype=float), np.asarray(learned, dtype=float)
    low = min(counted.min(), learned.min()) - 0.2
    high = max(counted.max(), learned.max()) + 0.2
    ax.plot([low, high], [low, high], color="black", linestyle="--", linewidth=1,
            label="learned = counted")
    ax.scatter(counted, learned, color=OKABE_ITO["blue"], edgecolor="black", s=30,
               label="one (character, next character) pair")
    ax.set_xlabel("log of the count (counted in the text)")
    ax.set_ylabel("learned: log-softmax of the row + log(row total)")
    ax.set_title("the learned logits become log-counts")
    ax.legend(loc="upper left", fontsize=9)
    return ax


def loss_gradient_panels(
    scene: LossGradientScene, *, axes: np.ndarray | None = None
) -> np.ndarray:
    """Cross-entropy against squared error as the true logit moves: the losses, then their slopes.

    Taught in 05. `scene` comes from
    :func:`softmax_lessons.scenes.losses.loss_gradient_scene`. Left: both losses;
    right: each loss's derivative with respect to the true class's logit. The two
    losses differ by colour and by line style.

    Examples
    --------
    >>> from softmax_lessons.scenes.losses import loss_gradient_scene
    >>> left, right = loss_gradient_panels(loss_gradient_scene())
    >>> right.get_ylabel()
    'd loss / d (true logit)'
    >>> plt.close("all")
    """
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    left, right = axes
    ce_style = {"color": OKABE_ITO["blue"], "linestyle": "-", "label": "cross-entropy"}
    se_style = {"color": OKABE_ITO["vermillion"], "linestyle": "--",
                "label": "squared error on p"}
    left.plot(scene.grid, scene.ce_loss, **ce_style)
    left.plot(scene.grid, scene.se_loss, **se_style)
    left.set_xlabel("logit of the true class (no units)")
    left.set_ylabel("loss (nats; squared error has no units)")
    left.set_title(f"two losses for true class {scene.labels[scene.label]}")
    left.set_ylim(bottom=0)
    left.legend()
    right.plot(scene.grid, scene.ce_grad, **{**ce_style, "label": "cross-entropy: p - 1"})
    right.plot(scene.grid, scene.se_grad, **{**se_style, "label": "squared error"})
    right.axhline(0, color="black", linewidth=0.8)
    right.set_xlabel("logit of the true class (no units)")
    right.set_ylabel("d loss / d (true logit)")
    right.set_title("confidently wrong (left end): only cross-entropy pushes")
    right.set_ylim(-1.1, 0.1)
    right.legend(loc="lower right")
    return axes


def bigram_heatmap(
    counts: ArrayLike,
    alphabet: str,
    *,
    ax: plt.Axes | None = None,
    title: str = "how often each character follows another",
) -> plt.Axes:
    """The bigram count table as a heatmap on a log colour scale; pairs never seen are blank.

    Taught in 05. Row ``i`` is the current character ``alphabet[i]``, column ``j`` the
    next one. Counts span several orders of magnitude, so the colour scale is
    logarithmic (the colour bar gives the counts); a count of 0 has no colour at all.

    Examples
    --------
    >>> ax = bigram_heatmap([[0, 3], [1, 10]], ".a")
    >>> ax.images[0].get_array().mask.tolist()       # the zero count is left blank
    [[True, False], [False, False]]
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['.', 'a']
    >>> plt.close("all")
    """
    counts = np.asarray(counts)
    ax = new_axes(ax, figsize=(6.4, 5.6))
    shown = np.ma.masked_equal(counts, 0)
    image = ax.imshow(shown, cmap="viridis", norm=LogNorm(vmin=1, vmax=max(int(counts.max()), 2)))
    ticks = range(len(alphabet))
    ax.set_xticks(ticks, list(alphabet), fontsize=9)
    ax.set_yticks(ticks, list(alphabet), fontsize=9)
    ax.tick_params(length=0)
    ax.set_xlabel("next character")
    ax.set_ylabel("current character ('.' = start or end)")
    ax.set_title(title)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="count (log scale; blank = never seen)", shrink=0.8)
    return ax
