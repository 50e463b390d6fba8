"""Tests for softmax_lessons.numerics: measured limits of exp, naive NaN, accuracy sweeps."""

import math
import sys
from dataclasses import replace
from operator import attrgetter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose

from softmax_lessons.core import softmax, softmax_naive
from softmax_lessons.numerics import (
    DTYPES,
    accuracy_sweep,
    exp_limits,
    naive_breakdown,
    naive_nan_predicted,
    naive_softmax_report,
    softmax_log_domain,
    sweep_table,
)

# ---------------------------------------------------------------------------
# exp_limits
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_overflow_limit_is_the_last_float_whose_exp_is_finite(dtype):
    limit = exp_limits(dtype).overflow
    assert limit.dtype == np.dtype(dtype)
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(limit))
        assert np.isinf(np.exp(np.nextafter(limit, np.inf)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_underflow_limit_is_the_last_float_whose_exp_is_not_zero(dtype):
    limit = exp_limits(dtype).underflow
    assert limit.dtype == np.dtype(dtype)
    with np.errstate(under="ignore"):
        assert np.exp(limit) > 0
        assert np.exp(np.nextafter(limit, -np.inf)) == 0


def test_float64_limits_match_the_formulas_from_the_standard_library():
    limits = exp_limits("float64")
    # exp(x) is finite up to log(max); it stays above 0 until exp(x) rounds below half
    # of the smallest subnormal 2**-1074.
    assert_allclose(float(limits.overflow), math.log(sys.float_info.max), rtol=1e-15)
    assert_allclose(float(limits.underflow), -1075 * math.log(2), rtol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_measured_limits_sit_beside_the_formulas(dtype):
    limits = exp_limits(dtype)
    step = float(np.spacing(limits.overflow))
    assert limits.log_max - step <= float(limits.overflow) <= limits.log_max
    # Rounding to nearest keeps exp(x) above 0 down to half the smallest subnormal.
    low = limits.log_smallest_subnormal - math.log(2)
    assert low - 0.05 <= float(limits.underflow) <= limits.log_smallest_subnormal


def test_float16_and_float32_limits_are_far_smaller_than_float64():
    over = {d: float(exp_limits(d).overflow) for d in DTYPES}
    assert 11 < over["float16"] < 11.1
    assert 88.7 < over["float32"] < 88.8
    assert 709.7 < over["float64"] < 709.8


def test_exp_limits_refuses_a_non_float_dtype():
    with pytest.raises(TypeError, match="float16, float32 or float64, got int64"):
        exp_limits("int64")


# ---------------------------------------------------------------------------
# naive NaN: predicted from the limits vs what softmax_naive does
# ---------------------------------------------------------------------------


def test_outline_example_is_nan_naively_and_predicted_so():
    x = np.array([1000.0, 1001.0, 999.0])
    with np.errstate(all="ignore"):
        assert np.all(np.isnan(softmax_naive(x)))
    assert naive_nan_predicted(x).tolist() == [True, True, True]


def test_only_the_overflowing_entry_is_nan():
    assert naive_nan_predicted([0.0, 1000.0]).tolist() == [False, True]


def test_every_exp_underflowing_gives_nan_0_over_0():
    assert naive_nan_predicted([-800.0, -801.0]).tolist() == [True, True]
    assert naive_nan_predicted([-800.0, -1.0]).tolist() == [False, False]


def test_prediction_works_per_row_of_a_batch():
    x = np.array([[1000.0, 0.0], [1.0, 2.0], [-900.0, -950.0]])
    assert naive_nan_predicted(x).tolist() == [[True, False], [False, False], [True, True]]
    assert naive_nan_predicted(x.T, axis=0).T.tolist() == naive_nan_predicted(x).tolist()


def _logits(dtype, bound):
    width = np.dtype(dtype).itemsize * 8
    elements = st.floats(-bound, bound, width=width, allow_nan=False)
    return hnp.arrays(np.dtype(dtype), st.integers(1, 5), elements=elements)


@pytest.mark.parametrize(("dtype", "bound"),
                         [("float16", 25.0), ("float32", 130.0), ("float64", 900.0)])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_predicted_nan_matches_the_naive_formula(dtype, bound, data):
    x = data.draw(_logits(dtype, bound))
    with np.errstate(all="ignore"):
        measured = np.isnan(softmax_naive(x))
    assert naive_nan_predicted(x).tolist() == measured.tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_prediction_flips_exactly_at_the_measured_limit(dtype):
    limit = exp_limits(dtype).overflow
    just_above = np.nextafter(limit, np.array(np.inf, dtype=dtype))
    below = np.array([limit, 0], dtype=dtype)
    above = np.array([just_above, 0], dtype=dtype)
    with np.errstate(all="ignore"):
        assert not np.any(np.isnan(softmax_naive(below)))
        assert np.isnan(softmax_naive(above)[0])
    assert naive_nan_predicted(below).tolist() == [False, False]
    assert naive_nan_predicted(above).tolist() == [True, False]


def test_nan_logit_makes_its_slice_nan():
    assert naive_nan_predicted([np.nan, 0.0]).tolist() == [True, True]


# ---------------------------------------------------------------------------
# naive_softmax_report
# ---------------------------------------------------------------------------


def test_report_on_the_outline_example_names_overflow_and_invalid_divide():
    report = naive_softmax_report([1000.0, 1001.0, 999.0])
    assert report.warnings == ["invalid value encountered in divide",
                                  "overflow encountered in exp"]
    assert report.status.startswith("NaN: exp overflowed")
    assert report.nan.tolist() == [True, True, True]


def test_report_on_small_logits_is_ok_and_silent():
    report = naive_softmax_report([2.0, 1.0, 0.0])
    assert report.status == "ok"
    assert report.warnings == []
    assert_allclose(report.p, [0.665, 0.245, 0.090], atol=5e-4)


def test_report_on_very_negative_logits_says_0_over_0():
    report = naive_softmax_report([-800.0, -801.0])
    assert report.status == "NaN: every exp underflowed to 0, and 0 / 0 is NaN"
    assert report.warnings == ["invalid value encountered in divide"]


def test_report_catches_a_sum_that_overflows_without_any_nan():
    # exp(11) fits in float16 (about 59874) but the sum of three such terms does not.
    report = naive_softmax_report(np.array([10.0, 11.0, 9.0], dtype=np.float16))
    assert not np.any(report.nan)
    assert report.status.startswith("wrong: the sum of exps overflowed")
    assert report.p.tolist() == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------------------
# accuracy sweep
# ---------------------------------------------------------------------------


def test_log_domain_softmax_agrees_with_softmax():
    x = np.array([[2.0, 1.0, 0.0], [1000.0, 1001.0, 999.0]])
    assert_allclose(softmax_log_domain(x), softmax(x), rtol=1e-13)
    assert_allclose(softmax_log_domain([1000.0, 1001.0, 999.0]),
                    [0.2447, 0.6652, 0.0900], atol=5e-5)


METHODS = {"naive": softmax_naive, "shifted": softmax, "log-domain": softmax_log_domain}


@pytest.fixture(scope="module")
def sweep():
    return accuracy_sweep(METHODS, [1.0, 100.0, 1000.0], rng=np.random.default_rng(7))


def _record(records, dtype, scale, method):
    (row,) = [r for r in records if (r.dtype, r.scale, r.method) == (dtype, scale, method)]
    return row


def test_sweep_has_one_record_per_dtype_scale_and_method(sweep):
    assert len(sweep) == 3 * 3 * 3
    assert {r.dtype for r in sweep} == set(DTYPES)


def test_small_logits_are_accurate_to_a_few_ulp_for_every_method(sweep):
    for dtype in DTYPES:
        for method in METHODS:
            assert _record(sweep, dtype, 1.0, method).max_ulp < 8


def test_naive_fails_where_exp_overflows_and_shifted_never_does(sweep):
    assert _record(sweep, "float64", 1000.0, "naive").failed > 0
    assert _record(sweep, "float64", 1000.0, "naive").max_ulp == np.inf
    assert _record(sweep, "float16", 100.0, "naive").failed == 1.0
    assert all(r.failed == 0 for r in sweep if r.method != "naive")


def test_shifted_softmax_loses_digits_when_logits_differ_by_hundreds(sweep):
    # Rounding x - max(x) is amplified by exp: tens to hundreds of ulp in float64.
    assert _record(sweep, "float64", 100.0, "shifted").max_ulp > 20


def test_sweep_is_reproducible_with_the_same_seed():
    a = accuracy_sweep(METHODS, [3.0], ["float32"], rng=np.random.default_rng(1))
    b = accuracy_sweep(METHODS, [3.0], ["float32"], rng=np.random.default_rng(1))
    assert a == b


def test_sweep_with_an_int_seed_draws_the_same_logits_as_a_generator_with_that_seed():
    by_seed = accuracy_sweep(METHODS, [3.0, 30.0], rng=11)
    assert by_seed == accuracy_sweep(METHODS, [3.0, 30.0], rng=np.random.default_rng(11))


def test_a_method_added_in_a_second_sweep_with_the_same_seed_meets_the_same_logits():
    # Lesson 02 sweeps three methods, then sweeps `accurate` alone with the same seed:
    # each method must get the numbers it would get in one sweep of all four.
    first = accuracy_sweep(METHODS, [1.0, 100.0], rng=4)
    added = accuracy_sweep({"copy": softmax}, [1.0, 100.0], rng=4)
    together = accuracy_sweep({**METHODS, "copy": softmax}, [1.0, 100.0], rng=4)
    key = attrgetter("dtype", "scale", "method")
    assert sorted(first + added, key=key) == sorted(together, key=key)
    shifted = [r for r in first if r.method == "shifted"]
    copies = [replace(r, method="shifted") for r in added]
    assert shifted == copies


def test_sweep_refuses_a_method_that_changes_the_dtype():
    def upcast(x):
        return softmax(x.astype(np.float64))

    with pytest.raises(ValueError, match="method 'upcast' returned float64"):
        accuracy_sweep({"upcast": upcast}, [1.0], ["float32"], rng=np.random.default_rng(0))


def test_sweep_refuses_empty_batches():
    with pytest.raises(ValueError, match="n_classes must be an integer >= 1, got 0"):
        accuracy_sweep(METHODS, [1.0], rng=np.random.default_rng(0), n_classes=0)


def test_sweep_table_lays_out_scales_down_and_methods_across(sweep):
    table = sweep_table(sweep, "float64").splitlines()
    assert table[0] == "float64, max_ulp"
    assert table[1].split() == ["scale", "naive", "shifted", "log-domain"]
    assert [line.split()[0] for line in table[2:]] == ["1", "100", "1000"]
    assert table[-1].split()[1] == "fails"


def test_sweep_table_refuses_an_unknown_dtype(sweep):
    with pytest.raises(ValueError, match=r"dtype must be one of the sweep's .*, got 'float128'"):
        sweep_table(sweep, "float128")


# --- Found by fuzzing ----------------------------------------------------------------


def test_a_bare_dtype_name_is_refused_not_read_letter_by_letter():
    """A str is iterated: the letters of "float64" were read as dtypes ("f" is float32)."""
    with pytest.raises(TypeError, match=r"dtypes must be a list of dtype names, got 'float64'"):
        accuracy_sweep(METHODS, [1.0], "float64", rng=0)
    with pytest.raises(TypeError, match="dtypes must be a list"):
        naive_breakdown([0.0, 1.0], [0.0], "float64")


def test_the_sweep_needs_a_seed_or_a_generator():
    """rng=None drew from fresh entropy: two sweeps could not be compared."""
    with pytest.raises(TypeError, match="rng must be an integer >= 0, got None"):
        accuracy_sweep(METHODS, [1.0], ["float64"], rng=None)


def test_exp_limits_refuses_none_and_unknown_names():
    for bad in (None, "x", "complex128"):
        with pytest.raises(TypeError, match="dtype must be float16, float32 or float64"):
            exp_limits(bad)
