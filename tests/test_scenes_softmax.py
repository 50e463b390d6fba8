"""Tests for the scenes of lesson 01 (and the lesson-00 widget check).

What each figure and explorer shows, computed without a browser.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.scenes import definition_scene
from softmax_lessons.widgets.softmax import (
    CLASSES,
    DEFAULT_LOGITS,
)


def _softmax_by_hand(x):
    """An independent reference: the formula with math.exp, in plain Python."""
    exps = [math.exp(v) for v in x]
    return [e / sum(exps) for e in exps]


def _entropy_bits_by_hand(p):
    return -sum(q * math.log2(q) for q in p if q > 0)


@pytest.mark.parametrize(("x", "expected"), [
    ((2.0, 1.0, 0.0), (0.665, 0.245, 0.090)),
    ((2.0, 1.0, 0.1), (0.659, 0.242, 0.099)),
])
def test_outline_worked_examples_give_the_outline_probabilities(x, expected):
    state = definition_scene(x, ["a", "b", "c"])
    assert_allclose(state.p, expected, atol=5e-4)
    assert state.argmax == 0
    assert state.argmax_label == "a"
    assert_allclose(state.entropy_bits, _entropy_bits_by_hand(_softmax_by_hand(x)))
    assert_allclose(state.total, 1.0)


def test_default_state_is_the_five_named_classes():
    state = definition_scene()
    assert state.labels == list(CLASSES)
    assert_allclose(state.p, _softmax_by_hand(DEFAULT_LOGITS), rtol=1e-12)
    assert state.argmax_label == CLASSES[int(np.argmax(DEFAULT_LOGITS))]
    assert_allclose(state.entropy_max_bits, math.log2(5))


def test_equal_logits_give_uniform_and_maximal_entropy():
    state = definition_scene([0.7] * 5)
    assert_allclose(state.p, 0.2)
    assert_allclose(state.entropy_bits, math.log2(5))


def test_one_dominant_logit_gives_entropy_near_zero():
    state = definition_scene([30.0, 0.0, 0.0, 0.0, 0.0])
    assert state.argmax_label == CLASSES[0]
    assert state.entropy_bits < 1e-9


def test_summary_line_reports_argmax_entropy_and_sum():
    state = definition_scene((2.0, 1.0, 0.0), ["a", "b", "c"])
    assert state.summary.startswith("argmax: a (p = 0.665)")
    assert "sum: 1.000" in state.summary


def test_state_refuses_logits_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match=r"need one logit per class: got logits of shape \(2,\)"):
        definition_scene([1.0, 2.0], ["a", "b", "c"])
