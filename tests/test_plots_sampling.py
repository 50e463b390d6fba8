"""Tests for the figures of lesson 03: they draw exactly the numbers they are given."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.plots.sampling import (
    entropy_curve,
    sampling_counts,
    sampling_figure,
    simplex_path,
    temperature_figure,
    update_entropy_curve,
    update_sampling_counts,
)
from softmax_lessons.scenes.sampling import sampling_scene, temperature_scene


def test_temperature_figure_shows_the_state_bars_and_marker():
    state = temperature_scene([2.0, 1.0, 0.0], 0.5, ["a", "b", "c"])
    fig = temperature_figure(state)
    bars_ax, curve_ax = fig.axes
    assert_allclose([b.get_height() for b in bars_ax.patches], state.p)
    assert bars_ax.patches[0].get_hatch() == "//"  # the argmax is told apart by a hatch too
    marker = next(line for line in curve_ax.lines if line.get_marker() == "D")
    assert_allclose(marker.get_xydata(), [[0.5, state.entropy_bits]])
    curve = curve_ax.lines[0]
    assert_allclose(curve.get_ydata(), state.curve_h)
    assert "H/Hmax = 0.40" in bars_ax.get_title()


def test_entropy_curve_marks_zero_and_the_maximum():
    ax = entropy_curve([0.1, 1.0], [0.1, 1.0], 2.0)
    levels = sorted(line.get_ydata()[0] for line in ax.lines[1:3])
    assert levels == [0.0, 2.0]
    assert ax.get_xlabel().startswith("temperature T")


def test_simplex_path_puts_one_hot_at_a_corner_and_uniform_at_the_centre():
    ax = simplex_path([[1, 0, 0], [0, 1, 0], [1 / 3, 1 / 3, 1 / 3]], ["a", "b", "c"])
    path = ax.lines[1].get_xydata()
    assert_allclose(path[0], [0, 0])
    assert_allclose(path[1], [1, 0])
    assert_allclose(path[2], [0.5, np.sqrt(3) / 6])


def test_sampling_figure_draws_frequencies_and_probabilities():
    state = sampling_scene(temperature=0.7, top_k=3, n_draws=500)
    ax = sampling_figure(state).axes[0]
    assert_allclose([b.get_height() for b in ax.patches], state.frequencies)
    diamonds = next(line for line in ax.lines if line.get_marker() == "D")
    assert_allclose(diamonds.get_ydata(), state.p)
    assert "500 draws" in ax.get_title()


def test_sampling_counts_without_model_p_has_one_marker_series():
    ax = sampling_counts(["a", "b"], [0.5, 0.5], [0.4, 0.6])
    assert len(ax.lines) == 1


def test_update_entropy_curve_moves_the_marker_and_its_legend_entry():
    ax = entropy_curve([0.1, 1.0, 10.0], [0.0, 1.0, 1.5], 1.585, marker=(1.0, 1.0))
    update_entropy_curve(ax, [0.1, 1.0, 10.0], [0.0, 1.1, 1.5], marker=(0.1, 0.0))
    assert_allclose(ax.lines[0].get_ydata(), [0.0, 1.1, 1.5])
    assert_allclose(ax.lines[3].get_xydata(), [[0.1, 0.0]])
    assert ax.get_legend().get_texts()[3].get_text() == "T = 0.10: 0.00 bits"


def test_update_entropy_curve_without_a_drawn_marker_says_how_to_get_one():
    ax = entropy_curve([0.1, 1.0], [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="drawn without a marker"):
        update_entropy_curve(ax, [0.1, 1.0], [0.0, 1.0], marker=(1.0, 1.0))


def test_update_sampling_counts_refuses_a_different_vocabulary_size():
    ax = sampling_counts(["a", "b"], [0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="has 2 bars but got 3"):
        update_sampling_counts(ax, [0.2, 0.3, 0.5], [0.2, 0.3, 0.5])
