"""Explorer for lesson 05 Cross-entropy and gradients.

One slider moves the logit of the true class while the other logits stay put;
a dropdown picks which class is the true one. The loss curve with a marker and
the bars of ``p``, ``y`` and the gradient ``p - y`` follow every move. What is
drawn is decided by :func:`cross_entropy_state`, which the tests call without a browser.
The figure is drawn once and updated in place (a :class:`~.common.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..core import softmax
from ..losses import cross_entropy, cross_entropy_grad, one_hot
from ..plots.style import use_course_style
from ..plots.training import cross_entropy_panels, update_cross_entropy_panels
from .common import LiveFigure

__all__ = ["CE_CLASSES", "CE_LOGITS", "cross_entropy_explorer", "cross_entropy_state"]

CE_CLASSES = ("cat", "dog", "fox", "owl")
CE_LOGITS = (0.0, 2.0, 1.0, -1.0)
GRID = np.linspace(-8.0, 8.0, 161)


def cross_entropy_state(
    true_logit: float = 0.0,
    label: int = 0,
    x: Sequence[float] = CE_LOGITS,
    labels: Sequence[str] = CE_CLASSES,
) -> dict:
    """What the lesson-05 explorer draws when the true class's logit is `true_logit`.

    Taught in 05.

    Parameters
    ----------
    true_logit : float
        Replaces ``x[label]``.
    label : int
        Index of the true class.
    x : sequence of float
        The logits of every class (the entry at `label` is replaced).
    labels : sequence of str
        Class names.

    Returns
    -------
    dict
        ``x`` (logits used), ``labels``, ``label``, ``p``, ``y`` (one-hot), ``grad``
        (``p - y``), ``loss`` (nats), ``grid`` and ``grid_losses`` (the loss as the
        true logit sweeps -8..8), and ``summary`` (one line of text).

    Examples
    --------
    >>> state = cross_entropy_state(2.0, 0, x=[0.0, 1.0, 0.0], labels=["a", "b", "c"])
    >>> round(state["loss"], 4), state["grad"].round(3).tolist()
    (0.4076, [-0.335, 0.245, 0.09])
    """
    x = np.array(x, dtype=float)
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per class: got {x.shape} logits for {len(labels)} "
                         "labels")
    if not 0 <= label < len(labels):
        raise ValueError(f"label must be in 0..{len(labels) - 1}, got {label}")
    x[label] = float(true_logit)
    p = softmax(x)
    loss = cross_entropy(x, label)
    sweep = np.repeat(x[None, :], GRID.size, axis=0)
    sweep[:, label] = GRID
    grid_losses = cross_entropy(sweep, np.full(GRID.size, label), reduction="none")
    summary = (f"true class {labels[label]}: p = {p[label]:.3f}, loss = {loss:.3f} nats, "
               f"gradient on its logit = {p[label] - 1:.3f}")
    return {"x": x, "labels": labels, "label": label, "p": p, "y": one_hot(label, len(labels)),
            "grad": cross_entropy_grad(x, label), "loss": loss, "grid": GRID,
            "grid_losses": grid_losses, "summary": summary}


def cross_entropy_explorer(
    x: Sequence[float] = CE_LOGITS, labels: Sequence[str] = CE_CLASSES
) -> widgets.VBox:
    """A slider for the true class's logit and a dropdown for the true class.

    Taught in 05. Returns a ``VBox``: the dropdown, the slider, a line of text, the figure.
    """
    cross_entropy_state(x[0], 0, x, labels)  # fail early, with the state's own message
    choose = widgets.Dropdown(options=[(name, i) for i, name in enumerate(labels)], value=0,
                              description="true class")
    slider = widgets.FloatSlider(value=float(x[0]), min=-8.0, max=8.0, step=0.25,
                                 description="its logit", continuous_update=True,
                                 readout_format=".2f")
    summary = widgets.HTML()

    def current_state() -> dict:
        state = cross_entropy_state(slider.value, choose.value, x, labels)
        summary.value = f"<code>{state['summary']}</code>"
        return state

    use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    cross_entropy_panels(current_state(), axes=axes)
    left, right = axes
    # Drawn once; a step moves the curve, the marker, its legend entry, the bars and a title.
    live = LiveFigure(fig, moving=[*left.lines, left.get_legend(), *right.patches,
                                    *right.lines, right.title])

    def update(change=None) -> None:
        live.update(lambda: update_cross_entropy_panels(axes, current_state()))

    def new_class(change) -> None:
        before = slider.value
        slider.value = float(x[choose.value])   # start from that class's own logit
        if slider.value == before:   # otherwise the slider's own observer has updated
            update()

    choose.observe(new_class, names="value")
    slider.observe(update, names="value")
    return widgets.VBox([choose, slider, summary, live.view])
