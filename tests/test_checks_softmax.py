"""Checkers of lesson 01 (softmax.py): each mistake named by its symptom, each rule enforced."""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks_answers import entropy_bits, logits_from_probs, softmax_py, stable_softmax
from checks_helpers import assert_named, wrong_ids

from softmax_lessons import checks


def softmax_py_in_place(x):
    m = max(x)
    for i, v in enumerate(x):
        x[i] = math.exp(v - m)
    total = sum(x)
    return [v / total for v in x]


def softmax_py_with_numpy(x):
    # right values, but the exercise says plain Python
    e = np.exp(np.array(x) - max(x))
    return (e / e.sum()).tolist()


def softmax_rows_with_a_loop(x):
    # right values, but the exercise says no Python loop
    return np.array([stable_softmax(row) for row in x])


def logits_centred_on_the_max(p):
    logp = np.log(p)
    return logp - logp.max(axis=-1, keepdims=True)


def logits_centred_on_the_batch(p):
    logp = np.log(p)
    return logp - logp.mean()


def logits_with_a_floor(p):
    logp = np.log(p + 1e-12)  # a "safe" log that changes tiny probabilities
    return logp - logp.mean(axis=-1, keepdims=True)


def entropy_nats(x):
    return entropy_bits(x) * np.log(2)


def entropy_from_probabilities(x):
    p = stable_softmax(x)
    return -np.sum(p * np.log2(p), axis=-1)


def entropy_without_shift(x):
    e = np.exp(x)
    p = e / e.sum(axis=-1, keepdims=True)
    log_p = x - np.log(e.sum(axis=-1, keepdims=True))
    return -np.sum(p * log_p, axis=-1) / np.log(2)


def entropy_with_the_package(x):
    from softmax_lessons import entropy

    return entropy(stable_softmax(x))


def entropy_of_everything(x):
    return entropy_bits(x.ravel()) if x.ndim > 1 else entropy_bits(x)


WRONG = [
    # 01.1 softmax in pure Python
    (
        "01.1",
        checks.check_softmax_py,
        lambda x: [v / sum(x) for v in x],
        "your probabilities are the logits divided by their sum",
        "exponentiate each logit first",
    ),
    (
        "01.1",
        checks.check_softmax_py,
        lambda x: [math.exp(v) for v in x],
        "returned the exponentials themselves",
        "divide each one by the sum",
    ),
    (
        "01.1",
        checks.check_softmax_py,
        lambda x: np.array(softmax_py(x)),
        "returned a NumPy array",
        "return a list",
    ),
    (
        "01.1",
        checks.check_softmax_py,
        softmax_py_in_place,
        "changed the list it was given",
        "build a new list",
    ),
    ("01.1", checks.check_softmax_py, lambda x: None, "returned None", "forget `return`"),
    (
        "01.1",
        checks.check_softmax_py,
        softmax_py_with_numpy,
        "the exercise says plain Python only (no NumPy), but your function has np.exp on line 3",
        "math.exp",
    ),
    # 01.3 softmax over the wrong axis of a batch
    (
        "01.3",
        checks.check_softmax_rows,
        lambda x: np.exp(x) / np.exp(x).sum(axis=0),
        "each column sums to 1 but the rows do not: softmax over the wrong axis",
        "along the last axis (axis=-1)",
    ),
    (
        "01.3",
        checks.check_softmax_rows,
        lambda x: np.exp(x) / np.exp(x).sum(),
        "the whole array sums to 1, not each row",
        "keepdims=True",
    ),
    (
        "01.3",
        checks.check_softmax_rows,
        lambda x: np.exp(x) / np.exp(x).sum(axis=1),
        "NumPy could not broadcast the division",
        "keepdims=True",
    ),
    (
        "01.3",
        checks.check_softmax_rows,
        softmax_rows_with_a_loop,
        "the exercise says no Python loop, but your function has a list comprehension on line 3",
        "whole array at once",
    ),
    # 01.5 logits from probabilities
    (
        "01.5",
        checks.check_logits_from_probs,
        lambda p: p,
        "your logits are the probabilities themselves",
        "which function undoes exp?",
    ),
    (
        "01.5",
        checks.check_logits_from_probs,
        np.log,
        "softmax of your logits gives back p, but their mean is -1.16, not 0",
        "subtract the one that makes the mean 0",
    ),
    (
        "01.5",
        checks.check_logits_from_probs,
        lambda p: np.log2(p) - np.log2(p).mean(axis=-1, keepdims=True),
        "they look like logarithms to base 2",
        "natural logarithm",
    ),
    (
        "01.5",
        checks.check_logits_from_probs,
        logits_centred_on_the_max,
        "the largest logit is 0",
        "centred on their mean, not on their maximum",
    ),
    (
        "01.5",
        checks.check_logits_from_probs,
        logits_centred_on_the_batch,
        "on a batch of 2 rows the mean of the whole batch is 0 but the row means are",
        "axis=-1",
    ),
    (
        "01.5",
        checks.check_logits_from_probs,
        logits_with_a_floor,
        "on p = (1e-200, 0.5, 0.5) softmax of your logits is off from p by up to 1e-12",
        None,
    ),
    # 01.6 entropy in bits
    (
        "01.6",
        checks.check_entropy_bits,
        entropy_nats,
        "which is the entropy in nats, not bits",
        "divide by ln 2",
    ),
    (
        "01.6",
        checks.check_entropy_bits,
        lambda x: -entropy_bits(x),
        "on (2, 1, 0) your entropy is negative",
        "minus sign",
    ),
    (
        "01.6",
        checks.check_entropy_bits,
        entropy_from_probabilities,
        "NaN on (0, -800), where the entropy is finite (about 0)",
        "0 * log 0 is NaN",
    ),
    (
        "01.6",
        checks.check_entropy_bits,
        entropy_without_shift,
        "fine on small logits, but NaN on (1000, 1001, 999)",
        "subtract the maximum",
    ),
    (
        "01.6",
        checks.check_entropy_bits,
        entropy_with_the_package,
        "the exercise says compute it yourself (no package entropy), but your function has "
        "entropy(...) on line 4",
        "-sum p log p",
    ),
    (
        "01.6",
        checks.check_entropy_bits,
        entropy_of_everything,
        "expected one entropy per row, shape (3,), got shape ()",
        "axis=-1",
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, symptom, hint, capsys):
    assert_named(exercise, checker, fn, symptom, hint, capsys)


def test_numpy_is_found_however_it_is_imported():
    def imports_inside(x):
        import numpy

        return list(numpy.exp(x) / numpy.exp(x).sum())

    result = checks.check_softmax_py(imports_inside)
    assert result.status == "failed"
    assert "but your function has import numpy on line 2" in result.message


def test_a_plain_python_answer_that_names_no_numpy_passes():
    assert checks.check_softmax_py(softmax_py).passed


def test_logits_from_probs_accepts_any_right_answer_however_centred():
    # log p minus its mean and log(p / geometric mean) are the same logits
    p = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(logits_from_probs(p), np.log(p / np.exp(np.log(p).mean())))
    assert checks.check_logits_from_probs(logits_from_probs).passed
