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
