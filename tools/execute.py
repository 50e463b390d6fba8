"""Run lessons top to bottom and store their outputs: what ``python3 course.py execute`` does.

    python tools/execute.py notebooks/01_definition.ipynb [...]

Each notebook runs in a fresh kernel in its own folder (as nbval and JupyterLab run it),
and is written back with its outputs. Two things are stored and one is not:

- each figure's PNG carries its text alternative, ``metadata["image/png"]["alt"]``
  (the course's plotting style adds it when a figure is shown);
- each explorer's output carries one plain line, "Run this cell to use the explorer...",
  as its text form (what a notebook shows before the cell runs, and what GitHub and
  nbviewer show), and names the explorer in ``metadata["softmax_lessons"]`` (the static
  pages rebuild it from that);
- no widget state: a viewer that rendered stored widgets would show sliders that move
  and change nothing (nbviewer does). The static pages replace each explorer with a
  player; every other static viewer shows the plain line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TIMEOUT_PER_CELL = 600  # seconds; a lesson's slowest cell takes a few


def execute(path: Path, timeout: int = TIMEOUT_PER_CELL) -> dict:
    """Run the notebook at `path` and write it back with its outputs; return it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel,
                            store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    without_widget_state(nb)
    nbformat.write(nb, path)
    return nb


def without_widget_state(nb: dict) -> dict:
    """Drop the stored widget state from a notebook's metadata (in place); return it.

    >>> nb = {"metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}}}}
    >>> without_widget_state(nb)
    {'metadata': {}}
    """
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=TIMEOUT_PER_CELL,
                        help="seconds a cell may take (default %(default)s)")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"[course] executing {path}", flush=True)
        execute(path, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
