"""Checkers of exercises/05_cross_entropy_and_gradients.ipynb (Cross-entropy and gradients)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core import log_softmax, softmax
from ..training import train_softmax_regression
from . import rules
from .runner import (
    Mistake,
    call_on_copies,
    checker,
    close,
    fmt_logits,
    no_max_shift,
    not_finite,
    off_by,
    result_array,
    result_pair,
)

__all__ = [
    "check_cross_entropy",
    "check_cross_entropy_grad",
    "check_gradient_step",
    "check_label_smoothing",
    "check_softmax_jacobian",
]


def _mean_ce(logits, labels):
    return float(-np.mean(log_softmax(logits)[np.arange(len(labels)), labels]))


@checker("05.1", "cross-entropy from logits", points=2)
def check_cross_entropy(fn: Callable) -> str:
    """Exercise 05.1: ``fn(logits, labels)`` returns the mean of ``-log p[label]``.

    Taught in 05. `logits` has shape (batch, n_classes), `labels` holds class indices.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> def ce_log_of_softmax(logits, labels):
    ...     p = softmax(logits)
    ...     return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
    >>> check_cross_entropy(ce_log_of_softmax).passed
    ✗ Exercise 05.1: inf on logits (0, 800) with label 0, where the loss is finite \
(about 800); that is log of softmax, and p = exp(-800) underflows to 0: use log-softmax \
(x_k - logsumexp(x)) instead
    False
    """
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0]])
    labels = np.array([0, 1, 0])
    on = "a batch of 3 with labels (0, 1, 0)"
    result = call_on_copies(fn, logits, labels)
    if np.ndim(result) != 0:
        raise Mistake(
            f"on {on} expected one number, got shape {np.shape(result)}",
            hint="return the mean loss over the batch, one number",
        )
    got, want = float(result), _mean_ce(logits, labels)
    if got < 0:
        raise Mistake(
            f"on {on} your loss is negative ({got:.3f})",
            hint="the loss is -log p: mind the sign",
        )
    if math.isclose(got, 3 * want, rel_tol=1e-9):
        raise Mistake(
            f"on {on} your loss is 3 times too large",
            hint="average over the batch, do not sum",
        )
    if not math.isclose(got, want, rel_tol=1e-9):
        raise Mistake(
            f"on {on} your loss is {got:.4f}, which is off",
            hint="check you take the log-probability of each example's true class",
        )
    large = np.array([[1000.0, 1001.0, 999.0]])
    got_large = float(call_on_copies(fn, large, np.array([1])))
    if not math.isfinite(got_large):
        raise no_max_shift(large, "NaN" if math.isnan(got_large) else "inf")
    far = np.array([[0.0, 800.0], [1.0, 0.0]])
    far_labels = np.array([0, 0])
    got = float(call_on_copies(fn, far, far_labels))
    if math.isinf(got):
        raise Mistake(
            "inf on logits (0, 800) with label 0, where the loss is finite (about 800)",
            hint="that is log of softmax, and p = exp(-800) underflows to 0: use log-softmax "
            "(x_k - logsumexp(x)) instead",
        )
    if math.isnan(got):
        raise no_max_shift(far[0], "NaN")
    for x, y, g in ((far, far_labels, got), (large, np.array([1]), got_large)):
        if not math.isclose(g, _mean_ce(x, y), rel_tol=1e-9):
            raise Mistake(
                f"your loss on logits {fmt_logits(x[0])}, ... is off",
                hint="compute it from log-softmax",
            )
    return "right on a small batch, finite on logits (0, 800) and (1000, 1001, 999)."


@checker("05.3", "the gradient of cross-entropy", points=2)
def check_cross_entropy_grad(fn: Callable) -> str:
    """Exercise 05.3: the gradient of the mean cross-entropy with respect to the logits.

    Taught in 05. ``fn(logits, labels)`` returns an array shaped like `logits`.

    Examples
    --------
    >>> from softmax_lessons import softmax
    >>> check_cross_entropy_grad(lambda x, y: softmax(x) - np.eye(x.shape[1])[y]).passed
    ✗ Exercise 05.3: on a batch of 4 your gradient is N = 4 times too large; the loss is \
