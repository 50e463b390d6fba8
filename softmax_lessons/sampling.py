"""Temperature, and sampling the next token: greedy, temperature, top-k and top-p.

Taught in 03. Every function that draws takes a :class:`numpy.random.Generator`
(``rng``) and never touches NumPy's global random state, so a lesson that seeds
one generator at the top gets the same draws every time.

Logits ``x`` are a 1-D array over a vocabulary (the scores of the next token).
The distribution a sampler draws from is built in a fixed order, as in common
text-generation libraries:

1. ``softmax(x / temperature)``;
2. top-k: keep the `top_k` most likely tokens, set the rest to 0, renormalise;
3. top-p (nucleus): keep the smallest set of most likely tokens whose
   probabilities add up to at least `top_p`, set the rest to 0, renormalise.

Ties are broken by position: among tokens with equal probability the one with
the lower index counts as more likely (for greedy, top-k and top-p alike).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .core import softmax
from .validation import (
    as_float_array,
    as_logits,
    check_distribution,
    check_int,
    check_rng,
    check_sampling_logits,
    check_temperature,
    inverse_cdf,
)

__all__ = [
    "draw_counts",
    "filter_top_k",
    "filter_top_p",
    "greedy",
    "greedy_decode",
    "gumbel_max_sample",
    "sample",
    "sample_decode",
    "sampling_probabilities",
    "temperature_path",
]


def _as_logits_1d(x: ArrayLike) -> np.ndarray:
    arr = as_float_array(x)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"x must be a non-empty 1-D array of logits over the vocabulary, got shape "
            f"{arr.shape}; sample one position at a time"
        )
    return arr


def _check_top_k(top_k: int) -> int:
    return check_int(top_k, "top_k", hint="use top_k=None to keep every token")


def _check_top_p(top_p: float) -> float:
    if isinstance(top_p, (bool, np.bool_)) or not isinstance(top_p, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"top_p must be a number in (0, 1], got {top_p!r}")
    value = float(top_p)
    if not 0 < value <= 1:
        raise ValueError(
            f"top_p must be in (0, 1], got {top_p!r}; use top_p=1.0 (or None) to keep "
            "every token, and a small top_p such as 0.01 to keep only the most likely one"
        )
    return value


def _descending(p: np.ndarray) -> np.ndarray:
    """Indices from most to least likely; equal probabilities keep their order (stable)."""
    return np.argsort(-p, axis=-1, kind="stable")


def _renormalise(p: np.ndarray, keep: np.ndarray) -> np.ndarray:
    kept = np.where(keep, p, 0.0)
    return kept / np.sum(kept, axis=-1, keepdims=True)


def greedy(x: ArrayLike) -> int:
    """Greedy decoding: the index of the largest logit (the first one if several tie).

    Taught in 03. It is the limit of temperature sampling as T -> 0+, and needs
    no random numbers at all. ``-inf`` marks a forbidden token.

    Raises
    ------
    ValueError
        If `x` holds a NaN or ``+inf``, or every logit is ``-inf`` (nothing allowed).

    Examples
    --------
    >>> greedy([2.0, 1.0, 0.0])
    0
    >>> greedy([1.0, 3.0, 3.0])    # a tie goes to the lower index
    1
    """
    return int(np.argmax(check_sampling_logits(_as_logits_1d(x))))


def filter_top_k(p: ArrayLike, top_k: int) -> np.ndarray:
    """Keep the `top_k` most likely entries of each distribution along the last axis; renormalise.

    Taught in 03. Entries outside the top k become exactly 0 and the kept ones
    are divided by their sum, so the result is again a distribution. A tie at
    the k-th place is broken by position (lower index kept). ``top_k >= n``
    keeps everything.

    Parameters
    ----------
    p : array_like, shape (..., n)
        Probabilities along the last axis.
    top_k : int
        How many entries to keep; an integer >= 1.

    Returns
    -------
    ndarray
        Same shape as `p`; at most `top_k` non-zero entries per distribution, summing to 1.

    Raises
    ------
    ValueError
        If `top_k` is not an integer >= 1, or `p` is not a distribution along the
        last axis (negative, NaN, or not summing to 1: logits passed by mistake).

    Examples
    --------
    >>> filter_top_k([0.5, 0.2, 0.3], 2).round(3)
    array([0.625, 0.   , 0.375])
    >>> filter_top_k([0.25, 0.25, 0.25, 0.25], 2)    # ties: the first two win
    array([0.5, 0.5, 0. , 0. ])
    """
    arr = check_distribution(p)
    k = _check_top_k(top_k)
    if k >= arr.shape[-1]:
        return arr / np.sum(arr, axis=-1, keepdims=True)
    order = _descending(arr)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(arr.shape[-1]), axis=-1)
    return _renormalise(arr, rank < k)


def filter_top_p(p: ArrayLike, top_p: float) -> np.ndarray:
    """Nucleus filtering: keep the smallest set of most likely entries with total >= `top_p`.

    Taught in 03. Entries are taken from the most likely down until their
    cumulative probability reaches `top_p`; the rest become exactly 0 and the
    kept ones are renormalised. The most likely entry is always kept, so a tiny
    `top_p` gives greedy decoding; ``top_p = 1.0`` keeps every entry.

    Parameters
    ----------
    p : array_like, shape (..., n)
        Probabilities along the last axis.
    top_p : float
        Probability mass to keep, in (0, 1].

    Returns
    -------
    ndarray
        Same shape as `p`, each distribution renormalised over its nucleus.

    Raises
    ------
    ValueError
        If `top_p` is not in (0, 1], or `p` is not a distribution along the last
        axis (negative, NaN, or not summing to 1: logits passed by mistake).

    Examples
    --------
    >>> filter_top_p([0.5, 0.2, 0.3], 0.75).round(3)     # 0.5 + 0.3 = 0.8 >= 0.75
    array([0.625, 0.   , 0.375])
    >>> filter_top_p([0.5, 0.2, 0.3], 0.01)              # only the most likely
    array([1., 0., 0.])
    """
    arr = check_distribution(p)
    threshold = _check_top_p(top_p)
    if threshold >= 1.0:
        return arr / np.sum(arr, axis=-1, keepdims=True)
    order = _descending(arr)
    # In float64: a float16 cumulative sum would drift, and a tiny top_p would round to 0.
    sorted_p = np.take_along_axis(arr, order, axis=-1).astype(np.float64)
    cumulative = np.cumsum(sorted_p, axis=-1)
    # An entry is kept if the mass of the entries strictly before it is still short
    # of top_p: that is exactly "up to and including the first one that reaches it".
    before = cumulative - sorted_p
    keep_sorted = before < threshold
    keep = np.empty_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    return _renormalise(arr, keep)


def sampling_probabilities(
    x: ArrayLike,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> np.ndarray:
    """The distribution a sampler draws from: softmax(x / T), then top-k, then top-p.

    Taught in 03.

    Parameters
    ----------
    x : array_like, shape (n,)
        Logits over the vocabulary.
    temperature : float, default 1.0
        Divides the logits; finite and > 0 (for T -> 0 use `greedy`).
    top_k : int, optional
        Keep only the `top_k` most likely tokens (None keeps all).
    top_p : float, optional
        Keep only the nucleus of mass `top_p` (None keeps all).

    Returns
    -------
    ndarray, shape (n,)
        Probabilities summing to 1, exactly 0 for every filtered-out token.

    Raises
    ------
    ValueError
        If `x` holds a NaN or ``+inf``, or every logit is ``-inf`` (nothing to sample).

    Examples
    --------
    >>> sampling_probabilities([2.0, 1.0, 0.0], temperature=2.0).round(3)
    array([0.506, 0.307, 0.186])
    >>> sampling_probabilities([2.0, 1.0, 0.0], top_k=2).round(3)
    array([0.731, 0.269, 0.   ])
    """
    arr = check_sampling_logits(_as_logits_1d(x))
    p = softmax(arr, temperature=check_temperature(temperature))
    if top_k is not None:
        p = filter_top_k(p, top_k)
    if top_p is not None:
        p = filter_top_p(p, top_p)
    return p


def draw_counts(p: ArrayLike, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draw `n_draws` tokens from the distribution `p` and count how often each came up.

    Taught in 03. Each draw is one uniform number ``u`` in [0, 1) turned into a
    token by the inverse of the cumulative distribution (the token whose slice of
    [0, 1) contains ``u``); a token with probability 0 is never drawn.

    Parameters
    ----------
    p : array_like, shape (n,)
        Probabilities: >= 0 and summing to 1 (they are never renormalised
        silently; pass logits through `sampling_probabilities` first).
    n_draws : int
        How many tokens to draw; an integer >= 0.
    rng : numpy.random.Generator
        The lesson's seeded generator.

    Returns
    -------
    ndarray of int, shape (n,)
        How often each token was drawn; sums to `n_draws`.

    Raises
    ------
    ValueError
        If `p` is not a 1-D distribution, or `n_draws` is not an integer >= 0.
    TypeError
        If `rng` is not a numpy.random.Generator.

    Examples
    --------
    >>> counts = draw_counts([0.5, 0.0, 0.5], 1000, np.random.default_rng(0))
    >>> int(counts.sum()), int(counts[1])
    (1000, 0)
    """
    arr = check_distribution(p)
    if arr.ndim != 1:
        raise ValueError(f"p must be one 1-D distribution, got shape {arr.shape}")
    n = check_int(n_draws, "n_draws", minimum=0)
    tokens = _draw(arr, rng, n)
    return np.bincount(tokens, minlength=arr.size)


