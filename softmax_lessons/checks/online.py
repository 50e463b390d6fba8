"""Checkers of exercises/06_beyond.ipynb (Beyond)."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable

import numpy as np

from ..core import softmax
from . import rules
from .runner import (
    Mistake,
    call_on_copies,
    checker,
    fmt_logits,
    no_max_shift,
    result_array,
)

__all__ = [
    "check_gumbel_max",
    "check_merge_states",
    "check_online_attention",
    "check_online_softmax",
]


class _NoLength(Mistake, TypeError):
    """The stream's answer to len(): a Mistake for the learner, a TypeError for list()."""


class _OnePass:
    """An input that can be read only once, in order, as a stream from memory would be.

    It has no length and no indexing, and a second ``for`` loop over it is refused.
    Copying it into a list is possible, but :func:`_stored_bytes` notices the memory.
    """

    def __init__(self, values, keep=float):
        self.values = [keep(v) for v in values]
        self.reads = 0

    def __iter__(self):
        self.reads += 1
        if self.reads > 1:
            raise Mistake(
                "your function read the input twice",
                hint="an online pass reads it once, keeping only a running state",
            )
        return iter(self.values)

    def __len__(self):
        # A TypeError too, so list(stream) still works (it only asks for a length hint).
        raise _NoLength(
            "your function asked for the length of the input, but a stream has none until it "
            "ends",
            hint="read it once with a for loop",
        )

    def __getitem__(self, index):
        raise Mistake(
            "your function indexed the input, but a stream can only be read in order",
            hint="read it once with a for loop",
        )


#: Length of the long stream, and the memory (bytes) a one-pass function may use on it:
#: storing its items costs at least 8 bytes each, far more than this.
_LONG_STREAM = 20_000
_MEMORY_ALLOWED = 16_000


def _stored_bytes(fn, stream) -> tuple[object, int]:
    """``fn(stream)`` and the peak memory it allocated while running, in bytes."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn(stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if started:
            tracemalloc.stop()
    return result, peak - before


def _state(result, on):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise Mistake(f"on {on} expected a pair (m, s), got {result!r:.40}")
    return float(result[0]), float(result[1])


def _read_stream(fn, stream, on):
    """``fn(stream)``, with math.exp's OverflowError named as the missing shift it is."""
    try:
        return fn(stream)
    except OverflowError as exc:
        raise Mistake(
            f"on {on} your function raised OverflowError ({exc})",
            hint="math.exp overflows above about 709: subtract the running maximum before "
            "exponentiating",
        ) from None


def _stored_mistake(on: str) -> Mistake:
    return Mistake(
        f"on {on} your function stored the input before using it (its memory grew with the "
        "length of the stream)",
        hint="that is two passes over a copy; an online pass uses each item as it arrives and "
        "keeps only a running state",
    )


@checker("06.1", "online softmax", points=3)
def check_online_softmax(fn: Callable) -> str:
    """Exercise 06.1: ``fn(xs)`` reads `xs` once and returns ``(m, s)``.

    Taught in 06. ``m = max(xs)`` and ``s = sum(exp(x - m) for x in xs)``, from a single
    pass with a running maximum and a rescaled running sum.

    Examples
    --------
    >>> def two_passes(xs):
    ...     m = max(xs)
    ...     return m, sum(math.exp(x - m) for x in xs)
    >>> check_online_softmax(two_passes).passed
    ✗ Exercise 06.1: your function read the input twice; an online pass reads it once, \
keeping only a running state
    False
    """
    cases = [
        [3.0, 1.0, 2.0],
        [1.0, 2.0, 3.0, 4.0],
        [-5.0, -3.0, -4.0],
        [1000.0, 1001.0, 999.0],
        [0.5, -2.0, 7.0, 7.0, -1.0, 3.5],
    ]
    for x in cases:
        on = fmt_logits(x)
        m, s = _state(_read_stream(fn, _OnePass(x), on), on)
        want_m, want_s = max(x), float(np.sum(np.exp(np.array(x) - max(x))))
        if m == 0.0 and want_m < 0:
            raise Mistake(
                f"on {on} your maximum is 0 but every input is negative",
                hint="start the running max at -inf, the maximum of nothing",
            )
        if m != want_m:
            raise Mistake(f"on {on} your running maximum ends at {m:g}, not at the largest input")
        if math.isnan(s) or math.isinf(s):
            raise no_max_shift(x, "NaN" if math.isnan(s) else "inf")
        stale = sum(math.exp(v - max(x[: i + 1])) for i, v in enumerate(x))
        if not math.isclose(s, want_s, rel_tol=1e-12) and math.isclose(s, stale, rel_tol=1e-12):
            raise Mistake(
                f"on {on} your sum is too large: it matches terms each taken relative to the "
                "maximum seen so far",
                hint="when a new maximum arrives, the running sum must be rescaled by "
                "exp(old max - new max)",
            )
        if not math.isclose(s, want_s, rel_tol=1e-12):
            raise Mistake(f"on {on} your running sum ends at {s:.6g}, which is not sum(exp(x - m))")
    x = np.random.default_rng(6).normal(0.0, 3.0, _LONG_STREAM)
    on = f"a stream of {_LONG_STREAM} logits"
    result, stored = _stored_bytes(fn, _OnePass(x))
    m, s = _state(result, on)
    if m != float(x.max()) or not math.isclose(s, float(np.exp(x - x.max()).sum()), rel_tol=1e-9):
        raise Mistake(f"on {on} your (m, s) is not the stream's maximum and sum(exp(x - m))")
    if stored > _MEMORY_ALLOWED:
        raise _stored_mistake(on)
    return (
        f"one pass, right maximum and sum on five inputs (increasing, huge) and on a stream "
        f"of {_LONG_STREAM} logits without storing it."
    )


