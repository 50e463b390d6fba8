"""Tests for the scenes of lesson 04.

What each figure and explorer shows, computed without a browser.
"""

import numpy as np
import pytest
from figure_helpers import (
    assert_only_moving_artists_change,
    assert_redraw_matches_fresh,
    assert_update_matches_fresh,
)
from numpy.testing import assert_allclose, assert_array_equal

from softmax_lessons.core import softmax
from softmax_lessons.plots.attention import (
    attention_figure,
    attention_figure_moving,
    saturation_figure,
    saturation_figure_moving,
    update_attention_figure,
    update_saturation_figure,
)
from softmax_lessons.scenes.attention import (
    SENTENCE_TOKENS,
    attention_scene,
    float16_mask_scene,
    labelled_table,
    same_output_scene,
    saturation_scene,
    sentence_embeddings,
    sentence_heads_scene,
)


@pytest.mark.parametrize(("a", "b"), [
    ({}, {"scale": 3.0}),
    ({}, {"causal": False}),
    ({"causal": False, "padding": False}, {"causal": True, "padding": True, "scale": 0.0}),
    ({"padding": False, "scale": 4.0}, {"causal": False, "scale": 0.5}),
])
def test_update_attention_figure_matches_a_figure_drawn_at_the_new_settings(a, b):
    assert_update_matches_fresh(attention_figure, update_attention_figure,
                                attention_scene(**a), attention_scene(**b))


@pytest.mark.parametrize(("d_a", "d_b"), [(64, 65), (64, 512), (1, 100), (300, 2)])
def test_update_saturation_figure_matches_a_figure_drawn_at_the_new_d(d_a, d_b):
    assert_update_matches_fresh(saturation_figure, update_saturation_figure,
                                saturation_scene(d_a), saturation_scene(d_b))


@pytest.mark.parametrize("b", [{"causal": False}, {"padding": False, "scale": 3.0},
                               {"causal": False, "padding": False, "scale": 0.0}])
def test_an_attention_step_from_the_explorers_start_changes_only_the_moving_artists(b):
    assert_only_moving_artists_change(attention_figure, update_attention_figure,
                                      attention_figure_moving, attention_scene(),
                                      attention_scene(**b))


def test_the_attention_explorer_starts_with_every_cell_any_setting_can_mask():
    start = attention_scene().mask  # its grey squares are reused, never added
    for causal in (False, True):
        for padding in (False, True):
            assert np.all(start <= attention_scene(causal, padding).mask)


@pytest.mark.parametrize("d_b", [65, 512, 1])
def test_a_saturation_step_changes_only_the_moving_artists(d_b):
    assert_only_moving_artists_change(saturation_figure, update_saturation_figure,
                                      saturation_figure_moving, saturation_scene(64),
                                      saturation_scene(d_b))


def test_no_mask_gives_full_rows_that_sum_to_one():
    state = attention_scene(causal=False, padding=False)
    assert state.n_masked == 0
    assert np.all(state.weights > 0)
    assert_allclose(state.row_sums, 1.0)


def test_the_explorer_shows_the_lessons_sentence_padded_with_one_pad():
    state = attention_scene()
    assert state.tokens == (*SENTENCE_TOKENS, "<pad>")
    assert state.weights.shape == state.mask.shape == (8, 8)


@pytest.mark.parametrize("causal", [False, True])
def test_the_explorer_tells_the_lessons_story_it_looks_at_cat(causal):
    # with the pad masked, the sentence's rows are head 1's rows from the lesson's text
    state = attention_scene(causal=causal, padding=True)
    head = sentence_heads_scene(causal=causal).heads[0]
    n = len(SENTENCE_TOKENS)
    assert_allclose(state.weights[:n, :n], head.weights, rtol=1e-12)
    it, cat = SENTENCE_TOKENS.index("it"), SENTENCE_TOKENS.index("cat")
    assert int(np.argmax(state.weights[it])) == cat and state.weights[it, cat] > 0.9


def test_unmasked_the_pad_takes_weight_from_every_row():
    state = attention_scene(causal=False, padding=False)
    pad, it = state.tokens.index("<pad>"), state.tokens.index("it")
    assert np.all(state.weights[:, pad] > 0)
    # the pad has no features, so "it" scores it like any word that is not a noun
    assert state.weights[it, pad] == pytest.approx(state.weights[it, state.tokens.index("the")])
    # a row with no question (zero query) is uniform over all eight keys, the pad included
    assert_allclose(state.weights[0], 1 / 8)


def test_causal_mask_zeroes_everything_above_the_diagonal():
    state = attention_scene(causal=True, padding=False)
    assert np.all(state.weights[np.triu_indices(8, k=1)] == 0.0)
    assert state.n_masked == 28


