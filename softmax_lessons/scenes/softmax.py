"""Scenes of lessons 00 and 01: the widget check, and the five-class explorer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import entropy, softmax

__all__ = [
    "CLASSES",
    "DEFAULT_LOGITS",
    "DefinitionScene",
    "StartHereScene",
    "definition_scene",
    "start_here_scene",
]

CLASSES = ("cat", "dog", "fox", "owl", "yak")

DEFAULT_LOGITS = (2.0, 1.0, 0.1, -0.5, -1.5)


@dataclass(frozen=True)
class StartHereScene:
    """What :func:`start_here_scene` computes: one frame of the explorer, or a static figure.
    """

    p: np.ndarray
    message: str


def start_here_scene(value: float) -> StartHereScene:
    """What the lesson-00 check widget shows for a slider `value`: softmax of (value, 0).

    Examples
    --------
    >>> scene = start_here_scene(0.0)
    >>> scene.p.round(3).tolist(), scene.message
    ([0.5, 0.5], 'softmax(0.0, 0) = (0.500, 0.500)')
    """
    p = softmax([float(value), 0.0])
    return StartHereScene(
        p=p,
        message=f"softmax({float(value):.1f}, 0) = ({p[0]:.3f}, {p[1]:.3f})",
    )


@dataclass(frozen=True)
class DefinitionScene:
    """What :func:`definition_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``x``, ``labels``, ``p`` (softmax of `x`), ``argmax`` (index) and
    ``argmax_label``, ``entropy_bits`` and ``entropy_max_bits`` (log2 of the
    number of classes), ``total`` (the sum of ``p``) and ``summary`` (one line of text).
    """

    x: np.ndarray
    labels: list[str]
    p: np.ndarray
    argmax: int
    argmax_label: str
    entropy_bits: float
    entropy_max_bits: float
    total: float
    summary: str


def definition_scene(
    x: Sequence[float] = DEFAULT_LOGITS, labels: Sequence[str] = CLASSES
) -> DefinitionScene:
    """What the lesson-01 explorer draws for logits `x`: probabilities, argmax, entropy, sum.

    Taught in 01.

    Parameters
    ----------
    x : sequence of float
        One logit per class.
    labels : sequence of str
        Class names, as many as logits.

    Returns
    -------
    DefinitionScene
        Everything the figure or explorer shows, as named fields.

    Raises
    ------
    ValueError
        If `x` and `labels` have different lengths.

    Examples
    --------
    >>> scene = definition_scene()
    >>> scene.p.round(3)
    array([0.614, 0.226, 0.092, 0.05 , 0.019])
    >>> scene.argmax_label, round(scene.entropy_bits, 3), scene.total
    ('cat', 1.557, 1.0)
    """
    x = np.asarray(x, dtype=float)
    labels = list(labels)
    if x.shape != (len(labels),):
        raise ValueError(f"need one logit per class: got logits of shape {x.shape} for "
                         f"{len(labels)} labels; pass as many logits as labels")
    p = softmax(x)
    k = int(np.argmax(x))  # of the logits: tiny differences can round away in p
    h = float(entropy(p))
    h_max = float(np.log2(len(labels)))
    total = float(np.sum(p))
    summary = (f"argmax: {labels[k]} (p = {p[k]:.3f})   entropy: {h:.3f} bits "
               f"(max {h_max:.3f})   sum: {total:.3f}")
    return DefinitionScene(
        x=x,
        labels=labels,
        p=p,
        argmax=k,
        argmax_label=labels[k],
        entropy_bits=h,
        entropy_max_bits=h_max,
        total=total,
        summary=summary,
    )
