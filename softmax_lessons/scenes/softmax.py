"""Scenes of lessons 00 and 01: the widget check, the five-class explorer, why exp, surprise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import entropy, softmax

__all__ = [
    "CLASSES",
    "DEFAULT_LOGITS",
    "NORMALISERS",
    "DefinitionScene",
    "NormaliserScene",
    "NormaliserSweep",
    "StartHereScene",
    "SurpriseScene",
    "definition_scene",
    "normaliser_scene",
    "normaliser_sweep",
    "start_here_scene",
    "surprise_scene",
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


# -- why exp: the obvious alternatives, side by side (lesson 01) ---------------------------

#: The four ways lesson 01 tries to turn scores into probabilities: a positive-making
#: function f, then f(x) / sum f(x). Only the last one is softmax.
NORMALISERS = ("x / sum", "x² / sum", "relu / sum", "exp / sum")


def _weights_and_slopes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) for each normaliser, stacked: two arrays of shape (4, n).

    exp is applied to ``x - max(x)``: the same probabilities (lesson 02 shows why), no
    overflow. The slope of relu at exactly 0 is taken as 0.
    """
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    f = np.stack([x, x**2, np.maximum(x, 0.0), e])
    df = np.stack([np.ones_like(x), 2 * x, (x > 0).astype(float), e])
    return f, df


@dataclass(frozen=True)
class NormaliserScene:
    """What :func:`normaliser_scene` computes: four normalisers applied to the same logits.

    Fields:
    ``x``, ``labels``, ``methods`` (the names in :data:`NORMALISERS`); ``p`` of shape
    (4, n): ``f(x) / sum f(x)`` for each method (``inf`` or NaN where the sum is 0);
    ``own_slope`` of shape (4, n): the derivative of ``p_i`` with respect to its own
    logit ``x_i`` (how strongly gradient descent can move that class); and per method:
    ``negative`` (some output below 0), ``above_one`` (some output above 1),
    ``divides_by_zero`` (the sum is 0), ``order_kept`` (a larger logit always gets a
    larger output), ``dead`` (classes whose output is exactly 0 and does not respond
    to their own logit) and ``verdict`` (one short line saying what went wrong).
    """

    x: np.ndarray
    labels: list[str]
    methods: tuple[str, ...]
    p: np.ndarray
    own_slope: np.ndarray
    negative: tuple[bool, ...]
    above_one: tuple[bool, ...]
    divides_by_zero: tuple[bool, ...]
    order_kept: tuple[bool, ...]
    dead: tuple[tuple[str, ...], ...]
    verdict: tuple[str, ...]


def _order_kept(x: np.ndarray, q: np.ndarray) -> bool:
    """True when every strictly larger logit gets a strictly larger (finite) output."""
    if not np.all(np.isfinite(q)):
        return False
    bigger = x[:, None] > x[None, :]  # bigger[i, j]: logit i above logit j
    return bool(np.all((q[:, None] > q[None, :])[bigger]))


def _verdict(negative, above_one, zero_sum, order_kept, dead, x, labels, q) -> str:
    if zero_sum:
        return "the sum is 0: division by zero"
    problems = []
    if negative:
        problems.append("negative outputs")
    if above_one:
        problems.append("outputs above 1")
    if not order_kept:
        # name one pair the other way round: the smaller logit with the larger output
        pairs = [(i, j) for i in range(x.size) for j in range(x.size)
                 if x[i] < x[j] and q[i] > q[j]]
        ties = [(i, j) for i in range(x.size) for j in range(x.size)
                if x[i] < x[j] and q[i] == q[j]]
        if pairs:
            i, j = pairs[0]
            problems.append(f"order broken: {x[i]:g} beats {x[j]:g}")
        elif ties and not dead:  # a dead class ties with other dead ones: said below
            i, j = ties[0]
            problems.append(f"order lost: {x[i]:g} ties with {x[j]:g}")
    if dead:
        problems.append(f"{', '.join(dead)} stuck at exactly 0")
    return "; ".join(problems) if problems else "all in (0, 1), order kept"