def test_padding_mask_zeroes_the_pad_key_for_every_query():
    state = attention_scene(causal=False, padding=True)
    assert np.all(state.weights[:, len(SENTENCE_TOKENS):] == 0.0)
    assert_allclose(state.row_sums, 1.0)


def test_scale_zero_is_uniform_over_allowed_keys_and_a_large_scale_sharpens():
    flat = attention_scene(causal=True, padding=False, scale=0.0)
    assert_allclose(flat.weights[3, :4], 0.25)
    sharp = attention_scene(causal=True, padding=False, scale=4.0)
    standard = attention_scene(causal=True, padding=False)
    assert sharp.row_entropy.mean() < standard.row_entropy.mean() < flat.row_entropy.mean()
    # only the row with a question sharpens: equal scores stay equal at any scale
    it = SENTENCE_TOKENS.index("it")
    others = [i for i in range(8) if i != it]
    assert_allclose(sharp.weights[others], flat.weights[others])
    assert sharp.weights[it].max() > 0.99


def test_summary_counts_masked_cells():
    assert "29 of 64 cells masked" in attention_scene().summary
    assert "sharpest row with a choice: 'it'" in attention_scene().summary


def test_without_scaling_the_row_saturates_at_large_d():
    state = saturation_scene(512)
    assert state.weights_unscaled.max() > 0.99
    assert state.mean_entropy_unscaled < 0.5 < 2.0 < state.mean_entropy_scaled


def test_the_lessons_example_row_is_spread_when_scaled_and_one_hot_when_not():
    state = saturation_scene(256)
    assert state.weights_scaled.max() < 0.5
    assert state.weights_unscaled.max() > 0.99


def test_at_d_one_scaling_changes_nothing():
    state = saturation_scene(1)
    assert_array_equal(state.weights_scaled, state.weights_unscaled)


def test_the_markers_lie_on_the_curves():
    state = saturation_scene(100)
    dims = list(state.curve.dims)
    assert 100 in dims
    i = dims.index(100)
    assert state.mean_entropy_scaled == state.curve.entropy_scaled[i]


def test_saturation_state_refuses_d_out_of_range():
    with pytest.raises(ValueError, match=r"d must be an integer in \[1, 512\]"):
        saturation_scene(0)


# -- a sentence with meaning: two hand-built heads ------------------------------------------

def _row_by_hand(q_row, k):
    """Softmax of one row of scaled scores, written out with exp (an independent reference)."""
    scores = k @ q_row / np.sqrt(k.shape[1])
    e = np.exp(scores - scores.max())
    return e / e.sum()


def test_queries_keys_and_values_are_the_embeddings_times_each_heads_projections():
    scene = sentence_heads_scene()
    e = sentence_embeddings()
    assert_array_equal(scene.embeddings, e)
    for head in scene.heads:
        assert_array_equal(head.q, e @ head.w_q)
        assert_array_equal(head.k, e @ head.w_k)
        assert_array_equal(head.v, e @ head.w_v)


def test_every_word_is_a_query_over_the_same_sentence():
    scene = sentence_heads_scene()
    for head in scene.heads:
        assert head.weights.shape == (len(SENTENCE_TOKENS), len(SENTENCE_TOKENS))
        for i in range(len(SENTENCE_TOKENS)):
            assert_allclose(head.weights[i], _row_by_hand(head.q[i], head.k), rtol=1e-12)
        assert_allclose(head.output, head.weights @ head.v)


@pytest.mark.parametrize("causal", [False, True])
def test_each_head_puts_most_of_a_row_on_the_word_it_was_built_to_find(causal):
    scene = sentence_heads_scene(causal=causal)
    tokens = list(scene.tokens)
    links = [link for head in scene.heads for link in head.links]
    assert ("it", "cat") in links and ("sat", "cat") in links and ("was", "it") in links
    for head in scene.heads:
        for query, key in head.links:
            row = head.weights[tokens.index(query)]
            assert int(np.argmax(row)) == tokens.index(key)
            assert row[tokens.index(key)] > 0.75


def test_the_pronoun_head_only_has_a_question_for_the_pronoun():
    head = sentence_heads_scene().heads[0]
    it = SENTENCE_TOKENS.index("it")
    others = [i for i in range(len(SENTENCE_TOKENS)) if i != it]
    assert_allclose(head.weights[others], 1 / len(SENTENCE_TOKENS))  # no query: uniform rows


def test_after_the_pronoun_head_it_carries_the_features_of_cat():
    head = sentence_heads_scene().heads[0]
    it, cat = SENTENCE_TOKENS.index("it"), SENTENCE_TOKENS.index("cat")
    assert_allclose(head.v[cat], [1.0, 1.0])   # cat's value: noun, animate
    assert np.all(head.output[it] > 0.9)
    assert np.all(head.output[it] <= head.v[cat])


