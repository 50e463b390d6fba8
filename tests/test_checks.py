"""Tests for softmax_lessons.checks as a whole: the runner, the two levels of feedback, the
registry and its points, the rules read from a function's source, and the promise that no
line a checker prints ever holds a solution.

The wrong answers of each lesson, each with its symptom and its hint, are in
``test_checks_<topic>.py``; the right answers in ``checks_answers.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import test_checks_attention
import test_checks_losses
import test_checks_numerics
import test_checks_online
import test_checks_sampling
import test_checks_softmax
from checks_answers import ALTERNATIVES, RIGHT, STREAMING, softmax_py, stable_softmax
from checks_helpers import run_in, wrong_ids

from softmax_lessons import checks
from softmax_lessons.checks import rules, runner

WRONG = (
    test_checks_softmax.WRONG
    + test_checks_numerics.WRONG
    + test_checks_sampling.WRONG
    + test_checks_attention.WRONG
    + test_checks_losses.WRONG
    + test_checks_online.WRONG
)


def name_of(value) -> str:
    return getattr(value, "__name__", "")


@pytest.fixture(autouse=True)
def feedback_from_a_clean_environment(monkeypatch):
    """Every test starts in practice mode, whatever the shell running the tests says."""
    monkeypatch.delenv(checks.FEEDBACK_ENV_VAR, raising=False)
    checks.set_feedback(None)
    yield
    checks.set_feedback(None)


# ---------------------------------------------------------------------------
# Right answers pass, with one short line
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("checker", "fn"), RIGHT + ALTERNATIVES, ids=name_of)
def test_right_answer_passes_with_a_short_confirmation(checker, fn, capsys):
    result = checker(fn)
    out = capsys.readouterr().out
    assert result.passed, result.line()
    assert out.startswith(f"✓ Exercise {result.exercise} passed: ")
    assert out.count("\n") == 1


def test_every_registered_exercise_has_exactly_one_right_answer():
    exercises = [checker.exercise.id for checker, _ in RIGHT]
    assert sorted(exercises) == sorted(checks.EXERCISES)


def test_every_checker_is_fed_at_least_two_wrong_answers():
    fed: dict[str, int] = {}
    for exercise, *_ in WRONG:
        fed[exercise] = fed.get(exercise, 0) + 1
    assert set(fed) == set(checks.EXERCISES)
    assert min(fed.values()) >= 2, fed


def test_every_new_exercise_has_an_alternative_right_answer():
    new = {"01.5", "01.6", "02.6", "02.7", "03.5", "03.6", "03.8", "04.6", "05.5", "05.6",
           "06.3", "06.4"}
    assert new <= {checker.exercise.id for checker, _ in ALTERNATIVES}


# ---------------------------------------------------------------------------
# Two levels of feedback
# ---------------------------------------------------------------------------


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def test_mistake_keeps_the_symptom_and_the_hint_apart():
    mistake = checks.Mistake("NaN on (1000, 1001, 999)", hint="subtract the maximum")
    assert str(mistake) == "NaN on (1000, 1001, 999)"
    assert mistake.hint == "subtract the maximum"
    assert checks.Mistake("only a symptom").hint is None


def test_practice_feedback_prints_the_symptom_then_the_hint(capsys):
    result = checks.check_stable_softmax(naive_softmax)
    assert checks.feedback_mode() == "practice"
    assert result.message == "fine on small logits, but NaN on (1000, 1001, 999)"
    assert result.hint.endswith("subtract the maximum before exponentiating")
    assert capsys.readouterr().out == f"✗ Exercise 02.1: {result.message}; {result.hint}\n"


def test_graded_feedback_from_the_environment_prints_the_symptom_only(monkeypatch, capsys):
    monkeypatch.setenv(checks.FEEDBACK_ENV_VAR, "graded")
    result = checks.check_stable_softmax(naive_softmax)
    assert checks.feedback_mode() == "graded"
    assert result.hint is None
    assert capsys.readouterr().out == (
        "✗ Exercise 02.1: fine on small logits, but NaN on (1000, 1001, 999)\n"
    )


def test_the_module_switch_overrides_the_environment(monkeypatch, capsys):
    monkeypatch.setenv(checks.FEEDBACK_ENV_VAR, "graded")
    checks.set_feedback("practice")
    assert runner.FEEDBACK == "practice"
    assert checks.check_stable_softmax(naive_softmax).hint is not None
    monkeypatch.delenv(checks.FEEDBACK_ENV_VAR)
    checks.set_feedback("graded")
    assert checks.check_stable_softmax(naive_softmax).hint is None
    checks.set_feedback(None)
    assert checks.feedback_mode() == "practice"
    capsys.readouterr()


@pytest.mark.parametrize("value", ["", "practice", "Practice", "anything"])
def test_anything_but_graded_in_the_environment_means_practice(monkeypatch, value):
    monkeypatch.setenv(checks.FEEDBACK_ENV_VAR, value)
    assert checks.feedback_mode() == "practice"


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="feedback must be one of"):
        checks.set_feedback("strict")


@pytest.mark.parametrize(
    ("exercise", "checker", "fn", "symptom", "hint"), WRONG, ids=wrong_ids(WRONG)
)
def test_graded_line_names_the_symptom_without_the_hint(
    exercise, checker, fn, symptom, hint, capsys
):
    practised = run_in("practice", checker, fn)
    graded = run_in("graded", checker, fn)
    out = capsys.readouterr().out.splitlines()
    assert graded.status == practised.status == "failed"
    assert graded.message == practised.message
    assert symptom in graded.message
    assert graded.hint is None
    assert out[-1] == f"✗ Exercise {exercise}: {graded.message}"
    if practised.hint:
        assert practised.hint not in out[-1]


def test_the_log_carries_the_hint_only_while_practising(tmp_path, monkeypatch, capsys):
    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv(checks.LOG_ENV_VAR, str(log))
    checks.check_stable_softmax(naive_softmax)
    monkeypatch.setenv(checks.FEEDBACK_ENV_VAR, "graded")
    checks.check_stable_softmax(naive_softmax)
    practised, graded = (json.loads(line) for line in log.read_text().splitlines())
    assert practised["hint"] and graded["hint"] is None
    assert practised["message"] == graded["message"]
    capsys.readouterr()


# ---------------------------------------------------------------------------
# Not attempted, errors, and the log the grader reads
# ---------------------------------------------------------------------------


def untouched(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize(("checker", "fn"), RIGHT, ids=name_of)
def test_untouched_exercise_says_not_attempted_yet(checker, fn, capsys):
    result = checker(untouched)
    assert result.status == "not attempted"
    assert "not attempted yet" in capsys.readouterr().out


def test_a_crashing_function_is_reported_not_raised(capsys):
    result = checks.check_softmax_py(lambda x: 1 / 0)
    assert result.status == "error"
    out = capsys.readouterr().out
    assert "raised ZeroDivisionError: division by zero" in out
    assert result.hint == "run it on a small input to see where"


def test_a_non_function_is_refused():
    result = checks.check_softmax_py([0.5, 0.5])
    assert "expected a function, got list" in result.message
    assert "without calling it" in result.hint


def test_warnings_from_learner_code_are_not_shown(recwarn):
    checks.check_stable_softmax(naive_softmax)
    assert len(recwarn) == 0


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


def test_a_diagnosis_can_be_run_without_printing(capsys):
    entry = checks.EXERCISES["02.1"]
    found = runner.diagnose_quietly(entry.id, entry.diagnose, naive_softmax)
    assert found.status == "failed" and found.hint
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------------------
# The registry and its points
# ---------------------------------------------------------------------------


def test_every_exercise_has_whole_points_and_harder_ones_more():
    points = {e.id: e.points for e in checks.EXERCISES.values()}
    assert all(isinstance(p, int) and 1 <= p <= 5 for p in points.values())
    assert points["04.6"] > points["04.1"]  # multi-head attention against a causal mask
    assert points["05.5"] > points["05.3"]  # a training step against the gradient alone


def test_a_second_checker_for_one_exercise_is_refused():
    with pytest.raises(ValueError, match=r"01\.1 already has a checker"):
        runner.checker("01.1", "again")


@pytest.mark.parametrize("points", [0, 2.5, "3"])
def test_points_must_be_a_whole_number_of_at_least_one(points):
    with pytest.raises(ValueError, match="points must be a whole number"):
        runner.checker("99.9", "a test exercise", points=points)
    assert "99.9" not in checks.EXERCISES


# ---------------------------------------------------------------------------
# Rules read from the source
# ---------------------------------------------------------------------------


def uses_numpy_and_a_loop(x):
    total = 0.0
    for v in x:
        total += np.exp(v)
    return [np.exp(v) / total for v in x]


def branches_both_ways(a, b):
    if a > b:
        return a
    return b if b > 0 else -b


def test_rules_find_numpy_loops_and_branches_with_their_lines():
    assert rules.numpy_uses(uses_numpy_and_a_loop) == ["np.exp on line 4", "np.exp on line 5"]
    assert rules.loops(uses_numpy_and_a_loop) == [
        "a for loop on line 3",
        "a list comprehension on line 5",
    ]
    assert rules.branches(branches_both_ways) == [
        "an `if` statement on line 2",
        "a conditional expression (x if c else y) on line 4",
    ]
    assert rules.numpy_uses(softmax_py) == [] and rules.branches(softmax_py) == []


def test_rules_read_a_lambda_inside_a_longer_line():
    pairs = [(1, lambda x: [v for v in x]), (2, lambda x, y: np.add(x, y))]
    assert rules.loops(pairs[0][1]) == ["a list comprehension on line 1"]
    assert rules.numpy_uses(pairs[1][1]) == ["np.add on line 1"]
    assert rules.loops(pairs[1][1]) == []


def test_rules_find_calls_by_name_and_loops_in_disguise():
    def vectorised(x):
        return np.apply_along_axis(stable_softmax, -1, x)

    assert rules.loops(vectorised) == ["apply_along_axis(...) on line 2"]
    assert rules.calls_to(vectorised, {"stable_softmax"}) == []
    assert rules.calls_to(vectorised, {"apply_along_axis"}) == [
        "np.apply_along_axis(...) on line 2"
    ]


def test_rules_find_nothing_when_the_source_cannot_be_read():
    assert rules.function_tree(np.exp) is None
    assert rules.numpy_uses(np.exp) == [] and rules.loops(len) == []


def test_enforce_names_the_rule_the_place_and_how_many_more():
    with pytest.raises(checks.Mistake) as caught:
        rules.enforce(["a for loop on line 3", "a while loop on line 6"], "no Python loop",
                      hint="work on the whole array")
    assert str(caught.value) == (
        "the exercise says no Python loop, but your function has a for loop on line 3 "
        "(and 1 more)"
    )
    assert caught.value.hint == "work on the whole array"


# ---------------------------------------------------------------------------
# No line ever prints a solution
# ---------------------------------------------------------------------------


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


#: Checkers whose answers hold no fractional number to hide: masks, token and class indices.
WHOLE_NUMBER_ANSWERS = {
    checks.check_causal_mask,
    checks.check_generate_top_p,
    checks.check_gumbel_max,
}


@pytest.mark.parametrize("mode", ["practice", "graded"])
@pytest.mark.parametrize(("checker", "right"), RIGHT, ids=name_of)
def test_messages_never_contain_the_expected_values(checker, right, mode):
    # every checker hides its answers: no number in its line, hint included, is a right value
    hidden: list[float] = []

    def slightly_wrong(*args):
        args_copy = [a.copy() if isinstance(a, (np.ndarray, list)) else a for a in args]
        answer = right(*args_copy)
        hidden.extend(hidden_numbers(answer))
        return nudged(answer)

    if checker in STREAMING:
        # the checker hands over a stream that can be read once: read it once, keep a copy
        def slightly_wrong(xs):
            answer = right(list(xs))
            hidden.extend(hidden_numbers(answer))
            return nudged(answer)

    result = run_in(mode, checker, slightly_wrong)
    assert result.status == "failed"
    assert hidden or checker in WHOLE_NUMBER_ANSWERS
    shown = [f"{v:.3f}" for v in hidden] + [f"{v:.4g}" for v in hidden]
    shown = [text for text in shown if not text.lstrip("-").isdigit()]  # 2.99999 shows as "3"
    assert not [text for text in shown if text in result.line()], result.line()
