"""Tests of softmax_lessons.accurate: its ulp targets, measured against the exact reference."""

import decimal
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal

from softmax_lessons import accurate
from softmax_lessons.accurate import (
    log_softmax_accurate,
    logsumexp_accurate,
    softmax_accurate,
    two_product,
    two_sum,
)
from softmax_lessons.core import log_softmax, logsumexp, softmax
from softmax_lessons.reference import log_softmax_exact, softmax_exact, ulp_error

# An independent exact log-softmax and log-sum-exp for this module. The package's
# reference rounds ``1 + s`` and ``m + ln(total)`` to 50 digits, so where the
# log-softmax of the largest entry is below about 1e-50 (logits hundreds apart)
# it returns 0 or noise; these keep ``x - m`` exact and use a log1p series.
_EXACT = decimal.Context(prec=60, Emax=10**9, Emin=-(10**9))
_WIDE = decimal.Context(prec=2000, Emax=10**9, Emin=-(10**9))  # wide enough for any x - m


def _exact_row(row):
    """(m, [x_i - m exactly], log1p(sum of exp(x_j - m) for all j but one maximum))."""
    values = [Decimal(float(v)) for v in row if np.isfinite(v)]
    if not values:  # nothing allowed: log-softmax -inf everywhere, log-sum-exp -inf
        return Decimal("-Infinity"), [None] * len(row), Decimal(0)
    m = max(values)
    d = [_WIDE.subtract(Decimal(float(v)), m) if np.isfinite(v) else None for v in row]
    terms = sorted((_EXACT.exp(di) for di in d if di is not None), reverse=True)[1:]
    s = sum(terms, Decimal(0))
    if s < Decimal("1e-25"):  # log1p(s) = s - s**2/2 + s**3/3, exact to 60 digits here
        log1p = _EXACT.add(_EXACT.subtract(s, s * s / 2), s * s * s / 3)
    else:
        log1p = _EXACT.ln(_EXACT.add(1, s))
    return m, d, log1p


def exact_log_softmax_1d(row):
    _, d, log1p = _exact_row(row)
    return np.array(
        [Decimal("-Infinity") if di is None else _EXACT.subtract(di, log1p) for di in d],
        dtype=object,
    )


def exact_logsumexp_1d(row):
    m, _, log1p = _exact_row(row)
    return _EXACT.add(m, log1p)


def exact_log_softmax(x, where=None):
    x = np.where(where, x, -np.inf) if where is not None else np.asarray(x)
    rows = x.reshape(-1, x.shape[-1]).astype(np.float64)
    return np.array([exact_log_softmax_1d(r) for r in rows], dtype=object).reshape(x.shape)


def exact_logsumexp(x):
    rows = np.asarray(x).reshape(-1, np.shape(x)[-1]).astype(np.float64)
    return np.array([exact_logsumexp_1d(r) for r in rows], dtype=object).reshape(np.shape(x)[:-1])


# The accuracy targets, in units in the last place of the result's dtype.
SOFTMAX_ULP = {np.float64: 4.0, np.float32: 1.0, np.float16: 1.0}
LOG_ULP = 2.0
SCALES = [1.0, 10.0, 100.0, 700.0]


def logits(rng, shape, scale, dtype, with_neg_inf=False):
    """Logits spread over +-scale with every mantissa bit used (so x - max is really rounded).

    ``uniform(-1, 1) * scale`` rather than ``uniform(-scale, scale)``: the latter
    puts every value on a coarse grid, where ``x - max`` happens to be exact.
    """
    x = (rng.uniform(-1, 1, shape) * scale).astype(dtype)
    if with_neg_inf:
        x[..., ::7] = -np.inf
    return x


def lse_tolerance(result, exact_lse, m, dtype):
    """2 ulp of the result, plus a few float64 ulp of the maximum where m + log1p(s) cancels."""
    unit = np.spacing(np.abs(exact_lse.astype(dtype))).astype(np.float64)
    return LOG_ULP * unit + 4 * np.finfo(np.float64).eps * np.abs(m)


# ---------------------------------------------------------------------------
# The targets, on the scales and shapes of the benchmark
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("scale", SCALES)
def test_softmax_accurate_meets_the_ulp_target_at_every_scale(dtype, scale):
    rng = np.random.default_rng(int(scale))
    x = logits(rng, (6, 60), scale, dtype, with_neg_inf=scale == 10.0)
    err = ulp_error(softmax_accurate(x), softmax_exact(x))
    assert err.max() <= SOFTMAX_ULP[dtype]
    if dtype != np.float64:
        assert np.mean(err <= 0.5) >= 0.99  # correctly rounded in at least 99% of entries


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("scale", SCALES)
def test_log_softmax_and_logsumexp_accurate_within_two_ulp(dtype, scale):
    rng = np.random.default_rng(100 + int(scale))
    x = logits(rng, (6, 60), scale, dtype)
    err = ulp_error(log_softmax_accurate(x), exact_log_softmax(x))
    assert err.max() <= LOG_ULP
    err_lse = ulp_error(logsumexp_accurate(x), exact_logsumexp(x))
    assert err_lse.max() <= LOG_ULP


