"""Explorer for lesson 06 Beyond: online and blockwise softmax.

Split a row of logits into chunks, then merge the chunks' (max, sum) states one
at a time, in an order you choose. A slider sets the chunk size, another how
many chunks have been merged; the running logsumexp reaches the full one exactly
when the last chunk is merged, whatever the order. What is drawn is decided by
:func:`blockwise_scene`, which the tests call without a browser. The figure is
drawn once and updated in place (a :class:`~.live.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ..online import block_states
from ..plots.online import blockwise_panel, update_blockwise_panel
from ..plots.style import new_axes
from ..scenes.online import BLOCKWISE_LOGITS, ORDERS, BlockwiseScene, blockwise_scene
from .live import Explorer, LiveFigure, control_layout, line_html, toggle_buttons

__all__ = [ "blockwise_explorer", "blockwise_scene"]


def _chunks(indices: Sequence[int]) -> str:
    """Chunk numbers counted from 1, shortened in the middle when there are many."""
    numbers = [str(i + 1) for i in indices]
    if len(numbers) > 8:
        numbers = [*numbers[:3], "...", *numbers[-2:]]
    return ", ".join(numbers) or "none"


def _line(scene: BlockwiseScene) -> str:
    """The merge order, and which chunks are merged so far (the others are hatched).

    The chart's title already gives the merged state and the full row's logsumexp.
    """
    return f"merge order: {_chunks(scene.order)}; merged so far: {_chunks(scene.merged_blocks)}"


def blockwise_explorer(x: Sequence[float] = BLOCKWISE_LOGITS) -> Explorer:
    """Sliders for the chunk size and the number of chunks merged, and the merge order.

    Taught in 06. Returns an :class:`~.live.Explorer` (a ``VBox``): the chunk-size
    slider, the merged slider, the order buttons, a line of text, the figure. A
    static page steps through the merges, one chunk at a time.
    """
    blockwise_scene(x=x)  # fail early, with the state's own message
    size = widgets.IntSlider(value=6, min=1, max=len(x), step=1, description="chunk size",
                             continuous_update=True, layout=control_layout())
    merged = widgets.IntSlider(value=2, min=0, max=len(block_states(x, 6)), step=1,
                               description="merged", continuous_update=True,
                               layout=control_layout())
    order = toggle_buttons(options=ORDERS, value=ORDERS[0], description="order")
    summary = widgets.HTML()

    def scene_now() -> BlockwiseScene:
        scene = blockwise_scene(size.value, merged.value, order.value, x)
        summary.value = line_html(_line(scene))
        return scene

    ax = new_axes(figsize=(8, 3.6))
    blockwise_panel(scene_now(), ax=ax)
    # Drawn once; a step recolours the bars and moves the lines and the title.
    live = LiveFigure(ax.figure, moving=[*ax.patches, *ax.lines, ax.title])

    def update(change=None) -> None:
        live.update(lambda: update_blockwise_panel(ax, scene_now()))

    def new_size(change) -> None:
        n_blocks = len(block_states(x, size.value))
        with merged.hold_trait_notifications():
            merged.max = n_blocks
            merged.value = min(merged.value, n_blocks)
        update()

    size.observe(new_size, names="value")
    merged.observe(update, names="value")
    order.observe(update, names="value")
    return Explorer([size, merged, order], summary, live, name="blockwise_explorer",
                    arguments={"x": list(x)}, sweep=merged)
