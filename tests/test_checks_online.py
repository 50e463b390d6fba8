"""Checkers of lesson 06 (online.py): online softmax, merging, Gumbel-max, one-pass attention."""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks_answers import gumbel_max, merge_states, online_attention
from checks_helpers import assert_named, wrong_ids

from softmax_lessons import checks


def online_two_passes(xs):
    m = max(xs)
    return m, sum(math.exp(x - m) for x in xs)


def online_no_rescale(xs):
    m, s = -math.inf, 0.0
    for x in xs:
        m = max(m, x)
        s += math.exp(x - m)
    return m, s


def online_stores_the_input(xs):
    xs = list(xs)  # one read of the stream, then two passes over the copy
    m = max(xs)
    return m, sum(math.exp(x - m) for x in xs)


def online_asks_for_the_length(xs):
    m, s = -math.inf, 0.0
    for i in range(len(xs)):
        new_m = max(m, xs[i])
        s = s * math.exp(m - new_m) + math.exp(xs[i] - new_m)
        m = new_m
    return m, s


def online_indexes_the_input(xs):
    return xs[0], 1.0


def online_starts_at_zero(xs):
    m, s = 0.0, 0.0
    for x in xs:
        new_m = max(m, x)
        s = s * math.exp(m - new_m) + math.exp(x - new_m)
        m = new_m
    return m, s


def merge_without_the_empty_case(a, b):
    m = max(a[0], b[0])
    return m, a[1] * math.exp(a[0] - m) + b[1] * math.exp(b[0] - m)


def merge_empty_as_zero(a, b):
    m = max(a[0], b[0])
    if m == -math.inf:
        return (0.0, 0.0)
    return merge_states(a, b)


def gumbel_uniform_noise(x, rng, size):
    return np.argmax(x + rng.random((size, len(x))), axis=-1)


def gumbel_sign_flipped(x, rng, size):
    u = rng.random((size, len(x)))
    return np.argmax(x + np.log(-np.log(u)), axis=-1)


def gumbel_same_noise_every_draw(x, rng, size):
    g = -np.log(-np.log(rng.random(len(x))))  # one noise vector, reused
    return np.full(size, np.argmax(x + g))


def gumbel_noise_on_probabilities(x, rng, size):
    e = np.exp(x - np.max(x))
    p = e / e.sum()
    return np.argmax(p - np.log(-np.log(rng.random((size, len(x))))), axis=-1)


def gumbel_ready_made(x, rng, size):
    return np.argmax(x + rng.gumbel(size=(size, len(x))), axis=-1)


def gumbel_unseeded(x, rng, size):
    u = np.random.default_rng().random((size, len(x)))
    return np.argmax(x - np.log(-np.log(u)), axis=-1)


def attention_sum_not_rescaled(pairs):
    m, s, acc = -math.inf, 0.0, 0.0
    for score, value in pairs:
        new_m = max(m, score)
        s = s * math.exp(m - new_m) + math.exp(score - new_m)
        acc = acc + math.exp(score - new_m) * value  # the old terms keep their old scale
        m = new_m
    return acc / s


def attention_not_divided(pairs):
    m, s, acc = -math.inf, 0.0, 0.0
    for score, value in pairs:
        new_m = max(m, score)
        scale = math.exp(m - new_m)
        s = s * scale + math.exp(score - new_m)
        acc = acc * scale + math.exp(score - new_m) * value
        m = new_m
    return acc


def attention_two_passes(pairs):
    pairs = list(pairs)
    m = max(score for score, _ in pairs)
    weights = [math.exp(score - m) for score, _ in pairs]
    return sum(w * v for w, (_, v) in zip(weights, pairs, strict=True)) / sum(weights)


def attention_without_shift(pairs):
    s, acc = 0.0, 0.0
    for score, value in pairs:
        s += math.exp(score)
        acc = acc + math.exp(score) * value
    return acc / s


