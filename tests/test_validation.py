"""Tests for softmax_lessons.validation: the input checks shared by lessons 03-06."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from softmax_lessons.validation import (
    as_logits,
    check_bool_mask,
    check_distribution,
    check_int,
    check_labels,
    check_rng,
    check_sampling_logits,
    inverse_cdf,
)


def test_check_rng_accepts_a_generator_and_names_the_fix_otherwise():
    rng = np.random.default_rng(0)
    assert check_rng(rng) is rng
    with pytest.raises(TypeError, match="default_rng"):
        check_rng(np.random.RandomState(0))


@pytest.mark.parametrize("bad", [2.5, 2.0, True, "3", None, 0])
def test_check_int_refuses_non_integers_instead_of_truncating(bad):
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        check_int(bad, "n")


def test_check_int_keeps_integers_and_respects_the_minimum():
    assert check_int(np.int32(5), "n") == 5
    assert check_int(0, "n", minimum=0) == 0
    with pytest.raises(ValueError, match="got -1; try 4"):
        check_int(-1, "n", minimum=0, hint="try 4")


@pytest.mark.parametrize("mask", [[1, 0], [0.5, 0.0], ["a", "b"]])
def test_check_bool_mask_refuses_non_boolean_masks(mask):
    with pytest.raises(TypeError, match="boolean mask"):
        check_bool_mask(mask)


def test_check_distribution_accepts_rounded_softmax_rows():
    p = np.array([[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3]], dtype=np.float32)
    assert check_distribution(p) is not None


@pytest.mark.parametrize(
    ("p", "message"),
    [([2.0, 1.0, 0.0], "sums from 3"), ([0.5, -0.1, 0.6], "got an entry -0.1"),
     ([np.nan, 1.0], "got an entry nan"), ([], "non-empty"), (0.5, "non-empty")],
)
def test_check_distribution_refuses_logits_and_broken_rows(p, message):
    with pytest.raises(ValueError, match=message):
        check_distribution(p)


def test_check_sampling_logits_names_the_problem():
    with pytest.raises(ValueError, match=r"NaN \(at index \[1\]\)"):
        check_sampling_logits(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"\+inf"):
        check_sampling_logits(np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match=r"no token is allowed\) in row \(1,\)"):
        check_sampling_logits(np.array([[0.0, -np.inf], [-np.inf, -np.inf]]))


def test_as_logits_refuses_scalars_and_empty_class_axes():
    with pytest.raises(ValueError, match="got a scalar"):
        as_logits(3.0, "f")
    with pytest.raises(ValueError, match="at least one entry"):
        as_logits(np.zeros((2, 0)), "f")


def test_check_labels_refuses_floats_wrong_shapes_and_out_of_range():
    assert_array_equal(check_labels([1, 0], 2, shape=(2,)), [1, 0])
    with pytest.raises(TypeError, match="integer class indices"):
        check_labels([1.0, 0.0], 2)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        check_labels([1, 0], 2, shape=(3,))
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.1, got 2"):
        check_labels([2, 0], 2)


def test_inverse_cdf_matches_the_slices_of_the_unit_interval():
    p = np.array([0.25, 0.0, 0.75])
    u = np.array([0.0, 0.2499, 0.25, 0.9999])
    assert_array_equal(inverse_cdf(p, u), [0, 0, 2, 2])
    rows = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert_array_equal(inverse_cdf(rows, np.array([0.5, 0.5])), [0, 1])
