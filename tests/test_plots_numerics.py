"""Tests for the figures of lesson 02: they draw exactly the numbers they are given."""

import numpy as np
import pytest
from figure_helpers import drawn_pixels, redrawn
from numpy.testing import assert_allclose

from softmax_lessons.numerics import SweepRecord, exp_limits
from softmax_lessons.plots.numerics import (
    exp_limits_chart,
    spacing_chart,
    stability_columns,
    two_sum_number_line,
    ulp_sweep,
)
from softmax_lessons.scenes.numerics import spacing_scene, stability_scene, two_sum_scene


def _panel_data(ax):
    """What a reader sees on one panel: bars, colours, hatches, labels and their style, title."""
    return {
        "heights": [bar.get_height() for bar in ax.patches],
        "facecolors": [tuple(bar.get_facecolor()) for bar in ax.patches],
        "hatches": [bar.get_hatch() for bar in ax.patches],
        "texts": [(t.get_text(), tuple(t.xy), tuple(t.get_position()), t.get_verticalalignment(),
                   t.get_fontsize(), t.get_fontweight(), t.get_bbox_patch() is not None)
                  for t in ax.texts],
        "title": ax.get_title(),
        "ylim": ax.get_ylim(),
    }


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_columns_draw_nan_as_labelled_hatched_bars_and_stable_as_probabilities():
    state = stability_scene()
    left, right = stability_columns(state)
    assert all(bar.get_hatch() == "xx" for bar in left.patches)
    assert [t.get_text() for t in left.texts] == ["NaN", "NaN", "NaN"]
    assert_allclose([b.get_height() for b in right.patches], state.stable_p)


def test_columns_draw_naive_values_when_they_are_fine():
    state = stability_scene(offset=0.0)
    left, _ = stability_columns(state)
    assert_allclose([b.get_height() for b in left.patches], state.naive_p)
    assert not any(bar.get_hatch() for bar in left.patches)


def test_column_titles_name_the_dtype_and_the_offset_of_their_row():
    # Lesson 02 stacks three settings; each row must say which one it shows.
    left, right = stability_columns(stability_scene(offset=12.0, dtype="float16"))
    assert left.get_title().splitlines() == ["naive exp(x) / sum exp(x)", "float16, offset 12"]
    assert right.get_title().splitlines() == ["stable: shift by max(x)", "float16, offset 12"]
    redrawn(left.figure, lambda: stability_columns(stability_scene(offset=-1000.0),
                                                   axes=(left, right)))
    assert left.get_title().endswith("float64, offset -1000")
    assert right.get_title().endswith("float64, offset -1000")


def test_limits_chart_spans_each_measured_range():
    limits = [exp_limits(d) for d in ("float16", "float64")]
    ax = exp_limits_chart(limits)
    for bar, d in zip(ax.patches, limits, strict=True):
        assert_allclose(bar.get_x(), float(d.underflow))
        assert_allclose(bar.get_x() + bar.get_width(), float(d.overflow))
    assert ax.get_xscale() == "symlog"
    assert "log scale on both sides of 0" in ax.get_xlabel()


def test_ulp_sweep_marks_failures_on_the_fails_line():
    rows = [SweepRecord("float64", s, m, max_ulp=v, median_ulp=v, failed=float(v == np.inf))
            for s, m, v in [(1.0, "naive", 1.0), (10.0, "naive", np.inf),
                            (1.0, "shifted", 2.0), (10.0, "shifted", 30.0)]]
    ax = ulp_sweep(rows, "float64")
    assert ax.lines[0].get_ydata()[1] != ax.lines[0].get_ydata()[1]  # NaN: not drawn
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert crosses[0].get_xydata().tolist() == [[10.0, 90.0]]
    shifted = next(line for line in ax.lines if line.get_label() == "shifted")
    assert_allclose(shifted.get_ydata(), [2.0, 30.0])


def test_ulp_sweep_draws_errors_too_small_for_the_log_axis_on_its_bottom_edge():
    rows = [SweepRecord("float32", s, "a", max_ulp=v, median_ulp=v, failed=0.0)
            for s, v in [(1.0, 3.0), (10.0, 1e-40), (100.0, 0.0)]]
    ax = ulp_sweep(rows, "float32")
    assert_allclose(ax.lines[0].get_ydata(), [3.0, 0.05, 0.05])
    assert ax.get_ylim()[0] < 0.05


def test_ulp_sweep_refuses_a_dtype_with_no_records():
    with pytest.raises(ValueError, match="no records for dtype 'float16'"):
        ulp_sweep([SweepRecord("float64", 1.0, "a", max_ulp=1.0, median_ulp=1.0, failed=0.0)],
                  "float16")


@pytest.mark.parametrize(("a", "b"), [
    ({"offset": 1000.0}, {"offset": 0.0}),                      # all NaN -> all fine
    ({"offset": 0.0}, {"offset": 1000.0}),                      # all fine -> all NaN
    ({"offset": 708.0}, {"offset": 709.0}),                     # only the largest breaks
    ({"offset": 50.0}, {"offset": 50.0, "dtype": "float16"}),   # the dtype buttons
    ({"offset": -800.0, "dtype": "float32"}, {"offset": 3.0, "dtype": "float32"}),
])
def test_redrawn_columns_match_a_figure_drawn_from_scratch(a, b):
    state_a, state_b = stability_scene(**a), stability_scene(**b)
    updated = stability_columns(state_a)
    redrawn(updated[0].figure, lambda: stability_columns(state_b, axes=updated))
    scratch = stability_columns(state_b)
    for got, want in zip(updated, scratch, strict=True):
        assert _panel_data(got) == _panel_data(want)
    assert_allclose([bar.get_height() for bar in updated[1].patches], state_b.stable_p,
                    rtol=1e-6)


def test_redrawn_columns_render_to_the_same_pixels_as_columns_drawn_from_scratch():
    axes = stability_columns(stability_scene())
    redrawn(axes[0].figure,
            lambda: stability_columns(stability_scene(offset=3.0, dtype="float16"), axes=axes))
    scratch = stability_columns(stability_scene(offset=3.0, dtype="float16"))
    assert np.array_equal(drawn_pixels(axes[0].figure), drawn_pixels(scratch[0].figure))


# -- the float grid and TwoSum (lesson 02, going further) ----------------------------------

def test_spacing_chart_draws_each_dtypes_spacing_and_float64s_relative_gap():
    scene = spacing_scene()
    left, right = spacing_chart(scene)
    by_label = {line.get_label(): line for line in left.lines}
    for dtype in ("float16", "float32", "float64"):
        assert_allclose(by_label[dtype].get_ydata(), scene.spacing[dtype])
    marked = [line for line in left.lines if line.get_marker() == "o"]
    assert [(m.get_xdata()[0], m.get_ydata()[0]) for m in marked] == [
        (value, gap) for _, value, gap in scene.marks]
    assert_allclose(right.lines[0].get_ydata(), scene.relative_in_eps["float64"])
    assert sorted(t.get_text() for t in right.texts) == ["eps", "eps / 2"]


def test_two_sum_number_line_puts_s_at_zero_and_the_exact_sum_at_err():
    scene = two_sum_scene(1e16, 1.0)
    ax = two_sum_number_line(scene)
    grid, s, exact = ax.lines[:3]
    assert_allclose(grid.get_xdata(), scene.grid)
    assert s.get_xdata().tolist() == [0.0]
    assert exact.get_xdata().tolist() == [scene.err]
    assert "10000000000000001" in exact.get_label()
    assert s.get_label() == "s = rounded a + b = 1e+16"
    assert any(t.get_text() == "err = 1.0" for t in ax.texts)
