"""Each explorer's step, two ways: the hand-written ``update_*`` function, and a redraw.

    python benchmarks/redraw.py [--steps N] [--clock cpu]

An explorer shows a new frame with :class:`softmax_lessons.widgets.live.LiveFigure`,
either by changing the figure's artists in place with an ``update_*`` function written
for that figure (``live.update``) or by calling the same plot function that drew the
first frame again on the frozen axes (``live.redraw``), which needs no second function.
For every explorer this script steps the same sequence of scenes both ways, in turns,
and prints the median time per step (drawing and PNG encoding, no kernel, no browser);
an explorer whose ``update_*`` function was removed is timed by redraw alone. The course
keeps an ``update_*`` function only where the redraw is over the 50 ms budget per step
(benchmarks/README.md). The figures depend on the machine and its load:
compare the two columns of one run. ``--clock cpu`` times the CPU time of this process
instead of the wall clock: on a machine shared with other jobs it leaves out the time
spent waiting for a core.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from softmax_lessons import plots, scenes
from softmax_lessons.plots.style import new_axes, use_course_style
from softmax_lessons.widgets.live import LiveFigure

BUDGET_MS = 50.0
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def axes_pair(draw, figsize, **subplot_kw):
    """A figure of two axes drawn by ``draw(scene, axes=...)``."""
    def make(scene):
        fig, axes = plt.subplots(1, 2, figsize=figsize, **subplot_kw)
        draw(scene, axes=axes)
        return fig, axes
    return make


def one_axes(draw, figsize):
    """A figure of one axes drawn by ``draw(scene, ax=...)``."""
    def make(scene):
        ax = draw(scene, ax=new_axes(figsize=figsize))
        return ax.figure, ax
    return make


def whole_figure(draw):
    """A figure drawn by ``draw(scene)``, redrawn by ``draw(scene, fig=...)``."""
    def make(scene):
        fig = draw(scene)
        return fig, fig
    return make


def explorers() -> dict:
    """name -> (make, update, redraw, moving, scenes): one explorer's figure and its steps.

    `update` is the explorer's ``update_*`` function, None where it redraws. `moving` is
    what the ``update_*`` function blits: ``"auto"``, or a function of the figure giving
    its moving artists (a ``*_moving`` function).
    """
    temperature_logits = scenes.EXAMPLE_LOGITS
    return {
        "softmax (01)": (
            one_axes(plots.explorer_bars, (6.4, 3.2)),
            None,
            lambda ax, s: plots.explorer_bars(s, ax=ax),
            "auto",
            [scenes.definition_scene([v, 1.0, 0.1, -0.5, -1.5]) for v in np.linspace(-3, 3, 7)],
        ),
        "numerics (02)": (
            axes_pair(plots.stability_columns, (8, 3), sharey=True),
            None,
            lambda axes, s: plots.stability_columns(s, axes=axes),
            "auto",
            [scenes.stability_scene(o, "float32") for o in np.linspace(-100, 100, 7)],
        ),
        "sampling temperature (03)": (
            whole_figure(plots.temperature_figure),
            plots.update_temperature_figure,
            lambda fig, s: plots.temperature_figure(s, fig=fig),
            plots.temperature_figure_moving,
            [scenes.temperature_scene(temperature_logits, t) for t in np.geomspace(0.1, 10, 7)],
        ),
        "sampling counts (03)": (
            whole_figure(plots.sampling_figure),
            plots.update_sampling_figure,
            lambda fig, s: plots.sampling_figure(s, fig=fig),
            plots.sampling_figure_moving,
            [scenes.sampling_scene(temperature=t, top_k=k, n_draws=n) for t, k, n in
             zip(np.geomspace(0.5, 2, 7), [5, 4, 3, 2, 3, 4, 5], [100, 200, 500, 1000, 2000,
                                                                   5000, 10_000], strict=True)],
        ),
        "attention heatmap (04)": (
            whole_figure(plots.attention_figure),
            plots.update_attention_figure,
            lambda fig, s: plots.attention_figure(s, fig=fig),
            plots.attention_figure_moving,
            [scenes.attention_scene(causal=c, padding=p, scale=v) for c, p, v in
             [(True, True, 1.0), (True, False, 2.0), (False, True, 0.5), (False, False, 1.5),
              (True, True, 3.0), (False, True, 0.0), (True, False, 1.0)]],
        ),
        "saturation (04)": (
            whole_figure(plots.saturation_figure),
            plots.update_saturation_figure,
            lambda fig, s: plots.saturation_figure(s, fig=fig),
            plots.saturation_figure_moving,
            [scenes.saturation_scene(d) for d in (1, 4, 16, 64, 128, 256, 512)],
        ),
        "losses (05)": (
            axes_pair(plots.cross_entropy_panels, (10, 3.6)),
            plots.update_cross_entropy_panels,
            lambda axes, s: plots.cross_entropy_panels(s, axes=axes),
            "auto",
            [scenes.cross_entropy_scene(v, 0) for v in np.linspace(-3, 3, 7)],
        ),
        "online (06)": (
            one_axes(plots.blockwise_panel, (8, 3.2)),
            plots.update_blockwise_panel,
            lambda ax, s: plots.blockwise_panel(s, ax=ax),
            "auto",
            [scenes.blockwise_scene(6, n) for n in range(5)],
        ),
    }


def median_ms(live: LiveFigure, step, frames: list, clock: str = "wall") -> float:
    now = CLOCKS[clock]
    times = []
    for scene in frames:
        start = now()
        step(live, scene)
        times.append(now() - start)
    return 1000 * statistics.median(times)


def measure(steps: int = 3, clock: str = "wall") -> list[tuple[str, float | None, float]]:
    """(explorer, median ms with update_* or None, median ms with redraw) for every explorer."""
    use_course_style()
    rows = []
    for name, (make, update, redraw, moving, frames) in explorers().items():
        by_update = None
        if update is not None:
            fig, obj = make(frames[0])
            by_update = LiveFigure(fig, moving=moving if isinstance(moving, str) else moving(fig))
        fig, obj_r = make(frames[0])
        by_redraw = LiveFigure(fig, moving="auto")
        a, b = [], []
        for _ in range(steps):  # in turns, so a busy machine slows both alike
            if by_update is not None:
                a.append(median_ms(by_update, lambda lv, s, o=obj, f=update:
                                   lv.update(lambda: f(o, s)), frames, clock))
            b.append(median_ms(by_redraw, lambda lv, s, o=obj_r, f=redraw:
                               lv.redraw(lambda: f(o, s)), frames, clock))
        rows.append((name, statistics.median(a) if a else None, statistics.median(b)))
        plt.close("all")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="rounds of each explorer's steps")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall clock (default) or CPU time of this process")
    args = parser.parse_args(argv)
    print(f"Median {args.clock} time per step over {args.steps} rounds")
    print("| explorer | update_* (ms/step) | redraw (ms/step) | redraw within 50 ms |")
    print("|---|---|---|---|")
    for name, update_ms, redraw_ms in measure(args.steps, args.clock):
        verdict = "yes" if redraw_ms <= BUDGET_MS else "no"
        shown = "removed" if update_ms is None else f"{update_ms:.1f}"
        print(f"| {name} | {shown} | {redraw_ms:.1f} | {verdict} |")


if __name__ == "__main__":
    main()
