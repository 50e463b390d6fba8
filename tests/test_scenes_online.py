"""Tests for the scenes of lesson 06.

What each figure and explorer shows, computed without a browser.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.core import logsumexp
from softmax_lessons.scenes import blockwise_scene
from softmax_lessons.widgets.online import (
    BLOCKWISE_LOGITS,
)


@pytest.mark.parametrize("order", ["left to right", "right to left", "largest max first"])
@pytest.mark.parametrize("block_size", [1, 5, 6, 24])
def test_blockwise_state_reaches_the_full_logsumexp_in_any_order(order, block_size):
    state = blockwise_scene(block_size, n_merged=100, order=order)
    assert_allclose(state.merged_lse, logsumexp(np.array(BLOCKWISE_LOGITS)), rtol=1e-14)
    assert state.pending_blocks == []
    assert sorted(state.order) == list(range(len(state.blocks)))


def test_blockwise_state_partial_merge_is_a_lower_bound():
    lses = [blockwise_scene(6, n).merged_lse for n in range(5)]
    assert lses[0] == -np.inf
    assert np.all(np.diff(lses) > 0)
    state = blockwise_scene(6, 2)
    assert_allclose(state.merged_lse, logsumexp(np.array(BLOCKWISE_LOGITS[:12])), rtol=1e-14)


def test_blockwise_state_largest_max_first_starts_with_the_top_chunk():
    state = blockwise_scene(4, 1, order="largest max first")
    assert state.merged_max == max(BLOCKWISE_LOGITS)


def test_blockwise_state_refuses_an_unknown_order():
    with pytest.raises(ValueError, match="order must be one of"):
        blockwise_scene(order="random")
