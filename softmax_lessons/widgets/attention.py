"""Explorers for lesson 04 Attention and masking.

Two explorers, each a function callable with no arguments (the lesson's example):

- :func:`attention_explorer`: the attention weights of a short token sequence as a
  heatmap, with causal and padding toggles and a slider that scales the scores;
- :func:`saturation_explorer`: a slider for the key dimension d, showing one row of
  weights and the mean entropy with and without the 1/sqrt(d) factor.

What they draw is decided by the pure functions :func:`attention_scene` and
:func:`saturation_scene`, which the tests call without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..plots.attention import (
    attention_figure,
    attention_figure_moving,
    saturation_figure,
    saturation_figure_moving,
    update_attention_figure,
    update_saturation_figure,
)
from ..scenes.attention import SATURATION_DIMS, attention_scene, saturation_scene
from .live import LiveFigure

__all__ = [
    "attention_explorer",
    "saturation_explorer",
]


def attention_explorer() -> widgets.VBox:
    """Causal and padding toggles and a score-scale slider; the heatmap follows.

    Taught in 04. Returns a ``VBox``: the two checkboxes, the slider, a line of
    text, the figure (a :class:`~softmax_lessons.widgets.live.LiveFigure` view:
    drawn once, then updated in place whenever a control changes).
    """
    causal = widgets.Checkbox(value=True, description="causal mask")
    padding = widgets.Checkbox(value=True, description="padding mask")
    scale = widgets.FloatSlider(value=1.0, min=0.0, max=4.0, step=0.1,
                                description="scale x", readout_format=".1f")
    first = attention_scene(causal.value, padding.value, scale.value)
    summary = widgets.HTML(f"<code>{first.summary}</code>")
    fig = attention_figure(first)
    live = LiveFigure(fig, moving=attention_figure_moving(fig))

    def draw() -> None:
        scene = attention_scene(causal.value, padding.value, scale.value)
        summary.value = f"<code>{scene.summary}</code>"
        update_attention_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    for control in (causal, padding, scale):
        control.observe(update, names="value")
    return widgets.VBox([causal, padding, scale, summary, live.view])


def saturation_explorer() -> widgets.VBox:
    """A slider for the key dimension d (1 to 512); the row of weights and the curves follow.

    Taught in 04. Returns a ``VBox``: the slider, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.live.LiveFigure` view, updated in place).
    """
    d = widgets.IntSlider(value=64, min=1, max=SATURATION_DIMS[-1], step=1, description="d")
    first = saturation_scene(d.value)
    summary = widgets.HTML(f"<code>{first.summary}</code>")
    fig = saturation_figure(first)
    live = LiveFigure(fig, moving=saturation_figure_moving(fig))

    def draw() -> None:
        scene = saturation_scene(d.value)
        summary.value = f"<code>{scene.summary}</code>"
        update_saturation_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    d.observe(update, names="value")
    return widgets.VBox([d, summary, live.view])
