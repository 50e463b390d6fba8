"""Tests for the explorers of lesson 04: controls wired to a scene and a plot."""

import re

import ipywidgets as widgets
import numpy as np
from figure_helpers import image_of

from softmax_lessons.scenes.attention import SENTENCE_TOKENS, attention_scene
from softmax_lessons.widgets.attention import attention_explorer


def text(html):
    return re.sub(r"<[^>]+>", "", html.value)


def _controls(box):
    causal, padding = (c for c in box.children if isinstance(c, widgets.Checkbox))
    scale = next(c for c in box.children if isinstance(c, widgets.FloatSlider))
    summary = next(c for c in box.children if isinstance(c, widgets.HTML))
    return causal, padding, scale, summary


def test_the_attention_explorer_starts_on_the_lessons_sentence_with_both_masks():
    box = attention_explorer()
    causal, padding, scale, summary = _controls(box)
    assert causal.value and padding.value and scale.value == 1.0
    assert image_of(box).startswith(b"\x89PNG")
    scene = attention_scene()
    assert scene.tokens == (*SENTENCE_TOKENS, "<pad>")
    assert text(summary).startswith(f"{scene.n_masked} of 64 cells masked; every row sums to 1")


def test_turning_the_padding_mask_off_unmasks_the_pad_for_the_last_row_only():
    box = attention_explorer()
    _, padding, _, summary = _controls(box)
    before = int(text(summary).split()[0])
    padding.value = False
    after = int(text(summary).split()[0])
    # with the causal mask on, only the pad's own row could see the pad
    assert before - after == 1
    assert np.isclose(attention_scene(padding=False).weights[-1].sum(), 1.0)


def test_the_scale_slider_changes_the_mean_row_entropy_in_the_line():
    box = attention_explorer()
    _, _, scale, summary = _controls(box)
    before = text(summary)
    scale.value = 4.0
    assert text(summary) != before
    mean = float(re.search(r"mean row entropy ([\d.]+) bits", text(summary)).group(1))
    assert mean == round(float(np.mean(attention_scene(scale=4.0).row_entropy)), 2)
