"""Tests for the lesson-01 explorer: its pure state function and the widget wiring."""

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from softmax_lessons.widgets.definition import (
    CLASSES,
    DEFAULT_LOGITS,
    definition_explorer,
    definition_state,
)


def _softmax_by_hand(x):
    """An independent reference: the formula with math.exp, in plain Python."""
    exps = [math.exp(v) for v in x]
    return [e / sum(exps) for e in exps]


def _entropy_bits_by_hand(p):
    return -sum(q * math.log2(q) for q in p if q > 0)


@pytest.mark.parametrize(("x", "expected"), [
    ((2.0, 1.0, 0.0), (0.665, 0.245, 0.090)),
    ((2.0, 1.0, 0.1), (0.659, 0.242, 0.099)),
])
def test_outline_worked_examples_give_the_outline_probabilities(x, expected):
    state = definition_state(x, ["a", "b", "c"])
    assert_allclose(state["p"], expected, atol=5e-4)
    assert state["argmax"] == 0
    assert state["argmax_label"] == "a"
    assert_allclose(state["entropy_bits"], _entropy_bits_by_hand(_softmax_by_hand(x)))
    assert_allclose(state["total"], 1.0)


def test_default_state_is_the_five_named_classes():
    state = definition_state()
    assert state["labels"] == list(CLASSES)
    assert_allclose(state["p"], _softmax_by_hand(DEFAULT_LOGITS), rtol=1e-12)
    assert state["argmax_label"] == CLASSES[int(np.argmax(DEFAULT_LOGITS))]
    assert_allclose(state["entropy_max_bits"], math.log2(5))


def test_equal_logits_give_uniform_and_maximal_entropy():
    state = definition_state([0.7] * 5)
    assert_allclose(state["p"], 0.2)
    assert_allclose(state["entropy_bits"], math.log2(5))


def test_one_dominant_logit_gives_entropy_near_zero():
    state = definition_state([30.0, 0.0, 0.0, 0.0, 0.0])
    assert state["argmax_label"] == CLASSES[0]
    assert state["entropy_bits"] < 1e-9


def test_summary_line_reports_argmax_entropy_and_sum():
    state = definition_state((2.0, 1.0, 0.0), ["a", "b", "c"])
    assert state["summary"].startswith("argmax: a (p = 0.665)")
    assert "sum: 1.000" in state["summary"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=5, max_size=5))
def test_state_for_any_slider_setting_sums_to_one_and_keeps_order(x):
    state = definition_state(x)
    assert_allclose(state["total"], 1.0, atol=1e-12)
    assert x[state["argmax"]] == max(x)
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(state["p"][order]) >= 0)


def test_state_refuses_logits_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match=r"need one logit per class: got logits of shape \(2,\)"):
        definition_state([1.0, 2.0], ["a", "b", "c"])


def _sliders(box):
    return [c for c in box.children if isinstance(c, widgets.FloatSlider)]


def test_explorer_builds_with_no_arguments_one_slider_per_class():
    box = definition_explorer()
    sliders = _sliders(box)
    assert [s.description for s in sliders] == list(CLASSES)
    assert [s.value for s in sliders] == list(DEFAULT_LOGITS)
    assert "argmax: cat" in box.children[5].value


@pytest.mark.parametrize("index", range(5))
def test_moving_any_slider_changes_the_text(index):
    box = definition_explorer()
    label = box.children[5]
    before = label.value
    _sliders(box)[index].value = 4.5
    assert label.value != before
    expected = definition_state([s.value for s in _sliders(box)])["summary"]
    assert label.value == f"<code>{expected}</code>"


def test_raising_a_logit_above_the_others_moves_the_argmax():
    box = definition_explorer()
    _sliders(box)[3].value = 5.0
    assert "argmax: owl" in box.children[5].value


def test_explorer_leaves_no_figure_open():
    plt.close("all")
    box = definition_explorer()
    for v in (1.0, -2.0, 3.0):
        _sliders(box)[1].value = v
    assert plt.get_fignums() == []


def _image(box):
    return box.children[6].children[0]


def test_each_slider_step_re_renders_the_figure_without_creating_one(monkeypatch):
    import matplotlib.figure

    box = definition_explorer()
    created = []
    original = matplotlib.figure.Figure.__init__

    def counting_init(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "__init__", counting_init)
    before = bytes(_image(box).value)
    assert before.startswith(b"\x89PNG")
    _sliders(box)[2].value = 4.0
    assert bytes(_image(box).value) != before
    assert created == []
