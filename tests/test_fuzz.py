"""Fuzzing every public maths function with awkward inputs: only documented outcomes allowed.

Each call gets inputs a learner might really pass, and many nobody should: empty
and 0-d arrays, NaN, +-inf, rows of -inf, huge and subnormal values, every dtype
(object, complex, str, bool, int...), non-contiguous views, ragged lists, axes,
sizes, probabilities and temperatures of the wrong type or out of range. The
allowed outcomes are:

- a result, checked against what the docstring promises where it promises
  something checkable (probabilities sum to 1, log-probabilities are <= 0, ...);
- ``TypeError`` or ``ValueError`` (``numpy.exceptions.AxisError`` is one) whose
  message names the offending parameter and the value it got.

Never another exception, a ``RuntimeWarning`` (warnings are errors here, except
the documented warnings of the naive formulas), a modified input, or more than a
second for one call. Hypothesis runs derandomized, so the suite is deterministic.
Set ``FUZZ_COUNTS=path`` to write the number of calls per function to a JSON file,
and ``FUZZ_EXAMPLES`` to draw more than 60 examples per function (a deeper search).
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_lessons import (
    accurate,
    attention,
    autograd,
    calibration,
    core,
    losses,
    numerics,
    online,
    reference,
    sampling,
    scenes,
    speed,
    training,
    validation,
)

COUNTS: Counter[str] = Counter()
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),  # more for a deeper local search
    report_multiple_bugs=False,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
SECONDS_PER_CALL = 1.0

# ---------------------------------------------------------------------------
# Awkward values
# ---------------------------------------------------------------------------

SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, 2.5, np.nan, np.inf, -np.inf, 1e308, -1e308, 5e-324,
                  -1e-310, 65504.0, -65504.0, 3.4e38, 700.0, -745.0, 1e16, -1e16, 88.7, 11.1]
floats_any = st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats(-50, 50),
                       st.floats(allow_nan=True, allow_infinity=True))
floats_finite = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 700.0, -700.0, 1e-300, 1e16]),
                          st.floats(-100, 100))
FLOAT_DTYPES = [np.float16, np.float32, np.float64]
ALL_DTYPES = [*FLOAT_DTYPES, np.int8, np.int64, np.uint8, np.bool_, np.complex128, object, "U4",
              "datetime64[s]"]


def _cast(values: np.ndarray, dtype) -> np.ndarray:
    """`values` (float64) in `dtype`, whatever it takes (NaN becomes 0 in an int)."""
    dt = np.dtype(dtype)
    with np.errstate(all="ignore"):
        if dt.kind in "iu":
            return np.nan_to_num(values, nan=0, posinf=100, neginf=-100).clip(-100, 100).astype(dt)
        if dt.kind == "b":
            return values > 0
        if dt.kind == "c":
            return values.astype(dt) + 1j
        if dt.kind == "M":
            return np.zeros(values.shape, dtype=dt)
        return values.astype(dt)


@st.composite
def arrays(draw, dtypes=ALL_DTYPES, min_dims=0, max_dims=3, max_side=4, elements=floats_any,
           min_side=0):
    """An array of any listed dtype and shape, sometimes a non-contiguous view, or rows of -inf."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    values = draw(hnp.arrays(np.float64, shape, elements=elements))
    if values.ndim and values.size and draw(st.booleans()):
        values[..., :] = np.where(draw(st.booleans()), -np.inf, values)  # a row of -inf
    arr = _cast(values, draw(st.sampled_from(dtypes)))
    if arr.ndim >= 1 and draw(st.booleans()):  # a non-contiguous view of the same values
        wide = np.repeat(arr, 2, axis=-1)
        arr = wide[..., ::2]
    if arr.ndim >= 2 and draw(st.booleans()):
        arr = np.swapaxes(np.swapaxes(arr, 0, -1).copy(), 0, -1)  # same values, other strides
    return arr


def float_arrays(min_dims=1, max_dims=3, max_side=4, elements=floats_any, min_side=0):
    return arrays(dtypes=FLOAT_DTYPES, min_dims=min_dims, max_dims=max_dims, max_side=max_side,
                  elements=elements, min_side=min_side)


junk = st.sampled_from([None, "abc", ["a", "b"], [[1.0, 2.0], [3.0]], [1.0, [2.0]], 1 + 2j,
                        {"x": 1}, object(), b"01", [], (), 3, 2.5, True])


def array_like(dtypes=ALL_DTYPES, min_dims=0, max_dims=3, max_side=4, elements=floats_any):
    """Arrays, the same values as nested lists, and junk."""
    arrs = arrays(dtypes, min_dims, max_dims, max_side, elements)
    lists = arrays(FLOAT_DTYPES, min_dims, max_dims, max_side, elements).map(lambda a: a.tolist())
    return st.one_of(arrs, arrs, lists, junk)


logits = array_like()
logits_1d = st.one_of(float_arrays(1, 1, 6), array_like(max_dims=2))
axes = st.sampled_from([-1, -1, 0, 1, 2, -2, -4, 5, np.int64(0), None, 1.0, "0", (0, 1), True])
temperatures = st.sampled_from([1.0, 1.0, 0.7, 2.0, 1e-300, 5e-324, 1e-40, 1e300, 0, -1.0, np.nan,
                                np.inf, True, "hot", None, np.float32(0.5), np.array(2.0), [0.5],
                                10**400, 3])
sizes = st.sampled_from([1, 2, 3, 0, -1, 2.5, 2.0, True, "3", None, np.int64(2), np.float64(2.0)])
optional_sizes = st.sampled_from([None, 1, 3, 0, -1, 2.5, True, "3", np.int64(2)])
top_ps = st.sampled_from([None, 0.5, 0.9, 1.0, 0.0, 1.5, -0.1, np.nan, np.inf, True, "0.5",
                          np.float32(0.9), 1e-300])
