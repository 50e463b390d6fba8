"""Tests for softmax_lessons.calibration (lesson 03)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, special

from softmax_lessons.calibration import (
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_bins,
)
from softmax_lessons.scenes import overconfident_classifier


def scipy_nll(x, labels, t):
    """The loss written independently: -mean(x_y / T - logsumexp(x / T))."""
    x = np.asarray(x) / t
    return -np.mean(x[np.arange(len(labels)), labels] - special.logsumexp(x, axis=1))


def loop_ece(p, labels, n_bins):
    """ECE with a Python loop over bins (lo, hi], the first bin closed at 0."""
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        inside = [(c > lo or (b == 0 and c == 0)) and c <= hi for c in conf]
        members = np.flatnonzero(inside)
        if members.size:
            gap = abs(np.mean(pred[members] == labels[members]) - np.mean(conf[members]))
            total += members.size / len(conf) * gap
    return total


@pytest.fixture(scope="module")
def held_out():
    x, labels = overconfident_classifier(np.random.default_rng(42), n_samples=6000)
    return x[:3000], labels[:3000], x[3000:], labels[3000:]


def test_nll_matches_an_independent_formula():
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(50, 4)) * 3, rng.integers(4, size=50)
    for t in (0.5, 1.0, 3.0):
        assert_allclose(negative_log_likelihood(x, labels, t), scipy_nll(x, labels, t))


def test_fitted_temperature_makes_confidence_equal_accuracy_in_a_worked_example():
    # Logit gap 4, right 3 times in 4: the best T puts 0.75 on the predicted class,
    # sigmoid(4 / T) = 3/4, so T = 4 / log(3).
    x = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    assert_allclose(fit_temperature(x, [0, 0, 1, 1]), 4 / np.log(3), rtol=1e-8)


def test_fitted_temperature_matches_scipy_bounded_minimisation(held_out):
    x, labels, _, _ = held_out
    ours = fit_temperature(x, labels)
    theirs = optimize.minimize_scalar(lambda t: scipy_nll(x, labels, t), bounds=(0.05, 20),
                                      method="bounded", options={"xatol": 1e-8}).x
    assert_allclose(ours, theirs, rtol=1e-5)
    assert negative_log_likelihood(x, labels, ours) <= scipy_nll(x, labels, theirs) + 1e-12


def test_fit_recovers_the_overconfidence_of_the_synthetic_model(held_out):
    x, labels, _, _ = held_out
    assert 2.2 < fit_temperature(x, labels) < 2.8  # generated with overconfidence 2.5


def test_a_calibrated_model_keeps_t_near_one_and_an_underconfident_one_gets_t_below_one():
    x, labels = overconfident_classifier(np.random.default_rng(1), 5000, overconfidence=1.0)
    assert 0.9 < fit_temperature(x, labels) < 1.1
    x, labels = overconfident_classifier(np.random.default_rng(2), 5000, overconfidence=0.5)
    assert 0.4 < fit_temperature(x, labels) < 0.6


def test_fit_clips_to_its_bounds():
    # Always right with a margin: the loss keeps falling as T -> 0.
    x = np.array([[3.0, 0.0], [0.0, 3.0]])
    assert fit_temperature(x, [0, 1], bounds=(0.1, 10)) == pytest.approx(0.1)
    # Always wrong: the loss keeps falling as T grows.
    assert fit_temperature(x, [1, 0], bounds=(0.1, 10)) == pytest.approx(10)


def test_temperature_scaling_keeps_the_accuracy_and_lowers_ece(held_out):
    x_fit, l_fit, x_test, l_test = held_out
    t = fit_temperature(x_fit, l_fit)
    before, after = special.softmax(x_test, axis=1), special.softmax(x_test / t, axis=1)
    assert_array_equal(before.argmax(axis=1), after.argmax(axis=1))
    ece_before = expected_calibration_error(before, l_test)
    ece_after = expected_calibration_error(after, l_test)
    assert ece_before > 0.15  # premise: the synthetic model is clearly over-confident
    assert ece_after < 0.05 and ece_after < ece_before / 3


def test_ece_worked_example_by_hand():
    p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])
    # One bin (0.5, 1]: mean confidence 0.7375, accuracy 2/4.
    assert_allclose(expected_calibration_error(p, [0, 1, 1, 0], n_bins=2), 0.2375)
    assert_allclose(expected_calibration_error(p, [0, 0, 1, 1], n_bins=2), 0.2625)


@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
def test_ece_matches_a_loop_over_bins(n_bins):
    rng = np.random.default_rng(n_bins)
    p = special.softmax(rng.normal(size=(400, 4)) * 2, axis=1)
    labels = rng.integers(4, size=400)
    assert_allclose(expected_calibration_error(p, labels, n_bins), loop_ece(p, labels, n_bins))


def test_ece_is_zero_when_every_bin_is_exactly_calibrated():
    p = np.array([[0.75, 0.25]] * 4 + [[1.0, 0.0]] * 2)
    assert expected_calibration_error(p, [0, 0, 0, 1, 0, 0]) == 0.0


def test_a_confidence_on_an_inner_edge_goes_to_the_lower_bin():
    bins = reliability_bins(np.array([[0.5, 0.5], [0.6, 0.4]]), [0, 0], n_bins=2)
    assert bins.count.tolist() == [1, 1]
    assert_allclose(bins.confidence, [0.5, 0.6])


def test_reliability_bins_report_empty_bins_as_nan_and_counts_add_up():
    p = special.softmax(np.random.default_rng(3).normal(size=(100, 3)), axis=1)
    bins = reliability_bins(p, np.zeros(100, dtype=int), n_bins=10)
    assert bins.count.sum() == 100
    empty = bins.count == 0
    assert np.all(np.isnan(bins.accuracy[empty]))
    assert not np.any(np.isnan(bins.accuracy[~empty]))
    assert_allclose(bins.edges, np.linspace(0, 1, 11))


def test_synthetic_labels_follow_the_calibrated_probabilities():
    x, labels = overconfident_classifier(np.random.default_rng(9), 20_000, n_classes=3,
                                         overconfidence=2.0)
    # softmax(x / 2) is calibrated by construction: its mean confidence is the accuracy.
    p = special.softmax(x / 2.0, axis=1)
    assert_allclose(np.mean(p.argmax(axis=1) == labels), p.max(axis=1).mean(), atol=0.01)


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [([0, 1], ValueError, "integer class indices"),
     ([0.0, 1.0, 1.0], TypeError, "integer class indices"),
     ([0, 1, 5], ValueError, r"labels must be in 0\.\.1, got 5")],
)
def test_bad_labels_are_refused_with_the_fix(labels, error, message):
    p = np.full((3, 2), 0.5)
    with pytest.raises(error, match=message):
        expected_calibration_error(p, np.asarray(labels))


def test_bad_bins_and_bounds_are_refused():
    p = np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="n_bins must be an integer >= 1"):
        reliability_bins(p, [0, 1], n_bins=0)
    with pytest.raises(ValueError, match="low < high"):
        fit_temperature(p, [0, 1], bounds=(2.0, 1.0))


# --- bad input gets a clear error, never a silent wrong answer -------------------------


@pytest.mark.parametrize("p", [[[2.0, 1.0], [3.0, -1.0]], [[0.6, 0.6], [0.5, 0.5]]])
def test_ece_refuses_rows_that_are_not_probabilities(p):
    with pytest.raises(ValueError, match="did you pass logits"):
        expected_calibration_error(p, [0, 1])


def test_calibration_needs_at_least_one_example():
    with pytest.raises(ValueError, match="at least one example"):
        expected_calibration_error(np.zeros((0, 2)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="at least one example"):
        fit_temperature(np.zeros((0, 2)), np.zeros(0, dtype=int))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_fit_temperature_refuses_non_finite_logits(bad):
    x = np.array([[4.0, 0.0], [bad, 0.0]])
    with pytest.raises(ValueError, match="finite logits"):
        fit_temperature(x, [0, 1])


def test_fit_temperature_refuses_zero_iterations_and_warns_when_it_runs_out():
    x = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    labels = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match="max_iter must be an integer >= 1"):
        fit_temperature(x, labels, max_iter=0)
    with pytest.warns(RuntimeWarning, match="did not converge in max_iter=1"):
        fit_temperature(x, labels, max_iter=1)


def test_fractional_bin_counts_are_refused():
    with pytest.raises(TypeError, match=r"n_bins must be an integer >= 1, got 2\.5"):
        reliability_bins(np.full((2, 2), 0.5), [0, 1], n_bins=2.5)


def test_float16_probabilities_are_checked_in_their_own_tolerance():
    """Rounded to float16, softmax rows sum to 1 within float16's rounding, not float64's."""
    rng = np.random.default_rng(16)
    p = special.softmax(rng.normal(size=(50, 7)) * 3, axis=-1).astype(np.float16)
    assert abs(p.astype(np.float64).sum(axis=-1) - 1).max() > 1e-6  # the premise
    bins = reliability_bins(p, rng.integers(7, size=50))
    assert bins.n == 50


def test_logits_too_large_to_rescale_are_refused():
    """x**2 overflowed in the curvature, with a warning, for logits near 1e308."""
    with pytest.raises(ValueError, match="x must be logits of magnitude <= 1e"):
        fit_temperature(np.array([[1e308, 0.0]]), [0])
