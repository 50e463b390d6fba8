"""Tests for the scenes of lesson 05.

What each figure and explorer shows, computed without a browser.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.core import softmax
from softmax_lessons.scenes import cross_entropy_scene


def test_cross_entropy_state_loss_and_gradient_follow_the_true_logit():
    low = cross_entropy_scene(true_logit=-4.0, label=0)
    high = cross_entropy_scene(true_logit=6.0, label=0)
    assert low.loss > 5 > 0.2 > high.loss
    assert_allclose(high.grad, high.p - high.y, atol=1e-15)
    assert_allclose(high.p, softmax([6.0, 2.0, 1.0, -1.0]), rtol=1e-15)
    assert high.grad[0] < 0 and np.all(high.grad[1:] > 0)


def test_cross_entropy_state_curve_passes_through_the_marker():
    state = cross_entropy_scene(true_logit=1.5, label=2)
    i = np.argmin(np.abs(state.grid - 1.5))
    assert_allclose(state.grid_losses[i], state.loss, rtol=1e-12)
    assert np.all(np.diff(state.grid_losses) < 0)   # a larger true logit always helps
    assert "fox" in state.summary


def test_cross_entropy_state_refuses_bad_label():
    with pytest.raises(ValueError, match=r"label must be in 0\.\.3"):
        cross_entropy_scene(0.0, label=7)
