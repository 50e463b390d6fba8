"""Checkers of exercises/04_attention_and_masking.ipynb (Attention and masking)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core import softmax
from .runner import (
    Mistake,
    call_on_copies,
    checker,
    close,
    no_max_shift,
    not_finite,
    off_by,
    result_array,
    result_pair,
    rows_sum_to_one,
)

__all__ = [
    "check_attention",
    "check_causal_mask",
    "check_masked_softmax",
    "check_multi_head_attention",
]


@checker("04.1", "a causal mask", points=1)
def check_causal_mask(fn: Callable) -> str:
    """Exercise 04.1: ``fn(n)`` returns the (n, n) boolean causal mask, True = may attend.

    Taught in 04.

    Examples
    --------
    >>> check_causal_mask(lambda n: np.triu(np.ones((n, n), dtype=bool))).passed
    ✗ Exercise 04.1: position 0 may attend to later positions: your mask is the transpose; \
position i may attend to j only when j <= i (rows are queries)
    False
    """
    for n in (1, 4, 6):
        result = call_on_copies(fn, n)
        got = np.asarray(result)
        if got.shape != (n, n):
            raise Mistake(f"causal_mask({n}) should have shape ({n}, {n}), got {got.shape}")
        if got.dtype != np.bool_:
            raise Mistake(
                f"expected booleans (True = may attend), got dtype {got.dtype}",
                hint="a mask of 0s and 1s is easily mistaken for scores; build it with a "
                "comparison",
            )
        want = np.tril(np.ones((n, n), dtype=bool))
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, want.T):
            raise Mistake(
                "position 0 may attend to later positions: your mask is the transpose",
                hint="position i may attend to j only when j <= i (rows are queries)",
            )
        if not got.diagonal().all():
            raise Mistake(
                f"in causal_mask({n}) a position may not attend to itself",
                hint="each position must be allowed to attend to itself (the diagonal is True)",
            )
        if (got & ~want).any():
            raise Mistake(f"causal_mask({n}) lets a position attend to the future")
        raise Mistake(f"causal_mask({n}) blocks some earlier positions that should be allowed")
    return "lower triangle including the diagonal, as booleans, for n = 1, 4 and 6."


_SCORES = np.array(
    [[-1.0, 0.5, -2.0, 1.0], [2.0, -0.5, -1.5, 0.0], [-3.0, -2.0, 0.5, -1.0], [1.5, 1.0, -0.5, 2.5]]
)
_MASK = np.tril(np.ones((4, 4), dtype=bool))


def _check_masked_weights(got, scores, mask, on):
    """Symptoms of a wrong masked softmax: leaks, no renormalising, wrong axis."""
    leak = float(np.max(np.where(mask, 0.0, got)))
    if leak > 1e-12:
        with_zero = softmax(np.where(mask, scores, 0.0))
        # A fill of 0 is named only where it can be told apart from other fills: on scores
        # where filling with -1 instead would give different weights.
        zero_tells = not close(with_zero, softmax(np.where(mask, scores, -1.0)))
        if close(got, with_zero) and zero_tells:
            raise Mistake(
                f"on {on} masked positions still get probability (up to {leak:.2f}), as if "
                "they had a score of 0",
                hint="a score of 0 is not 'nothing', since exp(0) = 1; mask with -inf instead "
                "of 0 before the softmax",
            )
        raise Mistake(
            f"on {on} masked positions still get probability (up to {leak:.2g})",
            hint="the value you put at masked positions is not negative enough for these "
            "scores; use -inf",
        )
    sums = got.sum(axis=-1)
    if not np.allclose(sums, 1) and np.allclose(got, softmax(scores) * mask):
        raise Mistake(
            f"on {on} rows sum to less than 1 (row sums {np.round(sums, 2).tolist()})",
            hint="zeroing probabilities after the softmax does not renormalise; mask the scores "
            "before it",
        )
    rows_sum_to_one(got, "row", on)


@checker("04.2", "masked softmax", points=2)
def check_masked_softmax(fn: Callable) -> str:
    """Exercise 04.2: ``fn(scores, mask)``: row-wise softmax where False positions get 0.

    Taught in 04. No row of the test masks is fully masked.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_masked_softmax(lambda s, m: softmax(np.where(m, s, 0.0))).passed
    ✗ Exercise 04.2: on a 4 x 4 score matrix with a causal mask masked positions \
