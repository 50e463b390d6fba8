"""Pieces every explorer uses, and the lesson-00 check that widgets work.

Each explorer is a function that returns a widget. What it draws is decided by a
pure ``*_state`` function (numbers in, a dict of what to draw out), which the
tests call without a browser; the widget only wires sliders to that function and
to a plot function from :mod:`softmax_lessons.plots`. Figures are redrawn in place
inside one ``Output`` widget, so moving a slider never stacks figures, and an
exception in a callback is shown there instead of vanishing.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from ..core import softmax

__all__ = ["redraw", "start_here_check", "start_here_state"]


def redraw(output: widgets.Output, draw) -> None:
    """Clear `output` and call ``draw()`` inside it, showing any figure it makes.

    Errors raised by `draw` are displayed in the output (an exception in a widget
    callback is otherwise silent in JupyterLab).
    """
    with output:
        output.clear_output(wait=True)
        fig = draw()
        if fig is not None:  # `draw` may also display its figure itself and return None
            display(fig)
            plt.close(fig)


def start_here_state(value: float) -> dict:
    """What the lesson-00 check widget shows for a slider `value`: softmax of (value, 0).

    Examples
    --------
    >>> state = start_here_state(0.0)
    >>> state["p"].round(3).tolist(), state["message"]
    ([0.5, 0.5], 'softmax(0.0, 0) = (0.500, 0.500)')
    """
    p = softmax([float(value), 0.0])
    return {"p": p, "message": f"softmax({float(value):.1f}, 0) = ({p[0]:.3f}, {p[1]:.3f})"}


def start_here_check() -> widgets.VBox:
    """A slider and a line of text that follows it: proof that widgets work in this browser."""
    slider = widgets.FloatSlider(value=0.0, min=-5.0, max=5.0, step=0.5,
                                 description="logit a", continuous_update=True)
    label = widgets.HTML()

    def update(change=None) -> None:
        label.value = f"<code>{start_here_state(slider.value)['message']}</code>"

    slider.observe(update, names="value")
    update()
    return widgets.VBox([slider, label])