def _draw(p: np.ndarray, rng: np.random.Generator, size: int | None) -> np.ndarray:
    """`size` tokens from the 1-D distribution `p`, by the inverse of its cdf."""
    return inverse_cdf(p, check_rng(rng).random(size))


def sample(
    x: ArrayLike,
    rng: np.random.Generator,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    size: int | None = None,
) -> int | np.ndarray:
    """Draw token indices from `sampling_probabilities(x, ...)` with the generator `rng`.

    Taught in 03. With ``size=None`` one int is returned, otherwise an array of
    `size` independent draws.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sample([2.0, 1.0, 0.0], rng, size=8)
    array([0, 0, 0, 0, 1, 2, 0, 1])
    >>> sample([2.0, 1.0, 0.0], rng, top_k=1)    # top-1 is greedy
    0
    """
    p = sampling_probabilities(x, temperature=temperature, top_k=top_k, top_p=top_p)
    if size is not None:
        size = check_int(size, "size", hint="use size=None for a single draw")
    tokens = _draw(p, rng, size)
    return int(tokens) if size is None else tokens


def temperature_path(x: ArrayLike, temperatures: ArrayLike) -> np.ndarray:
    """``softmax(x / T)`` for every T in `temperatures`: one distribution per row.

    Taught in 03; used to draw entropy against T and the path across the simplex.

    Examples
    --------
    >>> temperature_path([2.0, 1.0, 0.0], [0.5, 1.0, 2.0]).round(3)
    array([[0.867, 0.117, 0.016],
           [0.665, 0.245, 0.09 ],
           [0.506, 0.307, 0.186]])
    """
    arr = check_sampling_logits(_as_logits_1d(x))
    ts = as_float_array(temperatures, "temperatures")
    if ts.ndim > 1:
        raise ValueError(f"temperatures must be a 1-D list, got shape {ts.shape}")
    # One softmax per temperature, each subtracting the maximum before dividing
    # (x / T first would overflow where softmax(x, temperature=T) is fine).
    rows = [softmax(arr, temperature=check_temperature(t)) for t in np.atleast_1d(ts).tolist()]
    return np.stack(rows) if rows else np.empty((0, arr.size), dtype=arr.dtype)


