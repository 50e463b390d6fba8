"""Tests for the scenes of lesson 06.

What each figure and explorer shows, computed without a browser.
"""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.core import logsumexp
from softmax_lessons.scenes import blockwise_scene, gumbel_max_values, speed_reading
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


# -- the Gumbel-max trick: the winning value is a Gumbel located at logsumexp(x) --------------

@pytest.mark.parametrize("x", [[2.0, 1.0, 0.0, -1.0], [0.0], [10.0, 10.0, -5.0]])
def test_the_largest_of_the_noisy_logits_is_gumbel_located_at_logsumexp(x):
    check = gumbel_max_values(x, np.random.default_rng(1), 200_000)
    assert check.logsumexp == pytest.approx(float(logsumexp(np.array(x))))
    # standard error of the mean: (pi / sqrt 6) / sqrt(200 000), about 0.003
    assert check.mean_max - check.euler_gamma == pytest.approx(check.logsumexp, abs=0.015)
    assert check.std_max == pytest.approx(np.pi / np.sqrt(6), rel=0.02)
    assert check.euler_gamma == pytest.approx(0.5772156649)


def test_shifting_every_logit_shifts_the_winning_value_by_the_same_amount():
    x = [3.0, -2.0]
    check = gumbel_max_values(x, np.random.default_rng(2), 1000)
    assert check.maxima.shape == (1000,)
    shifted = gumbel_max_values([v + 5.0 for v in x], np.random.default_rng(2), 1000)
    assert_allclose(shifted.maxima, check.maxima + 5.0)


def test_gumbel_max_values_refuses_bad_logits():
    with pytest.raises(ValueError, match="finite logits"):
        gumbel_max_values([1.0, np.inf], np.random.default_rng(0), 10)


# -- the speed reading: each sentence follows the numbers it was given -----------------------

def test_speed_reading_computes_the_ratios_it_talks_about():
    r = speed_reading(0.001, 0.004, 0.006, 0.0045, passes_exp=2, passes_steps=8)
    assert r.exp_over_max == pytest.approx(4.0)
    assert r.steps_over_exp == pytest.approx(1.5)
    assert r.pass_ratio == 4.0
    assert r.blocks_over_steps == pytest.approx(0.75)
    assert "4.00 x the time of np.max (4.00 ms against 1.00 ms), for 2 passes" in r.text
    assert "1.50 x np.exp, for 4 x its passes (8 against 2)" in r.text
    assert "saved 25%" in r.text
    assert "np.exp's 4.00 ms is about the least it could take here" in r.text


def test_each_printed_ratio_can_be_recomputed_from_the_printed_times():
    # times that a lesson prints to two decimals in ms; the ratio it prints agrees with them
    r = speed_reading(0.000874, 0.003312, 0.011401, 0.011123)
    printed = re.search(r"took ([\d.]+) x the time of np\.max \(([\d.]+) ms against ([\d.]+) ms",
                        r.lines[1])
    ratio, t_exp, t_max = (float(g) for g in printed.groups())
    assert (t_exp, t_max) == (3.31, 0.87)
    # the most that rounding each of the three numbers to two decimals can move them apart
    assert abs(ratio - t_exp / t_max) <= 0.005 + ratio * (0.005 / t_exp + 0.005 / t_max)


def test_every_speed_sentence_is_stated_for_this_machine_and_this_run():
    r = speed_reading(0.001, 0.002, 0.008, 0.008)
    assert r.lines[0] == "Measured on this machine, in this run:"
    assert "no fused kernel was timed" in r.lines[-1] and "an estimate" in r.lines[-1]


@pytest.mark.parametrize(("t_exp", "words"), [
    (0.0021, "held back by memory traffic"),
    (0.0060, "the exponentials themselves take time"),
])
def test_the_exp_sentence_follows_exp_against_max(t_exp, words):
    assert words in speed_reading(0.001, t_exp, 0.01, 0.01).lines[1]


@pytest.mark.parametrize(("t_steps", "words"), [
    (0.004, "less than in proportion"),
    (0.008, "about in proportion"),
    (0.020, "more than in proportion"),
])
def test_the_pass_sentence_follows_the_five_calls_against_exp(t_steps, words):
    assert words in speed_reading(0.001, 0.002, t_steps, t_steps).lines[2]


@pytest.mark.parametrize(("t_blocks", "words"), [
    (0.007, "saved 30%"),
    (0.010, "no clear difference"),
    (0.013, "cost 30% more"),
])
def test_the_blocking_sentence_says_saved_or_cost_as_measured(t_blocks, words):
    assert words in speed_reading(0.001, 0.002, 0.010, t_blocks).lines[3]


def test_speed_reading_refuses_a_time_that_is_not_positive():
    with pytest.raises(ValueError, match=r"positive number of seconds; np\.exp got 0"):
        speed_reading(0.001, 0.0, 0.01, 0.01)
