"""Tests for the explorers of lesson 05: controls wired to a scene and a plot."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from softmax_lessons.widgets import LiveFigure
from softmax_lessons.widgets.losses import (
    cross_entropy_explorer,
)


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


def _pixels(live):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(live.image.value))))


def _live_image(box):
    return box.children[-1].children[0]   # LiveFigure.view: the image above its errors


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
    assert np.array_equal(_pixels(live), _pixels(fresh))


def test_cross_entropy_explorer_controls_change_the_text():
    box = cross_entropy_explorer()
    choose, slider, summary = box.children[:3]
    before = summary.value
    slider.value = 5.0
    after_slider = summary.value
    choose.value = 1
    assert before != after_slider != summary.value
    assert "dog" in summary.value and slider.value == 2.0


def test_cross_entropy_explorer_updates_its_one_figure_in_place():
    box = cross_entropy_explorer()
    choose, slider = box.children[:2]
    image = _live_image(box)
    frames = {bytes(image.value)}
    slider.value = 3.0
    frames.add(bytes(image.value))
    choose.value = 2
    frames.add(bytes(image.value))
    assert len(frames) == 3
    assert plt.get_fignums() == []   # no figure made (or leaked) by a step
