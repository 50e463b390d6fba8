"""The edge-case rules of core.py's docstring, one test each, named after the peer case it mirrors.

Peers: SciPy ``scipy/special/tests/test_logsumexp.py``, JAX ``tests/nn_test.py``,
PyTorch ``torch/testing/_internal/common_methods_invocations.py`` (OpInfo samples)
and ``test/test_reductions.py``. The accurate functions follow the same rules, so
every test runs on both families.
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from softmax_lessons.accurate import log_softmax_accurate, logsumexp_accurate, softmax_accurate
from softmax_lessons.core import log_softmax, logsumexp, softmax

SOFTMAXES = [softmax, softmax_accurate]
LOG_SOFTMAXES = [log_softmax, log_softmax_accurate]
LOGSUMEXPS = [logsumexp, logsumexp_accurate]
ALL = SOFTMAXES + LOG_SOFTMAXES + LOGSUMEXPS


@pytest.fixture(autouse=True)
def warnings_are_errors():
    """Every case here is documented, so none may warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- Inputs -----------------------------------------------------------------------


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
def test_int_logits_become_float64_as_scipy_test_softmax_int_array(func):
    """SciPy TestSoftmax.test_softmax_int_array: softmax([1000, 0, 0, 0]) = [1, 0, 0, 0]."""
    out = func([1000, 0, 0, 0])
    assert out.dtype == np.float64
    assert_array_equal(np.round(np.exp(out) if func in LOG_SOFTMAXES else out, 12), [1, 0, 0, 0])


@pytest.mark.parametrize("func", LOGSUMEXPS)
def test_int_logits_promote_as_pytorch_test_logsumexp_integral_promotion(func):
    """PyTorch TestReductions.test_logsumexp_integral_promotion: ints give the float result."""
    e = np.random.default_rng(0).integers(-100, 100, (5, 4))
    result = func(e, axis=1)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, func(e.astype(float), axis=1), rtol=0)


# --- Axis -------------------------------------------------------------------------


@pytest.mark.parametrize("func", ALL)
def test_a_0d_input_is_refused_unlike_scipy_test_softmax_scalar(func):
    """SciPy TestSoftmax.test_softmax_scalar gives softmax(1000) = 1; we name the missing axis."""
    with pytest.raises(np.exceptions.AxisError, match="wrap the logit in a list"):
        func(1000.0)


# --- Empty slices -----------------------------------------------------------------


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
def test_an_empty_array_gives_an_empty_array_as_jax_test_softmax_empty_array(func):
    """JAX NNFunctionsTest.testSoftmaxEmptyArray: fn(jnp.array([])) equals the input."""
    out = func(np.array([], dtype=float))
    assert out.shape == (0,) and out.dtype == np.float64


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_empty_sizes_as_pytorch_sample_inputs_softmax_variant(func, dtype):
    """PyTorch OpInfo sample_inputs_softmax_variant: shape (S, 0, 0) along dim -1."""
    for shape, axis in [((5, 0, 0), -1), ((5, 0, 3), 1), ((0, 4), -1), ((0, 4), 0)]:
        out = func(np.zeros(shape, dtype=dtype), axis=axis)
        assert out.shape == shape and out.dtype == dtype


@pytest.mark.parametrize("func", LOGSUMEXPS)
def test_logsumexp_of_nothing_is_minus_inf_as_scipy_test_logsumexp(func):
    """SciPy TestLogSumExp.test_logsumexp ("zero-size array": -inf) and PyTorch
    reference_inputs_logsumexp (an empty tensor)."""
    assert func([]) == -np.inf
    assert_array_equal(func(np.zeros((3, 0))), [-np.inf] * 3)
    assert func(np.zeros((3, 0)), keepdims=True).shape == (3, 1)
    assert func(np.zeros((0, 3))).shape == (0,)


# --- Masks and -inf ---------------------------------------------------------------


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
def test_a_fully_masked_slice_as_jax_test_softmax_empty_mask(func):
    """JAX NNFunctionsTest.testSoftmaxEmptyMask: softmax gives 0, log_softmax -inf."""
    x = np.array([5.5, 1.3, -4.2, 0.9])
    expected = 0.0 if func in SOFTMAXES else -np.inf
    assert_array_equal(func(x, where=np.zeros_like(x, dtype=bool)), np.full_like(x, expected))


