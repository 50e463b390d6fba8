"""Tests for the figures of lesson 04: they draw exactly the numbers they are given."""

import matplotlib.pyplot as plt
import numpy as np
from numpy.testing import assert_allclose

from softmax_lessons.plots.attention import (
    attention_figure,
    attention_heatmap,
    heads_figure,
    masked_cells,
    same_output_figure,
    update_attention_figure,
)
from softmax_lessons.scenes.attention import (
    attention_scene,
    same_output_scene,
    sentence_heads_scene,
)


def _frames(ax):
    """The (row, column) of every unfilled frame drawn on a heatmap."""
    return sorted((round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in ax.patches
                  if isinstance(p, plt.Rectangle) and not p.get_fill())


def test_attention_heatmap_prints_each_weight_in_its_cell():
    w = np.array([[0.25, 0.75], [1.0, 0.0]])
    ax = attention_heatmap(w, ["a", "b"], ["a", "b"])
    assert_allclose(ax.images[0].get_array(), w)
    assert [t.get_text() for t in ax.texts] == ["0.25", "0.75", "1.00", "0.00"]


def test_the_explorers_heatmap_labels_its_rows_and_columns_with_the_sentence():
    scene = attention_scene()
    ax = attention_figure(scene).axes[0]
    assert_allclose(ax.images[0].get_array(), scene.weights)
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        assert [t.get_text() for t in ticks] == list(scene.tokens)
    texts = [t.get_text() for t in ax.texts]
    it, cat = scene.tokens.index("it"), scene.tokens.index("cat")
    assert texts[it * len(scene.tokens) + cat] == f"{scene.weights[it, cat]:.2f}"
    assert texts.count("x") == scene.n_masked


def _grey_cells(ax):
    """The (row, column) of every grey hatched square, from the collection's paths."""
    squares = masked_cells(ax)
    assert squares.get_hatch() == "///"
    return sorted((round(v[:, 1].min() + 0.5), round(v[:, 0].min() + 0.5))
                  for v in (path.vertices for path in squares.get_paths()))


def test_grey_squares_cover_exactly_the_masked_cells_and_follow_the_mask():
    both = attention_scene(causal=True, padding=True)
    fig = attention_figure(both)
    ax = fig.axes[0]
    assert _grey_cells(ax) == sorted(map(tuple, np.argwhere(~both.mask).tolist()))
    for causal, padding in ((False, True), (False, False), (True, False), (True, True)):
        scene = attention_scene(causal=causal, padding=padding)
        update_attention_figure(fig, scene)
        assert _grey_cells(ax) == sorted(map(tuple, np.argwhere(~scene.mask).tolist()))
        assert [t.get_text() for t in ax.texts].count("x") == scene.n_masked


def test_heads_figure_draws_each_heads_weights_side_by_side():
    scene = sentence_heads_scene()
    fig = heads_figure(scene)
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert len(heatmaps) == len(scene.heads) == 2
    for ax, head in zip(heatmaps, scene.heads, strict=True):
        assert_allclose(ax.images[0].get_array(), head.weights)
        assert ax.get_title() == head.name
        assert [t.get_text() for t in ax.get_xticklabels()] == list(scene.tokens)
        assert [t.get_text() for t in ax.texts][:7] == [f"{w:.2f}" for w in head.weights[0]]


def test_heads_figure_frames_exactly_the_pairs_each_head_was_built_to_link():
    scene = sentence_heads_scene()
    fig = heads_figure(scene)
    heatmaps = [ax for ax in fig.axes if ax.images]
    tokens = list(scene.tokens)
    for ax, head in zip(heatmaps, scene.heads, strict=True):
        expected = sorted((tokens.index(q), tokens.index(k)) for q, k in head.links)
        assert _frames(ax) == expected


def test_same_output_figure_draws_the_weights_and_the_outputs():
    scene = same_output_scene()
    fig = same_output_figure(scene)
    bars, points = fig.axes[0], fig.axes[1]
    heights = np.array([p.get_height() for p in bars.patches]).reshape(scene.weights.shape)
    assert_allclose(heights, scene.weights)
    assert [t.get_text() for t in bars.get_legend().get_texts()] == list(scene.labels)
    for line, output in zip(points.lines, scene.outputs, strict=True):
        assert_allclose(np.asarray(line.get_xydata())[0], output)
    markers = {line.get_marker() for line in points.lines}
    assert len(markers) == len(scene.labels)   # told apart by shape, not colour alone


def test_same_output_figure_counts_the_rows_it_draws():
    two = same_output_scene(scores=[[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]], labels=["a", "b"])
    assert same_output_figure(two).axes[0].get_title() == "2 rows of weights"
