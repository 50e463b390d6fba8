"""Scene of lesson 06: blockwise softmax, chunk states merged in any order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import logsumexp
from ..online import SoftmaxState, block_states, merge_states

__all__ = [
    "BLOCKWISE_LOGITS",
    "ORDERS",
    "BlockwiseScene",
    "blockwise_scene",
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
