"""Checkers of exercises/06_beyond.ipynb (Beyond)."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable

import numpy as np

from .runner import (
    Mistake,
    call_on_copies,
    checker,
    fmt_logits,
    no_max_shift,
)

__all__ = ["check_merge_states", "check_online_softmax"]


class _NoLength(Mistake, TypeError):
    """The stream's answer to len(): a Mistake for the learner, a TypeError for list()."""


class _OnePass:
    """An input that can be read only once, in order, as a stream from memory would be.

    It has no length and no indexing, and a second ``for`` loop over it is refused.
    Copying it into a list is possible, but :func:`_stored_bytes` notices the memory.
    """

    def __init__(self, values):
        self.values = [float(v) for v in values]
        self.reads = 0

    def __iter__(self):
        self.reads += 1
        if self.reads > 1:
            raise Mistake(
                "your function read the input twice; online softmax reads it once, keeping "
                "a running maximum and a running sum"
            )
        return iter(self.values)

    def __len__(self):
        # A TypeError too, so list(stream) still works (it only asks for a length hint).
        raise _NoLength(
            "your function asked for the length of the input, but a stream has none until it "
            "ends; read it once with a for loop"
        )

    def __getitem__(self, index):
        raise Mistake(
            "your function indexed the input, but a stream can only be read in order; "
            "read it once with a for loop"
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


@checker("06.1", "online softmax")
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
    ✗ Exercise 06.1: your function read the input twice; online softmax reads it once, \
keeping a running maximum and a running sum
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
        m, s = _state(fn(_OnePass(x)), on)
        want_m, want_s = max(x), float(np.sum(np.exp(np.array(x) - max(x))))
        if m == 0.0 and want_m < 0:
            raise Mistake(
                f"on {on} your maximum is 0 but every input is negative: start the running "
                "max at -inf"
            )
        if m != want_m:
            raise Mistake(f"on {on} your running maximum ends at {m:g}, not at the largest input")
        if math.isnan(s) or math.isinf(s):
            raise no_max_shift(x, "NaN" if math.isnan(s) else "inf")
        stale = sum(math.exp(v - max(x[: i + 1])) for i, v in enumerate(x))
        if not math.isclose(s, want_s, rel_tol=1e-12) and math.isclose(s, stale, rel_tol=1e-12):
            raise Mistake(
                f"on {on} your sum is too large: when a new maximum arrives, the running sum "
                "must be rescaled by exp(old max - new max)"
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
        raise Mistake(
            f"on {on} your function stored the input before using it (its memory grew with "
            "the length of the stream): that is two passes over a copy; online softmax uses "
            "each logit as it arrives and keeps only a running maximum and a running sum"
        )
    return (
        f"one pass, right maximum and sum on five inputs (increasing, huge) and on a stream "
        f"of {_LONG_STREAM} logits without storing it."
    )


@checker("06.2", "merging blockwise softmax states")
def check_merge_states(fn: Callable) -> str:
    """Exercise 06.2: ``fn((m1, s1), (m2, s2))`` returns the state of both chunks together.

    Taught in 06. A state is ``(max, sum(exp(x - max)))`` of a chunk; an empty chunk is
    ``(-inf, 0)``.

    Examples
    --------
    >>> check_merge_states(lambda a, b: (max(a[0], b[0]), a[1] + b[1])).passed
    ✗ Exercise 06.2: on two chunks of a random vector you added the two sums as they are: \
each is relative to its own maximum, so rescale each by exp(its max - merged max) first
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
            f"on {on} the merged maximum should be the larger of the two maxima, got {m:g}"
        )
    if math.isclose(s, a[1] + b[1], rel_tol=1e-12) and not math.isclose(s, full_s, rel_tol=1e-12):
        raise Mistake(
            f"on {on} you added the two sums as they are: each is relative to its own maximum, "
            "so rescale each by exp(its max - merged max) first"
        )
    if not math.isclose(s, full_s, rel_tol=1e-12):
        raise Mistake(f"on {on} the merged sum is off by a factor of {s / full_s:.3g}")
    chunks = np.array_split(x, 4)
    merged = state(chunks[0])
    for chunk in chunks[1:]:
        merged = _state(call_on_copies(fn, merged, state(chunk)), "four chunks")
    if merged[0] != full_m or not math.isclose(merged[1], full_s, rel_tol=1e-12):
        raise Mistake("merging four chunks one after another does not give the full (max, sum)")
    m, s = _state(call_on_copies(fn, (-math.inf, 0.0), a), "an empty chunk and a full one")
    if (m, s) != a and not (m == a[0] and math.isclose(s, a[1], rel_tol=1e-15)):
        raise Mistake(
            "merging with an empty chunk, state (-inf, 0), must leave the other state unchanged"
        )
    return "merging chunk states gives the full (max, sum), with two, four and an empty chunk."