def normaliser_scene(x: Sequence[float], labels: Sequence[str]) -> NormaliserScene:
    """Try four ways of turning logits `x` into probabilities; say what breaks in each.

    Taught in 01 ("why exp"). Each method makes the scores non-negative (or not) with
    a function f, then divides by the total: ``x`` itself, ``x**2``, ``relu(x) = max(x, 0)``
    and ``exp(x)``. Only the last keeps every output in (0, 1), keeps the order of
    the logits, and gives every class a non-zero slope.

    Parameters
    ----------
    x : sequence of float
        One logit per class.
    labels : sequence of str
        Class names, as many as logits.

    Returns
    -------
    NormaliserScene
        The outputs, the slopes and a verdict per method.

    Raises
    ------
    ValueError
        If `x` and `labels` have different lengths, or `x` is empty.

    Examples
    --------
    >>> scene = normaliser_scene([2.0, -3.0, 0.5], ["cat", "dog", "fox"])
    >>> scene.p.round(3).tolist()
    [[-4.0, 6.0, -1.0], [0.302, 0.679, 0.019], [0.8, 0.0, 0.2], [0.813, 0.005, 0.181]]
    >>> scene.verdict[1], scene.dead[2]
    ('order broken: -3 beats 2', ('dog',))
    """
    x = np.asarray(x, dtype=float)
    labels = list(labels)
    if x.ndim != 1 or x.size == 0 or x.size != len(labels):
        raise ValueError(f"need one logit per class: got logits of shape {x.shape} for "
                         f"{len(labels)} labels; pass as many logits as labels (at least one)")
    f, df = _weights_and_slopes(x)
    total = f.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = f / total  # a zero total is the failure we show: inf or NaN, on purpose
        # d/dx_i of f_i / S with S = sum_j f_j: f'_i (S - f_i) / S**2
        own_slope = df * (total - f) / total**2
    zero_sum = tuple(bool(t == 0) for t in total[:, 0])
    negative = tuple(bool(np.any(q < 0)) for q in p)
    above_one = tuple(bool(np.any(q > 1)) for q in p)
    order_kept = tuple(_order_kept(x, q) for q in p)
    dead = tuple(
        tuple(labels[i] for i in range(x.size) if q[i] == 0 and s[i] == 0)
        if not z else ()
        for q, s, z in zip(p, own_slope, zero_sum, strict=True)
    )
    verdict = tuple(
        _verdict(*flags, x, labels, q)
        for flags, q in zip(zip(negative, above_one, zero_sum, order_kept, dead, strict=True),
                            p, strict=True)
    )
    return NormaliserScene(
        x=x, labels=labels, methods=NORMALISERS, p=p, own_slope=own_slope,
        negative=negative, above_one=above_one, divides_by_zero=zero_sum,
        order_kept=order_kept, dead=dead, verdict=verdict,
    )


@dataclass(frozen=True)
class NormaliserSweep:
    """What :func:`normaliser_sweep` computes: one class's output as its own logit moves.

    Fields:
    ``x`` (the logits; all but the moving one stay fixed), ``labels``, ``index`` and
    ``label`` of the moving class,
    ``values`` (its logit along the sweep), ``methods``, ``p`` of shape
    (4, len(values)): its output under each method, NaN where the total is 0 or
    changes sign between two neighbouring values (a division by zero: the curve
    is broken there rather than joined across the jump).
    """

    x: np.ndarray
    labels: list[str]
    index: int
    label: str
    values: np.ndarray
    methods: tuple[str, ...]
    p: np.ndarray


