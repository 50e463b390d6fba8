"""Compare figures by what they show: shared by the tests of the explorers' figures.

An explorer keeps one figure (softmax_lessons.widgets.live.LiveFigure) and shows each
step either by redrawing it with its plot function (``live.redraw``) or with a
hand-written update function (``live.update``); these helpers check that the figure after
a step shows what a figure drawn from scratch at the new state shows, and that a blitted
update changes only the artists it redraws.
"""

import ipywidgets as widgets
import matplotlib
import matplotlib.colors
import matplotlib.figure
import matplotlib.image
import matplotlib.legend
import matplotlib.lines
import matplotlib.text
import numpy as np


def figure_data(fig):
    """Everything an explorer's update can change, per axes, as plain comparable values."""

    def number(v):
        return round(float(v), 9)

    def colour(c):
        return tuple(number(v) for v in matplotlib.colors.to_rgba(c))

    data = []
    for ax in fig.axes:
        legend = ax.get_legend()
        patches = [(type(p).__name__, number(p.get_x()), number(p.get_y()),
                    number(p.get_width()), number(p.get_height()), colour(p.get_facecolor()),
                    p.get_hatch()) for p in ax.patches if hasattr(p, "get_x") and p.get_visible()]
        data.append({
            "title": ax.get_title(),
            "limits": (tuple(map(number, ax.get_xlim())), tuple(map(number, ax.get_ylim()))),
            "patches": sorted(patches, key=str),
            "lines": [(np.asarray(line.get_xydata(), dtype=float).round(9).tolist(),
                       line.get_label(), line.get_marker()) for line in ax.lines],
            "texts": [(t.get_text(), tuple(map(number, t.get_position())), colour(t.get_color()),
                       number(t.get_fontsize())) for t in ax.texts],
            "images": [np.asarray(im.get_array(), dtype=float).round(9).tolist()
                       for im in ax.images],
            "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        })
    return data


def redrawn(fig, draw):
    """Show a new frame of `fig` as an explorer does: ``LiveFigure(fig).redraw(draw)``."""
    from softmax_lessons.widgets.live import LiveFigure

    live = LiveFigure(fig, moving="auto")
    live.redraw(draw)
    return live


def drawn_pixels(fig):
    """The RGB pixels of a whole draw of `fig`, blitted artists included in z-order.

    A LiveFigure blits its moving artists over a saved background, so grid lines no longer
    show through them; this draws every artist the ordinary way, to compare what a
    figure holds with what a figure drawn from scratch holds.
    """
    for ax in fig.axes:
        for artist in (*ax.patches, *ax.lines, *ax.texts, *ax.images, *ax.collections,
                       ax.get_legend(), ax.title):
            if artist is not None:
                artist.set_animated(False)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def assert_redraw_matches_fresh(figure_of, redraw, state_a, state_b):
    """A figure redrawn at `state_b` shows what a figure drawn from scratch there shows."""
    fresh_b = figure_data(figure_of(state_b))
    fig = figure_of(state_a)
    assert figure_data(fig) != fresh_b  # the two states differ on the page: the test can fail
    redrawn(fig, lambda: redraw(fig, state_b))
    assert figure_data(fig) == fresh_b


def assert_update_matches_fresh(figure_of, update, state_a, state_b):
    fresh_b = figure_data(figure_of(state_b))
    fig = figure_of(state_a)
    assert figure_data(fig) != fresh_b  # the two states differ on the page: the test can fail
    assert update(fig, state_b) is fig
    assert figure_data(fig) == fresh_b


def artist_data(artist):
    """What one artist shows, as a comparable value (for the blitting tests)."""
    if isinstance(artist, matplotlib.legend.Legend):
        return [t.get_text() for t in artist.get_texts()]
    if isinstance(artist, matplotlib.lines.Line2D):
        return (np.asarray(artist.get_xydata(), dtype=float).tolist(), artist.get_visible())
    if isinstance(artist, matplotlib.text.Text):
        return (artist.get_text(), artist.get_position(), str(artist.get_color()))
    if isinstance(artist, matplotlib.image.AxesImage):
        return np.asarray(artist.get_array()).tolist()
    return (artist.get_path().vertices.tolist(), str(artist.get_transform()),
            artist.get_visible(), tuple(artist.get_facecolor()))


def assert_only_moving_artists_change(figure_of, update, moving_of, state_a, state_b):
    """An explorer blits: it redraws only `moving_of(fig)`; nothing else may change."""
    fig = figure_of(state_a)
    moving = {id(a) for a in moving_of(fig)}
    still = [a for ax in fig.axes for a in (*ax.patches, *ax.lines, *ax.texts, *ax.images,
                                              ax.title, ax.get_legend())
             if a is not None and id(a) not in moving]
    before = [artist_data(a) for a in still]
    update(fig, state_b)
    assert [artist_data(a) for a in still] == before


def live_image(box):
    """The image widget of a LiveFigure view (the box's last child: the image above its errors)."""
    view = box.children[-1]
    image, errors = view.children
    assert isinstance(image, widgets.Image) and isinstance(errors, widgets.Output)
    return image


def image_of(box):
    """The PNG bytes a LiveFigure view (the box's last child) shows now."""
    return bytes(live_image(box).value)


def count_new_figures(monkeypatch):
    """Count every matplotlib Figure created from now on."""
    created = []
    original = matplotlib.figure.Figure.__init__

    def counting(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "__init__", counting)
    return created


def legend_texts(ax):
    """The texts of `ax`'s legend, in order."""
    return [t.get_text() for t in ax.get_legend().get_texts()]


def image_pixels(image_widget):
    """The RGB pixels of an ``ipywidgets.Image`` holding a PNG (a LiveFigure's frame)."""
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(image_widget.value))).convert("RGB"))
