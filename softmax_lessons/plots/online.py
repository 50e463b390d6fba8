"""Figures for lesson 06 Beyond: online and blockwise softmax.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.online`
or a lesson scene) and returns its axes; none does maths of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch
from numpy.typing import ArrayLike

from ..scenes.online import BlockwiseScene
from .style import OKABE_ITO, new_axes, use_course_style

__all__ = [
    "blockwise_panel",
    "memory_passes",
    "online_trace",
    "paired_bars",
    "update_blockwise_panel",
]


def online_trace(
    x: ArrayLike, running_max: ArrayLike, running_total: ArrayLike,
    *, axes: np.ndarray | None = None,
) -> np.ndarray:
    """Two panels over the pass: the logits with the running max, and the running sum.

    Taught in 06. The sum drops whenever the max jumps: everything seen so far is
    rescaled by ``exp(old max - new max)``.

    Examples
    --------
    >>> axes = online_trace([0.0, 2.0, 1.0], [0.0, 2.0, 2.0], [1.0, 1.14, 1.5])
    >>> [ax.get_ylabel() for ax in axes]
    ['logit (no units)', 'running sum of exp(x - max)']
    >>> plt.close("all")
    """
    if axes is None:
        use_course_style()
        _, axes = plt.subplots(2, 1, figsize=(7, 4.4), sharex=True)
    top, bottom = axes
    steps = np.arange(1, len(x) + 1)
    top.plot(steps, x, marker="o", linestyle="none", color=OKABE_ITO["blue"],
             markeredgecolor="black", label="logit x_i")
    top.step(steps, running_max, where="post", color=OKABE_ITO["vermillion"],
             linestyle="--", label="running max m")
    top.set_ylim(*_padded_limits(x, running_max))
    top.set_ylabel("logit (no units)")
    top.set_title("online softmax: one pass, a running max and a rescaled running sum")
    top.legend(loc="lower right", fontsize=9)
    bottom.plot(steps, running_total, marker="s", color=OKABE_ITO["green"],
                markeredgecolor="black", label="running sum")
    bottom.set_ylabel("running sum of exp(x - max)")
    bottom.set_xlabel("logits read so far")
    bottom.legend(loc="upper left", fontsize=9)
    return axes


def _padded_limits(*values: ArrayLike, pad: float = 0.15) -> tuple[float, float]:
    """Limits around the finite `values` with `pad` of their range free on each side.

    Matplotlib's default margin (5 %) leaves a marker at the extreme pressed against
    the axis edge; 15 % keeps every marker clear of it.
    """
    finite = np.concatenate([np.ravel(v) for v in values]).astype(float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = high - low if high > low else 1.0
    return low - pad * span, high + pad * span


_MERGED = {"color": OKABE_ITO["blue"], "hatch": ""}
_PENDING = {"color": OKABE_ITO["sky"], "hatch": "//"}


def _blockwise_lines(scene: BlockwiseScene) -> dict:
    """Where the chunk maxima, the chunk borders and the merged max go (NaN breaks a line)."""
    blocks = scene.blocks
    maxima_x = [v for start, stop in blocks for v in (start - 0.45, stop - 0.55, np.nan)]
    maxima_y = [v for m in scene.block_max for v in (m, m, np.nan)]
    borders_x = [v for start, _ in blocks[1:] for v in (start - 0.5, start - 0.5, np.nan)]
    borders_y = [v for _ in blocks[1:] for v in (0.0, 1.0, np.nan)]
    merged_y = scene.merged_max if scene.merged_blocks else np.nan
    return {"maxima": (maxima_x, maxima_y), "borders": (borders_x, borders_y),
            "merged": ([0.0, 1.0], [merged_y, merged_y])}


def _style_blockwise_bars(bars, scene: BlockwiseScene) -> None:
    merged = set(scene.merged_blocks)
    for b, (start, stop) in enumerate(scene.blocks):
        look = _MERGED if b in merged else _PENDING
        for bar in bars[start:stop]:
            bar.set_facecolor(look["color"])
            bar.set_hatch(look["hatch"])


def blockwise_panel(scene: BlockwiseScene, *, ax: plt.Axes | None = None) -> plt.Axes:
    """The logits in chunks: merged chunks solid, pending ones hatched, each chunk's max marked.

    Taught in 06. `scene` comes from
    :func:`softmax_lessons.scenes.online.blockwise_scene`. Dotted lines separate the
    chunks; a dashed line marks the max of the merged state once a chunk is merged.
    The legend always lists all four kinds of mark.
    """
    ax = new_axes(ax, figsize=(8, 3.6))
    x = scene.x
    lines = _blockwise_lines(scene)
    bars = ax.bar(np.arange(x.size), x, width=0.85, edgecolor="black")
    _style_blockwise_bars(bars, scene)
    ax.plot(*lines["maxima"], color="black", linewidth=2.5, label="max of each chunk")
    ax.plot(*lines["borders"], color="grey", linewidth=0.8, linestyle=":",
            transform=ax.get_xaxis_transform())
    ax.plot(*lines["merged"], color=OKABE_ITO["vermillion"], linestyle="--",
            transform=ax.get_yaxis_transform(), label="max of the merged state")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlim(-0.6, x.size - 0.4)
    ax.set_xlabel("position of the logit")
    ax.set_ylabel("logit (no units)")
    ax.set_title(scene.summary, fontsize=9)
    maxima, _, merged_max, _ = ax.lines
    handles = [Patch(facecolor=_MERGED["color"], edgecolor="black", label="merged chunk"),
               Patch(facecolor=_PENDING["color"], edgecolor="black", hatch=_PENDING["hatch"],
                     label="chunk not merged yet"),
               maxima, merged_max]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4,
              fontsize=9)
    return ax


def update_blockwise_panel(ax: plt.Axes, scene: BlockwiseScene) -> plt.Axes:
    """Show a new `scene` (same logits) on a panel drawn by :func:`blockwise_panel`.

    Taught in 06: the explorer calls this on every step instead of drawing a new
    figure. Bars change colour and hatch, the chunk maxima, chunk borders and merged
    max move; afterwards the panel carries what a fresh ``blockwise_panel(scene)``
    would draw.

    Examples
    --------
    >>> from softmax_lessons.scenes.online import blockwise_scene
    >>> ax = blockwise_panel(blockwise_scene(block_size=6, n_merged=0))
    >>> ax = update_blockwise_panel(ax, blockwise_scene(block_size=12, n_merged=1))
    >>> [bar.get_hatch() for bar in ax.patches[11:13]]
    ['', '//']
    >>> plt.close("all")
    """
    bars = ax.containers[0]
    if len(bars) != scene.x.size:
        raise ValueError(f"the panel shows {len(bars)} logits, the state has "
                         f"{scene.x.size}; draw a new blockwise_panel for other logits")
    _style_blockwise_bars(bars, scene)
    lines = _blockwise_lines(scene)
    maxima, borders, merged_max, _ = ax.lines
    maxima.set_data(*lines["maxima"])
    borders.set_data(*lines["borders"])
    merged_max.set_data(*lines["merged"])
    ax.set_title(scene.summary, fontsize=9)
    return ax


def paired_bars(
    first: ArrayLike, second: ArrayLike, labels: Sequence[str],
    *, names: tuple[str, str], title: str, ylabel: str = "probability",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Two bars per class (colour and hatch differ), values printed on top.

    Taught in 06: Gumbel-max counts against softmax, sparsemax against softmax.

    Examples
    --------
    >>> ax = paired_bars([0.6, 0.4], [0.5, 0.5], ["a", "b"], names=("x", "y"), title="t")
    >>> [t.get_text() for t in ax.texts]
    ['0.600', '0.400', '0.500', '0.500']
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    positions = np.arange(len(labels))
    width = 0.4
    for i, (values, name, colour, hatch) in enumerate(
            [(first, names[0], OKABE_ITO["blue"], ""),
             (second, names[1], OKABE_ITO["orange"], "//")]):
        values = np.asarray(values, dtype=float)
        bars = ax.bar(positions + (i - 0.5) * width, values, width, label=name, color=colour,
                      edgecolor="black", hatch=hatch)
        for bar, value in zip(bars, values, strict=True):
            ax.annotate(f"{value:.3f}", (bar.get_x() + bar.get_width() / 2, value),
                        ha="center", va="bottom", fontsize=9)
    ax.set_xticks(positions, labels)
    ax.set_xlabel("class")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=9)
    return ax


def memory_passes(
    names: Sequence[str], reads: Sequence[int], writes: Sequence[int],
    *, ax: plt.Axes | None = None,
) -> plt.Axes:
    """Horizontal stacked bars: full-size reads and writes each method makes.

    Taught in 06.

    Examples
    --------
    >>> ax = memory_passes(["a", "b"], [3, 2], [1, 1])
    >>> [round(b.get_width()) for b in ax.patches]
    [3, 2, 1, 1]
    >>> plt.close("all")
    """
    ax = new_axes(ax, figsize=(7, 3))
    positions = np.arange(len(names))
    reads, writes = np.asarray(reads), np.asarray(writes)
    ax.barh(positions, reads, color=OKABE_ITO["blue"], edgecolor="black", label="reads")
    ax.barh(positions, writes, left=reads, color=OKABE_ITO["orange"], edgecolor="black",
            hatch="//", label="writes")
    for pos, total in zip(positions, reads + writes, strict=True):
        ax.annotate(f"{total}", (total, pos), xytext=(4, 0), textcoords="offset points",
                    va="center")
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_xlabel("passes over memory (arrays the size of the logits)")
    ax.set_title("memory traffic of one softmax")
    ax.legend(loc="lower right")
    return ax
