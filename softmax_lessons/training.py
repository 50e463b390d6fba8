"""Seeded toy data and a softmax-regression trainer in plain NumPy.

Taught in 05. The model is the smallest one with a softmax on top: logits are a
linear function of the inputs, ``logits = features @ weights + bias``, and the
loss is the cross-entropy of :mod:`softmax_lessons.losses`. Because the gradient
of the loss with respect to the logits is ``p - y``, the whole backward pass is
two matrix products.

Two kinds of data use the same trainer:

- points in the plane with a class each (lesson 05 draws three clusters with
  :func:`softmax_lessons.scenes.make_blobs`);
- :func:`bigram_pairs`: pairs (character, next character) from a text. With
  one-hot features and no bias, ``features @ weights`` is just a row of
  ``weights``, and training turns each row into the log-counts of what follows
  that character (up to a constant per row: shift invariance again).

The trainer reports each step to an optional ``on_step(step, loss)`` callback;
lesson 05 passes :func:`softmax_lessons.widgets.progress.progress_bar`, so the maths
here needs nothing but NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .core import log_softmax, softmax
from .losses import cross_entropy, cross_entropy_grad, one_hot
from .validation import as_float_array, check_int, check_labels, check_number

__all__ = [
    "DecisionGrid",
    "TrainingResult",
    "bigram_counts",
    "bigram_pairs",
    "decision_grid",
    "learned_log_counts",
    "train_bigram_from_counts",
    "train_softmax_regression",
]

def bigram_pairs(text: str, alphabet: str | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """Every (character, next character) pair of `text` as integer indices.

    Taught in 05.

    Returns
    -------
    previous : ndarray of int, shape (len(text) - 1,)
    following : ndarray of int, shape (len(text) - 1,)
    alphabet : str
        The characters, sorted; index ``i`` stands for ``alphabet[i]``.

    Examples
    --------
    >>> prev, nxt, alphabet = bigram_pairs("abba")
    >>> alphabet, prev.tolist(), nxt.tolist()
    ('ab', [0, 1, 1], [1, 1, 0])
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
    if alphabet is not None and not isinstance(alphabet, str):
        raise TypeError(f"alphabet must be a str or None, got {alphabet!r}")
    if len(text) < 2:
        raise ValueError(f"text must have at least 2 characters to make a pair, got {text!r}")
    alphabet = "".join(sorted(set(text))) if alphabet is None else alphabet
    index = {ch: i for i, ch in enumerate(alphabet)}
    missing = sorted(set(text) - set(index))
    if missing:
        raise ValueError(f"alphabet must hold every character of text, got {alphabet!r} "
                         f"without {missing}")
    codes = np.array([index[ch] for ch in text])
    return codes[:-1], codes[1:], alphabet


def bigram_counts(previous: ArrayLike, following: ArrayLike, n_symbols: int) -> np.ndarray:
    """Count matrix: entry ``[i, j]`` is how often symbol ``j`` follows symbol ``i``.

    Taught in 05.

    Examples
    --------
    >>> bigram_counts([0, 1, 1], [1, 1, 0], 2)
    array([[0, 1],
           [1, 1]])
    """
    n_symbols = check_int(n_symbols, "n_symbols")
    prev = check_labels(previous, n_symbols)
    nxt = check_labels(following, n_symbols, shape=prev.shape)
    counts = np.zeros((n_symbols, n_symbols), dtype=int)
    np.add.at(counts, (prev, nxt), 1)
    return counts


def learned_log_counts(weights: ArrayLike, counts: ArrayLike) -> np.ndarray:
    """Read a bigram model's weight rows as log-counts: ``log_softmax(row) + log(row total)``.

    Taught in 05. Softmax ignores a constant added to a row of logits, so training
    can only pin each row down up to such a constant. Removing it with
    log-softmax and adding back the log of the row's number of pairs gives numbers
    to compare with ``log(counts)``.

    Parameters
    ----------
    weights : array_like, shape (n_symbols, n_symbols)
        The trained weight matrix of a bigram model (one row per character).
    counts : array_like, shape (n_symbols, n_symbols)
        The bigram counts it was trained on: finite and >= 0.

    Returns
    -------
    ndarray, same shape
        ``-inf`` in a row whose character is never followed by anything.

    Raises
    ------
    ValueError
        If the shapes differ or a count is negative or not finite.

    Examples
    --------
    >>> counts = np.array([[3, 1], [2, 2]])
    >>> weights = np.log(counts) + np.array([[5.0], [-1.0]])     # any constant per row
    >>> np.exp(learned_log_counts(weights, counts)).round(6)
    array([[3., 1.],
           [2., 2.]])
    """
    w = as_float_array(weights, name="weights")
    c = as_float_array(counts, name="counts")
    if w.ndim != 2:
        raise ValueError(f"weights must be 2-D (n_symbols, n_symbols), got shape {w.shape}")
    if w.shape != c.shape:
        raise ValueError(f"weights {w.shape} and counts {c.shape} must have one shape")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(
            f"counts must be finite and >= 0, got values from {float(c.min())} to "
            f"{float(c.max())}; pass the table from bigram_counts"
        )
    totals = c.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):   # a character never followed by anything: log 0
        return log_softmax(w) + np.log(totals)


