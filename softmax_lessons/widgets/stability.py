"""Explorer for lesson 02 Numerical stability and log-sum-exp.

Naive and stable softmax side by side; an offset slider adds the same constant to
every logit and a dtype selector picks float16, float32 or float64. The naive
column turns to NaN exactly where the measured limits of ``exp`` say it must.
What is drawn is decided by :func:`stability_state`, which the tests call; the
figure is drawn once and updated in place (a :class:`~.common.LiveFigure`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..core import softmax
from ..numerics import DTYPES, exp_limits, naive_nan_predicted, naive_softmax_report
from ..plots.stability import stability_columns, update_stability_columns
from ..plots.style import use_course_style
from .common import LiveFigure

__all__ = ["BASE_LOGITS", "stability_explorer", "stability_state"]

# At offset 1000 these are the lesson's example (1000, 1001, 999).
BASE_LOGITS = (0.0, 1.0, -1.0)
LABELS = ("a", "b", "c")


def stability_state(
    offset: float = 1000.0,
    dtype: str = "float64",
    base: Sequence[float] = BASE_LOGITS,
    labels: Sequence[str] = LABELS,
) -> dict:
    """What the lesson-02 explorer draws: naive and stable softmax of ``base + offset``.

    Taught in 02. The logits are computed in float64 and rounded to `dtype`;
    both methods then work in that dtype.

    Returns
    -------
    dict
        ``x`` (the logits in `dtype`), ``labels``, ``dtype``, ``offset``;
        ``naive_p``, ``naive_nan`` (measured), ``predicted_nan`` (from the
        measured limits of exp), ``naive_status`` and ``naive_warnings``;
        ``stable_p`` and ``stable_sum``; ``overflow`` and ``underflow`` (the
        limits of exp in `dtype`); ``summary`` (one line of text).

    Raises
    ------
    TypeError
        If `dtype` is not float16, float32 or float64.

    Examples
    --------
    >>> state = stability_state()                  # (1000, 1001, 999) in float64
    >>> state["naive_nan"].tolist(), state["stable_p"].round(4).tolist()
    ([True, True, True], [0.2447, 0.6652, 0.09])
    >>> stability_state(offset=0.0)["naive_status"]
    'ok'
    """
    limits = exp_limits(dtype)
    dt = np.dtype(limits["dtype"])
    x = (np.asarray(base, dtype=np.float64) + float(offset)).astype(dt)
    report = naive_softmax_report(x)
    stable = softmax(x)
    stable_sum = float(np.sum(stable, dtype=np.float64))
    shown = ", ".join(f"{float(v):g}" for v in x)
    summary = (f"{dt.name}: logits ({shown}); exp overflows above {float(limits['overflow']):.4g}"
               f" and underflows below {float(limits['underflow']):.4g}; "
               f"naive: {report['status']}; stable sums to {stable_sum:.3f}")
    return {
        "x": x,
        "labels": list(labels),
        "dtype": dt.name,
        "offset": float(offset),
        "naive_p": report["p"],
        "naive_nan": report["nan"],
        "predicted_nan": naive_nan_predicted(x),
        "naive_status": report["status"],
        "naive_warnings": report["warnings"],
        "stable_p": stable,
        "stable_sum": stable_sum,
        "overflow": limits["overflow"],
        "underflow": limits["underflow"],
        "summary": summary,
    }


def _table(state: dict) -> str:
    """The two columns as an HTML table: logit, naive probability, stable probability."""
    rows = "".join(
        f"<tr><td>{name}</td><td>{float(v):g}</td><td>{float(n):.4f}</td><td>{float(s):.4f}</td></tr>"
        for name, v, n, s in zip(state["labels"], state["x"], state["naive_p"],
                                 state["stable_p"], strict=True)
    )
    warned = "; ".join(state["naive_warnings"]) or "none"
    return ("<table><tr><th>class</th><th>logit</th><th>naive</th><th>stable</th></tr>"
            f"{rows}</table><p><code>{state['summary']}</code><br>"
            f"<code>NumPy warnings from the naive formula: {warned}</code></p>")


def stability_explorer(
    offset: float = 1000.0, dtype: str = "float64", base: Sequence[float] = BASE_LOGITS
) -> widgets.VBox:
    """An offset slider and a dtype selector driving naive and stable softmax side by side.

    Taught in 02. Returns a ``VBox``: the offset slider, the dtype buttons, an
    HTML table of both columns, and the figure.
    """
    stability_state(offset, dtype, base)  # fail early, with the state's own message
    slider = widgets.FloatSlider(value=float(offset), min=-1000.0, max=1000.0, step=1.0,
                                 description="offset", continuous_update=True,
                                 readout_format=".0f",
                                 layout=widgets.Layout(width="600px"))
    picker = widgets.ToggleButtons(options=list(DTYPES), value=dtype, description="dtype")
    table = widgets.HTML()

    def state_now() -> dict:
        return stability_state(slider.value, picker.value, base)

    first = state_now()
    table.value = _table(first)
    use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
    stability_columns(first, axes=axes)
    # Drawn once; every step below only changes its artists, and only they are redrawn.
    live = LiveFigure(fig, moving="auto")

    def show() -> None:
        state = state_now()
        table.value = _table(state)
        update_stability_columns(axes, state)

    def update(change=None) -> None:
        live.update(show)

    slider.observe(update, names="value")
    picker.observe(update, names="value")
    return widgets.VBox([slider, picker, table, live.view])