def test_multi_head_output_is_the_heads_outputs_side_by_side():
    scene = sentence_heads_scene()
    assert scene.concatenated.shape == (7, 4)
    assert_array_equal(scene.concatenated[:, :2], scene.heads[0].output)
    assert_array_equal(scene.concatenated[:, 2:], scene.heads[1].output)


def test_the_two_heads_make_different_patterns():
    first, second = (h.weights for h in sentence_heads_scene().heads)
    assert np.abs(first - second).max() > 0.5


def test_a_causal_heads_scene_gives_later_words_weight_zero():
    scene = sentence_heads_scene(causal=True)
    for head in scene.heads:
        assert np.all(head.weights[np.triu_indices(7, k=1)] == 0.0)
        assert_allclose(head.weights.sum(axis=1), 1.0)


def test_labelled_table_shows_every_label_and_value():
    text = labelled_table(np.array([[1.0, 0.25], [-1.5, 0.0]]), ["cat", "it"], ["q1", "q2"])
    lines = text.splitlines()
    assert lines[0].split() == ["q1", "q2"]
    assert lines[1].split() == ["cat", "1", "0.25"]
    assert lines[2].split() == ["it", "-1.5", "0"]


def test_labelled_table_refuses_labels_that_do_not_fit():
    with pytest.raises(ValueError, match="need 2 row labels and 2 column labels"):
        labelled_table(np.eye(2), ["a"], ["x", "y"])


# -- mask values in float16 -----------------------------------------------------------------

def _case(scene, label):
    return next(c for c in scene.cases if c.label == label)


def test_values_beyond_the_float16_range_are_stored_as_minus_infinity():
    scene = float16_mask_scene()
    assert np.finfo(np.float16).min == -65504
    stored = {c.label: c.stored for c in scene.cases}
    assert stored["-1e4"] == -10000.0
    assert stored["float16 min"] == -65504.0
    for label in ("-1e9", "min + min (two masks)", "min / 0.5 (temperature)"):
        assert stored[label] == -np.inf


def test_a_fully_masked_row_is_nan_exactly_when_the_mask_value_became_minus_infinity():
    for case in float16_mask_scene().cases:
        assert case.nan == np.isneginf(case.stored)
        if not case.nan:
            assert_allclose(case.full_row.sum(), 1.0, atol=1e-3)  # finite: weight on masked keys


def test_rounding_in_float16_erases_the_scores_under_a_large_finite_mask():
    scene = float16_mask_scene()
    assert_allclose(_case(scene, "-1e4").full_row, 0.25)
    assert_allclose(_case(scene, "float16 min").full_row, 0.25)
    # a small mask value keeps the scores' order: the row is just softmax(scores)
    assert_allclose(_case(scene, "-10").full_row,
                    softmax(scene.scores.astype(float)), atol=2e-3)


def test_a_mask_value_of_minus_ten_leaks_weight_in_float16():
    scene = float16_mask_scene()
    s = scene.scores.astype(float)
    expected = np.exp(s[2:] - 10).sum() / (np.exp(s[:2]).sum() + np.exp(s[2:] - 10).sum())
    leak = _case(scene, "-10").leaked
    assert 0 < leak == pytest.approx(expected, rel=2e-2)
    assert all(c.leaked == 0 for c in scene.cases if c.label != "-10")


def test_one_nan_row_makes_the_mean_of_the_batch_nan_in_float16_but_not_in_float32():
    losses = float16_mask_scene().losses
    assert np.isfinite(losses["float32"])
    assert np.isnan(losses["float16"])


def test_the_mask_report_has_one_line_per_case():
    scene = float16_mask_scene()
    lines = scene.report.splitlines()
    assert len(lines) == 1 + len(scene.cases)
    assert "nan" in lines[4] and "-inf" in lines[4]


# -- attention weights are not explanations --------------------------------------------------

def test_very_different_weights_give_the_same_output():
    scene = same_output_scene()
    assert scene.largest_weight_change > 0.99
    assert scene.largest_output_gap < 1e-12
    assert_allclose(scene.outputs, [[2.0, 1.5]] * 3)
    assert_allclose(scene.weights.sum(axis=1), 1.0)


def test_same_output_scene_reports_a_gap_when_outputs_differ():
    scene = same_output_scene(scores=[[0.0, 0.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0]],
                              labels=["even", "v0"])
    assert scene.largest_output_gap > 1.0
    with pytest.raises(ValueError, match="one label per row"):
        same_output_scene(labels=["only one"])


def test_redrawn_attention_figure_matches_a_figure_drawn_from_scratch_colour_bar_included():
    assert_redraw_matches_fresh(attention_figure, lambda fig, s: attention_figure(s, fig=fig),
                                attention_scene(), attention_scene(causal=False, scale=2.0))


def test_redrawn_saturation_figure_matches_a_figure_drawn_from_scratch():
    assert_redraw_matches_fresh(saturation_figure, lambda fig, s: saturation_figure(s, fig=fig),
                                saturation_scene(16), saturation_scene(256))
