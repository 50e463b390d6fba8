"""Tests for softmax_lessons.checks: each checker accepts a right answer and names each mistake.

Every wrong implementation below makes one of the course's common mistakes (or a
typical slip for that exercise); the test asserts the checker's specific message,
so a checker that only said "wrong" would fail here.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from softmax_lessons import checks

# ---------------------------------------------------------------------------
# Right answers, written independently of the package
# ---------------------------------------------------------------------------


def softmax_py(x):
    m = max(x)
    exps = [math.exp(v - m) for v in x]
    total = sum(exps)
    return [e / total for e in exps]


def stable_softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def softmax_two_sum(x, sign=1.0):
    d_hi, d_lo = two_sum(x, -np.max(x))
    e = np.exp(d_hi) * (1 + sign * d_lo)
    return e / e.sum()


def softmax_temperature(x, temperature):
    return stable_softmax(x / temperature)


def top_k_filter(p, k, renormalise=True, largest=True):
    # the course's tie rule: among equal probabilities the lower index is more likely
    order = np.argsort(-p, kind="stable") if largest else np.argsort(p, kind="stable")
    keep = order[:k]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum() if renormalise else out


def top_p_filter(p, top_p, extra=0, include_crossing=True, renormalise=True):
    order = np.argsort(-p, kind="stable")
    cum = np.cumsum(p[order])
    n_keep = int(np.searchsorted(cum, top_p)) + (1 if include_crossing else 0) + extra
    keep = order[:n_keep]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum() if renormalise else out


def causal_mask(n):
    i = np.arange(n)
    return i[:, None] >= i[None, :]


def masked_softmax(scores, mask, fill=-np.inf):
    return stable_softmax(np.where(mask, scores, fill))


def attention(q, k, v, mask=None, scale=None, axis=-1, fill=-np.inf):
    scale = np.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.T / scale
    if mask is not None:
        scores = np.where(mask, scores, fill)
    w = np.exp(scores - scores.max(axis=axis, keepdims=True))
    w = w / w.sum(axis=axis, keepdims=True)
    return w @ v, w


def cross_entropy(logits, labels):
    m = logits.max(axis=-1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=-1))
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))


def cross_entropy_grad(logits, labels):
    g = stable_softmax(logits)
    g[np.arange(len(labels)), labels] -= 1
    return g / len(labels)


def softmax_jacobian(p):
    return np.diag(p) - np.outer(p, p)


def online_softmax(xs):
    m, s = -math.inf, 0.0
    for x in xs:
        new_m = max(m, x)
        s = s * math.exp(m - new_m) + math.exp(x - new_m)
        m = new_m
    return m, s


def merge_states(a, b):
    m = max(a[0], b[0])
    return m, a[1] * math.exp(a[0] - m) + b[1] * math.exp(b[0] - m)


RIGHT = [
    (checks.check_softmax_py, softmax_py),
    (checks.check_softmax_rows, stable_softmax),
    (checks.check_stable_softmax, stable_softmax),
    (checks.check_log_softmax, log_softmax),
    (checks.check_two_sum, two_sum),
    (checks.check_softmax_two_sum, softmax_two_sum),
    (checks.check_softmax_temperature, softmax_temperature),
    (checks.check_top_k, top_k_filter),
    (checks.check_top_p, top_p_filter),
    (checks.check_causal_mask, causal_mask),
    (checks.check_masked_softmax, masked_softmax),
    (checks.check_attention, attention),
    (checks.check_cross_entropy, cross_entropy),
    (checks.check_cross_entropy_grad, cross_entropy_grad),
    (checks.check_softmax_jacobian, softmax_jacobian),
    (checks.check_online_softmax, online_softmax),
    (checks.check_merge_states, merge_states),
]


@pytest.mark.parametrize(("checker", "fn"), RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_right_answer_passes_with_a_short_confirmation(checker, fn, capsys):
    result = checker(fn)
    out = capsys.readouterr().out
    assert result.passed, result.message
    assert out.startswith(f"✓ Exercise {result.exercise} passed: ")
    assert out.count("\n") == 1


def test_every_registered_exercise_has_exactly_one_checker():
    exercises = {checker(fn).exercise for checker, fn in RIGHT}
    assert exercises == set(checks.EXERCISES)


# ---------------------------------------------------------------------------
# Wrong answers: one (or more) per mistake, each with its specific message
# ---------------------------------------------------------------------------


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_py_in_place(x):
    m = max(x)
    for i, v in enumerate(x):
        x[i] = math.exp(v - m)
    total = sum(x)
    return [v / total for v in x]


def log_naive_lse(x):
    return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))


def top_k_in_place(p, k):
    p[np.argsort(p)[:-k]] = 0.0
    return p / p.sum()


def online_two_passes(xs):
    m = max(xs)
    return m, sum(math.exp(x - m) for x in xs)


def online_no_rescale(xs):
    m, s = -math.inf, 0.0
    for x in xs:
        m = max(m, x)
        s += math.exp(x - m)
    return m, s


def online_stores_the_input(xs):
    xs = list(xs)  # one read of the stream, then two passes over the copy
    m = max(xs)
    return m, sum(math.exp(x - m) for x in xs)


def online_asks_for_the_length(xs):
    m, s = -math.inf, 0.0
    for i in range(len(xs)):
        new_m = max(m, xs[i])
        s = s * math.exp(m - new_m) + math.exp(xs[i] - new_m)
        m = new_m
    return m, s


def online_indexes_the_input(xs):
    return xs[0], 1.0


def log_softmax_batch_max(x):
    m = np.max(x)  # the maximum of the whole batch, not of each row
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def top_k_keeps_ties(p, k):
    out = np.where(p >= np.sort(p)[-k], p, 0.0)
    return out / out.sum()


def top_k_ties_to_higher_index(p, k):
    keep = np.argsort(p, kind="stable")[::-1][:k]
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum()


def top_p_keeps_while_at_most(p, top_p):
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]
    keep = order[before <= top_p]  # should be < top_p: reaching it is enough
    out = np.zeros_like(p)
    out[keep] = p[keep]
    return out / out.sum()


def softmax_then_mask(scores, mask, shift=True):
    p = stable_softmax(scores) if shift else naive_softmax(scores)
    p = p * mask
    return p / p.sum(axis=-1, keepdims=True)


def attention_ignores_mask(q, k, v, mask=None):
    return attention(q, k, v, None)


def online_starts_at_zero(xs):
    m, s = 0.0, 0.0
    for x in xs:
        new_m = max(m, x)
        s = s * math.exp(m - new_m) + math.exp(x - new_m)
        m = new_m
    return m, s


WRONG = [
    # 01.1 softmax in pure Python
    (
        "01.1",
        checks.check_softmax_py,
        lambda x: [v / sum(x) for v in x],
        "divided the logits by their sum",
    ),
    (
        "01.1",
        checks.check_softmax_py,
        lambda x: [math.exp(v) for v in x],
        "returned the exponentials themselves",
    ),
    ("01.1", checks.check_softmax_py, lambda x: np.array(softmax_py(x)), "returned a NumPy array"),
    ("01.1", checks.check_softmax_py, softmax_py_in_place, "changed the list it was given"),
    ("01.1", checks.check_softmax_py, lambda x: None, "forget `return`"),
    # 01.3 softmax over the wrong axis of a batch
    (
        "01.3",
        checks.check_softmax_rows,
        lambda x: np.exp(x) / np.exp(x).sum(axis=0),
        "each column sums to 1 but the rows do not: softmax over the wrong axis",
    ),
    (
        "01.3",
        checks.check_softmax_rows,
        lambda x: np.exp(x) / np.exp(x).sum(),
        "the whole array sums to 1, not each row",
    ),
    (
        "01.3",
        checks.check_softmax_rows,
        lambda x: np.exp(x) / np.exp(x).sum(axis=1),
        "keepdims=True",
    ),
    # 02.1 exponentiating without subtracting the max
    (
        "02.1",
        checks.check_stable_softmax,
        naive_softmax,
        "fine on small logits, but NaN on (1000, 1001, 999)",
    ),
    (
        "02.1",
        checks.check_stable_softmax,
        lambda x: naive_softmax(x - x.min(axis=-1, keepdims=True)),
        "on (0, 2000, 1): exp overflows or underflows without a shift; subtract the maximum",
    ),
    (
        "02.1",
        checks.check_stable_softmax,
        lambda x: naive_softmax(x - x.max()),
        "take the maximum of each row",
    ),
    # 02.3 log of softmax instead of log-softmax
    (
        "02.3",
        checks.check_log_softmax,
        lambda x: np.log(stable_softmax(x)),
        "that is log of softmax",
    ),
    (
        "02.3",
        checks.check_log_softmax,
        log_naive_lse,
        "fine on small logits, but inf on (1000, 1001, 999)",
    ),
    (
        "02.3",
        checks.check_log_softmax,
        log_softmax_batch_max,
        "(0, 1, 2) and (1000, 1001, 999): take the maximum of each row",
    ),
    # 02.4 TwoSum
    ("02.4", checks.check_two_sum, lambda a, b: (a + b, 0.0), "your error term is 0 on (0.1, 0.2)"),
    (
        "02.4",
        checks.check_two_sum,
        lambda a, b: (two_sum(a, b)[0], -two_sum(a, b)[1]),
        "error term has the wrong sign",
    ),
    (
        "02.4",
        checks.check_two_sum,
        lambda a, b: (a + b, b - ((a + b) - a)),
        "(Fast2Sum) needs |a| >= |b|",
    ),
    # 02.5 winning back the last digits
    (
        "02.5",
        checks.check_softmax_two_sum,
        stable_softmax,
        "no more accurate than the plain shifted softmax",
    ),
    (
        "02.5",
        checks.check_softmax_two_sum,
        lambda x: softmax_two_sum(x, sign=-1.0),
        "makes the result worse",
    ),
    (
        "02.5",
        checks.check_softmax_two_sum,
        naive_softmax,
        "subtract the maximum before exponentiating",
    ),
    # 03.1 temperature that multiplies instead of divides
    (
        "03.1",
        checks.check_softmax_temperature,
        lambda x, t: stable_softmax(x * t),
        "you multiplied the logits by the temperature; divide them",
    ),
    (
        "03.1",
        checks.check_softmax_temperature,
        lambda x, t: naive_softmax(x / t),
        "at T = 0.01: x / T reaches 1000 and exp overflows",
    ),
    (
        "03.1",
        checks.check_softmax_temperature,
        lambda x, t: stable_softmax(x) ** (1 / t),
        "at T = 2 your probabilities sum to 1.61, not 1",
    ),
    # 03.3 top-k that forgets to renormalise
    (
        "03.3",
        checks.check_top_k,
        lambda p, k: top_k_filter(p, k, renormalise=False),
        "sum to 0.7, not 1: after zeroing the other tokens, renormalise",
    ),
    (
        "03.3",
        checks.check_top_k,
        lambda p, k: top_k_filter(p, k, largest=False),
        "dropped the more likely token",
    ),
    ("03.3", checks.check_top_k, top_k_in_place, "changed the array it was given"),
    (
        "03.3",
        checks.check_top_k,
        top_k_keeps_ties,
        "with k = 1 you kept 2 tokens: several tie at the k-th place, but top-k keeps exactly k",
    ),
    (
        "03.3",
        checks.check_top_k,
        top_k_ties_to_higher_index,
        "with k = 1 you kept token(s) [3]: on a tie the lower index counts as more likely",
    ),
    # 03.4 top-p
    (
        "03.4",
        checks.check_top_p,
        lambda p, t: top_p_filter(p, t, renormalise=False),
        "renormalise the kept ones",
    ),
    (
        "03.4",
        checks.check_top_p,
        lambda p, t: top_p_filter(p, t, include_crossing=False),
        "include the token that crosses it",
    ),
    (
        "03.4",
        checks.check_top_p,
        lambda p, t: top_p_filter(p, t, extra=1),
        "you kept 3 tokens where 2 already reach top_p",
    ),
    (
        "03.4",
        checks.check_top_p,
        top_p_keeps_while_at_most,
        "with top_p = 0.75 you kept 3 tokens where 2 already reach top_p: stop at the first "
        "token whose cumulative probability reaches it (here the 2 most likely total exactly "
        "0.75: reaching means >=",
    ),
    # 04.1 causal mask
    ("04.1", checks.check_causal_mask, lambda n: causal_mask(n).T, "your mask is the transpose"),
    (
        "04.1",
        checks.check_causal_mask,
        lambda n: causal_mask(n) & ~np.eye(n, dtype=bool),
        "attend to itself",
    ),
    ("04.1", checks.check_causal_mask, lambda n: np.tril(np.ones((n, n))), "return booleans"),
    # 04.2 masking with 0 instead of -inf
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: masked_softmax(s, m, fill=0.0),
        "a score of 0 is not 'nothing', since exp(0) = 1; mask with -inf instead of 0",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: masked_softmax(s, m, fill=-10.0),
        "not negative enough; use -inf",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: stable_softmax(s) * m,
        "zeroing probabilities after the softmax does not renormalise",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: naive_softmax(np.where(m, s, -np.inf)),
        "subtract the maximum",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        softmax_then_mask,
        "NaN on scores whose masked positions are huge (1000) and allowed ones small: the "
        "softmax ran before the mask",
    ),
    (
        "04.2",
        checks.check_masked_softmax,
        lambda s, m: softmax_then_mask(s, m, shift=False),
        "renormalising gave 0 / 0; mask the scores with -inf before the softmax",
    ),
    # 04.3 attention
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, scale=1.0),
        "too sharp: divide the scores by sqrt(d) = 2",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, scale=4.0),
        "you divided the scores by d = 4",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, axis=0),
        "softmax over the wrong axis",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: attention(q, k, v, m, fill=0.0),
        "mask with -inf instead of 0",
    ),
    (
        "04.3",
        checks.check_attention,
        attention_ignores_mask,
        "with a mask your weights are the same as without it: the mask is ignored",
    ),
    (
        "04.3",
        checks.check_attention,
        lambda q, k, v, m=None: (attention(q, k, v, m)[0] / 5, attention(q, k, v, m)[1]),
        "the output is not",
    ),
    # 05.1 log of softmax instead of log-softmax
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: float(-np.mean(np.log(stable_softmax(x)[np.arange(len(y)), y]))),
        "that is log of softmax",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: 3 * cross_entropy(x, y),
        "3 times too large: average over the batch",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: -cross_entropy(x, y),
        "your loss is negative",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: float(np.mean(np.log(np.exp(x).sum(-1)) - x[np.arange(len(y)), y])),
        "subtract the maximum",
    ),
    (
        "05.1",
        checks.check_cross_entropy,
        lambda x, y: -log_softmax(x)[np.arange(len(y)), y],
        "return one number",
    ),
    # 05.3 gradient
    (
        "05.3",
        checks.check_cross_entropy_grad,
        lambda x, y: -cross_entropy_grad(x, y),
        "points the wrong way",
    ),
    (
        "05.3",
        checks.check_cross_entropy_grad,
        lambda x, y: cross_entropy_grad(x, y) * len(y),
        "N = 4 times too large",
    ),
    (
        "05.3",
        checks.check_cross_entropy_grad,
        lambda x, y: stable_softmax(x) / len(y),
        "forgot to subtract the one-hot labels",
    ),
    # 05.4 Jacobian
    ("05.4", checks.check_softmax_jacobian, lambda p: -softmax_jacobian(p), "wrong sign"),
    (
        "05.4",
        checks.check_softmax_jacobian,
        lambda p: np.diag(p * (1 - p)),
        "your Jacobian is diagonal",
    ),
    # 06.1 online softmax
    ("06.1", checks.check_online_softmax, online_two_passes, "read the input twice"),
    ("06.1", checks.check_online_softmax, online_no_rescale, "rescaled by exp(old max - new max)"),
    ("06.1", checks.check_online_softmax, online_starts_at_zero, "start the running max at -inf"),
    (
        "06.1",
        checks.check_online_softmax,
        online_stores_the_input,
        "on a stream of 20000 logits your function stored the input before using it",
    ),
    (
        "06.1",
        checks.check_online_softmax,
        online_asks_for_the_length,
        "asked for the length of the input, but a stream has none",
    ),
    ("06.1", checks.check_online_softmax, online_indexes_the_input, "indexed the input"),
    # 06.2 merging states
    (
        "06.2",
        checks.check_merge_states,
        lambda a, b: (max(a[0], b[0]), a[1] + b[1]),
        "added the two sums as they are",
    ),
    (
        "06.2",
        checks.check_merge_states,
        lambda a, b: (a[0] + b[0], a[1] + b[1]),
        "larger of the two maxima",
    ),
]


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "message"), WRONG, ids=[w[3][:40] for w in WRONG]
)
def test_wrong_answer_is_named_by_its_symptom(exercise, checker, fn, message, capsys):
    result = checker(fn)
    out = capsys.readouterr().out
    assert result.status == "failed"
    assert result.exercise == exercise
    assert message in result.message
    assert out == f"✗ Exercise {exercise}: {result.message}\n"


def test_every_checker_is_fed_at_least_one_wrong_answer():
    assert {w[0] for w in WRONG} == set(checks.EXERCISES)


# ---------------------------------------------------------------------------
# Not attempted, errors, and the log the grader reads
# ---------------------------------------------------------------------------


def untouched(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize(("checker", "fn"), RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_untouched_exercise_says_not_attempted_yet(checker, fn, capsys):
    result = checker(untouched)
    assert result.status == "not attempted"
    assert "not attempted yet" in capsys.readouterr().out


def test_a_crashing_function_is_reported_not_raised(capsys):
    result = checks.check_softmax_py(lambda x: 1 / 0)
    assert result.status == "error"
    assert "raised ZeroDivisionError: division by zero" in capsys.readouterr().out


def test_a_non_function_is_refused():
    assert "expected a function, got list" in checks.check_softmax_py([0.5, 0.5]).message


def test_warnings_from_learner_code_are_not_shown(recwarn):
    checks.check_stable_softmax(naive_softmax)
    assert len(recwarn) == 0


def nudged(value):
    """A slightly wrong copy of a right answer: same type and shape, different numbers."""
    if isinstance(value, tuple):
        return tuple(nudged(v) for v in value)
    if isinstance(value, list):
        return [float(v) * 0.97 + 0.001 * i for i, v in enumerate(value)]
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        flipped = arr.copy()
        flipped.flat[-1] = not flipped.flat[-1]
        return flipped
    wrong = arr * 0.97 + 0.001 * np.arange(arr.size).reshape(arr.shape)
    return float(wrong) if arr.ndim == 0 else wrong


def hidden_numbers(value) -> list[float]:
    """The non-trivial numbers of a right answer (0, 1 and whole numbers say nothing)."""
    if isinstance(value, tuple):
        return [v for part in value for v in hidden_numbers(part)]
    arr = np.asarray(value, dtype=float).ravel()
    return [float(v) for v in arr if np.isfinite(v) and v != round(v)]


@pytest.mark.parametrize(("checker", "right"), RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_messages_never_contain_the_expected_values(checker, right):
    # every checker hides its answers: no number in its message is a hidden right value
    hidden: list[float] = []

    def slightly_wrong(*args):
        args_copy = [a.copy() if isinstance(a, (np.ndarray, list)) else a for a in args]
        answer = right(*args_copy)
        hidden.extend(hidden_numbers(answer))
        return nudged(answer)

    if checker is checks.check_online_softmax:
        # the checker hands over a stream that can be read once: read it once, keep a copy
        def slightly_wrong(xs):
            answer = right(list(xs))
            hidden.extend(hidden_numbers(answer))
            return nudged(answer)

    result = checker(slightly_wrong)
    assert result.status == "failed"
    assert hidden or checker is checks.check_causal_mask  # a mask holds booleans, no numbers
    shown = [f"{v:.3f}" for v in hidden] + [f"{v:.4g}" for v in hidden]
    assert not [text for text in shown if text in result.message], result.message


def test_results_are_logged_as_json_lines_when_the_grader_asks(tmp_path, monkeypatch):
    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv(checks.LOG_ENV_VAR, str(log))
    checks.check_softmax_py(softmax_py)
    checks.check_top_k(untouched)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["exercise"], r["status"]) for r in lines] == [
        ("01.1", "passed"),
        ("03.3", "not attempted"),
    ]


def test_nothing_is_logged_without_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(checks.LOG_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    checks.check_softmax_py(softmax_py)
    assert list(tmp_path.iterdir()) == []


def test_result_shows_nothing_more_in_jupyter():
    # the checker printed its line already; Jupyter must not echo the result object
    result = checks.check_softmax_py(softmax_py)
    assert result._ipython_display_() is None