a mean over the batch, so divide by N
    False
    """
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0], [1.0, -1.0, 0.5]])
    labels = np.array([0, 1, 0, 2])
    n = len(labels)
    on = "a batch of 4"
    got = result_array(call_on_copies(fn, logits, labels), "gradient", logits.shape)
    y = np.eye(3)[labels]
    p = softmax(logits)
    want = (p - y) / n
    if close(got, want):
        return "equals (p - y) / N, the gradient of the mean loss, on a batch of 4."
    if close(got, -want):
        raise Mistake(
            f"on {on} your gradient points the wrong way: a step against it would raise the "
            "loss",
            hint="the derivative of -x_k + LSE(x) is p - y, not y - p",
        )
    if close(got, want * n):
        raise Mistake(
            f"on {on} your gradient is N = {n} times too large",
            hint="the loss is a mean over the batch, so divide by N",
        )
    if close(got, p / n) or close(got, p):
        raise Mistake(
            f"on {on} the rows of your gradient sum to 1, where shift invariance makes them "
            "sum to 0",
            hint="you forgot to subtract the one-hot labels",
        )
    raise off_by(got, want, on)


@checker("05.4", "the softmax Jacobian", points=3)
def check_softmax_jacobian(fn: Callable) -> str:
    """Exercise 05.4: ``fn(p)`` returns the Jacobian of softmax at probabilities `p`.

    Taught in 05. Entry (i, j) is d p_i / d x_j.

    Examples
    --------
    >>> check_softmax_jacobian(lambda p: p * (1 - p)).passed
    ✗ Exercise 05.4: expected the Jacobian with shape (3, 3), got shape (3,)
    False
    """
    for x in ([2.0, 1.0, 0.0], [0.1, -0.4, 1.3, 0.0]):
        p = softmax(np.array(x))
        on = f"p = softmax{fmt_logits(x)}"
        got = result_array(call_on_copies(fn, p), "Jacobian", (p.size, p.size))
        want = np.diag(p) - np.outer(p, p)
        if close(got, want):
            continue
        if close(got, -want):
            raise Mistake(
                f"on {on} your Jacobian has the wrong sign: its diagonal is negative",
                hint="raising a logit raises its own probability: the diagonal must be positive",
            )
        if close(got, np.diag(p)) or close(got, np.diag(p * (1 - p))):
            raise Mistake(
                f"on {on} your Jacobian is diagonal, but raising one logit lowers every other "
                "probability",
                hint="the off-diagonal entries are -p_i p_j",
            )
        if not np.allclose(got.sum(axis=1), 0):
            raise Mistake(
                f"on {on} the rows of your Jacobian sum to "
                f"{np.round(got.sum(axis=1), 3).tolist()}, not 0",
                hint="the probabilities always sum to 1, so whatever one gains the others lose",
            )
        raise off_by(got, want, on)
    return "symmetric, rows sum to 0, and equal to the true Jacobian on two inputs."


def _step(features, labels, weights, bias, lr, *, n_div=True, bias_div=1.0, sign=-1.0,
          subtract_y=True):
    """One gradient-descent step, and the slips it is compared with."""
    n, k = len(labels), weights.shape[1]
    g = softmax(features @ weights + bias) - (np.eye(k)[labels] if subtract_y else 0.0)
    if n_div:
        g = g / n
    return weights + sign * lr * features.T @ g, bias + sign * lr * g.sum(axis=0) / bias_div


def _step_data():
    rng = np.random.default_rng(55)
    features = rng.normal(size=(6, 2))
    labels = np.array([0, 1, 2, 2, 1, 0])
    weights = rng.normal(scale=0.5, size=(2, 3))
    bias = np.array([0.2, -0.1, 0.3])
    return features, labels, weights, bias


@checker("05.5", "one gradient-descent step", points=4)
def check_gradient_step(fn: Callable) -> str:
    """Exercise 05.5: ``fn(features, labels, weights, bias, learning_rate)`` -> ``(weights, bias)``.

    Taught in 05. One step of full-batch gradient descent on the mean cross-entropy of
    ``softmax(features @ weights + bias)``, returning new arrays (the inputs stay as
    they were), with no Python loop (read from the source). Three steps from zero
    must match the package's ``training.train_softmax_regression``.

    Examples
    --------
    >>> def ascent(features, labels, weights, bias, learning_rate):
    ...     return _step(features, labels, weights, bias, learning_rate, sign=1.0)
    >>> check_gradient_step(ascent).passed
    ✗ Exercise 05.5: on 6 examples, 2 features, 3 classes your step raises the loss \
