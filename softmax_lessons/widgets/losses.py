"""Explorer for lesson 05 Cross-entropy and gradients.

One slider moves the logit of the true class while the other logits stay put;
buttons pick which class is the true one. The loss curve with a marker and
the bars of ``p``, ``y`` and the gradient ``p - y`` follow every move. What is
drawn is decided by :func:`cross_entropy_scene`, which the tests call without a browser.
The figure is drawn once and updated in place (a :class:`~.live.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..plots.losses import cross_entropy_panels, update_cross_entropy_panels
from ..plots.style import use_course_style
from ..scenes.losses import CE_CLASSES, CE_LOGITS, CrossEntropyScene, cross_entropy_scene
from .live import Explorer, LiveFigure, control_layout, line_html, toggle_buttons

__all__ = [ "cross_entropy_explorer", "cross_entropy_scene"]

# The logits of the true class a static page steps through.
SWEEP_LOGITS = tuple(float(v) for v in np.arange(-8.0, 8.01, 0.5))


def _line(scene: CrossEntropyScene) -> str:
    """The true class's probability, its loss and the gradient on its logit.

    The bar panel's title already names the true class.
    """
    k = scene.label
    return (f"p({scene.labels[k]}) = {float(scene.p[k]):.3f}; loss = -log p = {scene.loss:.3f} "
            f"nats; gradient on its logit: p - 1 = {float(scene.grad[k]):.3f}")


def cross_entropy_explorer(
    x: Sequence[float] = CE_LOGITS, labels: Sequence[str] = CE_CLASSES
) -> Explorer:
    """A slider for the true class's logit and buttons that pick the true class.

    Taught in 05. Returns an :class:`~.live.Explorer` (a ``VBox``): the class buttons,
    the slider, a line of text, the figure. A static page plays it along the true
    class's logit, for the first class.
    """
    cross_entropy_scene(x[0], 0, x, labels)  # fail early, with the state's own message
    # Buttons, not a dropdown: in JupyterLab the arrow keys on a focused dropdown move
    # to the next cell instead, so only buttons (Tab, then Space) work from the keyboard.
    choose = toggle_buttons(options=[(name, i) for i, name in enumerate(labels)],
                            value=0, description="true class")
    slider = widgets.FloatSlider(value=float(x[0]), min=-8.0, max=8.0, step=0.25,
                                 description="its logit", continuous_update=True,
                                 readout_format=".2f", layout=control_layout())
    summary = widgets.HTML()

    def scene_now() -> CrossEntropyScene:
        scene = cross_entropy_scene(slider.value, choose.value, x, labels)
        summary.value = line_html(_line(scene))
        return scene

    use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    cross_entropy_panels(scene_now(), axes=axes)
    left, right = axes
    # Drawn once; a step moves the curve, the marker, its legend entry, the bars and a title.
    live = LiveFigure(fig, moving=[*left.lines, left.get_legend(), *right.patches,
                                    *right.lines, right.title])

    def update(change=None) -> None:
        live.update(lambda: update_cross_entropy_panels(axes, scene_now()))

    def new_class(change) -> None:
        before = slider.value
        slider.value = float(x[choose.value])   # start from that class's own logit
        if slider.value == before:   # otherwise the slider's own observer has updated
            update()

    choose.observe(new_class, names="value")
    slider.observe(update, names="value")
    return Explorer([choose, slider], summary, live, name="cross_entropy_explorer",
                    arguments={"x": list(x), "labels": list(labels)},
                    sweep=slider, sweep_values=SWEEP_LOGITS)
