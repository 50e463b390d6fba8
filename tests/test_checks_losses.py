"""Checkers of lesson 05 (losses.py): the loss, its gradient, the Jacobian, training, smoothing."""

from __future__ import annotations

import numpy as np
import pytest
from checks_answers import (
    cross_entropy,
    cross_entropy_grad,
    gradient_step,
    label_smoothing,
    log_softmax,
    softmax_jacobian,
    stable_softmax,
)
from checks_helpers import assert_named, wrong_ids

from softmax_lessons import checks


def step_ascent(features, labels, weights, bias, learning_rate):
    g = cross_entropy_grad(features @ weights + bias, labels)
    return weights + learning_rate * features.T @ g, bias + learning_rate * g.sum(axis=0)


def step_no_mean(features, labels, weights, bias, learning_rate):
    g = cross_entropy_grad(features @ weights + bias, labels) * len(labels)
    return weights - learning_rate * features.T @ g, bias - learning_rate * g.sum(axis=0)


def step_bias_averaged_twice(features, labels, weights, bias, learning_rate):
    g = cross_entropy_grad(features @ weights + bias, labels)
    return weights - learning_rate * features.T @ g, bias - learning_rate * g.mean(axis=0)


def step_in_place(features, labels, weights, bias, learning_rate):
    g = cross_entropy_grad(features @ weights + bias, labels)
    weights -= learning_rate * features.T @ g
    bias -= learning_rate * g.sum(axis=0)
    return weights, bias


def step_without_labels(features, labels, weights, bias, learning_rate):
    g = stable_softmax(features @ weights + bias) / len(labels)
    return weights - learning_rate * features.T @ g, bias - learning_rate * g.sum(axis=0)


def step_wrong_product(features, labels, weights, bias, learning_rate):
    g = cross_entropy_grad(features @ weights + bias, labels)
    return weights - learning_rate * features @ g, bias - learning_rate * g.sum(axis=0)


def step_with_a_loop(features, labels, weights, bias, learning_rate):
    # right values, but the exercise says no Python loop
    grad_w = np.zeros_like(weights)
    grad_b = np.zeros_like(bias)
    for x, label in zip(features, labels, strict=True):
        g = stable_softmax(x @ weights + bias)
        g[label] -= 1
        grad_w += np.outer(x, g) / len(labels)
        grad_b += g / len(labels)
    return weights - learning_rate * grad_w, bias - learning_rate * grad_b


def smoothing(logits, labels, epsilon, target="smoothed", grad_target="smoothed"):
    n, k = logits.shape
    y = np.eye(k)[labels]
    targets = {
        "smoothed": (1 - epsilon) * y + epsilon / k,
        "sums to 1 + eps": y + epsilon / k,
        "others": (1 - epsilon) * y + (1 - y) * epsilon / (k - 1),
        "plain": y,
    }
    loss = float(-np.mean(np.sum(targets[target] * log_softmax(logits), axis=-1)))
    return loss, (stable_softmax(logits) - targets[grad_target]) / n


def smoothing_log_of_softmax(logits, labels, epsilon):
    n, k = logits.shape
    target = (1 - epsilon) * np.eye(k)[labels] + epsilon / k
    p = stable_softmax(logits)
    return float(-np.mean(np.sum(target * np.log(p), axis=-1))), (p - target) / n