def _check_story(next_logits: ArrayLike, start: int, steps: int) -> np.ndarray:
    table = as_float_array(next_logits, name="next_logits")
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise ValueError(
            f"next_logits must be a square (vocab, vocab) table, got shape {table.shape}; "
            "row i holds the logits of the token that follows token i"
        )
    check_int(start, "start", minimum=0)
    if not start < table.shape[0]:
        raise ValueError(f"start must be a token index in [0, {table.shape[0]}), got {start}")
    check_int(steps, "steps", minimum=0)
    return table


def greedy_decode(next_logits: ArrayLike, start: int, steps: int) -> list[int]:
    """Generate `steps` tokens after `start` by always taking the most likely next token.

    Taught in 03. `next_logits` is a bigram table: row ``i`` holds the logits of the
    token that follows token ``i``. Greedy decoding is deterministic, so as soon
    as a token repeats, the text loops forever.

    Examples
    --------
    >>> table = np.array([[0.0, 2.0, 1.0],      # after "a": "b" is most likely
    ...                   [1.0, 0.0, 3.0],      # after "b": "c"
    ...                   [2.0, 1.0, 0.0]])     # after "c": "a"
    >>> " ".join("abc"[t] for t in greedy_decode(table, start=0, steps=6))
    'a b c a b c a'

    Lesson 03 decodes the story table of :mod:`softmax_lessons.scenes`.
    """
    table = _check_story(next_logits, start, steps)
    tokens = [int(start)]
    for _ in range(int(steps)):
        tokens.append(greedy(table[tokens[-1]]))
    return tokens