(from 0.993 to 1.063); step against the gradient: weights - learning_rate * gradient
    False
    """
    features, labels, weights, bias = _step_data()
    lr = 0.3
    on = "6 examples, 2 features, 3 classes"
    given = [a.copy() for a in (features, labels, weights, bias)]
    try:
        result = fn(*given, lr)
    except ValueError as exc:
        if "matmul" in str(exc) or "shapes" in str(exc) or "align" in str(exc):
            raise Mistake(
                f"on {on} your function raised ValueError: {exc}",
                hint="the weights' gradient is features.T @ (gradient of the logits), shape "
                "(n_features, n_classes)",
            ) from None
        raise
    for before, after, name in zip(
        (features, labels, weights, bias), given, ("features", "labels", "weights", "bias"),
        strict=True,
    ):
        if not np.array_equal(before, after):
            raise Mistake(
                f"your function changed the {name} it was given",
                hint="return new arrays (weights - ..., not weights -= ...)",
            )
    new_w, new_b = result_pair(result, "(weights, bias)")
    new_w = result_array(new_w, "new weights", weights.shape)
    new_b = result_array(new_b, "new bias", bias.shape)
    want_w, want_b = _step(features, labels, weights, bias, lr)

    def loss(w, b):
        return _mean_ce(features @ w + b, labels)

    if not close(new_w, want_w):
        ascent_w, _ = _step(features, labels, weights, bias, lr, sign=1.0)
        big_w, _ = _step(features, labels, weights, bias, lr, n_div=False)
        no_y_w, _ = _step(features, labels, weights, bias, lr, subtract_y=False)
        if close(new_w, weights):
            raise Mistake(f"on {on} your weights did not change")
        if close(new_w, ascent_w):
            raise Mistake(
                f"on {on} your step raises the loss (from {loss(weights, bias):.3f} to "
                f"{loss(new_w, new_b):.3f})",
                hint="step against the gradient: weights - learning_rate * gradient",
            )
        if close(new_w, big_w):
            raise Mistake(
                f"on {on} your weights moved N = {len(labels)} times too far",
                hint="the loss is a mean over the examples, so its gradient is divided by N",
            )
        if close(new_w, no_y_w):
            raise Mistake(
                f"on {on} your weights moved as if every example's target were all zeros",
                hint="the gradient of the loss with respect to the logits is p - y: subtract "
                "the one-hot labels",
            )
        raise off_by(new_w, want_w, f"the new weights for {on}")
    if not close(new_b, want_b):
        if close(new_b, bias):
            raise Mistake(f"on {on} your weights are right, but your bias did not change")
        if close(new_b, _step(features, labels, weights, bias, lr, bias_div=len(labels))[1]):
            raise Mistake(
                f"on {on} your weights are right, but your bias moved N = {len(labels)} times "
                "too little",
                hint="the gradient of the logits is already divided by N: sum it over the "
                "examples for the bias, do not average it again",
            )
        raise off_by(new_b, want_b, f"the new bias for {on}")
    w, b = np.zeros((2, 3)), np.zeros(3)
    for _ in range(3):
        w, b = (np.asarray(a, dtype=float) for a in fn(features, labels, w, b, 0.5))
    trained = train_softmax_regression(features, labels, 3, steps=3, learning_rate=0.5)
    if not (close(w, trained.weights) and close(b, trained.bias)):
        raise Mistake(
            "three of your steps from zero weights do not match "
            "training.train_softmax_regression(..., steps=3)"
        )
    rules.enforce(
        rules.loops(fn),
        "no Python loop (the whole batch at once)",
        hint="the weights' gradient is one matrix product, the bias's one sum over axis 0",
    )
    return "one step matches the gradient of the mean loss, and three steps match the package."


def _smoothed(logits, labels, eps, *, spread="all", keep_true=True, grad_target=True,
              n_div=True):
    """Loss and gradient with label smoothing, and the slips they are compared with."""
    n, k = logits.shape
    y = np.eye(k)[labels]
    if spread == "all":
        target = (1 - eps) * y + eps / k if keep_true else y + eps / k
    else:  # spread over the k - 1 other classes
        target = (1 - eps) * y + (1 - y) * eps / (k - 1)
    loss = float(-np.mean(np.sum(target * log_softmax(logits), axis=-1)))
    grad = softmax(logits) - (target if grad_target else y)
    return loss, grad / n if n_div else grad


@checker("05.6", "label smoothing", points=3)
def check_label_smoothing(fn: Callable) -> str:
    """Exercise 05.6: ``fn(logits, labels, epsilon)`` -> ``(loss, grad)`` with label smoothing.

    Taught in 05, extended: the target is ``(1 - epsilon) * y + epsilon / K`` (the
    one-hot y, with epsilon spread over all K classes), the loss its mean
    cross-entropy from the logits, and `grad` its gradient with respect to the logits.

    Examples
    --------
    >>> def unsmoothed_grad(logits, labels, epsilon):
    ...     loss, _ = _smoothed(logits, labels, epsilon)
    ...     return loss, _smoothed(logits, labels, 0.0)[1]
    >>> check_label_smoothing(unsmoothed_grad).passed
    ✗ Exercise 05.6: with epsilon = 0.1 your loss is right but your gradient is that of \
