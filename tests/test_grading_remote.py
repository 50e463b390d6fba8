"""Tests for the parts of the grader that decide without trusting the submission.

- The stand-in for the learner's function (tools.homework.remote): every checker,
  run in the grader on a function that lives in the sandbox, gives exactly the
  verdict and message it gives in the learner's own kernel, for right answers and
  for each kind of mistake (in-place changes, a NumPy array for a list, a stream
  read twice, its length asked, stored in memory, exceptions of any type).
- The plain-data format (tools.homework.inside.plain): what it rebuilds, and what
  it refuses (object arrays, pickles, shapes that do not fit).
- The rules read from the source (tools.homework.rules): answers that import the
  package's implementation or read solutions/, constructs that reach into the
  grader, and no false alarm on the course's own solutions.
"""

from __future__ import annotations

import base64
import collections
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from softmax_lessons.checks import EXERCISES
from softmax_lessons.checks.runner import diagnose_quietly
from tools.homework import rules
from tools.homework.grading import Handout
from tools.homework.inside.plain import Opaque, PlainDataError, decode, encode
from tools.homework.remote import RemoteFunction
from tools.homework.sandbox import Limits, Sandbox, sandbox_problem

ROOT = Path(__file__).resolve().parent.parent

# Implementations written as a learner would, right and wrong; each is run twice:
# here (as the learner's kernel would) and in the sandbox through the stand-in.
SOURCE = '''
import collections
import math
import numpy as np

def softmax_py(x):
    m = max(x)
    e = [math.exp(v - m) for v in x]
    return [v / sum(e) for v in e]

def softmax_py_array(x):
    return np.array(softmax_py(x))

def softmax_py_in_place(x):
    for i, v in enumerate(x):
        x[i] = math.exp(v)
    return [v / sum(x) for v in x]

def softmax_py_divides(x):
    return [v / sum(x) for v in x]

def softmax_py_tuple_of_numpy_floats(x):
    return tuple(np.float64(v) for v in softmax_py(x))

def stable_softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)

def rows_wrong_axis(x):
    return np.exp(x) / np.exp(x).sum(axis=0)

def rows_no_keepdims(x):
    return np.exp(x) / np.exp(x).sum(axis=1)

def log_of_softmax(x):
    return np.log(stable_softmax(x))

def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)

def fast_two_sum(a, b):
    return a + b, b - ((a + b) - a)

def softmax_two_sum(x):
    d_hi, d_lo = two_sum(x, -np.max(x))
    e = np.exp(d_hi) * (1 + d_lo)
    return e / e.sum()

def temperature_multiplies(x, t):
    return stable_softmax(x * t)

def top_k(p, k):
    keep = np.argsort(-p, kind="stable")[:k]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum()

def top_k_in_place(p, k):
    p[np.argsort(p)[:-k]] = 0.0
    return p / p.sum()

def top_p_at_most(p, top_p):
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]
    keep = order[before <= top_p]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum()

def causal_mask(n):
    i = np.arange(n)
    return i[:, None] >= i[None, :]

def causal_mask_floats(n):
    return np.tril(np.ones((n, n)))

def masked_softmax_zero(scores, mask):
    return stable_softmax(np.where(mask, scores, 0.0))

def attention(q, k, v, mask=None):
    s = q @ k.T / np.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    w = stable_softmax(s)
    return w @ v, w

def attention_as_list(q, k, v, mask=None):
    return list(attention(q, k, v, mask))

def cross_entropy(logits, labels):
    m = logits.max(axis=-1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=-1))
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))

def cross_entropy_summed(logits, labels):
    return cross_entropy(logits, labels) * len(labels)

def ce_grad_not_averaged(logits, labels):
    return stable_softmax(logits) - np.eye(logits.shape[1])[labels]

def jacobian_diagonal(p):
    return np.diag(p * (1 - p))

def online_softmax(xs):
    m, s = -math.inf, 0.0
    for x in xs:
        new_m = max(m, x)
        s = s * math.exp(m - new_m) + math.exp(x - new_m)
        m = new_m
    return m, s

State = collections.namedtuple("State", "m s")

def online_softmax_named(xs):
    return State(*online_softmax(xs))

def online_two_passes(xs):
    m = max(xs)
    return m, sum(math.exp(x - m) for x in xs)

def online_asks_length(xs):
    return xs[0] if len(xs) else 0.0, 1.0

def online_indexes(xs):
    return xs[0], 1.0

def online_stores(xs):
    xs = list(xs)
    m = max(xs)
    return m, sum(math.exp(x - m) for x in xs)

def online_retries_after_second_read(xs):
    m, s = online_softmax(xs)
    try:
        iter(xs)
    except Exception:
        pass
    return m, s

def merge_states(a, b):
    m = max(a[0], b[0])
    if m == -math.inf:
        return a
    return m, a[1] * math.exp(a[0] - m) + b[1] * math.exp(b[0] - m)

def merge_no_rescale(a, b):
    return max(a[0], b[0]), a[1] + b[1]

def not_attempted(*args):
    raise NotImplementedError()

class Oops(Exception):
    pass

def raises_its_own(*args):
    raise Oops("something broke")

def raises_value_error(*args):
    raise ValueError("operands could not be broadcast together")

def returns_none(*args):
    return None

def returns_an_object(*args):
    return object()

def logits_from_probs(p):
    log_p = np.log(p)
    return log_p - np.mean(log_p, axis=-1, keepdims=True)

def logits_log2(p):
    log_p = np.log2(p)
    return log_p - np.mean(log_p, axis=-1, keepdims=True)

def entropy_bits(x):
    m = np.max(x, axis=-1, keepdims=True)
    log_p = (x - m) - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
    return -np.sum(np.exp(log_p) * log_p, axis=-1) / np.log(2)

def entropy_nats(x):
    return entropy_bits(x) * np.log(2)

def log_sigmoid(z):
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))

def log_sigmoid_naive(z):
    return -np.log(1 + np.exp(-z))

def logsumexp_rows(x):
    m = np.max(x, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]

def logsumexp_unguarded(x):
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]

def ece(p, labels, n_bins):
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == labels
    which = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], confidence, side="left")
    total = 0.0
    for b in range(n_bins):
        in_bin = which == b
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(total)

def ece_unweighted(p, labels, n_bins):
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == labels
    which = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], confidence, side="left")
    gaps = [abs(correct[which == b].mean() - confidence[which == b].mean())
            for b in range(n_bins) if (which == b).any()]
    return float(np.mean(gaps))

def fit_temperature(logits, labels):
    rows = np.arange(len(labels))
    def nll(t):
        z = logits / t
        log_p = z - z.max(axis=1, keepdims=True)
        log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        return -log_p[rows, labels].mean()
    grid = np.geomspace(0.05, 20.0, 200)
    best = grid[np.argmin([nll(t) for t in grid])]
    fine = np.geomspace(best / 1.05, best * 1.05, 201)
    return float(fine[np.argmin([nll(t) for t in fine])])

def fit_temperature_one(logits, labels):
    return 1.0

def generate(next_logits, start, steps, rng, top_p):
    tokens = [int(start)]
    for _ in range(steps):
        row = next_logits[tokens[-1]]
        q = top_p_at_most(stable_softmax(row), top_p)
        tokens.append(int(rng.choice(len(q), p=q)))
    return tokens

def generate_from_start_row(next_logits, start, steps, rng, top_p):
    q = top_p_at_most(stable_softmax(next_logits[start]), top_p)
    return [int(start)] + [int(rng.choice(len(q), p=q)) for _ in range(steps)]

def multi_head_attention(q, k, v, n_heads, scale_by=None):
    d_head, dv_head = q.shape[1] // n_heads, v.shape[1] // n_heads
    outputs, weights = [], []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        w = stable_softmax(q[:, cols] @ k[:, cols].T / np.sqrt(scale_by or d_head))
        outputs.append(w @ v[:, h * dv_head:(h + 1) * dv_head])
        weights.append(w)
    return np.concatenate(outputs, axis=1), np.stack(weights)

def multi_head_scaled_by_d(q, k, v, n_heads):
    return multi_head_attention(q, k, v, n_heads, scale_by=q.shape[1])

def cross_entropy_grad(logits, labels):
    return ce_grad_not_averaged(logits, labels) / len(labels)

def gradient_step(features, labels, weights, bias, learning_rate):
    grad_logits = cross_entropy_grad(features @ weights + bias, labels)
    return (weights - learning_rate * features.T @ grad_logits,
            bias - learning_rate * grad_logits.sum(axis=0))

def gradient_step_in_place(features, labels, weights, bias, learning_rate):
    grad_logits = cross_entropy_grad(features @ weights + bias, labels)
    weights -= learning_rate * features.T @ grad_logits
    bias -= learning_rate * grad_logits.sum(axis=0)
    return weights, bias

def smoothed_loss_and_grad(logits, labels, epsilon):
    n, k = logits.shape
    target = (1 - epsilon) * np.eye(k)[labels] + epsilon / k
    m = logits.max(axis=1, keepdims=True)
    log_p = (logits - m) - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(target * log_p, axis=1))), (np.exp(log_p) - target) / n

def smoothed_log_of_softmax(logits, labels, epsilon):
    n, k = logits.shape
    target = (1 - epsilon) * np.eye(k)[labels] + epsilon / k
    p = stable_softmax(logits)
    return float(-np.mean(np.sum(target * np.log(p), axis=1))), (p - target) / n

def gumbel_max(x, rng, size):
    u = rng.random((size, len(x)))
    return np.argmax(x - np.log(-np.log(u)), axis=-1)

def gumbel_one_noise(x, rng, size):
    u = rng.random(len(x))
    return np.full(size, np.argmax(x - np.log(-np.log(u))))

def online_attention(pairs):
    m, s, acc = -math.inf, 0.0, 0.0
    for score, value in pairs:
        new_m = max(m, score)
        scale, weight = math.exp(m - new_m), math.exp(score - new_m)
        s, acc, m = s * scale + weight, acc * scale + weight * value, new_m
    return acc / s

def online_attention_stores(pairs):
    pairs = list(pairs)
    w = stable_softmax(np.array([score for score, _ in pairs]))
    return w @ np.array([value for _, value in pairs])

class Lying(list):
    def __eq__(self, other):
        return True

def softmax_py_lying_list(x):
    return Lying([0.5] * len(x))
'''

