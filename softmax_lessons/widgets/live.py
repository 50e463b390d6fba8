"""Pieces every explorer uses, and the lesson-00 check that widgets work.

Each explorer is a function that returns a widget. What it draws is decided by a
scene function of :mod:`softmax_lessons.scenes`, which the tests call without a
browser; the widget only wires sliders to that scene and to a plot function from
:mod:`softmax_lessons.plots`.

A figure that follows a slider is a :class:`LiveFigure`: drawn once by the plot
function, then updated in place (new bar heights, new line data) and shown as an
image widget, so a slider step costs a few milliseconds of drawing and moving a
slider never stacks figures.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..scenes.softmax import start_here_scene

__all__ = ["LiveFigure", "start_here_check"]


class LiveFigure:
    """A matplotlib figure shown as an image widget and updated in place.

    Build the figure once with the course's plot functions and keep its artists.
    On every slider step, call :meth:`update` with a function that changes their
    data (``bar.set_height``, ``line.set_ydata``, ``image.set_data``,
    ``text.set_text``, ...): the figure is rendered to PNG and the image swapped.
    No new figure and no layout work per step.

    With `moving`, only those artists are redrawn on each step (blitting): the rest
    of the figure (axes, ticks, grid, labels), which is most of matplotlib's drawing
    time, is drawn once into a background and reused, and drawn again only when an
    axis range changes. A step then costs about 20 ms instead of 60 to 100 ms for a
    whole figure on a small 2-core machine, so a slider feels live. The moving
    artists are drawn on top of the background, so grid lines no longer show
    through them.

    The layout (constrained layout, in the course style) is worked out once, at
    the first render, and then frozen, so the axes do not jump while a slider moves.
    An exception in the update function is shown under the figure: JupyterLab
    would otherwise swallow it silently.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, fully drawn at its first setting. It is detached from pyplot,
        so the notebook never shows it a second time as a static image.
    moving : sequence of matplotlib artists, or "auto", optional
        The artists that updates change. ``"auto"`` takes every patch, line, text,
        image and collection of every axes, each axes' title and legend. ``None``
        (the default) redraws the whole figure on every step.

    Attributes
    ----------
    image : ipywidgets.Image
        The rendered figure.
    errors : ipywidgets.Output
        Where an exception from an update is shown.
    view : ipywidgets.VBox
        ``image`` above ``errors``: put this in the explorer's layout.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> (line,) = ax.plot([0, 1], [0, 1])
    >>> live = LiveFigure(fig, moving=[line])
    >>> first = bytes(live.image.value)
    >>> live.update(lambda: line.set_ydata([1, 0]))
    >>> bytes(live.image.value) != first
    True
    """

    def __init__(self, fig, moving=None) -> None:
        self.fig = fig
        fig.canvas.draw()  # lay out once ...
        fig.set_layout_engine("none")  # ... and keep that layout for every later frame
        plt.close(fig)
        if isinstance(moving, str) and moving == "auto":
            moving = _data_artists(fig)
        self._moving = None if moving is None else sorted(moving, key=lambda a: a.get_zorder())
        self._background = None
        self._limits = None
        # Shown at its own size in pixels: stretched to the notebook's width it looks blurred.
        width_px = round(fig.get_figwidth() * fig.dpi)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width_px}px"))
        self.errors = widgets.Output()
        self.view = widgets.VBox([self.image, self.errors])
        self._error_shown = False
        self.render()

    def render(self) -> None:
        """Draw the figure as it is now into the image widget."""
        canvas = self.fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):  # after plt.close, a kernel's canvas may
            canvas = FigureCanvasAgg(self.fig)  # be a bare one; Agg can draw and blit
        if self._moving is None:
            canvas.draw()
        else:
            limits = _frame(self.fig)
            if limits != self._limits:  # first frame, or an axis range moved: new background
                for artist in self._moving:
                    artist.set_animated(True)  # animated artists are left out of canvas.draw()
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                self._limits = limits
            else:
                canvas.restore_region(self._background)
            for artist in self._moving:
                self.fig.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        # Fast compression: a slightly larger PNG, encoded several times faster.
        PIL.Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        self.image.value = buffer.getvalue()

    def update(self, change_artists: Callable[[], object]) -> None:
        """Call ``change_artists()``, then render; show any exception under the figure."""
        if self._error_shown:
            self.errors.clear_output()
            self._error_shown = False
        with self.errors:  # in a kernel, the Output shows the traceback and swallows it
            try:
                change_artists()
                self.render()
            except Exception:
                self._error_shown = True
                raise

    def redraw(self, draw: Callable[[], object]) -> None:
        """Draw a new frame with the same plot function that drew the first one.

        Every data artist (bars, lines, texts, images, legends) is removed from the
        axes, then ``draw()`` draws the new frame on the same axes, whose layout stays
        frozen. Only the new data artists are drawn over the saved background
        (axes, ticks, labels), so an explorer needs no hand-written update function.
        The background is drawn again only when a range or a tick label changes.
        """

        def change_artists() -> None:
            for artist in _data_artists(self.fig, titles=False):
                artist.remove()
            for ax in self.fig.axes:
                ax.containers.clear()
                ax.set_prop_cycle(None)  # the next colour is the first one again
            draw()
            self._moving = sorted(_data_artists(self.fig), key=lambda a: a.get_zorder())

        self.update(change_artists)


def _data_artists(fig, titles: bool = True) -> list:
    """What a frame of a figure shows: every axes' data and legend, and its title."""
    return [artist for ax in fig.axes
            for artist in (*ax.patches, *ax.lines, *ax.texts, *ax.images, *ax.collections,
                           ax.get_legend(), ax.title if titles else None)
            if artist is not None]


def _frame(fig) -> list:
    """What the saved background shows: ranges, tick labels and axis labels of every axes."""
    return [(ax.get_xlim(), ax.get_ylim(),
             tuple(t.get_text() for t in ax.get_xticklabels()),
             tuple(t.get_text() for t in ax.get_yticklabels()),
             ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]


def start_here_check() -> widgets.VBox:
    """A slider and a line of text that follows it: proof that widgets work in this browser."""
    slider = widgets.FloatSlider(value=0.0, min=-5.0, max=5.0, step=0.5,
                                 description="logit a", continuous_update=True)
    label = widgets.HTML()

    def update(change=None) -> None:
        label.value = f"<code>{start_here_scene(slider.value).message}</code>"

    slider.observe(update, names="value")
    update()
    return widgets.VBox([slider, label])
