"""Tests for the explorers of lesson 02: controls wired to a scene and a plot."""

import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
from figure_helpers import count_new_figures

from softmax_lessons.widgets.numerics import stability_explorer


def _parts(box):
    slider, picker, line, _ = box.children
    return slider, picker, line


def _text(line):
    return re.sub(r"<[^>]+>", "", line.value)


def test_explorer_builds_with_no_arguments_at_the_outline_example():
    box = stability_explorer()
    slider, picker, line = _parts(box)
    assert isinstance(slider, widgets.FloatSlider) and slider.value == 1000.0
    assert picker.value == "float64"
    assert _text(line) == ("naive: exp overflowed to inf, and inf / inf is NaN "
                           "(float64: exp overflows above 709.8)")


def test_moving_the_offset_slider_updates_the_line():
    box = stability_explorer()
    slider, _, line = _parts(box)
    slider.value = 0.0
    assert _text(line).startswith("naive and stable agree (float64: exp is finite and non-zero "
                                  "from -745.1 to 709.8)")
    slider.value = -1000.0
    assert _text(line).startswith("naive: every exp underflowed to 0, and 0 / 0 is NaN")


def test_every_slider_step_is_a_whole_step_of_twenty():
    slider = _parts(stability_explorer())[0]
    assert slider.step == 20.0
    assert (slider.max - slider.min) / slider.step == 100   # a few pixels per step


def test_switching_to_float16_breaks_the_naive_column_earlier():
    box = stability_explorer(offset=50.0)
    _, picker, line = _parts(box)
    assert _text(line).startswith("naive and stable agree")
    picker.value = "float16"
    assert _text(line).startswith("naive: exp overflowed")
    assert "float16: exp overflows above 11.09" in _text(line)


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


def test_a_static_page_steps_the_offset_across_both_edges_of_float64():
    frames, start = stability_explorer().frames()
    labels = [f.label for f in frames]
    assert labels[0] == "offset = -1000" and labels[-1] == "offset = 1000"
    assert labels[start] == "offset = 1000"
    fine = [f for f in frames if f.line.startswith("naive and stable agree")]
    assert fine and len(fine) < len(frames)   # the naive column breaks at both ends