still get probability (up to 0.35), as if they had a score of 0; a score of 0 is not \
'nothing', since exp(0) = 1; mask with -inf instead of 0 before the softmax
    False
    """
    on = "a 4 x 4 score matrix with a causal mask"
    got = result_array(call_on_copies(fn, _SCORES, _MASK), "weights", _SCORES.shape)
    if not_finite(got):
        raise Mistake(f"{not_finite(got)} on {on} (no row is fully masked)")
    _check_masked_weights(got, _SCORES, _MASK, on)
    want = softmax(_SCORES, where=_MASK)
    if not close(got, want):
        raise off_by(got, want, on)
    # Small allowed scores, huge masked ones: masking first never looks at the huge ones.
    hidden = np.array([[0.0, 1000.0, 1000.0], [1.0, 0.0, 1000.0], [0.5, 2.0, 1.0]])
    keep = np.array([[True, False, False], [True, True, False], [True, True, True]])
    got = result_array(call_on_copies(fn, hidden, keep), "weights", hidden.shape)
    if not_finite(got) or np.isclose(got.sum(axis=-1), 0).any():
        raise Mistake(
            f"{not_finite(got) or 'a row of zeros'} on scores whose masked positions are "
            "huge (1000) and allowed ones small",
            hint="the softmax ran before the mask, so the allowed probabilities underflowed to "
            "0 and renormalising gave 0 / 0; mask the scores with -inf before the softmax, so "
            "masked positions never compete",
        )
    _check_masked_weights(got, hidden, keep, "scores whose masked positions are huge")
    if not close(got, softmax(hidden, where=keep)):
        raise off_by(got, softmax(hidden, where=keep), "scores whose masked positions are huge")
    big = _SCORES * 1000
    got = result_array(call_on_copies(fn, big, _MASK), "weights", big.shape)
    if not_finite(got):
        raise no_max_shift(big[-1], not_finite(got))
    _check_masked_weights(got, big, _MASK, "scores 1000 times larger")
    return "masked positions get exactly 0, rows sum to 1, and large scores do not overflow."


@checker("04.3", "scaled dot-product attention", points=3)
def check_attention(fn: Callable) -> str:
    """Exercise 04.3: ``fn(q, k, v, mask)`` returns ``(output, weights)``.

    Taught in 04. ``weights = softmax(q @ k.T / sqrt(d))`` row by row, with False
    positions of `mask` (or nothing, if None) left out, and ``output = weights @ v``.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> def attention_unscaled(q, k, v, mask=None):
    ...     w = softmax(q @ k.T, where=mask)
    ...     return w @ v, w
    >>> check_attention(attention_unscaled).passed
    ✗ Exercise 04.3: on q (3, 4), k (5, 4), v (5, 2) your weights are those of unscaled \
scores, too sharp; divide the scores by sqrt(d) = 2 before the softmax (d = 4 is the length \
of each query)
    False
    """
    rng = np.random.default_rng(4)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    on = "q (3, 4), k (5, 4), v (5, 2)"
    out, weights = result_pair(call_on_copies(fn, q, k, v, None), "(output, weights)")
    out = result_array(out, "output", (3, 2))
    weights = result_array(weights, "weights", (3, 5))
    scores = q @ k.T
    if close(weights, softmax(scores, axis=0)) or np.allclose(weights.sum(axis=0), 1):
        raise Mistake(
            f"on {on} each column of the weights sums to 1: softmax over the wrong axis",
            hint="each query (row) needs its own distribution over the keys (axis=-1)",
        )
    rows_sum_to_one(weights, "row", on)
    if close(weights, softmax(scores)):
        raise Mistake(
            f"on {on} your weights are those of unscaled scores, too sharp",
            hint="divide the scores by sqrt(d) = 2 before the softmax (d = 4 is the length of "
            "each query)",
        )
    if close(weights, softmax(scores / 4)):
        raise Mistake(
            f"on {on} your weights are those of scores divided by d = 4, too flat",
            hint="divide them by sqrt(d) = 2",
        )
    want = softmax(scores / 2)
    if not close(weights, want):
        raise off_by(weights, want, f"the weights for {on}")
    if not close(out, want @ v):
        raise Mistake(
            f"on {on} the weights are right but the output is not",
            hint="each output row is the weighted average of the rows of v (weights @ v)",
        )
    mask = np.tril(np.ones((3, 5), dtype=bool))
    _, weights = result_pair(call_on_copies(fn, q, k, v, mask), "(output, weights)")
    weights = result_array(weights, "weights", (3, 5))
    if close(weights, want):
        raise Mistake(
            f"on {on} with a mask your weights are the same as without it: the mask is "
            "ignored",
            hint="leave out the keys where mask is False (score -inf before the softmax)",
        )
    _check_masked_weights(weights, scores / 2, mask, f"{on} with a mask")
    if not close(weights, softmax(scores / 2, where=mask)):
        raise off_by(weights, softmax(scores / 2, where=mask), f"{on} with a mask")
    return "scaled by sqrt(d), one distribution per query, masked keys get 0, output = weights @ v."


def _heads(x: np.ndarray, n_heads: int, interleaved: bool = False) -> np.ndarray:
    """(n, d) -> (n_heads, n, d / n_heads): blocks of consecutive columns, or interleaved."""
    n, d = x.shape
    if interleaved:
        return x.reshape(n, d // n_heads, n_heads).transpose(2, 0, 1)
    return x.reshape(n, n_heads, d // n_heads).transpose(1, 0, 2)


def _multi_head(q, k, v, n_heads, *, scale=None, interleaved=False):
    """Reference multi-head attention and the slips it is compared with: (output, weights)."""
    qh, kh, vh = (_heads(a, n_heads, interleaved) for a in (q, k, v))
    d_head = qh.shape[-1]
    scores = qh @ kh.transpose(0, 2, 1) / (np.sqrt(d_head) if scale is None else scale)
    weights = softmax(scores, axis=-1)
    out = weights @ vh  # (n_heads, n_q, dv_head)
    return out.transpose(1, 0, 2).reshape(q.shape[0], -1), weights


@checker("04.6", "multi-head attention", points=4)
def check_multi_head_attention(fn: Callable) -> str:
    """Exercise 04.6: ``fn(q, k, v, n_heads)`` returns multi-head ``(output, weights)``.

    Taught in 04, extended: head ``h`` takes the ``h``-th block of consecutive columns
    of q, k and v, attends with its own scaled softmax, and the heads' outputs are
    joined side by side. `weights` has shape (n_heads, n_q, n_k).

    Examples
    --------
    >>> def one_scale(q, k, v, n_heads):
    ...     return _multi_head(q, k, v, n_heads, scale=np.sqrt(q.shape[-1]))
    >>> check_multi_head_attention(one_scale).passed
    ✗ Exercise 04.6: on q (3, 8), k (5, 8), v (5, 4) with 2 heads your weights are those \
