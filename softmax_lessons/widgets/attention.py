"""Explorers for lesson 04 Attention and masking.

Two explorers, each a function callable with no arguments (the lesson's example):

- :func:`attention_explorer`: the weights of the lesson's pronoun head over its sentence
  ("it" looks at "cat"), padded with one ``<pad>``, as a heatmap, with causal and padding
  toggles and a slider that scales the scores;
- :func:`saturation_explorer`: a slider for the key dimension d, showing one row of
  weights and the mean entropy with and without the 1/sqrt(d) factor.

What they draw is decided by the pure functions :func:`attention_scene` and
:func:`saturation_scene`, which the tests call without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..plots.attention import (
    attention_figure,
    attention_figure_moving,
    saturation_figure,
    saturation_figure_moving,
    update_attention_figure,
    update_saturation_figure,
)
from ..scenes.attention import (
    SATURATION_DIMS,
    AttentionScene,
    SaturationScene,
    attention_scene,
    saturation_scene,
)
from .live import Explorer, LiveFigure, control_layout, line_html

__all__ = [
    "attention_explorer",
    "saturation_explorer",
]


def _attention_line(scene: AttentionScene) -> str:
    """How much is masked, that every row still sums to 1, and how spread the rows are.

    The heatmap's title already names the masks and the scale.
    """
    n = len(scene.tokens)
    worst = float(np.max(np.abs(np.asarray(scene.row_sums) - 1.0)))
    sums = "every row sums to 1" if worst < 1e-9 else f"row sums off by up to {worst:.2g}"
    return (f"{scene.n_masked} of {n * n} cells masked; {sums}; "
            f"mean row entropy {float(np.mean(scene.row_entropy)):.2f} bits")


def _saturation_line(scene: SaturationScene) -> str:
    """The mean entropy and this row's largest weight, with and without 1/sqrt(d).

    The left panel's title already gives d.
    """
    return (f"mean entropy {scene.mean_entropy_scaled:.2f} bits with 1/sqrt(d), "
            f"{scene.mean_entropy_unscaled:.2f} without; largest weight "
            f"{float(np.max(scene.weights_scaled)):.2f} vs "
            f"{float(np.max(scene.weights_unscaled)):.2f}")


def attention_explorer() -> Explorer:
    """Causal and padding toggles and a score-scale slider; the heatmap follows.

    Taught in 04. Returns an :class:`~.live.Explorer` (a ``VBox``): the two
    checkboxes, the slider, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.live.LiveFigure` view: drawn once, then updated
    in place whenever a control changes). A static page plays it along the scale,
    with both masks on.
    """
    causal = widgets.Checkbox(value=True, description="causal mask")
    padding = widgets.Checkbox(value=True, description="padding mask")
    scale = widgets.FloatSlider(value=1.0, min=0.0, max=4.0, step=0.1,
                                description="scale x", readout_format=".1f",
                                layout=control_layout())
    first = attention_scene(causal.value, padding.value, scale.value)
    summary = widgets.HTML(line_html(_attention_line(first)))
    fig = attention_figure(first)
    live = LiveFigure(fig, moving=attention_figure_moving(fig))

    def draw() -> None:
        scene = attention_scene(causal.value, padding.value, scale.value)
        summary.value = line_html(_attention_line(scene))
        update_attention_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    for control in (causal, padding, scale):
        control.observe(update, names="value")
    return Explorer([causal, padding, scale], summary, live, name="attention_explorer",
                    sweep=scale)


def saturation_explorer() -> Explorer:
    """A slider for the key dimension d (1, 2, 4, ..., 512); the row of weights and curves follow.

    Taught in 04. Returns an :class:`~.live.Explorer` (a ``VBox``): the slider, a
    line of text, the figure (a :class:`~softmax_lessons.widgets.live.LiveFigure`
    view, updated in place). The slider steps through the dimensions of the
    entropy curves, powers of two, so each step is one arrow key press.
    """
    d = widgets.SelectionSlider(options=SATURATION_DIMS, value=64, description="d",
                                layout=control_layout())
    first = saturation_scene(d.value)
    summary = widgets.HTML(line_html(_saturation_line(first)))
    fig = saturation_figure(first)
    live = LiveFigure(fig, moving=saturation_figure_moving(fig))

    def draw() -> None:
        scene = saturation_scene(d.value)
        summary.value = line_html(_saturation_line(scene))
        update_saturation_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    d.observe(update, names="value")
    return Explorer([d], summary, live, name="saturation_explorer", sweep=d)