@dataclass
class TrainingResult:
    """The trained weights and bias, and the loss before each step and at the end.

    ``losses[0]`` is the loss of the untrained model, ``losses[-1]`` the final one.
    Taught in 05.

    Examples
    --------
    >>> result = TrainingResult(np.array([[1.0, -1.0]]), np.zeros(2), np.zeros(1))
    >>> result.logits([[2.0]])
    array([[ 2., -2.]])
    >>> result.probabilities([[2.0]]).round(3)
    array([[0.982, 0.018]])
    >>> result.log_probabilities([[2.0]]).round(3)
    array([[-0.018, -4.018]])
    """

    weights: np.ndarray
    bias: np.ndarray
    losses: np.ndarray

    def logits(self, features: ArrayLike) -> np.ndarray:
        """``features @ weights + bias``."""
        return as_float_array(features, name="features") @ self.weights + self.bias

    def probabilities(self, features: ArrayLike) -> np.ndarray:
        """softmax of the logits, one row per example."""
        return softmax(self.logits(features))

    def log_probabilities(self, features: ArrayLike) -> np.ndarray:
        """log-softmax of the logits, one row per example."""
        return log_softmax(self.logits(features))


def train_softmax_regression(
    features: ArrayLike,
    labels: ArrayLike,
    n_classes: int | None = None,
    *,
    steps: int = 200,
    learning_rate: float = 0.5,
    use_bias: bool = True,
    on_step: Callable[[int, float], None] | None = None,
) -> TrainingResult:
    """Fit ``softmax(features @ weights + bias)`` to `labels` by full-batch gradient descent.

    Taught in 05. The weights start at zero (every class equally likely), so
    training is deterministic. Each step computes the logits, the mean
    cross-entropy, its gradient ``(p - y) / N`` with respect to the logits, and by
    the chain rule ``features.T @ grad`` for the weights and ``grad.sum(0)`` for
    the bias.

    Parameters
    ----------
    features : array_like, shape (n_examples, n_features)
    labels : array_like of int, shape (n_examples,)
    n_classes : int, optional
        Defaults to ``labels.max() + 1``.
    steps : int, default 200
        Gradient steps.
    learning_rate : float, default 0.5
    use_bias : bool, default True
        Learn a bias per class (the bigram model has none).
    on_step : callable, optional
        Called as ``on_step(step, loss)`` after the loss of each step is known,
        for ``step = 0, 1, ..., steps`` (the last call carries the final loss);
        lesson 05 passes a progress bar here.

    Returns
    -------
    TrainingResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> labels = np.repeat([0, 1, 2], 20)
    >>> centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    >>> features = centres[labels] + 0.5 * rng.standard_normal((60, 2))
    >>> result = train_softmax_regression(features, labels, steps=100)
    >>> round(float(result.losses[0]), 4), bool(result.losses[-1] < 0.2)   # log 3 at the start
    (1.0986, True)
    """
    x = as_float_array(features, name="features")
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(
            f"features must be 2-D (n_examples, n_features) with an example, got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"features must be finite, got {x[~np.isfinite(x)][0]}; drop or fix those examples"
        )
    labels = check_labels(labels, np.iinfo(np.int64).max, shape=(x.shape[0],))
    n_classes = int(labels.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes")
    check_labels(labels, n_classes)
    steps = check_int(steps, "steps", minimum=0)
    learning_rate = check_number(learning_rate, "learning_rate", positive=True)
    y = one_hot(labels, n_classes)

    weights = np.zeros((x.shape[1], n_classes))
    bias = np.zeros(n_classes)
    losses = np.empty(steps + 1)
    for step in range(steps + 1):
        logits = x @ weights + bias
        losses[step] = cross_entropy(logits, y)
        if on_step is not None:
            on_step(step, float(losses[step]))
        if step == steps:
            break
        grad_logits = cross_entropy_grad(logits, y)   # (p - y) / N
        weights -= learning_rate * (x.T @ grad_logits)
        if use_bias:
            bias -= learning_rate * grad_logits.sum(axis=0)
    return TrainingResult(weights=weights, bias=bias, losses=losses)


def train_bigram_from_counts(
    counts: ArrayLike,
    *,
    steps: int = 200,
    learning_rate: float = 0.5,
    on_step: Callable[[int, float], None] | None = None,
) -> TrainingResult:
    """Gradient descent on a bigram model, computed from the count table alone.

    Taught in 05. It takes the same steps as
    ``train_softmax_regression(one_hot(previous), following, use_bias=False)`` on every
    pair: with one-hot inputs the mean loss over the ``N`` pairs is
    ``-sum(counts * log_softmax(W)) / N`` and its gradient for row ``c`` is
    ``(n_c * softmax(W[c]) - counts[c]) / N``, where ``n_c`` is the row's total. The
    pairs enter only through their counts, so one step costs a table's worth of work
    instead of a pass over every pair.

    Parameters
    ----------
    counts : array_like, shape (n_symbols, n_symbols)
        From :func:`bigram_counts` (lesson 05 counts names with
        :func:`softmax_lessons.scenes.name_bigrams`).
    steps, learning_rate, on_step
        As in :func:`train_softmax_regression`.

    Returns
    -------
    TrainingResult
        ``weights`` (one row of logits per symbol), a zero ``bias`` and the losses.

    Examples
    --------
    >>> counts = np.array([[3, 1], [2, 2]])
    >>> result = train_bigram_from_counts(counts, steps=2000, learning_rate=5.0)
    >>> softmax(result.weights).round(3)          # the rows become the frequencies
    array([[0.75, 0.25],
           [0.5 , 0.5 ]])
    """
    c = as_float_array(counts, name="counts").astype(np.float64)
    if (c.ndim != 2 or c.shape[0] != c.shape[1] or not np.all(np.isfinite(c))
            or np.any(c < 0) or c.sum() <= 0):
        raise ValueError(f"counts must be a square table of counts >= 0 with at least one "
                         f"pair, got shape {c.shape}; pass the table from bigram_counts")
    steps = check_int(steps, "steps", minimum=0)
    learning_rate = check_number(learning_rate, "learning_rate")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}; try 0.5")
    total = c.sum()
    row_totals = c.sum(axis=1, keepdims=True)
    weights = np.zeros_like(c)
    losses = np.empty(steps + 1)
    for step in range(steps + 1):
        logp = log_softmax(weights)
        losses[step] = -np.sum(c * logp) / total
        if on_step is not None:
            on_step(step, float(losses[step]))
        if step == steps:
            break
        weights -= learning_rate * (row_totals * np.exp(logp) - c) / total
    return TrainingResult(weights=weights, bias=np.zeros(c.shape[1]), losses=losses)


