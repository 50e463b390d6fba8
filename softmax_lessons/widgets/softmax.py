"""Explorer for lesson 01 Definition: from scores to probabilities.

One slider per logit of five named classes; the bar chart of the probabilities,
the argmax, the entropy in bits and the sum follow every move. What is drawn is
decided by :func:`definition_scene`, which the tests call without a browser; the
figure is drawn once and updated in place (a :class:`~.live.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ..plots.softmax import explorer_bars, update_explorer_bars
from ..plots.style import new_axes
from ..scenes.softmax import CLASSES, DEFAULT_LOGITS, definition_scene
from .live import LiveFigure

__all__ = [ "definition_explorer", "definition_scene"]


def definition_explorer(
    x: Sequence[float] = DEFAULT_LOGITS, labels: Sequence[str] = CLASSES
) -> widgets.VBox:
    """One slider per logit; the bar chart, argmax, entropy (bits) and sum follow.

    Taught in 01. Returns a ``VBox`` whose first children are the sliders (in
    class order), then a line of text, then the figure.
    """
    definition_scene(x, labels)  # fail early, with the state's own message
    sliders = [
        widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1, description=name,
                            continuous_update=True, readout_format=".1f")
        for v, name in zip(x, labels, strict=True)
    ]
    summary = widgets.HTML()

    def scene_now() -> dict:
        return definition_scene([s.value for s in sliders], labels)

    first = scene_now()
    summary.value = f"<code>{first.summary}</code>"
    ax = explorer_bars(first, ax=new_axes(figsize=(6.4, 3.2)))
    # Drawn once; every step below only changes its artists, and only they are redrawn.
    live = LiveFigure(ax.figure, moving="auto")

    def show() -> None:
        scene = scene_now()
        summary.value = f"<code>{scene.summary}</code>"
        update_explorer_bars(ax, scene)

    def update(change=None) -> None:
        live.update(show)

    for slider in sliders:
        slider.observe(update, names="value")
    return widgets.VBox([*sliders, summary, live.view])
