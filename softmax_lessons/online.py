"""Online and blockwise softmax, tiled attention, and sparsemax.

Taught in 06. The softmax normaliser ``logsumexp(x)`` can be carried as a small
*state*: the largest logit seen so far, ``m``, and the sum of ``exp(x_i - m)``
over the logits seen so far, ``total``. Two states merge exactly:

    m = max(m_a, m_b)
    total = total_a * exp(m_a - m) + total_b * exp(m_b - m)

Merging one logit at a time gives the one-pass *online* normaliser; merging the
states of chunks, in any order, gives *blockwise* softmax, which is how tiled
attention kernels (FlashAttention) avoid ever storing the full score matrix.

Everything here works along the last axis. An empty state is ``(-inf, 0)``: it
is what a chunk with nothing allowed (all ``-inf``) gives, and merging it
changes nothing. A NaN or ``+inf`` logit makes its row NaN, as in the core.

Each method can count its passes over memory with a
:class:`softmax_lessons.speed.MemoryTally` (lesson 06's speed section).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .speed import MemoryTally, ensure_tally, output_pass
from .validation import as_float_array, as_logits, check_int

__all__ = [
    "SoftmaxState",
    "block_states",
    "blockwise_softmax",
    "merge_states",
    "online_normaliser",
    "online_softmax",
    "sparsemax",
    "state_of",
    "tiled_attention",
]


_rows = as_logits  # logits with a non-empty last axis (shared with losses)


# ---------------------------------------------------------------------------
# The (max, sum) state
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SoftmaxState:
    """What a softmax needs to remember about some logits: their max and ``sum exp(x - max)``.

    Taught in 06. Fields may be floats or arrays (one state per row). The
    normaliser is ``logsumexp = max + log(total)``.

    Examples
    --------
    >>> s = state_of([2.0, 1.0, 0.0])
    >>> float(s.max), round(float(s.total), 4), round(float(s.logsumexp), 4)
    (2.0, 1.5032, 2.4076)
    """

    max: float | np.ndarray
    total: float | np.ndarray

    @property
    def logsumexp(self) -> float | np.ndarray:
        with np.errstate(divide="ignore"):
            return self.max + np.log(self.total)


def _rescale(total, old_max, new_max):
    """``total * exp(old_max - new_max)``, with an empty state (old_max = -inf) giving 0."""
    empty = old_max == -np.inf
    with np.errstate(invalid="ignore"):
        return np.where(empty, 0.0, total * np.exp(np.where(empty, 0.0, old_max - new_max)))


def state_of(x: ArrayLike) -> SoftmaxState:
    """The state of one chunk of logits (along the last axis), computed directly.

    Taught in 06. An empty or fully masked chunk gives the empty state ``(-inf, 0)``.

    Examples
    --------
    >>> s = state_of([-np.inf, -np.inf])
    >>> float(s.max), float(s.total)
    (-inf, 0.0)
    """
    arr = as_float_array(x)
    if arr.ndim == 0:
        raise ValueError(f"x must be logits with a class axis, got the scalar {float(arr)}; "
                         "wrap it in a list")
    if arr.shape[-1] == 0:
        return SoftmaxState(np.full(arr.shape[:-1], -np.inf)[()], np.zeros(arr.shape[:-1])[()])
    m = np.max(arr, axis=-1)
    shift = np.where(m == -np.inf, 0.0, m)
    with np.errstate(invalid="ignore"):  # a +inf logit: inf - inf, a NaN total (its row is NaN)
        total = np.sum(np.exp(arr - shift[..., None]), axis=-1)
    return SoftmaxState(m[()], total[()])


def merge_states(a: SoftmaxState, b: SoftmaxState) -> SoftmaxState:
    """Combine the states of two chunks into the state of both together.

    Taught in 06. The merge is exact (up to rounding), commutative and associative,
    so chunks can be processed in any order, or in parallel, and merged later.
    A state's ``total`` is a sum of exponentials, so a negative one is refused
    (``ValueError``): it cannot come from any logits.

    Examples
    --------
    >>> whole = merge_states(state_of([2.0]), state_of([1.0, 0.0]))
    >>> round(float(whole.logsumexp), 4)
    2.4076
    """
    for name, state in (("a", a), ("b", b)):
        if not isinstance(state, SoftmaxState):
            raise TypeError(
                f"{name} must be a SoftmaxState, got {type(state).__name__}; "
                "build states with state_of"
            )
        if np.any(np.asarray(state.total) < 0):
            raise ValueError(
                f"{name}.total must be >= 0 (a sum of exp(x - max)), got {state.total}; "
                "build states with state_of"
            )
    m = np.maximum(a.max, b.max)
    total = _rescale(a.total, a.max, m) + _rescale(b.total, b.max, m)
    return SoftmaxState(m[()], total[()])


def online_normaliser(
    x: ArrayLike, *, trace: bool = False
) -> SoftmaxState | tuple[SoftmaxState, SoftmaxState]:
    """One pass over the logits, keeping a running max and a rescaled running sum.

    Taught in 06. For each new logit ``x_i``::

        m_new = max(m, x_i)
        total = total * exp(m - m_new) + exp(x_i - m_new)

    When the max grows, the sum so far is rescaled to the new max, so no term is
    ever ``exp`` of a positive number.

    Parameters
    ----------
    x : array_like, shape (..., n)
        Logits; the pass runs along the last axis (all rows at once).
    trace : bool, default False
        Also return the state after each logit, for plotting: a `SoftmaxState` whose
        ``max`` and ``total`` are arrays of shape ``(..., n)`` (the running max and the
        running sum).

    Returns
    -------
    SoftmaxState, or (SoftmaxState, SoftmaxState) if `trace`

    Examples
    --------
    >>> s = online_normaliser([0.0, 1.0, 2.0])
    >>> float(s.max), round(float(s.total), 4)
    (2.0, 1.5032)
    >>> _, trace = online_normaliser([0.0, 2.0, 1.0], trace=True)
    >>> trace.max.tolist(), trace.total.round(3).tolist()
    ([0.0, 2.0, 2.0], [1.0, 1.135, 1.503])
    """
    arr = _rows(x, "online_normaliser")
    m = np.full(arr.shape[:-1], -np.inf)
    total = np.zeros(arr.shape[:-1])
    running_max, running_total = [], []
    for i in range(arr.shape[-1]):
        xi = arr[..., i]
        m_new = np.maximum(m, xi)
        total = _rescale(total, m, m_new) + _rescale(1.0, xi, m_new)
        m = m_new
        if trace:
            running_max.append(m)
            running_total.append(total)
    state = SoftmaxState(m[()], total[()])
    if trace:
        return state, SoftmaxState(np.stack(running_max, axis=-1),
                                   np.stack(running_total, axis=-1))
    return state


def online_softmax(x: ArrayLike, *, tally: MemoryTally | None = None) -> np.ndarray:
    """Softmax from the one-pass online normaliser, then the output pass: two reads, one write.

    Taught in 06. Equal to the two-pass softmax up to a few units in the last place.

    Examples
    --------
    >>> online_softmax([1000.0, 1001.0, 999.0]).round(4)
    array([0.2447, 0.6652, 0.09  ])
    """
    arr = _rows(x, "online_softmax")
    t = ensure_tally(tally)
    state = online_normaliser(arr)
    t.read("x (one pass: running max and rescaled sum)")
    return output_pass(arr, np.asarray(state.max)[..., None],
                        np.asarray(state.total)[..., None], t)


def block_states(x: ArrayLike, block_size: int) -> list[SoftmaxState]:
    """The state of each consecutive chunk of `block_size` logits (the last may be shorter).

    Taught in 06.

    Examples
    --------
    >>> [float(s.max) for s in block_states([0.0, 3.0, 1.0, 2.0, 5.0], 2)]
    [3.0, 2.0, 5.0]
    """
    arr = _rows(x, "block_states")
    block_size = check_int(block_size, "block_size", hint="try 128")
    n = arr.shape[-1]
    return [state_of(arr[..., start:start + block_size]) for start in range(0, n, block_size)]


def blockwise_softmax(
    x: ArrayLike,
    block_size: int,
    *,
    order: Sequence[int] | None = None,
    tally: MemoryTally | None = None,
) -> np.ndarray:
    """Softmax from the states of chunks, merged in any `order`, then the output pass.

    Taught in 06. Each chunk could be handled by a different processor; only the
    small states travel. The result equals the full softmax whatever the order.

    Parameters
    ----------
    x : array_like, shape (..., n)
        Logits.
    block_size : int
        Logits per chunk.
    order : sequence of int, optional
        A permutation of the chunk indices: the order in which states are merged.
    tally : MemoryTally, optional
        Records the passes over memory.

    Examples
    --------
    >>> blockwise_softmax([2.0, 1.0, 0.0, -1.0], 2, order=[1, 0]).round(3)
    array([0.644, 0.237, 0.087, 0.032])
    """
    arr = _rows(x, "blockwise_softmax")
    t = ensure_tally(tally)
    states = block_states(arr, block_size)
    t.read("x (each chunk once, for its state)")
    order = list(range(len(states))) if order is None else [
        check_int(i, "every entry of order", minimum=0) for i in order
    ]
    if sorted(order) != list(range(len(states))):
        raise ValueError(
            f"order must be a permutation of 0..{len(states) - 1} (one entry per chunk), "
            f"got {order}"
        )
    state = SoftmaxState(np.full(arr.shape[:-1], -np.inf)[()], np.zeros(arr.shape[:-1])[()])
    for i in order:
        state = merge_states(state, states[i])
    return output_pass(arr, np.asarray(state.max)[..., None],
                        np.asarray(state.total)[..., None], t)


# ---------------------------------------------------------------------------
# Tiled attention
# ---------------------------------------------------------------------------


def tiled_attention(
    q: ArrayLike, k: ArrayLike, v: ArrayLike, block_size: int
) -> np.ndarray:
    """Attention ``softmax(q k^T / sqrt(d)) v`` computed one block of keys at a time.

    Taught in 06. The full score matrix is never stored: for each block of keys we
    compute its scores, update every query's running (max, sum) state, and rescale
    the running weighted sum of values by the same factor as the sum. This is the
    idea of FlashAttention, written with NumPy.

    Parameters
    ----------
    q : array_like, shape (n_queries, d)
    k : array_like, shape (n_keys, d)
    v : array_like, shape (n_keys, d_v)
    block_size : int
        Keys (and values) per block.

    Returns
    -------
    ndarray, shape (n_queries, d_v)

    Raises
    ------
    ValueError
        If the shapes do not match, there are no keys (as in
        `scaled_dot_product_attention`), or `block_size` is not an integer >= 1.

    Examples
    --------
    >>> q = np.array([[1.0, 0.0]]); k = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> v = np.array([[10.0], [20.0]])
    >>> tiled_attention(q, k, v, block_size=1).round(3)
    array([[13.302]])
    """
    q, k, v = (as_float_array(a, name) for a, name in ((q, "q"), (k, "k"), (v, "v")))
    if q.ndim != 2 or k.ndim != 2 or v.ndim != 2 or q.shape[1] != k.shape[1] \
            or k.shape[0] != v.shape[0]:
        raise ValueError(
            f"need q (n_queries, d), k (n_keys, d), v (n_keys, d_v); got shapes "
            f"{q.shape}, {k.shape}, {v.shape}"
        )
    if q.shape[1] == 0:
        raise ValueError(
            f"q and k must have d >= 1 features, got shapes {q.shape} and {k.shape}"
        )
    if k.shape[0] == 0:
        raise ValueError(
            f"tiled_attention needs at least one key, got k of shape {k.shape}; "
            "a query with nothing to attend to has no softmax"
        )
    block_size = check_int(block_size, "block_size", hint="try 64")
    scale = 1.0 / np.sqrt(q.shape[1])
    m = np.full(q.shape[0], -np.inf)   # running max of each query's scores
    total = np.zeros(q.shape[0])       # running sum of exp(score - m)
    acc = np.zeros((q.shape[0], v.shape[1]))  # running sum of exp(score - m) * value
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and inf scores: NaN, as in the core
        for start in range(0, k.shape[0], block_size):
            scores = q @ k[start:start + block_size].T * scale
            m_new = np.maximum(m, scores.max(axis=1))
            factor = _rescale(1.0, m, m_new)           # exp(m - m_new), 0 for the first block
            shift = np.where(m_new == -np.inf, 0.0, m_new)  # all -inf so far: weights 0
            weights = np.exp(scores - shift[:, None])
            total = total * factor + weights.sum(axis=1)
            acc = acc * factor[:, None] + weights @ v[start:start + block_size]
            m = m_new
        # A query whose every score is -inf has total 0: a zero output, as in the core.
        return acc / np.where(total == 0, 1.0, total)[:, None]


# ---------------------------------------------------------------------------
# Sampling and a sparse contrast
# ---------------------------------------------------------------------------


def sparsemax(x: ArrayLike) -> np.ndarray:
    """Euclidean projection of the logits onto the simplex: like softmax, but with exact zeros.

    Taught in 06 as a contrast (Martins and Astudillo, 2016). It returns
    ``max(x - tau, 0)`` with the threshold ``tau`` chosen so the result sums to 1;
    logits far enough below the top get probability exactly 0.

    Same rules as the core softmax: ``-inf`` entries get 0, a row with every
    entry ``-inf`` (nothing allowed) gives zeros, and a NaN or ``+inf`` logit
    makes its whole row NaN.

    Examples
    --------
    >>> sparsemax([2.0, 1.0, 0.0])
    array([1., 0., 0.])
    >>> sparsemax([1.0, 0.8, 0.0]).round(3)
    array([0.6, 0.4, 0. ])
    """
    arr = _rows(x, "sparsemax").astype(np.float64)
    nothing = np.all(arr == -np.inf, axis=-1, keepdims=True)
    broken = np.any(np.isnan(arr) | (arr == np.inf), axis=-1, keepdims=True)
    # Work on clean rows only (a stand-in row of zeros), then write the rules back.
    clean = np.where(nothing | broken, 0.0, arr)
    with np.errstate(over="ignore"):  # a gap beyond the float range: -inf, weight 0
        # Shift invariance, as in softmax: subtracting the maximum changes nothing in
        # exact arithmetic, and keeps 1 + k * z from being rounded away next to 1e16.
        clean = clean - np.max(clean, axis=-1, keepdims=True)
    z = np.sort(clean, axis=-1)[..., ::-1]
    with np.errstate(invalid="ignore", over="ignore"):  # -inf entries: -inf > -inf is False
        cumulative = np.cumsum(z, axis=-1)
        ks = np.arange(1, arr.shape[-1] + 1)
        in_support = 1 + ks * z > cumulative
    k = in_support.sum(axis=-1, keepdims=True)  # size of the support
    tau = (np.take_along_axis(cumulative, k - 1, axis=-1) - 1) / k
    out = np.maximum(clean - tau, 0.0)
    return np.where(broken, np.nan, np.where(nothing, 0.0, out))


