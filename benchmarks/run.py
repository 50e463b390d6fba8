"""Run every benchmark of the course: ``python3 course.py bench`` runs this file.

1. ``softmax_speed.py``: the package's softmax and log_softmax against SciPy and
   the naive formula (time ratios, temporary memory, ulp accuracy), and the cost
   of the accurate variants.
2. ``budgets.py``, if present: the course's speed budgets.
3. ``redraw.py``: each explorer's step with its ``update_*`` function and with a redraw.

Arguments are passed to ``softmax_speed.py`` (for example ``--repeats 5``).
Benchmarks report figures; they never fail a build.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))  # import softmax_lessons from the repo
    sys.path.insert(0, str(HERE))
    import softmax_speed

    softmax_speed.main(argv)
    budgets = HERE / "budgets.py"
    if budgets.exists():
        print()
        sys.argv = [str(budgets)]
        runpy.run_path(str(budgets), run_name="__main__")
    print()
    sys.argv = [str(HERE / "redraw.py")]
    runpy.run_path(str(HERE / "redraw.py"), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
