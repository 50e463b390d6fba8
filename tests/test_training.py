"""Tests for softmax_lessons.training: the softmax-regression trainers, on lesson 05's toy data."""

import io

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.core import log_softmax, softmax
from softmax_lessons.losses import cross_entropy, finite_difference_gradient, one_hot
from softmax_lessons.scenes import TOY_TEXT, make_blobs, name_bigrams
from softmax_lessons.training import (
    TrainingResult,
    bigram_counts,
    bigram_pairs,
    decision_grid,
    learned_log_counts,
    train_bigram_from_counts,
    train_softmax_regression,
)
from softmax_lessons.widgets.progress import progress_bar


def test_untrained_model_predicts_uniform_so_loss_is_log_k():
    features, labels = make_blobs(np.random.default_rng(0), n_per_class=10)
    result = train_softmax_regression(features, labels, steps=0)
    assert_allclose(result.losses, [np.log(3)], rtol=1e-15)


def test_blob_loss_falls_below_0_2_in_200_steps():
    features, labels = make_blobs(np.random.default_rng(0), n_per_class=50)
    result = train_softmax_regression(features, labels, steps=200, learning_rate=0.5)
    assert result.losses.shape == (201,)
    assert result.losses[-1] < 0.2
    assert np.all(np.diff(result.losses) <= 1e-12)  # gradient descent on a convex loss
    accuracy = np.mean(result.probabilities(features).argmax(axis=1) == labels)
    assert accuracy > 0.9


def test_first_step_follows_the_hand_derived_gradient():
    # one step of the trainer equals one step along the finite-difference gradient
    features, labels = make_blobs(np.random.default_rng(1), n_per_class=5)
    lr = 0.3
    result = train_softmax_regression(features, labels, steps=1, learning_rate=lr)
    y = one_hot(labels, 3)

    def loss_of(params):
        w, b = params[:6].reshape(2, 3), params[6:]
        return cross_entropy(features @ w + b, y)

    grad = finite_difference_gradient(loss_of, np.zeros(9))
    assert_allclose(result.weights.ravel(), -lr * grad[:6], atol=1e-8)
    assert_allclose(result.bias, -lr * grad[6:], atol=1e-8)


def test_bigram_pairs_and_counts():
    prev, nxt, alphabet = bigram_pairs("banana")
    assert alphabet == "abn"
    counts = bigram_counts(prev, nxt, len(alphabet))
    # ba an na an na: a->n twice, n->a twice, b->a once
    assert counts.tolist() == [[0, 0, 2], [1, 0, 0], [2, 0, 0]]


def test_bigram_pairs_refuse_characters_outside_the_alphabet():
    with pytest.raises(ValueError, match="alphabet must hold every character of text"):
        bigram_pairs("abc", alphabet="ab")


def test_bigram_model_learns_the_log_counts():
    prev, nxt, alphabet = bigram_pairs(TOY_TEXT)
    counts = bigram_counts(prev, nxt, len(alphabet))
    n = len(alphabet)
    result = train_softmax_regression(one_hot(prev, n), nxt, n, steps=500,
                                      learning_rate=10.0, use_bias=False)
    seen = counts > 0
    counted = np.log(counts[seen] / counts.sum(axis=1, keepdims=True).repeat(n, 1)[seen])
    learned = log_softmax(result.weights)[seen]
    assert np.max(np.abs(learned - counted)) < 0.05
    # the best possible loss is the entropy of the counted next-character distributions
    best = -np.sum(counts[seen] * counted) / counts.sum()
    assert 0 < result.losses[-1] - best < 0.01


def test_progress_bar_shows_steps_and_loss_as_text_when_headless(monkeypatch):
    stream = io.StringIO()
    import tqdm.auto

    original = tqdm.auto.tqdm
    monkeypatch.setattr(tqdm.auto, "tqdm", lambda **kw: original(file=stream, **kw))
    features, labels = make_blobs(np.random.default_rng(0), n_per_class=5)
    train_softmax_regression(features, labels, steps=30,
                             on_step=progress_bar(30, "blobs"))
    text = stream.getvalue()
    assert "blobs" in text and "30/30" in text and "loss=" in text


