"""Tests for softmax_lessons.autograd: a scalar autograd checked against NumPy gradients."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from softmax_lessons.autograd import (
    Value,
    cross_entropy_values,
    logsumexp_values,
    softmax_values,
)
from softmax_lessons.core import logsumexp, softmax
from softmax_lessons.losses import cross_entropy_grad, finite_difference_gradient, softmax_jacobian

logit_lists = st.lists(st.floats(-30, 30), min_size=1, max_size=6)


def test_each_operation_has_the_textbook_derivative():
    a, b = Value(1.5), Value(-0.5)
    out = (a * b) + (a / b) - b.exp() + (a ** 3.0) + a.log()
    out.backward()
    # d/da: b + 1/b + 3 a^2 + 1/a ;  d/db: a - a/b^2 - e^b
    assert_allclose(a.grad, -0.5 + 1 / -0.5 + 3 * 1.5**2 + 1 / 1.5, rtol=1e-14)
    assert_allclose(b.grad, 1.5 - 1.5 / 0.25 - math.exp(-0.5), rtol=1e-14)


def test_a_value_used_twice_accumulates_its_gradient():
    a = Value(3.0)
    out = a * a + a
    out.backward()
    assert out.data == 12.0
    assert a.grad == 7.0


def test_log_of_zero_is_refused_with_advice():
    with pytest.raises(ValueError, match="log-softmax"):
        Value(0.0).log()


@settings(max_examples=40, deadline=None)
@given(logit_lists, st.data())
def test_cross_entropy_gradient_is_p_minus_y_as_numpy_computes_it(x, data):
    label = data.draw(st.integers(0, len(x) - 1))
    values = [Value(v) for v in x]
    loss = cross_entropy_values(values, label)
    loss.backward()
    assert_allclose([v.grad for v in values], cross_entropy_grad(np.array(x), label), atol=1e-12)
    assert_allclose(loss.data, logsumexp(np.array(x)) - x[label], rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(logit_lists)
def test_softmax_values_match_numpy_and_their_gradients_match_the_jacobian(x):
    arr = np.array(x)
    p = softmax(arr)
    jac = softmax_jacobian(p)
    for i in range(len(x)):
        values = [Value(v) for v in x]
        out = softmax_values(values)
        assert_allclose([o.data for o in out], p, rtol=1e-12, atol=1e-300)
        out[i].backward()
        assert_allclose([v.grad for v in values], jac[i], atol=1e-12)


def test_logsumexp_values_does_not_overflow_and_has_softmax_as_gradient():
    values = [Value(1000.0), Value(1001.0), Value(999.0)]
    out = logsumexp_values(values)
    out.backward()
    assert_allclose(out.data, logsumexp(np.array([1000.0, 1001.0, 999.0])), rtol=1e-15)
    assert_allclose([v.grad for v in values], softmax([1000.0, 1001.0, 999.0]), rtol=1e-12)


def test_autograd_agrees_with_finite_differences_on_a_composite():
    def f_values(x):
        p = softmax_values(x)
        return p[0] * p[1] + cross_entropy_values(x, 2)

    x = [0.3, -1.2, 2.0]
    values = [Value(v) for v in x]
    f_values(values).backward()
    numeric = finite_difference_gradient(lambda v: f_values(list(v)).data, x)
    assert_allclose([v.grad for v in values], numeric, atol=1e-8)


def test_label_out_of_range_and_empty_input_are_refused():
    with pytest.raises(ValueError, match=r"label must be in 0\.\.1, got 2"):
        cross_entropy_values([0.0, 1.0], 2)
    with pytest.raises(ValueError, match="at least one logit"):
        softmax_values([])


def test_softmax_values_with_nothing_allowed_gives_zeros_like_the_core():
    probs = softmax_values([-math.inf, -math.inf])
    assert [p.data for p in probs] == [0.0, 0.0]


# --- Found by fuzzing ----------------------------------------------------------------


def test_logsumexp_values_of_nothing_allowed_is_minus_inf_as_the_core():
    """Every logit -inf: -inf, not the NaN of -inf - (-inf)."""
    assert logsumexp_values([-math.inf, -math.inf]).data == -math.inf
    assert logsumexp([-np.inf, -np.inf]) == -np.inf


def test_exp_beyond_the_float_range_is_inf_as_in_numpy():
    assert Value(1000.0).exp().data == math.inf


def test_values_refuse_what_is_not_a_number():
    with pytest.raises(TypeError, match="data must be a real number, got None"):
        Value(None)
    with pytest.raises(TypeError, match="x must hold numbers or Values, got 'a'"):
        softmax_values(["a", 1.0])
    with pytest.raises(TypeError, match="x must be a list of numbers or Values, got 'ab'"):
        softmax_values("ab")
    with pytest.raises(ValueError, match="x must hold at least one logit, got an empty list"):
        logsumexp_values([])
    with pytest.raises(TypeError, match="label must be an integer >= 0, got '1'"):
        cross_entropy_values([1.0, 2.0], "1")
