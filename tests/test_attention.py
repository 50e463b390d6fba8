"""Tests for softmax_lessons.attention (lesson 04)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial import Delaunay

from softmax_lessons.attention import (
    attention_scores,
    causal_mask,
    leaked_mass,
    padding_mask,
    plain_masked_softmax,
    row_entropy,
    saturation_curve,
    scaled_dot_product_attention,
    total_variation,
)
from softmax_lessons.scenes import example_sequence


def loop_attention(q, k, v, mask=None):
    """The textbook definition with Python loops and math.exp (independent reference)."""
    n_q, d = len(q), len(q[0])
    weights = np.zeros((n_q, len(k)))
    out = np.zeros((n_q, len(v[0])))
    for i in range(n_q):
        allowed = [j for j in range(len(k)) if mask is None or mask[i][j]]
        if not allowed:
            continue
        s = {j: sum(q[i][t] * k[j][t] for t in range(d)) / math.sqrt(d) for j in allowed}
        top = max(s.values())
        e = {j: math.exp(s[j] - top) for j in allowed}
        total = sum(e.values())
        for j in allowed:
            weights[i, j] = e[j] / total
            out[i] += weights[i, j] * np.asarray(v[j])
    return out, weights


def random_qkv(seed, n_q=5, n_k=6, d=4, d_v=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d)), rng.normal(size=(n_k, d_v)))


# --- the plain computation --------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_attention_matches_a_loop_implementation(seed):
    q, k, v = random_qkv(seed)
    out, w = scaled_dot_product_attention(q, k, v)
    ref_out, ref_w = loop_attention(q, k, v)
    assert_allclose(w, ref_w, rtol=1e-12)
    assert_allclose(out, ref_out, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_masked_attention_matches_a_loop_implementation(seed):
    q, k, v = random_qkv(seed, n_q=6, n_k=6)
    mask = causal_mask(6) & padding_mask([4], 6)[0]
    mask[5] = False  # and one fully masked row
    out, w = scaled_dot_product_attention(q, k, v, mask=mask)
    ref_out, ref_w = loop_attention(q, k, v, mask)
    assert_allclose(w, ref_w, rtol=1e-12, atol=1e-300)
    assert_allclose(out, ref_out, rtol=1e-12, atol=1e-14)


def test_default_scale_is_one_over_sqrt_d():
    q, k, _ = random_qkv(1, d=9)
    assert_allclose(attention_scores(q, k), q @ k.T / 3.0)
    assert_allclose(attention_scores(q, k, scale=1.0), q @ k.T)


def test_scale_zero_gives_uniform_weights_over_allowed_keys():
    q, k, v = random_qkv(2)
    _, w = scaled_dot_product_attention(q, k, v, scale=0.0)
    assert_allclose(w, np.full((5, 6), 1 / 6))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 6), st.floats(0, 5))
def test_rows_sum_to_one_or_are_all_zero_when_fully_masked(seed, n_q, n_k, scale):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(n_q, 3)) * 4, rng.normal(size=(n_k, 3)) * 4
    v = rng.normal(size=(n_k, 2))
    mask = rng.random((n_q, n_k)) < 0.6
    _, w = scaled_dot_product_attention(q, k, v, mask=mask, scale=scale)
    sums = w.sum(axis=-1)
    full = mask.any(axis=-1)
    assert_allclose(sums[full], 1.0)
    assert_array_equal(w[~full], 0.0)
    assert np.all(w[~mask] == 0.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.1, 3))
def test_outputs_lie_in_the_convex_hull_of_the_values(seed, spread):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(8, 4)) * spread, rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    out, _ = scaled_dot_product_attention(q, k, v)
    hull = Delaunay(v)  # an independent geometric test: is each output inside the hull?
    inside = hull.find_simplex(out, tol=1e-9) >= 0
    assert inside.all()


def test_permuting_keys_and_values_together_changes_no_output():
    q, k, v = random_qkv(3)
    order = np.array([3, 0, 5, 1, 4, 2])
    out, w = scaled_dot_product_attention(q, k, v)
    out_p, w_p = scaled_dot_product_attention(q, k[order], v[order])
    assert_allclose(out_p, out)
    assert_allclose(w_p, w[:, order])


def test_batched_attention_with_a_padding_mask_per_sequence():
    rng = np.random.default_rng(4)
    q, k, v = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 2))
    mask = padding_mask([2, 4], 4)[:, None, :] & causal_mask(4)
    out, w = scaled_dot_product_attention(q, k, v, mask=mask)
    for b in range(2):
        ref_out, ref_w = loop_attention(q[b], k[b], v[b], mask[b])
        assert_allclose(w[b], ref_w, rtol=1e-12)
        assert_allclose(out[b], ref_out, rtol=1e-12)
    assert_array_equal(w[0, :, 2:], 0.0)


# --- masks ------------------------------------------------------------------------


def test_causal_weights_above_the_diagonal_are_exactly_zero():
    ex = example_sequence()
    _, w = scaled_dot_product_attention(ex.q, ex.k, ex.v, mask=causal_mask(6))
    assert np.all(w[np.triu_indices(6, k=1)] == 0.0)
    assert w[0, 0] == 1.0  # the first token can only look at itself


def test_causal_mask_is_lower_triangular():
    assert_array_equal(causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])


def test_padding_mask_marks_real_positions():
    assert_array_equal(padding_mask([0, 3], 3), [[0, 0, 0], [1, 1, 1]])


def test_masked_keys_renormalise_the_allowed_ones():
    q, k, v = random_qkv(5, n_q=1, n_k=3)
    _, w_full = scaled_dot_product_attention(q, k, v)
    _, w_masked = scaled_dot_product_attention(q, k, v, mask=[[True, False, True]])
    kept = w_full[0, [0, 2]]
    assert_allclose(w_masked[0, [0, 2]], kept / kept.sum())


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-2, ValueError),
        (2.0, TypeError),
        (True, TypeError),
    ],
)
def test_causal_mask_rejects_a_bad_size(bad, error):
    with pytest.raises(error, match="n must be an integer >= 1"):
        causal_mask(bad)


def test_padding_mask_rejects_lengths_out_of_range():
    with pytest.raises(ValueError, match=r"lengths must each be in \[0, 4\]"):
        padding_mask([5], 4)
    with pytest.raises(ValueError, match="1-D array of integers"):
        padding_mask([1.5], 4)


def test_shape_mismatches_are_refused():
    q, k, v = random_qkv(0)
    with pytest.raises(ValueError, match="same d"):
        attention_scores(q, k[:, :3])
    with pytest.raises(ValueError, match="n_keys = 6"):
        scaled_dot_product_attention(q, k, v[:4])
    with pytest.raises(ValueError, match="scale must be finite and >= 0"):
        attention_scores(q, k, scale=-1.0)


# --- the pitfalls ------------------------------------------------------------------


def test_a_fully_masked_row_is_nan_by_hand_but_zero_weights_in_the_package():
    s = np.array([[1.0, 2.0], [3.0, 4.0]])
    mask = np.array([[True, True], [False, False]])
    assert np.isnan(plain_masked_softmax(s, mask)[1]).all()
    q = np.eye(2)
    out, w = scaled_dot_product_attention(q, q, np.ones((2, 2)), mask=mask)
    assert_array_equal(w[1], [0.0, 0.0])
    assert_array_equal(out[1], [0.0, 0.0])


def test_a_large_negative_that_is_not_large_enough_leaks():
    s = np.array([[4.0, 3.0, 2.0, 1.0]])
    mask = np.array([[True, True, False, False]])
    leak_small = leaked_mass(plain_masked_softmax(s, mask, fill_value=-1.0), mask)[0]
    leak_zero = leaked_mass(plain_masked_softmax(s, mask, fill_value=0.0), mask)[0]
    leak_big = leaked_mass(plain_masked_softmax(s, mask, fill_value=-1e9), mask)[0]
    by_hand = 2 * math.exp(-1) / (math.exp(4) + math.exp(3) + 2 * math.exp(-1))
    assert_allclose(leak_small, by_hand)
    assert leak_zero > leak_small > 0
    assert leak_big == 0.0
    assert_allclose(plain_masked_softmax(s, mask)[0, :2], [1 / (1 + math.exp(-1)),
                                                         math.exp(-1) / (1 + math.exp(-1))])


def test_leaked_mass_of_package_weights_is_exactly_zero():
    ex = example_sequence()
    mask = causal_mask(6) & padding_mask([ex.length], 6)
    _, w = scaled_dot_product_attention(ex.q, ex.k, ex.v, mask=mask, scale=5.0)
    assert np.all(leaked_mass(w, mask) == 0.0)


# --- reading weights and the 1/sqrt(d) factor ------------------------------------


def test_row_entropy_spans_sharp_to_diffuse():
    assert_allclose(row_entropy([[1.0, 0, 0, 0], [0.25] * 4, [0.0] * 4]), [0.0, 2.0, 0.0])


def test_total_variation_is_half_the_l1_distance():
    assert_allclose(total_variation([[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]), [1, 0])


def test_without_scaling_entropy_collapses_as_d_grows_and_with_it_stays():
    c = saturation_curve([1, 4, 16, 64, 256], np.random.default_rng(0))
    assert np.all(np.diff(c.entropy_unscaled) < 0)
    assert c.entropy_unscaled[-1] < 0.5
    assert np.ptp(c.entropy_scaled) < 0.5
    assert c.entropy_scaled.min() > 3.0 and c.max_entropy == 4.0
    assert np.all(c.max_weight_unscaled[1:] >= c.max_weight_scaled[1:])


def test_saturation_curve_needs_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        saturation_curve([1, 2], 0)


# --- bad input gets a clear error, never a silent wrong answer -------------------------


def test_total_variation_refuses_mismatched_lengths_and_logits():
    with pytest.raises(ValueError, match="same shape"):
        total_variation([0.5, 0.5, 0.0], [1.0])
    with pytest.raises(ValueError, match="did you pass logits"):
        total_variation([2.0, 1.0, 0.0], [0.2, 0.5, 0.3])


def test_leaked_mass_never_broadcasts_the_weights_into_more_rows():
    with pytest.raises(ValueError, match="does not broadcast to weights"):
        leaked_mass([[0.7, 0.2, 0.1]], [[True], [False]])


@pytest.mark.parametrize("mask", [[[0.5, 0.0]], [[1, 0]]])
def test_non_boolean_masks_are_refused(mask):
    with pytest.raises(TypeError, match="boolean mask"):
        plain_masked_softmax([[1.0, 2.0]], mask)
    with pytest.raises(TypeError, match="boolean mask"):
        leaked_mass([[0.5, 0.5]], mask)


@pytest.mark.parametrize("bad", [2.5, 2.0, True])
def test_mask_sizes_must_be_whole_numbers(bad):
    with pytest.raises(TypeError, match="n must be an integer >= 1"):
        padding_mask([1], bad)
    with pytest.raises(TypeError, match="n must be an integer >= 1"):
        causal_mask(bad)


def test_saturation_curve_refuses_fractional_dims_and_sizes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="dims must be integers >= 1"):
        saturation_curve([1.7, 4], rng)
    with pytest.raises(TypeError, match="n_keys must be an integer"):
        saturation_curve([1, 4], rng, n_keys=2.5)


# --- Found by fuzzing ----------------------------------------------------------------


def test_queries_and_keys_without_features_are_refused():
    """d = 0 made the default scale 1 / sqrt(0): a divide-by-zero warning and NaN scores."""
    with pytest.raises(ValueError, match="d >= 1"):
        attention_scores(np.zeros((2, 0)), np.zeros((3, 0)))


def test_row_entropy_of_rows_without_keys_is_zero():
    assert_array_equal(row_entropy(np.zeros((3, 0))), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="weights must be probabilities"):
        row_entropy([[2.0, 1.0]])


def test_plain_masked_softmax_refuses_a_mask_that_does_not_broadcast():
    with pytest.raises(ValueError, match=r"mask of shape \(3,\) does not broadcast"):
        plain_masked_softmax(np.zeros((2, 2)), np.ones(3, dtype=bool))
    with pytest.raises(TypeError, match="fill_value must be a number, got 'x'"):
        plain_masked_softmax(np.zeros((2, 2)), np.ones(2, dtype=bool), fill_value="x")


def test_attention_names_the_mask_when_it_does_not_broadcast():
    q = k = v = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"mask of shape \(7,\) does not broadcast"):
        scaled_dot_product_attention(q, k, v, mask=np.ones(7, dtype=bool))
    with pytest.raises(ValueError, match="got an entry -inf"):
        row_entropy([-np.inf, np.inf])
