"""Explorer for lesson 02 Numerical stability and log-sum-exp.

Naive and stable softmax side by side; an offset slider adds the same constant to
every logit and a dtype selector picks float16, float32 or float64. The naive
column turns to NaN exactly where the measured limits of ``exp`` say it must.
What is drawn is decided by :func:`stability_scene`, which the tests call; the
figure is laid out once and redrawn at every step (a :class:`~.live.LiveFigure`), and a line
of text says what the naive formula did.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..numerics import DTYPES
from ..plots.numerics import stability_columns
from ..plots.style import use_course_style
from ..scenes.numerics import BASE_LOGITS, StabilityScene, stability_scene
from .live import Explorer, LiveFigure, control_layout, line_html, toggle_buttons

__all__ = [ "stability_explorer", "stability_scene"]

# The offsets a static page steps through: both edges of float64's exp are crossed.
SWEEP_OFFSETS = tuple(range(-1000, 1001, 100))


def _line(scene: StabilityScene) -> str:
    """What the naive formula did, and the limit of exp that explains it.

    The panels' titles already name the dtype and the offset, and the bars show
    every probability.
    """
    status = scene.naive_status.removeprefix("NaN: ")
    if status == "ok":
        return (f"naive and stable agree ({scene.dtype}: exp is finite and non-zero "
                f"from {scene.underflow:.4g} to {scene.overflow:.4g})")
    if "underflow" in status:
        limit = f"exp underflows below {scene.underflow:.4g}"
    else:
        limit = f"exp overflows above {scene.overflow:.4g}"
    return f"naive: {status} ({scene.dtype}: {limit})"


def stability_explorer(
    offset: float = 1000.0, dtype: str = "float64", base: Sequence[float] = BASE_LOGITS
) -> Explorer:
    """An offset slider and a dtype selector driving naive and stable softmax side by side.

    Taught in 02. Returns an :class:`~.live.Explorer` (a ``VBox``): the offset
    slider, the dtype buttons, a line of text, and the figure. The offset moves in
    steps of 20, so every step of the slider is a few pixels long and one arrow key
    press; a static page steps through it at float64.
    """
    stability_scene(offset, dtype, base)  # fail early, with the state's own message
    slider = widgets.FloatSlider(value=float(offset), min=-1000.0, max=1000.0, step=20.0,
                                 description="offset", continuous_update=True,
                                 readout_format=".0f", layout=control_layout())
    picker = toggle_buttons(options=list(DTYPES), value=dtype, description="dtype")
    summary = widgets.HTML()

    def scene_now() -> StabilityScene:
        return stability_scene(slider.value, picker.value, base)

    first = scene_now()
    summary.value = line_html(_line(first))
    use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
    stability_columns(first, axes=axes)
    # Laid out once; every step draws the columns again over the saved axes (live.redraw).
    live = LiveFigure(fig, moving="auto")

    def show() -> None:
        scene = scene_now()
        summary.value = line_html(_line(scene))
        stability_columns(scene, axes=axes)

    def update(change=None) -> None:
        live.redraw(show)

    slider.observe(update, names="value")
    picker.observe(update, names="value")
    return Explorer([slider, picker], summary, live, name="stability_explorer",
                    arguments={"offset": offset, "dtype": dtype, "base": list(base)},
                    sweep=slider, sweep_values=[float(v) for v in SWEEP_OFFSETS])
