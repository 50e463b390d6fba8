"""Tests for the explorers of lesson 05: controls wired to a scene and a plot."""

import matplotlib.pyplot as plt
from figure_helpers import live_image

from softmax_lessons.widgets.losses import (
    cross_entropy_explorer,
)


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
    image = live_image(box)
    frames = {bytes(image.value)}
    slider.value = 3.0
    frames.add(bytes(image.value))
    choose.value = 2
    frames.add(bytes(image.value))
    assert len(frames) == 3
    assert plt.get_fignums() == []   # no figure made (or leaked) by a step
