"""Scenes of lesson 03: its example logits, temperature, the sampling playground, and the
made-up over-confident classifier of the calibration section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import entropy, softmax
from ..sampling import draw_counts, sampling_probabilities, temperature_path
from ..validation import check_int, check_number, check_rng, inverse_cdf

__all__ = [
    "CURVE_TEMPERATURES",
    "EXAMPLE_LOGITS",
    "EXAMPLE_VOCAB",
    "STORY_LOGITS",
    "STORY_VOCAB",
    "SamplingScene",
    "TemperatureScene",
    "overconfident_classifier",
    "sampling_scene",
    "temperature_scene",
]

# The lesson's running example: scores of the next word in "The cat sat on the ___".
EXAMPLE_VOCAB = ("mat", "sofa", "floor", "roof", "moon")
EXAMPLE_LOGITS = np.array([3.0, 2.2, 1.5, 0.3, -1.0])

# A toy next-token model for decoding: row i holds the logits of the token that
# follows STORY_VOCAB[i]. "um" is a bad token: its most likely successor is itself.
STORY_VOCAB = ("the", "cat", "sat", "on", "mat", "um", ".")
STORY_LOGITS = np.array(
    [
        # the   cat   sat   on    mat   um    .
        [-2.0, 2.0, -1.0, -2.0, 1.5, 0.0, -3.0],  # after "the"
        [-2.0, -3.0, 2.0, 0.0, -2.0, 0.0, 0.5],  # after "cat"
        [-1.0, -3.0, -3.0, 2.0, -2.0, 0.0, 1.0],  # after "sat"
        [2.5, -2.0, -3.0, -3.0, -1.0, 0.0, -3.0],  # after "on"
        [-1.0, -2.0, 0.5, -1.0, -3.0, 0.0, 1.5],  # after "mat"
        [0.5, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],  # after "um"
        [2.0, 0.0, -2.0, -2.0, -2.0, 0.5, -3.0],  # after "."
    ]
)

# The temperatures of the entropy curve: 0.05 to 20 on a log scale.
CURVE_TEMPERATURES = np.geomspace(0.05, 20.0, 121)


def _check_lengths(x: np.ndarray, labels: Sequence[str]) -> list[str]:
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per token: got logits of shape {x.shape} for "
                         f"{len(labels)} labels; pass as many logits as labels")
    return labels


@dataclass(frozen=True)
class TemperatureScene:
    """What :func:`temperature_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``labels``, ``temperature``, ``p`` = softmax(x / T), ``argmax``,
    ``entropy_bits``, ``entropy_max_bits`` (log2 n), ``entropy_ratio`` (H / Hmax),
    the curve ``curve_t``, ``curve_h`` (entropy at each of `CURVE_TEMPERATURES`)
    and ``summary`` (one line of text).
    """

    labels: list[str]
    temperature: float
    p: np.ndarray
    argmax: int
    entropy_bits: float
    entropy_max_bits: float
    entropy_ratio: float
    curve_t: np.ndarray
    curve_h: np.ndarray
    summary: str


def temperature_scene(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    temperature: float = 1.0,
    labels: Sequence[str] = EXAMPLE_VOCAB,
) -> TemperatureScene:
    """What the temperature explorer draws at temperature `temperature`.

    Taught in 03.

    Returns
    -------
    TemperatureScene
        Everything the figure or explorer shows, as named fields.

    Examples
    --------
    >>> s = temperature_scene([2.0, 1.0, 0.0], 0.5, ["a", "b", "c"])
    >>> s.p.round(3), round(s.entropy_bits, 3), round(s.entropy_ratio, 3)
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
    return TemperatureScene(
        labels=labels,
        temperature=float(temperature),
        p=p,
        argmax=k,
        entropy_bits=h,
        entropy_max_bits=h_max,
        entropy_ratio=ratio,
        curve_t=CURVE_TEMPERATURES,
        curve_h=entropy(temperature_path(x, CURVE_TEMPERATURES)),
        summary=summary,
    )


@dataclass(frozen=True)
class SamplingScene:
    """What :func:`sampling_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``labels``, the settings (``temperature``, ``top_k``, ``top_p``, ``n_draws``),
    ``model_p`` = softmax(x / T) before filtering, ``p`` the distribution sampled
    from, ``kept`` (bool per token), ``counts``, ``frequencies`` (counts / n_draws),
    ``max_gap`` = max |frequency - p|, and ``summary``.
    """

    labels: list[str]
    temperature: float
    top_k: int
    top_p: float
    n_draws: int
    model_p: np.ndarray
    p: np.ndarray
    kept: np.ndarray
    counts: np.ndarray
    frequencies: np.ndarray
    max_gap: float
    summary: str


def sampling_scene(
    x: Sequence[float] = tuple(EXAMPLE_LOGITS),
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    labels: Sequence[str] = EXAMPLE_VOCAB,
) -> SamplingScene:
    """What the sampling playground draws: seeded draws against the distribution they use.

    Taught in 03. The draws come from a generator seeded with `seed`, so the same
    settings always show the same counts.

    Returns
    -------
    SamplingScene
        Everything the figure or explorer shows, as named fields.

    Examples
    --------
    >>> s = sampling_scene([2.0, 1.0, 0.0], top_k=2, n_draws=10_000, labels=["a", "b", "c"])
    >>> s.p.round(3), s.counts.tolist()
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
    return SamplingScene(
        labels=labels,
        temperature=float(temperature),
        top_k=top_k if top_k is not None else x.size,
        top_p=float(top_p) if top_p is not None else 1.0,
        n_draws=n_draws,
        model_p=model_p,
        p=p,
        kept=kept,
        counts=counts,
        frequencies=frequencies,
        max_gap=max_gap,
        summary=summary,
    )


def overconfident_classifier(
    rng: np.random.Generator,
    n_samples: int = 2000,
    n_classes: int = 5,
    overconfidence: float = 2.5,
    signal: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic logits of an over-confident classifier, and the true labels.

    Taught in 03 (the calibration section and its exercise). Each example gets
    calibrated logits ``z`` (noise plus `signal` on one class) and a label drawn from
    ``softmax(z)``, so ``softmax(z)`` is exactly calibrated by construction. The model
    reports ``overconfidence * z``: the same argmax, but too sharp. Temperature scaling
    should find ``T`` close to `overconfidence`.

    Returns
    -------
    (logits, labels)
        ``logits`` of shape (n_samples, n_classes), ``labels`` of shape (n_samples,).

    Examples
    --------
    >>> x, labels = overconfident_classifier(np.random.default_rng(0), n_samples=4, n_classes=3)
    >>> x.shape, labels.shape
    ((4, 3), (4,))
    """
    check_rng(rng)
    n_samples = check_int(n_samples, "n_samples")
    n_classes = check_int(n_classes, "n_classes")
    overconfidence = check_number(overconfidence, "overconfidence")
    signal = check_number(signal, "signal")
    z = rng.normal(size=(n_samples, n_classes))
    favoured = rng.integers(n_classes, size=n_samples)
    z[np.arange(n_samples), favoured] += signal
    # Draw each label from softmax(z) by the inverse of its cumulative distribution.
    labels = inverse_cdf(softmax(z), rng.random(n_samples))
    return overconfidence * z, labels
