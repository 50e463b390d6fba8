"""The course's plotting style, and figures shared by several lessons.

Every plot function takes the numbers to draw (computed by the maths modules),
draws on the ``ax`` it is given (or a new one), and returns that ``ax``; it does
no maths of its own beyond arranging what it is given, so a widget and the static
figure beside it always agree.

The course style is set once by :func:`use_course_style`; lessons call it at the top.
Colours are the Okabe-Ito palette, which stays distinct for colour-blind readers;
figures that compare two things also differ by marker, hatch or line style.

Readable at notebook width: no text is smaller than 9 pt, and a figure wider than a
notebook's output area is laid out again at that width (:func:`fit_to_notebook`), so
its text is not scaled down with it. Described for screen readers: in a notebook,
every figure's PNG output carries a text alternative, ``metadata["image/png"]["alt"]``,
written by :func:`describe_figure` from its titles, axes and legends (the course's
static pages put it on the image).
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

__all__ = [
    "COLOURS",
    "LINESTYLES",
    "MARKERS",
    "MIN_TEXT_PT",
    "NOTEBOOK_WIDTH_PX",
    "OKABE_ITO",
    "describe_figure",
    "fit_to_notebook",
    "new_axes",
    "probability_bars",
    "update_probability_bars",
    "use_course_style",
]

# Okabe & Ito (2008), "Color Universal Design": distinct for the common
# colour-vision deficiencies.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLOURS = list(OKABE_ITO.values())
LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P"]

COURSE_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.prop_cycle": mpl.cycler(color=COLOURS[:7]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "figure.constrained_layout.use": True,
}

# The width of a notebook's output area, measured in JupyterLab 4.6 in a 1280 px wide
# window with the file browser open, as on first opening (1100 px with it closed). A
# wider image is scaled down to this width, and its text with it.
NOTEBOOK_WIDTH_PX = 848
# The smallest text a figure may show, at the size it is shown.
MIN_TEXT_PT = 9.0
# A notebook saves figures with bbox_inches="tight", which adds 0.1 inch on each side.
_TIGHT_PAD_INCHES = 0.1


def use_course_style() -> None:
    """Apply the course's matplotlib style (sizes, colour-blind-safe colours, grid).

    Examples
    --------
    >>> use_course_style()
    >>> plt.rcParams["axes.grid"]
    True
    """
    mpl.rcParams.update(COURSE_STYLE)
    _describe_figures_in_notebooks()


def new_axes(ax: plt.Axes | None = None, **subplot_kw) -> plt.Axes:
    """Return `ax`, or the axes of a new figure in the course style."""
    if ax is not None:
        return ax
    use_course_style()
    _, ax = plt.subplots(**subplot_kw)
    return ax


def probability_bars(
    p: np.ndarray,
    labels: list[str] | None = None,
    *,
    ax: plt.Axes | None = None,
    title: str = "softmax probabilities",
    highlight: int | None = None,
) -> plt.Axes:
    """Bar chart of one distribution, values printed on the bars; `highlight` gets a hatch.

    Examples
    --------
    >>> ax = probability_bars(np.array([0.665, 0.245, 0.09]), ["a", "b", "c"], highlight=0)
    >>> [round(float(b.get_height()), 3) for b in ax.patches]
    [0.665, 0.245, 0.09]
    >>> plt.close("all")
    """
    ax = new_axes(ax)
    p = np.asarray(p, dtype=float)
    labels = labels if labels is not None else [str(i) for i in range(p.size)]
    bars = ax.bar(labels, p, color=OKABE_ITO["blue"], edgecolor="black")
    if highlight is not None:
        # Colour and hatch: the highlighted bar stands out without colour vision too.
        bars[highlight].set_facecolor(OKABE_ITO["orange"])
        bars[highlight].set_hatch("//")
        bars[highlight].set_edgecolor("black")  # the hatch is drawn in the edge colour
    for bar, value in zip(bars, p, strict=True):
        ax.annotate(f"{value:.3f}", (bar.get_x() + bar.get_width() / 2, value),
                    ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("probability")
    ax.set_title(title)
    return ax


def update_probability_bars(
    ax: plt.Axes, p: np.ndarray, title: str, highlight: int | None = None
) -> plt.Axes:
    """Show `p` on bars drawn by :func:`probability_bars`, as it would draw them from scratch.

    Used by explorers that update one figure in place. Changes the bar heights, the
    printed values, the highlighted bar (colour and hatch) and the title; the class
    labels and the y-axis (0 to 1.08) stay.

    Examples
    --------
    >>> ax = probability_bars(np.array([0.5, 0.5]), ["a", "b"], highlight=0)
    >>> ax = update_probability_bars(ax, np.array([0.2, 0.8]), "new", highlight=1)
    >>> [round(float(b.get_height()), 1) for b in ax.patches], ax.patches[1].get_hatch()
    ([0.2, 0.8], '//')
    >>> plt.close("all")
    """
    p = np.asarray(p, dtype=float)
    bars = ax.containers[0]
    if len(bars) != p.size or len(ax.texts) != p.size:
        raise ValueError(f"these axes show {len(bars)} bars, got {p.size} probabilities; "
                         "draw a new figure with probability_bars for another number of classes")
    for i, (bar, text, value) in enumerate(zip(bars, ax.texts, p, strict=True)):
        bar.set_height(value)
        if i == highlight:
            bar.set_facecolor(OKABE_ITO["orange"])
            bar.set_hatch("//")
            bar.set_edgecolor("black")  # the hatch is drawn in the edge colour
        else:
            bar.set_facecolor(OKABE_ITO["blue"])
            bar.set_hatch(None)
        text.xy = text.xyann = (bar.get_x() + bar.get_width() / 2, value)  # point and text
        text.set_text(f"{value:.3f}")
    ax.set_title(title)
    return ax


# -- readable at notebook width ------------------------------------------------------------

def fit_to_notebook(fig: Figure, width_px: int = NOTEBOOK_WIDTH_PX) -> Figure:
    """Make `fig` no wider than a notebook shows it, so its text keeps its size.

    A figure wider than the output area is scaled down by the browser, and its 10 pt
    labels with it. Instead, a figure that would be wider than `width_px` (its PNG,
    with the notebook's tight margins) gets that width, at the same height, and the
    layout is worked out again: a title or axis label wider than its panel wraps onto
    a second line, and panels that all repeat one legend share it, under the figure.
    A figure that fits is left alone.

    Examples
    --------
    >>> fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    >>> round(float(fit_to_notebook(fig).get_figwidth()), 2)  # inches at 100 dpi: 848 px
    8.28
    >>> fit_to_notebook(plt.figure(figsize=(6.4, 3.6))).get_size_inches().tolist()
    [6.4, 3.6]
    >>> plt.close("all")
    """
    widest = width_px / fig.dpi - 2 * _TIGHT_PAD_INCHES
    if fig.get_figwidth() <= widest:
        return fig
    fig.set_figwidth(widest)
    _one_legend_for_panels_that_repeat_it(fig)
    _wrap_text_wider_than_its_panel(fig)
    return fig


def _one_legend_for_panels_that_repeat_it(fig: Figure) -> None:
    """Panels that all carry the same legend get one legend under the figure instead.

    In panels made narrower, a legend inside each panel would cover the data.
    """
    panels = [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]
    legends = [ax.get_legend() for ax in panels]
    if len(panels) < 2 or any(legend is None for legend in legends):
        return
    entries = [[t.get_text() for t in legend.get_texts()] for legend in legends]
    if any(e != entries[0] for e in entries[1:]) or not entries[0]:
        return
    handles = legends[0].legend_handles
    size = legends[0].get_texts()[0].get_fontsize()
    for legend in legends:
        legend.remove()
    fig.legend(handles, entries[0], loc="outside lower center", ncols=len(entries[0]),
               fontsize=size)


def _wrap_text_wider_than_its_panel(fig: Figure) -> None:
    """Break each title or x-axis label that is wider than its axes onto more lines."""
    fig.draw_without_rendering()  # lays the figure out, so panel and text widths are known
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        room = ax.get_window_extent(renderer).width
        for text in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label):
            words = text.get_text()
            if not words or "$" in words or not text.get_visible():
                continue  # nothing to wrap, or maths that must stay on one line
            width = text.get_window_extent(renderer).width
            if width > room:
                chars = max(8, int(len(words) * room / width))
                text.set_text(textwrap.fill(words, chars, break_long_words=False))


# -- described for screen readers --------------------------------------------------------

def describe_figure(fig: Figure) -> str:
    """A text alternative for `fig`: what each panel shows, read from the figure itself.

    Built from the figure's title, each panel's title, its kind (bars, lines,
    markers, heatmap), its axes (label, scale, range or categories) and its legend,
    and the values of small bar charts. The course's static pages show it as the
    image's alternative text; in a notebook it is stored with each figure.

    Examples
    --------
    >>> ax = probability_bars(np.array([0.665, 0.245, 0.09]), ["a", "b", "c"])
    >>> print(describe_figure(ax.figure))  # doctest: +NORMALIZE_WHITESPACE
    Figure: "softmax probabilities". Bar chart; x axis: a, b, c;
    y axis "probability", 0 to 1; bars: a 0.665, b 0.245, c 0.090.
    >>> plt.close("all")
    """
    panels = [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]
    scales = [ax for ax in fig.axes if ax.get_visible() and hasattr(ax, "_colorbar")]
    heading = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    if len(panels) == 1:
        ax = panels[0]
        title = _one_line(ax.get_title()) or _one_line(heading)
        parts = [f'Figure: "{title}".' if title else "Figure.", _describe_axes(ax)]
    else:
        parts = [f"Figure of {len(panels)} panels"
                 + (f': "{_one_line(heading)}".' if heading else ".")]
        for number, ax in enumerate(panels, start=1):
            title = _one_line(ax.get_title())
            parts.append(f"Panel {number}" + (f' "{title}"' if title else "")
                         + ": " + _describe_axes(ax, capital=False))
    for legend in fig.legends:
        entries = [_one_line(t.get_text()) for t in legend.get_texts() if t.get_text()]
        if entries:
            parts.append("Legend: " + ", ".join(entries) + ".")
    for cax in scales:
        label = _one_line(cax.get_ylabel() or cax.get_xlabel())
        low, high = sorted(cax.get_ylim() if cax.get_ylabel() else cax.get_xlim())
        parts.append(f'Colour scale "{label}", {_number(low)} to {_number(high)}.'
                     if label else f"Colour scale {_number(low)} to {_number(high)}.")
    return " ".join(part for part in parts if part)


def _describe_axes(ax: plt.Axes, capital: bool = True) -> str:
    kinds = _kinds(ax)
    kind = " and ".join(kinds) if kinds else "empty axes"
    kind = kind[0].upper() + kind[1:] if capital else kind
    items = [kind]
    for name, axis, limits in (("x", ax.xaxis, ax.get_xlim()), ("y", ax.yaxis, ax.get_ylim())):
        described = _describe_axis(ax, name, axis, limits)
        if described:
            items.append(described)
    legend = ax.get_legend()
    if legend is not None:
        entries = [_one_line(t.get_text()) for t in legend.get_texts() if t.get_text()]
        if entries:
            items.append("legend: " + ", ".join(entries))
    values = _bar_values(ax)
    if values:
        items.append(values)
    return "; ".join(items) + "."


def _kinds(ax: plt.Axes) -> list[str]:
    kinds = []
    if ax.images:
        shape = np.shape(ax.images[0].get_array())
        kinds.append(f"heatmap of {shape[0]} by {shape[1]} cells" if len(shape) >= 2
                     else "image")
    if any(isinstance(c, BarContainer) for c in ax.containers):
        kinds.append("bar chart")
    drawn = [line for line in ax.lines if line.get_visible() and len(line.get_xdata()) > 0]
    if any(line.get_linestyle() not in ("None", "none", "", " ") and len(line.get_xdata()) > 2
           for line in drawn):
        kinds.append("lines")
    if any(line.get_marker() not in ("None", "none", "", " ", None) for line in drawn):
        kinds.append("markers")
    if ax.collections and not kinds:
        kinds.append("points")
    return kinds


def _describe_axis(ax: plt.Axes, name: str, axis, limits) -> str:
    shows_ticks = any(t.get_visible() for t in axis.get_ticklabels())
    if not axis.get_visible() or (not shows_ticks and not axis.label.get_text()):
        return ""
    label = _one_line(axis.label.get_text())
    ticks = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
    head = f'{name} axis "{label}"' if label else f"{name} axis"
    if ticks and not all(_looks_numeric(t) for t in ticks):
        shown = ticks if len(ticks) <= 12 else [*ticks[:11], "..."]
        return f"{head}: {', '.join(_one_line(t) for t in shown)}"
    low, high = sorted(limits)
    # The range a reader sees: from the first to the last tick inside the axes.
    inside = [t for t in axis.get_ticklocs() if low <= t <= high]
    if len(inside) >= 2:
        low, high = inside[0], inside[-1]
    scale = f"{axis.get_scale()} scale, " if axis.get_scale() != "linear" else ""
    return f"{head}, {scale}{_number(low)} to {_number(high)}"


def _bar_values(ax: plt.Axes) -> str:
    """The heights of a small bar chart ("bars: a 0.665, ..."), one group per bar series."""
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    if not containers or sum(len(c) for c in containers) > 12:
        return ""
    names = [t.get_text() for t in ax.xaxis.get_ticklabels()]
    positions = list(ax.get_xticks())
    heights = [abs(bar.get_height()) for c in containers for bar in c]
    largest = max(heights) if max(heights) > 0 else 1.0
    decimals = max(0, 2 - int(np.floor(np.log10(largest))))  # 3 digits of the largest
    # A value printed on a bar is what the reader sees ("NaN" on a placeholder bar).
    printed = [(t.xy[0] if hasattr(t, "xy") else t.get_position()[0], t.get_text())
               for t in ax.texts if t.get_visible() and t.get_text().strip()]
    groups = []
    for container in containers:
        values = []
        for bar in container:
            centre = bar.get_x() + bar.get_width() / 2
            nearest = int(np.argmin([abs(centre - p) for p in positions])) if positions else -1
            name = names[nearest] if 0 <= nearest < len(names) else ""
            on_bar = [text for x, text in printed if abs(x - centre) < bar.get_width() / 2]
            height = round(float(bar.get_height()), decimals) + 0.0  # no "-0.0"
            shown = on_bar[0] if len(on_bar) == 1 else f"{height:.{decimals}f}"
            values.append(f"{name} {shown}".strip())
        label = container.get_label()
        head = f"bars {label}" if label and not label.startswith("_") else "bars"
        groups.append(f"{head}: {', '.join(values)}")
    return "; ".join(groups)


def _looks_numeric(text: str) -> bool:
    cleaned = text.replace("\u2212", "-").replace("$", "").replace("\\mathdefault", "")
    cleaned = cleaned.strip("{}^ ").replace("{", "").replace("}", "").replace("^", "e")
    try:
        float(cleaned)
    except ValueError:
        return False
    return True


def _number(value: float) -> str:
    return f"{float(value):.3g}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _backend_name() -> str:
    try:
        return mpl.get_backend(auto_select=False) or ""  # matplotlib >= 3.10
    except TypeError:
        return mpl.rcParams["backend"]


def _describe_figures_in_notebooks() -> None:
    """In IPython, show figures fitted to the notebook and with their text alternative.

    Wraps the PNG formatter the inline backend registered for figures (once): each
    figure is first fitted to the notebook's width, and its PNG output gets
    ``metadata["image/png"]["alt"] = describe_figure(fig)``. Outside IPython, or
    with another backend, nothing changes.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    if Figure not in formatter.type_printers and "inline" in _backend_name():
        # pyplot loads its backend at the first figure, and the inline backend registers
        # its formatter then: load it now, so the first figure is wrapped too.
        import matplotlib_inline.backend_inline  # noqa: F401
    try:
        original = formatter.lookup_by_type(Figure)
    except KeyError:
        return  # no PNG output for figures in this shell
    if getattr(original, "fits_and_describes", False):
        return

    def png_with_alt_text(fig: Figure):
        fit_to_notebook(fig)
        data = original(fig)
        if data is None:
            return None
        metadata = {}
        if isinstance(data, tuple):
            data, metadata = data
        return data, {**(metadata or {}), "alt": describe_figure(fig)}

    png_with_alt_text.fits_and_describes = True
    formatter.for_type(Figure, png_with_alt_text)
