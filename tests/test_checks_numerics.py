"""Checkers of lesson 02 (numerics.py): each mistake named by its symptom, each rule enforced."""

from __future__ import annotations

import numpy as np
import pytest
from checks_answers import (
    log_sigmoid,
    logsumexp_rows,
    softmax_two_sum,
    stable_softmax,
    two_sum,
)
from checks_helpers import assert_named, wrong_ids

from softmax_lessons import checks


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def log_naive_lse(x):
    return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))


def log_softmax_batch_max(x):
    m = np.max(x)  # the maximum of the whole batch, not of each row
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def two_sum_with_if(a, b):
    # Fast2Sum on (larger, smaller): right on floats, refused by arrays
    if abs(a) < abs(b):
        a, b = b, a
    s = a + b
    return s, b - (s - a)


def two_sum_with_if_on_the_type(a, b):
    # right on floats and arrays alike, but the exercise says no `if`
    if isinstance(a, np.ndarray):
        return two_sum(a, b)
    return two_sum(a, b)


def log_sigmoid_naive(z):
    return np.log(1 / (1 + np.exp(-z)))


def log_sigmoid_without_log1p(z):
    return np.minimum(z, 0.0) - np.log(1 + np.exp(-np.abs(z)))


def log_sigmoid_shifted_log1p_but_one_sided(z):
    return -np.log1p(np.exp(-z))


def log_sigmoid_with_logaddexp(z):
    return -np.logaddexp(0.0, -z)


def lse_shift_by_max(x):
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def lse_no_shift(x):
    return np.log(np.sum(np.exp(x), axis=-1))


def lse_large_negative_fill(x):
    return logsumexp_rows(np.nan_to_num(x, neginf=-1e300))


def lse_batch_max(x):
    m = np.max(x, initial=-1e300)  # one shift for the whole batch
    return m + np.log(np.sum(np.exp(x - m), axis=-1))


def lse_with_logaddexp(x):
    return np.logaddexp.reduce(x, axis=-1)


def lse_keepdims(x):
    return logsumexp_rows(x)[..., None]


