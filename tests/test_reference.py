"""The exact reference, ulp_error, and the accuracy of the core against them (and SciPy)."""

import math
from decimal import Context, Decimal, localcontext

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special

from softmax_lessons import (
    log_softmax,
    log_softmax_exact,
    logsumexp,
    logsumexp_exact,
    softmax,
    softmax_exact,
    ulp_error,
)

# ---------------------------------------------------------------------------
# The reference itself
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def precise_decimal_arithmetic():
    """Differences of 50-digit Decimals in these tests need more than the default 28 digits."""
    with localcontext(Context(prec=80)):
        yield


def test_exact_uniform_is_one_third_to_fifty_digits():
    third = softmax_exact([5.0, 5.0, 5.0])[0]
    one_third = Context(prec=60).divide(Decimal(1), Decimal(3))
    assert abs(third - one_third) < Decimal("1e-48")


def test_exact_sums_to_one_far_beyond_float64():
    p = softmax_exact([700.0, -3.5, 12.25, 0.0, -700.0])
    assert abs(sum(p) - 1) < Decimal("1e-45")


def test_exact_matches_closed_form_for_two_classes():
    # softmax([a, 0])[0] = 1 / (1 + e^-a), evaluated independently with Decimal
    ctx = Context(prec=60)
    expected = ctx.divide(1, ctx.add(1, Decimal(-3).exp(ctx)))
    assert abs(softmax_exact([3.0, 0.0])[0] - expected) < Decimal("1e-45")


def test_exact_log_softmax_and_logsumexp_agree():
    x = [1.5, -2.0, 40.0]
    lse = logsumexp_exact(x)[()]
    lsm = log_softmax_exact(x)
    for xi, li in zip(x, lsm, strict=True):
        assert abs((Decimal(xi) - lse) - li) < Decimal("1e-45")
    assert float(lse) == pytest.approx(40 + math.log1p(math.exp(-38) + math.exp(-41.5)))


def test_exact_follows_core_conventions_for_masks_and_infinities():
    assert_array_equal(softmax_exact([1.0, 2.0], where=[False, False], as_float=True), [0, 0])
    assert_array_equal(softmax_exact([-np.inf, 0.0], as_float=True), [0.0, 1.0])
    assert np.isnan(softmax_exact([np.nan, 0.0], as_float=True)).all()
    assert logsumexp_exact([-np.inf, -np.inf], as_float=True) == -np.inf


def test_exact_works_along_any_axis():
    x = np.arange(6.0).reshape(2, 3)
    assert_allclose(softmax_exact(x, axis=0, as_float=True), softmax(x, axis=0), rtol=1e-15)


# ---------------------------------------------------------------------------
# ulp_error
# ---------------------------------------------------------------------------


def test_ulp_error_counts_floats_between():
    exact = np.array([1.0, 1.0])
    approx = np.array([1.0, np.nextafter(np.nextafter(1.0, 2), 2)])
    assert_allclose(ulp_error(approx, exact), [0.0, 2.0])


def test_ulp_error_uses_the_dtype_of_the_approximation():
    exact = softmax_exact([0.0, 0.0, 0.0])
    approx32 = np.full(3, 1 / 3, dtype=np.float32)
    err = ulp_error(approx32, exact)
    assert (err <= 0.5).all()
    assert (err > 0.01).all()  # float32(1/3) is not exact, and the error is measured in its ulp


def test_ulp_error_of_special_values():
    err = ulp_error(np.array([np.nan, np.inf, 0.5, np.nan]),
                    np.array([np.nan, np.inf, np.inf, 0.5]))
    assert_array_equal(err, [0.0, 0.0, np.inf, np.inf])


def test_ulp_error_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"exact must have approx's shape \(3,\), got shape"):
        ulp_error(np.zeros(3), np.zeros(2))


# ---------------------------------------------------------------------------
# Accuracy of the core against the reference
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moderate_logits():
    return np.random.default_rng(2026).uniform(-5, 5, size=(40, 7))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_within_a_few_ulp_for_moderate_logits(moderate_logits, dtype):
    """Rounding x - max(x) (|x - max| < 10 here) costs up to about 8 ulp after exp."""
    x = moderate_logits.astype(dtype)
    err = ulp_error(softmax(x), softmax_exact(x))
    assert err.max() <= 10
    assert np.median(err) <= 2


def test_log_softmax_within_a_few_ulp_of_its_largest_term(moderate_logits):
    """Entries near 0 have a tiny ulp of their own, so measure against the logits' scale."""
    exact = log_softmax_exact(moderate_logits, as_float=True)
    scale = np.abs(moderate_logits).max(axis=-1, keepdims=True) + np.abs(exact)
    assert_allclose(log_softmax(moderate_logits), exact, rtol=0,
                    atol=4 * np.finfo(float).eps * scale.max())


def test_logsumexp_within_a_few_ulp_for_moderate_logits(moderate_logits):
    err = ulp_error(logsumexp(moderate_logits), logsumexp_exact(moderate_logits))
    assert err.max() <= 2


def test_float16_softmax_within_a_ulp(moderate_logits):
    """float16 is computed in float32 and rounded once, so its own error stays near 0.5 ulp."""
    x = moderate_logits.astype(np.float16)
    err = ulp_error(softmax(x), softmax_exact(x))
    assert err.max() <= 1.5


@pytest.mark.parametrize("scale", [50.0, 300.0, 700.0])
def test_never_worse_than_scipy_at_large_scales(scale):
    x = np.random.default_rng(int(scale)).uniform(-scale, scale, size=(20, 9))
    exact = softmax_exact(x)
    ours = ulp_error(softmax(x), exact)
    theirs = ulp_error(special.softmax(x, axis=-1), exact)
    assert ours.max() <= theirs.max()
    assert ours.mean() <= theirs.mean() * 1.05
    exact_log = log_softmax_exact(x)
    assert (ulp_error(log_softmax(x), exact_log).max()
            <= ulp_error(special.log_softmax(x, axis=-1), exact_log).max())


def test_shifted_softmax_loses_digits_at_large_scales():
    """The premise of lesson 02's last section: the error grows with the logit scale."""
    rng = np.random.default_rng(7)
    small = rng.uniform(-1, 1, size=(20, 9))
    large = small * 600
    err_small = ulp_error(softmax(small), softmax_exact(small)).max()
    err_large = ulp_error(softmax(large), softmax_exact(large)).max()
    assert err_large > 10 * max(err_small, 1)


def test_exact_log_softmax_keeps_tiny_values_near_zero():
    """log p of the winning class is -e^-70 here: tiny, and it must not be rounded to 0."""
    value = log_softmax_exact([10.0, -60.0], as_float=True)[0]
    assert value == pytest.approx(-math.exp(-70), rel=1e-15)
    assert log_softmax_exact([1.86e-242, -np.inf], as_float=True)[0] == 0.0


def test_exact_reference_ignores_the_callers_decimal_context():
    with localcontext(Context(prec=5)):
        p = softmax_exact([2.0, 1.0, 0.0])
    assert abs(sum(p) - 1) < Decimal("1e-45")
