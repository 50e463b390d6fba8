"""What the per-lesson checker tests share: running a wrong answer and reading its line.

A wrong answer is listed as ``(exercise, checker, fn, symptom, hint)``: the checker
must fail it with `symptom` in its message and `hint` (or no hint, when None) in its
hint, and print exactly ``✗ Exercise <id>: <message>; <hint>`` while practising.
"""

from __future__ import annotations

from softmax_lessons import checks


def wrong_ids(wrong: list[tuple]) -> list[str]:
    return [f"{w[0]} {w[3][:40]}" for w in wrong]


def run_in(mode: str, checker, fn):
    """Run a checker under a given feedback mode, then hand the choice back to the environment."""
    checks.set_feedback(mode)
    try:
        return checker(fn)
    finally:
        checks.set_feedback(None)


def assert_named(exercise, checker, fn, symptom, hint, capsys) -> None:
    """While practising, the checker fails `fn` naming `symptom`, with `hint` in its hint."""
    result = run_in("practice", checker, fn)
    out = capsys.readouterr().out
    assert result.status == "failed", result.line()
    assert result.exercise == exercise
    assert symptom in result.message, result.line()
    if hint is None:
        assert result.hint is None, result.hint
        assert out == f"✗ Exercise {exercise}: {result.message}\n"
    else:
        assert result.hint is not None and hint in result.hint, result.line()
        assert out == f"✗ Exercise {exercise}: {result.message}; {result.hint}\n"