@checker("06.2", "merging blockwise softmax states", points=2)
def check_merge_states(fn: Callable) -> str:
    """Exercise 06.2: ``fn((m1, s1), (m2, s2))`` returns the state of both chunks together.

    Taught in 06. A state is ``(max, sum(exp(x - max)))`` of a chunk; an empty chunk is
    ``(-inf, 0)``.

    Examples
    --------
    >>> check_merge_states(lambda a, b: (max(a[0], b[0]), a[1] + b[1])).passed
    ✗ Exercise 06.2: on two chunks of a random vector your merged sum is the two sums \
added as they are; each is relative to its own maximum, so rescale each by \
exp(its max - merged max) first
    False
    """
    rng = np.random.default_rng(6)
    x = np.concatenate([rng.normal(0, 3, 7), [40.0], rng.normal(0, 3, 8)])
    full_m, full_s = float(x.max()), float(np.exp(x - x.max()).sum())

    def state(chunk):
        return float(chunk.max()), float(np.exp(chunk - chunk.max()).sum())

    a, b = state(x[:8]), state(x[8:])
    on = "two chunks of a random vector"
    m, s = _state(call_on_copies(fn, a, b), on)
    if m != full_m:
        raise Mistake(
            f"on {on} your merged maximum is {m:g}, not the larger of the two maxima"
        )
    if math.isclose(s, a[1] + b[1], rel_tol=1e-12) and not math.isclose(s, full_s, rel_tol=1e-12):
        raise Mistake(
            f"on {on} your merged sum is the two sums added as they are",
            hint="each is relative to its own maximum, so rescale each by "
            "exp(its max - merged max) first",
        )
    if not math.isclose(s, full_s, rel_tol=1e-12):
        raise Mistake(f"on {on} the merged sum is off by a factor of {s / full_s:.3g}")
    chunks = np.array_split(x, 4)
    merged = state(chunks[0])
    for chunk in chunks[1:]:
        merged = _state(call_on_copies(fn, merged, state(chunk)), "four chunks")
    if merged[0] != full_m or not math.isclose(merged[1], full_s, rel_tol=1e-12):
        raise Mistake("merging four chunks one after another does not give the full (max, sum)")
    empty = (-math.inf, 0.0)
    for first, second in ((empty, a), (a, empty)):
        m, s = _state(call_on_copies(fn, first, second), "an empty chunk and a full one")
        if (m, s) != a and not (m == a[0] and math.isclose(s, a[1], rel_tol=1e-15)):
            raise Mistake(
                f"merging {first} with {second} changed the full chunk's state",
                hint="merging with an empty chunk, state (-inf, 0), must leave the other "
                "state unchanged",
            )
    m, s = _state(call_on_copies(fn, empty, empty), "two empty chunks")
    if math.isnan(m) or math.isnan(s):
        raise Mistake(
            "merging two empty chunks, (-inf, 0) and (-inf, 0), gives NaN",
            hint="exp(-inf - (-inf)) is exp(NaN): when the merged maximum is -inf, return the "
            "empty state as it is",
        )
    if (m, s) != empty:
        raise Mistake(f"merging two empty chunks gives ({m:g}, {s:g}), not the empty state")
    return (
        "merging chunk states gives the full (max, sum), with two, four, one empty and two "
        "empty chunks."
    )