CASES = [
    ("01.1", "softmax_py"), ("01.1", "softmax_py_array"), ("01.1", "softmax_py_in_place"),
    ("01.1", "softmax_py_divides"), ("01.1", "softmax_py_tuple_of_numpy_floats"),
    ("01.1", "softmax_py_lying_list"), ("01.1", "returns_none"),
    ("01.3", "stable_softmax"), ("01.3", "rows_wrong_axis"), ("01.3", "rows_no_keepdims"),
    ("02.1", "stable_softmax"), ("02.1", "naive_softmax"), ("02.3", "log_of_softmax"),
    ("02.4", "two_sum"), ("02.4", "fast_two_sum"), ("02.5", "softmax_two_sum"),
    ("02.5", "stable_softmax"), ("03.1", "temperature_multiplies"), ("03.3", "top_k"),
    ("03.3", "top_k_in_place"), ("03.4", "top_p_at_most"), ("04.1", "causal_mask"),
    ("04.1", "causal_mask_floats"), ("04.2", "masked_softmax_zero"), ("04.3", "attention"),
    ("04.3", "attention_as_list"), ("05.1", "cross_entropy"), ("05.1", "cross_entropy_summed"),
    ("05.3", "ce_grad_not_averaged"), ("05.4", "jacobian_diagonal"),
    ("06.1", "online_softmax"), ("06.1", "online_softmax_named"), ("06.1", "online_two_passes"),
    ("06.1", "online_asks_length"), ("06.1", "online_indexes"), ("06.1", "online_stores"),
    ("06.1", "online_retries_after_second_read"), ("06.2", "merge_states"),
    ("06.2", "merge_no_rescale"), ("03.3", "not_attempted"), ("04.3", "raises_its_own"),
    ("01.3", "raises_value_error"), ("05.4", "returns_an_object"),
    ("01.5", "logits_from_probs"), ("01.5", "logits_log2"), ("01.6", "entropy_bits"),
    ("01.6", "entropy_nats"), ("02.6", "log_sigmoid"), ("02.6", "log_sigmoid_naive"),
    ("02.7", "logsumexp_rows"), ("02.7", "logsumexp_unguarded"), ("03.5", "ece"),
    ("03.5", "ece_unweighted"), ("03.6", "fit_temperature"), ("03.6", "fit_temperature_one"),
    ("03.8", "generate"), ("03.8", "generate_from_start_row"),
    ("04.6", "multi_head_attention"), ("04.6", "multi_head_scaled_by_d"),
    ("05.5", "gradient_step"), ("05.5", "gradient_step_in_place"),
    ("05.6", "smoothed_loss_and_grad"), ("05.6", "smoothed_log_of_softmax"),
    ("06.3", "gumbel_max"), ("06.3", "gumbel_one_noise"), ("06.4", "online_attention"),
    ("06.4", "online_attention_stores"),
]


