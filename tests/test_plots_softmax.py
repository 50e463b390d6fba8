"""Tests for the figures of lesson 01 (and the lesson-00 widget check).

They draw exactly the numbers they are given.
"""

import numpy as np
import pytest
from figure_helpers import drawn_pixels, redrawn
from numpy.testing import assert_allclose

from softmax_lessons.core import sigmoid, softmax
from softmax_lessons.plots.softmax import (
    explorer_bars,
    logits_and_probabilities,
    normaliser_bars,
    normaliser_sweep_chart,
    simplex_points,
    soft_vs_hard_argmax,
    surprise_chart,
    two_class_sigmoid,
)
from softmax_lessons.scenes.softmax import (
    definition_scene,
    normaliser_scene,
    normaliser_sweep,
    surprise_scene,
)


def _bar_chart_data(ax):
    """What a reader sees on a bar chart: heights, colours, hatches, printed values, title."""
    return {
        "heights": [bar.get_height() for bar in ax.patches],
        "facecolors": [tuple(bar.get_facecolor()) for bar in ax.patches],
        "hatches": [bar.get_hatch() for bar in ax.patches],
        "texts": [(t.get_text(), tuple(t.xy), tuple(t.get_position())) for t in ax.texts],
        "title": ax.get_title(),
        "xticklabels": [t.get_text() for t in ax.get_xticklabels()],
        "ylim": ax.get_ylim(),
    }


def _dark_pixels_inside(bar):
    """How many rendered pixels inside `bar`, its outline left out, are nearly black."""
    canvas = bar.figure.canvas
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    x0, y0, x1, y1 = bar.get_window_extent().extents
    top, bottom = rgb.shape[0] - int(y1), rgb.shape[0] - int(y0)  # rows count from the top
    inside = rgb[top + 3:bottom - 3, int(x0) + 3:int(x1) - 3]
    return int((inside.max(axis=-1) < 80).sum())


def test_explorer_bars_draw_the_state_probabilities_and_hatch_the_argmax():
    state = definition_scene([0.0, 3.0, 1.0, -1.0, 0.5])
    ax = explorer_bars(state)
    heights = [bar.get_height() for bar in ax.patches]
    assert_allclose(heights, state.p)
    hatched = [i for i, bar in enumerate(ax.patches) if bar.get_hatch()]
    assert hatched == [1]
    # The hatch must differ from the bar's own colour, or it cannot be seen: its black
    # lines show inside the argmax bar, and nothing black shows inside the others.
    assert _dark_pixels_inside(ax.patches[1]) > 100
    assert _dark_pixels_inside(ax.patches[0]) == 0
    assert ax.get_title().startswith("argmax: dog")
    assert [t.get_text() for t in ax.get_xticklabels()] == state.labels


def test_logits_panel_keeps_the_sign_of_every_logit():
    x = [2.0, -1.0, 0.5]
    left, right = logits_and_probabilities(x, softmax(x), ["a", "b", "c"])
    assert_allclose([b.get_height() for b in left.patches], x)
    assert_allclose([b.get_height() for b in right.patches], softmax(x))
    assert left.get_ylabel() == "logit (no units)"


def test_simplex_puts_one_hot_at_a_corner_and_uniform_at_the_centre():
    ax = simplex_points([[0.0, 1.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]],
                        ["b", "uniform", "c"])
    points = [line.get_xydata()[0] for line in ax.lines[1:]]
    assert_allclose(points[0], [1.0, 0.0], atol=1e-12)
    assert_allclose(points[1], [0.5, np.sqrt(3) / 6], atol=1e-12)
    assert_allclose(points[2], [0.5, np.sqrt(3) / 2], atol=1e-12)
    assert len({line.get_marker() for line in ax.lines[1:]}) == 3


def test_simplex_refuses_distributions_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"3 probabilities each, got shape \(1, 4\)"):
        simplex_points([[0.25] * 4], ["four"])


def test_soft_vs_hard_argmax_draws_both_curves_as_given():
    values = np.linspace(-2, 2, 5)
    soft = np.array([0.1, 0.2, 0.5, 0.8, 0.9])
    hard = (values > 0).astype(float)
    ax = soft_vs_hard_argmax(values, soft, hard)
    assert_allclose(ax.lines[0].get_ydata(), soft)
    assert_allclose(ax.lines[1].get_ydata(), hard)
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()


def test_two_class_plot_overlays_softmax_on_the_sigmoid():
    d = np.linspace(-4, 4, 9)
    p_soft = softmax(np.stack([d, np.zeros_like(d)], axis=-1))[:, 0]
    ax = two_class_sigmoid(d, p_soft, sigmoid(d))
    assert_allclose(ax.lines[0].get_ydata(), ax.lines[1].get_ydata(), atol=1e-15)
    assert ax.get_title() == "two classes: softmax is a sigmoid"


