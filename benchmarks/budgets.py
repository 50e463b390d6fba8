"""Course speed budgets: measured figures against the budgets, printed side by side.

    python benchmarks/budgets.py              # all budgets
    python benchmarks/budgets.py --markdown   # the same, as a table for benchmarks/README.md
    python benchmarks/budgets.py --skip-notebooks

Budgets, chosen so that a workshop on Binder feels live:

- ``import softmax_lessons`` under 0.5 s (a fresh interpreter each time; matplotlib and
  ipywidgets must load lazily);
- no notebook over 15 s to execute, and the whole course under 60 s (kernel start-up
  included, one notebook after the other, as ``course.py execute`` and nbval run them);
- every explorer's update under 50 ms (median) per slider step. Explorers are found
  generically: every public function of ``softmax_lessons.widgets`` that needs no
  argument and returns an ipywidgets ``Widget``. Each slider in it is stepped, and the
  time of the assignment, which runs the observer callbacks (computing, drawing and
  rendering the figure to PNG with the inline backend), is measured inside a real
  IPython kernel, as in JupyterLab, minus the browser.

These are measurements, not tests: the figures depend on the machine, and the script
exits with status 0 whatever they are (``python3 course.py bench`` runs it after the
softmax benchmarks). With ``--strict`` the exit status is 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

IMPORT_BUDGET_S = 0.5
NOTEBOOK_BUDGET_S = 15.0
COURSE_BUDGET_S = 60.0
WIDGET_STEP_BUDGET_MS = 50.0


# -- import time ----------------------------------------------------------------------------

IMPORT_PROBE = """
import sys, time
t = time.perf_counter()
import softmax_lessons
dt = time.perf_counter() - t
heavy = sorted(m for m in ("matplotlib", "ipywidgets", "scipy") if m in sys.modules)
print(dt, ",".join(heavy))
"""


def measure_import(repeats: int = 5) -> dict:
    """Median wall time of ``import softmax_lessons`` in fresh interpreters."""
    times, heavy = [], ""
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
        times.append(float(out[0]))
        heavy = out[1] if len(out) > 1 else ""
    return {"median_s": statistics.median(times), "repeats": repeats,
            "heavy_modules_loaded": heavy}


# -- notebooks ------------------------------------------------------------------------------

def measure_notebooks(folder: Path = NOTEBOOKS) -> list[dict]:
    """Execute each notebook in a fresh kernel (in memory; nothing is written back)."""
    import nbformat
    from nbclient import NotebookClient

    results = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        error = ""
        try:
            client.execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up chatter
        except Exception as exc:  # report it, and keep measuring the others
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:120]}"
        results.append({"notebook": path.name, "seconds": time.perf_counter() - start,
                        "error": error})
    return results


# -- widgets (this function runs inside a kernel) -------------------------------------------

def measure_widgets_here(steps: int = 20) -> list[dict]:
    """Step every slider of every explorer; median time per step, in milliseconds.

    Runs in the current process; :func:`measure_widgets` calls it inside a kernel.
    """
    import inspect
    import warnings

    import ipywidgets
    import matplotlib.pyplot as plt

    import softmax_lessons.widgets as course_widgets

    def needs_arguments(func) -> bool:
        try:
            params = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):
            return True
        return any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   for p in params)

    def walk(widget, seen):
        if id(widget) in seen:
            return
        seen.add(id(widget))
        yield widget
        for key in widget.keys:
            value = getattr(widget, key, None)
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, ipywidgets.Widget):
                    yield from walk(item, seen)

    slider_types = (ipywidgets.IntSlider, ipywidgets.FloatSlider, ipywidgets.FloatLogSlider,
                    ipywidgets.SelectionSlider)

    def next_value(slider, direction):
        if isinstance(slider, ipywidgets.SelectionSlider):
            # moved by index: its options may be (label, value) pairs
            index = slider.index + direction
            return index if 0 <= index < len(slider.options) else None
        if isinstance(slider, ipywidgets.FloatLogSlider):
            value = slider.value * slider.base ** (direction * slider.step)
            low, high = slider.base ** slider.min, slider.base ** slider.max
        else:
            value = slider.value + direction * slider.step
            low, high = slider.min, slider.max
        return value if low - 1e-12 <= value <= high + 1e-12 else None

    results = [measure_floor_here(steps)]
    names = sorted(n for n in dir(course_widgets) if not n.startswith("_"))
    for name in names:
        func = getattr(course_widgets, name)
        if not inspect.isfunction(func) or needs_arguments(func):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                widget = func()
            except Exception as exc:
                results.append({"explorer": name, "slider": "-", "error": repr(exc)})
                continue
        if not isinstance(widget, ipywidgets.Widget):
            continue
        sliders = [w for w in walk(widget, set()) if isinstance(w, slider_types)]
        if not sliders:
            results.append({"explorer": name, "slider": "(no slider)", "steps": 0})
        for slider in sliders:
            position = "index" if isinstance(slider, ipywidgets.SelectionSlider) else "value"
            start_value, direction, times = getattr(slider, position), 1, []
            while len(times) < steps:
                value = next_value(slider, direction)
                if value is None:
                    direction = -direction
                    value = next_value(slider, direction)
                    if value is None:
                        break  # a slider with a single position
                t = time.perf_counter()
                setattr(slider, position, value)  # runs the observers: compute, draw, render
                times.append(time.perf_counter() - t)
            setattr(slider, position, start_value)
            results.append({
                "explorer": name, "slider": slider.description or type(slider).__name__,
                "steps": len(times),
                "median_ms": 1000 * statistics.median(times) if times else None,
                "max_ms": 1000 * max(times) if times else None,
            })
        widget.close_all() if hasattr(widget, "close_all") else None
        plt.close("all")
    return results


def measure_floor_here(steps: int = 20) -> dict:
    """The cheapest matplotlib redraw: five bars, shown in an ``Output`` and closed.

    No explorer that redraws a matplotlib figure can be faster than this on the
    same machine, so it tells whether the widget budget is reachable at all.
    """
    import ipywidgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from softmax_lessons.plots import use_course_style

    use_course_style()
    output, times = ipywidgets.Output(), []
    for i in range(steps):
        t = time.perf_counter()
        with output:
            output.clear_output(wait=True)
            fig, ax = plt.subplots()
            ax.bar(range(5), [1, 2, 3, 4, 5 + i % 2])
            display(fig)
            plt.close(fig)
        times.append(time.perf_counter() - t)
    output.close()
    return {"explorer": "(floor) five matplotlib bars, redrawn in an Output", "slider": "-",
            "steps": steps, "median_ms": 1000 * statistics.median(times),
            "max_ms": 1000 * max(times)}


def measure_widgets(steps: int = 20) -> list[dict]:
    """Run :func:`measure_widgets_here` in an IPython kernel, as a lesson would."""
    import nbformat
    from nbclient import NotebookClient

    code = (
        "import json, runpy\n"
        f"_m = runpy.run_path({str(Path(__file__).resolve())!r})\n"
        f"print('RESULT' + json.dumps(_m['measure_widgets_here']({steps})))"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline"),
                nbformat.v4.new_code_cell(code)]
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute(stderr=subprocess.DEVNULL)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs if o.output_type == "stream")
    line = next(ln for ln in text.splitlines() if ln.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


# -- report ---------------------------------------------------------------------------------

def rows_of(results: dict) -> list[tuple[str, str, str, bool]]:
    """(what, budget, measured, within budget) for every figure measured."""
    rows = []
    imp = results["import"]
    heavy = f"; loaded {imp['heavy_modules_loaded']}" if imp["heavy_modules_loaded"] else ""
    rows.append((f"import softmax_lessons (median of {imp['repeats']} fresh runs{heavy})",
                 f"< {IMPORT_BUDGET_S} s", f"{imp['median_s']:.2f} s",
                 imp["median_s"] < IMPORT_BUDGET_S and not heavy))
    notebooks = results.get("notebooks")
    if notebooks is not None:
        for nb in notebooks:
            note = f" ({nb['error']})" if nb["error"] else ""
            rows.append((f"execute {nb['notebook']}{note}", f"< {NOTEBOOK_BUDGET_S:.0f} s",
                         f"{nb['seconds']:.1f} s",
                         nb["seconds"] < NOTEBOOK_BUDGET_S and not nb["error"]))
        total = sum(nb["seconds"] for nb in notebooks)
        rows.append((f"whole course ({len(notebooks)} notebooks, one after the other)",
                     f"< {COURSE_BUDGET_S:.0f} s", f"{total:.1f} s", total < COURSE_BUDGET_S))
    floor = next((w["median_ms"] for w in results["widgets"]
                  if w["explorer"].startswith("(floor)")), None)
    for w in results["widgets"]:
        what = (w["explorer"] if w["explorer"].startswith("(floor)")
                else f"widget {w['explorer']}: {w['slider']}")
        if w["explorer"].startswith("(floor)"):
            rows.append((f"{what} (median of {w['steps']} steps; max {w['max_ms']:.0f} ms)",
                         "reference", f"{w['median_ms']:.1f} ms", True))
        elif "error" in w:
            rows.append((what, "builds", w["error"][:60], False))
        elif not w["steps"]:
            rows.append((what, f"< {WIDGET_STEP_BUDGET_MS:.0f} ms", "nothing to step", True))
        else:
            # The ratio to the floor of the same run says how the explorer compares with
            # the cheapest redraw whatever the machine's speed that day.
            ratio = f" ({w['median_ms'] / floor:.2f}x floor)" if floor else ""
            rows.append((f"{what} (median of {w['steps']} steps; max {w['max_ms']:.0f} ms)",
                         f"< {WIDGET_STEP_BUDGET_MS:.0f} ms", f"{w['median_ms']:.1f} ms{ratio}",
                         w["median_ms"] < WIDGET_STEP_BUDGET_MS))
    return rows


def print_table(rows, markdown: bool) -> None:
    if markdown:
        print("| what | budget | measured | |")
        print("|---|---|---|---|")
        for what, budget, measured, ok in rows:
            print(f"| {what} | {budget} | {measured} | {'ok' if ok else '**over**'} |")
        return
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'budget':>9}  {'measured':>24}")
    for what, budget, measured, ok in rows:
        print(f"{what:<{width}}  {budget:>9}  {measured:>24}  {'ok' if ok else 'OVER BUDGET'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--skip-notebooks", action="store_true",
                        help="skip executing the notebooks (the slowest part)")
    parser.add_argument("--steps", type=int, default=20, help="slider steps per slider")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a figure is over its budget")
    args = parser.parse_args(argv)

    import logging
    import os

    logging.getLogger("tornado").setLevel(logging.ERROR)  # closed-stream notices at shutdown
    cores = os.cpu_count()
    print(f"Course speed budgets: Python {platform.python_version()}, "
          f"{platform.machine()}, {cores} cores", flush=True)
    results = {"import": measure_import()}
    if not args.skip_notebooks:
        results["notebooks"] = measure_notebooks()
    results["widgets"] = measure_widgets(args.steps)
    rows = rows_of(results)
    print_table(rows, args.markdown)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    over = [r[0] for r in rows if not r[3]]
    if over:
        print(f"{len(over)} figure(s) over budget.")
    return 1 if over and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