def sample_decode(
    next_logits: ArrayLike,
    start: int,
    steps: int,
    rng: np.random.Generator,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> list[int]:
    """Generate `steps` tokens after `start`, sampling each one. Taught in 03.

    Same table as `greedy_decode`; every step calls `sample` with `rng`.

    Examples
    --------
    >>> table = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 3.0], [2.0, 1.0, 0.0]])
    >>> tokens = sample_decode(table, 0, 8, np.random.default_rng(3), top_k=1)
    >>> tokens == greedy_decode(table, 0, 8)     # top-1 sampling is greedy
    True
    """
    table = _check_story(next_logits, start, steps)
    check_rng(rng)
    tokens = [int(start)]
    for _ in range(int(steps)):
        tokens.append(
            sample(table[tokens[-1]], rng, temperature=temperature, top_k=top_k, top_p=top_p)
        )
    return tokens


def gumbel_max_sample(
    x: ArrayLike, rng: np.random.Generator, size: int | None = None
) -> np.ndarray | int:
    """Sample class indices from ``softmax(x)`` as ``argmax(x + Gumbel noise)``.

    Taught in 06. Gumbel noise is ``-log(-log(U))`` for uniform ``U``. No softmax,
    no normalisation and no cumulative sum are needed, and a masked logit
    (``-inf``) is never chosen.

    Parameters
    ----------
    x : array_like, shape (..., n)
        Logits; one draw per row.
    rng : numpy.random.Generator
        The source of randomness (pass the lesson's seeded generator).
    size : int, optional
        Number of draws; the result then has shape ``(size,) + x.shape[:-1]``.

    Raises
    ------
    ValueError
        If a logit is NaN or ``+inf``, a row is all ``-inf`` (nothing to draw),
        or `size` is not an integer >= 1; the same rule as
        :func:`sample`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> draws = gumbel_max_sample([2.0, 1.0, 0.0], rng, size=10_000)
    >>> (np.bincount(draws, minlength=3) / 10_000).round(2)   # softmax: 0.665, 0.245, 0.090
    array([0.66, 0.25, 0.09])
    """
    arr = check_sampling_logits(as_logits(x, "gumbel_max_sample"))
    check_rng(rng)
    shape = arr.shape if size is None else (check_int(size, "size"), *arr.shape)
    noise = rng.gumbel(size=shape)
    draws = np.argmax(arr + noise, axis=-1)
    return int(draws) if draws.ndim == 0 else draws