def test_a_row_of_50000_logits_keeps_the_target():
    rng = np.random.default_rng(50_000)
    x = logits(rng, (50_000,), 300.0, np.float64)
    err = ulp_error(softmax_accurate(x), softmax_exact(x))
    assert err.max() <= SOFTMAX_ULP[np.float64]
    err_log = ulp_error(log_softmax_accurate(x[:5000]), exact_log_softmax(x[:5000]))
    assert err_log.max() <= LOG_ULP


def test_two_entry_rows_keep_the_target():
    rng = np.random.default_rng(2)
    x = logits(rng, (200, 2), 700.0, np.float64)
    assert ulp_error(softmax_accurate(x), softmax_exact(x)).max() <= 4
    assert ulp_error(log_softmax_accurate(x), exact_log_softmax(x)).max() <= LOG_ULP


def test_masks_and_neg_inf_keep_the_target():
    rng = np.random.default_rng(3)
    x = logits(rng, (8, 40), 100.0, np.float64, with_neg_inf=True)
    mask = rng.uniform(size=x.shape) < 0.7
    err = ulp_error(softmax_accurate(x, where=mask), softmax_exact(x, where=mask))
    assert err.max() <= 4
    err_log = ulp_error(log_softmax_accurate(x, where=mask), exact_log_softmax(x, where=mask))
    assert err_log.max() <= LOG_ULP


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("temperature", [0.7, 0.05, 3.0])
def test_a_temperature_keeps_the_ulp_targets(dtype, temperature):
    """(x - max) / T is compensated as x - max is: the same targets at T = 0.7, logits to 700."""
    rng = np.random.default_rng(int(100 * temperature))
    x = logits(rng, (6, 60), 700.0, dtype)
    x[:, 1] = x[:, 0] - 1e-3  # entries close to the maximum, where d / T is small
    p = softmax_accurate(x, temperature=temperature)
    assert ulp_error(p, softmax_exact(x, temperature=temperature)).max() <= SOFTMAX_ULP[dtype]
    lp = log_softmax_accurate(x, temperature=temperature)
    assert ulp_error(lp, log_softmax_exact(x, temperature=temperature)).max() <= LOG_ULP


def test_the_temperature_means_what_it_means_in_the_core():
    """The maximum is subtracted, then divided by T: the same numbers as the core, to rounding."""
    rng = np.random.default_rng(14)
    x = rng.standard_normal((5, 9)) * 4
    for t in (0.3, 1.0, 2.5):
        assert_allclose(softmax_accurate(x, temperature=t), softmax(x, temperature=t), rtol=1e-13)
        # The core rounds 1 + rest before its log: an absolute error near 1e-16 (its winner).
        assert_allclose(log_softmax_accurate(x, temperature=t), log_softmax(x, temperature=t),
                        rtol=1e-13, atol=1e-15)
    assert_array_equal(softmax_accurate(np.array([1e308, 0.0]), temperature=0.1), [1.0, 0.0])


def test_the_core_with_a_temperature_loses_the_digits_the_accurate_one_keeps():
    """The premise of the temperature's compensation: without it, hundreds of ulp are lost."""
    rng = np.random.default_rng(15)
    x = logits(rng, (4, 50), 700.0, np.float64)
    exact = softmax_exact(x, temperature=0.7)
    assert ulp_error(softmax(x, temperature=0.7), exact).max() > 100
    assert ulp_error(softmax_accurate(x, temperature=0.7), exact).max() <= 4


# ---------------------------------------------------------------------------
# The correction is what earns the digits (a mutation that drops it is caught)
# ---------------------------------------------------------------------------


def test_shifted_softmax_loses_hundreds_of_ulp_where_the_accurate_one_does_not():
    rng = np.random.default_rng(4)
    x = logits(rng, (4, 50), 700.0, np.float64)
    exact = softmax_exact(x)
    assert ulp_error(softmax(x), exact).max() > 100  # the premise: plain shift loses digits
    assert ulp_error(softmax_accurate(x), exact).max() <= 4


def test_dropping_the_twosum_correction_breaks_the_target(monkeypatch):
    def two_sum_without_error(a, b, out=None):
        s = np.add(a, b, out=None if out is None else out[0])
        return s, np.zeros_like(s)

    rng = np.random.default_rng(5)
    x = logits(rng, (4, 50), 700.0, np.float64)
    monkeypatch.setattr(accurate, "two_sum", two_sum_without_error)
    assert ulp_error(softmax_accurate(x), softmax_exact(x)).max() > 4


