"""Scene of lesson 05: cross-entropy and its gradient as the true logit moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import softmax
from ..losses import cross_entropy, cross_entropy_grad, one_hot

__all__ = [
    "CE_CLASSES",
    "CE_LOGITS",
    "GRID",
    "CrossEntropyScene",
    "cross_entropy_scene",
]

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
    x = np.array(x, dtype=float)
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per class: got {x.shape} logits for {len(labels)} "
                         "labels")
    if not 0 <= label < len(labels):
        raise ValueError(f"label must be in 0..{len(labels) - 1}, got {label}")
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
