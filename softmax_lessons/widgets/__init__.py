"""Interactive explorers for the lessons, built with ipywidgets.

Each explorer is a function that returns a widget. What it draws is decided by a
scene function of :mod:`softmax_lessons.scenes` (settings in, a frozen dataclass of
what to draw out) that the tests call without a browser; the widget only wires
controls to that scene and to a plot function from :mod:`softmax_lessons.plots`.
One module per topic, as in the maths; everything is re-exported here:
``from softmax_lessons import widgets``.
"""

# ruff: noqa: I001 (lesson order, not alphabetical order)
from .live import *  # noqa: F403
from .softmax import *  # noqa: F403
from .numerics import *  # noqa: F403
from .sampling import *  # noqa: F403
from .attention import *  # noqa: F403
from .losses import *  # noqa: F403
from .online import *  # noqa: F403
from .progress import *  # noqa: F403