WRONG = [
    # 05.1 log of softmax instead of log-softmax
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: float(-np.mean(np.log(stable_softmax(x)[np.arange(len(y)), y]))),
        "inf on logits (0, 800) with label 0, where the loss is finite",
        "that is log of softmax",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: 3 * cross_entropy(x, y),
        "3 times too large",
        "average over the batch",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: -cross_entropy(x, y),
        "your loss is negative",
        "mind the sign",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: float(np.mean(np.log(np.exp(x).sum(-1)) - x[np.arange(len(y)), y])),
        "fine on small logits, but inf on (1000, 1001, 999)",
        "subtract the maximum",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: -log_softmax(x)[np.arange(len(y)), y],
        "expected one number, got shape (3,)",
        "return the mean loss",
    ),
    # 05.3 gradient
    (
        "05.3",
        checks.check_cross_entropy_grad,
        lambda x, y: -cross_entropy_grad(x, y),
        "points the wrong way",
        "p - y, not y - p",
    ),
    (
        "05.3",
        checks.check_cross_entropy_grad,
        lambda x, y: cross_entropy_grad(x, y) * len(y),
        "N = 4 times too large",
        "divide by N",
    ),
    (
        "05.3",
        checks.check_cross_entropy_grad,
        lambda x, y: stable_softmax(x) / len(y),
        "the rows of your gradient sum to 1",
        "forgot to subtract the one-hot labels",
    ),
    # 05.4 Jacobian
    (
        "05.4",
        checks.check_softmax_jacobian,
        lambda p: -softmax_jacobian(p),
        "wrong sign",
        "diagonal must be positive",
    ),
    (
        "05.4",
        checks.check_softmax_jacobian,
        lambda p: np.diag(p * (1 - p)),
        "your Jacobian is diagonal",
        "-p_i p_j",
    ),
    (
        "05.4",
        checks.check_softmax_jacobian,
        lambda p: np.diag(p) - np.outer(p, p) + 0.01,
        "the rows of your Jacobian sum to",
        "whatever one gains the others lose",
    ),
    # 05.5 one gradient-descent step
    (
        "05.5",
        checks.check_gradient_step,
        step_ascent,
        "your step raises the loss (from 0.993 to 1.063)",
        "step against the gradient",
    ),
    (
        "05.5",
        checks.check_gradient_step,
        step_no_mean,
        "your weights moved N = 6 times too far",
        "divided by N",
    ),
    (
        "05.5",
        checks.check_gradient_step,
        step_bias_averaged_twice,
        "your weights are right, but your bias moved N = 6 times too little",
        "do not average it again",
    ),
    (
        "05.5",
        checks.check_gradient_step,
        step_in_place,
        "your function changed the weights it was given",
        "return new arrays",
    ),
    (
        "05.5",
        checks.check_gradient_step,
        step_without_labels,
        "your weights moved as if every example's target were all zeros",
        "subtract the one-hot labels",
    ),
    (
        "05.5",
        checks.check_gradient_step,
        step_wrong_product,
        "on 6 examples, 2 features, 3 classes your function raised ValueError: matmul",
        "features.T @ (gradient of the logits)",
    ),
    (
        "05.5",
        checks.check_gradient_step,
        step_with_a_loop,
        "the exercise says no Python loop (the whole batch at once), but your function has a "
        "for loop on line 5",
        "one matrix product",
    ),
    # 05.6 label smoothing
    (
        "05.6",
        checks.check_label_smoothing,
        lambda x, y, eps: smoothing(x, y, eps, grad_target="plain"),
        "with epsilon = 0.1 your loss is right but your gradient is that of the unsmoothed "
        "target",
        "p - (smoothed target)",
    ),
    (
        "05.6",
        checks.check_label_smoothing,
        lambda x, y, eps: smoothing(x, y, eps, target="sums to 1 + eps"),
        "with epsilon = 0.1 your loss is too large: your target sums to 1 + epsilon",
        "the true class keeps 1 - epsilon",
    ),
    (
        "05.6",
        checks.check_label_smoothing,
        lambda x, y, eps: smoothing(x, y, eps, target="others", grad_target="others"),
        "your loss spreads epsilon over the K - 1 other classes",
        "epsilon / K over all K classes",
    ),
    (
        "05.6",
        checks.check_label_smoothing,
        lambda x, y, eps: smoothing(x, y, eps, target="plain"),
        "with epsilon = 0.1 your loss is the loss without smoothing",
        "(1 - epsilon) * y + epsilon / K",
    ),
    (
        "05.6",
        checks.check_label_smoothing,
        lambda x, y, eps: (label_smoothing(x, y, eps)[0], label_smoothing(x, y, eps)[1] * len(y)),
        "with epsilon = 0 your gradient is N = 4 times too large",
        "divide by N",
    ),
    (
        "05.6",
        checks.check_label_smoothing,
        smoothing_log_of_softmax,
        "inf with epsilon = 0.1 on logits (0, 800, 0) and (1000, 1001, 999), where the loss is "
        "finite",
        "never the log of softmax",
    ),
    (
        "05.6",
        checks.check_label_smoothing,
        lambda x, y, eps: label_smoothing(x, y, eps)[0],
        "expected a pair (loss, grad), got a float",
        None,
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, symptom, hint, capsys):
    assert_named(exercise, checker, fn, symptom, hint, capsys)


def test_three_gradient_steps_from_zero_match_the_package_trainer():
    from softmax_lessons.scenes import make_blobs
    from softmax_lessons.training import train_softmax_regression

    features, labels = make_blobs(np.random.default_rng(1), n_per_class=5)
    w, b = np.zeros((2, 3)), np.zeros(3)
    for _ in range(3):
        w, b = gradient_step(features, labels, w, b, 0.5)
    trained = train_softmax_regression(features, labels, 3, steps=3, learning_rate=0.5)
    np.testing.assert_allclose(w, trained.weights)
    np.testing.assert_allclose(b, trained.bias)


def test_label_smoothing_gradient_matches_finite_differences():
    from softmax_lessons.losses import finite_difference_gradient

    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0]])
    labels = np.array([0, 2])
    _, grad = label_smoothing(logits, labels, 0.2)
    numeric = finite_difference_gradient(lambda x: label_smoothing(x, labels, 0.2)[0], logits)
    np.testing.assert_allclose(grad, numeric, atol=1e-8)
