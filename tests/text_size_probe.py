"""Run inside a lesson's kernel by test_figure_text_size.py: how big is the text of each figure?

``install()`` wraps matplotlib's ``FigureCanvasBase.print_figure`` (what a notebook calls
to turn a figure into its PNG output): while a figure is printed, every text drawn is
recorded with its size in points, and then the width of the PNG that came out. ``report()``
returns one record per PNG, as JSON. Nothing here changes what is drawn.
"""

from __future__ import annotations

import json
import struct

import matplotlib.backend_bases
import matplotlib.text

_records: list[dict] = []


def _png_width(data: bytes) -> int | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">I", data[16:20])[0]


def install() -> None:
    original_print = matplotlib.backend_bases.FigureCanvasBase.print_figure
    original_draw = matplotlib.text.Text.draw
    if getattr(original_print, "probed", False):
        return

    def print_figure(self, filename, *args, **kwargs):
        drawn: list[tuple[float, str]] = []

        def draw(text, renderer):
            if text.get_visible() and text.get_text().strip():
                drawn.append((float(text.get_fontsize()), text.get_text()))
            return original_draw(text, renderer)

        matplotlib.text.Text.draw = draw
        try:
            result = original_print(self, filename, *args, **kwargs)
        finally:
            matplotlib.text.Text.draw = original_draw
        data = filename.getvalue() if hasattr(filename, "getvalue") else b""
        width = _png_width(data)
        if width is not None and drawn:
            dpi = kwargs.get("dpi")
            dpi = self.figure.dpi if dpi in (None, "figure") else float(dpi)
            size, text = min(drawn)
            titles = [ax.get_title() for ax in self.figure.axes if ax.get_title()]
            _records.append({"smallest_pt": size, "text": text, "png_width": width,
                             "dpi": float(dpi), "title": " | ".join(titles)[:80]})
        return result

    print_figure.probed = True
    matplotlib.backend_bases.FigureCanvasBase.print_figure = print_figure


def report() -> str:
    return json.dumps(_records)
