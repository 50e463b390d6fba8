"""Tests for the explorers of lesson 03: controls wired to a scene and a plot."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from figure_helpers import count_new_figures, image_of

from softmax_lessons.sampling import EXAMPLE_VOCAB
from softmax_lessons.scenes import sampling_scene, temperature_scene
from softmax_lessons.widgets.sampling import (
    sampling_playground,
    temperature_explorer,
)


def sliders(box):
    kinds = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)
    return [c for c in box.children if isinstance(c, kinds)]


def test_temperature_explorer_builds_with_no_arguments():
    box = temperature_explorer()
    slider, summary, _ = box.children
    assert isinstance(slider, widgets.FloatLogSlider) and slider.value == 1.0
    assert image_of(box).startswith(b"\x89PNG")
    assert summary.value == f"<code>{temperature_scene().summary}</code>"


def test_moving_the_temperature_changes_the_text_to_the_new_state():
    box = temperature_explorer()
    slider, summary, _ = box.children
    before = summary.value
    slider.value = 0.2
    assert summary.value != before
    assert summary.value == f"<code>{temperature_scene(temperature=slider.value).summary}</code>"


def test_sampling_playground_builds_with_four_sliders():
    box = sampling_playground()
    found = sliders(box)
    assert [s.description for s in found] == ["T", "top-k", "top-p", "draws"]
    assert found[1].max == len(EXAMPLE_VOCAB)
    assert box.children[4].value == f"<code>{sampling_scene(top_k=5, top_p=1.0).summary}</code>"


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
