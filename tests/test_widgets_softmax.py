"""Tests for the explorers of lesson 01 (and the lesson-00 widget check).

Controls wired to a scene and a plot.
"""

import math
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import count_new_figures
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from softmax_lessons.scenes import definition_scene, start_here_scene
from softmax_lessons.widgets import start_here_check
from softmax_lessons.widgets.softmax import (
    CLASSES,
    DEFAULT_LOGITS,
    definition_explorer,
)


def _sliders(box):
    return [c for c in box.children if isinstance(c, widgets.FloatSlider)]


def _image(box):
    return box.children[6].children[0]


def _line(box):
    """The explorer's line of text, as the reader sees it."""
    return re.sub(r"<[^>]+>", "", box.children[5].value)


def _ratio_shown(line):
    return float(line.rsplit("=", 1)[1])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=5, max_size=5))
def test_state_for_any_slider_setting_sums_to_one_and_keeps_order(x):
    state = definition_scene(x)
    assert_allclose(state.total, 1.0, atol=1e-12)
    assert x[state.argmax] == max(x)
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(state.p[order]) >= 0)


def test_explorer_builds_with_no_arguments_one_slider_per_class():
    box = definition_explorer()
    sliders = _sliders(box)
    assert [s.description for s in sliders] == list(CLASSES)
    assert [s.value for s in sliders] == list(DEFAULT_LOGITS)
    # The two largest logits are 2.0 (cat) and 1.0 (dog): their ratio is e.
    assert _line(box) == "p(cat) / p(dog) = exp(2.0 - 1.0) = exp(1.0) = 2.72"


@pytest.mark.parametrize("index", range(5))
def test_moving_any_slider_changes_the_text_to_the_ratio_of_the_two_largest(index):
    box = definition_explorer()
    before = _line(box)
    _sliders(box)[index].value = 4.5
    assert _line(box) != before
    x = sorted((s.value for s in _sliders(box)), reverse=True)
    assert _ratio_shown(_line(box)) == pytest.approx(math.exp(x[0] - x[1]), abs=0.006)


def test_raising_a_logit_above_the_others_moves_the_leader():
    box = definition_explorer()
    _sliders(box)[3].value = 5.0
    assert _line(box).startswith("p(owl) / p(cat) = exp(5.0 - 2.0)")


def test_a_negative_runner_up_reads_as_a_sum():
    box = definition_explorer(x=[1.0, -2.0, -3.0, -4.0, -5.0])
    assert _line(box).startswith("p(cat) / p(dog) = exp(1.0 + 2.0) = exp(3.0)")


def test_explorer_leaves_no_figure_open():
    plt.close("all")
    box = definition_explorer()
    for v in (1.0, -2.0, 3.0):
        _sliders(box)[1].value = v
    assert plt.get_fignums() == []


def test_each_slider_step_re_renders_the_figure_without_creating_one(monkeypatch):
    box = definition_explorer()
    created = count_new_figures(monkeypatch)
    before = bytes(_image(box).value)
    assert before.startswith(b"\x89PNG")
    _sliders(box)[2].value = 4.0
    assert bytes(_image(box).value) != before
    assert created == []


def test_start_here_check_follows_its_slider():
    box = start_here_check()
    slider, label = box.children
    slider.value = 2.0
    assert start_here_scene(2.0).message in label.value


def test_the_static_page_gets_a_still_of_the_five_slider_explorer():
    box = definition_explorer()
    assert box.sweep is None
    frames, start = box.frames()
    assert len(frames) == 1 and start == 0
    assert frames[0].png == bytes(_image(box).value)
    assert box.static_note() == ("The explorer at its starting setting. The live version, with "
                                 "its 5 sliders, needs a running kernel: open the lesson in "
                                 "JupyterLab or on Binder.")
