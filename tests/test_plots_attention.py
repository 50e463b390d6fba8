"""Tests for softmax_lessons.plots.attention: the figures draw the numbers they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.plots.attention import (
    attention_figure,
    attention_heatmap,
    convex_hull_plot,
    saturation_figure,
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
