"""Explorers for lesson 03 Temperature, sampling and calibration.

Two explorers, each a function callable with no arguments (the lesson's example):

- :func:`temperature_explorer`: a temperature slider driving the bars of
  ``softmax(x / T)``, the entropy in bits and as a fraction of its maximum, and a
  marker moving along the entropy-against-T curve;
- :func:`sampling_playground`: temperature, top-k, top-p and the number of draws;
  counts of seeded draws against the probabilities they were drawn with.

What they draw is decided by the pure functions :func:`temperature_state` and
:func:`sampling_state`, which the tests call without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..core import entropy, softmax
from ..plots.temperature import (
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
    draw_counts,
    sampling_probabilities,
    temperature_path,
)
from .common import LiveFigure

__all__ = [
    "CURVE_TEMPERATURES",
    "sampling_playground",
    "sampling_state",
    "temperature_explorer",
    "temperature_state",
]

# The temperatures of the entropy curve: 0.05 to 20 on a log scale.
CURVE_TEMPERATURES = np.geomspace(0.05, 20.0, 121)


def _check_lengths(x: np.ndarray, labels: Sequence[str]) -> list[str]:
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per token: got logits of shape {x.shape} for "
                         f"{len(labels)} labels; pass as many logits as labels")
    return labels


def temperature_state(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    temperature: float = 1.0,
    labels: Sequence[str] = EXAMPLE_VOCAB,
) -> dict:
    """What the temperature explorer draws at temperature `temperature`.

    Taught in 03.

    Returns
    -------
    dict
        ``labels``, ``temperature``, ``p`` = softmax(x / T), ``argmax``,
        ``entropy_bits``, ``entropy_max_bits`` (log2 n), ``entropy_ratio`` (H / Hmax),
        the curve ``curve_t``, ``curve_h`` (entropy at each of `CURVE_TEMPERATURES`)
        and ``summary`` (one line of text).

    Examples
    --------
    >>> s = temperature_state([2.0, 1.0, 0.0], 0.5, ["a", "b", "c"])
    >>> s["p"].round(3), round(s["entropy_bits"], 3), round(s["entropy_ratio"], 3)
    (array([0.867, 0.117, 0.016]), 0.636, 0.401)
    """
    x = np.asarray(x, dtype=float)
    labels = _check_lengths(x, labels)
    p = softmax(x, temperature=temperature)
    h = float(entropy(p))
    h_max = float(np.log2(x.size))
    ratio = h / h_max if h_max > 0 else 0.0
    k = int(np.argmax(x))
    summary = (f"T = {float(temperature):.2f}   argmax: {labels[k]} (p = {p[k]:.3f})   "
               f"entropy: {h:.3f} of {h_max:.3f} bits   H/Hmax = {ratio:.3f}")
    return {"labels": labels, "temperature": float(temperature), "p": p, "argmax": k,
            "entropy_bits": h, "entropy_max_bits": h_max, "entropy_ratio": ratio,
            "curve_t": CURVE_TEMPERATURES,
            "curve_h": entropy(temperature_path(x, CURVE_TEMPERATURES)),
            "summary": summary}


def temperature_explorer(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS), labels: Sequence[str] = EXAMPLE_VOCAB
) -> widgets.VBox:
    """A temperature slider (log scale, 0.05 to 20); bars, entropy and the curve marker follow.

    Taught in 03. Returns a ``VBox``: the slider, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.common.LiveFigure` view: drawn once, then
    updated in place on every slider step).
    """
    first = temperature_state(x, 1.0, labels)  # fails early, with the state's own message
    slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1.3, max=1.3, step=0.02,
                                    description="T", readout_format=".2f",
                                    continuous_update=True)
    summary = widgets.HTML(f"<code>{first['summary']}</code>")
    fig = temperature_figure(first)
    live = LiveFigure(fig, moving=temperature_figure_moving(fig))

    def draw() -> None:
        state = temperature_state(x, slider.value, labels)
        summary.value = f"<code>{state['summary']}</code>"
        update_temperature_figure(live.fig, state)

    def update(change=None) -> None:
        live.update(draw)

    slider.observe(update, names="value")
    return widgets.VBox([slider, summary, live.view])


def sampling_state(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    labels: Sequence[str] = EXAMPLE_VOCAB,
) -> dict:
    """What the sampling playground draws: seeded draws against the distribution they use.

    Taught in 03. The draws come from a generator seeded with `seed`, so the same
    settings always show the same counts.

    Returns
    -------
    dict
        ``labels``, the settings (``temperature``, ``top_k``, ``top_p``, ``n_draws``),
        ``model_p`` = softmax(x / T) before filtering, ``p`` the distribution sampled
        from, ``kept`` (bool per token), ``counts``, ``frequencies`` (counts / n_draws),
        ``max_gap`` = max |frequency - p|, and ``summary``.

    Examples
    --------
    >>> s = sampling_state([2.0, 1.0, 0.0], top_k=2, n_draws=10_000, labels=["a", "b", "c"])
    >>> s["p"].round(3), s["counts"].tolist()
    (array([0.731, 0.269, 0.   ]), [7325, 2675, 0])
    """
    x = np.asarray(x, dtype=float)
    labels = _check_lengths(x, labels)
    n_draws = int(n_draws)
    if n_draws < 1:
        raise ValueError(f"n_draws must be >= 1, got {n_draws}")
    model_p = softmax(x, temperature=temperature)
    p = sampling_probabilities(x, temperature=temperature, top_k=top_k, top_p=top_p)
    counts = draw_counts(p, n_draws, np.random.default_rng(seed))
    frequencies = counts / n_draws
    kept = p > 0
    max_gap = float(np.max(np.abs(frequencies - p)))
    k_text = "off" if top_k is None else str(top_k)
    p_text = "off" if top_p is None else f"{float(top_p):.2f}"
    summary = (f"T = {float(temperature):.2f}, top-k = {k_text}, top-p = {p_text}: "
               f"{int(kept.sum())} of {x.size} tokens kept ({', '.join(np.array(labels)[kept])}); "
               f"{n_draws} draws, largest gap |frequency - p| = {max_gap:.3f}")
    return {"labels": labels, "temperature": float(temperature),
            "top_k": top_k if top_k is not None else x.size,
            "top_p": float(top_p) if top_p is not None else 1.0, "n_draws": n_draws,
            "model_p": model_p, "p": p, "kept": kept, "counts": counts,
            "frequencies": frequencies, "max_gap": max_gap, "summary": summary}


def sampling_playground(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    labels: Sequence[str] = EXAMPLE_VOCAB,
    seed: int = 0,
) -> widgets.VBox:
    """Sliders for T, top-k, top-p and the number of draws; counts follow.

    Taught in 03. top-k at the vocabulary size and top-p at 1 switch the filters
    off. Returns a ``VBox``: the four sliders, a line of text, the figure (a
    :class:`~softmax_lessons.widgets.common.LiveFigure` view, updated in place).
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
        return sampling_state(x, temperature.value, top_k.value, top_p.value, n_draws.value,
                              seed, labels)

    first = current()  # fails early, with the state's own message
    summary = widgets.HTML(f"<code>{first['summary']}</code>")
    fig = sampling_figure(first)
    live = LiveFigure(fig, moving=sampling_figure_moving(fig))

    def draw() -> None:
        state = current()
        summary.value = f"<code>{state['summary']}</code>"
        update_sampling_figure(live.fig, state)

    def update(change=None) -> None:
        live.update(draw)

    for slider in sliders:
        slider.observe(update, names="value")
    return widgets.VBox([*sliders, summary, live.view])