rngs = st.sampled_from(["generator", "generator", None, 0, "legacy"])
booleans_junk = st.sampled_from([True, False, None, 1, "yes"])


def _rng(choice):
    if choice == "generator":
        return np.random.default_rng(0)
    if choice == "legacy":
        return np.random.RandomState(0)
    return choice


@st.composite
def masks(draw, shape=None):
    """Boolean masks that broadcast (or not), and masks of the wrong kind."""
    kind = draw(st.sampled_from(["none", "same", "row", "bad-shape", "ints", "floats", "junk"]))
    if kind == "none":
        return None
    if shape is None or kind == "junk":
        return draw(st.sampled_from([[1, 0], "mask", [[True], [False, True]], 1.0]))
    if kind == "same":
        return draw(hnp.arrays(np.bool_, shape))
    if kind == "row":
        return draw(hnp.arrays(np.bool_, shape[-1:] if shape else ()))
    if kind == "bad-shape":
        return np.ones((len(shape) + 1) * (7,), dtype=bool)
    values = draw(hnp.arrays(np.int8, shape, elements=st.integers(0, 1)))
    return values if kind == "ints" else values.astype(float)


@st.composite
def probabilities(draw, min_dims=1, max_dims=2):
    """Distributions (rounded softmax outputs in any float dtype) and near-misses."""
    x = draw(float_arrays(min_dims, max_dims, 5, elements=floats_finite, min_side=1))
    p = core.softmax(x.astype(np.float64)).astype(x.dtype)
    kind = draw(st.sampled_from(["ok", "ok", "ok", "zeros", "logits", "negative", "nan", "inf",
                                 "junk", "list"]))
    if kind == "zeros":
        return np.zeros_like(p)
    if kind == "logits":
        return x
    if kind == "negative" and p.size:
        p = p.copy()
        p.flat[0] = -0.25
    if kind == "nan" and p.size:
        p = p.copy()
        p.flat[0] = np.nan
    if kind == "inf" and p.size:
        p = p.copy()
        p.flat[0] = np.inf
    if kind == "junk":
        return draw(junk)
    if kind == "list":
        return p.tolist()
    return p


@st.composite
def labels_for(draw, n_rows, n_classes):
    kind = draw(st.sampled_from(["ok", "ok", "ok", "out", "negative", "floats", "shape", "junk"]))
    ok = draw(hnp.arrays(np.int64, (n_rows,), elements=st.integers(0, max(n_classes - 1, 0))))
    if kind == "out":
        return ok + n_classes
    if kind == "negative":
        return ok - n_classes - 1
    if kind == "floats":
        return ok.astype(float)
    if kind == "shape":
        return np.zeros((n_rows + 1, 2), dtype=int)
    if kind == "junk":
        return draw(junk)
    return ok


# ---------------------------------------------------------------------------
# The checks every call goes through
# ---------------------------------------------------------------------------

# NumPy's own words: an error that says them came from deep inside, not from a check.
NUMPY_WORDS = re.compile(
    r"operands could not be broadcast|zero-size array|setting an array element|could not "
    r"convert|ufunc|unsupported operand|object of type|cannot reshape|index .* is out of bounds"
    r"|not supported between|only integer scalar|invalid literal"
)


def _snapshot(values):
    return copy.deepcopy(values)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "f":
            return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
        if a.dtype.kind == "c":
            return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
        return bool(np.all(a == b)) if a.dtype != object else all(
            x is y or x == y for x, y in zip(a.flat, b.flat, strict=True))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (int, float, complex, str, bytes, np.generic)):
        return type(a) is type(b) and (a == b or bool(np.all(np.isnan(a)) and np.all(np.isnan(b))))
    return True  # other objects (generators, functions, states) are not checked


@dataclass
class Target:
    """A function, how to draw its arguments, and what its results must satisfy."""

    name: str
    func: Callable
    draw: Callable  # data -> (args, kwargs)
    params: tuple[str, ...]
    check: Callable | None = None  # (result, args, kwargs) -> None, asserts
    warns: tuple[str, ...] = ()  # regexes of documented RuntimeWarnings
    skip_mutation: tuple[int, ...] = field(default_factory=tuple)


