"""Tests for the scenes of lesson 02.

What each figure and explorer shows, computed without a browser.
"""

import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from softmax_lessons.numerics import DTYPES
from softmax_lessons.widgets.numerics import stability_scene


def test_default_is_the_outline_example_naive_nan_stable_fine():
    state = stability_scene()
    assert state.x.tolist() == [1000.0, 1001.0, 999.0]
    assert state.naive_nan.tolist() == [True, True, True]
    assert_allclose(state.stable_p, [0.2447, 0.6652, 0.0900], atol=5e-5)
    assert "overflow encountered in exp" in state.naive_warnings
    assert state.naive_status.startswith("NaN: exp overflowed")


@pytest.mark.parametrize("dtype", DTYPES)
def test_small_logits_work_naively_in_every_dtype(dtype):
    state = stability_scene(offset=0.0, dtype=dtype)
    assert state.naive_status == "ok"
    assert state.naive_warnings == []
    exps = [math.exp(v) for v in (0.0, 1.0, -1.0)]
    expected = [e / sum(exps) for e in exps]
    tol = 2e-3 if dtype == "float16" else 1e-6
    assert_allclose(state.naive_p.astype(float), expected, atol=tol)
    assert_allclose(state.stable_p.astype(float), expected, atol=tol)


@pytest.mark.parametrize(("offset", "nan_by_dtype"), [
    (50.0, {"float16": True, "float32": False, "float64": False}),
    (100.0, {"float16": True, "float32": True, "float64": False}),
    (1000.0, {"float16": True, "float32": True, "float64": True}),
    (-120.0, {"float16": True, "float32": True, "float64": False}),
    (-800.0, {"float16": True, "float32": True, "float64": True}),
])
def test_naive_nan_flags_per_dtype(offset, nan_by_dtype):
    for dtype, expect_nan in nan_by_dtype.items():
        state = stability_scene(offset=offset, dtype=dtype)
        assert bool(np.any(state.naive_nan)) is expect_nan, dtype
        assert not np.any(np.isnan(state.stable_p))


def test_float64_breaks_between_offsets_708_and_709_as_log_of_max_says():
    # The largest logit is offset + 1; exp overflows above log(max float) = 709.78.
    assert math.floor(math.log(sys.float_info.max)) == 709
    assert not np.any(stability_scene(offset=708.0).naive_nan)
    assert stability_scene(offset=709.0).naive_nan.tolist() == [False, True, False]


@settings(max_examples=200, deadline=None)
@given(offset=st.integers(-1000, 1000), dtype=st.sampled_from(DTYPES))
def test_naive_column_is_nan_exactly_where_the_limits_predict(offset, dtype):
    state = stability_scene(offset=float(offset), dtype=dtype)
    assert state.naive_nan.tolist() == state.predicted_nan.tolist()
    assert_allclose(state.stable_sum, 1.0, atol=2e-3)


def test_offset_does_not_change_the_stable_column():
    base = stability_scene(offset=0.0).stable_p
    for offset in (-900.0, 300.0, 1000.0):
        assert_allclose(stability_scene(offset=offset).stable_p, base, rtol=1e-12)


def test_state_refuses_an_unknown_dtype():
    with pytest.raises(TypeError, match="float16, float32 or float64, got int32"):
        stability_scene(dtype="int32")