@pytest.mark.parametrize("func", LOGSUMEXPS)
def test_logsumexp_of_minus_infs_is_minus_inf_as_scipy_test_logsumexp(func):
    """SciPy TestLogSumExp.test_logsumexp: logsumexp(-inf) and of [-inf, -inf] are -inf;
    PyTorch TestReductions.test_logsumexp has a row of -inf agree with SciPy."""
    assert func([-np.inf]) == -np.inf
    assert func([-np.inf, -np.inf]) == -np.inf


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
def test_a_slice_of_minus_inf_gives_zeros_not_nan_unlike_scipy_softmax(func):
    """Our deliberate difference: scipy.special.softmax([-inf, -inf]) is [nan, nan]
    (and so are JAX's and PyTorch's). A fully padded attention row must give nothing."""
    out = func(np.array([[-np.inf, -np.inf], [0.0, -np.inf]]))
    if func in SOFTMAXES:
        assert_array_equal(out, [[0.0, 0.0], [1.0, 0.0]])
    else:
        assert_array_equal(out, [[-np.inf, -np.inf], [0.0, -np.inf]])


# --- NaN and +inf -----------------------------------------------------------------


@pytest.mark.parametrize("func", ALL)
def test_nan_stays_nan_in_its_slice_as_scipy_test_logsumexp(func):
    """SciPy TestLogSumExp.test_logsumexp: logsumexp(nan) is nan; the other slices are kept."""
    out = func(np.array([[np.nan, 1.0], [1.0, 2.0]]))
    assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()
    assert np.isnan(func(np.array([np.nan, np.inf]))).all()


@pytest.mark.parametrize("func", LOGSUMEXPS)
@pytest.mark.parametrize("row", [[np.inf], [-np.inf, np.inf], [np.inf, np.inf], [1.0, np.inf]])
def test_logsumexp_of_plus_inf_is_plus_inf_as_scipy_test_gh22601(func, row):
    """SciPy TestLogSumExp.test_gh22601_infinite_elements (and "logsumexp(inf) == inf" in
    test_logsumexp); PyTorch reference_inputs_logsumexp has torch.tensor(inf)."""
    assert func(row) == np.inf
    assert_array_equal(func(np.array([row, [0.0] * len(row)]))[0], np.inf)


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
def test_softmax_of_plus_inf_is_nan_as_scipy_softmax(func):
    """scipy.special.softmax([1, inf]) computes inf / inf: its slice is NaN, the others kept."""
    out = func(np.array([[1.0, np.inf], [1.0, 2.0]]))
    assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()


# --- Results near zero ------------------------------------------------------------


@pytest.mark.parametrize("func", LOGSUMEXPS)
def test_logsumexp_keeps_a_tiny_result_as_scipy_test_gh18295(func):
    """SciPy TestLogSumExp.test_gh18295: logsumexp([0, -40]) equals logaddexp(0, -40)."""
    result = float(func([0.0, -40.0]))
    assert result == float(np.logaddexp(0.0, -40.0)) == math.log1p(math.exp(-40))
    assert result == pytest.approx(4.248354255291589e-18, rel=1e-15)


def test_log_softmax_rounds_a_tiny_winner_as_scipy_and_the_accurate_one_keeps_it():
    """scipy.special.log_softmax([0, -50])[0] is 0.0: log(1 + e^-50) rounds 1 + e^-50 first.
    The default does the same (keeping the top term apart would cost it 5-10 % of its
    time); log_softmax_accurate gives -log1p(e^-50)."""
    assert float(log_softmax([0.0, -50.0])[0]) == 0.0
    assert float(log_softmax_accurate([0.0, -50.0])[0]) == -math.log1p(math.exp(-50))
    for func in LOG_SOFTMAXES:
        assert float(func([0.0, -800.0])[0]) == 0.0  # e^-800 underflows: 0 is right


# --- Temperature ------------------------------------------------------------------


@pytest.mark.parametrize("func", SOFTMAXES)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_tiny_temperature_is_never_rounded_to_zero(func, dtype):
    """Our rule: 1e-300 is not 0 in float32; the limit T -> 0+ is the argmax, never NaN."""
    x = np.array([1.0, 2.0, 0.5], dtype=dtype)
    for t in (1e-300, 1e-40, 5e-324):
        assert_array_equal(func(x, temperature=t), np.array([0.0, 1.0, 0.0], dtype=dtype))


@pytest.mark.parametrize("func", SOFTMAXES + LOG_SOFTMAXES)
def test_the_maximum_is_subtracted_before_dividing(func):
    """Our rule: x / t would overflow here (1e308 / 0.1); (x - max) / t does not."""
    out = func(np.array([1e308, 0.0]), temperature=0.1)
    assert_array_equal(out, [1.0, 0.0] if func in SOFTMAXES else [0.0, -np.inf])


# --- The input is never modified --------------------------------------------------


@pytest.mark.parametrize("func", ALL)
def test_no_writeback_as_scipy_test_no_writeback(func):
    """SciPy TestLogSumExp.test_no_writeback: the arguments are left as they were."""
    x = np.array([[5.0, 4.0, -np.inf], [np.nan, 1.0, 700.3]])
    where = np.array([True, False, True])
    before, before_where = x.copy(), where.copy()
    func(x)
    func(x, where=where)
    assert_array_equal(x, before)
    assert_array_equal(where, before_where)