def test_trainer_refuses_bad_shapes_and_settings():
    features = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"labels must be .* of shape \(4,\) \(one per example\)"):
        train_softmax_regression(features, np.array([0, 1]))
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0, got 0"):
        train_softmax_regression(features, np.array([0, 1, 0, 1]), learning_rate=0)
    with pytest.raises(ValueError, match="features must be 2-D"):
        train_softmax_regression(np.zeros(4), np.array([0, 1, 0, 1]))


def test_decision_grid_predicts_the_class_of_the_nearest_centre():
    features, labels = make_blobs(np.random.default_rng(2), n_per_class=50)
    result = train_softmax_regression(features, labels, steps=300)
    grid = decision_grid(result, (-4, 4), (-2, 5), resolution=81)
    assert grid.predicted.shape == (81, 81)
    nearest = {(-2.0, 0.0): 0, (2.0, 0.0): 1, (0.0, 3.0): 2}
    for (cx, cy), cls in nearest.items():
        i, j = np.argmin(np.abs(grid.ys - cy)), np.argmin(np.abs(grid.xs - cx))
        assert grid.predicted[i, j] == cls
        assert grid.confidence[i, j] > 0.8
    assert np.all((grid.confidence >= 1 / 3) & (grid.confidence <= 1))


def test_decision_grid_needs_two_input_features():
    result = TrainingResult(np.zeros((3, 2)), np.zeros(2), np.zeros(1))
    with pytest.raises(ValueError, match="2-D inputs"):
        decision_grid(result, (0, 1), (0, 1))


def test_learned_log_counts_remove_the_per_row_constant():
    counts = np.array([[4, 1, 0], [1, 1, 2]])
    with np.errstate(divide="ignore"):
        log_counts = np.log(counts)
    shifted = np.where(np.isfinite(log_counts), log_counts, -50.0) + np.array([[7.0], [-3.0]])
    recovered = learned_log_counts(shifted, counts)
    assert_allclose(recovered[counts > 0], log_counts[counts > 0], rtol=1e-12, atol=1e-12)
    assert recovered[0, 2] < -40
    with pytest.raises(ValueError, match="one shape"):
        learned_log_counts(np.zeros((2, 2)), counts)


def test_learned_log_counts_refuses_negative_counts():
    with pytest.raises(ValueError, match="counts must be finite and >= 0"):
        learned_log_counts(np.zeros((2, 2)), np.array([[3, -1], [2, 2]]))


# -- training from the bigram counts alone ------------------------------------------------


def test_training_on_counts_takes_the_same_steps_as_training_on_every_pair():
    b = name_bigrams(["anna", "bob", "abba", "ann", "nab"])
    n = len(b.alphabet)
    on_pairs = train_softmax_regression(one_hot(b.previous, n), b.following, n, steps=25,
                                        learning_rate=3.0, use_bias=False)
    on_counts = train_bigram_from_counts(b.counts, steps=25, learning_rate=3.0)
    assert_allclose(on_counts.weights, on_pairs.weights, atol=1e-12)
    assert_allclose(on_counts.losses, on_pairs.losses, atol=1e-12)


def test_training_on_counts_learns_the_frequencies_and_reports_each_step():
    b = name_bigrams(["anna", "bob", "abba", "ann", "nab"])
    seen = []
    result = train_bigram_from_counts(b.counts, steps=3000, learning_rate=10.0,
                                      on_step=lambda step, loss: seen.append((step, loss)))
    frequencies = b.counts / b.counts.sum(axis=1, keepdims=True)
    assert_allclose(softmax(result.weights), frequencies, atol=0.01)
    assert [step for step, _ in seen] == list(range(3001))
    assert_allclose([loss for _, loss in seen], result.losses)
    assert np.all(np.diff(result.losses) <= 1e-15)


def test_training_on_counts_refuses_a_table_that_is_not_counts():
    with pytest.raises(ValueError, match="square table of counts"):
        train_bigram_from_counts(np.ones((2, 3)))
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        train_bigram_from_counts(np.ones((2, 2)), learning_rate=0.0)