_GUMBEL_DRAWS = 20_000
_GUMBEL_TOLERANCE = 0.02  # about 5.7 standard deviations of a frequency over 20,000 draws


def _draws(fn, x, seed: int, size: int, on: str) -> np.ndarray:
    result = call_on_copies(fn, np.asarray(x, dtype=float), np.random.default_rng(seed), size)
    draws = np.asarray(result)
    if draws.shape != (size,):
        raise Mistake(f"on {on} expected {size} draws, shape ({size},), got shape {draws.shape}")
    if draws.dtype.kind not in "iu":
        if not np.all(np.mod(draws, 1) == 0):
            raise Mistake(f"on {on} expected class indices (whole numbers), got {draws.dtype}")
        draws = draws.astype(int)
    if draws.min() < 0 or draws.max() >= len(x):
        raise Mistake(f"on {on} a draw is {int(draws.max())}, not a class index of x")
    return draws


@checker("06.3", "Gumbel-max sampling", points=3)
def check_gumbel_max(fn: Callable) -> str:
    """Exercise 06.3: ``fn(x, rng, size)`` draws `size` classes as ``argmax(x + Gumbel noise)``.

    Taught in 06. The checker counts 20,000 draws on logits of its own, huge logits
    included, checks that a -inf logit is never drawn and that the draws follow the
    generator's seed. The exercise asks for no probabilities at all: the source is
    read for exp, softmax, cumsum, choice and ready-made Gumbel draws.

    Examples
    --------
    >>> def uniform_noise(x, rng, size):
    ...     return np.argmax(x + rng.random((size, len(x))), axis=-1)
    >>> check_gumbel_max(uniform_noise).passed    # doctest: +ELLIPSIS
    ✗ Exercise 06.3: on x = (2, 1, 0, -1) the frequencies of your 20000 draws are up to \
0.36 away from softmax(x); ...
    False
    """
    cases = [((0.5, 0.5), 65), ((2.0, 1.0, 0.0, -1.0), 63), ((1000.0, 1001.0, 999.0), 64)]
    for x, seed in cases:
        on = f"x = {fmt_logits(x)}"
        draws = _draws(fn, x, seed, _GUMBEL_DRAWS, on)
        if len(set(x)) == 1 and np.all(draws == draws[0]):
            raise Mistake(
                f"on {on}, two equal logits, all your {_GUMBEL_DRAWS} draws are class "
                f"{int(draws[0])}",
                hint="draw fresh noise for every draw and every class: shape (size, len(x))",
            )
        freq = np.bincount(draws, minlength=len(x)) / _GUMBEL_DRAWS
        gap = float(np.max(np.abs(freq - softmax(np.array(x)))))
        if gap > _GUMBEL_TOLERANCE:
            raise Mistake(
                f"on {on} the frequencies of your {_GUMBEL_DRAWS} draws are up to {gap:.2f} "
                "away from softmax(x)",
                hint="Gumbel noise is -log(-log(u)) for u uniform in (0, 1), added to the "
                "logits (not the probabilities) before the argmax",
            )
    masked = np.array([0.0, -np.inf, 1.0])
    draws = _draws(fn, masked, 66, 2000, "x = (0, -inf, 1)")
    if np.any(draws == 1):
        raise Mistake("on x = (0, -inf, 1) your draws include class 1, whose logit is -inf")
    runs = [_draws(fn, (2.0, 1.0, 0.0), seed, 50, "x = (2, 1, 0)") for seed in (67, 67, 68)]
    if not np.array_equal(runs[0], runs[1]):
        raise Mistake(
            "two generators made with the same seed gave different draws",
            hint="draw only with the rng you are given",
        )
    if np.array_equal(runs[0], runs[2]):
        raise Mistake(
            "generators made with different seeds gave the same 50 draws",
            hint="draw the uniforms with the rng you are given, not np.random",
        )
    rules.enforce(
        rules.calls_to(
            fn, {"exp", "softmax", "cumsum", "choice", "gumbel", "gumbel_max_sample", "sample"}
        ),
        "no probabilities (no exp, softmax, cumsum or choice) and your own Gumbel noise",
        hint="uniforms from rng.random, then -log(-log(u)), then argmax along the last axis",
    )
    return (
        f"{_GUMBEL_DRAWS} draws follow softmax(x) on three inputs (huge logits too), never a "
        "-inf logit, seeded."
    )


