"""Tests for softmax_lessons.plots.temperature: the figures draw the numbers they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.legend
import matplotlib.lines
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pytest
from figure_helpers import (
    assert_only_moving_artists_change,
    assert_update_matches_fresh,
)
from numpy.testing import assert_allclose

from softmax_lessons.calibration import reliability_bins
from softmax_lessons.plots.temperature import (
    calibration_figure,
    entropy_curve,
    reliability_diagram,
    sampling_counts,
    sampling_figure,
    sampling_figure_moving,
    simplex_path,
    temperature_figure,
    temperature_figure_moving,
    update_entropy_curve,
    update_sampling_counts,
    update_sampling_figure,
    update_temperature_figure,
)
from softmax_lessons.widgets.temperature import sampling_state, temperature_state


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_temperature_figure_shows_the_state_bars_and_marker():
    state = temperature_state([2.0, 1.0, 0.0], 0.5, ["a", "b", "c"])
    fig = temperature_figure(state)
    bars_ax, curve_ax = fig.axes
    assert_allclose([b.get_height() for b in bars_ax.patches], state["p"])
    assert bars_ax.patches[0].get_hatch() == "//"  # the argmax is told apart by a hatch too
    marker = next(line for line in curve_ax.lines if line.get_marker() == "D")
    assert_allclose(marker.get_xydata(), [[0.5, state["entropy_bits"]]])
    curve = curve_ax.lines[0]
    assert_allclose(curve.get_ydata(), state["curve_h"])
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
    state = sampling_state(temperature=0.7, top_k=3, n_draws=500)
    ax = sampling_figure(state).axes[0]
    assert_allclose([b.get_height() for b in ax.patches], state["frequencies"])
    diamonds = next(line for line in ax.lines if line.get_marker() == "D")
    assert_allclose(diamonds.get_ydata(), state["p"])
    assert "500 draws" in ax.get_title()


def test_sampling_counts_without_model_p_has_one_marker_series():
    ax = sampling_counts(["a", "b"], [0.5, 0.5], [0.4, 0.6])
    assert len(ax.lines) == 1


def test_reliability_diagram_skips_empty_bins_and_draws_the_diagonal():
    p = np.array([[0.95, 0.05], [0.97, 0.03], [0.9, 0.1], [0.6, 0.4]])
    bins = reliability_bins(p, [0, 1, 1, 0], n_bins=10)  # bins (0.5, 0.6], (0.8, 0.9], (0.9, 1]
    ax = reliability_diagram(bins)
    assert_allclose([b.get_height() for b in ax.patches], [1.0, 0.0, 0.5])
    assert_allclose([b.get_x() + b.get_width() / 2 for b in ax.patches], [0.55, 0.85, 0.95])
    diagonal = next(line for line in ax.lines if line.get_linestyle() == "--")
    assert_allclose(diagonal.get_xydata(), [[0, 0], [1, 1]])


def test_reliability_diagram_labels_each_bar_with_its_count_and_marks_small_bins():
    p = np.array([[0.95, 0.05]] * 30 + [[0.6, 0.4]] * 2)
    bins = reliability_bins(p, [0] * 32, n_bins=10)  # 2 examples in (0.5, 0.6], 30 in (0.9, 1]
    ax = reliability_diagram(bins, few=20)
    assert [t.get_text() for t in ax.texts] == ["n=2", "n=30"]
    small, large = ax.patches
    assert small.get_hatch() == ".." and small.get_facecolor()[3] < 0.5
    assert not large.get_hatch() and large.get_facecolor()[3] == 1.0
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()][::3] == ["accuracy in the bin",
                                                               "fewer than 20 examples"]
    full, *_, pale = legend.legend_handles
    assert full.get_facecolor()[3] == 1.0 and not full.get_hatch()
    assert pale.get_hatch() == ".."


def test_reliability_diagram_legend_has_no_small_bin_entry_when_every_bin_is_large():
    bins = reliability_bins(np.array([[0.95, 0.05]] * 30), [0] * 30, n_bins=10)
    ax = reliability_diagram(bins, few=20)
    assert len(ax.get_legend().get_texts()) == 3


def test_calibration_figure_titles_carry_ece_and_temperature():
    p = np.array([[0.95, 0.05], [0.6, 0.4]])
    bins = reliability_bins(p, [0, 1])
    fig = calibration_figure(bins, bins, 0.3, 0.05, 2.5)
    assert [ax.get_title() for ax in fig.axes] == ["before: T = 1, ECE = 0.300",
                                                   "after: T = 2.50, ECE = 0.050"]


# --- update functions: a figure updated in place must equal one drawn from scratch ------


@pytest.mark.parametrize(("t_a", "t_b"), [(1.0, 0.2), (0.05, 20.0), (3.0, 1.0)])
def test_update_temperature_figure_matches_a_figure_drawn_at_the_new_temperature(t_a, t_b):
    assert_update_matches_fresh(temperature_figure, update_temperature_figure,
                                temperature_state(temperature=t_a),
                                temperature_state(temperature=t_b))


def test_update_temperature_figure_moves_the_hatch_when_the_argmax_moves():
    labels = ["a", "b", "c"]
    assert_update_matches_fresh(temperature_figure, update_temperature_figure,
                                temperature_state([2.0, 1.0, 0.0], 1.0, labels),
                                temperature_state([0.0, 1.0, 3.0], 0.5, labels))


@pytest.mark.parametrize(("a", "b"), [
    ({}, {"temperature": 0.3}),
    ({}, {"top_k": 2}),
    ({"top_k": 3}, {"top_p": 0.5, "n_draws": 20}),
    ({"temperature": 5.0, "n_draws": 10_000}, {}),
])
def test_update_sampling_figure_matches_a_figure_drawn_at_the_new_settings(a, b):
    assert_update_matches_fresh(sampling_figure, update_sampling_figure,
                                sampling_state(**a), sampling_state(**b))


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


@pytest.mark.parametrize(("t_a", "t_b"), [(1.0, 0.2), (0.05, 20.0)])
def test_a_temperature_step_changes_only_the_moving_artists(t_a, t_b):
    assert_only_moving_artists_change(temperature_figure, update_temperature_figure,
                                      temperature_figure_moving,
                                      temperature_state(temperature=t_a),
                                      temperature_state(temperature=t_b))


def test_a_sampling_step_changes_only_the_moving_artists():
    assert_only_moving_artists_change(sampling_figure, update_sampling_figure,
                                      sampling_figure_moving, sampling_state(),
                                      sampling_state(temperature=0.3, top_k=2, n_draws=50))
