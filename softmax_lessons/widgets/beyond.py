"""Explorer for lesson 06 Beyond: online and blockwise softmax.

Split a row of logits into chunks, then merge the chunks' (max, sum) states one
at a time, in an order you choose. A slider sets the chunk size, another how
many chunks have been merged; the running logsumexp reaches the full one exactly
when the last chunk is merged, whatever the order. What is drawn is decided by
:func:`blockwise_state`, which the tests call without a browser. The figure is
drawn once and updated in place (a :class:`~.common.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..core import logsumexp
from ..online import SoftmaxState, block_states, merge_states
from ..plots.beyond import blockwise_panel, update_blockwise_panel
from ..plots.style import new_axes
from .common import LiveFigure

__all__ = ["BLOCKWISE_LOGITS", "ORDERS", "blockwise_explorer", "blockwise_state"]

# 24 fixed logits of both signs; the largest (4.1) sits in a late chunk, so merging
# left to right shows the running max jump.
BLOCKWISE_LOGITS = (0.2, -1.4, 2.3, 0.9, -2.6, 1.1, 3.4, -0.3, 0.6, -1.8, 1.7, 0.1,
                    -0.9, 2.8, -2.2, 0.4, 1.3, -0.6, 4.1, -1.1, 0.8, -3.0, 1.9, 0.0)
ORDERS = ("left to right", "right to left", "largest max first")


def blockwise_state(
    block_size: int = 6,
    n_merged: int = 2,
    order: str = "left to right",
    x: Sequence[float] = BLOCKWISE_LOGITS,
) -> dict:
    """What the lesson-06 explorer draws: chunks, their states, and the merge so far.

    Taught in 06.

    Parameters
    ----------
    block_size : int
        Logits per chunk.
    n_merged : int
        How many chunks have been merged (clipped to the number of chunks).
    order : {"left to right", "right to left", "largest max first"}
        The order in which chunks are merged.
    x : sequence of float
        The logits.

    Returns
    -------
    dict
        ``x``, ``blocks`` ((start, stop) per chunk), ``block_max``, ``block_total``,
        ``order`` (chunk indices in merge order), ``merged_blocks``,
        ``pending_blocks``, ``merged_max``, ``merged_total``, ``merged_lse``,
        ``full_lse`` and ``summary``.

    Examples
    --------
    >>> state = blockwise_state(block_size=12, n_merged=2)
    >>> len(state["blocks"]), bool(np.isclose(state["merged_lse"], state["full_lse"]))
    (2, True)
    >>> state = blockwise_state(block_size=12, n_merged=1)
    >>> bool(state["merged_lse"] < state["full_lse"])
    True
    """
    x = np.asarray(x, dtype=float)
    states = block_states(x, block_size)
    n_blocks = len(states)
    if order == "left to right":
        sequence = list(range(n_blocks))
    elif order == "right to left":
        sequence = list(range(n_blocks))[::-1]
    elif order == "largest max first":
        sequence = [int(i) for i in np.argsort([-float(s.max) for s in states], kind="stable")]
    else:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    n_merged = int(np.clip(n_merged, 0, n_blocks))
    merged = SoftmaxState(-np.inf, 0.0)
    for b in sequence[:n_merged]:
        merged = merge_states(merged, states[b])
    full = float(logsumexp(x))
    merged_lse = float(merged.logsumexp)
    summary = (f"{n_merged} of {n_blocks} chunks merged ({order}): max {float(merged.max):.2f}, "
               f"sum {float(merged.total):.3f}, logsumexp {merged_lse:.4f} "
               f"(full row: {full:.4f})")
    blocks = [(start, min(start + block_size, x.size)) for start in range(0, x.size, block_size)]
    return {"x": x, "blocks": blocks, "block_max": [float(s.max) for s in states],
            "block_total": [float(s.total) for s in states], "order": sequence,
            "merged_blocks": sequence[:n_merged], "pending_blocks": sequence[n_merged:],
            "merged_max": float(merged.max), "merged_total": float(merged.total),
            "merged_lse": merged_lse, "full_lse": full, "summary": summary}


def blockwise_explorer(x: Sequence[float] = BLOCKWISE_LOGITS) -> widgets.VBox:
    """Sliders for the chunk size and the number of chunks merged, and the merge order.

    Taught in 06. Returns a ``VBox``: the chunk-size slider, the merged slider, the
    order buttons, a line of text, the figure.
    """
    blockwise_state(x=x)  # fail early, with the state's own message
    size = widgets.IntSlider(value=6, min=1, max=len(x), step=1, description="chunk size",
                             continuous_update=True)
    merged = widgets.IntSlider(value=2, min=0, max=len(block_states(x, 6)), step=1,
                               description="merged", continuous_update=True)
    order = widgets.ToggleButtons(options=ORDERS, value=ORDERS[0], description="order")
    summary = widgets.HTML()

    def current_state() -> dict:
        state = blockwise_state(size.value, merged.value, order.value, x)
        summary.value = f"<code>{state['summary']}</code>"
        return state

    ax = new_axes(figsize=(8, 3.6))
    blockwise_panel(current_state(), ax=ax)
    # Drawn once; a step recolours the bars and moves the lines and the title.
    live = LiveFigure(ax.figure, moving=[*ax.patches, *ax.lines, ax.title])

    def update(change=None) -> None:
        live.update(lambda: update_blockwise_panel(ax, current_state()))

    def new_size(change) -> None:
        n_blocks = len(block_states(x, size.value))
        with merged.hold_trait_notifications():
            merged.max = n_blocks
            merged.value = min(merged.value, n_blocks)
        update()

    size.observe(new_size, names="value")
    merged.observe(update, names="value")
    order.observe(update, names="value")
    return widgets.VBox([size, merged, order, summary, live.view])