WRONG = [
    # 06.1 online softmax
    (
        "06.1",
        checks.check_online_softmax,
        online_two_passes,
        "read the input twice",
        "reads it once",
    ),
    (
        "06.1",
        checks.check_online_softmax,
        online_no_rescale,
        "your sum is too large",
        "rescaled by exp(old max - new max)",
    ),
    (
        "06.1",
        checks.check_online_softmax,
        online_starts_at_zero,
        "your maximum is 0 but every input is negative",
        "start the running max at -inf",
    ),
    (
        "06.1",
        checks.check_online_softmax,
        online_stores_the_input,
        "on a stream of 20000 logits your function stored the input before using it",
        "two passes over a copy",
    ),
    (
        "06.1",
        checks.check_online_softmax,
        online_asks_for_the_length,
        "asked for the length of the input, but a stream has none",
        "read it once with a for loop",
    ),
    (
        "06.1",
        checks.check_online_softmax,
        online_indexes_the_input,
        "indexed the input",
        "read it once with a for loop",
    ),
    # 06.2 merging states
    (
        "06.2",
        checks.check_merge_states,
        lambda a, b: (max(a[0], b[0]), a[1] + b[1]),
        "your merged sum is the two sums added as they are",
        "rescale each by exp(its max - merged max)",
    ),
    (
        "06.2",
        checks.check_merge_states,
        lambda a, b: (a[0] + b[0], a[1] + b[1]),
        "not the larger of the two maxima",
        None,
    ),
    (
        "06.2",
        checks.check_merge_states,
        merge_without_the_empty_case,
        "merging two empty chunks, (-inf, 0) and (-inf, 0), gives NaN",
        "return the empty state as it is",
    ),
    (
        "06.2",
        checks.check_merge_states,
        merge_empty_as_zero,
        "merging two empty chunks gives (0, 0), not the empty state",
        None,
    ),
    # 06.3 Gumbel-max sampling
    (
        "06.3",
        checks.check_gumbel_max,
        gumbel_uniform_noise,
        "on x = (2, 1, 0, -1) the frequencies of your 20000 draws are up to",
        "-log(-log(u))",
    ),
    (
        "06.3",
        checks.check_gumbel_max,
        gumbel_sign_flipped,
        "away from softmax(x)",
        "added to the logits",
    ),
    (
        "06.3",
        checks.check_gumbel_max,
        gumbel_same_noise_every_draw,
        "on x = (0.5, 0.5), two equal logits, all your 20000 draws are class",
        "fresh noise for every draw",
    ),
    (
        "06.3",
        checks.check_gumbel_max,
        gumbel_noise_on_probabilities,
        "on x = (2, 1, 0, -1) the frequencies of your 20000 draws are up to",
        "not the probabilities",
    ),
    (
        "06.3",
        checks.check_gumbel_max,
        gumbel_ready_made,
        "the exercise says no probabilities (no exp, softmax, cumsum or choice) and your own "
        "Gumbel noise, but your function has rng.gumbel(...) on line 2",
        "-log(-log(u))",
    ),
    (
        "06.3",
        checks.check_gumbel_max,
        gumbel_unseeded,
        "two generators made with the same seed gave different draws",
        "the rng you are given",
    ),
    (
        "06.3",
        checks.check_gumbel_max,
        lambda x, rng, size: gumbel_max(x, rng, size)[:10],
        "expected 20000 draws, shape (20000,), got shape (10,)",
        None,
    ),
    # 06.4 one-pass attention
    (
        "06.4",
        checks.check_online_attention,
        attention_sum_not_rescaled,
        "your output leans towards the values that came before the largest score",
        "rescale the running weighted sum of the values",
    ),
    (
        "06.4",
        checks.check_online_attention,
        attention_not_divided,
        "your output is not a weighted average: its weights do not sum to 1",
        "divide the running weighted sum by the running sum",
    ),
    (
        "06.4",
        checks.check_online_attention,
        attention_two_passes,
        "on a stream of 20000 pairs your function stored the input before using it",
        "two passes over a copy",
    ),
    (
        "06.4",
        checks.check_online_attention,
        attention_without_shift,
        "on scores (1000, 1001, 999) your function raised OverflowError (math range error)",
        "math.exp overflows above about 709",
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, symptom, hint, capsys):
    assert_named(exercise, checker, fn, symptom, hint, capsys)


def test_gumbel_max_answer_never_draws_a_minus_inf_logit():
    draws = gumbel_max(np.array([0.0, -np.inf, 1.0]), np.random.default_rng(0), 5000)
    assert not np.any(draws == 1)


def test_online_attention_equals_softmax_weighted_values():
    from softmax_lessons import softmax

    scores = np.array([0.3, 2.0, -1.0])
    values = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    out = online_attention(zip(scores, values, strict=True))
    np.testing.assert_allclose(out, softmax(scores) @ values)


def online_softmax_without_shift(xs):
    m, s = -math.inf, 0.0
    for x in xs:
        m = max(m, x)
        s += math.exp(x)  # no shift: overflows on large logits
    return m, s * math.exp(-m)


def test_math_exp_overflow_is_named_as_a_missing_shift():
    result = checks.check_online_softmax(online_softmax_without_shift)
    assert result.status == "failed"
    assert "on (1000, 1001, 999) your function raised OverflowError" in result.message