the unsmoothed target; the gradient is p - (smoothed target), divided by N
    False
    """
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0], [1.0, -1.0, 0.5]])
    labels = np.array([0, 1, 0, 2])
    for eps in (0.0, 0.1, 0.3):
        setting = f"epsilon = {eps:g}"
        loss, grad = result_pair(call_on_copies(fn, logits, labels, eps), "(loss, grad)")
        if np.ndim(loss) != 0:
            raise Mistake(
                f"with {setting} expected the loss as one number, got shape {np.shape(loss)}",
                hint="average the per-example losses over the batch",
            )
        loss = float(loss)
        grad = result_array(grad, "gradient", logits.shape)
        want_loss, want_grad = _smoothed(logits, labels, eps)
        if not np.isclose(loss, want_loss, rtol=1e-9):
            if eps > 0 and np.isclose(loss, _smoothed(logits, labels, eps, keep_true=False)[0]):
                raise Mistake(
                    f"with {setting} your loss is too large: your target sums to 1 + epsilon",
                    hint="the true class keeps 1 - epsilon, and epsilon / K goes to every class",
                )
            if eps > 0 and np.isclose(loss, _smoothed(logits, labels, eps, spread="others")[0]):
                raise Mistake(
                    f"with {setting} your loss spreads epsilon over the K - 1 other classes",
                    hint="this exercise spreads epsilon / K over all K classes, the true one "
                    "included",
                )
            if eps > 0 and np.isclose(loss, _smoothed(logits, labels, 0.0)[0]):
                raise Mistake(
                    f"with {setting} your loss is the loss without smoothing",
                    hint="score the smoothed target (1 - epsilon) * y + epsilon / K",
                )
            raise Mistake(f"with {setting} your loss is {loss:.4f}, which is off")
        if not close(grad, want_grad):
            sums = grad.sum(axis=-1)
            if eps > 0 and close(grad, _smoothed(logits, labels, eps, grad_target=False)[1]):
                raise Mistake(
                    f"with {setting} your loss is right but your gradient is that of the "
                    "unsmoothed target",
                    hint="the gradient is p - (smoothed target), divided by N",
                )
            if close(grad, want_grad * len(labels)):
                raise Mistake(
                    f"with {setting} your gradient is N = {len(labels)} times too large",
                    hint="the loss is a mean over the batch, so divide by N",
                )
            if not np.allclose(sums, 0):
                raise Mistake(
                    f"with {setting} the rows of your gradient sum to "
                    f"{np.round(sums, 4).tolist()}, not 0",
                    hint="the smoothed target sums to 1, like p, so p - target sums to 0",
                )
            raise off_by(grad, want_grad, f"the gradient with {setting}")
    far = np.array([[0.0, 800.0, 0.0], [1000.0, 1001.0, 999.0]])
    far_labels = np.array([0, 1])
    loss, grad = result_pair(call_on_copies(fn, far, far_labels, 0.1), "(loss, grad)")
    grad = result_array(grad, "gradient", far.shape)
    if not np.isfinite(float(loss)) or not_finite(grad):
        raise Mistake(
            f"{'inf' if np.isinf(float(loss)) else 'NaN'} with epsilon = 0.1 on logits "
            "(0, 800, 0) and (1000, 1001, 999), where the loss is finite",
            hint="take log-probabilities from log-softmax (x - logsumexp(x), shifted by the "
            "maximum), never the log of softmax: smoothing scores every class, so every "
            "log-probability must be finite",
        )
    want_loss, want_grad = _smoothed(far, far_labels, 0.1)
    if not (np.isclose(float(loss), want_loss, rtol=1e-9) and close(grad, want_grad)):
        raise Mistake("with epsilon = 0.1 on logits (0, 800, 0) and (1000, 1001, 999) your "
                      "loss or gradient is off")
    return "loss and gradient right for epsilon = 0, 0.1 and 0.3, and finite on huge logits."
