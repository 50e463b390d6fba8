"""Scenes of lesson 04: the attention heatmap, and the 1/sqrt(d) saturation row."""

from __future__ import annotations

from dataclasses import dataclass

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

__all__ = [
    "SATURATION_DIMS",
    "AttentionScene",
    "SaturationScene",
    "attention_scene",
    "saturation_scene",
]

# The key dimensions of the saturation curve (the slider goes up to the last one).
SATURATION_DIMS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


@dataclass(frozen=True)
class AttentionScene:
    """What :func:`attention_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``tokens``, the settings, ``mask`` (6, 6) bool, ``weights`` (6, 6),
    ``output`` (6, 2), ``row_entropy`` (bits), ``row_sums``, ``n_masked`` and
    ``summary``.
    """

    tokens: tuple[str, ...]
    causal: bool
    padding: bool
    scale: float
    mask: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    row_entropy: np.ndarray
    row_sums: np.ndarray
    n_masked: int
    summary: str


def attention_scene(
    causal: bool = True, padding: bool = True, scale: float = 1.0
) -> AttentionScene:
    """What the attention explorer draws for the lesson's six-token sequence.

    Taught in 04. The scores are ``scale * q . k / sqrt(d)``: `scale` 1 is standard
    attention, larger sharpens every row, 0 makes every row uniform over its
    allowed keys. `causal` hides later keys; `padding` hides the two ``<pad>`` keys.

    Returns
    -------
    AttentionScene
        Everything the figure or explorer shows, as named fields.

    Examples
    --------
    >>> s = attention_scene()
    >>> s.weights[0].round(2)          # "<s>" can only see itself
    array([1., 0., 0., 0., 0., 0.])
    >>> s.row_sums.round(6).tolist(), s.n_masked
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
    return AttentionScene(
        tokens=ex["tokens"],
        causal=bool(causal),
        padding=bool(padding),
        scale=scale,
        mask=mask,
        weights=weights,
        output=output,
        row_entropy=entropies,
        row_sums=weights.sum(axis=1),
        n_masked=int((~mask).sum()),
        summary=summary,
    )


@dataclass(frozen=True)
class SaturationScene:
    """What :func:`saturation_scene` computes: one frame of the explorer, or a static figure.
    """

    d: int
    weights_scaled: np.ndarray
    weights_unscaled: np.ndarray
    curve: dict
    mean_entropy_scaled: float
    mean_entropy_unscaled: float
    summary: str


def saturation_scene(d: int = 64, n_keys: int = 8, seed: int = 7) -> SaturationScene:
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
    >>> s = saturation_scene(256)
    >>> round(s.mean_entropy_scaled, 1), round(s.mean_entropy_unscaled, 1)
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
    return SaturationScene(
        d=d,
        weights_scaled=scaled,
        weights_unscaled=unscaled,
        curve=curve,
        mean_entropy_scaled=mean_scaled,
        mean_entropy_unscaled=mean_unscaled,
        summary=summary,
    )
