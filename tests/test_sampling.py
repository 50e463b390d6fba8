"""Tests for softmax_lessons.sampling (lesson 03)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special, stats

from softmax_lessons.sampling import (
    draw_counts,
    filter_top_k,
    filter_top_p,
    greedy,
    greedy_decode,
    sample,
    sample_decode,
    sampling_probabilities,
    temperature_path,
)
from softmax_lessons.scenes import EXAMPLE_LOGITS, STORY_LOGITS, STORY_VOCAB

logits = st.lists(st.floats(-20, 20), min_size=1, max_size=12).map(np.array)
probabilities = logits.map(special.softmax)


def chi_square_p_value(counts, expected_p):
    """Pearson's chi-square goodness of fit, over the tokens that may be drawn."""
    counts = np.asarray(counts, dtype=float)
    expected = np.asarray(expected_p) * counts.sum()
    allowed = expected > 0
    statistic = np.sum((counts[allowed] - expected[allowed]) ** 2 / expected[allowed])
    return stats.chi2.sf(statistic, df=allowed.sum() - 1)


def independent_top_k(p, k):
    """Top-k written differently: sort by (-p, index), keep k, renormalise."""
    ranked = sorted(range(len(p)), key=lambda i: (-p[i], i))[:k]
    out = np.zeros(len(p))
    out[ranked] = np.asarray(p)[ranked]
    return out / out.sum()


def independent_top_p(p, top_p):
    ranked = sorted(range(len(p)), key=lambda i: (-p[i], i))
    out, mass = np.zeros(len(p)), 0.0
    for i in ranked:
        out[i] = p[i]
        mass += p[i]
        if mass >= top_p:
            break
    return out / out.sum()


# --- greedy ---------------------------------------------------------------------


def test_greedy_is_the_argmax():
    assert greedy([2.0, 1.0, 0.0]) == 0
    assert greedy([-5.0, 3.0, 1.0]) == 1


def test_greedy_breaks_ties_by_the_lower_index():
    assert greedy([1.0, 4.0, 4.0, 4.0]) == 1


def test_greedy_refuses_a_batch():
    with pytest.raises(ValueError, match="1-D array of logits"):
        greedy([[1.0, 2.0], [3.0, 4.0]])


# --- top-k ----------------------------------------------------------------------


def test_top_k_keeps_the_k_largest_and_renormalises():
    assert_allclose(filter_top_k([0.1, 0.5, 0.15, 0.25], 2), [0, 0.5 / 0.75, 0, 0.25 / 0.75])


def test_top_k_with_k_at_least_the_vocabulary_changes_nothing():
    p = special.softmax([2.0, 1.0, 0.0])
    assert_allclose(filter_top_k(p, 3), p)
    assert_allclose(filter_top_k(p, 100), p)


def test_top_1_is_one_hot_at_the_argmax():
    assert_array_equal(filter_top_k([0.2, 0.5, 0.3], 1), [0.0, 1.0, 0.0])


def test_top_k_tie_at_the_boundary_keeps_the_lower_index():
    assert_allclose(filter_top_k([0.1, 0.3, 0.3, 0.3], 2), [0, 0.5, 0.5, 0])


def test_top_k_works_row_by_row_on_a_batch():
    p = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    assert_allclose(filter_top_k(p, 1), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (2.5, TypeError),
        (True, TypeError),
        ("3", TypeError),
    ],
)
def test_top_k_rejects_anything_but_a_positive_integer(bad, error):
    with pytest.raises(error, match="top_k must be an integer >= 1"):
        filter_top_k([0.5, 0.5], bad)


@settings(max_examples=60, deadline=None)
@given(probabilities, st.integers(1, 14))
def test_top_k_matches_an_independent_implementation(p, k):
    out = filter_top_k(p, k)
    assert_allclose(out, independent_top_k(p, k), atol=1e-12)
    assert_allclose(out.sum(), 1.0)
    assert np.count_nonzero(out) <= k


# --- top-p ----------------------------------------------------------------------


def test_top_p_keeps_the_smallest_set_that_reaches_p():
    p = [0.125, 0.5, 0.125, 0.25]
    assert_allclose(filter_top_p(p, 0.75), [0, 2 / 3, 0, 1 / 3])  # 0.5 + 0.25 = 0.75 exactly
    assert_allclose(filter_top_p(p, 0.76), [0.125, 0.5, 0, 0.25] / np.float64(0.875))


