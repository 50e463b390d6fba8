"""Explorers for lesson 03 Temperature, sampling and calibration.

Two explorers, each a function callable with no arguments (the lesson's example):

- :func:`temperature_explorer`: a temperature slider driving the bars of
  ``softmax(x / T)``, the entropy in bits and as a fraction of its maximum, and a
  marker moving along the entropy-against-T curve;
- :func:`sampling_playground`: temperature, top-k, top-p and the number of draws;
  counts of seeded draws against the probabilities they were drawn with.

What they draw is decided by the pure functions :func:`temperature_scene` and
:func:`sampling_scene`, which the tests call without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ..plots.sampling import (
    sampling_figure,
    sampling_figure_moving,
    temperature_figure,
    temperature_figure_moving,
    update_sampling_figure,
    update_temperature_figure,
)
from ..sampling import (
    EXAMPLE_LOGITS,
    EXAMPLE_VOCAB,
)
from ..scenes.sampling import sampling_scene, temperature_scene
from .live import LiveFigure

__all__ = [
    "sampling_playground",
    "temperature_explorer",
]


def temperature_explorer(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS), labels: Sequence[str] = EXAMPLE_VOCAB
) -> widgets.VBox:
    """A temperature slider (log scale, 0.05 to 20); bars, entropy and the curve marker follow.

    Taught in 03. Returns a ``VBox``: the slider, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.live.LiveFigure` view: drawn once, then
    updated in place on every slider step).
    """
    first = temperature_scene(x, 1.0, labels)  # fails early, with the state's own message
    slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1.3, max=1.3, step=0.02,
                                    description="T", readout_format=".2f",
                                    continuous_update=True)
    summary = widgets.HTML(f"<code>{first.summary}</code>")
    fig = temperature_figure(first)
    live = LiveFigure(fig, moving=temperature_figure_moving(fig))

    def draw() -> None:
        scene = temperature_scene(x, slider.value, labels)
        summary.value = f"<code>{scene.summary}</code>"
        update_temperature_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    slider.observe(update, names="value")
    return widgets.VBox([slider, summary, live.view])


def sampling_playground(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    labels: Sequence[str] = EXAMPLE_VOCAB,
    seed: int = 0,
) -> widgets.VBox:
    """Sliders for T, top-k, top-p and the number of draws; counts follow.

    Taught in 03. top-k at the vocabulary size and top-p at 1 switch the filters
    off. Returns a ``VBox``: the four sliders, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.live.LiveFigure` view, updated in place).
    """
    n = len(labels)
    temperature = widgets.FloatLogSlider(value=1.0, base=10, min=-1.3, max=1.3, step=0.02,
                                         description="T", readout_format=".2f")
    top_k = widgets.IntSlider(value=n, min=1, max=n, step=1, description="top-k")
    top_p = widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="top-p",
                                readout_format=".2f")
    n_draws = widgets.IntSlider(value=1000, min=10, max=10_000, step=10, description="draws")
    sliders = [temperature, top_k, top_p, n_draws]

    def current() -> dict:
        return sampling_scene(x, temperature.value, top_k.value, top_p.value, n_draws.value,
                              seed, labels)

    first = current()  # fails early, with the state's own message
    summary = widgets.HTML(f"<code>{first.summary}</code>")
    fig = sampling_figure(first)
    live = LiveFigure(fig, moving=sampling_figure_moving(fig))

    def draw() -> None:
        scene = current()
        summary.value = f"<code>{scene.summary}</code>"
        update_sampling_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    for slider in sliders:
        slider.observe(update, names="value")
    return widgets.VBox([*sliders, summary, live.view])
