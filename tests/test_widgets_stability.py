"""Tests for the lesson-02 explorer: its pure state function and the widget wiring."""

import math
import sys

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from softmax_lessons.numerics import DTYPES
from softmax_lessons.widgets.stability import stability_explorer, stability_state


def test_default_is_the_outline_example_naive_nan_stable_fine():
    state = stability_state()
    assert state["x"].tolist() == [1000.0, 1001.0, 999.0]
    assert state["naive_nan"].tolist() == [True, True, True]
    assert_allclose(state["stable_p"], [0.2447, 0.6652, 0.0900], atol=5e-5)
    assert "overflow encountered in exp" in state["naive_warnings"]
    assert state["naive_status"].startswith("NaN: exp overflowed")


@pytest.mark.parametrize("dtype", DTYPES)
def test_small_logits_work_naively_in_every_dtype(dtype):
    state = stability_state(offset=0.0, dtype=dtype)
    assert state["naive_status"] == "ok"
    assert state["naive_warnings"] == []
    exps = [math.exp(v) for v in (0.0, 1.0, -1.0)]
    expected = [e / sum(exps) for e in exps]
    tol = 2e-3 if dtype == "float16" else 1e-6
    assert_allclose(state["naive_p"].astype(float), expected, atol=tol)
    assert_allclose(state["stable_p"].astype(float), expected, atol=tol)


@pytest.mark.parametrize(("offset", "nan_by_dtype"), [
    (50.0, {"float16": True, "float32": False, "float64": False}),
    (100.0, {"float16": True, "float32": True, "float64": False}),
    (1000.0, {"float16": True, "float32": True, "float64": True}),
    (-120.0, {"float16": True, "float32": True, "float64": False}),
    (-800.0, {"float16": True, "float32": True, "float64": True}),
])
def test_naive_nan_flags_per_dtype(offset, nan_by_dtype):
    for dtype, expect_nan in nan_by_dtype.items():
        state = stability_state(offset=offset, dtype=dtype)
        assert bool(np.any(state["naive_nan"])) is expect_nan, dtype
        assert not np.any(np.isnan(state["stable_p"]))


def test_float64_breaks_between_offsets_708_and_709_as_log_of_max_says():
    # The largest logit is offset + 1; exp overflows above log(max float) = 709.78.
    assert math.floor(math.log(sys.float_info.max)) == 709
    assert not np.any(stability_state(offset=708.0)["naive_nan"])
    assert stability_state(offset=709.0)["naive_nan"].tolist() == [False, True, False]


@settings(max_examples=200, deadline=None)
@given(offset=st.integers(-1000, 1000), dtype=st.sampled_from(DTYPES))
def test_naive_column_is_nan_exactly_where_the_limits_predict(offset, dtype):
    state = stability_state(offset=float(offset), dtype=dtype)
    assert state["naive_nan"].tolist() == state["predicted_nan"].tolist()
    assert_allclose(state["stable_sum"], 1.0, atol=2e-3)


def test_offset_does_not_change_the_stable_column():
    base = stability_state(offset=0.0)["stable_p"]
    for offset in (-900.0, 300.0, 1000.0):
        assert_allclose(stability_state(offset=offset)["stable_p"], base, rtol=1e-12)


def test_state_refuses_an_unknown_dtype():
    with pytest.raises(TypeError, match="float16, float32 or float64, got int32"):
        stability_state(dtype="int32")


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
    import matplotlib.figure

    box = stability_explorer()
    slider, picker, _ = _parts(box)
    image = box.children[3].children[0]
    created = []
    original = matplotlib.figure.Figure.__init__

    def counting_init(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "__init__", counting_init)
    frames = [bytes(image.value)]
    slider.value = 0.0                # NaN bars become numbers
    frames.append(bytes(image.value))
    picker.value = "float16"          # the titles name the dtype
    frames.append(bytes(image.value))
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == 3
    assert created == []
