"""Tests for the explorers of lesson 02: controls wired to a scene and a plot."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
from figure_helpers import count_new_figures

from softmax_lessons.widgets.numerics import stability_explorer


def _parts(box):
    slider, picker, table, _ = box.children
    return slider, picker, table


def test_explorer_builds_with_no_arguments_at_the_outline_example():
    box = stability_explorer()
    slider, picker, table = _parts(box)
    assert isinstance(slider, widgets.FloatSlider) and slider.value == 1000.0
    assert picker.value == "float64"
    assert "<td>1001</td><td>nan</td>" in table.value


def test_moving_the_offset_slider_updates_the_table():
    box = stability_explorer()
    slider, _, table = _parts(box)
    before = table.value
    slider.value = 0.0
    assert table.value != before
    assert "naive: ok" in table.value


def test_each_slider_step_changes_the_shown_logits():
    box = stability_explorer(offset=5.0)
    slider, _, table = _parts(box)
    before = table.value
    slider.value = slider.value + slider.step
    assert table.value != before


def test_switching_to_float16_breaks_the_naive_column_earlier():
    box = stability_explorer(offset=50.0)
    _, picker, table = _parts(box)
    assert "naive: ok" in table.value
    picker.value = "float16"
    assert "naive: NaN: exp overflowed" in table.value


def test_explorer_leaves_no_figure_open():
    plt.close("all")
    box = stability_explorer()
    slider, picker, _ = _parts(box)
    slider.value = 10.0
    picker.value = "float32"
    assert plt.get_fignums() == []


def test_each_step_re_renders_the_figure_without_creating_one(monkeypatch):
    box = stability_explorer()
    slider, picker, _ = _parts(box)
    image = box.children[3].children[0]
    created = count_new_figures(monkeypatch)
    frames = [bytes(image.value)]
    slider.value = 0.0                # NaN bars become numbers
    frames.append(bytes(image.value))
    picker.value = "float16"          # the titles name the dtype
    frames.append(bytes(image.value))
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == 3
    assert created == []
