"""Tests for the figures of lesson 06: they draw exactly the numbers they are given."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import legend_texts
from numpy.testing import assert_allclose

from softmax_lessons.online import online_normaliser
from softmax_lessons.plots import online as plots_online
from softmax_lessons.scenes import blockwise_scene


def _blockwise_drawing(ax):
    """Everything the blockwise panel shows, as plain values."""
    return {
        "heights": [b.get_height() for b in ax.patches],
        "colours": [tuple(b.get_facecolor()) for b in ax.patches],
        "hatches": [b.get_hatch() or "" for b in ax.patches],
        "lines": [(np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
                  for ln in ax.lines],
        "title": ax.get_title(),
        "legend": legend_texts(ax),
        "limits": (ax.get_xlim(), ax.get_ylim()),
    }


def test_online_trace_draws_the_running_values():
    x = np.array([0.0, 2.0, 1.0, 3.0])
    _, trace = online_normaliser(x, trace=True)
    top, bottom = plots_online.online_trace(x, trace.max, trace.total)
    assert_allclose(bottom.lines[0].get_ydata(), trace.total)
    assert_allclose(top.lines[0].get_ydata(), x)


def test_online_trace_keeps_the_lowest_and_highest_logit_clear_of_the_edges():
    x = np.array([-0.9, 0.2, -3.6, -0.8, 0.8, 1.6, 2.7, 1.9])   # the lesson's outlier at -3.6
    _, trace = online_normaliser(x, trace=True)
    top, _ = plots_online.online_trace(x, trace.max, trace.total)
    low, high = top.get_ylim()
    span = x.max() - x.min()
    assert low <= x.min() - 0.1 * span and high >= x.max() + 0.1 * span
    plt.close("all")


def test_blockwise_panel_hatches_only_pending_chunks():
    state = blockwise_scene(6, 2)
    ax = plots_online.blockwise_panel(state)
    hatches = [bar.get_hatch() for bar in ax.patches]
    assert hatches.count("//") == 12 and hatches.count(None) + hatches.count("") == 12
    assert ax.get_title() == state.summary


def test_memory_passes_and_paired_bars():
    ax = plots_online.memory_passes(["numpy", "online"], [5, 2], [3, 1])
    assert [round(b.get_width()) for b in ax.patches] == [5, 2, 3, 1]
    ax = plots_online.paired_bars([0.6, 0.4], [0.7, 0.3], ["a", "b"], names=("p", "q"),
                                  title="t")
    assert [round(b.get_height(), 2) for b in ax.patches] == [0.6, 0.4, 0.7, 0.3]


@pytest.mark.parametrize(("a", "b"), [
    ((6, 0, "left to right"), (5, 3, "largest max first")),   # nothing merged -> merged
    ((24, 1, "left to right"), (4, 2, "right to left")),      # no borders -> five borders
    ((3, 8, "right to left"), (12, 0, "left to right")),      # everything -> nothing merged
])
def test_update_blockwise_panel_matches_a_fresh_panel(a, b):
    updated = plots_online.blockwise_panel(blockwise_scene(*a))
    plots_online.update_blockwise_panel(updated, blockwise_scene(*b))
    got = _blockwise_drawing(updated)
    want = _blockwise_drawing(plots_online.blockwise_panel(blockwise_scene(*b)))
    assert got.keys() == want.keys()
    for key in ("heights", "colours", "hatches", "title", "legend", "limits"):
        assert got[key] == want[key], key
    for (gx, gy), (wx, wy) in zip(got["lines"], want["lines"], strict=True):
        assert_allclose(gx, wx)
        assert_allclose(gy, wy)
    first = _blockwise_drawing(plots_online.blockwise_panel(blockwise_scene(*a)))
    assert first["title"] != got["title"] and first["hatches"] != got["hatches"]


def test_blockwise_panel_marks_each_chunk_max_and_border():
    state = blockwise_scene(6, 0)
    ax = plots_online.blockwise_panel(state)
    maxima, borders, merged_max, _ = ax.lines
    assert_allclose(maxima.get_ydata()[::3], state.block_max)
    assert_allclose(borders.get_xdata()[::3], [5.5, 11.5, 17.5])
    assert np.all(np.isnan(merged_max.get_ydata()))   # nothing merged: no merged max
    ax = plots_online.blockwise_panel(blockwise_scene(6, 2))
    assert_allclose(ax.lines[2].get_ydata(), [3.4, 3.4])


def test_update_blockwise_panel_refuses_other_logits():
    ax = plots_online.blockwise_panel(blockwise_scene(6, 2))
    with pytest.raises(ValueError, match="shows 24 logits, the state has 3"):
        plots_online.update_blockwise_panel(ax, blockwise_scene(2, 1, x=[1.0, 2.0, 3.0]))
