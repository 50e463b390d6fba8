"""Tests for the figures of lesson 03's calibration section.

They draw exactly the numbers they are given.
"""

import numpy as np
from numpy.testing import assert_allclose

from softmax_lessons.calibration import reliability_bins
from softmax_lessons.plots.calibration import (
    calibration_figure,
    reliability_diagram,
)


def test_reliability_diagram_skips_empty_bins_and_draws_the_diagonal():
    p = np.array([[0.95, 0.05], [0.97, 0.03], [0.9, 0.1], [0.6, 0.4]])
    bins = reliability_bins(p, [0, 1, 1, 0], n_bins=10)  # bins (0.5, 0.6], (0.8, 0.9], (0.9, 1]
    ax = reliability_diagram(bins)
    assert_allclose([b.get_height() for b in ax.patches], [1.0, 0.0, 0.5])
    assert_allclose([b.get_x() + b.get_width() / 2 for b in ax.patches], [0.55, 0.85, 0.95])
    diagonal = next(line for line in ax.lines if line.get_linestyle() == "--")
    assert_allclose(diagonal.get_xydata(), [[0, 0], [1, 1]])


def test_reliability_diagram_labels_each_bar_with_its_count_and_marks_small_bins():
    p = np.array([[0.95, 0.05]] * 30 + [[0.6, 0.4]] * 2)
    bins = reliability_bins(p, [0] * 32, n_bins=10)  # 2 examples in (0.5, 0.6], 30 in (0.9, 1]
    ax = reliability_diagram(bins, few=20)
    assert [t.get_text() for t in ax.texts] == ["n=2", "n=30"]
    small, large = ax.patches
    assert small.get_hatch() == ".." and small.get_facecolor()[3] < 0.5
    assert not large.get_hatch() and large.get_facecolor()[3] == 1.0
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()][::3] == ["accuracy in the bin",
                                                               "fewer than 20 examples"]
    full, *_, pale = legend.legend_handles
    assert full.get_facecolor()[3] == 1.0 and not full.get_hatch()
    assert pale.get_hatch() == ".."


def test_reliability_diagram_legend_has_no_small_bin_entry_when_every_bin_is_large():
    bins = reliability_bins(np.array([[0.95, 0.05]] * 30), [0] * 30, n_bins=10)
    ax = reliability_diagram(bins, few=20)
    assert len(ax.get_legend().get_texts()) == 3


def test_calibration_figure_titles_carry_ece_and_temperature():
    p = np.array([[0.95, 0.05], [0.6, 0.4]])
    bins = reliability_bins(p, [0, 1])
    fig = calibration_figure(bins, bins, 0.3, 0.05, 2.5)
    assert [ax.get_title() for ax in fig.axes] == ["before: T = 1, ECE = 0.300",
                                                   "after: T = 2.50, ECE = 0.050"]
