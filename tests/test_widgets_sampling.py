"""Tests for the explorers of lesson 03: controls wired to a scene and a plot."""

import math
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import count_new_figures, image_of

from softmax_lessons.scenes import EXAMPLE_LOGITS, EXAMPLE_VOCAB, sampling_scene, temperature_scene
from softmax_lessons.widgets.sampling import (
    DRAW_COUNTS,
    TEMPERATURES,
    sampling_playground,
    temperature_explorer,
)


def sliders(box):
    kinds = (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider)
    return [c for c in box.children if isinstance(c, kinds)]


def text(html):
    return re.sub(r"<[^>]+>", "", html.value)


def test_temperatures_run_from_0_05_to_20_evenly_on_a_log_scale_through_1():
    assert TEMPERATURES[0] == pytest.approx(10 ** -1.3) and TEMPERATURES[-1] == pytest.approx(20,
                                                                                          rel=0.01)
    assert 1.0 in TEMPERATURES
    steps = np.diff(np.log10(TEMPERATURES))
    assert np.allclose(steps, 0.05)


def test_temperature_explorer_builds_with_no_arguments():
    box = temperature_explorer()
    slider, summary, _ = box.children
    # A slider over a list of values: arrow keys move it (a log slider's do not, in Chromium).
    assert isinstance(slider, widgets.SelectionSlider) and slider.value == 1.0
    assert slider.label == "1"
    assert image_of(box).startswith(b"\x89PNG")
    p = temperature_scene().p
    assert text(summary) == (f"p(mat) / p(sofa) = exp((3 - 2.2) / T) = exp(0.8) "
                             f"= {p[0] / p[1]:.3g}")


def test_moving_the_temperature_changes_the_text_to_the_new_ratio():
    box = temperature_explorer()
    slider, summary, _ = box.children
    before = summary.value
    slider.value = TEMPERATURES[10]
    assert summary.value != before
    gap = (EXAMPLE_LOGITS[0] - EXAMPLE_LOGITS[1]) / slider.value
    shown = float(text(summary).rsplit("=", 1)[1])
    assert shown == pytest.approx(math.exp(gap), rel=0.01)


def test_sampling_playground_builds_with_four_sliders():
    box = sampling_playground()
    found = sliders(box)
    assert [s.description for s in found] == ["T", "top-k", "top-p", "draws"]
    assert found[1].max == len(EXAMPLE_VOCAB)
    assert found[3].options == DRAW_COUNTS and found[3].value == 1000
    gap = sampling_scene(top_k=5, top_p=1.0).max_gap
    assert text(box.children[4]) == ("kept 5 of 5: mat, sofa, floor, roof, moon; "
                                     f"largest |frequency - p| = {gap:.3f}")


@pytest.mark.parametrize(("index", "value"), [(0, TEMPERATURES[40]), (1, 2), (2, 0.5), (3, 20)])
def test_every_playground_slider_changes_the_picture(index, value):
    box = sampling_playground()
    before = image_of(box)
    sliders(box)[index].value = value
    assert image_of(box) != before


def test_top_k_names_the_tokens_it_keeps():
    box = sampling_playground()
    sliders(box)[1].value = 2
    assert text(box.children[4]).startswith("kept 2 of 5: mat, sofa;")


def test_widgets_leave_no_figure_open():
    plt.close("all")
    box = sampling_playground()
    sliders(box)[0].value = TEMPERATURES[3]
    temperature_explorer().children[0].value = TEMPERATURES[45]
    assert plt.get_fignums() == []


def _other_end(slider):
    if isinstance(slider, widgets.SelectionSlider):
        values = slider._options_values
        return values[0] if slider.value != values[0] else values[-1]
    return slider.min if slider.value != slider.min else slider.max


@pytest.mark.parametrize("explorer", [temperature_explorer, sampling_playground])
def test_a_slider_step_changes_the_picture_without_creating_a_figure(explorer, monkeypatch):
    box = explorer()
    before = image_of(box)
    created = count_new_figures(monkeypatch)
    for slider in sliders(box):
        slider.value = _other_end(slider)
    assert created == []
    assert image_of(box) != before
    assert plt.get_fignums() == []


def test_a_static_page_plays_the_temperature_explorer_along_t():
    frames, start = temperature_explorer().frames()
    assert len(frames) == 27 and frames[start].label == "T = 1"
    assert [f.label for f in frames][:2] == ["T = 0.0501", "T = 0.0631"]
    assert len({f.png for f in frames}) == len(frames)   # every frame shows something new
