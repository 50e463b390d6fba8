"""Scenes of lesson 05: its toy data, cross-entropy and its gradient, and a bigram model of names.

The toy data: `make_blobs` (three clusters of 2-D points, one per class) and `TOY_TEXT`
(a short text whose bigram table fits on a screen). One small helper lives here because
only these figures need it: `generate_names` (lesson 03's sampler, run until the
end-of-name marker).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..core import softmax
from ..losses import cross_entropy, cross_entropy_grad, one_hot, squared_error, squared_error_grad
from ..sampling import sampling_probabilities
from ..training import bigram_counts, bigram_pairs
from ..validation import as_float_array, check_int, check_number, check_rng, inverse_cdf

__all__ = [
    "CE_CLASSES",
    "CE_LOGITS",
    "GRID",
    "NAME_MARKER",
    "TOY_TEXT",
    "CrossEntropyScene",
    "LossGradientScene",
    "NameBigrams",
    "NameSamples",
    "cross_entropy_scene",
    "generate_names",
    "loss_gradient_scene",
    "make_blobs",
    "name_bigrams",
    "name_samples",
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


CE_CLASSES = ("cat", "dog", "fox", "owl")

CE_LOGITS = (0.0, 2.0, 1.0, -1.0)

GRID = np.linspace(-8.0, 8.0, 161)


@dataclass(frozen=True)
class CrossEntropyScene:
    """What :func:`cross_entropy_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``x`` (logits used), ``labels``, ``label``, ``p``, ``y`` (one-hot), ``grad``
    (``p - y``), ``loss`` (nats), ``grid`` and ``grid_losses`` (the loss as the
    true logit sweeps -8..8), and ``summary`` (one line of text).
    """

    x: np.ndarray
    labels: list[str]
    label: int
    p: np.ndarray
    y: np.ndarray
    grad: np.ndarray
    loss: float
    grid: np.ndarray
    grid_losses: np.ndarray
    summary: str


def _logits_with_label(
    x: Sequence[float], labels: Sequence[str], label: int
) -> tuple[np.ndarray, list[str], int]:
    """A scene's logits (a float copy), its class names and the true class, checked together."""
    x = np.array(x, dtype=float)
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per class: got {x.shape} logits for {len(labels)} "
                         "labels")
    label = check_int(label, "label", minimum=0)
    if label >= len(labels):
        raise ValueError(f"label must be in 0..{len(labels) - 1}, got {label}")
    return x, labels, label


def cross_entropy_scene(
    true_logit: float = 0.0,
    label: int = 0,
    x: Sequence[float] = CE_LOGITS,
    labels: Sequence[str] = CE_CLASSES,
) -> CrossEntropyScene:
    """What the lesson-05 explorer draws when the true class's logit is `true_logit`.

    Taught in 05.

    Parameters
    ----------
    true_logit : float
        Replaces ``x[label]``.
    label : int
        Index of the true class.
    x : sequence of float
        The logits of every class (the entry at `label` is replaced).
    labels : sequence of str
        Class names.

    Returns
    -------
    CrossEntropyScene
        Everything the figure or explorer shows, as named fields.

    Examples
    --------
    >>> scene = cross_entropy_scene(2.0, 0, x=[0.0, 1.0, 0.0], labels=["a", "b", "c"])
    >>> round(scene.loss, 4), scene.grad.round(3).tolist()
    (0.4076, [-0.335, 0.245, 0.09])
    """
    x, labels, label = _logits_with_label(x, labels, label)
    x[label] = float(true_logit)
    p = softmax(x)
    loss = cross_entropy(x, label)
    sweep = np.repeat(x[None, :], GRID.size, axis=0)
    sweep[:, label] = GRID
    grid_losses = cross_entropy(sweep, np.full(GRID.size, label), reduction="none")
    summary = (f"true class {labels[label]}: p = {p[label]:.3f}, loss = {loss:.3f} nats, "
               f"gradient on its logit = {p[label] - 1:.3f}")
    return CrossEntropyScene(
        x=x,
        labels=labels,
        label=label,
        p=p,
        y=one_hot(label, len(labels)),
        grad=cross_entropy_grad(x, label),
        loss=loss,
        grid=GRID,
        grid_losses=grid_losses,
        summary=summary,
    )


# ---------------------------------------------------------------------------
# Cross-entropy against squared error on the probabilities
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LossGradientScene:
    """What :func:`loss_gradient_scene` computes: two losses and their gradients on one logit.

    Fields:
    ``labels``, ``label``, ``grid`` (values of the true class's logit), ``p_true``
    (its probability at each), ``ce_loss`` and ``se_loss`` (cross-entropy in nats,
    squared error on the probabilities), ``ce_grad`` and ``se_grad`` (each loss's
    derivative with respect to the true logit), and ``summary``.
    """

    labels: list[str]
    label: int
    grid: np.ndarray
    p_true: np.ndarray
    ce_loss: np.ndarray
    se_loss: np.ndarray
    ce_grad: np.ndarray
    se_grad: np.ndarray
    summary: str


def loss_gradient_scene(
    label: int = 0,
    x: Sequence[float] = CE_LOGITS,
    labels: Sequence[str] = CE_CLASSES,
    grid: ArrayLike = GRID,
) -> LossGradientScene:
    """Cross-entropy and squared error as the true class's logit sweeps `grid`, others fixed.

    Taught in 05: why classifiers are trained with cross-entropy. Its gradient on the
    true logit is ``p_true - 1``, close to -1 when the model is confidently wrong;
    the squared error's gradient there is close to 0, so the wrong model barely moves.

    Returns
    -------
    LossGradientScene
        Everything the figure shows, as named fields.

    Examples
    --------
    >>> scene = loss_gradient_scene(0, x=[0.0, 2.0], labels=["a", "b"], grid=[-10.0, 2.0])
    >>> scene.ce_grad.round(3), scene.se_grad.round(3)
    (array([-1. , -0.5]), array([-0. , -0.5]))
    """
    x, labels, label = _logits_with_label(x, labels, label)
    grid = np.asarray(grid, dtype=float)
    sweep = np.repeat(x[None, :], grid.size, axis=0)
    sweep[:, label] = grid
    y = np.repeat(one_hot(label, len(labels))[None, :], grid.size, axis=0)
    p_true = softmax(sweep)[:, label]
    ce_grad = cross_entropy_grad(sweep, y, reduction="none")[:, label]
    se_grad = squared_error_grad(sweep, y)[:, label]
    worst = int(np.argmin(grid))
    peak = int(np.argmax(np.abs(se_grad)))
    summary = (f"true logit {grid[worst]:g} (p = {p_true[worst]:.1e}): cross-entropy "
               f"gradient {ce_grad[worst]:.3f}, squared-error gradient {se_grad[worst]:.1e}; "
               f"the squared error pushes hardest at true logit {grid[peak]:.1f} "
               f"(p = {p_true[peak]:.2f}, gradient {se_grad[peak]:.3f})")
    return LossGradientScene(
        labels=labels,
        label=label,
        grid=grid,
        p_true=p_true,
        ce_loss=cross_entropy(sweep, y, reduction="none"),
        se_loss=squared_error(sweep, y),
        ce_grad=ce_grad,
        se_grad=se_grad,
        summary=summary,
    )


# ---------------------------------------------------------------------------
# A character bigram model of first names
# ---------------------------------------------------------------------------

# Marks the start and the end of every name: "." then the letters, then ".".
NAME_MARKER = "."


@dataclass(frozen=True)
class NameBigrams:
    """What :func:`name_bigrams` computes: the names as (character, next character) pairs.

    Fields:
    ``alphabet`` (the marker ``"."`` first, then the letters; index ``i`` stands for
    ``alphabet[i]``), ``previous`` and ``following`` (one entry per pair), ``counts``
    (``counts[i, j]``: how often ``alphabet[j]`` follows ``alphabet[i]``),
    ``n_names`` and ``summary``.
    """

    alphabet: str
    previous: np.ndarray
    following: np.ndarray
    counts: np.ndarray
    n_names: int
    summary: str


def name_bigrams(names: Sequence[str]) -> NameBigrams:
    """Every bigram of `names`, each name framed by the marker: ``"emma"`` gives ``.e em mm ma a.``.

    Taught in 05. The pairs come from :func:`softmax_lessons.training.bigram_pairs`
    on the names joined by the marker (``".emma.noah."``), so the pair (last letter,
    marker) ends one name and (marker, first letter) starts the next.

    Returns
    -------
    NameBigrams

    Raises
    ------
    ValueError
        If there are no names, a name is empty or holds the marker.

    Examples
    --------
    >>> b = name_bigrams(["ab", "b"])
    >>> b.alphabet, b.counts.tolist()
    ('.ab', [[0, 1, 1], [0, 0, 1], [2, 0, 0]])
    """
    names = list(names)
    if not names:
        raise ValueError("need at least one name")
    bad = [name for name in names if not name or NAME_MARKER in name]
    if bad:
        raise ValueError(f"names must be non-empty and free of {NAME_MARKER!r}, got {bad[:3]}")
    text = NAME_MARKER + NAME_MARKER.join(names) + NAME_MARKER
    alphabet = NAME_MARKER + "".join(sorted(set(text) - {NAME_MARKER}))
    previous, following, alphabet = bigram_pairs(text, alphabet)
    counts = bigram_counts(previous, following, len(alphabet))
    summary = (f"{len(names)} names, {previous.size} pairs, {len(alphabet)} symbols "
               f"({NAME_MARKER!r} and {len(alphabet) - 1} letters); "
               f"{int(np.count_nonzero(counts))} of {counts.size} possible pairs occur")
    return NameBigrams(alphabet=alphabet, previous=previous, following=following,
                       counts=counts, n_names=len(names), summary=summary)


def generate_names(
    weights: ArrayLike,
    alphabet: str,
    rng: np.random.Generator,
    n_names: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    max_length: int = 24,
) -> list[str]:
    """Write `n_names` names with a bigram model, one letter at a time, with lesson 03's sampler.

    Taught in 05. Each name starts from the marker: the row of `weights` for the
    current symbol gives the logits of the next one, and the name ends when the marker
    comes back. A name that reaches `max_length` letters is cut there and ends in ``"…"``.
    A bigram model's next-symbol distribution depends only on the current symbol, so
    each row's :func:`softmax_lessons.sampling.sampling_probabilities` (with
    `temperature`, `top_k`, `top_p`) is computed once; each letter is then drawn from
    it as :func:`softmax_lessons.sampling.sample` draws, one uniform number turned
    into a symbol by the inverse of the cdf, so the names are the ones `sample`
    would write, with the same generator.

    Examples
    --------
    >>> weights = np.log([[1e-9, 1.0, 1e-9], [1.0, 1e-9, 1.0], [1.0, 1.0, 1e-9]])
    >>> generate_names(weights, ".ab", np.random.default_rng(0), 3)
    ['a', 'a', 'abababa']
    """
    table = np.asarray(weights, dtype=float)
    if table.shape != (len(alphabet), len(alphabet)):
        raise ValueError(f"weights must be ({len(alphabet)}, {len(alphabet)}) for the alphabet "
                         f"{alphabet!r}, got shape {table.shape}")
    if alphabet[0] != NAME_MARKER:
        raise ValueError(f"the alphabet must start with the marker {NAME_MARKER!r}, "
                         f"got {alphabet!r}")
    check_rng(rng)
    n_names = check_int(n_names, "n_names", minimum=0)
    max_length = check_int(max_length, "max_length")
    next_p = np.array([sampling_probabilities(row, temperature=temperature, top_k=top_k,
                                              top_p=top_p) for row in table])
    names = []
    for _ in range(n_names):
        letters, current = [], 0
        while len(letters) < max_length:
            current = int(inverse_cdf(next_p[current], rng.random()))
            if current == 0:
                break
            letters.append(alphabet[current])
        else:
            letters.append("…")
        names.append("".join(letters))
    return names


@dataclass(frozen=True)
class NameSamples:
    """What :func:`name_samples` computes: generated names for several sampler settings.

    Fields:
    ``settings`` (name of each setting, in order), ``names`` (a list of all the
    generated names per setting), ``known`` (how many of them are in the training
    list, per setting), ``mean_length`` (letters per generated name, per setting),
    ``n_shown`` and ``lines`` (one line of text per setting: the first `n_shown`
    names, then the statistics of all of them).
    """

    settings: list[str]
    names: list[list[str]]
    known: list[int]
    mean_length: list[float]
    n_shown: int
    lines: list[str]


def name_samples(
    weights: ArrayLike,
    alphabet: str,
    rng: np.random.Generator,
    settings: Mapping[str, Mapping[str, float | int]],
    n_names: int = 100,
    n_shown: int = 6,
    corpus: Sequence[str] = (),
) -> NameSamples:
    """`n_names` generated names for each sampler setting, all drawn from one generator.

    Taught in 05. `settings` maps a label such as ``"T = 0.5"`` to keyword arguments of
    :func:`generate_names` (``temperature``, ``top_k``, ``top_p``); the settings are
    sampled in order, so one seeded `rng` gives the same names every run. Each line
    shows the first `n_shown` names, then the mean length of all `n_names` and how
    many of them are in `corpus` (the training list).

    Examples
    --------
    >>> weights = np.log([[1e-9, 1.0, 1e-9], [1.0, 1e-9, 1.0], [1.0, 1.0, 1e-9]])
    >>> s = name_samples(weights, ".ab", np.random.default_rng(0), {"top-1": {"top_k": 1}},
    ...                  n_names=3, n_shown=2, corpus=["a"])
    >>> s.lines
    ['top-1      a a   | 3 names: 1.0 letters on average, 3 in the list']
    """
    n_shown = check_int(n_shown, "n_shown", minimum=0)
    known_names = set(corpus)
    labels, all_names, known, lengths, lines = [], [], [], [], []
    width = max([len(label) for label in settings] + [10])
    for label, options in settings.items():
        names = generate_names(weights, alphabet, rng, n_names, **options)
        labels.append(label)
        all_names.append(names)
        known.append(sum(name in known_names for name in names))
        lengths.append(float(np.mean([len(name) for name in names])) if names else 0.0)
        lines.append(f"{label:<{width}} {' '.join(names[:n_shown])}   | {len(names)} names: "
                     f"{lengths[-1]:.1f} letters on average, {known[-1]} in the list")
    return NameSamples(settings=labels, names=all_names, known=known, mean_length=lengths,
                       n_shown=n_shown, lines=lines)
