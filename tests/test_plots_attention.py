"""Tests for softmax_lessons.plots.attention: the figures draw the numbers they are given."""

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

from softmax_lessons.plots.attention import (
    attention_figure,
    attention_figure_moving,
    attention_heatmap,
    convex_hull_plot,
    saturation_figure,
    saturation_figure_moving,
    update_attention_figure,
    update_attention_heatmap,
    update_saturation_figure,
)
from softmax_lessons.widgets.attention import attention_state, saturation_state


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_heatmap_shows_the_weights_and_marks_masked_cells_without_colour():
    state = attention_state()
    ax = attention_figure(state).axes[0]
    assert_allclose(ax.images[0].get_array(), state["weights"])
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("x") == state["n_masked"]
    hatched = [p for p in ax.patches if p.get_hatch() == "///"]
    assert len(hatched) == state["n_masked"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(state["tokens"])


def test_heatmap_without_a_mask_prints_every_weight():
    ax = attention_heatmap(np.full((2, 2), 0.5), ["a", "b"], ["a", "b"])
    assert [t.get_text() for t in ax.texts] == ["0.50"] * 4


def test_attention_figure_title_names_the_masks_and_scale():
    fig = attention_figure(attention_state(causal=False, padding=False, scale=2.0))
    assert fig.axes[0].get_title().startswith("masks: none, scale x2.00")


def test_convex_hull_plot_places_the_output_star():
    ax = convex_hull_plot([[0, 0], [2, 0], [0, 2]], [0.5, 0.25, 0.25], [0.5, 0.5],
                          ["a", "b", "c"])
    star = next(line for line in ax.lines if line.get_marker() == "*")
    assert_allclose(star.get_xydata(), [[0.5, 0.5]])
    assert [t.get_text() for t in ax.texts] == ["a: 0.50", "b: 0.25", "c: 0.25"]


def test_saturation_figure_draws_both_rows_and_the_markers_at_d():
    state = saturation_state(32)
    left, right = saturation_figure(state).axes
    heights = [p.get_height() for p in left.patches]
    assert_allclose(heights, np.concatenate([state["weights_scaled"], state["weights_unscaled"]]))
    diamonds = [line for line in right.lines if line.get_marker() == "D"]
    assert_allclose([d.get_xydata()[0] for d in diamonds],
                    [[32, state["mean_entropy_scaled"]], [32, state["mean_entropy_unscaled"]]])
    assert right.get_xscale() == "log"


# --- update functions: a figure updated in place must equal one drawn from scratch ------


@pytest.mark.parametrize(("a", "b"), [
    ({}, {"scale": 3.0}),
    ({}, {"causal": False}),
    ({"causal": False, "padding": False}, {"causal": True, "padding": True, "scale": 0.0}),
    ({"padding": False, "scale": 4.0}, {"causal": False, "scale": 0.5}),
])
def test_update_attention_figure_matches_a_figure_drawn_at_the_new_settings(a, b):
    assert_update_matches_fresh(attention_figure, update_attention_figure,
                                attention_state(**a), attention_state(**b))


def test_update_attention_heatmap_keeps_one_grey_square_per_masked_cell():
    ax = attention_heatmap(np.full((2, 2), 0.5), ["a", "b"], ["a", "b"])
    update_attention_heatmap(ax, [[1.0, 0.0], [0.5, 0.5]], mask=[[True, False], [True, True]])
    update_attention_heatmap(ax, [[1.0, 0.0], [1.0, 0.0]], mask=[[True, False], [True, False]])
    assert [p.get_xy() for p in ax.patches] == [(0.5, -0.5), (0.5, 0.5)]
    assert [t.get_text() for t in ax.texts] == ["1.00", "x", "1.00", "x"]
    update_attention_heatmap(ax, [[1.0, 0.0], [0.5, 0.5]], mask=[[True, False], [True, True]])
    assert [p.get_xy() for p in ax.patches if p.get_visible()] == [(0.5, -0.5)]


def test_update_attention_heatmap_refuses_another_shape():
    ax = attention_heatmap(np.full((2, 2), 0.5), ["a", "b"], ["a", "b"])
    with pytest.raises(ValueError, match=r"shape \(2, 2\), got \(3, 3\)"):
        update_attention_heatmap(ax, np.full((3, 3), 1 / 3))


@pytest.mark.parametrize(("d_a", "d_b"), [(64, 65), (64, 512), (1, 100), (300, 2)])
def test_update_saturation_figure_matches_a_figure_drawn_at_the_new_d(d_a, d_b):
    assert_update_matches_fresh(saturation_figure, update_saturation_figure,
                                saturation_state(d_a), saturation_state(d_b))


@pytest.mark.parametrize("b", [{"causal": False}, {"padding": False, "scale": 3.0},
                               {"causal": False, "padding": False, "scale": 0.0}])
def test_an_attention_step_from_the_explorers_start_changes_only_the_moving_artists(b):
    assert_only_moving_artists_change(attention_figure, update_attention_figure,
                                      attention_figure_moving, attention_state(),
                                      attention_state(**b))


def test_the_attention_explorer_starts_with_every_cell_any_setting_can_mask():
    start = attention_state()["mask"]  # its grey squares are reused, never added
    for causal in (False, True):
        for padding in (False, True):
            assert np.all(start <= attention_state(causal, padding)["mask"])


@pytest.mark.parametrize("d_b", [65, 512, 1])
def test_a_saturation_step_changes_only_the_moving_artists(d_b):
    assert_only_moving_artists_change(saturation_figure, update_saturation_figure,
                                      saturation_figure_moving, saturation_state(64),
                                      saturation_state(d_b))