def test_top_p_of_one_keeps_every_token():
    p = special.softmax([5.0, 0.0, -40.0])
    assert_allclose(filter_top_p(p, 1.0), p)
    assert np.all(filter_top_p(p, 1.0) > 0)


def test_top_p_near_zero_keeps_only_the_most_likely_token():
    assert_array_equal(filter_top_p([0.3, 0.4, 0.3], 1e-9), [0.0, 1.0, 0.0])


def test_top_p_ties_keep_the_lower_index():
    assert_allclose(filter_top_p([0.25, 0.25, 0.25, 0.25], 0.5), [0.5, 0.5, 0, 0])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (0.0, ValueError),
        (-0.1, ValueError),
        (1.5, ValueError),
        (float("nan"), ValueError),
        (None, TypeError),
        (True, TypeError),
    ],
)
def test_top_p_outside_zero_one_is_refused(bad, error):
    with pytest.raises(error, match=r"top_p must be"):
        filter_top_p([0.5, 0.5], bad)


@settings(max_examples=60, deadline=None)
@given(probabilities, st.floats(1e-6, 1.0))
def test_top_p_matches_an_independent_implementation(p, top_p):
    out = filter_top_p(p, top_p)
    assert_allclose(out, independent_top_p(p, top_p), atol=1e-9)
    kept = np.flatnonzero(out)
    assert p[kept].sum() >= top_p - 1e-12
    assert_allclose(out.sum(), 1.0)


@settings(max_examples=40, deadline=None)
@given(probabilities, st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_a_larger_top_p_never_keeps_fewer_tokens(p, a, b):
    small, large = sorted([a, b])
    assert np.count_nonzero(filter_top_p(p, small)) <= np.count_nonzero(filter_top_p(p, large))


# --- the distribution a sampler uses -------------------------------------------


def test_sampling_probabilities_worked_example_at_three_temperatures():
    assert_allclose(sampling_probabilities([2, 1, 0], temperature=1.0), [0.665, 0.245, 0.090],
                    atol=5e-4)
    assert_allclose(sampling_probabilities([2, 1, 0], temperature=2.0),
                    special.softmax(np.array([2, 1, 0]) / 2))
    assert_allclose(sampling_probabilities([2, 1, 0], temperature=0.5),
                    special.softmax(np.array([4, 2, 0])))


def test_temperature_divides_the_logits_and_never_multiplies():
    # T = 2 must flatten: the most likely token loses probability.
    assert sampling_probabilities([2, 1, 0], temperature=2.0)[0] < 0.665


def test_top_k_then_top_p_are_applied_in_that_order():
    x = np.log([0.4, 0.3, 0.2, 0.1])
    # top-k=3 renormalises to (4, 3, 2)/9; the nucleus of 0.7 is then the first two tokens.
    assert_allclose(sampling_probabilities(x, top_k=3, top_p=0.7), [4 / 7, 3 / 7, 0, 0])


def test_zero_temperature_points_to_greedy():
    with pytest.raises(ValueError, match="greedy decoding use argmax"):
        sampling_probabilities([1.0, 2.0], temperature=0)


# --- drawing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "top_k", "top_p"),
    [(1.0, None, None), (0.5, None, None), (2.0, None, None), (1.0, 3, None),
     (1.0, None, 0.8), (1.5, 4, 0.9)],
)
def test_draw_frequencies_match_the_target_distribution(temperature, top_k, top_p):
    rng = np.random.default_rng(2024)
    draws = sample(EXAMPLE_LOGITS, rng, temperature=temperature, top_k=top_k, top_p=top_p,
                   size=20_000)
    counts = np.bincount(draws, minlength=EXAMPLE_LOGITS.size)
    # The target, built independently of the package.
    target = special.softmax(EXAMPLE_LOGITS / temperature)
    if top_k is not None:
        target = independent_top_k(target, top_k)
    if top_p is not None:
        target = independent_top_p(target, top_p)
    assert np.all(counts[target == 0] == 0)
    assert chi_square_p_value(counts, target) > 1e-4


