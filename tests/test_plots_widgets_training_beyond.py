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
