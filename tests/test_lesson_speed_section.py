"""Lesson 06, section 4: the speed comparison times what its pass counts describe."""

import json
import re
from pathlib import Path

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "06_beyond.ipynb"


def _cells():
    return [("".join(c["source"]), c["cell_type"]) for c in json.loads(LESSON.read_text())["cells"]]


def test_timing_cell_times_the_unblocked_calls_and_the_blocked_softmax_apart():
    timing = [s for s, kind in _cells() if kind == "code" and "best_time" in s]
    assert len(timing) == 1
    assert "softmax_numpy_steps(big)" in timing[0]   # the eight passes that were counted
    assert "softmax(big)" in timing[0].replace("softmax_numpy_steps(big)", "")


def test_no_pass_count_is_attributed_to_the_blocked_package_softmax():
    text = "\n".join(s for s, _ in _cells())
    assert not re.search(r"softmax \(8 passes\)|NumPy softmax \(core\)", text)
    assert "roughly in line with its extra passes" not in text


def test_no_size_typed_in_prose_that_the_code_prints_differently():
    prose = "\n".join(s for s, kind in _cells() if kind == "markdown")
    assert not re.search(r"\d+ ?MB\b", prose)


def test_the_speed_conclusions_are_written_by_code_from_this_runs_timings():
    cells = _cells()
    timing = next(i for i, (s, kind) in enumerate(cells) if kind == "code" and "best_time" in s)
    reading = [s for s, kind in cells[timing + 1:] if kind == "code" and "speed_reading(" in s]
    assert len(reading) == 1
    for name in ("np.max", "np.exp", "NumPy calls, whole array", "package softmax, blocks"):
        assert f'times["{name}"]' in reading[0]   # the measured times, nothing typed in


def test_no_prose_states_a_speed_it_did_not_measure():
    prose = "\n".join(s for s, kind in _cells() if kind == "markdown")
    assert not re.search(r"\d+(\.\d+)? ?x np\.exp|\d+(\.\d+)? ?ms\b", prose)
    assert "would run at about the speed" not in prose
    assert not re.search(r"much of the time goes into moving the logits", prose)
