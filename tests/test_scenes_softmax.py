"""Tests for the scenes of lesson 01 (and the lesson-00 widget check).

What each figure and explorer shows, computed without a browser.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.scenes import (
    NORMALISERS,
    definition_scene,
    normaliser_scene,
    normaliser_sweep,
    surprise_scene,
)
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


# -- why exp: the obvious alternatives (lesson 01) -----------------------------------------

ANIMALS = ["cat", "dog", "fox"]


def _method(scene, name):
    return NORMALISERS.index(name)


def test_each_alternative_fails_on_the_lesson_example_and_exp_does_not():
    x = [2.0, -3.0, 0.5]
    scene = normaliser_scene(x, ANIMALS)
    # x / sum: by hand, the total is -0.5
    assert_allclose(scene.p[_method(scene, "x / sum")], [v / sum(x) for v in x])
    assert_allclose(scene.p[_method(scene, "x / sum")], [-4.0, 6.0, -1.0])
    k = _method(scene, "x / sum")
    assert scene.negative[k] and scene.above_one[k] and not scene.order_kept[k]
    # x² / sum: the logit -3 gets more than the logit 2
    k = _method(scene, "x² / sum")
    assert_allclose(scene.p[k], [v * v / sum(w * w for w in x) for v in x])
    assert scene.p[k][1] > scene.p[k][0]
    assert scene.verdict[k] == "order broken: -3 beats 2"
    # relu / sum: dog is exactly 0 and its own logit has no effect on it
    k = _method(scene, "relu / sum")
    assert scene.p[k][1] == 0.0 and scene.own_slope[k][1] == 0.0
    assert scene.dead[k] == ("dog",)
    # exp / sum: softmax, every check passes
    k = _method(scene, "exp / sum")
    assert_allclose(scene.p[k], _softmax_by_hand(x), rtol=1e-12)
    assert not (scene.negative[k] or scene.above_one[k] or scene.divides_by_zero[k])
    assert scene.order_kept[k] and scene.dead[k] == ()
    assert np.all(scene.own_slope[k] > 0)
    assert scene.verdict[k] == "all in (0, 1), order kept"


@pytest.mark.parametrize("x", [[0.7, -1.3, 2.2, 0.4], [3.0, 1.0, 2.5], [-0.5, 1.5, 0.25]])
def test_own_slopes_match_finite_differences(x):
    scene = normaliser_scene(x, [str(i) for i in range(len(x))])
    h = 1e-6
    for i in range(len(x)):
        up, down = list(x), list(x)
        up[i] += h
        down[i] -= h
        slope = (normaliser_scene(up, scene.labels).p[:, i]
                 - normaliser_scene(down, scene.labels).p[:, i]) / (2 * h)
        assert_allclose(scene.own_slope[:, i], slope, rtol=1e-5, atol=1e-8)


def test_a_zero_total_is_reported_as_a_division_by_zero():
    zeros = normaliser_scene([0.0, 0.0, 0.0], ANIMALS)
    assert zeros.divides_by_zero == (True, True, True, False)
    assert np.all(np.isnan(zeros.p[0]))
    assert zeros.verdict[0] == "the sum is 0: division by zero"
    assert_allclose(zeros.p[_method(zeros, "exp / sum")], [1 / 3] * 3)
    cancel = normaliser_scene([1.0, -1.0, 0.0], ANIMALS)
    assert cancel.p[0][0] == np.inf and cancel.p[0][1] == -np.inf
    negative = normaliser_scene([-1.0, -2.0, -3.0], ANIMALS)
    assert negative.divides_by_zero[_method(negative, "relu / sum")]


def test_a_tie_created_by_a_normaliser_counts_as_order_lost():
    scene = normaliser_scene([2.0, -2.0, 3.0], ANIMALS)  # x²: -2 and 2 tie
    k = _method(scene, "x² / sum")
    assert not scene.order_kept[k]
    assert scene.verdict[k] == "order lost: -2 ties with 2"


def test_normaliser_scene_refuses_mismatched_labels():
    with pytest.raises(ValueError, match="need one logit per class"):
        normaliser_scene([1.0, 2.0], ANIMALS)


def test_sweep_shows_a_dead_flat_stretch_a_u_turn_a_pole_and_a_rising_exp():
    values = np.linspace(-6.0, 4.0, 201)
    sweep = normaliser_sweep([2.0, -3.0, 0.5], 1, values, ANIMALS)
    relu = sweep.p[NORMALISERS.index("relu / sum")]
    assert np.all(relu[values <= 0] == 0) and np.all(relu[values > 0] > 0)
    squares = sweep.p[NORMALISERS.index("x² / sum")]
    assert squares[0] > squares[np.argmin(np.abs(values))] < squares[-1]  # down, then up
    ratio = sweep.p[NORMALISERS.index("x / sum")]
    pole = -2.5  # where 2 + v + 0.5 = 0
    assert np.all(np.isnan(ratio[np.abs(values - pole) < 0.06]))
    assert np.all(np.isfinite(ratio[np.abs(values - pole) > 0.11]))
    soft = sweep.p[NORMALISERS.index("exp / sum")]
    assert np.all(np.diff(soft) > 0) and np.all((soft > 0) & (soft < 1))
    # every point is what the scene gives for that whole vector
    for j in (0, 57, 200):
        full = normaliser_scene([2.0, values[j], 0.5], ANIMALS)
        assert_allclose(sweep.p[1:, j], full.p[1:, 1])


def test_sweep_refuses_an_index_out_of_range():
    with pytest.raises(ValueError, match="index must pick one of the 3 classes, got 3"):
        normaliser_sweep([1.0, 2.0, 3.0], 3, [0.0], ANIMALS)


# -- surprise and entropy (lesson 01) ------------------------------------------------------

def test_surprise_of_the_worked_example_and_its_average():
    p = _softmax_by_hand([2.0, 1.0, 0.0])
    scene = surprise_scene(p, ANIMALS)
    assert_allclose(scene.surprise_bits, [-math.log2(q) for q in p])
    assert_allclose(scene.entropy_bits, _entropy_bits_by_hand(p))
    average = sum(q * s for q, s in zip(p, scene.surprise_bits, strict=True))
    assert_allclose(scene.entropy_bits, average)
    assert_allclose(scene.entropy_nats, scene.entropy_bits * math.log(2))
    assert_allclose(scene.curve_bits, -np.log2(scene.curve_p))


def test_entropy_is_zero_for_one_hot_and_log2_n_for_uniform():
    one_hot = surprise_scene([0.0, 1.0, 0.0, 0.0], list("abcd"))
    assert one_hot.entropy_bits == 0.0
    assert f"{one_hot.entropy_bits:.3f}" == "0.000"  # not "-0.000" on the learner's screen
    assert one_hot.surprise_bits[1] == 0.0 and np.isinf(one_hot.surprise_bits[0])
    uniform = surprise_scene([0.25] * 4, list("abcd"))
    assert_allclose(uniform.surprise_bits, 2.0)
    assert_allclose(uniform.entropy_bits, uniform.max_bits)
    assert uniform.max_bits == 2.0


def test_surprise_scene_refuses_logits():
    with pytest.raises(ValueError, match="did you pass logits"):
        surprise_scene([2.0, 1.0, 0.0], ANIMALS)
