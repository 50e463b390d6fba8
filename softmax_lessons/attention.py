"""Scaled dot-product attention, causal and padding masks, and the masking pitfalls.

Taught in 04. A query ``q`` scores every key ``k_j`` with ``q . k_j / sqrt(d)``;
softmax turns one row of scores into weights that sum to 1; the output is the
weighted average of the values ``v_j``. Masks are boolean, True where a query may
attend, and go through the core softmax's ``where=``: a masked key gets weight
exactly 0, the allowed ones renormalise, and a row with nothing allowed gets
all-zero weights (so its output is a zero vector) instead of NaN.

Shapes follow the usual convention: ``q`` is (..., n_queries, d), ``k`` is
(..., n_keys, d), ``v`` is (..., n_keys, d_v), and a mask broadcasts to
(..., n_queries, n_keys).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .core import entropy, softmax
from .validation import (
    as_array,
    as_float_array,
    check_bool_mask,
    check_distribution,
    check_int,
    check_rng,
)

__all__ = [
    "SaturationCurve",
    "attention_scores",
    "causal_mask",
    "leaked_mass",
    "padding_mask",
    "plain_masked_softmax",
    "row_entropy",
    "saturation_curve",
    "scaled_dot_product_attention",
    "total_variation",
]

def _check_scale(scale: float | None, d: int) -> float:
    if scale is None:
        return 1.0 / np.sqrt(d)
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"scale must be a number or None, got {scale!r}; try 1 / sqrt(d)")
    value = float(scale)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(
            f"scale must be finite and >= 0, got {scale!r}; the usual one is 1/sqrt(d)"
        )
    return value


def attention_scores(q: ArrayLike, k: ArrayLike, *, scale: float | None = None) -> np.ndarray:
    """Scores ``q . k_j * scale`` for every query and key; `scale` defaults to ``1 / sqrt(d)``.

    Taught in 04. Infinite or NaN entries give NaN or infinite scores (as the
    arithmetic does), without a warning; the softmax that follows then makes
    that query's row NaN.

    Parameters
    ----------
    q : array_like, shape (..., n_queries, d)
    k : array_like, shape (..., n_keys, d)
    scale : float, optional
        Multiplies the dot products; ``None`` means ``1 / sqrt(d)``.

    Returns
    -------
    ndarray, shape (..., n_queries, n_keys)

    Examples
    --------
    >>> attention_scores([[1.0, 1.0, 1.0, 1.0]], [[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    array([[0.5, 2. ]])
    """
    qa, ka = as_float_array(q, "q"), as_float_array(k, "k")
    if qa.ndim < 2 or ka.ndim < 2 or qa.shape[-1] != ka.shape[-1] or qa.shape[-1] == 0:
        raise ValueError(
            f"q and k must be (..., n, d) with the same d >= 1, got shapes {qa.shape} and "
            f"{ka.shape}"
        )
    scale = _check_scale(scale, qa.shape[-1])
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 is NaN, a huge product inf
        return (qa @ np.swapaxes(ka, -1, -2)) * scale


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    scale: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``softmax(q k^T / sqrt(d)) v``, returning the outputs and the weights.

    Taught in 04. Each row of weights is one softmax: one distribution over the
    keys for each query. With a `mask`, disallowed keys get weight exactly 0 and
    the rest renormalise; a query with no allowed key gets all-zero weights and a
    zero output (documented, never NaN). NaN or infinite inputs follow the
    arithmetic (an infinite value even times a weight of 0 gives NaN), without a
    warning.

    Parameters
    ----------
    q : array_like, shape (..., n_queries, d)
    k : array_like, shape (..., n_keys, d)
    v : array_like, shape (..., n_keys, d_v)
    mask : array_like of bool, optional
        Broadcastable to (..., n_queries, n_keys); True = may attend.
    scale : float, optional
        Multiplies the scores; ``None`` means ``1 / sqrt(d)``.

    Returns
    -------
    output : ndarray, shape (..., n_queries, d_v)
        Weighted averages of the values.
    weights : ndarray, shape (..., n_queries, n_keys)
        Rows sum to 1 (or are all 0 when fully masked).

    Examples
    --------
    >>> q = [[1.0, 0.0], [0.0, 1.0]]
    >>> k = [[1.0, 0.0], [0.0, 1.0]]
    >>> v = [[10.0], [20.0]]
    >>> out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(2))
    >>> w.round(2)
    array([[1.  , 0.  ],
           [0.33, 0.67]])
    >>> out.round(2)
    array([[10. ],
           [16.7]])
    """
    scores = attention_scores(q, k, scale=scale)
    va = as_float_array(v, "v")
    if va.ndim < 2 or va.shape[-2] != scores.shape[-1]:
        raise ValueError(
            f"v must be (..., n_keys, d_v) with n_keys = {scores.shape[-1]}, got shape {va.shape}"
        )
    if mask is not None:
        mask = check_bool_mask(mask)
        try:
            np.broadcast_to(mask, scores.shape)
        except ValueError:
            raise ValueError(
                f"mask of shape {mask.shape} does not broadcast to the scores' shape "
                f"{scores.shape} (..., n_queries, n_keys); give one entry per query and key"
            ) from None
    weights = softmax(scores, axis=-1, where=mask)
    with np.errstate(invalid="ignore", over="ignore"):  # an infinite value: inf or NaN outputs
        return weights @ va, weights


def causal_mask(n: int) -> np.ndarray:
    """An (n, n) boolean mask: query i may attend to keys 0..i (True on and below the diagonal).

    Taught in 04: a token must not look at the tokens that come after it.

    Examples
    --------
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    n = check_int(n, "n")
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths: ArrayLike, n: int) -> np.ndarray:
    """A (len(lengths), n) boolean mask: True for the first ``lengths[b]`` positions of row b.

    Taught in 04. It masks *keys*: to use it on a batch of score matrices of shape
    (batch, n, n), add the query axis, ``padding_mask(lengths, n)[:, None, :]``.

    Examples
    --------
    >>> padding_mask([2, 4], 4).astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 1]])
    """
    n = check_int(n, "n")
    lens = as_array(lengths, "lengths")
    if lens.ndim != 1 or lens.dtype.kind not in "iu":
        raise ValueError(f"lengths must be a 1-D array of integers, got {lengths!r}")
    if np.any(lens < 0) or np.any(lens > n):
        raise ValueError(f"lengths must each be in [0, {n}], got {lens.tolist()}")
    return np.arange(n) < lens[:, None]


def plain_masked_softmax(
    scores: ArrayLike, mask: ArrayLike, fill_value: float = -np.inf
) -> np.ndarray:
    """What a hand-written masked softmax does: fill masked scores, then the usual softmax.

    Taught in 04, to show the two pitfalls the package avoids. The masked scores
    are replaced by `fill_value` and each row goes through the stable formula
    ``exp(s - max) / sum(exp(s - max))`` with no special case:

    - a finite `fill_value` that is not negative enough leaks weight to masked keys;
    - with ``-inf``, a row with every key masked computes ``-inf - (-inf)`` and
      comes out NaN (returned silently, as many frameworks do).

    `mask` must be boolean (True = may attend), as for the core softmax's
    ``where=``; a mask of 0s and 1s raises ``TypeError``.

    Examples
    --------
    >>> s = np.array([[2.0, 1.0, 0.0]])
    >>> plain_masked_softmax(s, [[True, True, False]], fill_value=-1.0).round(3)
    array([[0.705, 0.259, 0.035]])
    >>> plain_masked_softmax(s, [[False, False, False]])
    array([[nan, nan, nan]])
    """
    s = as_float_array(scores, "scores")
    m = check_bool_mask(mask)
    try:
        np.broadcast_shapes(m.shape, s.shape)
    except ValueError:
        raise ValueError(
            f"mask of shape {m.shape} does not broadcast against scores of shape {s.shape}"
        ) from None
    if isinstance(fill_value, (bool, np.bool_)) or not isinstance(
        fill_value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"fill_value must be a number, got {fill_value!r}")
    filled = np.where(m, s, fill_value)
    with np.errstate(invalid="ignore", over="ignore"):
        shifted = filled - filled.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=-1, keepdims=True)


def leaked_mass(weights: ArrayLike, mask: ArrayLike) -> np.ndarray:
    """The total weight each row puts on masked positions (should be exactly 0). Taught in 04.

    Parameters
    ----------
    weights : array_like, shape (..., n_keys)
        Attention weights, one row per query.
    mask : array_like of bool
        True = may attend; broadcast to the shape of `weights` (never the other way).

    Returns
    -------
    ndarray, shape ``weights.shape[:-1]``

    Raises
    ------
    TypeError
        If `mask` is not boolean.
    ValueError
        If `mask` does not broadcast to the shape of `weights`.

    Examples
    --------
    >>> leaked_mass([[0.7, 0.2, 0.1]], [[True, True, False]]).round(3)
    array([0.1])
    """
    w = as_float_array(weights, "weights")
    m = check_bool_mask(mask)
    try:
        m = np.broadcast_to(m, w.shape)
    except ValueError:
        raise ValueError(
            f"mask of shape {m.shape} does not broadcast to weights of shape {w.shape}; "
            "give one mask entry per weight"
        ) from None
    return np.sum(np.where(m, 0.0, w), axis=-1)


def row_entropy(weights: ArrayLike) -> np.ndarray:
    """Entropy in bits of each row of attention weights; an all-zero row counts as 0.

    Taught in 04: low entropy = a sharp row (one key takes almost everything),
    ``log2(n_allowed)`` = a diffuse row (every allowed key the same).

    Examples
    --------
    >>> row_entropy([[1.0, 0.0], [0.5, 0.5], [0.0, 0.0]])
    array([0., 1., 0.])
    """
    w = as_float_array(weights, "weights")
    if w.ndim == 0:
        raise ValueError(f"weights must have a key axis, got the scalar {float(w)}")
    if w.shape[-1] == 0:
        return np.zeros(w.shape[:-1])  # no key at all: nothing to be uncertain about
    # inf + -inf is NaN and entries near 1e308 sum to inf: both refused just below.
    with np.errstate(invalid="ignore", over="ignore"):
        empty = np.sum(w, axis=-1, keepdims=True) == 0
    rows = check_distribution(np.where(empty, 1.0 / w.shape[-1], w), "weights", allow_nan=True)
    h = np.where(empty[..., 0], 0.0, entropy(rows))
    return h + 0.0  # a one-hot row gives -0.0; adding 0.0 makes it print as 0.0


def total_variation(p: ArrayLike, r: ArrayLike) -> np.ndarray:
    """How much probability mass moved between two distributions: ``sum |p - r| / 2``.

    Taught in 04 (how far a small change of scores moves a row of weights).

    Parameters
    ----------
    p, r : array_like, same shape (..., n)
        Distributions along the last axis (not logits: apply softmax first).

    Returns
    -------
    ndarray, shape ``p.shape[:-1]``
        In [0, 1].

    Raises
    ------
    ValueError
        If the shapes differ, or either is not a distribution along the last axis.

    Examples
    --------
    >>> float(total_variation([0.5, 0.5, 0.0], [0.2, 0.5, 0.3]))
    0.3
    """
    pa, ra = check_distribution(p, "p"), check_distribution(r, "r")
    if pa.shape != ra.shape:
        raise ValueError(
            f"p and r must have the same shape, got {pa.shape} and {ra.shape}; "
            "compare distributions over the same keys"
        )
    return 0.5 * np.sum(np.abs(pa - ra), axis=-1)


@dataclass(frozen=True)
class SaturationCurve:
    """Attention rows at several key dimensions: what :func:`saturation_curve` measures.

    Taught in 04.

    Attributes
    ----------
    dims : ndarray of int
        The key dimensions d.
    entropy_scaled, entropy_unscaled : ndarray
        Mean entropy per row in bits at each d, with and without ``1/sqrt(d)``.
    max_weight_scaled, max_weight_unscaled : ndarray
        Mean largest weight per row at each d, with and without ``1/sqrt(d)``.
    max_entropy : float
        ``log2(n_keys)``, the entropy of a uniform row.
    """

    dims: np.ndarray
    entropy_scaled: np.ndarray
    entropy_unscaled: np.ndarray
    max_weight_scaled: np.ndarray
    max_weight_unscaled: np.ndarray
    max_entropy: float


def saturation_curve(
    dims: ArrayLike,
    rng: np.random.Generator,
    *,
    n_keys: int = 16,
    n_queries: int = 200,
) -> SaturationCurve:
    """Mean entropy and largest weight of attention rows, with and without ``1/sqrt(d)``.

    Taught in 04. Queries and keys have independent standard-normal entries, so a
    dot product ``q . k`` has variance d: without scaling the scores spread out
    like ``sqrt(d)`` and the softmax saturates (entropy falls towards 0); dividing by
    ``sqrt(d)`` keeps their variance 1 and the entropy about the same at every d.

    Parameters
    ----------
    dims : array_like of int
        Key dimensions d to try.
    rng : numpy.random.Generator
        Draws the queries and keys (the same draw, sliced, for every d).
    n_keys, n_queries : int
        Keys per row, rows averaged over.

    Returns
    -------
    SaturationCurve
        ``dims``; ``entropy_scaled``, ``entropy_unscaled`` (mean bits per row);
        ``max_weight_scaled``, ``max_weight_unscaled``; ``max_entropy`` = log2(n_keys).

    Examples
    --------
    >>> c = saturation_curve([1, 256], np.random.default_rng(0))
    >>> c.entropy_scaled.round(1), c.entropy_unscaled.round(1)
    (array([3.6, 3.4]), array([3.6, 0.2]))
    """
    check_rng(rng)
    raw = as_array(dims, "dims").ravel()
    if raw.size == 0 or raw.dtype.kind not in "iu" or np.any(raw < 1):
        raise ValueError(
            f"dims must be integers >= 1, got {raw.tolist()}; for example [1, 16, 256]"
        )
    ds = raw.astype(int)
    n_keys = check_int(n_keys, "n_keys")
    n_queries = check_int(n_queries, "n_queries")
    d_max = int(ds.max())
    q = rng.standard_normal((n_queries, d_max))
    k = rng.standard_normal((n_keys, d_max))
    # The dot product over the first d coordinates, for every d at once: a running
    # sum of the coordinate-wise products (cheaper than one matrix product per d).
    running = np.cumsum(q[:, None, :] * k[None, :, :], axis=-1)
    mean_entropy, mean_top = {}, {}   # keyed by scaled (True) or not (False)
    for scaled in (True, False):
        ent, biggest = [], []
        for d in ds:
            scores = running[:, :, d - 1] / (np.sqrt(d) if scaled else 1.0)
            w = softmax(scores)
            ent.append(float(np.mean(row_entropy(w))))
            biggest.append(float(np.mean(w.max(axis=-1))))
        mean_entropy[scaled], mean_top[scaled] = np.array(ent), np.array(biggest)
    return SaturationCurve(
        dims=ds,
        entropy_scaled=mean_entropy[True],
        entropy_unscaled=mean_entropy[False],
        max_weight_scaled=mean_top[True],
        max_weight_unscaled=mean_top[False],
        max_entropy=float(np.log2(n_keys)),
    )