@pytest.fixture(scope="module")
def box():
    """One sandbox (or, without bubblewrap, the same runner unsandboxed) with SOURCE run."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    limits = Limits()
    with Sandbox(limits, 300, sandboxed=sandbox_problem() is None) as sandbox:
        sandbox.send({"notebook": nb, "limits": {"execution_budget": 120, "wall": 300}})
        assert sandbox.receive("executed") == {"events": []}
        yield sandbox


@pytest.fixture(scope="module")
def here():
    namespace: dict = {}
    exec(SOURCE, namespace)
    return namespace


@pytest.mark.parametrize(("exercise", "name"), CASES, ids=[f"{e}-{n}" for e, n in CASES])
def test_a_checker_gives_the_same_verdict_on_a_function_in_the_sandbox(box, here, exercise,
                                                                        name):
    diagnose = EXERCISES[exercise].diagnose
    local = diagnose_quietly(exercise, diagnose, here[name])
    remote = diagnose_quietly(exercise, diagnose, RemoteFunction(box, name, 20))
    assert remote == local


def test_the_cases_cover_every_status_and_every_exercise(here):
    statuses = {diagnose_quietly(e, EXERCISES[e].diagnose, here[n]).status for e, n in CASES}
    assert statuses == {"passed", "failed", "error", "not attempted"}
    assert {e for e, _ in CASES} == set(EXERCISES)


def test_in_place_changes_come_back_to_the_grader(box):
    given = [2.0, 1.0, 0.0]
    RemoteFunction(box, "softmax_py_in_place", 20)(given)
    assert given == [math.exp(2.0), math.exp(1.0), 1.0]
    p = np.array([0.1, 0.2, 0.7])
    RemoteFunction(box, "top_k_in_place", 20)(p, 1)
    assert p.tolist() == [0.0, 0.0, 0.7]


def test_a_random_generator_draws_in_the_sandbox_as_here_and_moves_on_as_it_did(box, here):
    x = np.array([0.5, 1.0, -2.0])
    mine, theirs = np.random.default_rng(7), np.random.default_rng(7)
    remote = RemoteFunction(box, "gumbel_max", 20)(x, mine, 50)
    assert remote.tolist() == here["gumbel_max"](x, theirs, 50).tolist()
    assert mine.bit_generator.state == theirs.bit_generator.state  # drawn as much as here
    assert mine.random() == theirs.random()


def test_a_function_that_runs_past_the_time_limit_stops_the_check(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "def softmax_py(x):\n    while len(x) == 1:\n        pass\n"
        "    return [1.0 / len(x)] * len(x)"
    )])
    from tools.homework.remote import CheckTimedOut

    with Sandbox(Limits(), 60, sandboxed=sandbox_problem() is None) as sandbox:
        sandbox.send({"notebook": nb, "limits": {"execution_budget": 30, "wall": 60,
                                                 "check_timeout": 2}})
        sandbox.receive("executed")
        slow = RemoteFunction(sandbox, "softmax_py", 2)
        assert slow([1.0, 2.0]) == [0.5, 0.5]
        with pytest.raises(CheckTimedOut, match="ran past the time limit of the checks"):
            slow([1.0])
        # the kernel was interrupted, not lost: the function answers again
        assert RemoteFunction(sandbox, "softmax_py", 2)([1.0, 2.0, 3.0]) == [1 / 3] * 3


# ---------------------------------------------------------------------------
# Plain data
# ---------------------------------------------------------------------------


def test_plain_data_keeps_types_dtypes_and_shapes():
    Pair = collections.namedtuple("Pair", "a b")
    value = [None, True, 7, 2.5, float("inf"), -0.0, 1 + 2j, "text", (1, [2.0]), {"k": (3,)},
             np.arange(6, dtype=np.int32).reshape(2, 3), np.array(True), np.float64(0.25),
             np.float32(1.5), np.array([[True, False]]), Pair(1.0, 2.0), np.zeros((0, 4))]
    back = decode(encode(value))
    assert back[:10] == value[:10]
    assert math.copysign(1, back[5]) == -1
    arr = back[10]
    assert arr.dtype == np.int32 and arr.shape == (2, 3) and arr.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back[11].shape == () and back[11].dtype == np.bool_
    assert type(back[12]) is np.float64 and type(back[13]) is np.float32
    assert back[14].dtype == np.bool_
    assert type(back[15]) is tuple and back[15] == (1.0, 2.0)
    assert back[16].shape == (0, 4)
    assert np.isnan(decode(encode(float("nan"))))


def test_values_that_are_not_plain_data_come_back_as_their_type_name_only():
    class Secret:
        def __reduce__(self):
            raise AssertionError("never pickled")

    for value, name in ((Secret(), "Secret"), (np.array([object()]), "array_of_object"),
                        (np.array(["a"]), "array_of__U1"), (lambda: 0, "function")):
        back = decode(encode(value))
        assert isinstance(back, Opaque)
        assert type(back).__name__ == name


@pytest.mark.parametrize(
    "node",
    [
        {"t": "array", "dtype": "|O", "shape": [1], "data": ""},
        {"t": "array", "dtype": "<f8", "shape": [2], "data": base64.b64encode(b"x" * 8).decode()},
        {"t": "array", "dtype": "[('a', '<f8')]", "shape": [1], "data": ""},
        {"t": "array", "dtype": "<f8", "shape": [-1], "data": ""},
        {"t": "pickle", "v": base64.b64encode(b"cos\nsystem\n").decode()},
        {"t": "scalar", "dtype": "<f8", "data": "not base64!"},
        {"t": "float", "v": 1.5},
        {"t": "stream", "v": []},
        {"t": "int", "v": "1" * 5000},
        "not a node",
    ],
)
def test_data_outside_the_format_is_refused(node):
    with pytest.raises(PlainDataError):
        decode(node)


def test_deep_nesting_is_refused():
    node = {"t": "none"}
    for _ in range(100):
        node = {"t": "list", "v": [node]}
    with pytest.raises(PlainDataError, match="nested too deeply"):
        decode(node)


# ---------------------------------------------------------------------------
# Rules read from the source
# ---------------------------------------------------------------------------


def notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


@pytest.mark.parametrize(
    ("sources", "function", "problem"),
    [
        (["from softmax_lessons import softmax", "def stable_softmax(x):\n    return softmax(x)"],
         "stable_softmax", "uses softmax_lessons.softmax (cell 2)"),
        (["import softmax_lessons.sampling as s",
          "def top_k_filter(p, k):\n    return s.filter_top_k(p, k)"],
         "top_k_filter", "uses softmax_lessons.sampling.filter_top_k (cell 2)"),
        (["def top_k_filter(p, k):\n    from softmax_lessons.sampling import filter_top_k\n"
          "    return filter_top_k(p, k)"],
         "top_k_filter", "imports softmax_lessons.sampling.filter_top_k (cell 1)"),
        (["from softmax_lessons.core import *", "def log_softmax(x):\n    return logsumexp(x)"],
         "log_softmax", "uses softmax_lessons.core.logsumexp (cell 2)"),
        (["from softmax_lessons import log_softmax"], "log_softmax",
         "is softmax_lessons.log_softmax itself (cell 1)"),
        (["import softmax_lessons as sl", "helper = sl.attention",
          "def attention(q, k, v, mask=None):\n    return helper.attention(q, k, v, mask)"],
         "attention", "uses softmax_lessons.attention (cell 2, in helper)"),
        (["def softmax_py(x):\n    import json\n"
          "    nb = json.load(open('../solutions/01_definition.ipynb'))\n    return nb"],
         "softmax_py", "reads the course's solutions (cell 1: '../solutions/01_definition.ipynb')"),
        (["def cross_entropy(logits, labels):\n"
          "    m = __import__('softmax_' + 'lessons')\n    return m.losses"],
         "cross_entropy", None),
        (["import importlib", "def causal_mask(n):\n"
          "    return importlib.import_module('softmax_lessons.attention').causal_mask(n)"],
         "causal_mask", "names softmax_lessons in a string (cell 2)"),
    ],
)
def test_an_answer_that_uses_the_package_or_the_solutions_is_found(sources, function, problem):
    found = rules.answer_problems(notebook(*sources), function)
    if problem is None:  # hidden from the source: the tampering rule and the sandbox see it
        assert found == [] and rules.tampering(notebook(*sources))
    else:
        assert found == [problem]


@pytest.mark.parametrize(
    "sources",
    [
        ["from softmax_lessons import softmax", "def stable_softmax(x):\n"
         "    softmax = lambda v: np.exp(v - v.max()) / np.exp(v - v.max()).sum()\n"
         "    return softmax(x)"],
        ["from softmax_lessons import softmax", "def stable_softmax(x):\n    return x",
         "print(softmax([1.0, 2.0]))"],
        ["from softmax_lessons.checks import check_stable_softmax",
         "def stable_softmax(x):\n    return x", "check_stable_softmax(stable_softmax)"],
    ],
)
def test_the_package_used_outside_the_answer_is_not_a_problem(sources):
    assert rules.answer_problems(notebook(*sources), "stable_softmax") == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("exec('x = 1')", "cell 1 uses exec (runs code from a string)"),
        ("import sys\nsys.modules['x'] = None", "cell 1 uses sys.modules"),
        ("import gc", "cell 1 imports gc (reaches into the interpreter's objects)"),
        ("import ctypes", "cell 1 imports ctypes"),
        ("import subprocess as sp", "cell 1 imports subprocess (starts other programs)"),
        ("import os as o\no.system('ls')", "cell 1 uses os.system"),
        ("from os import fork", "cell 1 imports os.fork"),
        ("!cat ../solutions/01_definition.ipynb", "cell 1 runs a shell command (!cmd)"),
        ("%%bash\nls", "cell 1 uses the magic %bash (runs other code)"),
        ("get_ipython().user_ns['x'] = 1", "cell 1 uses get_ipython().user_ns"),
        ("f = lambda: 0\nf.__globals__", "cell 1 uses the attribute __globals__"),
        ("import grading_inside.kernel", "cell 1 imports grading_inside.kernel"),
        ("import threading", "cell 1 imports threading (starts threads)"),
        ("import signal", "cell 1 imports signal (handles signals)"),
        ("import tracemalloc", "cell 1 imports tracemalloc"),
    ],
)
def test_constructs_that_could_reach_into_the_grader_are_flagged(source, found):
    assert any(line.startswith(found) for line in rules.tampering(notebook(source)))


def test_the_course_notebooks_raise_no_alarm():
    handout = Handout.read()
    for folder in ("solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            assert rules.tampering(nb) == [], path
            for function in handout.notebooks[path.name].values():
                assert rules.answer_problems(nb, function) == [], (path, function)
