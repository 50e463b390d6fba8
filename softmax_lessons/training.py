"""Seeded toy data and a softmax-regression trainer in plain NumPy.

Taught in 05. The model is the smallest one with a softmax on top: logits are a
linear function of the inputs, ``logits = features @ weights + bias``, and the
loss is the cross-entropy of :mod:`softmax_lessons.losses`. Because the gradient
of the loss with respect to the logits is ``p - y``, the whole backward pass is
two matrix products.

Two data sets use the same trainer:

- :func:`make_blobs`: three clusters of 2-D points, one per class;
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
from .validation import as_float_array, check_int, check_labels, check_number, check_rng

__all__ = [
    "TOY_TEXT",
    "TrainingResult",
    "bigram_counts",
    "bigram_pairs",
    "decision_grid",
    "learned_log_counts",
    "make_blobs",
    "train_softmax_regression",
]

# A short text with few letters, so that every bigram table fits on a screen.
TOY_TEXT = (
    "a banana and a bandana. ada and dan nab a cab. a bad band can ban a nabob. "
    "ana can add an anna banana. dad and nan had a cabana. an abba band. "
)


def make_blobs(
    rng: np.random.Generator,
    n_per_class: int = 50,
    centres: ArrayLike = ((-2.0, 0.0), (2.0, 0.0), (0.0, 3.0)),
    spread: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Points in 2-D around one centre per class, Gaussian with standard deviation `spread`.

    Taught in 05.

    Parameters
    ----------
    rng : numpy.random.Generator
        The lesson's seeded generator.
    n_per_class : int, default 50
        Points drawn around each centre.
    centres : array_like, shape (n_classes, n_dims)
        One centre per class.
    spread : float, default 1.0
        Standard deviation of every coordinate around its centre.

    Returns
    -------
    features : ndarray, shape (n_classes * n_per_class, n_dims)
    labels : ndarray of int, shape (n_classes * n_per_class,)

    Examples
    --------
    >>> features, labels = make_blobs(np.random.default_rng(0), n_per_class=4)
    >>> features.shape, np.bincount(labels).tolist()
    ((12, 2), [4, 4, 4])
    """
    check_rng(rng)
    n_per_class = check_int(n_per_class, "n_per_class", hint="try 50")
    spread = check_number(spread, "spread", positive=True)
    centres = as_float_array(centres, name="centres")
    if centres.ndim != 2 or centres.size == 0:
        raise ValueError(
            f"centres must be a non-empty 2-D array (n_classes, n_dims), got shape {centres.shape}"
        )
    labels = np.repeat(np.arange(len(centres)), n_per_class)
    features = centres[labels] + spread * rng.normal(size=(labels.size, centres.shape[1]))
    return features, labels


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
    >>> features, labels = make_blobs(np.random.default_rng(0), n_per_class=20)
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


def _limits(lim: object, name: str) -> tuple[float, float]:
    if not isinstance(lim, (tuple, list)) or len(lim) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {lim!r}")
    return check_number(lim[0], name), check_number(lim[1], name)


def decision_grid(
    result: TrainingResult,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    resolution: int = 200,
) -> dict[str, np.ndarray]:
    """Predicted class and its probability on a grid of 2-D points, for a decision-region plot.

    Taught in 05.

    Returns
    -------
    dict
        ``xs`` and ``ys`` (1-D grid coordinates), ``predicted`` (int, shape
        ``(resolution, resolution)``, rows follow ``ys``) and ``confidence``
        (the largest probability at each point).

    Examples
    --------
    >>> result = TrainingResult(np.array([[1.0, -1.0], [0.0, 0.0]]), np.zeros(2), np.zeros(1))
    >>> grid = decision_grid(result, (-1, 1), (-1, 1), resolution=3)
    >>> grid["predicted"].tolist()
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
    return {"xs": xs, "ys": ys, "predicted": p.argmax(axis=1).reshape(shape),
            "confidence": p.max(axis=1).reshape(shape)}