WRONG = [
    # 02.1 exponentiating without subtracting the max
    (
        "02.1",
        checks.check_stable_softmax,
        naive_softmax,
        "fine on small logits, but NaN on (1000, 1001, 999)",
        "subtract the maximum before exponentiating",
    ),
    (
        "02.1",
        checks.check_stable_softmax,
        lambda x: naive_softmax(x - x.min(axis=-1, keepdims=True)),
        "fine on small logits, but NaN on (0, 2000, 1)",
        "exp overflows or underflows without a shift; subtract the maximum",
    ),
    (
        "02.1",
        checks.check_stable_softmax,
        lambda x: naive_softmax(x - x.max()),
        "rows have very different scales",
        "take the maximum of each row",
    ),
    # 02.3 log of softmax instead of log-softmax
    (
        "02.3",
        checks.check_log_softmax,
        lambda x: np.log(stable_softmax(x)),
        "-inf on (0, -800), where the log-probabilities are finite",
        "that is log of softmax",
    ),
    (
        "02.3",
        checks.check_log_softmax,
        log_naive_lse,
        "fine on small logits, but inf on (1000, 1001, 999)",
        "subtract the maximum",
    ),
    (
        "02.3",
        checks.check_log_softmax,
        log_softmax_batch_max,
        "(0, 1, 2) and (1000, 1001, 999)",
        "take the maximum of each row",
    ),
    # 02.4 TwoSum
    (
        "02.4",
        checks.check_two_sum,
        lambda a, b: (a + b, 0.0),
        "your error term is 0 on (0.1, 0.2)",
        "what the rounding lost",
    ),
    (
        "02.4",
        checks.check_two_sum,
        lambda a, b: (two_sum(a, b)[0], -two_sum(a, b)[1]),
        "error term has the wrong sign",
        "s + e must equal a + b",
    ),
    (
        "02.4",
        checks.check_two_sum,
        lambda a, b: (a + b, b - ((a + b) - a)),
        "right when |a| >= |b| but wrong on (1.0, 1e+16)",
        "(Fast2Sum) needs |a| >= |b|",
    ),
    (
        "02.4",
        checks.check_two_sum,
        two_sum_with_if,
        "on arrays of 27 pairs your function raised ValueError: The truth value of an array",
        "TwoSum needs no `if`",
    ),
    (
        "02.4",
        checks.check_two_sum,
        two_sum_with_if_on_the_type,
        "the exercise says no `if`, but your function has an `if` statement on line 3",
        "floats and arrays alike",
    ),
    (
        "02.4",
        checks.check_two_sum,
        lambda a, b: [a + b],
        "expected a pair (s, e), got a list of length 1",
        None,
    ),
    # 02.5 winning back the last digits
    (
        "02.5",
        checks.check_softmax_two_sum,
        stable_softmax,
        "no more accurate than the plain shifted softmax",
        "multiply each exp(d_hi) by (1 + d_lo)",
    ),
    (
        "02.5",
        checks.check_softmax_two_sum,
        lambda x: softmax_two_sum(x, sign=-1.0),
        "makes the result worse",
        "check its sign",
    ),
    (
        "02.5",
        checks.check_softmax_two_sum,
        naive_softmax,
        "fine on small logits, but NaN on (1000.3, 800.1, 650.123, 999.9)",
        "subtract the maximum before exponentiating",
    ),
    # 02.6 log-sigmoid
    (
        "02.6",
        checks.check_log_sigmoid,
        log_sigmoid_naive,
        "-inf on z = -1000, where log sigmoid(z) is finite (about -1000)",
        "sigmoid(-1000) underflows to 0 before the log",
    ),
    (
        "02.6",
        checks.check_log_sigmoid,
        log_sigmoid_shifted_log1p_but_one_sided,
        "-inf on z = -1000",
        "log-sum-exp of (0, -z), shifted by its maximum",
    ),
    (
        "02.6",
        checks.check_log_sigmoid,
        log_sigmoid_without_log1p,
        "on z = 40 and 37.5 your results have a relative error of up to 100% (they are "
        "exactly 0)",
        "np.log1p",
    ),
    (
        "02.6",
        checks.check_log_sigmoid,
        lambda z: -log_sigmoid(z),
        "your results are positive",
        "never above 0",
    ),
    (
        "02.6",
        checks.check_log_sigmoid,
        lambda z: log_sigmoid(-z),
        "your results are log sigmoid(-z), the other class",
        "mind the sign inside exp",
    ),
    (
        "02.6",
        checks.check_log_sigmoid,
        log_sigmoid_with_logaddexp,
        "the exercise says write it with exp, log and log1p (no logaddexp, logsumexp or "
        "expit), but your function has np.logaddexp(...) on line 2",
        "shift by the larger of 0 and -z",
    ),
    # 02.7 log-sum-exp with masked entries
    (
        "02.7",
        checks.check_logsumexp_rows,
        lse_shift_by_max,
        "NaN on the row (-inf, -inf, -inf), where log-sum-exp is -inf",
        "shift such a row by 0 instead",
    ),
    (
        "02.7",
        checks.check_logsumexp_rows,
        lse_no_shift,
        "fine on small logits, but inf on (1000, 1001, 999)",
        "subtract the maximum",
    ),
    (
        "02.7",
        checks.check_logsumexp_rows,
        lse_large_negative_fill,
        "on the row (-inf, -inf, -inf) your log-sum-exp is -1e+300, a finite number",
        "keep -inf as -inf",
    ),
    (
        "02.7",
        checks.check_logsumexp_rows,
        lse_batch_max,
        "inf or -inf on a batch of 4 rows, one all -inf",
        "not of the batch",
    ),
    (
        "02.7",
        checks.check_logsumexp_rows,
        lse_keepdims,
        "on the 1-D logits (2, 1, 0) expected one number, got shape (1,)",
        "drop the summed axis",
    ),
    (
        "02.7",
        checks.check_logsumexp_rows,
        lse_with_logaddexp,
        "the exercise says no ready-made log-sum-exp (np.logaddexp or the package's "
        "logsumexp), but your function has np.logaddexp.reduce(...) on line 2",
        "shift each row by its maximum",
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, symptom, hint, capsys):
    assert_named(exercise, checker, fn, symptom, hint, capsys)


def test_two_sum_right_on_arrays_passes_and_names_both_kinds():
    result = checks.check_two_sum(two_sum)
    assert result.passed and "floats and arrays" in result.message


def test_log_sigmoid_and_logsumexp_reference_answers_pass():
    assert checks.check_log_sigmoid(log_sigmoid).passed
    assert checks.check_logsumexp_rows(logsumexp_rows).passed
