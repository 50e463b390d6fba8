"""Tests for the scenes of lesson 05.

What each figure and explorer shows, computed without a browser.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_lessons.core import softmax
from softmax_lessons.sampling import greedy_decode
from softmax_lessons.scenes import (
    cross_entropy_scene,
    generate_names,
    loss_gradient_scene,
    make_blobs,
    name_bigrams,
    name_samples,
)


def test_cross_entropy_state_loss_and_gradient_follow_the_true_logit():
    low = cross_entropy_scene(true_logit=-4.0, label=0)
    high = cross_entropy_scene(true_logit=6.0, label=0)
    assert low.loss > 5 > 0.2 > high.loss
    assert_allclose(high.grad, high.p - high.y, atol=1e-15)
    assert_allclose(high.p, softmax([6.0, 2.0, 1.0, -1.0]), rtol=1e-15)
    assert high.grad[0] < 0 and np.all(high.grad[1:] > 0)


def test_cross_entropy_state_curve_passes_through_the_marker():
    state = cross_entropy_scene(true_logit=1.5, label=2)
    i = np.argmin(np.abs(state.grid - 1.5))
    assert_allclose(state.grid_losses[i], state.loss, rtol=1e-12)
    assert np.all(np.diff(state.grid_losses) < 0)   # a larger true logit always helps
    assert "fox" in state.summary


def test_cross_entropy_state_refuses_bad_label():
    with pytest.raises(ValueError, match=r"label must be in 0\.\.3"):
        cross_entropy_scene(0.0, label=7)


# -- cross-entropy against squared error ------------------------------------------------


def test_loss_gradient_scene_when_confidently_wrong_only_cross_entropy_pushes():
    scene = loss_gradient_scene(label=0)
    assert_allclose(scene.ce_grad, scene.p_true - 1, atol=1e-15)
    assert scene.p_true[0] < 1e-4                       # the left end: confidently wrong
    assert scene.ce_grad[0] < -0.999
    assert -1e-3 < scene.se_grad[0] < 0
    assert np.all(np.abs(scene.se_grad) < np.abs(scene.ce_grad))
    # the squared error's push peaks in between, then fades again on the wrong side
    peak = np.argmax(np.abs(scene.se_grad))
    assert 0 < peak < scene.grid.size - 1
    assert np.all(np.diff(np.abs(scene.se_grad[: peak + 1])) > 0)
    assert "squared-error gradient" in scene.summary


def test_loss_gradient_scene_gradients_are_the_slopes_of_its_losses():
    scene = loss_gradient_scene(label=2)
    step = scene.grid[1] - scene.grid[0]
    inner = slice(1, -1)
    assert_allclose(np.gradient(scene.ce_loss, step)[inner], scene.ce_grad[inner], atol=2e-3)
    assert_allclose(np.gradient(scene.se_loss, step)[inner], scene.se_grad[inner], atol=2e-3)


def test_loss_gradient_scene_refuses_bad_label():
    with pytest.raises(ValueError, match=r"label must be in 0\.\.3"):
        loss_gradient_scene(label=4)


@pytest.mark.parametrize("scene", [cross_entropy_scene, loss_gradient_scene])
def test_loss_scenes_name_a_label_that_is_not_a_class_index(scene):
    with pytest.raises(ValueError, match=r"label must be an integer >= 0, got -1"):
        scene(label=-1)
    with pytest.raises(TypeError, match=r"label must be an integer >= 0, got 1\.5"):
        scene(label=1.5)


# -- a bigram model of names ----------------------------------------------------------


def test_name_bigrams_frame_every_name_with_the_marker():
    b = name_bigrams(["emma"])
    pairs = sorted(b.alphabet[i] + b.alphabet[j] for i, j in zip(b.previous, b.following,
                                                               strict=True))
    assert pairs == sorted([".e", "em", "mm", "ma", "a."])
    assert b.alphabet == ".aem"


def test_name_bigrams_count_one_start_and_one_end_per_name():
    names = ["ann", "bob", "cy", "anna"]
    b = name_bigrams(names)
    assert b.counts.sum() == sum(len(name) + 1 for name in names) == b.previous.size
    assert b.counts[0].sum() == b.counts[:, 0].sum() == len(names)
    assert b.counts[0, 0] == 0                            # no empty name
    assert b.counts[b.alphabet.index("a"), b.alphabet.index("n")] == 2    # ann, anna
    assert str(len(names)) in b.summary


def test_name_bigrams_refuses_empty_names_and_the_marker():
    with pytest.raises(ValueError, match="non-empty"):
        name_bigrams(["ann", ""])
    with pytest.raises(ValueError, match="free of"):
        name_bigrams(["a.b"])


# rows: after ".", after "a", after "b"; the most likely path is . b a .
WEIGHTS = np.log([[1e-9, 1.0, 2.0], [2.0, 1e-9, 1.0], [1.0, 2.0, 1e-9]])


def test_generated_names_use_the_alphabet_and_repeat_with_the_seed():
    first = generate_names(WEIGHTS, ".ab", np.random.default_rng(7), 20)
    again = generate_names(WEIGHTS, ".ab", np.random.default_rng(7), 20)
    assert first == again and len(first) == 20
    assert all(name and set(name) <= {"a", "b"} for name in first)
    assert len(set(first)) > 3


def test_top_1_names_are_the_greedy_path():
    greedy = greedy_decode(WEIGHTS, start=0, steps=3)
    assert greedy == [0, 2, 1, 0]                            # . b a .
    expected = "".join(".ab"[t] for t in greedy[1:-1])
    assert generate_names(WEIGHTS, ".ab", np.random.default_rng(0), 3, top_k=1) == [expected] * 3


def test_a_name_that_never_ends_is_cut_and_marked():
    loop = np.log([[1e-12, 1.0], [1e-300, 1.0]])            # after "a", the end is all but shut
    names = generate_names(loop, ".a", np.random.default_rng(0), 2, top_k=1, max_length=5)
    assert names == ["aaaaa…", "aaaaa…"]


def test_generate_names_refuses_a_table_of_the_wrong_shape_or_alphabet():
    with pytest.raises(ValueError, match=r"must be \(3, 3\)"):
        generate_names(np.zeros((2, 2)), ".ab", np.random.default_rng(0), 1)
    with pytest.raises(ValueError, match="must start with the marker"):
        generate_names(WEIGHTS, "ab.", np.random.default_rng(0), 1)


def test_name_samples_draw_every_setting_in_order_from_one_generator():
    settings = {"T = 0.5": {"temperature": 0.5}, "top-k = 1": {"top_k": 1}}
    s = name_samples(WEIGHTS, ".ab", np.random.default_rng(3), settings, n_names=20,
                     n_shown=4, corpus=["ba"])
    rng = np.random.default_rng(3)
    assert s.names == [generate_names(WEIGHTS, ".ab", rng, 20, temperature=0.5),
                       generate_names(WEIGHTS, ".ab", rng, 20, top_k=1)]
    assert s.settings == list(settings)
    assert s.known == [sum(n == "ba" for n in names) for names in s.names]
    assert s.known[1] == 20                                 # greedy writes "ba" every time
    assert_allclose(s.mean_length, [np.mean([len(n) for n in names]) for names in s.names])
    assert s.lines[1] == ("top-k = 1  ba ba ba ba   | 20 names: 2.0 letters on average, "
                          "20 in the list")
    assert s.lines[0].split("|")[0].split()[3:] == s.names[0][:4]


# -- toy data ----------------------------------------------------------------------------


def test_blobs_are_seeded_balanced_and_around_their_centres():
    f1, l1 = make_blobs(np.random.default_rng(3), n_per_class=200)
    f2, _ = make_blobs(np.random.default_rng(3), n_per_class=200)
    assert_allclose(f1, f2)
    assert np.bincount(l1).tolist() == [200, 200, 200]
    means = np.array([f1[l1 == c].mean(axis=0) for c in range(3)])
    assert_allclose(means, [(-2, 0), (2, 0), (0, 3)], atol=0.25)


def test_blobs_need_a_generator():
    with pytest.raises(TypeError, match="default_rng"):
        make_blobs(0)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (2.5, TypeError),
        (2.0, TypeError),
        (True, TypeError),
        (0, ValueError),
    ],
)
def test_make_blobs_refuses_a_fractional_or_empty_class_size(bad, error):
    with pytest.raises(error, match="n_per_class must be an integer >= 1"):
        make_blobs(np.random.default_rng(0), n_per_class=bad)
