"""Explorers for lesson 04 Attention and masking.

Two explorers, each a function callable with no arguments (the lesson's example):

- :func:`attention_explorer`: the attention weights of a short token sequence as a
  heatmap, with causal and padding toggles and a slider that scales the scores;
- :func:`saturation_explorer`: a slider for the key dimension d, showing one row of
  weights and the mean entropy with and without the 1/sqrt(d) factor.

What they draw is decided by the pure functions :func:`attention_state` and
:func:`saturation_state`, which the tests call without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..attention import (
    attention_scores,
    causal_mask,
    example_sequence,
    padding_mask,
    row_entropy,
    saturation_curve,
    scaled_dot_product_attention,
)
from ..core import softmax
from ..plots.attention import (
    attention_figure,
    attention_figure_moving,
    saturation_figure,
    saturation_figure_moving,
    update_attention_figure,
    update_saturation_figure,
)
from .common import LiveFigure

__all__ = [
    "SATURATION_DIMS",
    "attention_explorer",
    "attention_state",
    "saturation_explorer",
    "saturation_state",
]

# The key dimensions of the saturation curve (the slider goes up to the last one).
SATURATION_DIMS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def attention_state(causal: bool = True, padding: bool = True, scale: float = 1.0) -> dict:
    """What the attention explorer draws for the lesson's six-token sequence.

    Taught in 04. The scores are ``scale * q . k / sqrt(d)``: `scale` 1 is standard
    attention, larger sharpens every row, 0 makes every row uniform over its
    allowed keys. `causal` hides later keys; `padding` hides the two ``<pad>`` keys.

    Returns
    -------
    dict
        ``tokens``, the settings, ``mask`` (6, 6) bool, ``weights`` (6, 6),
        ``output`` (6, 2), ``row_entropy`` (bits), ``row_sums``, ``n_masked`` and
        ``summary``.

    Examples
    --------
    >>> s = attention_state()
    >>> s["weights"][0].round(2)          # "<s>" can only see itself
    array([1., 0., 0., 0., 0., 0.])
    >>> s["row_sums"].round(6).tolist(), s["n_masked"]
    ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 18)
    """
    ex = example_sequence()
    n, d = len(ex["tokens"]), ex["q"].shape[-1]
    mask = np.ones((n, n), dtype=bool)
    if causal:
        mask &= causal_mask(n)
    if padding:
        mask &= padding_mask([ex["length"]], n)
    scale = float(scale)
    output, weights = scaled_dot_product_attention(ex["q"], ex["k"], ex["v"], mask=mask,
                                                   scale=scale / np.sqrt(d))
    entropies = row_entropy(weights)
    sharpest = int(np.argmin(np.where(mask.sum(axis=1) > 1, entropies, np.inf)))
    summary = (f"causal: {'on' if causal else 'off'}, padding: {'on' if padding else 'off'}, "
               f"scale x{scale:.2f}: {int((~mask).sum())} of {n * n} cells masked; "
               f"mean row entropy {entropies.mean():.2f} bits; sharpest row with a choice: "
               f"'{ex['tokens'][sharpest]}' (max weight {weights[sharpest].max():.2f})")
    return {"tokens": ex["tokens"], "causal": bool(causal), "padding": bool(padding),
            "scale": scale, "mask": mask, "weights": weights, "output": output,
            "row_entropy": entropies, "row_sums": weights.sum(axis=1),
            "n_masked": int((~mask).sum()), "summary": summary}


def saturation_state(d: int = 64, n_keys: int = 8, seed: int = 7) -> dict:
    """What the d-slider explorer draws: one query against `n_keys` random keys at dimension d.

    Taught in 04. Queries and keys have standard-normal entries (a fixed draw from
    `seed`; dimension d uses its first d coordinates), so raw dot products have
    variance d. The default seed draws a row that shows the contrast the lesson
    describes: at d = 256 it is spread out with ``1/sqrt(d)`` and one-hot without.
    Returns the example row's weights with and without ``1/sqrt(d)``,
    and the mean-entropy curve over `SATURATION_DIMS` (and d) from
    :func:`softmax_lessons.attention.saturation_curve`.

    Examples
    --------
    >>> s = saturation_state(256)
    >>> round(s["mean_entropy_scaled"], 1), round(s["mean_entropy_unscaled"], 1)
    (2.5, 0.2)
    """
    d_max = SATURATION_DIMS[-1]
    d = int(d)
    if not 1 <= d <= d_max:
        raise ValueError(f"d must be an integer in [1, {d_max}], got {d}")
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, d_max))[:, :d]
    k = rng.standard_normal((n_keys, d_max))[:, :d]
    scaled = softmax(attention_scores(q, k))[0]
    unscaled = softmax(attention_scores(q, k, scale=1.0))[0]
    dims = sorted(set(SATURATION_DIMS) | {d})
    curve = saturation_curve(dims, np.random.default_rng(seed + 1), n_keys=n_keys,
                             n_queries=100)
    at_d = dims.index(d)
    mean_scaled = float(curve["entropy_scaled"][at_d])
    mean_unscaled = float(curve["entropy_unscaled"][at_d])
    summary = (f"d = {d}: mean entropy {mean_scaled:.2f} bits with 1/sqrt(d), "
               f"{mean_unscaled:.2f} bits without (max {curve['max_entropy']:.0f}); "
               f"largest weight in this row {scaled.max():.2f} vs {unscaled.max():.2f}")
    return {"d": d, "weights_scaled": scaled, "weights_unscaled": unscaled, "curve": curve,
            "mean_entropy_scaled": mean_scaled, "mean_entropy_unscaled": mean_unscaled,
            "summary": summary}


def attention_explorer() -> widgets.VBox:
    """Causal and padding toggles and a score-scale slider; the heatmap follows.

    Taught in 04. Returns a ``VBox``: the two checkboxes, the slider, a line of
    text, the figure (a :class:`~softmax_lessons.widgets.common.LiveFigure` view:
    drawn once, then updated in place whenever a control changes).
    """
    causal = widgets.Checkbox(value=True, description="causal mask")
    padding = widgets.Checkbox(value=True, description="padding mask")
    scale = widgets.FloatSlider(value=1.0, min=0.0, max=4.0, step=0.1,
                                description="scale x", readout_format=".1f")
    first = attention_state(causal.value, padding.value, scale.value)
    summary = widgets.HTML(f"<code>{first['summary']}</code>")
    fig = attention_figure(first)
    live = LiveFigure(fig, moving=attention_figure_moving(fig))

    def draw() -> None:
        state = attention_state(causal.value, padding.value, scale.value)
        summary.value = f"<code>{state['summary']}</code>"
        update_attention_figure(live.fig, state)

    def update(change=None) -> None:
        live.update(draw)

    for control in (causal, padding, scale):
        control.observe(update, names="value")
    return widgets.VBox([causal, padding, scale, summary, live.view])


def saturation_explorer() -> widgets.VBox:
    """A slider for the key dimension d (1 to 512); the row of weights and the curves follow.

    Taught in 04. Returns a ``VBox``: the slider, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.common.LiveFigure` view, updated in place).
    """
    d = widgets.IntSlider(value=64, min=1, max=SATURATION_DIMS[-1], step=1, description="d")
    first = saturation_state(d.value)
    summary = widgets.HTML(f"<code>{first['summary']}</code>")
    fig = saturation_figure(first)
    live = LiveFigure(fig, moving=saturation_figure_moving(fig))

    def draw() -> None:
        state = saturation_state(d.value)
        summary.value = f"<code>{state['summary']}</code>"
        update_saturation_figure(live.fig, state)

    def update(change=None) -> None:
        live.update(draw)

    d.observe(update, names="value")
    return widgets.VBox([d, summary, live.view])
