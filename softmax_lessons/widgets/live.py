"""Pieces every explorer uses, and the lesson-00 check that widgets work.

Each explorer is a function that returns a widget. What it draws is decided by a
scene function of :mod:`softmax_lessons.scenes`, which the tests call without a
browser; the widget only wires sliders to that scene and to a plot function from
:mod:`softmax_lessons.plots`.

A figure that follows a slider is a :class:`LiveFigure`: drawn once by the plot
function, then updated in place (new bar heights, new line data) and shown as an
image widget, so a slider step costs a few milliseconds of drawing and moving a
slider never stacks figures.

An explorer's widget is an :class:`Explorer`: its controls, one line of text and its
figure. A saved notebook opened before its cells run shows, in place of each explorer,
one line (its plain-text form, :func:`run_to_use_line`), and an explorer can replay
itself as frames along its main control (:meth:`Explorer.frames`), which the course's
static pages turn into a player that works without Python.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..plots.style import describe_figure, fit_to_notebook
from ..scenes.softmax import start_here_scene

__all__ = [
    "FIGURE_NEAR",
    "RUN_TO_USE",
    "Explorer",
    "Frame",
    "LiveFigure",
    "control_layout",
    "line_html",
    "run_to_use_line",
    "start_here_check",
    "toggle_buttons",
]

# What a notebook shows for an explorer before its cell has run (a saved notebook opened
# in JupyterLab or on Binder, or read on GitHub): one plain line instead of a widget repr.
# Every explorer's line starts with RUN_TO_USE; :func:`run_to_use_line` ends it, pointing
# at the static figure only for an explorer that draws one.
RUN_TO_USE = "Run this cell to use the explorer (in JupyterLab or on Binder)"
FIGURE_NEAR = "a static figure near it shows the same chart at fixed settings"


def run_to_use_line(has_figure: bool) -> str:
    """The line a notebook shows for an explorer before its cell has run.

    Parameters
    ----------
    has_figure : bool
        Whether the explorer draws a figure; only then does the line point at the
        static figure the lesson shows near it.

    Returns
    -------
    str
        One plain line, starting with :data:`RUN_TO_USE`.

    Examples
    --------
    >>> run_to_use_line(has_figure=False)
    'Run this cell to use the explorer (in JupyterLab or on Binder).'
    >>> run_to_use_line(has_figure=True).endswith("shows the same chart at fixed settings.")
    True
    """
    return f"{RUN_TO_USE}; {FIGURE_NEAR}." if has_figure else f"{RUN_TO_USE}."


# Controls share one width: long enough that a slider step is a few pixels, short enough
# for a notebook's output area (848 px in a 1280 px window with the file browser open).
CONTROL_WIDTH = "760px"

# The most frames a static page gets per explorer: enough to scrub, few enough to keep
# the page light.
MAX_FRAMES = 27



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
    A figure wider than a notebook's output area is first given that width
    (:func:`~softmax_lessons.plots.style.fit_to_notebook`), so its text is never
    scaled down.
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
        fit_to_notebook(fig)  # no wider than a notebook shows it, so its text keeps its size
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


def control_layout() -> widgets.Layout:
    """The layout every explorer control gets: one width, so sliders line up."""
    return widgets.Layout(width="100%", max_width=CONTROL_WIDTH)


def toggle_buttons(**kwargs) -> widgets.ToggleButtons:
    """Toggle buttons laid out like a slider: the label on their left, in the same column.

    (ipywidgets draws a toggle-button group's label above its buttons otherwise.)
    """
    buttons = widgets.ToggleButtons(layout=control_layout(), **kwargs)
    buttons.add_class("widget-inline-hbox")
    return buttons


def line_html(text: str) -> str:
    """An explorer's line of text as HTML: code font, on one line, never wrapped."""
    return f'<code style="white-space: nowrap">{html.escape(text)}</code>'


def _line_text(summary: widgets.HTML) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", summary.value))


@dataclass(frozen=True)
class Frame:
    """One setting of an explorer's main control, as a static page shows it.

    ``label`` is the control's name and value (``"T = 0.50"``), ``line`` the
    explorer's line of text, ``png`` its figure (``None`` without one) and ``alt``
    a text alternative for the figure.
    """

    label: str
    line: str
    png: bytes | None
    alt: str


class Explorer(widgets.VBox):
    """An explorer's widget: its controls, one line of text, then its figure.

    A ``VBox`` whose children are the controls, the line of text (an ``HTML``
    widget) and the :class:`LiveFigure` view, in that order. Two things make it more
    than a ``VBox``:

    - before its cell has run, a notebook shows its plain-text form, which is the
      one line of :func:`run_to_use_line` (not a list of widgets), which points at
      the static figure only when the explorer has one, and its output records
      which explorer it is (``metadata["softmax_lessons"]``), so the static pages
      can build it again;
    - :meth:`frames` replays it along its main control (`sweep`), for a player on a
      page without Python. With no main control (several sliders of equal weight),
      a page shows its figure at the starting setting instead.

    Parameters
    ----------
    controls : sequence of widgets
        The sliders, buttons and boxes, in the order shown.
    summary : ipywidgets.HTML
        The line of text (set it with :func:`line_html`).
    live : LiveFigure or None
        The figure; ``None`` for an explorer that is only a line of text.
    name : str
        The function of :mod:`softmax_lessons.widgets` that builds it.
    arguments : dict, optional
        The arguments it was built with (numbers, strings and lists of them).
    sweep : control, optional
        The main control, one of `controls`: frames step through its values.
    sweep_values : sequence, optional
        The values frames show; by default every value of `sweep`.
    """

    def __init__(self, controls: Sequence[widgets.Widget], summary: widgets.HTML,
                 live: LiveFigure | None = None, *, name: str,
                 arguments: dict | None = None, sweep: widgets.Widget | None = None,
                 sweep_values: Sequence | None = None) -> None:
        children = [*controls, summary] + ([live.view] if live is not None else [])
        super().__init__(children)
        self.controls = list(controls)
        self.summary = summary
        self.live = live
        self.explorer_name = name
        self.arguments = _plain(arguments or {})
        self.sweep = sweep
        if sweep is not None and sweep not in self.controls:
            raise ValueError("the main control (sweep) must be one of the controls")
        self.sweep_values = list(sweep_values) if sweep_values is not None \
            else (_values_of(sweep) if sweep is not None else [])

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = run_to_use_line(has_figure=self.live is not None)
        about = {"explorer": self.explorer_name, "arguments": self.arguments}
        return data, {"softmax_lessons": about}

    def static_note(self) -> str:
        """One sentence for a static page: what it shows, and that the live version needs a kernel.

        Examples
        --------
        >>> print(start_here_check().static_note())
        Frames along logit a. The live version needs a running kernel: open the lesson in
        JupyterLab or on Binder.
        """
        kernel = "needs a running kernel: open the lesson in JupyterLab or on Binder."
        if self.sweep is None:
            sliders = sum(isinstance(c, _SLIDERS) for c in self.controls)
            what = f"its {sliders} sliders" if sliders > 1 else "its controls"
            return (f"The explorer at its starting setting. The live version, with {what}, "
                    f"{kernel}")
        others = [f"{_name_of(c)} {_readout(c)}" for c in self.controls if c is not self.sweep]
        kept = f", with {_join(others)}" if others else ""
        return f"Frames along {_name_of(self.sweep)}{kept}. The live version {kernel}"

    def frames(self, max_frames: int = MAX_FRAMES) -> tuple[list[Frame], int]:
        """Frames along the main control, and the index of the starting one.

        At most `max_frames` values of the main control, evenly spaced and always
        including its starting value; for each, the control is set (so the widget
        runs its own update) and what it shows is recorded. The control is put back
        at the end. Without a main control: one frame, the starting setting.

        Examples
        --------
        >>> frames, start = start_here_check().frames(max_frames=5)
        >>> [f.label for f in frames], start
        (['logit a = -5.0', 'logit a = -2.5', 'logit a = 0.0', 'logit a = 2.5', 'logit a = 5.0'], 2)
        >>> frames[start].line
        'softmax(0.0, 0) = (0.500, 0.500)'
        """
        if self.sweep is None:
            return [self._frame("starting setting")], 0
        control, values = self.sweep, self.sweep_values
        first = control.value
        start = _index_of(values, first)
        stride = max(1, math.ceil(len(values) / max_frames))
        picked = range(start % stride, len(values), stride)
        frames = []
        try:
            for i in picked:
                control.value = values[i]
                frames.append(self._frame(f"{_name_of(control)} = {_readout(control)}"))
        finally:
            control.value = first
        return frames, list(picked).index(start)

    def _frame(self, label: str) -> Frame:
        if self.live is None:
            return Frame(label=label, line=_line_text(self.summary), png=None, alt="")
        return Frame(label=label, line=_line_text(self.summary),
                     png=bytes(self.live.image.value), alt=describe_figure(self.live.fig))


def _plain(arguments: dict) -> dict:
    """The arguments as JSON values (tuples and arrays become lists)."""
    def convert(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"{type(value).__name__} is not a number, string or list")

    return json.loads(json.dumps(arguments, default=convert))


def _values_of(control: widgets.Widget) -> list:
    """Every value a control can take, in order."""
    if isinstance(control, widgets.SelectionSlider):
        return list(control._options_values)
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        count = round((control.max - control.min) / control.step) + 1
        values = [control.min + i * control.step for i in range(count)]
        return [int(v) for v in values] if isinstance(control, widgets.IntSlider) \
            else [round(v, 10) for v in values]
    raise TypeError(f"cannot step through a {type(control).__name__}")


def _index_of(values: list, value) -> int:
    return int(np.argmin([abs(float(v) - float(value)) for v in values]))


def _name_of(control: widgets.Widget) -> str:
    return control.description or type(control).__name__


_SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider)


def _readout(control: widgets.Widget) -> str:
    """A control's value as its readout shows it: "0.50", "on", "float64"."""
    if isinstance(control, widgets.Checkbox):
        return "on" if control.value else "off"
    if isinstance(control, (widgets.SelectionSlider, widgets.Dropdown, widgets.ToggleButtons)):
        return control.label
    if isinstance(control, widgets.FloatSlider):
        return format(control.value, control.readout_format.lstrip(":"))
    return str(control.value)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def start_here_check() -> Explorer:
    """A slider and a line of text that follows it: proof that widgets work in this browser.

    Taught in 00.
    """
    slider = widgets.FloatSlider(value=0.0, min=-5.0, max=5.0, step=0.5,
                                 description="logit a", continuous_update=True,
                                 readout_format=".1f", layout=control_layout())
    label = widgets.HTML()

    def update(change=None) -> None:
        label.value = line_html(start_here_scene(slider.value).message)

    slider.observe(update, names="value")
    update()
    return Explorer([slider], label, name="start_here_check", sweep=slider)
