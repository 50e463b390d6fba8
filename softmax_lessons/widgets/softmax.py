"""Explorer for lesson 01 Definition: from scores to probabilities.

One slider per logit of five named classes; the bar chart of the probabilities,
the argmax, the entropy in bits and the sum follow every move, and a line of text
gives the ratio of the two largest probabilities, exp of their logits' gap. What is
drawn is decided by :func:`definition_scene`, which the tests call without a browser;
the figure is drawn once and redrawn on the same axes at every step (a
:class:`~.live.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..plots.softmax import explorer_bars
from ..plots.style import new_axes
from ..scenes.softmax import CLASSES, DEFAULT_LOGITS, DefinitionScene, definition_scene
from .live import Explorer, LiveFigure, control_layout, line_html

__all__ = [ "definition_explorer", "definition_scene"]


def _line(scene: DefinitionScene) -> str:
    """The ratio of the two largest probabilities, read as exp of the logits' gap.

    The chart's title already gives the argmax, the entropy and the sum.
    """
    first, second = np.argsort(-scene.p, kind="stable")[:2]
    high, low = float(scene.x[first]), float(scene.x[second])
    difference = f"{high:.1f} - {low:.1f}" if low >= 0 else f"{high:.1f} + {-low:.1f}"
    a, b = scene.labels[first], scene.labels[second]
    return (f"p({a}) / p({b}) = exp({difference}) = exp({high - low:.1f}) "
            f"= {float(scene.p[first] / scene.p[second]):.2f}")


def definition_explorer(
    x: Sequence[float] = DEFAULT_LOGITS, labels: Sequence[str] = CLASSES
) -> Explorer:
    """One slider per logit; the bar chart, argmax, entropy (bits) and sum follow.

    Taught in 01. Returns an :class:`~.live.Explorer` (a ``VBox``) whose first
    children are the sliders (in class order), then a line of text, then the figure.
    Five sliders of equal weight: a static page shows its starting setting.
    """
    definition_scene(x, labels)  # fail early, with the state's own message
    sliders = [
        widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1, description=name,
                            continuous_update=True, readout_format=".1f",
                            layout=control_layout())
        for v, name in zip(x, labels, strict=True)
    ]
    summary = widgets.HTML()

    def scene_now() -> DefinitionScene:
        return definition_scene([s.value for s in sliders], labels)

    first = scene_now()
    summary.value = line_html(_line(first))
    ax = explorer_bars(first, ax=new_axes(figsize=(6.4, 3.2)))
    # Laid out once; every step draws the bars again over the saved axes (live.redraw).
    live = LiveFigure(ax.figure, moving="auto")

    def show() -> None:
        scene = scene_now()
        summary.value = line_html(_line(scene))
        explorer_bars(scene, ax=ax)

    def update(change=None) -> None:
        live.redraw(show)

    for slider in sliders:
        slider.observe(update, names="value")
    return Explorer(sliders, summary, live, name="definition_explorer",
                    arguments={"x": list(x), "labels": list(labels)})