def _pair(item) -> tuple[float, np.ndarray]:
    score, value = item
    return float(score), np.array(value, dtype=float)


def _attention_output(scores, values) -> np.ndarray:
    return softmax(np.array(scores)) @ np.array(values)


def _unrescaled_output(scores, values) -> np.ndarray:
    """The slip of rescaling the running sum but not the running weighted sum of values."""
    m, s, acc = -math.inf, 0.0, np.zeros(len(values[0]))
    for x, v in zip(scores, values, strict=True):
        new_m = max(m, x)
        s = s * math.exp(m - new_m) + math.exp(x - new_m)
        acc = acc + math.exp(x - new_m) * np.asarray(v)
        m = new_m
    return acc / s


_ATTENTION_CASES = [
    ([0.5, 2.0, -1.0, 3.0], [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [-1.0, 4.0]]),
    ([3.0, 2.0, 1.0], [[1.0, 1.0], [0.0, -2.0], [5.0, 0.0]]),
    ([1000.0, 1001.0, 999.0], [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]),
    ([-4.0], [[7.0, -3.0]]),
]


@checker("06.4", "one-pass attention for one query", points=4)
def check_online_attention(fn: Callable) -> str:
    """Exercise 06.4: ``fn(pairs)`` reads (score, value) pairs once, returns the attention output.

    Taught in 06, extended: the output ``sum_i softmax(scores)_i v_i`` of one query, from
    a single pass that keeps a running maximum, a running sum and a running weighted
    sum of the values, each rescaled when the maximum grows. The stream has no length,
    cannot be indexed or read twice, and the checker measures the memory used on a
    long one.

    Examples
    --------
    >>> def stores(pairs):
    ...     pairs = list(pairs)
    ...     scores = np.array([s for s, _ in pairs])
    ...     return softmax(scores) @ np.array([v for _, v in pairs])
    >>> check_online_attention(stores).passed
    ✗ Exercise 06.4: on a stream of 20000 pairs your function stored the input before \
using it (its memory grew with the length of the stream); that is two passes over a copy; \
an online pass uses each item as it arrives and keeps only a running state
    False
    """
    for scores, values in _ATTENTION_CASES:
        on = f"scores {fmt_logits(scores)}"
        stream = _OnePass(zip(scores, values, strict=True), keep=_pair)
        got = result_array(_read_stream(fn, stream, on), "output", (2,))
        want = _attention_output(scores, values)
        if not np.all(np.isfinite(got)):
            raise no_max_shift(scores, "NaN" if np.isnan(got).any() else "inf")
        if np.allclose(got, want, rtol=1e-12, atol=1e-12):
            continue
        stale = _unrescaled_output(scores, values)
        if np.allclose(got, stale, rtol=1e-12, atol=1e-12):
            raise Mistake(
                f"on {on} your output leans towards the values that came before the largest "
                "score",
                hint="when the maximum grows, rescale the running weighted sum of the values "
                "by exp(old max - new max), as you rescale the running sum",
            )
        unnormalised = np.exp(np.array(scores) - max(scores)) @ np.array(values)
        if np.allclose(got, unnormalised, rtol=1e-12, atol=1e-12):
            raise Mistake(
                f"on {on} your output is not a weighted average: its weights do not sum to 1",
                hint="divide the running weighted sum by the running sum at the end",
            )
        err = float(np.max(np.abs(got - want)))
        raise Mistake(f"on {on} your output is off by up to {err:.3g}")
    rng = np.random.default_rng(64)
    scores = rng.normal(0.0, 3.0, _LONG_STREAM)
    values = rng.normal(size=(_LONG_STREAM, 2))
    on = f"a stream of {_LONG_STREAM} pairs"
    result, stored = _stored_bytes(fn, _OnePass(zip(scores, values, strict=True), keep=_pair))
    got = result_array(result, "output", (2,))
    if not np.allclose(got, softmax(scores) @ values, rtol=1e-9, atol=1e-12):
        raise Mistake(f"on {on} your output is not the attention output")
    if stored > _MEMORY_ALLOWED:
        raise _stored_mistake(on)
    return (
        f"one pass, right on four streams (a new maximum, a falling one, huge scores, one pair) "
        f"and on {_LONG_STREAM} pairs without storing them."
    )