def normaliser_sweep(
    x: Sequence[float], index: int, values: Sequence[float], labels: Sequence[str]
) -> NormaliserSweep:
    """The output of class `index` under each normaliser as its logit runs over `values`.

    Taught in 01 ("why exp"). The other logits stay as in `x`. A flat stretch at 0
    is a dead class (no slope, so no gradient); a curve that goes down while the
    logit goes up has broken the order; a jump is a division by zero.

    Examples
    --------
    >>> sweep = normaliser_sweep([2.0, -3.0, 0.5], 1, [-4.0, -1.0, 1.0], ["a", "b", "c"])
    >>> sweep.p.round(3)      # x / sum: the total changes sign between -4 and -1
    array([[  nan,   nan, 0.286],
           [0.79 , 0.19 , 0.19 ],
           [0.   , 0.   , 0.286],
           [0.002, 0.039, 0.231]])
    """
    x = np.asarray(x, dtype=float)
    labels = list(labels)
    if x.ndim != 1 or x.size != len(labels):
        raise ValueError(f"need one logit per class: got logits of shape {x.shape} for "
                         f"{len(labels)} labels")
    if not -x.size <= index < x.size:
        raise ValueError(f"index must pick one of the {x.size} classes, got {index}")
    index = index % x.size
    values = np.asarray(values, dtype=float)
    grid = np.tile(x, (values.size, 1))
    grid[:, index] = values
    f, _ = _weights_and_slopes(grid)
    total = f.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = f[:, :, index] / total
    sign = np.sign(total)
    jump = np.zeros_like(total, dtype=bool)
    jump[:, 1:] |= sign[:, 1:] != sign[:, :-1]
    jump[:, :-1] |= sign[:, 1:] != sign[:, :-1]
    p = np.where((total == 0) | jump, np.nan, p)
    return NormaliserSweep(x=x, labels=labels, index=index, label=labels[index],
                           values=values, methods=NORMALISERS, p=p)


# -- surprise and entropy (lesson 01) ------------------------------------------------------


@dataclass(frozen=True)
class SurpriseScene:
    """What :func:`surprise_scene` computes: the surprise of each outcome and its average.

    Fields:
    ``p``, ``labels``; ``surprise_bits`` (``-log2 p`` per class, ``inf`` for p = 0);
    ``entropy_bits`` (the average surprise, weighted by ``p``), ``entropy_nats``
    (the same with the natural log), ``max_bits`` (``log2 n``, the uniform
    distribution's entropy); ``curve_p`` and ``curve_bits`` (the curve ``-log2 p``
    for a figure).
    """

    p: np.ndarray
    labels: list[str]
    surprise_bits: np.ndarray
    entropy_bits: float
    entropy_nats: float
    max_bits: float
    curve_p: np.ndarray
    curve_bits: np.ndarray


def surprise_scene(p: Sequence[float], labels: Sequence[str]) -> SurpriseScene:
    """Surprise ``-log2 p`` of each outcome and the entropy, the average surprise, in bits.

    Taught in 01. An outcome of probability 1/2 surprises you by 1 bit, 1/4 by 2 bits;
    a certain outcome by 0. The entropy ``H = sum_i p_i (-log2 p_i)`` weighs each
    surprise by how often it happens: 0 for a one-hot distribution, ``log2 n`` for
    the uniform one. Lesson 05 uses the natural log instead (nats); 1 nat is
    ``1 / ln 2`` bits.

    Parameters
    ----------
    p : sequence of float
        A probability distribution (entries >= 0 summing to 1).
    labels : sequence of str
        Class names, as many as probabilities.

    Raises
    ------
    ValueError
        If `p` is not a distribution, or `p` and `labels` have different lengths.

    Examples
    --------
    >>> scene = surprise_scene([0.5, 0.25, 0.25], ["a", "b", "c"])
    >>> scene.surprise_bits.tolist(), scene.entropy_bits
    ([1.0, 2.0, 2.0], 1.5)
    >>> round(scene.entropy_nats, 4), round(scene.max_bits, 4)
    (1.0397, 1.585)
    """
    p = np.asarray(p, dtype=float)
    labels = list(labels)
    if p.ndim != 1 or p.size != len(labels):
        raise ValueError(f"need one probability per class: got shape {p.shape} for "
                         f"{len(labels)} labels")
    h_bits = float(entropy(p)) + 0.0  # checks that p is a distribution; -0.0 prints as 0.0
    with np.errstate(divide="ignore"):
        surprise = -np.log2(p)
    curve_p = np.linspace(0.01, 1.0, 199)
    return SurpriseScene(
        p=p,
        labels=labels,
        surprise_bits=surprise,
        entropy_bits=h_bits,
        entropy_nats=float(entropy(p, base=np.e)) + 0.0,
        max_bits=float(np.log2(p.size)),
        curve_p=curve_p,
        curve_bits=-np.log2(curve_p),
    )
