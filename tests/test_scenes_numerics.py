"""Tests for the scenes of lesson 02.

What each figure and explorer shows, computed without a browser.
"""

import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from softmax_lessons.accurate import two_sum
from softmax_lessons.numerics import DTYPES
from softmax_lessons.scenes.numerics import spacing_scene, two_sum_scene
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


# -- the float grid and TwoSum (lesson 02, going further) ----------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_spacing_is_the_gap_to_the_next_float(dtype):
    scene = spacing_scene([1e-3, 0.3, 1.0, 7.0, 1000.0], dtypes=[dtype])
    dt = np.dtype(dtype)
    for v, gap in zip(scene.magnitudes, scene.spacing[dtype], strict=True):
        f = dt.type(v)
        assert gap == float(np.nextafter(f, dt.type(np.inf)) - f)
    assert scene.eps[dtype] == float(np.finfo(dt).eps)


def test_relative_spacing_stays_between_half_eps_and_eps():
    scene = spacing_scene()
    for dtype in DTYPES:
        rel = scene.relative_in_eps[dtype]
        rel = rel[np.isfinite(rel)]
        assert rel.size > 100
        assert np.all((rel > 0.5 - 1e-3) & (rel <= 1.0 + 1e-3)), dtype


def test_spacing_is_missing_beyond_the_largest_float():
    scene = spacing_scene([1e4, 1e5, 1e39])
    assert np.isnan(scene.spacing["float16"][1:]).all()
    assert np.isfinite(scene.spacing["float32"][:2]).all()
    assert np.isnan(scene.spacing["float32"][2])
    assert scene.marks[1] == ("1e+16", 1e16, 2.0)


def test_spacing_scene_refuses_non_positive_magnitudes():
    with pytest.raises(ValueError, match="positive numbers"):
        spacing_scene([1.0, 0.0])


def test_two_sum_walk_through_of_1e16_plus_1():
    scene = two_sum_scene(1e16, 1.0)
    assert [name for name, _, _ in scene.steps] == [
        "s", "b_virtual", "a_virtual", "a_lost", "b_lost", "err"]
    assert scene.s == 1e16 and scene.err == 1.0
    assert scene.recovered
    assert Fraction(scene.exact) == Fraction(10**16 + 1)
    assert scene.grid.tolist() == [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0]


@settings(max_examples=200, deadline=None)
@given(a=st.floats(-1e300, 1e300), b=st.floats(-1e300, 1e300))
def test_two_sum_scene_recovers_the_exact_sum_and_agrees_with_the_package(a, b):
    scene = two_sum_scene(a, b)
    assert Fraction(scene.s) + Fraction(scene.err) == Fraction(a) + Fraction(b)
    assert scene.recovered
    s, err = two_sum(np.float64(a), np.float64(b))
    assert (scene.s, scene.err) == (float(s), float(err))
    values = dict((name, value) for name, _, value in scene.steps)
    assert values["s"] == scene.s and values["err"] == scene.err


def test_two_sum_grid_lists_the_neighbouring_floats_of_s():
    scene = two_sum_scene(-400.9, -250.7)
    up = np.nextafter(scene.s, np.inf) - scene.s
    down = scene.s - np.nextafter(scene.s, -np.inf)
    assert scene.grid[3] == 0.0
    assert scene.grid[4] == up and scene.grid[2] == -down
    assert abs(scene.err) <= up / 2


def test_two_sum_scene_refuses_infinities():
    with pytest.raises(ValueError, match="must be finite"):
        two_sum_scene(np.inf, 1.0)