def test_two_sum_recovers_the_rounding_error_exactly():
    a = np.array([700.3, 1.0, -5.5, 1e16])
    b = np.array([-0.2, 2.0**-60, 5.5, 1.0])
    s, err = two_sum(a, b)
    exact = [Fraction(float(x)) + Fraction(float(y)) for x, y in zip(a, b, strict=True)]
    assert [Fraction(float(h)) + Fraction(float(lo)) for h, lo in zip(s, err, strict=True)] == exact
    assert err[1] == 2.0**-60 and s[1] == 1.0


def test_two_sum_with_buffers_gives_the_same_exact_split():
    rng = np.random.default_rng(12)
    a, b = rng.standard_normal(50) * 1e6, rng.standard_normal(50)
    buffers = tuple(np.empty(50) for _ in range(3))
    s, err = two_sum(a, b, out=buffers)
    assert s is buffers[0]
    assert_array_equal(s, a + b)
    assert_array_equal(err, two_sum(a, b)[1])


def test_two_product_recovers_the_rounding_error_exactly():
    rng = np.random.default_rng(13)
    a = rng.standard_normal(200) * 10.0 ** rng.integers(-30, 30, 200)
    b = rng.standard_normal(200) * 10.0 ** rng.integers(-30, 30, 200)
    p, err = two_product(a, b)
    assert_array_equal(p, a * b)
    for x, y, hi, lo in zip(a, b, p, err, strict=True):
        assert Fraction(float(hi)) + Fraction(float(lo)) == Fraction(float(x)) * Fraction(float(y))


def test_log_softmax_of_the_largest_entry_keeps_its_relative_accuracy():
    # -log(1 + exp(-50)) = -exp(-50) to 22 digits; log(1 + tiny) would round to 0.
    got = float(log_softmax_accurate([0.0, -50.0])[0])
    assert got != 0.0
    assert ulp_error(np.float64(got), exact_log_softmax([0.0, -50.0])[0]) <= LOG_ULP
    assert float(log_softmax([0.0, -50.0])[0]) == 0.0  # the core loses it entirely


# ---------------------------------------------------------------------------
# Hypothesis: the ulp bounds on generated inputs
# ---------------------------------------------------------------------------


@st.composite
def rows(draw, dtype, max_scale):
    n = draw(st.integers(2, 30))
    scale = draw(st.sampled_from([1.0, 10.0, 100.0, max_scale]))
    width = {np.float64: 64, np.float32: 32, np.float16: 16}[dtype]
    x = draw(
        hnp.arrays(
            dtype,
            n,
            elements=st.floats(-scale, scale, width=width, allow_subnormal=False),
        )
    )
    neg_inf = draw(hnp.arrays(np.bool_, n, elements=st.booleans()))
    x = np.where(neg_inf & (np.arange(n) > 0), -np.inf, x).astype(dtype)  # keep one finite
    return x


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32, np.float16]))
def test_softmax_accurate_ulp_bound_on_generated_rows(data, dtype):
    x = data.draw(rows(dtype, 700.0))
    err = ulp_error(softmax_accurate(x), softmax_exact(x))
    assert err.max() <= SOFTMAX_ULP[dtype]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32, np.float16]))
def test_log_softmax_accurate_ulp_bound_on_generated_rows(data, dtype):
    x = data.draw(rows(dtype, 700.0))
    mask = data.draw(hnp.arrays(np.bool_, x.shape, elements=st.booleans()))
    err = ulp_error(log_softmax_accurate(x, where=mask), exact_log_softmax(x, where=mask))
    assert err.max() <= LOG_ULP


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32, np.float16]),
       temperature=st.floats(0.05, 20))
def test_softmax_accurate_ulp_bound_with_a_temperature_on_generated_rows(data, dtype, temperature):
    x = data.draw(rows(dtype, 700.0))
    err = ulp_error(softmax_accurate(x, temperature=temperature),
                    softmax_exact(x, temperature=temperature))
    assert err.max() <= SOFTMAX_ULP[dtype]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32, np.float16]))
def test_logsumexp_accurate_bound_on_generated_rows(data, dtype):
    x = data.draw(rows(dtype, 700.0))
    exact = exact_logsumexp(x)
    got = logsumexp_accurate(x)
    m = float(np.max(x))
    abs_err = abs(float(got) - float(exact[()]))
    assert abs_err <= lse_tolerance(got, np.float64(float(exact[()])), m, dtype)


