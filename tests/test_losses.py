"""Tests for softmax_lessons.losses: cross-entropy, its gradient and the softmax Jacobian."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from softmax_lessons.core import softmax
from softmax_lessons.losses import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_naive,
    finite_difference_gradient,
    one_hot,
    softmax_jacobian,
    squared_error,
    squared_error_grad,
)

logit_rows = arrays(np.float64, st.integers(2, 6), elements=st.floats(-20, 20))


def test_worked_example_is_minus_log_of_the_true_probability():
    x = [2.0, 1.0, 0.0]
    # -log(e^2 / (e^2 + e + 1)), written out independently of the package
    expected = -(2.0 - np.log(np.exp(2.0) + np.exp(1.0) + 1.0))
    assert_allclose(cross_entropy(x, 0), expected, rtol=1e-14)
    assert_allclose(cross_entropy(x, 2), 2.0 + expected, rtol=1e-14)


def test_confidently_wrong_costs_more_than_unsure():
    unsure = cross_entropy([0.0, 0.0, 0.0], 0)
    wrong = cross_entropy([0.0, 10.0, 0.0], 0)
    right = cross_entropy([10.0, 0.0, 0.0], 0)
    assert right < unsure < wrong
    assert_allclose(unsure, np.log(3), rtol=1e-14)


def test_fused_loss_stays_finite_where_softmax_then_log_gives_inf():
    x = np.array([[1e4, 0.0, -1e4]])
    labels = np.array([2])
    assert_allclose(cross_entropy(x, labels), 2e4, rtol=1e-12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        naive = cross_entropy_naive(x, labels)
    assert naive == np.inf
    assert any("divide by zero" in str(w.message) for w in caught)


def test_labels_and_one_hot_targets_give_the_same_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    assert_allclose(cross_entropy(x, labels), cross_entropy(x, one_hot(labels, 4)), rtol=1e-14)


def test_reductions_mean_sum_none_agree():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3))
    labels = rng.integers(0, 3, size=6)
    rows = cross_entropy(x, labels, reduction="none")
    assert rows.shape == (6,)
    assert_allclose(cross_entropy(x, labels, reduction="sum"), rows.sum(), rtol=1e-14)
    assert_allclose(cross_entropy(x, labels), rows.mean(), rtol=1e-14)


def test_soft_targets_mix_the_per_class_losses():
    x = np.array([2.0, 1.0, 0.0])
    y = np.array([0.25, 0.75, 0.0])
    expected = 0.25 * cross_entropy(x, 0) + 0.75 * cross_entropy(x, 1)
    assert_allclose(cross_entropy(x, y), expected, rtol=1e-14)


def test_zero_target_entries_ignore_minus_inf_logits():
    # a masked class (logit -inf) with target 0 must not turn the loss into NaN
    assert_allclose(cross_entropy([0.0, 0.0, -np.inf], 0), np.log(2), rtol=1e-14)


@pytest.mark.parametrize("labels", [np.array([0, 1]), np.array([[1]])])
def test_labels_of_the_wrong_shape_are_refused(labels):
    with pytest.raises(ValueError, match="integer labels must have shape"):
        cross_entropy(np.zeros((3, 2)), labels)


def test_out_of_range_label_names_the_value():
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.2, got 3"):
        cross_entropy(np.zeros((1, 3)), np.array([3]))


def test_probability_targets_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        cross_entropy([1.0, 2.0], [0.5, 0.6])


def test_float_labels_are_read_as_probabilities_and_refused_by_shape():
    with pytest.raises(ValueError, match="integer class indices need an integer dtype"):
        cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction must be one of"):
        cross_entropy([1.0, 2.0], 0, reduction="average")


def test_gradient_is_p_minus_y_on_the_worked_example():
    x = np.array([2.0, 1.0, 0.0])
    e = np.exp(x)
    assert_allclose(cross_entropy_grad(x, 1), e / e.sum() - [0, 1, 0], rtol=1e-14)


@settings(max_examples=40, deadline=None)
@given(logit_rows, st.data())
def test_gradient_matches_central_finite_differences(x, data):
    label = data.draw(st.integers(0, x.size - 1))
    numeric = finite_difference_gradient(lambda v: cross_entropy(v, label), x)
    assert_allclose(cross_entropy_grad(x, label), numeric, atol=1e-7)


def test_batch_gradient_with_mean_divides_by_batch_size():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3))
    labels = np.array([0, 2, 1, 1])
    numeric = finite_difference_gradient(lambda v: cross_entropy(v, labels), x)
    assert_allclose(cross_entropy_grad(x, labels), numeric, atol=1e-8)
    assert_allclose(cross_entropy_grad(x, labels, reduction="sum"), 4 * numeric, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(logit_rows)
def test_gradient_rows_sum_to_zero(x):
    assert abs(cross_entropy_grad(x, 0).sum()) < 1e-12


def test_jacobian_worked_example():
    p = np.array([0.2, 0.3, 0.5])
    expected = np.array([[0.16, -0.06, -0.10], [-0.06, 0.21, -0.15], [-0.10, -0.15, 0.25]])
    assert_allclose(softmax_jacobian(p), expected, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(logit_rows)
def test_jacobian_matches_finite_differences_of_softmax(x):
    numeric = finite_difference_gradient(softmax, x)
    assert_allclose(softmax_jacobian(softmax(x)), numeric, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(logit_rows)
def test_jacobian_symmetric_rows_sum_to_zero_ones_in_null_space(x):
    jac = softmax_jacobian(softmax(x))
    assert_allclose(jac, jac.T, atol=0)
    assert_allclose(jac.sum(axis=1), 0, atol=1e-15)
    assert_allclose(jac @ np.ones(x.size), 0, atol=1e-15)
    assert np.linalg.matrix_rank(jac, tol=1e-12) < x.size


def test_jacobian_works_on_a_batch():
    p = softmax(np.arange(6.0).reshape(2, 3))
    jac = softmax_jacobian(p)
    assert jac.shape == (2, 3, 3)
    assert_allclose(jac[1], softmax_jacobian(p[1]), atol=0)


def test_jacobian_refuses_logits():
    with pytest.raises(ValueError, match="did you pass logits"):
        softmax_jacobian([2.0, 1.0, 0.0])


def test_finite_differences_catch_a_wrong_gradient():
    # the checker itself must tell a wrong derivation (y - p) from the right one (p - y)
    x = np.array([0.5, -1.0, 2.0])
    numeric = finite_difference_gradient(lambda v: cross_entropy(v, 1), x)
    wrong = one_hot(1, 3) - softmax(x)
    assert not np.allclose(wrong, numeric, atol=1e-6)


def test_one_hot_refuses_float_labels():
    with pytest.raises(TypeError, match="integer class indices"):
        one_hot([0.0, 1.0], 2)


def test_mean_cross_entropy_of_an_empty_batch_is_refused_not_nan():
    empty = np.zeros((0, 3))
    labels = np.zeros(0, dtype=int)
    with pytest.raises(ValueError, match="empty batch"):
        cross_entropy(empty, labels)
    with pytest.raises(ValueError, match="empty batch"):
        cross_entropy_naive(empty, labels)
    assert cross_entropy(empty, labels, reduction="sum") == 0.0
    assert cross_entropy(empty, labels, reduction="none").shape == (0,)


# -- squared error, the loss cross-entropy is compared with ---------------------------------


def test_squared_error_grad_matches_finite_differences():
    rng = np.random.default_rng(1)
    for target in (one_hot(2, 4), np.array([0.1, 0.2, 0.3, 0.4])):
        x = rng.normal(scale=2.0, size=4)
        numeric = finite_difference_gradient(lambda v, t=target: float(squared_error(v, t)), x)
        assert_allclose(squared_error_grad(x, target), numeric, atol=1e-8)


def test_squared_error_is_the_sum_of_squares_of_p_minus_y():
    x, y = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]]), np.eye(3)[[0, 1]]
    assert_allclose(squared_error(x, y), np.sum((softmax(x) - y) ** 2, axis=1))
