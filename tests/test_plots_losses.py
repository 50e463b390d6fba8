"""Tests for the figures of lesson 05: they draw exactly the numbers they are given."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_helpers import image_pixels, legend_texts
from numpy.testing import assert_allclose

from softmax_lessons.core import softmax
from softmax_lessons.losses import softmax_jacobian
from softmax_lessons.plots import losses as plots_losses
from softmax_lessons.scenes import (
    cross_entropy_scene,
    loss_gradient_scene,
    make_blobs,
    name_bigrams,
)
from softmax_lessons.training import decision_grid, train_softmax_regression


def _same_lines(updated, fresh):
    assert len(updated.lines) == len(fresh.lines)
    for a, b in zip(updated.lines, fresh.lines, strict=True):
        assert_allclose(a.get_xdata(), b.get_xdata())
        assert_allclose(a.get_ydata(), b.get_ydata())


def _ce_live(state):
    from softmax_lessons.widgets.live import LiveFigure

    plots_losses.use_course_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    left, right = plots_losses.cross_entropy_panels(state, axes=axes)
    return axes, LiveFigure(fig, moving=[*left.lines, left.get_legend(), *right.patches,
                                          *right.lines, right.title])


def test_cross_entropy_panels_draw_the_state():
    state = cross_entropy_scene(true_logit=3.0, label=1)
    left, right = plots_losses.cross_entropy_panels(state)
    y_line = left.lines[0].get_ydata()
    assert_allclose(y_line, state.grid_losses)
    heights = [b.get_height() for b in right.patches]
    assert_allclose(heights[-4:], state.grad)
    assert "dog" in right.get_title()


def test_jacobian_heatmap_shows_every_entry():
    jac = softmax_jacobian(softmax([2.0, 1.0, 0.0]))
    ax = plots_losses.jacobian_heatmap(jac, ["a", "b", "c"])
    assert [t.get_text() for t in ax.texts] == [f"{v:.3f}" for v in jac.ravel()]
    assert_allclose(ax.images[0].get_array(), jac)


def test_decision_regions_and_loss_curve_draw_the_trained_model():
    features, labels = make_blobs(np.random.default_rng(0), n_per_class=10)
    result = train_softmax_regression(features, labels, steps=20)
    grid = decision_grid(result, (-4, 4), (-3, 6), resolution=30)
    ax = plots_losses.decision_regions(grid, features, labels, ["a", "b", "c"])
    assert len(ax.collections) >= 4   # the mesh, contour lines, and one scatter per class
    ax = plots_losses.loss_curve(result.losses, best=0.1)
    assert_allclose(ax.lines[0].get_ydata(), result.losses)
    assert ax.lines[1].get_ydata()[0] == 0.1


def test_learned_vs_counted_draws_one_point_per_pair():
    ax = plots_losses.learned_vs_counted([-1.0, -2.0, -0.5], [-1.1, -2.0, -0.4])
    assert_allclose(ax.collections[0].get_offsets(), [[-1.0, -1.1], [-2.0, -2.0], [-0.5, -0.4]])


def test_update_loss_vs_true_logit_matches_a_fresh_plot():
    a, b = cross_entropy_scene(-3.0, 0), cross_entropy_scene(2.5, 3)   # other class: new curve
    updated = plots_losses.loss_vs_true_logit(a.grid, a.grid_losses,
                                                current=(a.x[0], a.loss))
    plots_losses.update_loss_vs_true_logit(updated, b.grid, b.grid_losses,
                                             current=(b.x[3], b.loss))
    fresh = plots_losses.loss_vs_true_logit(b.grid, b.grid_losses,
                                              current=(b.x[3], b.loss))
    _same_lines(updated, fresh)
    assert legend_texts(updated) == legend_texts(fresh)
    assert updated.get_ylim() == fresh.get_ylim()
    assert updated.get_ylim() != plots_losses.loss_vs_true_logit(
        a.grid, a.grid_losses, current=(a.x[0], a.loss)).get_ylim()


def test_update_loss_vs_true_logit_refuses_a_plot_with_the_naive_curve():
    state = cross_entropy_scene()
    ax = plots_losses.loss_vs_true_logit(state.grid, state.grid_losses,
                                           naive=state.grid_losses, current=(0.0, 1.0))
    with pytest.raises(ValueError, match="got 3 lines"):
        plots_losses.update_loss_vs_true_logit(ax, state.grid, state.grid_losses,
                                                 current=(0.0, 1.0))


def test_update_gradient_bars_matches_a_fresh_plot():
    labels = ["a", "b", "c"]
    updated = plots_losses.gradient_bars([0.7, 0.2, 0.1], [1.0, 0.0, 0.0], labels)
    plots_losses.update_gradient_bars(updated, [0.1, 0.3, 0.6], [0.0, 1.0, 0.0])
    fresh = plots_losses.gradient_bars([0.1, 0.3, 0.6], [0.0, 1.0, 0.0], labels)
    assert_allclose([b.get_height() for b in updated.patches],
                    [b.get_height() for b in fresh.patches])
    assert_allclose([b.get_height() for b in updated.patches][-3:], [0.1, -0.7, 0.6])


def test_update_gradient_bars_refuses_another_number_of_classes():
    ax = plots_losses.gradient_bars([0.5, 0.5], [1.0, 0.0], ["a", "b"])
    with pytest.raises(ValueError, match="the plot has 2 classes, got 3 values"):
        plots_losses.update_gradient_bars(ax, [0.2, 0.3, 0.5], [1.0, 0.0, 0.0])


def test_update_cross_entropy_panels_matches_fresh_panels():
    a, b = cross_entropy_scene(-6.0, 0), cross_entropy_scene(4.0, 2)
    updated = plots_losses.cross_entropy_panels(a)
    plots_losses.update_cross_entropy_panels(updated, b)
    fresh = plots_losses.cross_entropy_panels(b)
    for up, fr in zip(updated, fresh, strict=True):
        _same_lines(up, fr)
        assert_allclose([p.get_height() for p in up.patches], [p.get_height() for p in fr.patches])
        assert up.get_title() == fr.get_title()
        assert legend_texts(up) == legend_texts(fr)
        assert up.get_ylim() == fr.get_ylim()
    assert "fox" in updated[1].get_title()


@pytest.mark.parametrize("b", [(3.0, 0), (-5.0, 2)])   # same loss axis; a new one
def test_blitted_frame_updated_to_b_equals_a_fresh_frame_at_b(b):
    a = cross_entropy_scene(0.0, 0)
    axes, live = _ce_live(a)
    first = image_pixels(live.image)
    live.update(lambda: plots_losses.update_cross_entropy_panels(axes, cross_entropy_scene(*b)))
    _, fresh = _ce_live(cross_entropy_scene(*b))
    assert np.array_equal(image_pixels(live.image), image_pixels(fresh.image))
    assert not np.array_equal(image_pixels(live.image), first)


def test_loss_gradient_panels_draw_both_losses_and_both_gradients():
    scene = loss_gradient_scene(label=1)
    left, right = plots_losses.loss_gradient_panels(scene)
    assert_allclose(left.lines[0].get_ydata(), scene.ce_loss)
    assert_allclose(left.lines[1].get_ydata(), scene.se_loss)
    assert_allclose(right.lines[0].get_ydata(), scene.ce_grad)
    assert_allclose(right.lines[1].get_ydata(), scene.se_grad)
    for ax in (left, right):
        assert_allclose(ax.lines[0].get_xdata(), scene.grid)
        # told apart by line style as well as colour
        assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    assert "dog" in left.get_title()
    assert legend_texts(right)[0].startswith("cross-entropy")


def test_bigram_heatmap_draws_the_counts_and_leaves_unseen_pairs_blank():
    b = name_bigrams(["anna", "bob", "abba"])
    ax = plots_losses.bigram_heatmap(b.counts, b.alphabet, title="three names")
    shown = ax.images[0].get_array()
    assert_allclose(shown.filled(0), b.counts)
    assert shown.mask.tolist() == (b.counts == 0).tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(b.alphabet)
    assert ax.get_title() == "three names"
    assert ax.images[0].norm.vmax == b.counts.max()
