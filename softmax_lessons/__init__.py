"""softmax_lessons: the helper package of the course "Softmax, from logits to attention".

The five functions every lesson uses are re-exported here, so a lesson can write
``from softmax_lessons import softmax``. Everything else is imported from the
module named for its topic: ``from softmax_lessons import sampling, plots``
(CONTRIBUTING.md maps the modules). Plots and widgets load matplotlib and
ipywidgets, so they are imported only where a lesson asks for them.
"""

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
