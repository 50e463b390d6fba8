"""Tests for the scenes of lesson 03.

What each figure and explorer shows, computed without a browser.
"""

import math

import numpy as np
import pytest
from figure_helpers import (
    assert_only_moving_artists_change,
    assert_redraw_matches_fresh,
    assert_update_matches_fresh,
)
from numpy.testing import assert_allclose
from scipy import special

from softmax_lessons.plots.sampling import (
    sampling_figure,
    sampling_figure_moving,
    temperature_figure,
    temperature_figure_moving,
    update_sampling_figure,
    update_temperature_figure,
)
from softmax_lessons.scenes import EXAMPLE_LOGITS
from softmax_lessons.scenes.sampling import sampling_scene, temperature_scene


def entropy_bits_by_hand(p):
    return -sum(q * math.log2(q) for q in p if q > 0)


@pytest.mark.parametrize(("t_a", "t_b"), [(1.0, 0.2), (0.05, 20.0), (3.0, 1.0)])
def test_update_temperature_figure_matches_a_figure_drawn_at_the_new_temperature(t_a, t_b):
    assert_update_matches_fresh(temperature_figure, update_temperature_figure,
                                temperature_scene(temperature=t_a),
                                temperature_scene(temperature=t_b))


def test_update_temperature_figure_moves_the_hatch_when_the_argmax_moves():
    labels = ["a", "b", "c"]
    assert_update_matches_fresh(temperature_figure, update_temperature_figure,
                                temperature_scene([2.0, 1.0, 0.0], 1.0, labels),
                                temperature_scene([0.0, 1.0, 3.0], 0.5, labels))


@pytest.mark.parametrize(("a", "b"), [
    ({}, {"temperature": 0.3}),
    ({}, {"top_k": 2}),
    ({"top_k": 3}, {"top_p": 0.5, "n_draws": 20}),
    ({"temperature": 5.0, "n_draws": 10_000}, {}),
])
def test_update_sampling_figure_matches_a_figure_drawn_at_the_new_settings(a, b):
    assert_update_matches_fresh(sampling_figure, update_sampling_figure,
                                sampling_scene(**a), sampling_scene(**b))


@pytest.mark.parametrize(("t_a", "t_b"), [(1.0, 0.2), (0.05, 20.0)])
def test_a_temperature_step_changes_only_the_moving_artists(t_a, t_b):
    assert_only_moving_artists_change(temperature_figure, update_temperature_figure,
                                      temperature_figure_moving,
                                      temperature_scene(temperature=t_a),
                                      temperature_scene(temperature=t_b))


def test_a_sampling_step_changes_only_the_moving_artists():
    assert_only_moving_artists_change(sampling_figure, update_sampling_figure,
                                      sampling_figure_moving, sampling_scene(),
                                      sampling_scene(temperature=0.3, top_k=2, n_draws=50))


@pytest.mark.parametrize("t", [2.0, 1.0, 0.5])
def test_worked_example_at_three_temperatures(t):
    state = temperature_scene([2.0, 1.0, 0.0], t, ["a", "b", "c"])
    expected = special.softmax(np.array([2.0, 1.0, 0.0]) / t)
    assert_allclose(state.p, expected)
    assert_allclose(state.entropy_bits, entropy_bits_by_hand(expected))
    assert_allclose(state.entropy_ratio, entropy_bits_by_hand(expected) / math.log2(3))
    assert state.argmax == 0


def test_entropy_goes_from_zero_to_log2_n_across_the_curve():
    state = temperature_scene()
    assert state.curve_h[0] < 0.01  # T = 0.05: nearly one-hot
    assert state.curve_h[-1] > 0.97 * math.log2(5)  # T = 20: nearly uniform
    assert np.all(np.diff(state.curve_h) > 0)


def test_the_marker_lies_on_the_curve():
    state_t = float(np.geomspace(0.05, 20, 121)[40])
    state = temperature_scene(temperature=state_t)
    assert_allclose(state.entropy_bits, state.curve_h[40])
    assert state.temperature == state_t


def test_temperature_state_refuses_zero_and_mismatched_labels():
    with pytest.raises(ValueError, match="greedy decoding"):
        temperature_scene(temperature=0.0)
    with pytest.raises(ValueError, match="one logit per token"):
        temperature_scene([1.0, 2.0], 1.0, ["a"])


def test_sampling_state_defaults_keep_every_token():
    state = sampling_scene()
    assert state.kept.all()
    assert_allclose(state.p, special.softmax(EXAMPLE_LOGITS))
    assert state.counts.sum() == 1000
    assert_allclose(state.frequencies, state.counts / 1000)


def test_top_k_and_top_p_renormalise_and_zero_the_rest():
    state = sampling_scene(top_k=3, top_p=0.8, n_draws=5000)
    model = special.softmax(EXAMPLE_LOGITS)
    top3 = model[:3] / model[:3].sum()  # the example is sorted: the first three win
    assert_allclose(state.p[:2], top3[:2] / top3[:2].sum())  # 0.64 + 0.29 >= 0.8
    assert np.all(state.counts[2:] == 0)
    assert state.kept.tolist() == [True, True, False, False, False]
    assert "2 of 5 tokens kept (mat, sofa)" in state.summary


def test_more_draws_bring_frequencies_closer_to_p():
    few = sampling_scene(n_draws=20)
    many = sampling_scene(n_draws=10_000)
    assert many.max_gap < 0.02 < few.max_gap


def test_the_same_seed_gives_the_same_counts():
    assert sampling_scene(seed=3).counts.tolist() == sampling_scene(seed=3).counts.tolist()
    assert sampling_scene(seed=3).counts.tolist() != sampling_scene(seed=4).counts.tolist()


def test_sampling_state_refuses_bad_settings():
    with pytest.raises(ValueError, match="top_k must be an integer >= 1"):
        sampling_scene(top_k=0)
    with pytest.raises(ValueError, match="n_draws must be >= 1"):
        sampling_scene(n_draws=0)


def test_redrawn_temperature_and_sampling_figures_match_figures_drawn_from_scratch():
    assert_redraw_matches_fresh(temperature_figure, lambda fig, s: temperature_figure(s, fig=fig),
                                temperature_scene(temperature=1.0),
                                temperature_scene(temperature=0.2))
    assert_redraw_matches_fresh(sampling_figure, lambda fig, s: sampling_figure(s, fig=fig),
                                sampling_scene(), sampling_scene(temperature=0.3, top_k=2))
