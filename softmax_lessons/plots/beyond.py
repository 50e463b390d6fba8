"""Figures for lesson 06 Beyond: online and blockwise softmax.

Each function draws numbers it is given (computed by :mod:`softmax_lessons.online`
or a widget's ``*_state`` function) and returns its axes; none does maths of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import ArrayLike

from .style import OKABE_ITO, new_axes, use_course_style

__all__ = [
    "blockwise_panel",
    "memory_passes",
    "online_trace",
    "paired_bars",
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
    top.set_ylabel("logit (no units)")
    top.set_title("online softmax: one pass, a running max and a rescaled running sum")
    top.legend(loc="lower right", fontsize=8)
    bottom.plot(steps, running_total, marker="s", color=OKABE_ITO["green"],
                markeredgecolor="black", label="running sum")
    bottom.set_ylabel("running sum of exp(x - max)")
    bottom.set_xlabel("logits read so far")
    bottom.legend(loc="upper left", fontsize=8)
    return axes


def blockwise_panel(state: dict, *, ax: plt.Axes | None = None) -> plt.Axes:
    """The logits in chunks: merged chunks solid, pending ones hatched, each chunk's max marked.

    Taught in 06. `state` is the dict of
    :func:`softmax_lessons.widgets.beyond.blockwise_state`.
    """
    ax = new_axes(ax, figsize=(8, 3.6))
    x = state["x"]
    positions = np.arange(x.size)
    labelled = set()
    for b, (start, stop) in enumerate(state["blocks"]):
        merged = b in state["merged_blocks"]
        name = "merged chunk" if merged else "chunk not merged yet"
        ax.bar(positions[start:stop], x[start:stop], width=0.85,
               color=OKABE_ITO["blue"] if merged else OKABE_ITO["sky"], edgecolor="black",
               hatch="" if merged else "//", label=None if name in labelled else name)
        labelled.add(name)
        ax.hlines(state["block_max"][b], start - 0.45, stop - 0.55, color="black",
                  linewidth=2.5, label=None if "max" in labelled else "max of each chunk")
        labelled.add("max")
        if b:
            ax.axvline(start - 0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.axhline(0, color="black", linewidth=0.8)
    if state["merged_blocks"]:
        ax.axhline(state["merged_max"], color=OKABE_ITO["vermillion"], linestyle="--",
                   label="max of the merged state")
    ax.set_xlabel("position of the logit")
    ax.set_ylabel("logit (no units)")
    ax.set_title(state["summary"], fontsize=9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, fontsize=8)
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
                        ha="center", va="bottom", fontsize=7)
    ax.set_xticks(positions, labels)
    ax.set_xlabel("class")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
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
