"""Tests for softmax_lessons.online: online and blockwise softmax, tiled attention, sampling."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from softmax_lessons.core import logsumexp, softmax
from softmax_lessons.online import (
    SoftmaxState,
    block_states,
    blockwise_softmax,
    merge_states,
    online_normaliser,
    online_softmax,
    sparsemax,
    state_of,
    tiled_attention,
)
from softmax_lessons.sampling import gumbel_max_sample
from softmax_lessons.speed import MemoryTally, best_time, softmax_numpy_steps, softmax_two_pass

EPS = np.finfo(np.float64).eps
FEW_ULP = 16 * EPS
logits = arrays(np.float64, st.integers(1, 60), elements=st.floats(-300, 300))


@pytest.mark.parametrize("n", [1, 2, 3, 10, 64, 257, 1000])
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_online_equals_two_pass_to_a_few_ulp_on_random_data(n, scale):
    x = np.random.default_rng(n).normal(scale=scale, size=n)
    assert_allclose(online_softmax(x), softmax(x), rtol=FEW_ULP, atol=0)


@pytest.mark.parametrize("n", [1, 5, 100, 999])
@pytest.mark.parametrize("block_size", [1, 3, 16, 128, 2000])
def test_blockwise_equals_two_pass_in_shuffled_orders(n, block_size):
    rng = np.random.default_rng(1000 * n + block_size)
    x = rng.normal(scale=20, size=n)
    n_blocks = len(block_states(x, block_size))
    for _ in range(3):
        order = rng.permutation(n_blocks)
        assert_allclose(blockwise_softmax(x, block_size, order=order), softmax(x),
                        rtol=FEW_ULP, atol=0)


@settings(max_examples=60, deadline=None)
@given(logits, st.integers(1, 20), st.randoms(use_true_random=False))
def test_blockwise_and_online_equal_two_pass_property(x, block_size, random):
    order = list(range(len(block_states(x, block_size))))
    random.shuffle(order)
    # summing n positive terms in another order can differ by about n ulp, no more
    tol = max(x.size, 4) * EPS
    reference = softmax(x)
    assert_allclose(online_softmax(x), reference, rtol=tol, atol=1e-300)
    assert_allclose(blockwise_softmax(x, block_size, order=order), reference,
                    rtol=tol, atol=1e-300)


def test_works_row_by_row_on_a_batch():
    x = np.random.default_rng(3).normal(scale=5, size=(4, 33))
    assert_allclose(online_softmax(x), softmax(x), rtol=FEW_ULP)
    assert_allclose(blockwise_softmax(x, 8, order=[4, 2, 0, 1, 3]), softmax(x), rtol=FEW_ULP)


def test_online_normaliser_gives_logsumexp_beyond_exp_overflow():
    x = np.array([1000.0, 1001.0, 999.0, -50.0])
    state = online_normaliser(x)
    assert state.max == 1001.0
    assert_allclose(state.logsumexp, logsumexp(x), rtol=1e-15)


def test_online_trace_records_running_max_and_rescaled_sum():
    state, trace = online_normaliser([0.0, 2.0, 1.0], trace=True)
    assert_allclose(trace.max, [0.0, 2.0, 2.0])
    # after each step the running sum is sum(exp(seen - running max))
    expected = [1.0, np.exp(-2.0) + 1.0, np.exp(-2.0) + 1.0 + np.exp(-1.0)]
    assert_allclose(trace.total, expected, rtol=1e-15)
    assert_allclose(state.total, expected[-1], rtol=1e-15)


def test_merge_is_commutative_and_associative():
    a, b, c = state_of([3.0, -1.0]), state_of([10.0]), state_of([0.5, 0.25, 7.0])
    whole = state_of([3.0, -1.0, 10.0, 0.5, 0.25, 7.0])
    for first, second, third in itertools.permutations([a, b, c]):
        merged = merge_states(merge_states(first, second), third)
        assert merged.max == whole.max
        assert_allclose(merged.total, whole.total, rtol=4 * EPS)
    right = merge_states(a, merge_states(b, c))
    assert_allclose(right.total, whole.total, rtol=4 * EPS)


def test_empty_state_is_the_identity_of_merge():
    empty = state_of([-np.inf, -np.inf])
    assert empty.max == -np.inf and empty.total == 0.0
    s = state_of([1.0, 2.0])
    merged = merge_states(empty, s)
    assert merged.max == s.max and merged.total == s.total
    both_empty = merge_states(empty, empty)
    assert both_empty.max == -np.inf and both_empty.total == 0.0


def test_masked_logits_get_zero_and_a_fully_masked_row_gives_zeros():
    x = np.array([[1.0, -np.inf, 2.0, -np.inf], [-np.inf] * 4])
    expected = softmax(x)  # the core's documented rule: zeros for a fully masked row
    assert_allclose(online_softmax(x), expected, atol=0)
    assert_allclose(blockwise_softmax(x, 2, order=[1, 0]), expected, atol=0)


def test_order_that_is_not_a_permutation_is_refused():
    with pytest.raises(ValueError, match=r"permutation of 0\.\.2"):
        blockwise_softmax(np.zeros(6), 2, order=[0, 0, 1])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-3, ValueError),
        (2.5, TypeError),
        (True, TypeError),
    ],
)
def test_bad_block_size_is_refused(bad, error):
    with pytest.raises(error, match="block_size must be an integer >= 1"):
        blockwise_softmax(np.zeros(6), bad)


def test_state_of_matches_max_and_sum():
    x = np.array([0.0, 1.0, 2.0])
    s = state_of(x)
    assert isinstance(s, SoftmaxState)
    assert s.max == 2.0
    assert_allclose(s.total, 1 + np.exp(-1) + np.exp(-2), rtol=1e-15)


# --- passes over memory ------------------------------------------------------


def test_pass_counts_of_each_method():
    x = np.random.default_rng(4).normal(size=(3, 50))
    counts = {}
    for name, method in [("numpy", softmax_numpy_steps), ("two_pass", softmax_two_pass),
                         ("online", online_softmax),
                         ("blockwise", lambda v, tally: blockwise_softmax(v, 8, tally=tally))]:
        tally = MemoryTally()
        assert_allclose(method(x, tally=tally), softmax(x), rtol=FEW_ULP)
        counts[name] = (tally.reads, tally.writes)
    assert counts == {"numpy": (5, 3), "two_pass": (3, 1), "online": (2, 1), "blockwise": (2, 1)}


def test_numpy_steps_are_the_core_softmax():
    x = np.random.default_rng(5).normal(scale=50, size=(2, 40))
    assert_allclose(softmax_numpy_steps(x), softmax(x), rtol=0, atol=0)


def test_tally_records_each_step():
    tally = MemoryTally()
    online_softmax([1.0, 2.0], tally=tally)
    assert tally.passes == 3
    assert tally.steps[-1] == "write probabilities"


def test_best_time_returns_the_fastest_run_and_checks_repeat():
    calls = []
    assert best_time(lambda: calls.append(1), repeat=4) >= 0
    assert len(calls) == 4
    with pytest.raises(ValueError, match="repeat must be an integer >= 1"):
        best_time(lambda: None, repeat=0)


# --- tiled attention -----------------------------------------------------------


def _full_attention(q, k, v):
    scores = q @ k.T / np.sqrt(q.shape[1])
    return softmax(scores) @ v


@pytest.mark.parametrize("block_size", [1, 3, 8, 50])
def test_tiled_attention_equals_full_attention(block_size):
    rng = np.random.default_rng(block_size)
    q, k, v = rng.normal(size=(5, 8)), rng.normal(size=(23, 8)), rng.normal(size=(23, 4))
    assert_allclose(tiled_attention(q, k, v, block_size), _full_attention(q, k, v),
                    rtol=1e-13, atol=1e-14)


def test_tiled_attention_survives_huge_scores():
    rng = np.random.default_rng(7)
    q, k, v = 100 * rng.normal(size=(3, 4)), 100 * rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
    out = tiled_attention(q, k, v, 2)
    assert np.all(np.isfinite(out))
    assert_allclose(out, _full_attention(q, k, v), rtol=1e-12, atol=1e-12)


def test_tiled_attention_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="need q"):
        tiled_attention(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros((4, 1)), 2)


# --- Gumbel-max ----------------------------------------------------------------


def test_gumbel_max_frequencies_match_softmax():
    rng = np.random.default_rng(11)
    x = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
    n = 40_000
    freq = np.bincount(gumbel_max_sample(x, rng, size=n), minlength=x.size) / n
    p = softmax(x)
    # 4 standard errors of a binomial proportion: fails for a wrong sampler
    assert_allclose(freq, p, atol=4 * np.sqrt(p * (1 - p) / n).max())


def test_gumbel_max_with_a_wrong_distribution_would_be_caught():
    # the same tolerance rejects the probabilities of softmax(x / 2)
    rng = np.random.default_rng(12)
    x = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
    n = 40_000
    freq = np.bincount(gumbel_max_sample(x, rng, size=n), minlength=x.size) / n
    wrong = softmax(x / 2)
    assert not np.allclose(freq, wrong, atol=4 * np.sqrt(wrong * (1 - wrong) / n).max())


def test_gumbel_max_never_picks_a_masked_logit_and_is_reproducible():
    x = np.array([0.0, -np.inf, 0.0])
    first = gumbel_max_sample(x, np.random.default_rng(0), size=500)
    assert 1 not in set(first.tolist())
    assert_allclose(first, gumbel_max_sample(x, np.random.default_rng(0), size=500))


def test_gumbel_max_one_draw_per_row_and_needs_a_generator():
    draws = gumbel_max_sample(np.eye(3) * 100, np.random.default_rng(0))
    assert draws.tolist() == [0, 1, 2]
    assert isinstance(gumbel_max_sample([0.0, 50.0], np.random.default_rng(0)), int)
    with pytest.raises(TypeError, match="default_rng"):
        gumbel_max_sample([1.0, 2.0], 42)


# --- sparsemax -------------------------------------------------------------------


def test_sparsemax_gives_exact_zeros_and_sums_to_one():
    p = sparsemax([2.0, 1.0, 0.0])
    assert p.tolist() == [1.0, 0.0, 0.0]
    p = sparsemax([1.0, 0.8, 0.0, -1.0])
    assert_allclose(p, [0.6, 0.4, 0.0, 0.0], atol=1e-15)
    assert np.count_nonzero(p == 0.0) == 2


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 12), elements=st.floats(-10, 10)))
def test_sparsemax_is_a_distribution_that_keeps_order(x):
    p = sparsemax(x)
    assert np.all(p >= 0)
    assert_allclose(p.sum(), 1.0, rtol=1e-12)
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(p[order]) >= -1e-15)


def test_sparsemax_of_equal_logits_is_uniform_and_close_logits_are_not_sparse():
    assert_allclose(sparsemax(np.zeros(4)), 0.25)
    assert np.all(sparsemax([0.1, 0.0, -0.1]) > 0)


# --- bad input gets a clear error or the core's documented result ----------------------


@pytest.mark.parametrize("x", [[0.0, np.nan, 5.0], [0.0, np.inf, 5.0]])
def test_gumbel_max_refuses_nan_and_plus_inf_like_sample(x):
    with pytest.raises(ValueError, match=r"NaN|\+inf"):
        gumbel_max_sample(x, np.random.default_rng(0), size=5)


def test_gumbel_max_refuses_a_row_with_nothing_allowed():
    x = [[0.0, 1.0], [-np.inf, -np.inf]]
    with pytest.raises(ValueError, match=r"no token is allowed\) in row \(1,\)"):
        gumbel_max_sample(x, np.random.default_rng(0))


def test_gumbel_max_size_and_blockwise_order_must_be_whole_numbers():
    with pytest.raises(TypeError, match="size must be an integer >= 1"):
        gumbel_max_sample([0.0, 1.0], np.random.default_rng(0), size=2.7)
    with pytest.raises(TypeError, match="every entry of order must be an integer"):
        blockwise_softmax(np.arange(6.0), 2, order=[0.9, 1.2, 2.0])


def test_tiled_attention_with_no_keys_raises_like_the_full_version():
    q, k, v = np.ones((2, 3)), np.zeros((0, 3)), np.zeros((0, 1))
    with pytest.raises(ValueError, match="at least one key"):
        tiled_attention(q, k, v, block_size=2)


def test_sparsemax_follows_the_core_rules_for_minus_inf_plus_inf_and_nan():
    assert_allclose(sparsemax([-np.inf, -np.inf]), [0.0, 0.0])
    assert_allclose(sparsemax([1.0, -np.inf, 1.0]), [0.5, 0.0, 0.5])
    assert np.isnan(sparsemax([np.inf, 1.0])).all()
    rows = sparsemax([[np.nan, 0.0], [2.0, 0.0]])
    assert np.isnan(rows[0]).all()
    assert_allclose(rows[1], [1.0, 0.0])


def test_merge_states_refuses_a_negative_total():
    with pytest.raises(ValueError, match=r"b\.total must be >= 0 .*, got -1\.0"):
        merge_states(state_of([1.0]), SoftmaxState(0.0, -1.0))


# --- Found by fuzzing ----------------------------------------------------------------


def test_sparsemax_is_shift_invariant_on_large_logits():
    """[1e16, 0] used to give [0, 0]: 1 + k * z was rounded away next to 1e16."""
    assert_allclose(sparsemax([1e16, 0.0]), [1.0, 0.0])
    assert_allclose(sparsemax([1e15 + 1.0, 1e15, 1e15 - 2.0]), sparsemax([1.0, 0.0, -2.0]))
    assert_allclose(sparsemax([1e300, -1e300]), [1.0, 0.0])


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-10, 10)),
       st.sampled_from([0.0, 1e3, -1e6, 1e9, 3e12]))
def test_sparsemax_shift_invariance_property(x, c):
    shifted = x + c
    if np.all((shifted - c) == x):  # the shift itself is exact in float64
        assert_allclose(sparsemax(shifted), sparsemax(x), atol=1e-9)


def test_tiled_attention_follows_the_core_rules():
    """A query whose scores are all -inf gets a zero output (as the core's softmax gives zero
    weights); q and k with no feature are refused, as in attention_scores."""
    q = np.array([[1.0, 0.0], [-np.inf, 0.0]])
    k = np.array([[1.0, 0.0], [2.0, 0.0]])
    v = np.array([[1.0], [3.0]])
    out = tiled_attention(q, k, v, block_size=1)
    assert out[1, 0] == 0.0 and np.isfinite(out[0, 0])
    with pytest.raises(ValueError, match="d >= 1"):
        tiled_attention(np.zeros((2, 0)), np.zeros((2, 0)), np.zeros((2, 1)), block_size=1)


def test_merge_states_refuses_what_is_not_a_state():
    with pytest.raises(TypeError, match="b must be a SoftmaxState, got float"):
        merge_states(state_of([1.0]), 1.0)


def test_no_warning_for_nan_or_huge_logits():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(online_softmax([np.nan, 1e308])).all()
        assert_allclose(sparsemax([1e308, 0.0]), [1.0, 0.0])
