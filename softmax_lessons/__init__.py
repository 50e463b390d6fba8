"""softmax_lessons: the helper package of the course "Softmax, from logits to attention".

The maths lives in small modules named for what they hold and is re-exported
here, so a lesson can write ``from softmax_lessons import softmax``. The plots
and widgets import matplotlib and ipywidgets, which are slow to load, so they
are imported only when a lesson asks for them: ``from softmax_lessons import plots``.
"""

from importlib import import_module

from .core import entropy, log_softmax, logsumexp, sigmoid, softmax, softmax_naive
from .reference import log_softmax_exact, logsumexp_exact, softmax_exact, ulp_error

__version__ = "0.1.0"

__all__ = [
    "entropy",
    "log_softmax",
    "log_softmax_exact",
    "logsumexp",
    "logsumexp_exact",
    "sigmoid",
    "softmax",
    "softmax_exact",
    "softmax_naive",
    "ulp_error",
]

# Every submodule is reachable as an attribute (``softmax_lessons.sampling``), but it
# is imported only on first use (PEP 562): plots and widgets load matplotlib and
# ipywidgets, which would make ``import softmax_lessons`` slow.
_LAZY_SUBMODULES = {
    "accurate", "attention", "autograd", "calibration", "checks", "core", "exercises",
    "grading", "losses", "numerics", "online", "plots", "reference", "sampling",
    "training", "validation", "widgets",
}


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'softmax_lessons' has no attribute {name!r}")