@pytest.mark.parametrize(("a", "b"), [
    ([2.0, 1.0, 0.1, -0.5, -1.5], [0.0, 3.0, 1.0, -1.0, 0.5]),   # argmax moves cat -> dog
    ([0.0, 0.0, 0.0, 0.0, 5.0], [-5.0, 4.9, 5.0, 0.0, 0.0]),     # yak -> fox, tall bar shrinks
    ([1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0]),      # no change: nothing drifts
])
def test_redrawn_explorer_bars_match_a_figure_drawn_from_scratch(a, b):
    state_a, state_b = definition_scene(a), definition_scene(b)
    redrawn_ax = explorer_bars(state_a)
    redrawn(redrawn_ax.figure, lambda: explorer_bars(state_b, ax=redrawn_ax))
    scratch = explorer_bars(state_b)
    got, want = _bar_chart_data(redrawn_ax), _bar_chart_data(scratch)
    assert got == want
    assert_allclose(got["heights"], state_b.p)
    assert got["hatches"].count("//") == 1


def test_redrawn_explorer_bars_render_to_the_same_pixels_as_bars_drawn_from_scratch():
    ax = explorer_bars(definition_scene())
    redrawn(ax.figure, lambda: explorer_bars(definition_scene([0.0, 0.0, 0.0, 5.0, 0.0]), ax=ax))
    scratch = explorer_bars(definition_scene([0.0, 0.0, 0.0, 5.0, 0.0]))
    assert np.array_equal(drawn_pixels(ax.figure), drawn_pixels(scratch.figure))


# -- why exp and surprise (lesson 01) ------------------------------------------------------

def test_normaliser_bars_draw_each_methods_outputs_and_mark_what_breaks():
    scene = normaliser_scene([2.0, -3.0, 0.5], ["cat", "dog", "fox"])
    axes = normaliser_bars(scene)
    assert len(axes) == len(scene.methods)
    for k, ax in enumerate(axes):
        bars = ax.containers[0]
        assert_allclose([b.get_height() for b in bars], scene.p[k])
        assert ax.get_title().splitlines()[0] == scene.methods[k]
        assert scene.verdict[k].split()[0] in ax.get_title()
    # outside [0, 1]: cross-hatched; inside: plain
    assert [b.get_hatch() for b in axes[0].containers[0]] == ["xx", "xx", "xx"]
    assert [b.get_hatch() for b in axes[3].containers[0]] == [None, None, None]
    # the dead class is named on the relu panel, and only there
    assert any("dead" in t.get_text() for t in axes[2].texts)
    assert not any("dead" in t.get_text() for ax in axes[[0, 1, 3]] for t in ax.texts)
    assert axes[0].figure.get_suptitle() == (
        "the logits (cat, dog, fox) = (2, -3, 0.5) through four recipes")
    # every panel shows all of its bars
    for k, ax in enumerate(axes):
        low, high = ax.get_ylim()
        assert low <= min(scene.p[k].min(), 0) and high >= max(scene.p[k].max(), 1)


def test_normaliser_bars_write_nan_and_inf_on_a_division_by_zero():
    scene = normaliser_scene([1.0, -1.0, 0.0], ["a", "b", "c"])
    axes = normaliser_bars(scene)
    assert [t.get_text() for t in axes[0].texts] == ["inf", "-inf", "NaN"]
    assert [b.get_height() for b in axes[0].containers[0]] == [0.0, 0.0, 0.0]


def test_normaliser_sweep_chart_draws_the_sweep_of_each_method():
    sweep = normaliser_sweep([2.0, -3.0, 0.5], 1, np.linspace(-6, 4, 101), ["a", "b", "c"])
    axes = normaliser_sweep_chart(sweep)
    for k, ax in enumerate(axes):
        curve = ax.lines[-1]
        assert_allclose(curve.get_xdata(), sweep.values)
        assert_allclose(curve.get_ydata(), sweep.p[k])  # NaN gaps included
        assert ax.get_title() == sweep.methods[k]
    assert axes[0].get_ylabel() == "output for b"
    assert axes[0].figure.get_suptitle() == (
        "b's output as its own logit moves (a = 2, c = 0.5 fixed)")


def test_surprise_chart_puts_each_outcome_on_the_curve_and_the_entropy_line():
    p = softmax([2.0, 1.0, 0.0])
    scene = surprise_scene(p, ["cat", "dog", "fox"])
    ax = surprise_chart(scene)
    curve, points, average = ax.lines
    assert_allclose(points.get_xdata(), p)
    assert_allclose(points.get_ydata(), -np.log2(p))
    assert_allclose(average.get_ydata(), [scene.entropy_bits] * 2)
    assert_allclose(curve.get_ydata(), scene.curve_bits)
    assert f"{scene.entropy_bits:.3f} bits" in average.get_label()
    assert [t.get_text().split(":")[0] for t in ax.texts] == ["cat", "dog", "fox"]


def test_surprise_chart_leaves_out_impossible_outcomes():
    ax = surprise_chart(surprise_scene([1.0, 0.0], ["sure", "never"]))
    assert ax.lines[1].get_xdata().tolist() == [1.0]
    assert [t.get_text().split(":")[0] for t in ax.texts] == ["sure"]