def run(target: Target, args: tuple, kwargs: dict):
    """Call the target once and apply every rule of the module docstring."""
    COUNTS[target.name] += 1
    before = _snapshot((args, kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for pattern in target.warns:
            warnings.filterwarnings("ignore", message=pattern, category=RuntimeWarning)
        start = time.perf_counter()
        try:
            result = target.func(*args, **kwargs)
        except (TypeError, ValueError) as error:
            message = str(error)
            assert not NUMPY_WORDS.search(message), f"{target.name}: NumPy's error: {message}"
            named = [p for p in target.params if re.search(rf"\b{re.escape(p)}\b", message)]
            assert named, f"{target.name}: message names no parameter {target.params}: {message}"
            assert re.search(r"\bgot\b|contains|is -inf|shape", message), (
                f"{target.name}: message does not say what it got: {message}")
            result = error
        elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_CALL, f"{target.name} took {elapsed:.2f} s"
    assert _same(before, (args, kwargs)), f"{target.name} modified its input"
    if target.check is not None and not isinstance(result, Exception):
        target.check(result, args, kwargs)
    return result


# ---------------------------------------------------------------------------
# Documented results
# ---------------------------------------------------------------------------


def _expected_dtype(x) -> np.dtype:
    arr = np.asarray(x)
    return arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)


def _slices(x, axis, where):
    """The input as float64 slices along the last axis, masked, and the same view of `out`."""
    arr = validation.as_float_array(x).astype(np.float64)
    axis = validation.check_axis(arr, axis)
    if where is not None:
        arr = np.where(np.broadcast_to(where, arr.shape), arr, -np.inf)
    return np.moveaxis(arr, axis, -1), axis


def _slice_kinds(rows):
    """Per slice: 'nan' (a NaN or +inf), 'nothing' (no finite entry), or 'ok'."""
    bad = np.any(np.isnan(rows) | (rows == np.inf), axis=-1)
    nothing = ~bad & np.all(rows == -np.inf, axis=-1)
    return bad, nothing


def check_softmax(out, args, kwargs):
    x, axis, where = args[0], kwargs.get("axis", -1), kwargs.get("where")
    rows, axis = _slices(x, axis, where)
    assert out.shape == np.shape(np.asarray(x)) and out.dtype == _expected_dtype(x)
    p = np.moveaxis(out.astype(np.float64), axis, -1)
    bad, nothing = _slice_kinds(rows)
    assert np.isnan(p[bad]).all()
    assert (p[nothing] == 0).all()
    ok = ~bad & ~nothing
    assert ((p[ok] >= 0) & (p[ok] <= 1)).all()
    tolerance = 1e-3 if out.dtype == np.float16 else 1e-5
    assert np.allclose(p[ok].sum(axis=-1), 1, atol=tolerance)
    assert (p[rows == -np.inf] == 0).all() or bad.any()


def check_log_softmax(out, args, kwargs):
    x, axis, where = args[0], kwargs.get("axis", -1), kwargs.get("where")
    rows, axis = _slices(x, axis, where)
    assert out.shape == np.shape(np.asarray(x)) and out.dtype == _expected_dtype(x)
    lp = np.moveaxis(out.astype(np.float64), axis, -1)
    bad, nothing = _slice_kinds(rows)
    assert np.isnan(lp[bad]).all()
    assert (lp[nothing] == -np.inf).all()
    ok = ~bad & ~nothing
    assert (lp[ok] <= 0).all()
    with np.errstate(under="ignore"):
        assert np.allclose(np.exp(lp[ok]).sum(axis=-1), 1, atol=2e-3)


def check_logsumexp(out, args, kwargs):
    x, axis, where = args[0], kwargs.get("axis", -1), kwargs.get("where")
    rows, _ = _slices(x, axis, where)
    lse = np.asarray(out, dtype=np.float64)
    if kwargs.get("keepdims"):
        lse = np.moveaxis(lse, axis, -1)[..., 0] if lse.ndim else lse
    assert lse.shape == rows.shape[:-1]
    bad, nothing = _slice_kinds(rows)
    nan = np.any(np.isnan(rows), axis=-1)
    plus_inf = ~nan & np.any(rows == np.inf, axis=-1)
    assert np.isnan(lse[nan]).all() and (lse[plus_inf] == np.inf).all()
    assert (lse[nothing] == -np.inf).all()
    ok = ~bad & ~nothing
    if ok.any():
        top = np.max(rows[ok], axis=-1)
        n = rows.shape[-1]
        slack = 1e-2 * np.maximum(1, np.abs(top))
        assert (lse[ok] >= top - slack).all() and (lse[ok] <= top + math.log(n) + slack).all()


def check_distribution_rows(out, *_):
    p = np.asarray(out, dtype=np.float64)
    assert ((p >= 0) & (p <= 1)).all()
    assert np.allclose(p.sum(axis=-1), 1, atol=1e-3)


def check_entropy(out, args, kwargs):
    p = validation.as_float_array(args[0]).astype(np.float64)
    axis = validation.check_axis(p, kwargs.get("axis", args[1] if len(args) > 1 else -1))
    base = kwargs.get("base", 2)
    h = np.asarray(out, dtype=np.float64)
    nan = np.any(np.isnan(p), axis=axis)
    assert np.isnan(h[nan]).all()
    n = p.shape[axis]
    assert ((h[~nan] >= 0) & (h[~nan] <= math.log(n) / math.log(base))).all()


def check_index(n_of):
    def check(out, args, kwargs):
        values = np.asarray(out)
        assert values.dtype.kind in "iu" and ((values >= 0) & (values < n_of(args))).all()

    return check


def check_sparsemax(out, args, kwargs):
    rows = validation.as_float_array(args[0]).astype(np.float64)
    bad, nothing = _slice_kinds(rows)
    assert np.isnan(out[bad]).all() and (out[nothing] == 0).all()
    ok = ~bad & ~nothing
    assert (out[ok] >= 0).all() and np.allclose(out[ok].sum(axis=-1), 1)
    assert (out[rows == -np.inf] == 0).all() or bad.any()


def check_like_core_softmax(out, args, kwargs):
    """The online, blockwise and pass-counted softmaxes follow the core's rules and values."""
    x = validation.as_float_array(args[0])
    expected = core.softmax(x.astype(np.float64))
    got = np.asarray(out, dtype=np.float64)
    assert got.shape == x.shape
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    rtol = {np.dtype(np.float16): 4e-3, np.dtype(np.float32): 1e-5}.get(x.dtype, 1e-9)
    assert np.allclose(got, expected, rtol=rtol, atol=1e-7 if x.dtype == np.float16 else 1e-30,
                       equal_nan=True)


def check_sigmoid(out, args, kwargs):
    x = validation.as_float_array(args[0])
    assert out.shape == x.shape and out.dtype == _expected_dtype(args[0])
    values = out.astype(np.float64)
    assert np.array_equal(np.isnan(values), np.isnan(x.astype(np.float64)))
    assert ((values[~np.isnan(values)] >= 0) & (values[~np.isnan(values)] <= 1)).all()


def check_in_unit_interval(out, *_):
    values = np.asarray(out, dtype=np.float64)
    assert ((values >= 0) & (values <= 1 + 1e-12)).all()


def check_row_entropy(out, args, kwargs):
    w = validation.as_float_array(args[0])
    h = np.asarray(out, dtype=np.float64)
    n = max(w.shape[-1], 1)
    ok = ~np.isnan(h)
    assert ((h[ok] >= 0) & (h[ok] <= math.log2(n) + 1e-12)).all()


def check_top_k(out, args, kwargs):
    check_distribution_rows(out)
    assert (np.count_nonzero(out, axis=-1) <= args[1]).all()


def check_naive_prediction(out, args, kwargs):
    x = validation.as_float_array(args[0])
    with np.errstate(all="ignore"):
        actual = np.isnan(core.softmax_naive(x, axis=kwargs.get("axis", -1)))
    assert np.array_equal(out, actual)


def check_two_sum(out, args, kwargs):
    a, b = (validation.as_float_array(v) for v in args)
    s, err = out
    with np.errstate(all="ignore"):
        expected = a + b
        finite = np.isfinite(s) & np.isfinite(err)
        assert np.array_equal(s, expected, equal_nan=True)
        # err is what rounding lost: at most half an ulp of s.
        assert (np.abs(err[finite]) <= np.spacing(np.abs(s[finite])) / 2).all()


def check_exact_like_core(core_func):
    def check(out, args, kwargs):
        if not kwargs.get("as_float"):
            return
        expected = core_func(np.asarray(args[0], dtype=np.float64), kwargs.get("axis", -1),
                             **({"temperature": kwargs["temperature"]}
                                if "temperature" in kwargs else {}))
        assert np.allclose(out, expected, rtol=1e-6, atol=1e-300, equal_nan=True)

    return check


def check_attention(out, args, kwargs):
    _, weights = out
    sums = weights.sum(axis=-1)
    ok = ~np.isnan(sums)
    assert np.allclose(sums[ok], 1) or np.all((np.isclose(sums[ok], 1)) | (sums[ok] == 0))


def check_cross_entropy(out, args, kwargs):
    values = np.asarray(out, dtype=np.float64)
    assert (values[~np.isnan(values)] >= -1e-9).all()


# ---------------------------------------------------------------------------
# The targets: every public maths function of the package
# ---------------------------------------------------------------------------


def softmax_call(data):
    x = data.draw(logits)
    shape = np.shape(x) if isinstance(x, np.ndarray) else None
    kwargs = {"axis": data.draw(axes), "temperature": data.draw(temperatures),
              "where": data.draw(masks(shape))}
    return (x,), {k: v for k, v in kwargs.items() if data.draw(st.booleans()) or k == "axis"}


def logsumexp_call(data):
    x = data.draw(logits)
    shape = np.shape(x) if isinstance(x, np.ndarray) else None
    return (x,), {"axis": data.draw(axes), "keepdims": data.draw(st.booleans()),
                  "where": data.draw(masks(shape))}


def exact_call(data, temperature=True):
    x = data.draw(array_like(max_dims=2, max_side=3))
    kwargs = {"axis": data.draw(axes), "as_float": data.draw(st.booleans())}
    if temperature:
        kwargs["temperature"] = data.draw(temperatures)
    return (x,), kwargs


def simple(strategy, **kw):
    return lambda data: ((data.draw(strategy),), {k: data.draw(v) for k, v in kw.items()})


def pair(first, second, **kw):
    return lambda data: ((data.draw(first), data.draw(second)),
                         {k: data.draw(v) for k, v in kw.items()})


def _n_classes(args):
    return np.shape(np.asarray(args[0]))[-1]


def sampling_call(data):
    x = data.draw(logits_1d)
    kwargs = {"temperature": data.draw(temperatures), "size": data.draw(optional_sizes),
              "top_k": data.draw(st.one_of(optional_sizes, st.just(10**20))),
              "top_p": data.draw(top_ps)}
    return (x, _rng(data.draw(rngs))), kwargs


def attention_qkv(data):
    n_q, n_k, d = (data.draw(st.integers(0, 3)) for _ in range(3))
    q = data.draw(st.one_of(float_arrays(2, 2, 3, floats_finite), junk))
    k = data.draw(st.one_of(hnp.arrays(np.float64, (n_k, d), elements=floats_any), junk))
    v = data.draw(st.one_of(hnp.arrays(np.float64, (n_k, 2), elements=floats_any),
                            float_arrays(1, 3, 3)))
    del n_q
    shape = (q.shape[0], n_k) if isinstance(q, np.ndarray) and q.ndim == 2 else None
    kwargs = {"mask": data.draw(masks(shape)),
              "scale": data.draw(st.sampled_from([None, 1.0, 0.0, -1.0, np.nan, np.inf, "s"]))}
    return (q, k, v), kwargs


def cross_entropy_call(data):
    x = data.draw(st.one_of(float_arrays(1, 2, 4, floats_any, min_side=1), logits))
    n_rows = int(np.prod(np.shape(x)[:-1])) if isinstance(x, np.ndarray) and x.ndim else 1
    n_classes = np.shape(x)[-1] if isinstance(x, np.ndarray) and x.ndim else 2
    if data.draw(st.booleans()):
        target = data.draw(labels_for(n_rows, n_classes))
        if isinstance(x, np.ndarray) and isinstance(target, np.ndarray) and target.ndim == 1:
            target = target.reshape(np.shape(x)[:-1]) if target.size == n_rows else target
    else:
        target = data.draw(probabilities())
    reduction = data.draw(st.sampled_from(["mean", "sum", "none", "max", None]))
    return (x, target), {"reduction": reduction}


def calibration_call(data, use_p):
    n, c = data.draw(st.integers(0, 5)), data.draw(st.integers(0, 4))
    x = data.draw(st.one_of(hnp.arrays(np.float64, (n, c), elements=floats_any), logits))
    if use_p and data.draw(st.booleans()):
        x = data.draw(probabilities(2, 2))
    shape = np.shape(x) if isinstance(x, np.ndarray) and x.ndim == 2 else (n, max(c, 1))
    labels = data.draw(labels_for(shape[0], shape[1]))
    return (x, labels), {}


def fit_temperature_call(data):
    (x, labels), _ = calibration_call(data, False)
    kwargs = {"bounds": data.draw(st.sampled_from([(0.05, 20.0), (2.0, 1.0), (0.0, 1.0),
                                                   (1e-300, 1e300), "b", (1.0,)])),
              "tol": data.draw(st.sampled_from([1e-10, 0.0, -1.0, np.nan, "t"])),
              "max_iter": data.draw(st.sampled_from([100, 1, 0, 2.5, "n"]))}
    return (x, labels), kwargs


def states(data):
    m = data.draw(st.sampled_from([0.0, -np.inf, np.inf, np.nan, 5.0, np.array([1.0, -np.inf])]))
    total = data.draw(st.sampled_from([0.0, 1.0, -1.0, np.nan, np.inf, np.array([1.0, 0.0])]))
    return online.SoftmaxState(m, total)


def value_lists(data):
    xs = data.draw(st.lists(floats_any, min_size=0, max_size=4))
    if data.draw(st.booleans()):
        xs = [autograd.Value(v) for v in xs]
    return data.draw(st.one_of(st.just(xs), junk))


def sweep_call(data):
    methods = data.draw(st.sampled_from([
        {"core": core.softmax}, {"bad": lambda x: x.astype(np.float64)[:, :1]},
        {"nan": lambda x: x * np.nan}, "softmax", {}]))
    scales = data.draw(st.sampled_from([[1.0], [0.0], [np.inf], [], "1", [1e300]]))
    dtypes = data.draw(st.sampled_from([["float64"], ["float16"], ["int8"], ["complex128"], "f8"]))
    kwargs = {"rng": data.draw(st.sampled_from([0, np.random.default_rng(1), None, "r", 1.5])),
              "n_classes": data.draw(st.sampled_from([2, 0, -1, 2.5, "3"])),
              "n_trials": data.draw(st.sampled_from([2, 0, 2.5]))}
    return (methods, scales, dtypes), kwargs


def training_call(data):
    n = data.draw(st.integers(0, 5))
    features = data.draw(st.one_of(hnp.arrays(np.float64, (n, 2), elements=floats_any), logits))
    labels = data.draw(labels_for(n, 3))
    kwargs = {"n_classes": data.draw(st.sampled_from([None, 3, 0, -1, 2.5])),
              "steps": data.draw(st.sampled_from([3, 0, -1, 2.5, "3", True])),
              "learning_rate": data.draw(st.sampled_from([0.5, 0.0, -1.0, np.nan, "lr"])),
              "use_bias": data.draw(st.booleans())}
    return (features, labels), kwargs


def decision_grid_call(data):
    weights = data.draw(st.sampled_from([np.zeros((2, 3)), np.ones((3, 3)),
                                         np.full((2, 2), np.nan)]))
    result = training.TrainingResult(weights, np.zeros(weights.shape[1]), np.zeros(1))
    lim = st.sampled_from([(-1.0, 1.0), (1.0, -1.0), (np.nan, 1.0), (0.0, np.inf), "l", (1.0,)])
    return (result, data.draw(lim), data.draw(lim)), {
        "resolution": data.draw(st.sampled_from([3, 1, 0, -1, 2.5, "3"]))}


def _p(strategy_args, **kw):
    return pair(*strategy_args, **kw)


int_arrays = st.one_of(hnp.arrays(np.int64, st.integers(0, 5), elements=st.integers(-2, 6)), junk,
                       float_arrays(1, 1, 4))

TARGETS = [
    # core
    Target("softmax", core.softmax, softmax_call, ("x", "axis", "temperature", "where"),
           check_softmax),
    Target("log_softmax", core.log_softmax, softmax_call, ("x", "axis", "temperature", "where"),
           check_log_softmax),
    Target("logsumexp", core.logsumexp, logsumexp_call, ("x", "axis", "where"), check_logsumexp),
    Target("softmax_naive", core.softmax_naive, simple(logits, axis=axes), ("x", "axis"),
           warns=("overflow", "invalid value")),
    Target("entropy", core.entropy,
           lambda d: ((d.draw(st.one_of(probabilities(), logits)),),
                      {"axis": d.draw(axes), "base": d.draw(st.sampled_from(
                          [2, np.e, 10, 1, 0, -2, np.nan, np.inf, "e", None, True]))}),
           ("p", "axis", "base"), check_entropy),
    Target("sigmoid", core.sigmoid, simple(logits), ("x",), check_sigmoid),
    # accurate
    Target("softmax_accurate", accurate.softmax_accurate, softmax_call,
           ("x", "axis", "temperature", "where"), check_softmax),
    Target("log_softmax_accurate", accurate.log_softmax_accurate, softmax_call,
           ("x", "axis", "temperature", "where"), check_log_softmax),
    Target("logsumexp_accurate", accurate.logsumexp_accurate, logsumexp_call,
           ("x", "axis", "where"), check_logsumexp),
    Target("two_sum", accurate.two_sum, pair(logits, logits), ("a", "b"), check_two_sum),
    Target("two_product", accurate.two_product, pair(logits, logits), ("a", "b")),
    # reference
    Target("softmax_exact", reference.softmax_exact, exact_call,
           ("x", "axis", "temperature", "where"), check_exact_like_core(core.softmax)),
    Target("log_softmax_exact", reference.log_softmax_exact, exact_call,
           ("x", "axis", "temperature", "where"), check_exact_like_core(core.log_softmax)),
    Target("logsumexp_exact", reference.logsumexp_exact, lambda d: exact_call(d, False),
           ("x", "axis", "where")),
    Target("ulp_error", reference.ulp_error, pair(logits, logits), ("approx", "exact")),
    # validation
    Target("as_float_array", validation.as_float_array, simple(logits), ("x",)),
    Target("check_axis", validation.check_axis,
           lambda d: ((d.draw(float_arrays(0, 3)), d.draw(axes)), {}), ("axis", "x")),
    Target("check_temperature", validation.check_temperature, simple(temperatures),
           ("temperature",)),
    Target("check_logits", validation.check_logits, softmax_call,
           ("x", "axis", "temperature", "where")),
    Target("as_logits", validation.as_logits, lambda d: ((d.draw(logits), "f"), {}), ("f", "x")),
    Target("check_distribution", validation.check_distribution,
           lambda d: ((d.draw(st.one_of(probabilities(), logits)),),
                      {"axis": d.draw(axes), "allow_nan": d.draw(st.booleans())}),
           ("p", "axis"), None),
    Target("distribution_tolerance", validation.distribution_tolerance,
           simple(st.sampled_from([np.dtype(t) for t in FLOAT_DTYPES])), ("dtype",)),
    Target("check_sampling_logits", validation.check_sampling_logits,
           simple(float_arrays(1, 2, 4)), ("x",)),
    Target("check_int", validation.check_int,
           lambda d: ((d.draw(st.one_of(sizes, st.just(10**20))), "n"),
                      {"minimum": d.draw(st.sampled_from([0, 1]))}), ("n",)),
    Target("check_number", validation.check_number,
           lambda d: ((d.draw(st.one_of(floats_any, junk)), "h"),
                      {"finite": d.draw(st.booleans()), "positive": d.draw(st.booleans())}),
           ("h",)),
    Target("as_array", validation.as_array, lambda d: ((d.draw(logits), "x"), {}), ("x",)),
    Target("check_bool_mask", validation.check_bool_mask, simple(st.one_of(masks((2, 3)), junk)),
           ("mask",)),
    Target("check_labels", validation.check_labels,
           lambda d: ((d.draw(labels_for(3, 4)), d.draw(st.sampled_from([4, 1]))),
                      {"shape": d.draw(st.sampled_from([None, (3,), (2,)]))}), ("labels",)),
    Target("check_rng", validation.check_rng, lambda d: ((_rng(d.draw(rngs)),), {}), ("rng",)),
    Target("inverse_cdf", validation.inverse_cdf,
           lambda d: ((core.softmax(d.draw(hnp.arrays(np.float64, st.integers(1, 5),
                                                      elements=floats_finite))),
                       d.draw(st.floats(0, 1, exclude_max=True)) * np.ones(())), {}),
           ("p", "u")),
    Target("apply_where", validation.apply_where,
           lambda d: ((d.draw(float_arrays(0, 2, 3)), d.draw(masks((2, 3)))), {}), ("where",)),
    # numerics
    Target("exp_limits", numerics.exp_limits,
           simple(st.sampled_from(["float16", "float32", "float64", "int8", np.float32, "x", None,
                                   "complex128"])), ("dtype",)),
    Target("naive_nan_predicted", numerics.naive_nan_predicted, simple(logits, axis=axes),
           ("x", "axis"), check_naive_prediction),
    Target("naive_softmax_report", numerics.naive_softmax_report, simple(logits, axis=axes),
           ("x", "axis")),
    Target("naive_breakdown", numerics.naive_breakdown,
           lambda d: ((d.draw(st.one_of(float_arrays(1, 1, 3), junk, logits)),
                       d.draw(st.one_of(float_arrays(1, 1, 3), junk)),
                       d.draw(st.sampled_from([["float64"], ["float16", "float32"], ["int8"],
                                               "float64", []]))), {}),
           ("base", "offsets", "dtype", "dtypes"), warns=("overflow", "invalid value")),
    Target("softmax_log_domain", numerics.softmax_log_domain, simple(logits, axis=axes),
           ("x", "axis")),
    Target("accuracy_sweep", numerics.accuracy_sweep, sweep_call,
           ("methods", "method", "scales", "dtype", "dtypes", "rng", "n_classes", "n_trials")),
    Target("sweep_table", numerics.sweep_table,
           lambda d: ((d.draw(st.sampled_from([
               [numerics.SweepRecord("float64", 1.0, "a", 0.5, 0.5, 0.0)], [], "r",
               [{"dtype": "float64", "scale": 1.0, "method": "a", "max_ulp": 0.5}]])),
               d.draw(st.sampled_from(["float64", "float16", 3]))),
               {"stat": d.draw(st.sampled_from(["max_ulp", "median_ulp", 1]))}),
           ("records", "dtype", "stat")),
    # sampling
    Target("greedy", sampling.greedy, simple(logits_1d), ("x",),
           check_index(_n_classes)),
    Target("filter_top_k", sampling.filter_top_k,
           pair(st.one_of(probabilities(), logits), st.one_of(sizes, st.just(10**20))),
           ("p", "top_k"), check_top_k),
    Target("filter_top_p", sampling.filter_top_p, pair(st.one_of(probabilities(), logits), top_ps),
           ("p", "top_p"), check_distribution_rows),
    Target("sampling_probabilities", sampling.sampling_probabilities,
           lambda d: ((d.draw(logits_1d),), {"temperature": d.draw(temperatures),
                                             "top_k": d.draw(optional_sizes),
                                             "top_p": d.draw(top_ps)}),
           ("x", "temperature", "top_k", "top_p"), check_distribution_rows),
    Target("draw_counts", sampling.draw_counts,
           lambda d: ((d.draw(st.one_of(probabilities(1, 1), logits)),
                       d.draw(st.sampled_from([5, 0, -1, 2.5, True, "5"])), _rng(d.draw(rngs))),
                      {}), ("p", "n_draws", "rng")),
    Target("sample", sampling.sample, sampling_call,
           ("x", "rng", "temperature", "top_k", "top_p", "size"), check_index(_n_classes)),
    Target("temperature_path", sampling.temperature_path,
           pair(logits_1d, st.one_of(float_arrays(0, 1, 3), junk)), ("x", "temperature",
                                                                      "temperatures"),
           check_distribution_rows),
    Target("greedy_decode", sampling.greedy_decode,
           lambda d: ((d.draw(st.one_of(st.just(scenes.STORY_LOGITS), float_arrays(2, 2, 3),
                                        logits)), d.draw(sizes), d.draw(sizes)), {}),
           ("next_logits", "start", "steps", "x")),
    Target("sample_decode", sampling.sample_decode,
           lambda d: ((d.draw(st.one_of(st.just(scenes.STORY_LOGITS), float_arrays(2, 2, 3))),
                       d.draw(sizes), d.draw(sizes), _rng(d.draw(rngs))),
                      {"temperature": d.draw(temperatures), "top_k": d.draw(optional_sizes),
                       "top_p": d.draw(top_ps)}),
           ("next_logits", "start", "steps", "rng", "temperature", "top_k", "top_p", "x")),
    Target("gumbel_max_sample", sampling.gumbel_max_sample,
           lambda d: ((d.draw(logits), _rng(d.draw(rngs))), {"size": d.draw(optional_sizes)}),
           ("x", "rng", "size")),
    # calibration
    Target("negative_log_likelihood", calibration.negative_log_likelihood,
           lambda d: (calibration_call(d, False)[0] + (d.draw(temperatures),), {}),
           ("x", "labels", "temperature")),
    Target("fit_temperature", calibration.fit_temperature, fit_temperature_call,
           ("x", "labels", "bounds", "tol", "max_iter", "temperature"),
           warns=("did not converge",)),
    Target("reliability_bins", calibration.reliability_bins,
           lambda d: (calibration_call(d, True)[0] + (d.draw(sizes),), {}),
           ("p", "labels", "n_bins")),
    Target("expected_calibration_error", calibration.expected_calibration_error,
           lambda d: (calibration_call(d, True)[0] + (d.draw(sizes),), {}),
           ("p", "labels", "n_bins")),
    Target("overconfident_classifier", scenes.overconfident_classifier,
           lambda d: ((_rng(d.draw(rngs)), d.draw(sizes), d.draw(sizes)),
                      {"overconfidence": d.draw(st.sampled_from([2.5, 0.0, -1.0, np.nan, "o"])),
                       "signal": d.draw(st.sampled_from([2.0, np.inf, "s"]))}),
           ("rng", "n_samples", "n_classes", "overconfidence", "signal")),
    # attention
    Target("attention_scores", attention.attention_scores,
           lambda d: (attention_qkv(d)[0][:2], {"scale": attention_qkv(d)[1]["scale"]}),
           ("q", "k", "scale")),
    Target("scaled_dot_product_attention", attention.scaled_dot_product_attention, attention_qkv,
           ("q", "k", "v", "mask", "scale"), check_attention),
    Target("causal_mask", attention.causal_mask, simple(sizes), ("n",)),
    Target("padding_mask", attention.padding_mask, pair(int_arrays, sizes), ("lengths", "n")),
    Target("plain_masked_softmax", attention.plain_masked_softmax,
           lambda d: ((d.draw(float_arrays(1, 2, 3)), d.draw(masks((2, 3)))),
                      {"fill_value": d.draw(st.sampled_from([-np.inf, -1.0, np.nan, "f"]))}),
           ("scores", "mask", "fill_value")),
    Target("leaked_mass", attention.leaked_mass,
           lambda d: ((d.draw(st.one_of(probabilities(), logits)), d.draw(masks((2, 3)))), {}),
           ("weights", "mask")),
    Target("row_entropy", attention.row_entropy, simple(st.one_of(probabilities(), logits)),
           ("weights",), check_row_entropy),
    Target("total_variation", attention.total_variation,
           pair(st.one_of(probabilities(), logits), st.one_of(probabilities(), logits)),
           ("p", "r"), check_in_unit_interval),
    Target("saturation_curve", attention.saturation_curve,
           lambda d: ((d.draw(st.one_of(int_arrays, st.just([1, 4]))), _rng(d.draw(rngs))),
                      {"n_keys": d.draw(sizes), "n_queries": d.draw(sizes)}),
           ("dims", "rng", "n_keys", "n_queries")),
    Target("example_sequence", scenes.example_sequence,
           lambda d: ((), {"d": d.draw(sizes), "seed": d.draw(st.sampled_from([4, -1, 2.5, None,
                                                                                "s"]))}),
           ("d", "seed")),
    # losses
    Target("one_hot", losses.one_hot, pair(int_arrays, sizes), ("labels", "n_classes")),
    Target("squared_error", losses.squared_error,
           lambda d: (cross_entropy_call(d)[0], {}), ("x", "target", "labels")),
    Target("squared_error_grad", losses.squared_error_grad,
           lambda d: (cross_entropy_call(d)[0], {}), ("x", "target", "labels")),
    Target("cross_entropy", losses.cross_entropy, cross_entropy_call,
           ("x", "target", "labels", "reduction"), check_cross_entropy),
    Target("cross_entropy_naive", losses.cross_entropy_naive, cross_entropy_call,
           ("x", "target", "labels", "reduction"), warns=("divide by zero", "overflow",
                                                           "invalid value")),
    Target("cross_entropy_grad", losses.cross_entropy_grad, cross_entropy_call,
           ("x", "target", "labels", "reduction")),
    Target("softmax_jacobian", losses.softmax_jacobian, simple(st.one_of(probabilities(), logits)),
           ("p",)),
    Target("finite_difference_gradient", losses.finite_difference_gradient,
           lambda d: ((lambda v: float(np.sum(v**2)), d.draw(st.one_of(
               float_arrays(0, 1, 3, floats_finite), junk))),
               {"h": d.draw(st.sampled_from([1e-6, 0.0, -1.0, np.nan, "h"]))}),
           ("x", "h", "f")),
    # online
    Target("state_of", online.state_of, simple(logits), ("x",)),
    Target("merge_states", online.merge_states,
           lambda d: ((states(d), d.draw(st.one_of(st.just(states(d)), junk))), {}),
           ("a", "b")),
    Target("online_normaliser", online.online_normaliser,
           lambda d: ((d.draw(logits),), {"trace": d.draw(st.booleans())}), ("x",)),
    Target("online_softmax", online.online_softmax, simple(logits), ("x",),
           check_like_core_softmax),
    Target("block_states", online.block_states, pair(logits, sizes), ("x", "block_size")),
    Target("blockwise_softmax", online.blockwise_softmax,
           lambda d: ((d.draw(logits), d.draw(sizes)),
                      {"order": d.draw(st.sampled_from([None, [0], [1, 0], [0, 0], [0.5], "o"]))}),
           ("x", "block_size", "order"), check_like_core_softmax),
    Target("tiled_attention", online.tiled_attention,
           lambda d: (attention_qkv(d)[0] + (d.draw(sizes),), {}), ("q", "k", "v", "block_size")),
    Target("sparsemax", online.sparsemax, simple(logits), ("x",), check_sparsemax),
    # autograd
    Target("softmax_values", autograd.softmax_values, lambda d: ((value_lists(d),), {}), ("x",)),
    Target("logsumexp_values", autograd.logsumexp_values, lambda d: ((value_lists(d),), {}),
           ("x",)),
    Target("cross_entropy_values", autograd.cross_entropy_values,
           lambda d: ((value_lists(d), d.draw(sizes)), {}), ("x", "label")),
    Target("Value", lambda v: (autograd.Value(v).exp() * 2).log(), simple(st.one_of(floats_any,
                                                                                   junk)),
           ("data", "value", "log")),
    # speed
    Target("softmax_numpy_steps", speed.softmax_numpy_steps, simple(logits), ("x",),
           check_like_core_softmax),
    Target("softmax_two_pass", speed.softmax_two_pass, simple(logits), ("x",),
           check_like_core_softmax),
    Target("best_time", speed.best_time,
           lambda d: ((lambda: None,), {"repeat": d.draw(sizes)}), ("repeat",)),
    # training
    Target("make_blobs", scenes.make_blobs,
           lambda d: ((_rng(d.draw(rngs)),),
                      {"n_per_class": d.draw(sizes),
                       "centres": d.draw(st.sampled_from([((0.0, 0.0),), [], "c",
                                                          [[1.0], [2.0, 3.0]], np.zeros((2, 0))])),
                       "spread": d.draw(st.sampled_from([1.0, 0.0, np.nan, "s"]))}),
           ("rng", "n_per_class", "centres", "spread")),
    Target("bigram_pairs", training.bigram_pairs,
           lambda d: ((d.draw(st.sampled_from(["abba", "a", "", 3, None, "ab\n"])),),
                      {"alphabet": d.draw(st.sampled_from([None, "ab", "", 3]))}),
           ("text", "alphabet")),
    Target("bigram_counts", training.bigram_counts,
           lambda d: ((d.draw(int_arrays), d.draw(int_arrays), d.draw(sizes)), {}),
           ("previous", "following", "n_symbols", "labels")),
    Target("learned_log_counts", training.learned_log_counts, pair(logits, logits),
           ("weights", "counts")),
    Target("train_softmax_regression", training.train_softmax_regression, training_call,
           ("features", "labels", "n_classes", "steps", "learning_rate")),
    Target("train_bigram_from_counts", training.train_bigram_from_counts,
           lambda d: ((d.draw(st.one_of(st.just(np.array([[3, 1], [2, 2]])), logits,
                                        st.sampled_from([np.zeros((2, 2)), "c", [[1, 2]]]))),),
                      {"steps": d.draw(st.sampled_from([3, 0, -1, 2.5, "3", True])),
                       "learning_rate": d.draw(st.sampled_from([0.5, 0.0, -1.0, np.nan, "lr"]))}),
           ("counts", "steps", "learning_rate")),
    Target("decision_grid", training.decision_grid, decision_grid_call,
           ("result", "xlim", "ylim", "resolution")),
]


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
@FUZZ
@given(data=st.data())
def test_only_documented_outcomes(target, data):
    args, kwargs = target.draw(data)
    run(target, args, kwargs)


def test_every_public_maths_function_is_fuzzed():
    names = {t.name for t in TARGETS}
    modules = [core, accurate, reference, validation, numerics, sampling, calibration, attention,
               losses, online, autograd, speed, training]
    public = {n for m in modules for n in m.__all__ if callable(getattr(m, n))
              and not isinstance(getattr(m, n), type)}
    left_out = {"apply_by_blocks", "ensure_tally", "output_pass"}  # helpers taking callables/state
    assert public - names - left_out == set()


def teardown_module():
    path = os.environ.get("FUZZ_COUNTS")
    if path:
        with open(path, "w") as f:
            json.dump(dict(sorted(COUNTS.items())), f, indent=1)
