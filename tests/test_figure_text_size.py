"""No text smaller than 9 pt at the size a notebook shows each figure.

JupyterLab in a 1280 px window, with its file browser open as on first opening, shows
outputs 848 px wide (``NOTEBOOK_WIDTH_PX``, measured); a wider image is scaled down to
that width, and its text with it. So the size a reader sees is

    points * (dpi / 100) * min(1, 848 / image width in pixels)

(at the course's 100 dpi, 1 pt is 1.39 px), and it must be at least ``MIN_TEXT_PT``.

The lessons are run here in a kernel, each with a probe (``text_size_probe.py``) that
records every text drawn into each figure's PNG and the PNG's width: that covers the
figures a lesson composes itself (three panels side by side) as well as the plot
functions. Each explorer is built here and measured at the width it is shown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib.text
import pytest

from softmax_lessons import widgets as explorers
from softmax_lessons.plots.style import MIN_TEXT_PT, NOTEBOOK_WIDTH_PX

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPLORERS = ["definition_explorer", "stability_explorer", "temperature_explorer",
             "sampling_playground", "attention_explorer", "saturation_explorer",
             "cross_entropy_explorer", "blockwise_explorer"]


def shown_pt(points: float, dpi: float, width_px: float) -> float:
    """The size of text of `points` as a reader sees it, in the course's points (100 dpi).

    >>> shown_pt(10, 100, 1311)   # a 13-inch figure scaled down to 848 px
    6.47
    >>> shown_pt(9, 100, 640)     # narrower than the notebook: shown as drawn
    9.0
    """
    return round(points * dpi / 100 * min(1.0, NOTEBOOK_WIDTH_PX / width_px), 2)


def run_with_probe(path: Path) -> list[dict]:
    """Run a lesson in a fresh kernel, in its own folder, with the text-size probe."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    tests = str(Path(__file__).resolve().parent)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        f"import sys; sys.path.insert(0, {tests!r})\n"
        "import text_size_probe; text_size_probe.install()"))
    nb.cells.append(nbformat.v4.new_code_cell("print(text_size_probe.report())"))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(out.get("text", "") for out in nb.cells[-1].outputs
                      if out.get("output_type") == "stream")
    return json.loads(printed)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_figure_of_the_lesson_is_readable_at_notebook_width(path):
    records = run_with_probe(path)
    pngs = sum("image/png" in out.get("data", {})
               for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
               for out in cell.get("outputs", []))
    assert len(records) >= pngs, "the probe missed figures"
    small = []
    for r in records:
        seen = shown_pt(r["smallest_pt"], r["dpi"], r["png_width"])
        if seen < MIN_TEXT_PT:
            small.append(f"{r['title'] or 'a figure'}: {r['text']!r} drawn at {r['smallest_pt']} "
                         f"pt in a {r['png_width']} px image, seen at {seen} pt")
    assert not small, "\n".join(small)


def smallest_text(fig) -> tuple[float, str]:
    """The smallest text drawn when `fig` is drawn (visible, not empty)."""
    drawn = []
    original = matplotlib.text.Text.draw

    def draw(text, renderer):
        if text.get_visible() and text.get_text().strip():
            drawn.append((float(text.get_fontsize()), text.get_text()))
        return original(text, renderer)

    matplotlib.text.Text.draw = draw
    try:
        fig.canvas.draw()
    finally:
        matplotlib.text.Text.draw = original
    return min(drawn)


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_explorer_figure_is_readable_at_the_width_it_is_shown(name):
    box = getattr(explorers, name)()
    fig = box.live.fig
    width_px = float(box.live.image.layout.width.removesuffix("px"))
    assert width_px <= NOTEBOOK_WIDTH_PX
    size, text = smallest_text(fig)
    assert shown_pt(size, fig.dpi, width_px) >= MIN_TEXT_PT, f"{text!r} at {size} pt"


def test_a_figure_wider_than_the_notebook_is_fitted_so_its_text_keeps_its_size():
    import matplotlib.pyplot as plt

    from softmax_lessons.plots.style import fit_to_notebook

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax in axes:
        ax.set_title("a title far too long to fit over a third of the notebook")
        ax.set_xlabel("an axis label that is also much longer than its panel")
    fit_to_notebook(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert fig.get_figwidth() * fig.dpi <= NOTEBOOK_WIDTH_PX
    for ax in axes:
        room = ax.get_window_extent(renderer)
        for text in (ax.title, ax.xaxis.label):
            assert "\n" in text.get_text()                     # wrapped onto two lines
            assert text.get_window_extent(renderer).width <= room.width * 1.05
            assert text.get_fontsize() >= MIN_TEXT_PT          # at its own size
    plt.close(fig)


if __name__ == "__main__":  # one lesson by hand: python tests/test_figure_text_size.py PATH
    print(json.dumps(run_with_probe(Path(sys.argv[1])), indent=1))
