"""Tests for the explorers of every explorer: controls wired to a scene and a plot."""

import html
import json
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import image_pixels

from softmax_lessons import widgets as explorers
from softmax_lessons.widgets import FIGURE_NEAR, RUN_TO_USE, Explorer, LiveFigure

# Every explorer of the lessons, built with no arguments as the lessons build them.
EXPLORERS = ["start_here_check", "definition_explorer", "stability_explorer",
             "temperature_explorer", "sampling_playground", "attention_explorer",
             "saturation_explorer", "cross_entropy_explorer", "blockwise_explorer"]
# One line of text in the code font fits the controls' width (760 px) at this many
# characters; the browser test checks the rendered line does not wrap.
LONGEST_LINE = 90


def _bars_figure(heights, ylim=(0, 1)):
    fig, ax = plt.subplots(figsize=(3, 2))
    # Moving artists are drawn over everything else: with grid and spines off, a blitted
    # frame and a whole redraw must agree to the pixel.
    ax.grid(False)
    ax.spines[:].set_visible(False)
    bars = ax.bar(["a", "b", "c"], heights)
    ax.set_ylim(*ylim)
    title = ax.set_title(f"max {max(heights):.2f}")
    return fig, ax, bars, title


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


def test_auto_moving_takes_every_data_artist_and_title():
    fig, _, bars, title = _bars_figure([0.2, 0.5, 0.3])
    live = LiveFigure(fig, moving="auto")
    assert set(live._moving) >= {*bars, title}


def test_live_figure_is_shown_at_its_own_pixel_width():
    fig, _ = plt.subplots(figsize=(4, 2), dpi=100)
    assert LiveFigure(fig).image.layout.width == "400px"


def test_redraw_draws_the_new_frame_on_the_same_axes_without_piling_up_artists():
    fig, ax = plt.subplots(layout="constrained")
    ax.set_ylim(0, 1)
    ax.bar(["a", "b"], [0.5, 0.5])
    live = LiveFigure(fig, moving="auto")
    position, first = ax.get_position().bounds, bytes(live.image.value)
    live.redraw(lambda: ax.bar(["a", "b"], [0.9, 0.1]))
    assert [round(b.get_height(), 1) for b in ax.patches] == [0.9, 0.1]   # old bars removed
    assert len(ax.containers) == 1
    assert ax.get_position().bounds == position                            # layout frozen
    assert bytes(live.image.value) != first


def test_redraw_shows_the_same_pixels_as_a_figure_drawn_from_scratch():
    def draw(ax, heights):
        ax.set_ylim(0, 1)
        ax.bar(["a", "b", "c"], heights)
        ax.set_title(f"max {max(heights):.1f}")

    fig, ax = plt.subplots()
    draw(ax, [0.2, 0.3, 0.5])
    live = LiveFigure(fig, moving="auto")
    live.redraw(lambda: draw(ax, [0.6, 0.3, 0.1]))
    fresh_fig, fresh_ax = plt.subplots()
    draw(fresh_ax, [0.6, 0.3, 0.1])
    fresh = LiveFigure(fresh_fig, moving="auto")
    assert bytes(live.image.value) == bytes(fresh.image.value)


@pytest.mark.parametrize("ylim_after", [(0, 1), (0, 2)])
def test_blitted_update_matches_a_figure_drawn_at_the_new_state(ylim_after):

    fig, ax, bars, title = _bars_figure([0.2, 0.5, 0.3])
    live = LiveFigure(fig, moving=[*bars, title])

    def to_new_state():
        for bar, h in zip(bars, [0.7, 0.1, 0.2], strict=True):
            bar.set_height(h)
        title.set_text("max 0.70")
        ax.set_ylim(*ylim_after)  # a new range must redraw the ticks too

    live.update(to_new_state)
    fresh_fig, *_ = _bars_figure([0.7, 0.1, 0.2], ylim=ylim_after)
    fresh = LiveFigure(fresh_fig)
    assert np.array_equal(image_pixels(live.image), image_pixels(fresh.image))


# -- explorers: first open, static pages, one line of text ----------------------------------

def _line(box):
    return html.unescape(re.sub(r"<[^>]+>", "", box.summary.value))


@pytest.mark.parametrize("name", EXPLORERS)
def test_before_its_cell_runs_an_explorer_reads_as_one_plain_line(name):
    box = getattr(explorers, name)()
    data, metadata = box._repr_mimebundle_()
    line = data["text/plain"]
    assert line.startswith(RUN_TO_USE) and "\n" not in line and "VBox" not in line
    # the line promises a static figure only for an explorer that draws one
    assert (FIGURE_NEAR in line) == (box.live is not None)
    assert "figure" not in line.replace(FIGURE_NEAR, "")
    assert "application/vnd.jupyter.widget-view+json" in data
    about = metadata["softmax_lessons"]
    assert about["explorer"] == name
    rebuilt = getattr(explorers, about["explorer"])(**json.loads(json.dumps(about["arguments"])))
    assert _line(rebuilt) == _line(box)   # the static pages can build the same explorer


@pytest.mark.parametrize("name", [n for n in EXPLORERS if n != "start_here_check"])
def test_the_line_does_not_repeat_a_title_of_the_figure(name):
    box = getattr(explorers, name)()
    titles = [" ".join(ax.get_title().split()) for ax in box.live.fig.axes if ax.get_title()]
    line = _line(box)
    for title in titles:
        # No stretch of four words of a title comes back in the line.
        words = title.split()
        for i in range(len(words) - 3):
            assert " ".join(words[i:i + 4]) not in line, (title, line)


@pytest.mark.parametrize("name", EXPLORERS)
def test_frames_run_the_explorer_keep_one_short_line_and_put_the_control_back(name):
    box = getattr(explorers, name)()
    line, image = _line(box), box.live.image.value if box.live else None
    frames, start = box.frames()
    assert len(frames) <= 27
    assert frames[start].line == line
    # The line stays one short line on every frame.
    assert "white-space: nowrap" in box.summary.value
    for frame in frames:
        assert "\n" not in frame.line and 0 < len(frame.line) <= LONGEST_LINE, frame.line
    if box.live is not None:
        assert frames[start].png == bytes(image)
        assert all(f.alt.startswith("Figure") for f in frames)
    if box.sweep is not None:
        assert len({f.line for f in frames} | {f.png for f in frames}) > 2  # frames differ
        assert box.sweep.value == box.sweep_values[
            min(range(len(box.sweep_values)),
                key=lambda i: abs(float(box.sweep_values[i]) - float(box.sweep.value)))]
    assert _line(box) == line   # back at the start


def test_an_explorer_refuses_a_main_control_that_is_not_one_of_its_controls():
    slider = widgets.IntSlider()
    with pytest.raises(ValueError, match="must be one of the controls"):
        Explorer([slider], widgets.HTML(), name="x", sweep=widgets.IntSlider())


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_slider_step_is_a_few_pixels_at_the_controls_width(name):
    box = getattr(explorers, name)()
    for control in box.controls:
        if isinstance(control, widgets.SelectionSlider):
            steps = len(control.options) - 1
        elif isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
            steps = round((control.max - control.min) / control.step)
        else:
            continue
        assert control.layout.max_width == "760px" and control.layout.width == "100%"
        # About 600 px of track once the label and the readout have their room.
        assert 600 / steps >= 3, f"{control.description}: {steps} steps"
