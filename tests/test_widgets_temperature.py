"""Tests for the lesson-03 explorers: pure state functions, and the widgets' wiring."""

import math

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import count_new_figures, image_of
from numpy.testing import assert_allclose
from scipy import special

from softmax_lessons.sampling import EXAMPLE_LOGITS, EXAMPLE_VOCAB
from softmax_lessons.widgets.temperature import (
    sampling_playground,
    sampling_state,
    temperature_explorer,
    temperature_state,
)


def entropy_bits_by_hand(p):
    return -sum(q * math.log2(q) for q in p if q > 0)


# --- temperature_state -------------------------------------------------------------


@pytest.mark.parametrize("t", [2.0, 1.0, 0.5])
def test_worked_example_at_three_temperatures(t):
    state = temperature_state([2.0, 1.0, 0.0], t, ["a", "b", "c"])
    expected = special.softmax(np.array([2.0, 1.0, 0.0]) / t)
    assert_allclose(state["p"], expected)
    assert_allclose(state["entropy_bits"], entropy_bits_by_hand(expected))
    assert_allclose(state["entropy_ratio"], entropy_bits_by_hand(expected) / math.log2(3))
    assert state["argmax"] == 0


def test_entropy_goes_from_zero_to_log2_n_across_the_curve():
    state = temperature_state()
    assert state["curve_h"][0] < 0.01  # T = 0.05: nearly one-hot
    assert state["curve_h"][-1] > 0.97 * math.log2(5)  # T = 20: nearly uniform
    assert np.all(np.diff(state["curve_h"]) > 0)


def test_the_marker_lies_on_the_curve():
    state_t = float(np.geomspace(0.05, 20, 121)[40])
    state = temperature_state(temperature=state_t)
    assert_allclose(state["entropy_bits"], state["curve_h"][40])
    assert state["temperature"] == state_t


def test_temperature_state_refuses_zero_and_mismatched_labels():
    with pytest.raises(ValueError, match="greedy decoding"):
        temperature_state(temperature=0.0)
    with pytest.raises(ValueError, match="one logit per token"):
        temperature_state([1.0, 2.0], 1.0, ["a"])


# --- sampling_state -----------------------------------------------------------------


def test_sampling_state_defaults_keep_every_token():
    state = sampling_state()
    assert state["kept"].all()
    assert_allclose(state["p"], special.softmax(EXAMPLE_LOGITS))
    assert state["counts"].sum() == 1000
    assert_allclose(state["frequencies"], state["counts"] / 1000)


def test_top_k_and_top_p_renormalise_and_zero_the_rest():
    state = sampling_state(top_k=3, top_p=0.8, n_draws=5000)
    model = special.softmax(EXAMPLE_LOGITS)
    top3 = model[:3] / model[:3].sum()  # the example is sorted: the first three win
    assert_allclose(state["p"][:2], top3[:2] / top3[:2].sum())  # 0.64 + 0.29 >= 0.8
    assert np.all(state["counts"][2:] == 0)
    assert state["kept"].tolist() == [True, True, False, False, False]
    assert "2 of 5 tokens kept (mat, sofa)" in state["summary"]


def test_more_draws_bring_frequencies_closer_to_p():
    few = sampling_state(n_draws=20)
    many = sampling_state(n_draws=10_000)
    assert many["max_gap"] < 0.02 < few["max_gap"]


def test_the_same_seed_gives_the_same_counts():
    assert sampling_state(seed=3)["counts"].tolist() == sampling_state(seed=3)["counts"].tolist()
    assert sampling_state(seed=3)["counts"].tolist() != sampling_state(seed=4)["counts"].tolist()


def test_sampling_state_refuses_bad_settings():
    with pytest.raises(ValueError, match="top_k must be an integer >= 1"):
        sampling_state(top_k=0)
    with pytest.raises(ValueError, match="n_draws must be >= 1"):
        sampling_state(n_draws=0)


# --- the widgets ------------------------------------------------------------------


def sliders(box):
    kinds = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)
    return [c for c in box.children if isinstance(c, kinds)]


def test_temperature_explorer_builds_with_no_arguments():
    box = temperature_explorer()
    slider, summary, _ = box.children
    assert isinstance(slider, widgets.FloatLogSlider) and slider.value == 1.0
    assert image_of(box).startswith(b"\x89PNG")
    assert summary.value == f"<code>{temperature_state()['summary']}</code>"


def test_moving_the_temperature_changes_the_text_to_the_new_state():
    box = temperature_explorer()
    slider, summary, _ = box.children
    before = summary.value
    slider.value = 0.2
    assert summary.value != before
    assert summary.value == f"<code>{temperature_state(temperature=slider.value)['summary']}</code>"


def test_sampling_playground_builds_with_four_sliders():
    box = sampling_playground()
    found = sliders(box)
    assert [s.description for s in found] == ["T", "top-k", "top-p", "draws"]
    assert found[1].max == len(EXAMPLE_VOCAB)
    assert box.children[4].value == f"<code>{sampling_state(top_k=5, top_p=1.0)['summary']}</code>"


@pytest.mark.parametrize(("index", "value"), [(0, 3.0), (1, 2), (2, 0.5), (3, 20)])
def test_every_playground_slider_changes_the_text(index, value):
    box = sampling_playground()
    summary = box.children[4]
    before = summary.value
    sliders(box)[index].value = value
    assert summary.value != before


def test_widgets_leave_no_figure_open():
    plt.close("all")
    box = sampling_playground()
    sliders(box)[0].value = 0.3
    temperature_explorer().children[0].value = 4.0
    assert plt.get_fignums() == []


# --- the live figure: drawn once, updated in place ------------------------------------




@pytest.mark.parametrize("explorer", [temperature_explorer, sampling_playground])
def test_a_slider_step_changes_the_picture_without_creating_a_figure(explorer, monkeypatch):
    box = explorer()
    before = image_of(box)
    created = count_new_figures(monkeypatch)
    for slider in sliders(box):
        slider.value = slider.min if slider.value != slider.min else slider.max
    assert created == []
    assert image_of(box) != before
    assert plt.get_fignums() == []

