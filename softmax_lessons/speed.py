"""Counting passes over memory, and timing: what decides the speed of a large softmax.

Taught in 06. A softmax over a large array is limited by memory, not arithmetic:
every NumPy call streams the whole array through memory again. :class:`MemoryTally`
counts those passes; the variants here make them visible (the plain NumPy calls,
the classic two-pass softmax), and :mod:`softmax_lessons.online` counts its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_logits, check_int

__all__ = [
    "MemoryTally",
    "best_time",
    "ensure_tally",
    "output_pass",
    "softmax_numpy_steps",
    "softmax_two_pass",
]

_rows = as_logits  # logits with a non-empty last axis


@dataclass
class MemoryTally:
    """Count the full-size arrays a softmax reads from and writes to memory.

    Taught in 06. Each call to `read` or `write` records one pass over an array
    the size of the logits; ``passes`` is their total. A step that reads two
    full-size arrays (``out - m`` reads ``out`` only: ``m`` is one number per row)
    calls `read` once per array.

    Examples
    --------
    >>> tally = MemoryTally()
    >>> _ = softmax_two_pass(np.zeros((2, 3)), tally=tally)
    >>> tally.reads, tally.writes, tally.passes
    (3, 1, 4)
    """

    reads: int = 0
    writes: int = 0
    steps: list[str] = field(default_factory=list)

    def read(self, what: str) -> None:
        """Record one full pass reading `what`."""
        self.reads += 1
        self.steps.append(f"read {what}")

    def write(self, what: str) -> None:
        """Record one full pass writing `what`."""
        self.writes += 1
        self.steps.append(f"write {what}")

    @property
    def passes(self) -> int:
        """Reads plus writes: how many times the logits' worth of memory is moved."""
        return self.reads + self.writes


def ensure_tally(tally: MemoryTally | None) -> MemoryTally:
    """`tally`, or a new one that nobody reads."""
    return tally if tally is not None else MemoryTally()


def softmax_numpy_steps(x: ArrayLike, *, tally: MemoryTally | None = None) -> np.ndarray:
    """Softmax by the same NumPy calls as :func:`softmax_lessons.core.softmax`, counted.

    Taught in 06. Each NumPy call is its own loop over memory: max (read),
    subtract (read, write), exp in place (read, write), sum (read), divide (read,
    write). Eight passes, where ``np.exp`` alone makes two. Here the calls run on
    the whole array at once; ``core.softmax`` makes the same calls block by block
    (see ``core.apply_by_blocks``), so its later passes find their block still in the cache.

    Examples
    --------
    >>> tally = MemoryTally()
    >>> softmax_numpy_steps([2.0, 1.0, 0.0], tally=tally).round(3)
    array([0.665, 0.245, 0.09 ])
    >>> tally.reads, tally.writes
    (5, 3)
    """
    arr = _rows(x, "softmax_numpy_steps")
    t = ensure_tally(tally)
    m = np.max(arr, axis=-1, keepdims=True)
    t.read("x (max)")
    m[m == -np.inf] = 0
    with np.errstate(invalid="ignore"):  # a +inf logit: inf - inf, its row NaN as in the core
        out = np.subtract(arr, m)
    t.read("x (subtract max)")
    t.write("out")
    np.exp(out, out=out)
    t.read("out (exp)")
    t.write("out")
    total = np.sum(out, axis=-1, keepdims=True)
    t.read("out (sum)")
    total[total == 0] = 1
    np.divide(out, total, out=out)
    t.read("out (divide)")
    t.write("out")
    return out


def softmax_two_pass(x: ArrayLike, *, tally: MemoryTally | None = None) -> np.ndarray:
    """The classic safe softmax: a pass for the max, a pass for the sum, then the output.

    Taught in 06. Written as a fused kernel would be (each loop does all its
    arithmetic per element, keeping nothing full-size but the output): two passes
    over the logits to find the normaliser, and a third that reads them again and
    writes the probabilities. Three reads and one write.

    Examples
    --------
    >>> softmax_two_pass([2.0, 1.0, 0.0]).round(3)
    array([0.665, 0.245, 0.09 ])
    """
    arr = _rows(x, "softmax_two_pass")
    t = ensure_tally(tally)
    m = np.max(arr, axis=-1, keepdims=True)
    t.read("x (pass 1: max)")
    m[m == -np.inf] = 0
    with np.errstate(invalid="ignore"):  # a +inf logit: inf - inf, its row NaN as in the core
        total = np.sum(np.exp(arr - m), axis=-1, keepdims=True)
    t.read("x (pass 2: sum of exp(x - max))")
    return output_pass(arr, m, total, t)


def output_pass(arr, m, total, t: MemoryTally) -> np.ndarray:
    """The last pass shared by every method: read x, write exp(x - m) / total."""
    t.read("x (output pass)")
    t.write("probabilities")
    with np.errstate(invalid="ignore", divide="ignore"):
        safe_total = np.where(total == 0, 1.0, total)
        # Shift by 0 where nothing is allowed (m = -inf); a NaN or +inf m makes the row NaN.
        return np.exp(arr - np.where(m == -np.inf, 0.0, m)) / safe_total


def best_time(func: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of `repeat` runs of ``func()``, in seconds (the least disturbed run).

    Taught in 06. Timings vary from run to run and machine to machine; compare
    ratios measured together, never absolute numbers from elsewhere.

    Examples
    --------
    >>> best_time(lambda: sum(range(100)), repeat=3) > 0
    True
    """
    check_int(repeat, "repeat")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)
