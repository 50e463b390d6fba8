"""Explorers for the static pages: a frame player, or a still, built from the explorer itself.

A notebook stores each explorer as a widget view, which a page without Python can only
show frozen: its sliders would move and nothing would follow. The site replaces each
one with what a reader can use without a kernel:

- a **player** over the explorer's main control (play, step, speed, scrub), whose frames
  the explorer draws itself (:meth:`softmax_lessons.widgets.Explorer.frames`: the same
  scene and plot functions as in JupyterLab, one frame per setting of that control);
- a **still** of its figure at the starting setting, for an explorer with several
  controls of equal weight, with one line saying that the live version needs a kernel.

Both show the explorer's line of text and a text alternative for every frame. Frames
are embedded in the page (a page opened from disk cannot fetch files), as small
palette PNGs, and the page shows the starting frame even with JavaScript off; the
player's controls appear only once ``player.js`` has wired them.

    >>> from softmax_lessons.widgets import start_here_check
    >>> html = explorer_html(start_here_check())
    >>> 'class="course-player course-player-text"' in html  # a player of lines of text
    True
    >>> "softmax(0.0, 0) = (0.500, 0.500)" in html
    True
"""

from __future__ import annotations

import base64
import html
import io
import json

import PIL.Image

# Frames per second of the speed menu: (label, rate), the middle one selected.
SPEEDS = (("slow", 1), ("normal", 3), ("fast", 8))


def small_png(png: bytes, colours: int = 96) -> bytes:
    """The same picture as a palette PNG: a figure has few colours, so a third the size.

    Examples
    --------
    >>> image = PIL.Image.new("RGB", (40, 20), "white")
    >>> buffer = io.BytesIO(); image.save(buffer, format="png")
    >>> PIL.Image.open(io.BytesIO(small_png(buffer.getvalue()))).mode
    'P'
    """
    image = PIL.Image.open(io.BytesIO(png)).convert("RGB")
    # Median cut, no dithering: flat colours stay flat, anti-aliased text stays clean.
    reduced = image.quantize(colors=colours, method=PIL.Image.Quantize.MEDIANCUT,
                             dither=PIL.Image.Dither.NONE)
    buffer = io.BytesIO()
    reduced.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def explorer_html(explorer, max_frames: int | None = None) -> str:
    """The HTML that stands for `explorer` on a static page: a player, or a still."""
    frames, start = (explorer.frames() if max_frames is None
                     else explorer.frames(max_frames=max_frames))
    note = html.escape(explorer.static_note())
    if explorer.sweep is None or len(frames) < 2:
        return _still(frames[start], note)
    return _player(explorer, frames, start, note)


def _picture(frame, width: int | None) -> str:
    if frame.png is None:
        return ""
    size = f' width="{width}"' if width else ""
    return (f'<div class="course-player-picture"><img src="{data_uri(small_png(frame.png))}"'
            f'{size} alt="{html.escape(frame.alt)}"></div>')


def _width(frame) -> int | None:
    if frame.png is None:
        return None
    return PIL.Image.open(io.BytesIO(frame.png)).size[0]


def _line(frame) -> str:
    return (f'<p class="course-player-line"><code>{html.escape(frame.line)}</code></p>')


def _still(frame, note: str) -> str:
    return (f'<figure class="course-still">{_picture(frame, _width(frame))}{_line(frame)}'
            f'<figcaption class="course-player-note">{note}</figcaption></figure>')


def _player(explorer, frames, start: int, note: str) -> str:
    name = html.escape(explorer.sweep.description or "setting")
    first = frames[start]
    data = [{"label": f.label, "line": f.line, "alt": f.alt,
             "src": data_uri(small_png(f.png)) if f.png is not None else None}
            for f in frames]
    # "</" would end the script element early: JSON allows it written as "<\/".
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    speeds = "".join(
        f'<option value="{rate}"{" selected" if i == 1 else ""}>{label}</option>'
        for i, (label, rate) in enumerate(SPEEDS))
    text_only = "" if first.png is not None else " course-player-text"
    return f"""<figure class="course-player{text_only}" data-start="{start}" \
aria-label="Explorer played along {name}">
{_picture(first, _width(first))}{_line(first)}
<div class="course-player-controls" hidden>
<button type="button" class="course-player-play" aria-label="Play">&#9654; Play</button>
<button type="button" class="course-player-back" aria-label="One step back">&#9664; Step</button>
<button type="button" class="course-player-next" aria-label="One step forward">Step &#9654;</button>
<label class="course-player-scrub">{name}
<input type="range" min="0" max="{len(frames) - 1}" step="1" value="{start}" \
aria-valuetext="{html.escape(first.label)}"></label>
<output class="course-player-label" aria-live="polite">{html.escape(first.label)}</output>
<label class="course-player-speed">speed <select>{speeds}</select></label>
</div>
<figcaption class="course-player-note">{note}</figcaption>
<script type="application/json" class="course-player-frames">{payload}</script>
</figure>"""
