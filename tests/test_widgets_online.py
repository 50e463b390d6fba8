"""Tests for the explorers of lesson 06: controls wired to a scene and a plot."""

import matplotlib.pyplot as plt
from figure_helpers import live_image

from softmax_lessons.widgets.online import (
    blockwise_explorer,
)


def test_blockwise_explorer_sliders_change_the_text_and_limits():
    box = blockwise_explorer()
    size, merged, order, summary = box.children[:4]
    first = summary.value
    merged.value = 3
    second = summary.value
    size.value = 12
    assert merged.max == 2 and merged.value == 2
    third = summary.value
    order.value = "right to left"
    assert len({first, second, third, summary.value}) == 4


def test_blockwise_explorer_updates_its_one_figure_in_place():
    box = blockwise_explorer()
    size, merged, order = box.children[:3]
    image = live_image(box)
    frames = {bytes(image.value)}
    for control, value in [(merged, 4), (size, 5), (order, "largest max first")]:
        control.value = value
        frames.add(bytes(image.value))
    assert len(frames) == 4
    assert plt.get_fignums() == []
