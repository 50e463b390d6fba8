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
import numpy as np

from ..plots.sampling import (
    sampling_figure,
    sampling_figure_moving,
    temperature_figure,
    temperature_figure_moving,
    update_sampling_figure,
    update_temperature_figure,
)
from ..scenes.sampling import (
    EXAMPLE_LOGITS,
    EXAMPLE_VOCAB,
    SamplingScene,
    TemperatureScene,
    sampling_scene,
    temperature_scene,
)
from .live import Explorer, LiveFigure, control_layout, line_html

__all__ = [
    "DRAW_COUNTS",
    "TEMPERATURES",
    "sampling_playground",
    "temperature_explorer",
]

# The temperature slider's positions: 0.05 to 20, evenly spaced on a log scale (a factor
# of 10**0.05, about 1.12, per step) and 1 among them. A slider over a list of values
# moves with the arrow keys like any other (a log-scale slider does not, in Chromium).
TEMPERATURES = tuple(float(10.0 ** (k / 20)) for k in range(-26, 27))
# The number of draws, in steps of 1, 2, 5: each step changes the picture.
DRAW_COUNTS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)


def _temperature_slider(value: float = 1.0) -> widgets.SelectionSlider:
    options = [(f"{t:.3g}", t) for t in TEMPERATURES]
    nearest = min(TEMPERATURES, key=lambda t: abs(np.log(t / value)))
    return widgets.SelectionSlider(options=options, value=nearest, description="T",
                                   continuous_update=True, layout=control_layout())


def _temperature_line(scene: TemperatureScene, x: np.ndarray) -> str:
    """The ratio of the two most likely tokens, exp of their logits' gap over T.

    The bars' title already gives T, the entropy and H / Hmax.
    """
    first, second = np.argsort(-x, kind="stable")[:2]
    a, b = scene.labels[first], scene.labels[second]
    ratio = float(scene.p[first] / scene.p[second])
    return (f"p({a}) / p({b}) = exp(({x[first]:g} - {x[second]:g}) / T) "
            f"= exp({(x[first] - x[second]) / scene.temperature:.3g}) = {ratio:.3g}")


def _sampling_line(scene: SamplingScene) -> str:
    """Which tokens the filters keep, and how far the counts are from the probabilities.

    The chart's title already gives the number of draws and the three settings.
    """
    kept = [name for name, keep in zip(scene.labels, scene.kept, strict=True) if keep]
    return (f"kept {len(kept)} of {len(scene.labels)}: {', '.join(kept)}; "
            f"largest |frequency - p| = {scene.max_gap:.3f}")


def temperature_explorer(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS), labels: Sequence[str] = EXAMPLE_VOCAB
) -> Explorer:
    """A temperature slider (0.05 to 20, log-spaced); bars, entropy and the curve marker follow.

    Taught in 03. Returns an :class:`~.live.Explorer` (a ``VBox``): the slider, a
    line of text, the figure (a :class:`~softmax_lessons.widgets.live.LiveFigure`
    view: drawn once, then updated in place on every slider step). A static page
    plays it as frames along T.
    """
    first = temperature_scene(x, 1.0, labels)  # fails early, with the state's own message
    logits = np.asarray(x, dtype=float)
    slider = _temperature_slider(1.0)
    summary = widgets.HTML(line_html(_temperature_line(first, logits)))
    fig = temperature_figure(first)
    live = LiveFigure(fig, moving=temperature_figure_moving(fig))

    def draw() -> None:
        scene = temperature_scene(x, slider.value, labels)
        summary.value = line_html(_temperature_line(scene, logits))
        update_temperature_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    slider.observe(update, names="value")
    return Explorer([slider], summary, live, name="temperature_explorer",
                    arguments={"x": list(x), "labels": list(labels)}, sweep=slider)


def sampling_playground(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    labels: Sequence[str] = EXAMPLE_VOCAB,
    seed: int = 0,
) -> Explorer:
    """Sliders for T, top-k, top-p and the number of draws; counts follow.

    Taught in 03. top-k at the vocabulary size and top-p at 1 switch the filters
    off. Returns an :class:`~.live.Explorer` (a ``VBox``): the four sliders, a line
    of text, the figure (a :class:`~softmax_lessons.widgets.live.LiveFigure` view,
    updated in place). Four sliders of equal weight: a static page shows its
    starting setting.
    """
    n = len(labels)
    temperature = _temperature_slider(1.0)
    top_k = widgets.IntSlider(value=n, min=1, max=n, step=1, description="top-k",
                              layout=control_layout())
    top_p = widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="top-p",
                                readout_format=".2f", layout=control_layout())
    n_draws = widgets.SelectionSlider(options=DRAW_COUNTS, value=1000, description="draws",
                                      layout=control_layout())
    sliders = [temperature, top_k, top_p, n_draws]

    def current() -> SamplingScene:
        return sampling_scene(x, temperature.value, top_k.value, top_p.value, n_draws.value,
                              seed, labels)

    first = current()  # fails early, with the state's own message
    summary = widgets.HTML(line_html(_sampling_line(first)))
    fig = sampling_figure(first)
    live = LiveFigure(fig, moving=sampling_figure_moving(fig))

    def draw() -> None:
        scene = current()
        summary.value = line_html(_sampling_line(scene))
        update_sampling_figure(live.fig, scene)

    def update(change=None) -> None:
        live.update(draw)

    for slider in sliders:
        slider.observe(update, names="value")
    return Explorer(sliders, summary, live, name="sampling_playground",
                    arguments={"x": list(x), "labels": list(labels), "seed": seed})
