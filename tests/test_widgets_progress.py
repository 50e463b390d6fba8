"""The training loop's progress bar (lesson 05): steps and loss, never speed or time."""

import io
import json
import re
from pathlib import Path

import numpy as np

from softmax_lessons.scenes import make_blobs
from softmax_lessons.training import train_softmax_regression
from softmax_lessons.widgets.progress import progress_bar

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "05_cross_entropy_and_gradients.ipynb"
SPEED_OR_TIME = re.compile(r"/s\b|\d\d:\d\d|\?")


def _train_with(monkeypatch, bar_class, steps=30):
    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", bar_class)
    features, labels = make_blobs(np.random.default_rng(0), n_per_class=5)
    return train_softmax_regression(features, labels, steps=steps,
                                    on_step=progress_bar(steps, "blobs"))


def test_text_bar_shows_steps_and_loss_but_no_speed_or_elapsed_time(monkeypatch):
    import tqdm.auto

    stream = io.StringIO()
    original = tqdm.auto.tqdm
    result = _train_with(monkeypatch, lambda **kw: original(file=stream, **kw))
    lines = [line for line in stream.getvalue().replace("\n", "\r").split("\r") if line]
    assert lines[-1].startswith("blobs: 100%") and "30/30" in lines[-1]
    assert f"loss={result.losses[-1]:.4f}" in lines[-1]
    assert not any(SPEED_OR_TIME.search(line) for line in lines), lines


def test_notebook_bar_refreshes_its_stored_text_with_the_finished_bar(monkeypatch):
    import IPython.display
    from tqdm.notebook import tqdm as notebook_tqdm

    shown, updates = [], []

    class Handle:
        def update(self, obj):
            updates.append(repr(obj))

    def fake_display(obj, display_id=False):
        shown.append((repr(obj), display_id))
        return Handle() if display_id else None

    monkeypatch.setattr(IPython.display, "display", fake_display)
    result = _train_with(monkeypatch, notebook_tqdm)
    assert len(shown) == 1 and shown[0][1] is True   # shown once, with a display id
    assert len(updates) == 1
    final = updates[0]
    assert final.startswith("blobs: 100%") and "30/30" in final
    assert f"loss={result.losses[-1]:.4f}" in final
    assert not SPEED_OR_TIME.search(final), final


def test_lesson_05_stores_a_finished_bar_without_speed():
    cells = json.loads(LESSON.read_text())["cells"]
    bars = [out for cell in cells if cell["cell_type"] == "code"
            and "progress_bar(" in "".join(cell["source"]) for out in cell["outputs"]]
    assert len(bars) == 1
    text = "".join(bars[0]["data"]["text/plain"])
    assert "100%" in text and "300/300" in text and "loss=" in text
    # Whatever else is stored (no widget state now: course.py execute drops it) has no speed.
    stored = json.loads(LESSON.read_text())["metadata"].get("widgets", {})
    assert not re.search(r"step/s|it/s", json.dumps(stored) + text)