of scores divided by sqrt(8), too flat; each head compares vectors of length d / n_heads = \
4: divide its scores by sqrt(4)
    False
    """
    rng = np.random.default_rng(46)
    q, k, v = rng.normal(size=(3, 8)), rng.normal(size=(5, 8)), rng.normal(size=(5, 4))
    for n_heads in (2, 4, 1):
        on = f"q (3, 8), k (5, 8), v (5, 4) with {n_heads} head{'s' if n_heads > 1 else ''}"
        out, weights = result_pair(call_on_copies(fn, q, k, v, n_heads), "(output, weights)")
        d_head = 8 // n_heads
        weights = np.asarray(weights, dtype=float)
        if weights.shape == (3, 5) and n_heads > 1:
            raise Mistake(
                f"on {on} your weights have shape (3, 5), one matrix for all heads",
                hint="each head has its own weights: shape (n_heads, n_q, n_k)",
            )
        weights = result_array(weights, "weights", (n_heads, 3, 5))
        want_out, want_w = _multi_head(q, k, v, n_heads)
        if not close(weights, want_w):
            if np.allclose(weights.sum(axis=-2), 1) and not np.allclose(weights.sum(axis=-1), 1):
                raise Mistake(
                    f"on {on} each column of a head's weights sums to 1, not each row",
                    hint="one distribution over the keys per query: softmax along axis=-1",
                )
            if np.allclose(weights.sum(axis=0), 1) and not np.allclose(weights.sum(axis=-1), 1):
                raise Mistake(
                    f"on {on} the weights sum to 1 across the heads, not along each row",
                    hint="each head normalises its own rows: softmax along axis=-1",
                )
            rows_sum_to_one(weights, "row of each head", on)
            if n_heads > 1 and close(weights, _multi_head(q, k, v, n_heads, scale=np.sqrt(8))[1]):
                raise Mistake(
                    f"on {on} your weights are those of scores divided by sqrt(8), too flat",
                    hint=f"each head compares vectors of length d / n_heads = {d_head}: divide "
                    f"its scores by sqrt({d_head})",
                )
            if close(weights, _multi_head(q, k, v, n_heads, scale=1.0)[1]):
                raise Mistake(
                    f"on {on} your weights are those of unscaled scores, too sharp",
                    hint=f"divide each head's scores by sqrt(d / n_heads) = sqrt({d_head})",
                )
            if n_heads > 1 and close(weights, _multi_head(q, k, v, n_heads, interleaved=True)[1]):
                raise Mistake(
                    f"on {on} your head h takes columns h, h + {n_heads}, h + {2 * n_heads}, "
                    "... of q and k, not a block of consecutive columns",
                    hint=f"head h takes columns h * {d_head} to (h + 1) * {d_head}; "
                    f"reshape to (n, n_heads, d_head), not (n, d_head, n_heads)",
                )
            if n_heads > 1 and all(close(w, weights[0]) for w in weights):
                raise Mistake(
                    f"on {on} every head has the same weights",
                    hint="each head attends with its own slice of the columns of q and k",
                )
            raise off_by(weights, want_w, f"the weights for {on}")
        out = np.asarray(out, dtype=float)
        if out.shape == (n_heads, 3, 4 // n_heads) and n_heads > 1:
            raise Mistake(
                f"on {on} your output has shape {out.shape}, one block per head",
                hint="join the heads' outputs side by side: shape (n_q, d_v)",
            )
        out = result_array(out, "output", (3, 4))
        if not close(out, want_out):
            heads_out = want_w @ _heads(v, n_heads)
            if n_heads > 1 and close(out, heads_out.transpose(1, 2, 0).reshape(3, -1)):
                raise Mistake(
                    f"on {on} the weights are right, but the heads' output columns are "
                    "interleaved",
                    hint="put head 0's columns first, then head 1's, and so on",
                )
            raise Mistake(
                f"on {on} the weights are right but the output is not",
                hint="each head's output is its weights @ its block of v's columns",
            )
    return (
        "each head scaled by sqrt(d / n_heads), blocks of columns, joined side by side, "
        "for 1, 2 and 4 heads."
    )
