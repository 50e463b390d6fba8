"""Tests for the scenes of lesson 04.

What each figure and explorer shows, computed without a browser.
"""

import numpy as np
import pytest
from figure_helpers import (
    assert_only_moving_artists_change,
    assert_update_matches_fresh,
)
from numpy.testing import assert_allclose, assert_array_equal

from softmax_lessons.attention import EXAMPLE_LENGTH
from softmax_lessons.plots.attention import (
    attention_figure,
    attention_figure_moving,
    saturation_figure,
    saturation_figure_moving,
    update_attention_figure,
    update_saturation_figure,
)
from softmax_lessons.scenes.attention import attention_scene, saturation_scene


@pytest.mark.parametrize(("a", "b"), [
    ({}, {"scale": 3.0}),
    ({}, {"causal": False}),
    ({"causal": False, "padding": False}, {"causal": True, "padding": True, "scale": 0.0}),
    ({"padding": False, "scale": 4.0}, {"causal": False, "scale": 0.5}),
])
def test_update_attention_figure_matches_a_figure_drawn_at_the_new_settings(a, b):
    assert_update_matches_fresh(attention_figure, update_attention_figure,
                                attention_scene(**a), attention_scene(**b))


@pytest.mark.parametrize(("d_a", "d_b"), [(64, 65), (64, 512), (1, 100), (300, 2)])
def test_update_saturation_figure_matches_a_figure_drawn_at_the_new_d(d_a, d_b):
    assert_update_matches_fresh(saturation_figure, update_saturation_figure,
                                saturation_scene(d_a), saturation_scene(d_b))


@pytest.mark.parametrize("b", [{"causal": False}, {"padding": False, "scale": 3.0},
                               {"causal": False, "padding": False, "scale": 0.0}])
def test_an_attention_step_from_the_explorers_start_changes_only_the_moving_artists(b):
    assert_only_moving_artists_change(attention_figure, update_attention_figure,
                                      attention_figure_moving, attention_scene(),
                                      attention_scene(**b))


def test_the_attention_explorer_starts_with_every_cell_any_setting_can_mask():
    start = attention_scene().mask  # its grey squares are reused, never added
    for causal in (False, True):
        for padding in (False, True):
            assert np.all(start <= attention_scene(causal, padding).mask)


@pytest.mark.parametrize("d_b", [65, 512, 1])
def test_a_saturation_step_changes_only_the_moving_artists(d_b):
    assert_only_moving_artists_change(saturation_figure, update_saturation_figure,
                                      saturation_figure_moving, saturation_scene(64),
                                      saturation_scene(d_b))


def test_no_mask_gives_full_rows_that_sum_to_one():
    state = attention_scene(causal=False, padding=False)
    assert state.n_masked == 0
    assert np.all(state.weights > 0)
    assert_allclose(state.row_sums, 1.0)


def test_causal_mask_zeroes_everything_above_the_diagonal():
    state = attention_scene(causal=True, padding=False)
    assert np.all(state.weights[np.triu_indices(6, k=1)] == 0.0)
    assert state.n_masked == 15


def test_padding_mask_zeroes_the_pad_keys_for_every_query():
    state = attention_scene(causal=False, padding=True)
    assert np.all(state.weights[:, EXAMPLE_LENGTH:] == 0.0)
    assert_allclose(state.row_sums, 1.0)


def test_scale_zero_is_uniform_over_allowed_keys_and_a_large_scale_sharpens():
    flat = attention_scene(causal=True, padding=False, scale=0.0)
    assert_allclose(flat.weights[3, :4], 0.25)
    sharp = attention_scene(causal=True, padding=False, scale=4.0)
    standard = attention_scene(causal=True, padding=False)
    assert sharp.row_entropy.mean() < standard.row_entropy.mean() < flat.row_entropy.mean()


def test_summary_counts_masked_cells():
    assert "18 of 36 cells masked" in attention_scene().summary


def test_without_scaling_the_row_saturates_at_large_d():
    state = saturation_scene(512)
    assert state.weights_unscaled.max() > 0.99
    assert state.mean_entropy_unscaled < 0.5 < 2.0 < state.mean_entropy_scaled


def test_the_lessons_example_row_is_spread_when_scaled_and_one_hot_when_not():
    state = saturation_scene(256)
    assert state.weights_scaled.max() < 0.5
    assert state.weights_unscaled.max() > 0.99


def test_at_d_one_scaling_changes_nothing():
    state = saturation_scene(1)
    assert_array_equal(state.weights_scaled, state.weights_unscaled)


def test_the_markers_lie_on_the_curves():
    state = saturation_scene(100)
    dims = list(state.curve["dims"])
    assert 100 in dims
    i = dims.index(100)
    assert state.mean_entropy_scaled == state.curve["entropy_scaled"][i]


def test_saturation_state_refuses_d_out_of_range():
    with pytest.raises(ValueError, match=r"d must be an integer in \[1, 512\]"):
        saturation_scene(0)