def test_the_chi_square_check_rejects_draws_from_the_wrong_temperature():
    # Guard that the frequency test above has power: T = 1 draws are not T = 1.3 draws.
    draws = sample(EXAMPLE_LOGITS, np.random.default_rng(5), temperature=1.0, size=20_000)
    counts = np.bincount(draws, minlength=EXAMPLE_LOGITS.size)
    assert chi_square_p_value(counts, special.softmax(EXAMPLE_LOGITS / 1.3)) < 1e-6


def test_top_k_and_top_p_samplers_draw_only_kept_tokens():
    rng = np.random.default_rng(7)
    assert set(sample(EXAMPLE_LOGITS, rng, top_k=2, size=2000).tolist()) == {0, 1}
    nucleus = filter_top_p(special.softmax(EXAMPLE_LOGITS), 0.8)
    assert set(sample(EXAMPLE_LOGITS, rng, top_p=0.8, size=2000).tolist()) == set(
        np.flatnonzero(nucleus).tolist())


def test_draw_counts_follow_p_and_never_draw_a_zero():
    counts = draw_counts([0.2, 0.0, 0.8], 10_000, np.random.default_rng(1))
    assert counts.sum() == 10_000 and counts[1] == 0
    assert chi_square_p_value(counts, [0.2, 0.0, 0.8]) > 1e-4


def test_one_draw_is_an_int_and_many_are_an_array():
    rng = np.random.default_rng(0)
    assert isinstance(sample([1.0, 2.0], rng), int)
    assert sample([1.0, 2.0], rng, size=5).shape == (5,)


def test_the_same_seed_gives_the_same_draws_and_global_state_is_untouched():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (we check it is never touched)
    a = sample(EXAMPLE_LOGITS, np.random.default_rng(11), size=50)
    b = sample(EXAMPLE_LOGITS, np.random.default_rng(11), size=50)
    assert_array_equal(a, b)
    assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize("bad", [None, 42, np.random.RandomState(0)])
def test_sampling_requires_a_generator(bad):
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        sample([1.0, 2.0], bad)


# --- temperature ----------------------------------------------------------------


def test_temperature_limits_are_one_hot_and_uniform():
    path = temperature_path([2.0, 1.0, 0.0], [0.01, 1.0, 1e4])
    assert_allclose(path[0], [1, 0, 0], atol=1e-12)
    assert_allclose(path[2], [1 / 3] * 3, atol=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-40, 40), min_size=2, max_size=8, unique=True),
       st.floats(0.05, 50))
def test_temperature_never_changes_the_argmax(quarters, t):
    x = np.array(quarters) / 4  # distinct logits, at least 0.25 apart
    p = temperature_path(x, [t])[0]
    assert np.argmax(p) == np.argmax(x)


def test_ratio_of_probabilities_is_exp_of_gap_over_t():
    p = temperature_path([2.0, 1.0, 0.0], [0.5, 2.0])
    assert_allclose(p[:, 0] / p[:, 1], np.exp(1.0 / np.array([0.5, 2.0])))


def test_temperature_path_rejects_a_zero_temperature():
    with pytest.raises(ValueError, match="temperature must be finite and > 0"):
        temperature_path([1.0, 2.0], [1.0, 0.0])


# --- decoding -------------------------------------------------------------------


def test_greedy_decoding_loops():
    tokens = greedy_decode(STORY_LOGITS, start=0, steps=12)
    words = [STORY_VOCAB[t] for t in tokens]
    assert words[:5] == ["the", "cat", "sat", "on", "the"]
    assert tokens[4:8] == tokens[:4] and tokens[8:12] == tokens[:4]


def test_greedy_never_leaves_the_bad_token():
    um = STORY_VOCAB.index("um")
    assert greedy_decode(STORY_LOGITS, start=um, steps=10) == [um] * 11


def test_sampling_leaves_the_bad_token_and_varies():
    rng = np.random.default_rng(3)
    um = STORY_VOCAB.index("um")
    runs = [sample_decode(STORY_LOGITS, um, 10, rng) for _ in range(5)]
    assert all(any(t != um for t in run) for run in runs)
    assert len({tuple(run) for run in runs}) > 1


def test_top_1_sampling_decodes_greedily():
    assert sample_decode(STORY_LOGITS, 2, 9, np.random.default_rng(0), top_k=1) == greedy_decode(
        STORY_LOGITS, 2, 9)


