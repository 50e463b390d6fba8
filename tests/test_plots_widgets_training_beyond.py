"""Tests for the lesson-05 and lesson-06 figures and explorers (plots and widgets)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.core import logsumexp, softmax
from softmax_lessons.losses import softmax_jacobian
from softmax_lessons.online import online_normaliser
from softmax_lessons.plots import beyond as plots_beyond
from softmax_lessons.plots import training as plots_training
from softmax_lessons.training import (
    decision_grid,
    make_blobs,
    train_softmax_regression,
)
from softmax_lessons.widgets.beyond import (
    BLOCKWISE_LOGITS,
    blockwise_explorer,
    blockwise_state,
)
from softmax_lessons.widgets.training import (
    cross_entropy_explorer,
    cross_entropy_state,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- lesson 05 state and explorer ---------------------------------------------


def test_cross_entropy_state_loss_and_gradient_follow_the_true_logit():
    low = cross_entropy_state(true_logit=-4.0, label=0)
    high = cross_entropy_state(true_logit=6.0, label=0)
    assert low["loss"] > 5 > 0.2 > high["loss"]
    assert_allclose(high["grad"], high["p"] - high["y"], atol=1e-15)
    assert_allclose(high["p"], softmax([6.0, 2.0, 1.0, -1.0]), rtol=1e-15)
    assert high["grad"][0] < 0 and np.all(high["grad"][1:] > 0)


def test_cross_entropy_state_curve_passes_through_the_marker():
    state = cross_entropy_state(true_logit=1.5, label=2)
    i = np.argmin(np.abs(state["grid"] - 1.5))
    assert_allclose(state["grid_losses"][i], state["loss"], rtol=1e-12)
    assert np.all(np.diff(state["grid_losses"]) < 0)   # a larger true logit always helps
    assert "fox" in state["summary"]


def test_cross_entropy_state_refuses_bad_label():
    with pytest.raises(ValueError, match=r"label must be in 0\.\.3"):
        cross_entropy_state(0.0, label=7)


def test_cross_entropy_explorer_controls_change_the_text():
    box = cross_entropy_explorer()
    choose, slider, summary = box.children[:3]
    before = summary.value
    slider.value = 5.0
    after_slider = summary.value
    choose.value = 1
    assert before != after_slider != summary.value
    assert "dog" in summary.value and slider.value == 2.0


# --- lesson 05 figures ------------------------------------------------------------


def test_cross_entropy_panels_draw_the_state():
    state = cross_entropy_state(true_logit=3.0, label=1)
    left, right = plots_training.cross_entropy_panels(state)
    y_line = left.lines[0].get_ydata()
    assert_allclose(y_line, state["grid_losses"])
    heights = [b.get_height() for b in right.patches]
    assert_allclose(heights[-4:], state["grad"])
    assert "dog" in right.get_title()


def test_jacobian_heatmap_shows_every_entry():
    jac = softmax_jacobian(softmax([2.0, 1.0, 0.0]))
    ax = plots_training.jacobian_heatmap(jac, ["a", "b", "c"])
    assert [t.get_text() for t in ax.texts] == [f"{v:.3f}" for v in jac.ravel()]
    assert_allclose(ax.images[0].get_array(), jac)


def test_decision_regions_and_loss_curve_draw_the_trained_model():
    features, labels = make_blobs(np.random.default_rng(0), n_per_class=10)
    result = train_softmax_regression(features, labels, steps=20)
    grid = decision_grid(result, (-4, 4), (-3, 6), resolution=30)
    ax = plots_training.decision_regions(grid, features, labels, ["a", "b", "c"])
    assert len(ax.collections) >= 4   # the mesh, contour lines, and one scatter per class
    ax = plots_training.loss_curve(result.losses, best=0.1)
    assert_allclose(ax.lines[0].get_ydata(), result.losses)
    assert ax.lines[1].get_ydata()[0] == 0.1


def test_learned_vs_counted_draws_one_point_per_pair():
    ax = plots_training.learned_vs_counted([-1.0, -2.0, -0.5], [-1.1, -2.0, -0.4])
    assert_allclose(ax.collections[0].get_offsets(), [[-1.0, -1.1], [-2.0, -2.0], [-0.5, -0.4]])


# --- lesson 06 state and explorer -------------------------------------------------


@pytest.mark.parametrize("order", ["left to right", "right to left", "largest max first"])
@pytest.mark.parametrize("block_size", [1, 5, 6, 24])
def test_blockwise_state_reaches_the_full_logsumexp_in_any_order(order, block_size):
    state = blockwise_state(block_size, n_merged=100, order=order)
    assert_allclose(state["merged_lse"], logsumexp(np.array(BLOCKWISE_LOGITS)), rtol=1e-14)
    assert state["pending_blocks"] == []
    assert sorted(state["order"]) == list(range(len(state["blocks"])))


def test_blockwise_state_partial_merge_is_a_lower_bound():
    lses = [blockwise_state(6, n)["merged_lse"] for n in range(5)]
    assert lses[0] == -np.inf
    assert np.all(np.diff(lses) > 0)
    state = blockwise_state(6, 2)
    assert_allclose(state["merged_lse"], logsumexp(np.array(BLOCKWISE_LOGITS[:12])), rtol=1e-14)


def test_blockwise_state_largest_max_first_starts_with_the_top_chunk():
    state = blockwise_state(4, 1, order="largest max first")
    assert state["merged_max"] == max(BLOCKWISE_LOGITS)


def test_blockwise_state_refuses_an_unknown_order():
    with pytest.raises(ValueError, match="order must be one of"):
        blockwise_state(order="random")


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


# --- lesson 06 figures --------------------------------------------------------------


def test_online_trace_draws_the_running_values():
    x = np.array([0.0, 2.0, 1.0, 3.0])
    _, trace = online_normaliser(x, trace=True)
    top, bottom = plots_beyond.online_trace(x, trace["max"], trace["total"])
    assert_allclose(bottom.lines[0].get_ydata(), trace["total"])
    assert_allclose(top.lines[0].get_ydata(), x)


def test_online_trace_keeps_the_lowest_and_highest_logit_clear_of_the_edges():
    x = np.array([-0.9, 0.2, -3.6, -0.8, 0.8, 1.6, 2.7, 1.9])   # the lesson's outlier at -3.6
    _, trace = online_normaliser(x, trace=True)
    top, _ = plots_beyond.online_trace(x, trace["max"], trace["total"])
    low, high = top.get_ylim()
    span = x.max() - x.min()
    assert low <= x.min() - 0.1 * span and high >= x.max() + 0.1 * span
    plt.close("all")


def test_blockwise_panel_hatches_only_pending_chunks():
    state = blockwise_state(6, 2)
    ax = plots_beyond.blockwise_panel(state)
    hatches = [bar.get_hatch() for bar in ax.patches]
    assert hatches.count("//") == 12 and hatches.count(None) + hatches.count("") == 12
    assert ax.get_title() == state["summary"]


def test_memory_passes_and_paired_bars():
    ax = plots_beyond.memory_passes(["numpy", "online"], [5, 2], [3, 1])
    assert [round(b.get_width()) for b in ax.patches] == [5, 2, 3, 1]
    ax = plots_beyond.paired_bars([0.6, 0.4], [0.7, 0.3], ["a", "b"], names=("p", "q"),
                                  title="t")
    assert [round(b.get_height(), 2) for b in ax.patches] == [0.6, 0.4, 0.7, 0.3]


# --- in-place updates: a figure updated from A to B carries what a fresh B draws --------


def _same_lines(updated, fresh):
    assert len(updated.lines) == len(fresh.lines)
    for a, b in zip(updated.lines, fresh.lines, strict=True):
        assert_allclose(a.get_xdata(), b.get_xdata())
        assert_allclose(a.get_ydata(), b.get_ydata())


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_update_loss_vs_true_logit_matches_a_fresh_plot():
    a, b = cross_entropy_state(-3.0, 0), cross_entropy_state(2.5, 3)   # other class: new curve
    updated = plots_training.loss_vs_true_logit(a["grid"], a["grid_losses"],
                                                current=(a["x"][0], a["loss"]))
    plots_training.update_loss_vs_true_logit(updated, b["grid"], b["grid_losses"],
                                             current=(b["x"][3], b["loss"]))
    fresh = plots_training.loss_vs_true_logit(b["grid"], b["grid_losses"],
                                              current=(b["x"][3], b["loss"]))
    _same_lines(updated, fresh)
    assert _legend_texts(updated) == _legend_texts(fresh)
    assert updated.get_ylim() == fresh.get_ylim()
    assert updated.get_ylim() != plots_training.loss_vs_true_logit(
        a["grid"], a["grid_losses"], current=(a["x"][0], a["loss"])).get_ylim()


def test_update_loss_vs_true_logit_refuses_a_plot_with_the_naive_curve():
    state = cross_entropy_state()
    ax = plots_training.loss_vs_true_logit(state["grid"], state["grid_losses"],
                                           naive=state["grid_losses"], current=(0.0, 1.0))
    with pytest.raises(ValueError, match="got 3 lines"):
        plots_training.update_loss_vs_true_logit(ax, state["grid"], state["grid_losses"],
                                                 current=(0.0, 1.0))


def test_update_gradient_bars_matches_a_fresh_plot():
    labels = ["a", "b", "c"]
    updated = plots_training.gradient_bars([0.7, 0.2, 0.1], [1.0, 0.0, 0.0], labels)
    plots_training.update_gradient_bars(updated, [0.1, 0.3, 0.6], [0.0, 1.0, 0.0])
    fresh = plots_training.gradient_bars([0.1, 0.3, 0.6], [0.0, 1.0, 0.0], labels)
    assert_allclose([b.get_height() for b in updated.patches],
                    [b.get_height() for b in fresh.patches])
    assert_allclose([b.get_height() for b in updated.patches][-3:], [0.1, -0.7, 0.6])


def test_update_gradient_bars_refuses_another_number_of_classes():
    ax = plots_training.gradient_bars([0.5, 0.5], [1.0, 0.0], ["a", "b"])
    with pytest.raises(ValueError, match="the plot has 2 classes, got 3 values"):
        plots_training.update_gradient_bars(ax, [0.2, 0.3, 0.5], [1.0, 0.0, 0.0])


def test_update_cross_entropy_panels_matches_fresh_panels():
    a, b = cross_entropy_state(-6.0, 0), cross_entropy_state(4.0, 2)
    updated = plots_training.cross_entropy_panels(a)
    plots_training.update_cross_entropy_panels(updated, b)
    fresh = plots_training.cross_entropy_panels(b)
    for up, fr in zip(updated, fresh, strict=True):
        _same_lines(up, fr)
        assert_allclose([p.get_height() for p in up.patches], [p.get_height() for p in fr.patches])
        assert up.get_title() == fr.get_title()
        assert _legend_texts(up) == _legend_texts(fr)
        assert up.get_ylim() == fr.get_ylim()
    assert "fox" in updated[1].get_title()


def _blockwise_drawing(ax):
    """Everything the blockwise panel shows, as plain values."""
    return {
        "heights": [b.get_height() for b in ax.patches],
        "colours": [tuple(b.get_facecolor()) for b in ax.patches],
        "hatches": [b.get_hatch() or "" for b in ax.patches],
        "lines": [(np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
                  for ln in ax.lines],
        "title": ax.get_title(),
        "legend": _legend_texts(ax),
        "limits": (ax.get_xlim(), ax.get_ylim()),
    }


@pytest.mark.parametrize(("a", "b"), [
    ((6, 0, "left to right"), (5, 3, "largest max first")),   # nothing merged -> merged
    ((24, 1, "left to right"), (4, 2, "right to left")),      # no borders -> five borders
    ((3, 8, "right to left"), (12, 0, "left to right")),      # everything -> nothing merged
])
def test_update_blockwise_panel_matches_a_fresh_panel(a, b):
    updated = plots_beyond.blockwise_panel(blockwise_state(*a))
    plots_beyond.update_blockwise_panel(updated, blockwise_state(*b))
    got = _blockwise_drawing(updated)
    want = _blockwise_drawing(plots_beyond.blockwise_panel(blockwise_state(*b)))
    assert got.keys() == want.keys()
    for key in ("heights", "colours", "hatches", "title", "legend", "limits"):
        assert got[key] == want[key], key
    for (gx, gy), (wx, wy) in zip(got["lines"], want["lines"], strict=True):
        assert_allclose(gx, wx)
        assert_allclose(gy, wy)
    first = _blockwise_drawing(plots_beyond.blockwise_panel(blockwise_state(*a)))
    assert first["title"] != got["title"] and first["hatches"] != got["hatches"]


def test_blockwise_panel_marks_each_chunk_max_and_border():
    state = blockwise_state(6, 0)
    ax = plots_beyond.blockwise_panel(state)
    maxima, borders, merged_max, _ = ax.lines
    assert_allclose(maxima.get_ydata()[::3], state["block_max"])
    assert_allclose(borders.get_xdata()[::3], [5.5, 11.5, 17.5])
    assert np.all(np.isnan(merged_max.get_ydata()))   # nothing merged: no merged max
    ax = plots_beyond.blockwise_panel(blockwise_state(6, 2))
    assert_allclose(ax.lines[2].get_ydata(), [3.4, 3.4])


def test_update_blockwise_panel_refuses_other_logits():
    ax = plots_beyond.blockwise_panel(blockwise_state(6, 2))
    with pytest.raises(ValueError, match="shows 24 logits, the state has 3"):
        plots_beyond.update_blockwise_panel(ax, blockwise_state(2, 1, x=[1.0, 2.0, 3.0]))


# --- explorers: one live figure, updated in place ------------------------------------


def _live_image(box):
    return box.children[-1].children[0]   # LiveFigure.view: the image above its errors


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


def test_blockwise_explorer_updates_its_one_figure_in_place():
    box = blockwise_explorer()
    size, merged, order = box.children[:3]
    image = _live_image(box)
    frames = {bytes(image.value)}
    for control, value in [(merged, 4), (size, 5), (order, "largest max first")]:
        control.value = value
        frames.add(bytes(image.value))
    assert len(frames) == 4
    assert plt.get_fignums() == []


def _pixels(image_widget):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(image_widget.value))).convert("RGB"))


def _ce_live(state):
    from softmax_lessons.widgets.common import LiveFigure

    plots_training.use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    left, right = plots_training.cross_entropy_panels(state, axes=axes)
    return axes, LiveFigure(fig, moving=[*left.lines, left.get_legend(), *right.patches,
                                          *right.lines, right.title])


@pytest.mark.parametrize("b", [(3.0, 0), (-5.0, 2)])   # same loss axis; a new one
def test_blitted_frame_updated_to_b_equals_a_fresh_frame_at_b(b):
    a = cross_entropy_state(0.0, 0)
    axes, live = _ce_live(a)
    first = _pixels(live.image)
    live.update(lambda: plots_training.update_cross_entropy_panels(axes, cross_entropy_state(*b)))
    _, fresh = _ce_live(cross_entropy_state(*b))
    assert np.array_equal(_pixels(live.image), _pixels(fresh.image))
    assert not np.array_equal(_pixels(live.image), first)