def _limits(lim: object, name: str) -> tuple[float, float]:
    if not isinstance(lim, (tuple, list)) or len(lim) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {lim!r}")
    return check_number(lim[0], name), check_number(lim[1], name)


@dataclass(frozen=True)
class DecisionGrid:
    """The model's prediction on a grid of 2-D points: what :func:`decision_grid` returns.

    Taught in 05.

    Attributes
    ----------
    xs, ys : ndarray, shape (resolution,)
        The grid coordinates.
    predicted : ndarray of int, shape (resolution, resolution)
        The predicted class at each point; rows follow `ys`, columns `xs`.
    confidence : ndarray, shape (resolution, resolution)
        The largest probability at each point.
    """

    xs: np.ndarray
    ys: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray


def decision_grid(
    result: TrainingResult,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    resolution: int = 200,
) -> DecisionGrid:
    """Predicted class and its probability on a grid of 2-D points, for a decision-region plot.

    Taught in 05.

    Returns
    -------
    DecisionGrid
        ``xs``, ``ys``, ``predicted`` and ``confidence``.

    Examples
    --------
    >>> result = TrainingResult(np.array([[1.0, -1.0], [0.0, 0.0]]), np.zeros(2), np.zeros(1))
    >>> grid = decision_grid(result, (-1, 1), (-1, 1), resolution=3)
    >>> grid.predicted.tolist()
    [[1, 0, 0], [1, 0, 0], [1, 0, 0]]
    """
    if not isinstance(result, TrainingResult):
        raise TypeError(f"result must be a TrainingResult, got {type(result).__name__}")
    if result.weights.ndim != 2 or result.weights.shape[0] != 2:
        raise ValueError(f"result must be a model of 2-D inputs, got weights of shape "
                         f"{result.weights.shape}")
    resolution = check_int(resolution, "resolution")
    xs = np.linspace(*_limits(xlim, "xlim"), resolution)
    ys = np.linspace(*_limits(ylim, "ylim"), resolution)
    gx, gy = np.meshgrid(xs, ys)
    p = result.probabilities(np.column_stack([gx.ravel(), gy.ravel()]))
    shape = (resolution, resolution)
    return DecisionGrid(xs=xs, ys=ys, predicted=p.argmax(axis=1).reshape(shape),
                        confidence=p.max(axis=1).reshape(shape))
