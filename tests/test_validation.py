"""Tests for softmax_lessons.validation: the input checks shared by lessons 03-06."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from softmax_lessons.validation import (
    apply_where,
    as_float_array,
    as_logits,
    check_axis,
    check_bool_mask,
    check_distribution,
    check_int,
    check_labels,
    check_rng,
    check_sampling_logits,
    check_temperature,
    distribution_tolerance,
    inverse_cdf,
)


def test_check_rng_accepts_a_generator_and_names_the_fix_otherwise():
    rng = np.random.default_rng(0)
    assert check_rng(rng) is rng
    with pytest.raises(TypeError, match="default_rng"):
        check_rng(np.random.RandomState(0))


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (2.5, TypeError),
        (2.0, TypeError),
        (True, TypeError),
        ("3", TypeError),
        (None, TypeError),
        (0, ValueError),
    ],
)
def test_check_int_refuses_non_integers_instead_of_truncating(bad, error):
    """Not an integer: TypeError (wrong kind); an integer too small: ValueError."""
    with pytest.raises(error, match="n must be an integer >= 1"):
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
    with pytest.raises(ValueError, match="x must be logits with a class axis for f, got the"):
        as_logits(3.0, "f")
    with pytest.raises(ValueError, match="at least one logit"):
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


# ---------------------------------------------------------------------------
# The input checks of the core functions (one home for every check)
# ---------------------------------------------------------------------------


def test_as_float_array_keeps_float_dtypes_and_turns_ints_and_bools_into_float64():
    for dtype in (np.float16, np.float32, np.float64):
        x = np.ones(3, dtype=dtype)
        assert as_float_array(x) is x  # no copy
    assert as_float_array([True, 2]).dtype == np.float64
    assert as_float_array(np.arange(3, dtype=np.uint8)).dtype == np.float64


@pytest.mark.parametrize(
    ("bad", "message"),
    [(["a", "b"], "must hold numbers"), ([1 + 2j], "real numbers"), (None, "must hold numbers"),
     (np.array(["2020-01-01"], dtype="datetime64[D]"), "must hold numbers")],
)
def test_as_float_array_refuses_what_is_not_real_numbers(bad, message):
    with pytest.raises(TypeError, match=message):
        as_float_array(bad)


def test_as_float_array_names_a_ragged_list_in_its_own_words():
    message = r"logits must be a rectangular array .*\[\[1, 2\], \[3\]\]"
    with pytest.raises(ValueError, match=message):
        as_float_array([[1, 2], [3]], name="logits")


def test_check_axis_counts_from_the_end_and_names_the_range():
    x = np.zeros((2, 3, 4))
    assert [check_axis(x, a) for a in (-1, 0, -3)] == [2, 0, 0]
    with pytest.raises(np.exceptions.AxisError, match=r"axis must be in -3\.\.2 .* got 3"):
        check_axis(x, 3)
    with pytest.raises(ValueError, match="got -4"):  # AxisError is a ValueError
        check_axis(x, -4)


@pytest.mark.parametrize("bad", [None, 1.0, "1", (0, 1), True])
def test_check_axis_refuses_what_is_not_one_integer(bad):
    with pytest.raises(TypeError, match="axis must be an int, got"):
        check_axis(np.zeros((2, 3)), bad)


def test_check_axis_refuses_a_0d_array():
    with pytest.raises(ValueError, match="wrap the logit in a list"):
        check_axis(np.array(3.0), -1)


@pytest.mark.parametrize("good", [0.5, 2, np.float32(0.25), np.array(3.0), 1e-300, 10**20])
def test_check_temperature_accepts_any_positive_finite_number(good):
    assert check_temperature(good) == float(np.asarray(good))


@pytest.mark.parametrize(
    ("bad", "error"),
    [(0, ValueError), (-1.0, ValueError), (np.inf, ValueError), (np.nan, ValueError),
     (10**400, ValueError), ("hot", TypeError), (True, TypeError), (None, TypeError),
     ([0.5], TypeError), (1j, TypeError), (np.array([0.5, 1.0]), TypeError)],
)
def test_check_temperature_refuses_and_names_the_value(bad, error):
    with pytest.raises(error, match="temperature must be"):
        check_temperature(bad)


def test_apply_where_masks_with_minus_inf_and_keeps_the_dtype():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    out = apply_where(x, np.array([True, False]))
    assert out.dtype == np.float32
    assert_array_equal(out, [[1.0, -np.inf], [3.0, -np.inf]])
    assert apply_where(x, None) is x
    with pytest.raises(TypeError, match="where must be a boolean mask"):
        apply_where(x, [1, 0])
    with pytest.raises(ValueError, match=r"where of shape \(3,\) cannot be broadcast"):
        apply_where(x, np.ones(3, dtype=bool))


# ---------------------------------------------------------------------------
# One definition of "a distribution"
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 256, 4096, 65536])
def test_an_all_zero_float16_vector_is_never_a_distribution(n_classes):
    with pytest.raises(ValueError, match="sum to 1"):
        check_distribution(np.zeros(n_classes, dtype=np.float16))


@pytest.mark.parametrize("n_classes", [2, 256, 4096, 65536])
def test_the_tolerance_does_not_grow_with_the_number_of_classes(n_classes):
    """Half the tolerance off is accepted, twice the tolerance off is not, at every size."""
    for dtype in (np.float16, np.float32, np.float64):
        tol = distribution_tolerance(np.dtype(dtype))
        p = np.full(n_classes, 1 / n_classes)  # exact in every dtype: n is a power of 2
        p[0] += tol / 2
        check_distribution(p.astype(dtype))
        p[0] += 2 * tol
        with pytest.raises(ValueError, match="sum to 1"):
            check_distribution(p.astype(dtype))
    assert distribution_tolerance(np.dtype(np.float16)) == 4 * 2.0**-10
    assert distribution_tolerance(np.dtype(np.float32)) == 1e-6


@pytest.mark.parametrize("n_classes", [3, 256, 4096, 50_000])
def test_rounded_softmax_outputs_are_distributions_in_every_dtype(n_classes):
    from softmax_lessons.core import softmax

    x = np.random.default_rng(n_classes).normal(size=(4, n_classes)) * 5
    for dtype in (np.float16, np.float32, np.float64):
        check_distribution(softmax(x.astype(dtype)))


def test_check_distribution_along_another_axis_and_with_nan_allowed():
    p = np.array([[0.5, 1.0], [0.5, 0.0]])
    assert check_distribution(p, axis=0) is not None
    with pytest.raises(ValueError, match="along axis 0"):
        check_distribution(p.T, axis=0)
    rows = np.array([[np.nan, 1.0], [0.5, 0.5]])
    assert check_distribution(rows, allow_nan=True) is not None
    with pytest.raises(ValueError, match="got an entry nan"):
        check_distribution(rows)


def test_check_distribution_accepts_an_empty_batch_but_not_an_empty_class_axis():
    assert check_distribution(np.zeros((0, 3))).shape == (0, 3)
    with pytest.raises(ValueError, match=r"non-empty .* shape \(3, 0\)"):
        check_distribution(np.zeros((3, 0)))