def test_decoding_checks_its_table():
    with pytest.raises(ValueError, match="square"):
        greedy_decode(np.zeros((2, 3)), 0, 3)
    with pytest.raises(ValueError, match="start must be"):
        greedy_decode(STORY_LOGITS, 99, 3)


# --- bad input gets a clear error, never a silent wrong answer -------------------------


@pytest.mark.parametrize("x", [[1.0, np.nan, 3.0], [1.0, np.inf, 3.0]])
def test_greedy_and_sample_refuse_nan_and_plus_inf_logits(x):
    with pytest.raises(ValueError, match=r"NaN|\+inf"):
        greedy(x)
    with pytest.raises(ValueError, match=r"NaN|\+inf"):
        sample(x, np.random.default_rng(0))


def test_nothing_allowed_is_refused_by_greedy_and_sample_alike():
    x = [-np.inf, -np.inf]
    with pytest.raises(ValueError, match="no token is allowed"):
        greedy(x)
    with pytest.raises(ValueError, match="no token is allowed"):
        sample(x, np.random.default_rng(0))


def test_minus_inf_marks_a_forbidden_token_for_greedy():
    assert greedy([-np.inf, -5.0, -np.inf]) == 1


@pytest.mark.parametrize(
    "p", [[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.7, -0.2, 0.5], [0.5, np.nan, 0.5], [0.2, 0.2, 0.2]]
)
def test_filters_refuse_anything_but_a_distribution(p):
    with pytest.raises(ValueError, match="did you pass logits"):
        filter_top_k(p, 2)
    with pytest.raises(ValueError, match="did you pass logits"):
        filter_top_p(p, 0.5)


def test_draw_counts_refuses_unnormalised_probabilities():
    with pytest.raises(ValueError, match="sum to 1"):
        draw_counts([5.0, 5.0], 10, np.random.default_rng(0))


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (2.7, TypeError),
        (2.0, TypeError),
        (True, TypeError),
        (-1, ValueError),
    ],
)
def test_sizes_must_be_whole_numbers_never_truncated(bad, error):
    rng = np.random.default_rng(0)
    with pytest.raises(error, match="must be an integer"):
        draw_counts([0.5, 0.5], bad, rng)
    with pytest.raises(error, match="must be an integer"):
        sample([1.0, 0.0], rng, size=bad)
    with pytest.raises(error, match="must be an integer"):
        greedy_decode(STORY_LOGITS, 0, bad)


def test_decode_start_must_be_an_integer_index():
    with pytest.raises(TypeError, match="start must be an integer"):
        greedy_decode(STORY_LOGITS, 1.7, 2)


# --- Found by fuzzing: a tiny temperature, and the temperature path ------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_tiny_temperature_samples_the_most_likely_token_in_every_dtype(dtype):
    """T -> 0+ is greedy; in float32, 1e-300 used to round to 0 and give NaN (the last token)."""
    x = np.array([1.0, 2.0, 0.5], dtype=dtype)
    draws = sample(x, np.random.default_rng(0), temperature=1e-300, size=50)
    assert (draws == 1).all()
    assert_array_equal(sampling_probabilities(x, temperature=1e-300), [0, 1, 0])


def test_temperature_path_shifts_before_dividing():
    """x / T first overflows (1e306 / 1e-3); each row is softmax(x, temperature=T) instead."""
    x = np.array([1e306, 0.0, -1e306])
    path = temperature_path(x, [1e-3, 1.0, 1e300])
    assert np.isfinite(path).all()
    for row, t in zip(path, [1e-3, 1.0, 1e300], strict=True):
        assert_array_equal(row, sampling_probabilities(x, temperature=t))


def test_temperature_path_refuses_what_is_not_a_list_of_temperatures():
    with pytest.raises(TypeError, match="temperatures must hold numbers"):
        temperature_path([1.0, 2.0], ["hot"])
    with pytest.raises(ValueError, match="temperature must be finite and > 0, got 0"):
        temperature_path([1.0, 2.0], [1.0, 0.0])
    assert temperature_path([1.0, 2.0], []).shape == (0, 2)


def test_a_tiny_top_p_keeps_the_most_likely_token_in_float16():
    """1e-300 rounded to 0 in a float16 comparison: nothing was kept, and 0 / 0 came out."""
    p = np.array([0.25, 0.75], dtype=np.float16)
    assert_array_equal(filter_top_p(p, 1e-300), [0.0, 1.0])
