"""Checkers of lesson 04 (attention.py): masks, masked softmax, attention, multi-head attention."""

from __future__ import annotations

import numpy as np
import pytest
from checks_answers import (
    attention,
    causal_mask,
    masked_softmax,
    multi_head_attention,
    stable_softmax,
)
from checks_helpers import assert_named, wrong_ids

from softmax_lessons import checks


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_then_mask(scores, mask, shift=True):
    p = stable_softmax(scores) if shift else naive_softmax(scores)
    p = p * mask
    return p / p.sum(axis=-1, keepdims=True)


def attention_ignores_mask(q, k, v, mask=None):
    return attention(q, k, v, None)


def heads_of(a, n_heads, interleaved=False):
    n, d = a.shape
    if interleaved:
        return a.reshape(n, d // n_heads, n_heads).transpose(2, 0, 1)
    return a.reshape(n, n_heads, d // n_heads).transpose(1, 0, 2)


def multi_head(q, k, v, n_heads, scale=None, interleaved=False, join=True, axis=-1):
    qh, kh, vh = (heads_of(a, n_heads, interleaved) for a in (q, k, v))
    scores = qh @ kh.transpose(0, 2, 1) / (np.sqrt(qh.shape[-1]) if scale is None else scale)
    w = np.exp(scores - scores.max(axis=axis, keepdims=True))
    w = w / w.sum(axis=axis, keepdims=True)
    out = w @ vh
    return (out.transpose(1, 0, 2).reshape(q.shape[0], -1) if join else out), w


def multi_head_one_scale(q, k, v, n_heads):
    return multi_head(q, k, v, n_heads, scale=np.sqrt(q.shape[-1]))


def multi_head_interleaved(q, k, v, n_heads):
    return multi_head(q, k, v, n_heads, interleaved=True)


def multi_head_not_joined(q, k, v, n_heads):
    return multi_head(q, k, v, n_heads, join=False)


def multi_head_full_vectors(q, k, v, n_heads):
    # every head attends with all of q and k: the same weights n_heads times
    _, w = attention(q, k, v)
    heads_v = heads_of(v, n_heads)
    return np.concatenate([w @ vh for vh in heads_v], axis=-1), np.stack([w] * n_heads)


def multi_head_over_queries(q, k, v, n_heads):
    return multi_head(q, k, v, n_heads, axis=-2)


def multi_head_columns_interleaved_in_output(q, k, v, n_heads):
    out, w = multi_head(q, k, v, n_heads, join=False)
    return out.transpose(1, 2, 0).reshape(q.shape[0], -1), w


WRONG = [
    # 04.1 causal mask
    (
        "04.1",
        checks.check_causal_mask,
        lambda n: causal_mask(n).T,
        "your mask is the transpose",
        "j <= i",
    ),
    (
        "04.1",
        checks.check_causal_mask,
        lambda n: causal_mask(n) & ~np.eye(n, dtype=bool),
        "may not attend to itself",
        "the diagonal is True",
    ),
    (
        "04.1",
        checks.check_causal_mask,
        lambda n: np.tril(np.ones((n, n))),
        "expected booleans (True = may attend), got dtype float64",
        "build it with a comparison",
    ),
    # 04.2 masking with 0 instead of -inf
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: masked_softmax(s, m, fill=0.0),
        "masked positions still get probability (up to 0.35), as if they had a score of 0",
        "a score of 0 is not 'nothing', since exp(0) = 1; mask with -inf instead of 0",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: masked_softmax(s, m, fill=-10.0),
        "on a 4 x 4 score matrix with a causal mask masked positions still get probability",
        "not negative enough for these scores; use -inf",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: masked_softmax(s, m, fill=-100.0),
        "on scores 1000 times larger masked positions still get probability (up to 0.33)",
        "not negative enough for these scores; use -inf",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: stable_softmax(s) * m,
        "rows sum to less than 1",
        "zeroing probabilities after the softmax does not renormalise",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: naive_softmax(np.where(m, s, -np.inf)),
        "fine on small logits, but NaN on",
        "subtract the maximum",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        softmax_then_mask,
        "NaN on scores whose masked positions are huge (1000) and allowed ones small",
        "the softmax ran before the mask",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: softmax_then_mask(s, m, shift=False),
        "on scores whose masked positions are huge (1000) and allowed ones small",
        "renormalising gave 0 / 0; mask the scores with -inf before the softmax",
    ),
    # 04.3 attention
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, scale=1.0),
        "your weights are those of unscaled scores, too sharp",
        "divide the scores by sqrt(d) = 2",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, scale=4.0),
        "your weights are those of scores divided by d = 4, too flat",
        "divide them by sqrt(d) = 2",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, axis=0),
        "softmax over the wrong axis",
        "axis=-1",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, fill=0.0),
        "masked positions still get probability",
        "mask with -inf instead of 0",
    ),
    (
        "04.3",
        checks.check_attention,
        attention_ignores_mask,
        "with a mask your weights are the same as without it: the mask is ignored",
        "leave out the keys where mask is False",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: (attention(q, k, v, m)[0] / 5, attention(q, k, v, m)[1]),
        "the weights are right but the output is not",
        "weights @ v",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: {"out": attention(q, k, v, m)[0]},
        "expected a pair (output, weights), got a dict",
        None,
    ),
    # 04.6 multi-head attention
    (
        "04.6",
        checks.check_multi_head_attention,
        multi_head_one_scale,
        "with 2 heads your weights are those of scores divided by sqrt(8), too flat",
        "d / n_heads = 4: divide its scores by sqrt(4)",
    ),
    (
        "04.6",
        checks.check_multi_head_attention,
        multi_head_interleaved,
        "your head h takes columns h, h + 2, h + 4, ... of q and k, not a block of consecutive",
        "reshape to (n, n_heads, d_head)",
    ),
    (
        "04.6",
        checks.check_multi_head_attention,
        multi_head_not_joined,
        "your output has shape (2, 3, 2), one block per head",
        "side by side",
    ),
    (
        "04.6",
        checks.check_multi_head_attention,
        multi_head_full_vectors,
        "with 2 heads every head has the same weights",
        "its own slice of the columns",
    ),
    (
        "04.6",
        checks.check_multi_head_attention,
        multi_head_over_queries,
        "each column of a head's weights sums to 1, not each row",
        "softmax along axis=-1",
    ),
    (
        "04.6",
        checks.check_multi_head_attention,
        lambda q, k, v, n_heads: multi_head(q, k, v, n_heads, scale=1.0),
        "your weights are those of unscaled scores, too sharp",
        "sqrt(d / n_heads)",
    ),
    (
        "04.6",
        checks.check_multi_head_attention,
        multi_head_columns_interleaved_in_output,
        "the weights are right, but the heads' output columns are interleaved",
        "head 0's columns first",
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, symptom, hint, capsys):
    assert_named(exercise, checker, fn, symptom, hint, capsys)


def test_attention_accepts_a_list_as_well_as_a_tuple():
    result = checks.check_attention(lambda q, k, v, mask=None: list(attention(q, k, v, mask)))
    assert result.passed, result.message


def test_multi_head_attention_with_one_head_is_plain_attention():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    out, w = multi_head_attention(q, k, v, 1)
    out_1, w_1 = attention(q, k, v)
    np.testing.assert_allclose(out, out_1)
    np.testing.assert_allclose(w[0], w_1)
