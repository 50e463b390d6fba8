"""Explorer for lesson 02 Numerical stability and log-sum-exp.

Naive and stable softmax side by side; an offset slider adds the same constant to
every logit and a dtype selector picks float16, float32 or float64. The naive
column turns to NaN exactly where the measured limits of ``exp`` say it must.
What is drawn is decided by :func:`stability_scene`, which the tests call; the
figure is drawn once and updated in place (a :class:`~.live.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..numerics import DTYPES
from ..plots.numerics import stability_columns, update_stability_columns
from ..plots.style import use_course_style
from ..scenes.numerics import BASE_LOGITS, StabilityScene, stability_scene
from .live import LiveFigure

__all__ = [ "stability_explorer", "stability_scene"]


def _table(scene: StabilityScene) -> str:
    """The two columns as an HTML table: logit, naive probability, stable probability."""
    rows = "".join(
        f"<tr><td>{name}</td><td>{float(v):g}</td><td>{float(n):.4f}</td><td>{float(s):.4f}</td></tr>"
        for name, v, n, s in zip(scene.labels, scene.x, scene.naive_p,
                                 scene.stable_p, strict=True)
    )
    warned = "; ".join(scene.naive_warnings) or "none"
    return ("<table><tr><th>class</th><th>logit</th><th>naive</th><th>stable</th></tr>"
            f"{rows}</table><p><code>{scene.summary}</code><br>"
            f"<code>NumPy warnings from the naive formula: {warned}</code></p>")


def stability_explorer(
    offset: float = 1000.0, dtype: str = "float64", base: Sequence[float] = BASE_LOGITS
) -> widgets.VBox:
    """An offset slider and a dtype selector driving naive and stable softmax side by side.

    Taught in 02. Returns a ``VBox``: the offset slider, the dtype buttons, an
    HTML table of both columns, and the figure.
    """
    stability_scene(offset, dtype, base)  # fail early, with the state's own message
    slider = widgets.FloatSlider(value=float(offset), min=-1000.0, max=1000.0, step=1.0,
                                 description="offset", continuous_update=True,
                                 readout_format=".0f",
                                 layout=widgets.Layout(width="600px"))
    picker = widgets.ToggleButtons(options=list(DTYPES), value=dtype, description="dtype")
    table = widgets.HTML()

    def scene_now() -> dict:
        return stability_scene(slider.value, picker.value, base)

    first = scene_now()
    table.value = _table(first)
    use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
    stability_columns(first, axes=axes)
    # Drawn once; every step below only changes its artists, and only they are redrawn.
    live = LiveFigure(fig, moving="auto")

    def show() -> None:
        scene = scene_now()
        table.value = _table(scene)
        update_stability_columns(axes, scene)

    def update(change=None) -> None:
        live.update(show)

    slider.observe(update, names="value")
    picker.observe(update, names="value")
    return widgets.VBox([slider, picker, table, live.view])
