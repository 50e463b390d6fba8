"""Explorer for lesson 01 Definition: from scores to probabilities.

One slider per logit of five named classes; the bar chart of the probabilities,
the argmax, the entropy in bits and the sum follow every move. What is drawn is
decided by :func:`definition_state`, which the tests call without a browser; the
figure is drawn once and updated in place (a :class:`~.common.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..core import entropy, softmax
from ..plots.definition import explorer_bars, update_explorer_bars
from ..plots.style import new_axes
from .common import LiveFigure

__all__ = ["CLASSES", "DEFAULT_LOGITS", "definition_explorer", "definition_state"]

CLASSES = ("cat", "dog", "fox", "owl", "yak")
DEFAULT_LOGITS = (2.0, 1.0, 0.1, -0.5, -1.5)


def definition_state(
    x: Sequence[float] = DEFAULT_LOGITS, labels: Sequence[str] = CLASSES
) -> dict:
    """What the lesson-01 explorer draws for logits `x`: probabilities, argmax, entropy, sum.

    Taught in 01.

    Parameters
    ----------
    x : sequence of float
        One logit per class.
    labels : sequence of str
        Class names, as many as logits.

    Returns
    -------
    dict
        ``x``, ``labels``, ``p`` (softmax of `x`), ``argmax`` (index) and
        ``argmax_label``, ``entropy_bits`` and ``entropy_max_bits`` (log2 of the
        number of classes), ``total`` (the sum of ``p``) and ``summary`` (one line of text).

    Raises
    ------
    ValueError
        If `x` and `labels` have different lengths.

    Examples
    --------
    >>> state = definition_state()
    >>> state["p"].round(3)
    array([0.614, 0.226, 0.092, 0.05 , 0.019])
    >>> state["argmax_label"], round(state["entropy_bits"], 3), state["total"]
    ('cat', 1.557, 1.0)
    """
    x = np.asarray(x, dtype=float)
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per class: got logits of shape {x.shape} for "
                         f"{len(labels)} labels; pass as many logits as labels")
    p = softmax(x)
    k = int(np.argmax(x))  # of the logits: tiny differences can round away in p
    h = float(entropy(p))
    h_max = float(np.log2(len(labels)))
    total = float(np.sum(p))
    summary = (f"argmax: {labels[k]} (p = {p[k]:.3f})   entropy: {h:.3f} bits "
               f"(max {h_max:.3f})   sum: {total:.3f}")
    return {"x": x, "labels": labels, "p": p, "argmax": k, "argmax_label": labels[k],
            "entropy_bits": h, "entropy_max_bits": h_max, "total": total, "summary": summary}


def definition_explorer(
    x: Sequence[float] = DEFAULT_LOGITS, labels: Sequence[str] = CLASSES
) -> widgets.VBox:
    """One slider per logit; the bar chart, argmax, entropy (bits) and sum follow.

    Taught in 01. Returns a ``VBox`` whose first children are the sliders (in
    class order), then a line of text, then the figure.
    """
    definition_state(x, labels)  # fail early, with the state's own message
    sliders = [
        widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1, description=name,
                            continuous_update=True, readout_format=".1f")
        for v, name in zip(x, labels, strict=True)
    ]
    summary = widgets.HTML()

    def state_now() -> dict:
        return definition_state([s.value for s in sliders], labels)

    first = state_now()
    summary.value = f"<code>{first['summary']}</code>"
    ax = explorer_bars(first, ax=new_axes(figsize=(6.4, 3.2)))
    # Drawn once; every step below only changes its artists, and only they are redrawn.
    live = LiveFigure(ax.figure, moving="auto")

    def show() -> None:
        state = state_now()
        summary.value = f"<code>{state['summary']}</code>"
        update_explorer_bars(ax, state)

    def update(change=None) -> None:
        live.update(show)

    for slider in sliders:
        slider.observe(update, names="value")
    return widgets.VBox([*sliders, summary, live.view])
