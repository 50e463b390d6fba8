"""Tests for the lesson-04 explorers: pure state functions, and the widgets' wiring."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import count_new_figures, image_of
from numpy.testing import assert_allclose, assert_array_equal

from softmax_lessons.attention import EXAMPLE_LENGTH
from softmax_lessons.widgets.attention import (
    attention_explorer,
    attention_state,
    saturation_explorer,
    saturation_state,
)

# --- attention_state ------------------------------------------------------------


def test_no_mask_gives_full_rows_that_sum_to_one():
    state = attention_state(causal=False, padding=False)
    assert state["n_masked"] == 0
    assert np.all(state["weights"] > 0)
    assert_allclose(state["row_sums"], 1.0)


def test_causal_mask_zeroes_everything_above_the_diagonal():
    state = attention_state(causal=True, padding=False)
    assert np.all(state["weights"][np.triu_indices(6, k=1)] == 0.0)
    assert state["n_masked"] == 15


def test_padding_mask_zeroes_the_pad_keys_for_every_query():
    state = attention_state(causal=False, padding=True)
    assert np.all(state["weights"][:, EXAMPLE_LENGTH:] == 0.0)
    assert_allclose(state["row_sums"], 1.0)


def test_scale_zero_is_uniform_over_allowed_keys_and_a_large_scale_sharpens():
    flat = attention_state(causal=True, padding=False, scale=0.0)
    assert_allclose(flat["weights"][3, :4], 0.25)
    sharp = attention_state(causal=True, padding=False, scale=4.0)
    assert sharp["row_entropy"].mean() < attention_state(causal=True, padding=False)[
        "row_entropy"].mean() < flat["row_entropy"].mean()


def test_summary_counts_masked_cells():
    assert "18 of 36 cells masked" in attention_state()["summary"]


# --- saturation_state -----------------------------------------------------------


def test_without_scaling_the_row_saturates_at_large_d():
    state = saturation_state(512)
    assert state["weights_unscaled"].max() > 0.99
    assert state["mean_entropy_unscaled"] < 0.5 < 2.0 < state["mean_entropy_scaled"]


def test_the_lessons_example_row_is_spread_when_scaled_and_one_hot_when_not():
    state = saturation_state(256)
    assert state["weights_scaled"].max() < 0.5
    assert state["weights_unscaled"].max() > 0.99


def test_at_d_one_scaling_changes_nothing():
    state = saturation_state(1)
    assert_array_equal(state["weights_scaled"], state["weights_unscaled"])


def test_the_markers_lie_on_the_curves():
    state = saturation_state(100)
    dims = list(state["curve"]["dims"])
    assert 100 in dims
    i = dims.index(100)
    assert state["mean_entropy_scaled"] == state["curve"]["entropy_scaled"][i]


def test_saturation_state_refuses_d_out_of_range():
    with pytest.raises(ValueError, match=r"d must be an integer in \[1, 512\]"):
        saturation_state(0)


# --- the widgets ------------------------------------------------------------------


def test_attention_explorer_builds_with_no_arguments():
    box = attention_explorer()
    causal, padding, scale, summary, _ = box.children
    assert causal.value and padding.value and scale.value == 1.0
    assert image_of(box).startswith(b"\x89PNG")
    assert summary.value == f"<code>{attention_state()['summary']}</code>"


@pytest.mark.parametrize(("index", "value"), [(0, False), (1, False), (2, 3.0)])
def test_every_attention_control_changes_the_text(index, value):
    box = attention_explorer()
    summary = box.children[3]
    before = summary.value
    box.children[index].value = value
    assert summary.value != before


def test_saturation_explorer_follows_its_slider():
    box = saturation_explorer()
    slider, summary, _ = box.children
    assert isinstance(slider, widgets.IntSlider) and slider.value == 64
    slider.value = 65  # one keyboard step
    assert summary.value == f"<code>{saturation_state(65)['summary']}</code>"


def test_widgets_leave_no_figure_open():
    plt.close("all")
    attention_explorer().children[2].value = 2.0
    saturation_explorer().children[0].value = 8
    assert plt.get_fignums() == []


# --- the live figure: drawn once, updated in place ------------------------------------




@pytest.mark.parametrize(("explorer", "changes"), [
    (attention_explorer, [(0, False), (1, False), (2, 3.0), (0, True)]),
    (saturation_explorer, [(0, 65), (0, 512), (0, 1)]),
])
def test_every_step_changes_the_picture_without_creating_a_figure(explorer, changes, monkeypatch):
    box = explorer()
    created = count_new_figures(monkeypatch)
    for index, value in changes:
        before = image_of(box)
        box.children[index].value = value
        assert image_of(box) != before
    assert created == []
    assert plt.get_fignums() == []