# ---------------------------------------------------------------------------
# Same rules as the core functions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.array([1.0, 2.0, 3.0], dtype=dtype)
    assert softmax_accurate(x).dtype == dtype
    assert log_softmax_accurate(x).dtype == dtype
    assert logsumexp_accurate(x).dtype == dtype


def test_ints_and_lists_give_float64():
    assert softmax_accurate([1, 2, 3]).dtype == np.float64
    assert log_softmax_accurate([True, False]).dtype == np.float64


def test_agrees_with_the_core_on_ordinary_logits():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 7))
    assert_allclose(softmax_accurate(x), softmax(x), rtol=1e-14)
    assert_allclose(log_softmax_accurate(x), log_softmax(x), rtol=1e-14)
    assert_allclose(logsumexp_accurate(x), logsumexp(x), rtol=1e-14)


def test_exp_of_log_softmax_is_softmax():
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (3, 9)) * 30
    assert_allclose(np.exp(log_softmax_accurate(x)), softmax_accurate(x), rtol=1e-13)


def test_any_axis_works():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 5, 6))
    for axis in (0, 1, -1):
        p = softmax_accurate(x, axis=axis)
        assert_allclose(p, softmax(x, axis=axis), rtol=1e-14)
        assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-15)
    assert logsumexp_accurate(x, axis=1, keepdims=True).shape == (4, 1, 6)
    assert logsumexp_accurate(x, axis=0).shape == (5, 6)


def test_where_gives_exact_zeros_and_renormalises():
    p = softmax_accurate([2.0, 1.0, 0.0], where=[True, False, True])
    assert p[1] == 0.0
    assert_allclose(p, [np.exp(2) / (np.exp(2) + 1), 0.0, 1 / (np.exp(2) + 1)], rtol=1e-15)
    assert log_softmax_accurate([2.0, 1.0, 0.0], where=[True, False, True])[1] == -np.inf


def test_a_slice_with_nothing_allowed_gives_zeros_and_neg_inf():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    mask = np.array([[True, True], [False, False]])
    assert_array_equal(softmax_accurate(x, where=mask)[1], [0.0, 0.0])
    assert_array_equal(log_softmax_accurate(x, where=mask)[1], [-np.inf, -np.inf])
    assert logsumexp_accurate(x, where=mask)[1] == -np.inf
    assert_array_equal(softmax_accurate([-np.inf, -np.inf]), [0.0, 0.0])


def test_neg_inf_entries_get_exactly_zero():
    p = softmax_accurate([0.0, -np.inf, 1.0])
    assert p[1] == 0.0
    assert_allclose(p.sum(), 1.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_pos_inf_stay_in_their_slice(bad):
    x = np.array([[1.0, bad, 2.0], [1.0, 2.0, 3.0]])
    for f in (softmax_accurate, log_softmax_accurate):
        out = f(x)
        assert np.all(np.isnan(out[0]))
        assert np.all(np.isfinite(out[1]))
    lse = logsumexp_accurate(x)
    assert (np.isnan(lse[0]) if np.isnan(bad) else lse[0] == np.inf) and np.isfinite(lse[1])


def test_input_is_never_modified():
    x = np.array([[3.0, -np.inf, 1.0], [0.5, 2.0, 700.3]])
    before = x.copy()
    softmax_accurate(x)
    log_softmax_accurate(x)
    logsumexp_accurate(x, where=x > 0)
    assert_array_equal(x, before)


def test_bad_inputs_raise_with_a_useful_message():
    with pytest.raises(TypeError, match="real numbers"):
        softmax_accurate(np.array([1 + 1j]))
    with pytest.raises(TypeError, match="must hold numbers"):
        log_softmax_accurate(["a", "b"])
    with pytest.raises(TypeError, match="boolean mask"):
        softmax_accurate([1.0, 2.0], where=[1, 0])
    with pytest.raises(np.exceptions.AxisError):
        logsumexp_accurate([1.0, 2.0], axis=1)
    assert softmax_accurate(np.zeros((2, 0))).shape == (2, 0)  # empty in, empty out


@pytest.mark.parametrize("axis", [0, 1])
def test_large_arrays_computed_block_by_block_equal_slice_by_slice(axis):
    rng = np.random.default_rng(9)
    x = logits(rng, (40, 5000), 300.0, np.float32)  # several cache-sized blocks
    slices = [np.take(x, i, axis=1 - axis) for i in range(x.shape[1 - axis])]
    for f in (softmax_accurate, log_softmax_accurate):
        expected = np.stack([f(s) for s in slices], axis=1 - axis)
        assert_array_equal(f(x, axis=axis), expected)
    expected_lse = np.array([logsumexp_accurate(s) for s in slices])
    assert_array_equal(logsumexp_accurate(x, axis=axis), expected_lse)
