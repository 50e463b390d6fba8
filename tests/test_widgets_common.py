"""The pieces every explorer uses: LiveFigure updates in place and reports its errors."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import pytest

from softmax_lessons.widgets import LiveFigure, start_here_check, start_here_state


def test_live_figure_renders_once_and_swaps_the_image_on_update():
    fig, ax = plt.subplots()
    bars = ax.bar(["a", "b"], [0.5, 0.5])
    live = LiveFigure(fig)
    first = bytes(live.image.value)
    assert first.startswith(b"\x89PNG")
    live.update(lambda: bars[0].set_height(0.9))
    assert bytes(live.image.value) != first
    assert plt.get_fignums() == []  # detached from pyplot: never shown twice, never leaked


def test_live_figure_keeps_its_layout_between_frames():
    fig, ax = plt.subplots(layout="constrained")
    (line,) = ax.plot([0, 1], [0, 1])
    live = LiveFigure(fig)
    position = ax.get_position().bounds
    live.update(lambda: line.set_ydata([1, 0]))
    assert ax.get_position().bounds == position


def test_live_figure_update_errors_are_not_swallowed_outside_a_kernel():
    fig, _ = plt.subplots()
    live = LiveFigure(fig)

    def broken():
        raise RuntimeError("bad update")

    with pytest.raises(RuntimeError, match="bad update"):
        live.update(broken)


def test_start_here_check_follows_its_slider():
    box = start_here_check()
    slider, label = box.children
    slider.value = 2.0
    assert start_here_state(2.0)["message"] in label.value
