"""Scenes of lesson 06: blockwise softmax, the Gumbel-max winner, and the speed reading."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import logsumexp
from ..online import SoftmaxState, block_states, merge_states
from ..validation import check_int, check_rng

__all__ = [
    "BLOCKWISE_LOGITS",
    "ORDERS",
    "BlockwiseScene",
    "GumbelMaxValues",
    "SpeedReading",
    "blockwise_scene",
    "gumbel_max_values",
    "speed_reading",
]

# 24 fixed logits of both signs; the largest (4.1) sits in a late chunk, so merging
# left to right shows the running max jump.
BLOCKWISE_LOGITS = (0.2, -1.4, 2.3, 0.9, -2.6, 1.1, 3.4, -0.3, 0.6, -1.8, 1.7, 0.1,
                    -0.9, 2.8, -2.2, 0.4, 1.3, -0.6, 4.1, -1.1, 0.8, -3.0, 1.9, 0.0)

ORDERS = ("left to right", "right to left", "largest max first")


@dataclass(frozen=True)
class BlockwiseScene:
    """What :func:`blockwise_scene` computes: one frame of the explorer, or a static figure.

    Fields:
    ``x``, ``blocks`` ((start, stop) per chunk), ``block_max``, ``block_total``,
    ``order`` (chunk indices in merge order), ``merged_blocks``,
    ``pending_blocks``, ``merged_max``, ``merged_total``, ``merged_lse``,
    ``full_lse`` and ``summary``.
    """

    x: np.ndarray
    blocks: list[tuple[int, int]]
    block_max: list[float]
    block_total: list[float]
    order: list[int]
    merged_blocks: list[int]
    pending_blocks: list[int]
    merged_max: float
    merged_total: float
    merged_lse: float
    full_lse: float
    summary: str


def blockwise_scene(
    block_size: int = 6,
    n_merged: int = 2,
    order: str = "left to right",
    x: Sequence[float] = BLOCKWISE_LOGITS,
) -> BlockwiseScene:
    """What the lesson-06 explorer draws: chunks, their states, and the merge so far.

    Taught in 06.

    Parameters
    ----------
    block_size : int
        Logits per chunk.
    n_merged : int
        How many chunks have been merged (clipped to the number of chunks).
    order : {"left to right", "right to left", "largest max first"}
        The order in which chunks are merged.
    x : sequence of float
        The logits.

    Returns
    -------
    BlockwiseScene
        Everything the figure or explorer shows, as named fields.

    Examples
    --------
    >>> scene = blockwise_scene(block_size=12, n_merged=2)
    >>> len(scene.blocks), bool(np.isclose(scene.merged_lse, scene.full_lse))
    (2, True)
    >>> scene = blockwise_scene(block_size=12, n_merged=1)
    >>> bool(scene.merged_lse < scene.full_lse)
    True
    """
    x = np.asarray(x, dtype=float)
    states = block_states(x, block_size)
    n_blocks = len(states)
    if order == "left to right":
        sequence = list(range(n_blocks))
    elif order == "right to left":
        sequence = list(range(n_blocks))[::-1]
    elif order == "largest max first":
        sequence = [int(i) for i in np.argsort([-float(s.max) for s in states], kind="stable")]
    else:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    n_merged = int(np.clip(n_merged, 0, n_blocks))
    merged = SoftmaxState(-np.inf, 0.0)
    for b in sequence[:n_merged]:
        merged = merge_states(merged, states[b])
    full = float(logsumexp(x))
    merged_lse = float(merged.logsumexp)
    summary = (f"{n_merged} of {n_blocks} chunks merged ({order}): max {float(merged.max):.2f}, "
               f"sum {float(merged.total):.3f}, logsumexp {merged_lse:.4f} "
               f"(full row: {full:.4f})")
    blocks = [(start, min(start + block_size, x.size)) for start in range(0, x.size, block_size)]
    return BlockwiseScene(
        x=x,
        blocks=blocks,
        block_max=[float(s.max) for s in states],
        block_total=[float(s.total) for s in states],
        order=sequence,
        merged_blocks=sequence[:n_merged],
        pending_blocks=sequence[n_merged:],
        merged_max=float(merged.max),
        merged_total=float(merged.total),
        merged_lse=merged_lse,
        full_lse=full,
        summary=summary,
    )


@dataclass(frozen=True)
class GumbelMaxValues:
    """What :func:`gumbel_max_values` computes.

    Fields: ``x``, ``logsumexp`` (of `x`), ``maxima`` (one ``max_i (x_i + g_i)`` per
    draw), ``mean_max``, ``std_max``, and the two constants a standard Gumbel
    distribution brings: ``euler_gamma`` (its mean, about 0.5772) and ``gumbel_std``
    (its standard deviation, pi / sqrt(6)).
    """

    x: np.ndarray
    logsumexp: float
    maxima: np.ndarray
    mean_max: float
    std_max: float
    euler_gamma: float
    gumbel_std: float


def gumbel_max_values(
    x: Sequence[float], rng: np.random.Generator, n_draws: int
) -> GumbelMaxValues:
    """The winning value ``max_i (x_i + g_i)`` of the Gumbel-max trick, over many draws.

    Taught in 06: why the trick samples from softmax. Each ``x_i + g_i`` is a Gumbel
    variable with location ``x_i``; the largest of them is again a Gumbel variable,
    with location ``logsumexp(x)``. A Gumbel variable with location mu has mean
    ``mu + euler_gamma`` and standard deviation ``pi / sqrt(6)``, so ``mean_max -
    euler_gamma`` should be close to ``logsumexp(x)``, and ``std_max`` close to
    ``gumbel_std``, whatever the logits.

    Parameters
    ----------
    x : sequence of float
        Finite logits.
    rng : numpy.random.Generator
        Draws the noise (pass the lesson's seeded generator).
    n_draws : int
        Number of draws.

    Examples
    --------
    >>> check = gumbel_max_values([2.0, 1.0, 0.0], np.random.default_rng(0), 100_000)
    >>> round(check.mean_max - check.euler_gamma, 2), round(check.logsumexp, 2)
    (2.41, 2.41)
    """
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"x must be a non-empty 1-D array of finite logits, got {x!r}")
    check_rng(rng)
    n_draws = check_int(n_draws, "n_draws")
    maxima = np.max(arr + rng.gumbel(size=(n_draws, arr.size)), axis=-1)
    return GumbelMaxValues(
        x=arr,
        logsumexp=float(logsumexp(arr)),
        maxima=maxima,
        mean_max=float(maxima.mean()),
        std_max=float(maxima.std()),
        euler_gamma=float(np.euler_gamma),
        gumbel_std=float(np.pi / np.sqrt(6.0)),
    )


@dataclass(frozen=True)
class SpeedReading:
    """What :func:`speed_reading` concludes from one run's timings.

    Fields: the ratios it compares (``exp_over_max``, ``steps_over_exp``,
    ``pass_ratio``, ``blocks_over_steps``) and ``lines``, one sentence each, every
    one stated for this machine and this run; ``text`` joins them.
    """

    exp_over_max: float
    steps_over_exp: float
    pass_ratio: float
    blocks_over_steps: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def speed_reading(
    t_max: float, t_exp: float, t_steps: float, t_blocks: float,
    *, passes_exp: int = 2, passes_steps: int = 8,
) -> SpeedReading:
    """Sentences about softmax speed that say only what these timings show.

    Taught in 06. The times (seconds) are of ``np.max`` (one read), ``np.exp``
    (`passes_exp` passes), softmax as five NumPy calls on the whole array
    (`passes_steps` passes) and the package's blocked softmax, all measured in the
    same run. Each sentence compares two of them and picks its wording from the
    numbers, so it stays true on a machine where they come out differently. Ratios
    and times are printed to two decimals (times in ms), as the lesson prints its
    timings, so a reader can recompute each ratio from the times. A
    fused kernel is not measured: np.exp's time is given as about the least it could take.

    Examples
    --------
    >>> r = speed_reading(1.0, 4.0, 8.0, 6.0)
    >>> r.steps_over_exp, r.pass_ratio, r.blocks_over_steps
    (2.0, 4.0, 0.75)
    >>> r.lines[3].endswith("working in cache-sized blocks saved 25% here.")
    True
    """
    times = {"np.max": t_max, "np.exp": t_exp, "five calls": t_steps, "blocks": t_blocks}
    for name, t in times.items():
        if not (np.isfinite(t) and t > 0):
            raise ValueError(f"every time must be a positive number of seconds; {name} got {t!r}")
    exp_over_max = t_exp / t_max
    steps_over_exp = t_steps / t_exp
    pass_ratio = passes_steps / passes_exp
    blocks_over_steps = t_blocks / t_steps
    lines = ["Measured on this machine, in this run:"]
    if exp_over_max > 1.25 * passes_exp:
        verdict = ("more than its passes would cost at np.max's pace, so here the "
                   "exponentials themselves take time, beyond moving the data.")
    else:
        verdict = ("no more than its passes would cost at np.max's pace, so here np.exp is "
                   "held back by memory traffic rather than by arithmetic.")
    lines.append(f"np.exp took {exp_over_max:.2f} x the time of np.max ({1e3 * t_exp:.2f} ms "
                 f"against {1e3 * t_max:.2f} ms), for {passes_exp} passes against np.max's one "
                 f"read: {verdict}")
    if steps_over_exp < 0.8 * pass_ratio:
        verdict = ("less than in proportion: only one of the five calls computes "
                   "exponentials, and the others cost little beyond their memory traffic.")
    elif steps_over_exp <= 1.25 * pass_ratio:
        verdict = "about in proportion: here a pass costs about what one of np.exp's costs."
    else:
        verdict = ("more than in proportion: here the separate calls cost more than their "
                   "passes alone explain.")
    lines.append(f"The five NumPy calls took {steps_over_exp:.2f} x np.exp, for "
                 f"{pass_ratio:.0f} x its passes ({passes_steps} against {passes_exp}), "
                 f"{verdict}")
    if blocks_over_steps < 0.95:
        verdict = (f"working in cache-sized blocks saved {100 * (1 - blocks_over_steps):.0f}% "
                   "here.")
    elif blocks_over_steps > 1.05:
        verdict = (f"here the blocks cost {100 * (blocks_over_steps - 1):.0f}% more; on this "
                   "machine the cache did not repay the extra loop.")
    else:
        verdict = "no clear difference on this machine."
    lines.append(f"The package's softmax, the same calls block by block, took "
                 f"{blocks_over_steps:.2f} x the time of the five calls on the whole array: "
                 f"{verdict}")
    lines.append(f"A fused kernel would make {passes_exp} passes, as np.exp does, and compute "
                 f"the same exponentials, so np.exp's {1e3 * t_exp:.2f} ms is about the least "
                 "it could take here; no fused kernel was timed, so that is an estimate, not "
                 "a measurement.")
    return SpeedReading(exp_over_max=exp_over_max, steps_over_exp=steps_over_exp,
                        pass_ratio=pass_ratio, blocks_over_steps=blocks_over_steps,
                        lines=tuple(lines))
